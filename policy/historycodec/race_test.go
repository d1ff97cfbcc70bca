package historycodec

import (
	"context"
	"sync"
	"testing"

	"github.com/attache-dev/attache/internal/testutil/realpg"
	"github.com/jackc/pgx/v5/pgxpool"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

// TestConcurrentFirstEncodesAgreeOnOneKey races the first Encode of workflow IDs from
// several codecs (as several worker processes would) on a real, multi-session PostgreSQL:
// PGlite runs every connection on one session, where the inserts could not race. Every
// payload must then open with every codec, which only holds if all used the same key.
func TestConcurrentFirstEncodesAgreeOnOneKey(t *testing.T) {
	ctx := context.Background()
	u := realpg.NewDatabase(t)
	realpg.ApplyMigrations(t, u, "history_keys")
	pool, err := pgxpool.New(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	const processes, rounds = 8, 20
	codecs := make([]*Codec, processes)
	for i := range codecs {
		if codecs[i], err = New(pool, testKEK, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	for range rounds {
		wf := newWorkflowID()
		payloads := make([]*commonpb.Payload, processes)
		errs := make([]error, processes)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, c := range codecs {
			wg.Go(func() {
				<-start
				ps, err := c.WithSerializationContext(converter.WorkflowSerializationContext{WorkflowID: wf}).
					Encode([]*commonpb.Payload{{Data: []byte(secret)}})
				if err != nil {
					errs[i] = err
					return
				}
				payloads[i] = ps[0]
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("codec %d: first Encode: %v", i, err)
			}
		}
		for i, c := range codecs {
			if _, err := c.Decode(payloads); err != nil {
				t.Fatalf("codec %d cannot open the others' payloads (keys differ): %v", i, err)
			}
		}
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM history_keys WHERE workflow_id = $1`, wf).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d key rows for one workflow, want 1", n)
		}
	}
}
