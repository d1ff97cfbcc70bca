package pglite

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
)

// tailSize is how many of node's last output lines are kept for error messages.
const tailSize = 30

// outputLog receives node's stdout and stderr: it logs each line at debug, keeps the last
// lines for error messages and closes ready when a line contains the ready marker.
type outputLog struct {
	logger *slog.Logger
	marker string
	ready  chan struct{}

	mu      sync.Mutex
	partial []byte
	lines   []string // ring of the last tailSize lines
	next    int
	full    bool
	isReady bool
}

func newOutputLog(logger *slog.Logger, marker string) *outputLog {
	return &outputLog{logger: logger, marker: marker, ready: make(chan struct{}), lines: make([]string, tailSize)}
}

// Write implements io.Writer.
func (o *outputLog) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.partial = append(o.partial, p...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		o.line(string(o.partial[:i]))
		o.partial = o.partial[i+1:]
	}
	return len(p), nil
}

// flush handles a last line without a newline.
func (o *outputLog) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.partial) > 0 {
		o.line(string(o.partial))
		o.partial = nil
	}
}

func (o *outputLog) line(l string) {
	l = strings.TrimRight(l, "\r")
	if strings.TrimSpace(l) == "" {
		return
	}
	o.logger.Log(context.Background(), slog.LevelDebug, "pglite output", "line", l)
	o.lines[o.next] = l
	o.next = (o.next + 1) % len(o.lines)
	if o.next == 0 {
		o.full = true
	}
	if !o.isReady && strings.Contains(l, o.marker) {
		o.isReady = true
		close(o.ready)
	}
}

// tail returns the last lines, oldest first.
func (o *outputLog) tail() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var kept []string
	if o.full {
		kept = append(kept, o.lines[o.next:]...)
	}
	kept = append(kept, o.lines[:o.next]...)
	if len(kept) == 0 {
		return "(no output)"
	}
	return strings.Join(kept, "\n")
}
