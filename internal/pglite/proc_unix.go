//go:build unix && !linux

package pglite

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts the child in its own process group, so that a Ctrl-C in the terminal
// reaches only us and we stop the database last. There is no parent-death signal on this
// platform: if we are killed, the node process keeps running until stopped by hand.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
