package analytics

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchmarkSummary computes a summary grouped by market over 500 conversations of 6 messages
// (a fifth handed off) and compares it with `SELECT count(*) FROM conversations` over the
// same rows in the same run: x-count is summary time / count time.
func BenchmarkSummary(b *testing.B) {
	const convs = 500
	t0 := time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC)
	s, db := newStore(b, t0.Add(72*time.Hour), true)
	ctx := context.Background()
	window := Filter{From: t0, To: t0.Add(48 * time.Hour)}
	seedBulk(b, db, window, convs, 6)
	var summary, count time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		sum, err := s.Summary(ctx, window, DimMarket)
		summary += time.Since(start)
		if err != nil || sum.Total.Conversations != convs {
			b.Fatalf("summary: %d conversations, %v", sum.Total.Conversations, err)
		}
		start = time.Now()
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM conversations WHERE created_at >= $1 AND created_at < $2`,
			window.From, window.To).Scan(&n); err != nil || n != convs {
			b.Fatalf("count: %d, %v", n, err)
		}
		count += time.Since(start)
	}
	b.ReportMetric(float64(summary.Nanoseconds())/float64(b.N), "summary-ns/op")
	b.ReportMetric(float64(count.Nanoseconds())/float64(b.N), "count-ns/op")
	b.ReportMetric(float64(summary)/float64(count), "x-count")
}

// seedBulk stores convs conversations of perConv messages, alternately the customer's and
// the AI's, a minute apart from window.From on, with a queued handoff in every fifth; the
// rows are stored once however often it is called.
func seedBulk(tb testing.TB, db *pgxpool.Pool, window Filter, convs, perConv int) {
	tb.Helper()
	ctx := context.Background()
	t0 := window.From
	// The benchmark function runs more than once; the rows are stored the first time.
	var seeded int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM conversations WHERE created_at >= $1 AND created_at < $2`,
		window.From, window.To).Scan(&seeded); err != nil {
		tb.Fatal(err)
	}
	ids := make([]string, convs-seeded)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	_, err := db.Exec(ctx, `
		WITH c AS (
			INSERT INTO conversations (id, market, locale, created_at)
			SELECT id, (ARRAY['DE', 'FR', 'JP', 'AE'])[1 + (n % 4)], 'en', $2::timestamptz + n * interval '1 minute'
			FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)
			RETURNING id, created_at
		), p AS (
			INSERT INTO participants (id, conversation_id, kind)
			SELECT gen_random_uuid(), id, k FROM c, unnest(ARRAY['customer', 'ai']) AS k
			RETURNING id, conversation_id, kind
		), m AS (
			INSERT INTO messages (id, conversation_id, seq, turn_id, participant_id, author, body, lang, intent, created_at)
			SELECT gen_random_uuid(), c.id, s, 't' || s, p.id, p.kind, 'text', 'en', CASE WHEN p.kind = 'ai' THEN 'order_status' ELSE '' END,
				c.created_at + s * interval '5 seconds'
			FROM c, generate_series(1, $3::int) AS s
			JOIN p ON true
			WHERE p.conversation_id = c.id AND p.kind = CASE WHEN s % 2 = 1 THEN 'customer' ELSE 'ai' END
			RETURNING 1
		)
		INSERT INTO handoffs (id, conversation_id, reason, team, status, sla_due_at, packet, created_at)
		SELECT gen_random_uuid(), id, 'low_confidence', 'support', 'queued', created_at + interval '10 minutes', '{}', created_at
		FROM c WHERE extract(minute FROM created_at)::int % 5 = 0`, ids, t0, perConv)
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
}
