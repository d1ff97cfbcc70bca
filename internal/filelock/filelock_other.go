//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package filelock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Lock is a lock file created exclusively. Without flock on this platform, a process that
// dies without Stop leaves the file behind; the error then says which file to remove.
type Lock struct {
	f    *os.File
	path string
}

// ErrLocked is returned by Acquire when the lock file exists.
var ErrLocked = errors.New("locked")

// Acquire creates the lock file at path exclusively and writes our pid into it.
func Acquire(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		holder, _ := os.ReadFile(path)
		return nil, fmt.Errorf("%w by pid %s (if no such process runs, remove %s)", ErrLocked, pidText(holder), path)
	}
	if err != nil {
		return nil, fmt.Errorf("create lock file: %w", err)
	}
	_, _ = f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	return &Lock{f: f, path: path}, nil
}

// File returns nil: the lock is the file's existence, there is nothing to inherit.
func (l *Lock) File() *os.File { return nil }

// Unlock releases the lock and removes the file.
func (l *Lock) Unlock() error {
	err := l.f.Close()
	if rerr := os.Remove(l.path); err == nil {
		err = rerr
	}
	return err
}

// Wait does not serialise installs on this platform.
func Wait(context.Context, string) (func(), error) { return func() {}, nil }

func pidText(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "unknown"
	}
	return s
}

// AcquireOrphaned is Acquire: without flock a lock file outlives its holder, and nothing
// tells a dying child from a live holder.
func AcquireOrphaned(_ context.Context, path string) (*Lock, error) { return Acquire(path) }
