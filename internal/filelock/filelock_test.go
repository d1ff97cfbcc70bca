package filelock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSecondAcquireFailsNamingTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	l, err := Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(path)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), strconv.Itoa(os.Getpid())) {
		t.Fatalf("second Acquire: %v, want ErrLocked naming pid %d", err, os.Getpid())
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(path)
	if err != nil {
		t.Fatalf("Acquire after Unlock: %v", err)
	}
	_ = l2.Unlock()
}

func TestWaitGivesUpWhenTheContextEnds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "install.lock")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	unlock, err := Wait(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := Wait(ctx, path); err == nil {
		t.Skip("this platform does not serialise Wait")
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait while held: %v", err)
	}
	unlock()
	unlock2, err := Wait(context.Background(), path)
	if err != nil {
		t.Fatalf("Wait after release: %v", err)
	}
	unlock2()
}
