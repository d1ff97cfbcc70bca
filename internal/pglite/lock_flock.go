//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package pglite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// dirLock is an exclusive advisory lock (flock) on a file. The kernel releases it when the
// last descriptor of the open file is closed: ours, and the copy the node process inherits, so
// the lock lasts as long as either process lives and never goes stale after a crash.
type dirLock struct{ f *os.File }

var errLocked = errors.New("locked")

// lockDir takes the lock file at path without waiting and writes our pid into it. When the
// lock is held elsewhere it returns an error wrapping errLocked that names the holder's pid.
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

// file is the locked file, to be inherited by the child process.
func (l *dirLock) file() *os.File { return l.f }

func (l *dirLock) unlock() error {
	// The file stays: removing it would let a process that opened it just before lock a file
	// nobody else can see any more.
	return l.f.Close()
}

// waitLock takes an exclusive lock on the existing file at path, waiting for other holders
// until ctx ends. It serialises `npm ci` between processes sharing a package directory.
func waitLock(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s for locking: %w", path, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("wait for another npm install in %s: %w", path, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
