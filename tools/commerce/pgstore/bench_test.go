package pgstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/tools/commerce"
)

// baseline measures a bare `SELECT 1` round trip on the same pool, so that the store's cost
// reads as a multiple of what the database connection costs anyway (PGlite's round trips
// are far slower than a real server's; the ratio travels between them better).
func baseline(b *testing.B) time.Duration {
	b.Helper()
	ctx := context.Background()
	pool := pgtest.Pool(b)
	const n = 200
	start := time.Now()
	for range n {
		var one int
		if err := pool.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start) / n
}

func report(b *testing.B, base time.Duration) {
	b.Helper()
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(base), "x-select1")
	b.ReportMetric(float64(base.Nanoseconds()), "select1-ns")
}

// BenchmarkOrderLookup reads an order with its items, fulfillment and payments (one
// statement).
//
//	go test -run '^$' -bench . -benchtime 500x ./tools/commerce/pgstore/
func BenchmarkOrderLookup(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	f := newFixture(b, s)
	base := baseline(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Order(ctx, f.id("processed")); err != nil {
			b.Fatal(err)
		}
	}
	report(b, base)
}

// BenchmarkRefund makes a 0.01 refund under a new idempotency key: claim the key, lock the
// order, read it, check, write the transaction, read the result — one transaction.
func BenchmarkRefund(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	f := newFixture(b, s)
	base := baseline(b)
	i := 0
	b.ResetTimer()
	for b.Loop() {
		if i >= fixtureTotal { // refunded in full: start on a fresh order
			b.StopTimer()
			f, i = newFixture(b, s), 0
			b.StartTimer()
		}
		i++
		if _, err := s.RefundOrder(ctx, fmt.Sprint(f.p, "/bench/", i), commerce.Refund{OrderID: f.id("delivered"), Amount: usd(1)}); err != nil {
			b.Fatal(err)
		}
	}
	report(b, base)
}
