package pgstore

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Filler completes missing vectors in the background after text-only imports: one run at a
// time, and a request that arrives during a run schedules exactly one more run after it, so
// that chunks stored meanwhile are not left without vectors. Search serves the new chunks by
// full text until their vectors are stored.
type Filler struct {
	store  *Store
	ctx    context.Context // ends the runs: the service's lifetime
	logger *slog.Logger

	mu      sync.Mutex
	running bool
	again   bool
	idle    *sync.Cond
}

// NewFiller returns a filler for s whose runs stop when ctx ends.
func NewFiller(ctx context.Context, s *Store, logger *slog.Logger) *Filler {
	f := &Filler{store: s, ctx: ctx, logger: logger}
	f.idle = sync.NewCond(&f.mu)
	return f
}

// Request starts a run, or schedules one after the current run. It returns at once.
func (f *Filler) Request() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running {
		f.again = true
		return
	}
	f.running = true
	go f.loop()
}

func (f *Filler) loop() {
	for {
		f.store.CompleteVectors(f.ctx, f.logger)
		f.mu.Lock()
		if !f.again || f.ctx.Err() != nil {
			f.running, f.again = false, false
			f.idle.Broadcast()
			f.mu.Unlock()
			return
		}
		f.again = false
		f.mu.Unlock()
	}
}

// CompleteVectors runs Reembed and logs what it did: how many variants got vectors, or why it
// stopped (full text serves meanwhile). It ends with ctx or when nothing is missing — one
// query when nothing is.
func (s *Store) CompleteVectors(ctx context.Context, logger *slog.Logger) {
	start := time.Now()
	n, err := s.Reembed(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		logger.Warn("knowledge vectors not completed; full text still serves", "variants", n, "err", err)
	case n > 0:
		logger.Info("knowledge vectors completed", "variants", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

// Wait blocks until no run is in progress or scheduled.
func (f *Filler) Wait() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.running {
		f.idle.Wait()
	}
}
