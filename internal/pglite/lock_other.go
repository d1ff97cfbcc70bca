//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package pglite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
)

// dirLock is a lock file created exclusively. Without flock on this platform, a process that
// dies without Stop leaves the file behind; the error then says which file to remove.
type dirLock struct {
	f    *os.File
	path string
}

var errLocked = errors.New("locked")

func lockDir(path string) (*dirLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		holder, _ := os.ReadFile(path)
		return nil, fmt.Errorf("%w by pid %s (if no such process runs, remove %s)", errLocked, pidText(holder), path)
	}
	if err != nil {
		return nil, fmt.Errorf("create lock file: %w", err)
	}
	_, _ = f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	return &dirLock{f: f, path: path}, nil
}

// file returns nil: the lock is the file's existence, there is nothing to inherit.
func (l *dirLock) file() *os.File { return nil }

func (l *dirLock) unlock() error {
	err := l.f.Close()
	if rerr := os.Remove(l.path); err == nil {
		err = rerr
	}
	return err
}

// waitLock does not serialise installs on this platform.
func waitLock(context.Context, string) (func(), error) { return func() {}, nil }
