//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package filelock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestAnOrphanedLockIsTakenOnceTheChildLetsGo: the process that took a lock died, and the
// child that inherited it still holds it while it shuts down. AcquireOrphaned waits for the
// child instead of failing, and gives up when its context ends; a live holder fails at once.
func TestAnOrphanedLockIsTakenOnceTheChildLetsGo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.lock")
	held, err := Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	// A live holder (this process): refused at once.
	start := time.Now()
	if _, err := AcquireOrphaned(context.Background(), path); !errors.Is(err, ErrLocked) || time.Since(start) > time.Second {
		t.Fatalf("live holder: %v after %s, want ErrLocked at once", err, time.Since(start))
	}
	// The holder's pid now names a process that has exited; the lock itself stays held, as
	// by the orphaned child.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(dead.Process.Pid)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, err := AcquireOrphaned(ctx, path); !errors.Is(err, ErrLocked) {
		t.Fatalf("orphan that never lets go: %v, want ErrLocked once the context ends", err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = held.Unlock() // the child finished its shutdown
	}()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	l, err := AcquireOrphaned(ctx2, path)
	if err != nil {
		t.Fatalf("after the orphan let go: %v", err)
	}
	_ = l.Unlock()
}
