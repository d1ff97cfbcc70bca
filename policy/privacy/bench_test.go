package privacy

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// seedBulk stores n conversations of one customer with m messages each, in a few statements.
func seedBulk(b *testing.B, pool *pgxpool.Pool, email string, n, m int) []string {
	b.Helper()
	ctx := context.Background()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid.Must(uuid.NewV7()).String()
	}
	_, err := pool.Exec(ctx, `
		WITH c AS (
			INSERT INTO conversations (id, identity) SELECT id, jsonb_build_object('email', $2::text) FROM unnest($1::uuid[]) AS id
			RETURNING id
		), p AS (
			INSERT INTO participants (id, conversation_id, kind, display_name)
			SELECT gen_random_uuid(), id, 'customer', 'Bench Customer' FROM c RETURNING id, conversation_id
		)
		INSERT INTO messages (id, conversation_id, seq, turn_id, participant_id, author, body)
		SELECT gen_random_uuid(), p.conversation_id, s, 't' || s, p.id, 'customer', 'my e-mail is ' || $2
		FROM p, generate_series(1, $3::int) AS s`, ids, email, m)
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	return ids
}

// BenchmarkErase erases a customer with 20 conversations of 20 messages and compares it with
// a plain DELETE of the same number of conversations in the same run (ratio = erase/delete).
func BenchmarkErase(b *testing.B) {
	const convs, msgs = 20, 20
	ctx := context.Background()
	s, pool := newStore(b, Config{Shredder: &fakeShredder{}, Terminator: &fakeTerminator{}})
	var erase, plain time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		email := fmt.Sprintf("bench-%s@example.com", uuid.NewString())
		seedBulk(b, pool, email, convs, msgs)
		ids := seedBulk(b, pool, "plain-"+email, convs, msgs)
		b.StartTimer()

		start := time.Now()
		sum, err := s.Erase(ctx, Subject{Email: email}, "bench")
		erase += time.Since(start)
		if err != nil || sum.Deleted["messages"] != convs*msgs {
			b.Fatalf("erase: %+v, %v", sum.Deleted, err)
		}

		start = time.Now()
		tag, err := pool.Exec(ctx, `DELETE FROM conversations WHERE id = ANY ($1::uuid[])`, ids)
		plain += time.Since(start)
		if err != nil || tag.RowsAffected() != convs {
			b.Fatalf("plain delete: %v, %v", tag, err)
		}
	}
	b.ReportMetric(float64(erase.Microseconds())/float64(b.N), "erase-µs/op")
	b.ReportMetric(float64(plain.Microseconds())/float64(b.N), "delete-µs/op")
	b.ReportMetric(float64(erase)/float64(plain), "erase/delete")
}
