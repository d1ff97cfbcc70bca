package pglite

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts the child in its own process group, so that a Ctrl-C in the terminal
// reaches only us and we stop the database last, and asks the kernel to send it SIGTERM
// (a clean shutdown) when we die. Pdeathsig fires when the creating OS thread exits, which is
// why the child is started from a goroutine locked to its thread until the child exits.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
