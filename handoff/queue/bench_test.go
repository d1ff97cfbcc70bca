package queue

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
)

// BenchmarkClaim measures Claim against the cheapest write it could be, a plain UPDATE of one
// row by primary key on the same table (same trigger, same indexes), in the same run:
// x-update is the ratio. Each Claim takes a fresh queued handoff, prepared before the timer
// starts. It runs on PGlite, the embedded default, and on the real PostgreSQL of package
// realpg.
func BenchmarkClaim(b *testing.B) {
	b.Run("pglite", func(b *testing.B) { benchClaim(b, pgtest.Pool(b)) })
	b.Run("postgres", func(b *testing.B) {
		u := realpg.NewDatabase(b)
		realpg.ApplyMigrations(b, u, "conversations", "handoff_queue")
		pool, err := pgxpool.New(context.Background(), u)
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		benchClaim(b, pool)
	})
}

func benchClaim(b *testing.B, pool *pgxpool.Pool) {
	ctx := context.Background()
	s := New(pool, pgtest.Logger())
	tm := team("bench")
	rows, err := pool.Query(ctx, `
		WITH c AS (INSERT INTO conversations (id) SELECT gen_random_uuid() FROM generate_series(1, $1) RETURNING id)
		INSERT INTO handoffs (id, conversation_id, reason, team, packet)
		SELECT gen_random_uuid(), c.id, 'other', $2, '{"summary":"bench"}' FROM c RETURNING id::text`, b.N, tm)
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) != b.N {
		b.Fatalf("prepared %d handoffs, want %d: %v", len(ids), b.N, err)
	}

	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Claim(ctx, ids[i], "bench-agent"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	claimNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)

	began := time.Now()
	for i := range b.N {
		if _, err := pool.Exec(ctx, `UPDATE handoffs SET priority = priority WHERE id = $1`, ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	updateNs := float64(time.Since(began).Nanoseconds()) / float64(b.N)

	b.ReportMetric(updateNs, "update-ns/op")
	b.ReportMetric(claimNs/updateNs, "x-update")
}
