//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

// Package filelock holds exclusive lock files: the lock on a data directory that keeps two
// embedded servers off the same data, and the wait that serialises package installs.
//
// On systems with flock the kernel releases a lock when its last descriptor closes, so a
// crash never leaves a stale lock. Elsewhere the lock is the file's existence, and the error
// names the file to remove after a crash. It is not a distributed lock.
package filelock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Lock is an exclusive advisory lock (flock) on a file. The kernel releases it when the
// last descriptor of the open file is closed: ours, and the copy the node process inherits, so
// the lock lasts as long as either process lives and never goes stale after a crash.
type Lock struct{ f *os.File }

// ErrLocked is returned by Acquire when another process (or another holder in this process)
// has the lock.
var ErrLocked = errors.New("locked")

// Acquire takes the lock file at path without waiting and writes our pid into it. When the
// lock is held elsewhere it returns an error wrapping ErrLocked that names the holder's pid.
func Acquire(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w by pid %s", ErrLocked, pidText(holder))
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// AcquireOrphaned takes the lock at path when the process that took it (the pid it wrote)
// has died and only a child that inherited the lock still holds it — a database finishing
// its shutdown after its parent was killed — waiting until that child lets go or ctx ends.
// While the process that took it lives, it returns Acquire's ErrLocked at once.
func AcquireOrphaned(ctx context.Context, path string) (*Lock, error) {
	for {
		l, err := Acquire(path)
		if !errors.Is(err, ErrLocked) || holderAlive(path) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (the previous holder's child did not let go in time: %w)", err, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// holderAlive reports whether the pid written in the lock file names a running process;
// true when it cannot tell.
func holderAlive(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return true
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return true
	}
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// File is the locked file, to be inherited by the child process.
func (l *Lock) File() *os.File { return l.f }

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	// The file stays: removing it would let a process that opened it just before lock a file
	// nobody else can see any more.
	return l.f.Close()
}

// Wait takes an exclusive lock on the existing file at path, waiting for other holders
// until ctx ends. It serialises work such as an install between processes.
func Wait(ctx context.Context, path string) (unlock func(), err error) {
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
			return nil, fmt.Errorf("wait for the lock on %s: %w", path, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func pidText(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "unknown"
	}
	return s
}
