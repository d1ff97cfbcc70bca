//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package devserver

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// dirLock is an exclusive advisory lock (flock) on a file in a data directory. The kernel
// releases it when the process dies, so a crash leaves no stale lock behind.
type dirLock struct{ f *os.File }

// errLocked is returned by lockDir when another process (or another Server in this process)
// holds the lock.
var errLocked = errors.New("locked")

// lockDir takes the lock file at path and writes our pid into it. When the lock is held
// elsewhere it returns an error wrapping errLocked that names the holder's pid.
func lockDir(path string) (*dirLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w by pid %s", errLocked, pidText(holder))
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

func (l *dirLock) unlock() error {
	// Closing the file releases the flock. The file stays: removing it would let a process
	// that opened it just before lock a file nobody else can see any more.
	return l.f.Close()
}

func pidText(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "unknown"
	}
	return s
}
