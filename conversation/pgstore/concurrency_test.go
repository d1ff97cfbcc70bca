package pgstore_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/conversation/pgstore"
	"github.com/attache-dev/attache/internal/testutil/realpg"
)

// The store's promise under real concurrency — many sessions appending to one conversation
// at once — can only be checked on a multi-session PostgreSQL: PGlite serializes every
// statement on its one session. Debian's PostgreSQL has no pgvector, which the conversation
// tables do not need (realpg.ApplyMigrations creates them without the extension).

type key struct {
	turn   string
	author conversation.Author
	part   int
}

func TestAppendOnConcurrentSessions(t *testing.T) {
	authors := []conversation.Author{conversation.AuthorCustomer, conversation.AuthorAI}
	tests := []struct {
		name    string
		workers int
		// keys returns what a worker appends, in its order.
		keys func(worker int) []key
		// noGaps: no append ever loses a race, so seqs must run 1, 2, 3... without gaps.
		noGaps bool
	}{
		{
			name: "distinct turns", workers: 16, noGaps: true,
			keys: func(w int) []key {
				var ks []key
				for i := range 20 {
					ks = append(ks, key{fmt.Sprintf("w%d-t%d", w, i), authors[i%2], 0})
				}
				return ks
			},
		},
		{
			name: "every worker retries the same turns", workers: 16,
			keys: func(w int) []key {
				var ks []key
				for i := range 10 {
					for _, a := range authors {
						for part := range 2 {
							ks = append(ks, key{fmt.Sprintf("t%d", i), a, part})
						}
					}
				}
				// Rotate, so that workers collide on different keys at different times.
				r := (w * 7) % len(ks)
				return append(ks[r:], ks[:r]...)
			},
		},
		{
			name: "own turns interleaved with shared retries", workers: 12,
			keys: func(w int) []key {
				var ks []key
				for i := range 15 {
					ks = append(ks, key{fmt.Sprintf("w%d-t%d", w, i), conversation.AuthorCustomer, 0})
					ks = append(ks, key{fmt.Sprintf("shared-%d", (i+w)%15), conversation.AuthorAI, 0})
				}
				return ks
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dbURL := realpg.NewDatabase(t)
			realpg.ApplyMigrations(t, dbURL, "conversations", "conversation_identity", "ai_disclosures")
			cfg, err := pgxpool.ParseConfig(dbURL)
			if err != nil {
				t.Fatal(err)
			}
			cfg.MaxConns = int32(tt.workers)
			pool, err := pgxpool.NewWithConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			s := pgstore.New(pool)
			c, err := s.Create(ctx, conversation.NewConversation{Locale: "es-MX"})
			if err != nil {
				t.Fatal(err)
			}

			type result struct {
				key     key
				msg     conversation.Message
				created bool
				err     error
			}
			results := make([][]result, tt.workers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for w := range tt.workers {
				wg.Go(func() {
					<-start
					for _, k := range tt.keys(w) {
						m, created, err := s.Append(ctx, conversation.NewMessage{
							ConversationID: c.ID, TurnID: k.turn, Author: k.author, Part: k.part,
							Text: fmt.Sprintf("worker %d", w), Lang: "es",
						})
						results[w] = append(results[w], result{k, m, created, err})
					}
				})
			}
			close(start)
			wg.Wait()
			if n := pool.Stat().TotalConns(); n < 2 {
				t.Fatalf("the appends ran on %d session(s), want several at once", n)
			}

			// Every call succeeds; all calls for a key get the one message, which exactly
			// one of them created (and whose text is that caller's).
			byKey := map[key]conversation.Message{}
			creators := map[key]int{}
			for w, rs := range results {
				var lastCreated int64
				for _, r := range rs {
					if r.err != nil {
						t.Fatalf("worker %d, %v: %v", w, r.key, r.err)
					}
					if first, ok := byKey[r.key]; ok && first.ID != r.msg.ID {
						t.Errorf("%v stored twice: %s (seq %d) and %s (seq %d)", r.key, first.ID, first.Seq, r.msg.ID, r.msg.Seq)
					}
					byKey[r.key] = r.msg
					if r.created {
						creators[r.key]++
						if want := fmt.Sprintf("worker %d", w); r.msg.Text != want {
							t.Errorf("%v: worker %d created it, text is %q", r.key, w, r.msg.Text)
						}
						// One worker's appends follow each other: so do their seqs.
						if r.msg.Seq <= lastCreated {
							t.Errorf("worker %d: seq %d after its seq %d", w, r.msg.Seq, lastCreated)
						}
						lastCreated = r.msg.Seq
					}
				}
			}
			for k := range byKey {
				if creators[k] != 1 {
					t.Errorf("%v: %d calls report creating it, want 1", k, creators[k])
				}
			}

			// The transcript holds one row per (turn, author, part), in seq order.
			msgs, err := s.Messages(ctx, c.ID, 0, 100_000)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != len(byKey) {
				t.Fatalf("%d messages stored for %d distinct (turn, author, part)", len(msgs), len(byKey))
			}
			seqs := make([]int64, len(msgs))
			for i, m := range msgs {
				seqs[i] = m.Seq
				if i > 0 && m.Seq <= seqs[i-1] {
					t.Fatalf("seq %d listed after %d", m.Seq, seqs[i-1])
				}
			}
			var lastSeq int64
			if err := pool.QueryRow(ctx, `SELECT last_seq FROM conversations WHERE id = $1`, c.ID).Scan(&lastSeq); err != nil {
				t.Fatal(err)
			}
			if lastSeq < seqs[len(seqs)-1] {
				t.Fatalf("conversation counter %d is behind its last message %d", lastSeq, seqs[len(seqs)-1])
			}
			if tt.noGaps && (seqs[0] != 1 || seqs[len(seqs)-1] != int64(len(seqs)) || lastSeq != int64(len(seqs))) {
				t.Fatalf("seqs run %d..%d (counter %d) for %d messages, want 1..%[4]d", seqs[0], seqs[len(seqs)-1], lastSeq, len(seqs))
			}
			t.Logf("%d appends on %d sessions: %d messages, %d seqs consumed by appends that lost a race",
				tt.workers*len(tt.keys(0)), pool.Stat().TotalConns(), len(msgs), lastSeq-int64(len(msgs)))
			if !slices.IsSorted(seqs) {
				t.Fatal("transcript out of order")
			}
		})
	}
}
