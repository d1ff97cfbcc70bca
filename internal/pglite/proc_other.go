//go:build !unix

package pglite

import (
	"os"
	"os/exec"
)

func setProcAttr(*exec.Cmd) {}

// terminate kills the process: there is no SIGTERM to send on this platform.
func terminate(p *os.Process) error { return p.Kill() }
