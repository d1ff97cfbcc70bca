package pglite

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNodeDiesWithUs starts PGlite in a child process, kills that process with SIGKILL and
// expects node to exit on its own (Pdeathsig), and to have run in its own process group.
func TestNodeDiesWithUs(t *testing.T) {
	requireNode(t)
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	nodePID, perr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || perr != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child did not report node's pid: %q, %v", line, err)
	}
	pgid, err := syscall.Getpgid(nodePID)
	if err != nil {
		t.Fatal(err)
	}
	if pgid != nodePID {
		t.Errorf("node's process group %d, want its own (%d)", pgid, nodePID)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(15 * time.Second)
	for processAlive(nodePID) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(nodePID, syscall.SIGKILL)
			t.Fatalf("node (pid %d) still runs 15 s after its parent was killed", nodePID)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// processAlive reports whether pid runs; a zombie (exited, not yet reaped by whoever adopted
// it) does not count.
func processAlive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}
