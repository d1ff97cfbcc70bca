package queue

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
)

// Races can only be shown on a multi-session PostgreSQL (package realpg): PGlite serializes
// every statement on its one session, so nothing there really races.

// realStore returns a store on a fresh database of the real PostgreSQL, with a pool large
// enough that every goroutine has a session of its own.
func realStore(t *testing.T, conns int32) *Store {
	t.Helper()
	u := realpg.NewDatabase(t)
	realpg.ApplyMigrations(t, u, "conversations", "handoff_queue")
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = conns
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return New(pool, pgtest.Logger())
}

// TestConcurrentClaims: 20 agents try to claim each of 50 handoffs at the same time, each in
// its own order. Every handoff ends with exactly one holder, the one whose Claim succeeded;
// every loser was told who that is.
func TestConcurrentClaims(t *testing.T) {
	const conversations, agents = 50, 20
	ctx := context.Background()
	s := realStore(t, agents+2)
	hs := make([]Handoff, conversations)
	for i := range hs {
		hs[i] = open(t, s, NewHandoff{Team: "support"})
	}

	type outcome struct {
		agent, handoff string
		won            bool
		holder         string // what the agent was told: itself when it won, else the ClaimedError's By
	}
	results := make(chan outcome, conversations*agents)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for a := range agents {
		agent := "agent-" + string(rune('A'+a))
		order := rand.Perm(conversations)
		wg.Go(func() {
			<-start
			for _, i := range order {
				h, err := s.Claim(ctx, hs[i].ID, agent)
				var ce *ClaimedError
				switch {
				case err == nil:
					if h.ClaimedBy != agent || h.Status != StatusClaimed {
						t.Errorf("%s won %s but it is %s by %q", agent, h.ID, h.Status, h.ClaimedBy)
					}
					results <- outcome{agent, hs[i].ID, true, h.ClaimedBy}
				case errors.As(err, &ce) && errors.Is(err, ErrAlreadyClaimed):
					results <- outcome{agent, hs[i].ID, false, ce.By}
				default:
					t.Errorf("%s claiming %s: %v", agent, hs[i].ID, err)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(results)

	winners := map[string]string{} // handoff → agent
	told := map[string][]string{}  // handoff → holders the losers were told
	n := 0
	for r := range results {
		n++
		if r.won {
			if w, ok := winners[r.handoff]; ok {
				t.Errorf("handoff %s claimed by both %s and %s", r.handoff, w, r.agent)
			}
			winners[r.handoff] = r.agent
		} else {
			told[r.handoff] = append(told[r.handoff], r.holder)
		}
	}
	if n != conversations*agents {
		t.Fatalf("%d claim outcomes, want %d", n, conversations*agents)
	}
	if len(winners) != conversations {
		t.Fatalf("%d of %d handoffs have a winner", len(winners), conversations)
	}
	for _, h := range hs {
		got, err := s.Get(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusClaimed || got.ClaimedBy != winners[h.ID] {
			t.Errorf("handoff %s is %s by %q; the winner was %q", h.ID, got.Status, got.ClaimedBy, winners[h.ID])
		}
		if len(told[h.ID]) != agents-1 {
			t.Errorf("handoff %s: %d losers, want %d", h.ID, len(told[h.ID]), agents-1)
		}
		for _, by := range told[h.ID] {
			if by != winners[h.ID] {
				t.Errorf("a loser of %s was told %q holds it; %q does", h.ID, by, winners[h.ID])
			}
		}
	}
	q, err := s.Queue(ctx, Filter{Teams: []string{"support"}, Status: StatusQueued})
	if err != nil || len(q) != 0 {
		t.Fatalf("%d handoffs still queued (%v), want 0", len(q), err)
	}
}

// TestConcurrentOpen: the workflow's activity and its retries race to open the same
// conversation's handoff; one row results and everyone gets it.
func TestConcurrentOpen(t *testing.T) {
	const callers, rounds = 20, 10
	ctx := context.Background()
	s := realStore(t, callers+2)
	for range rounds {
		conv := newConversation(t, s.db)
		ids := make(chan string, callers)
		created := make(chan bool, callers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				<-start
				h, c, err := s.Open(ctx, NewHandoff{ConversationID: conv, Reason: ReasonCustomerRequest,
					Team: "support", Packet: json.RawMessage(`{"summary":"wants a person"}`)})
				if err != nil {
					t.Errorf("Open: %v", err)
					return
				}
				ids <- h.ID
				created <- c
			})
		}
		close(start)
		wg.Wait()
		close(ids)
		close(created)
		distinct := map[string]bool{}
		for id := range ids {
			distinct[id] = true
		}
		nCreated := 0
		for c := range created {
			if c {
				nCreated++
			}
		}
		var rows int
		if err := s.db.QueryRow(ctx, `SELECT count(*) FROM handoffs WHERE conversation_id = $1`, conv).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if len(distinct) != 1 || nCreated != 1 || rows != 1 {
			t.Fatalf("%d callers got %d distinct handoffs, %d reported created, %d rows; want 1, 1, 1", callers, len(distinct), nCreated, rows)
		}
	}
}

// TestWatchMissesNoChangeUnderConcurrency: agents claim, release and resolve handoffs from
// many sessions while a watcher follows the feed. When the agents stop, the watcher's view of
// every handoff catches up with the table. Transactions commit out of version order here, so
// a feed that only asked for "versions above the highest seen" would lose some.
func TestWatchMissesNoChangeUnderConcurrency(t *testing.T) {
	const handoffs, agents, moves = 40, 12, 60
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := realStore(t, agents+4)
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hs := make([]Handoff, handoffs)
	for i := range hs {
		hs[i] = open(t, s, NewHandoff{Team: "support"})
	}

	var mu sync.Mutex
	view := map[string]int64{}
	watchCtx, stopWatch := context.WithCancel(ctx)
	watchDone := make(chan error, 1)
	go func() {
		watchDone <- s.Watch(watchCtx, head, time.Millisecond, func(changed []Handoff, _ int64) error {
			mu.Lock()
			defer mu.Unlock()
			for _, h := range changed {
				if h.Version <= view[h.ID] {
					t.Errorf("handoff %s delivered at version %d after %d", h.ID, h.Version, view[h.ID])
				}
				view[h.ID] = h.Version
			}
			return nil
		})
	}()

	var wg sync.WaitGroup
	for a := range agents {
		agent := "agent-" + string(rune('a'+a))
		wg.Go(func() {
			for range moves {
				h := hs[rand.IntN(handoffs)]
				var err error
				switch rand.IntN(4) {
				case 0, 1:
					_, err = s.Claim(ctx, h.ID, agent)
				case 2:
					_, err = s.Release(ctx, h.ID, agent)
				case 3:
					_, err = s.Escalate(ctx, h.ID, time.Now())
				}
				if err != nil && !errors.Is(err, ErrAlreadyClaimed) && !errors.Is(err, ErrNotHolder) {
					t.Errorf("%s: %v", agent, err)
				}
			}
		})
	}
	wg.Wait()

	want := map[string]int64{}
	for _, h := range hs {
		got, err := s.Get(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		want[h.ID] = got.Version
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		stale := 0
		for id, v := range want {
			if view[id] != v {
				stale++
			}
		}
		mu.Unlock()
		if stale == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the watcher never caught up: %d of %d handoffs stale", stale, handoffs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stopWatch()
	if err := <-watchDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("Watch: %v", err)
	}
}
