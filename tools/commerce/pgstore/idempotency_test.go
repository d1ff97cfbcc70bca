package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
)

func TestSameKeyAppliesOnce(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	f := newFixture(t, s)
	key := f.p + "/refund-1"
	r := commerce.Refund{OrderID: f.id("delivered"), Amount: usd(700), Reason: "late"}
	first, err := s.RefundOrder(ctx, key, r)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.RefundOrder(ctx, key, r)
	if err != nil {
		t.Fatalf("the same key and request again: %v", err)
	}
	if again.Refunded() != usd(700) || len(again.Payments) != len(first.Payments) {
		t.Errorf("refunded %v in %d transactions after a repeat, want 7.00 USD in %d", again.Refunded(), len(again.Payments), len(first.Payments))
	}

	for _, tt := range []struct {
		name string
		do   func() error
	}{
		{"another amount", func() error {
			_, err := s.RefundOrder(ctx, key, commerce.Refund{OrderID: f.id("delivered"), Amount: usd(800), Reason: "late"})
			return err
		}},
		{"another order", func() error {
			_, err := s.RefundOrder(ctx, key, commerce.Refund{OrderID: f.id("processed"), Amount: usd(700), Reason: "late"})
			return err
		}},
		{"another operation", func() error {
			_, err := s.CancelOrder(ctx, key, f.id("delivered"), "no longer needed")
			return err
		}},
	} {
		if err := tt.do(); !errors.Is(err, commerce.ErrKeyReused) {
			t.Errorf("%s with a used key: %v, want ErrKeyReused", tt.name, err)
		}
	}
	if o, _ := s.Order(ctx, f.id("delivered")); o.Refunded() != usd(700) {
		t.Errorf("refunded %v after the refused calls, want 7.00 USD", o.Refunded())
	}

	// A refused call leaves its key unused.
	key2 := f.p + "/refund-2"
	if _, err := s.RefundOrder(ctx, key2, commerce.Refund{OrderID: f.id("delivered"), Amount: usd(100000)}); !errors.Is(err, commerce.ErrInvalid) {
		t.Fatalf("refund of 1000.00: %v", err)
	}
	if o, err := s.RefundOrder(ctx, key2, commerce.Refund{OrderID: f.id("delivered"), Amount: usd(300)}); err != nil || o.Refunded() != usd(1000) {
		t.Errorf("retry of a refused key with a valid request: %v, refunded %v", err, o.Refunded())
	}

	// A cancel repeated after the order moved on returns the order, not a conflict.
	ck := f.p + "/cancel"
	if _, err := s.CancelOrder(ctx, ck, f.id("pending"), "no longer needed"); err != nil {
		t.Fatal(err)
	}
	if o, err := s.CancelOrder(ctx, ck, f.id("pending"), "no longer needed"); err != nil || o.Status != commerce.StatusCancelled || o.Refunded() != usd(fixtureTotal) {
		t.Errorf("repeated cancel: %v, %+v", err, o)
	}
}

// realStore is a store on a multi-session PostgreSQL, where row locks really wait.
func realStore(t *testing.T, conns int32) (*pgstore.Store, *pgxpool.Pool) {
	t.Helper()
	u := realpg.NewDatabase(t)
	realpg.ApplyMigrations(t, u, "commerce")
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
	return pgstore.New(pool, pgtest.Logger()), pool
}

func TestConcurrentRefunds(t *testing.T) {
	const workers = 20
	tests := []struct {
		name    string
		key     func(w int) string
		amount  int64
		wantOK  int   // calls that succeed
		wantTxs int   // refund transactions made
		wantSum int64 // refunded in total
	}{
		// 20 × 10.00 on an order that paid 52.00: five fit.
		{name: "different keys", key: func(w int) string { return fmt.Sprint("refund-", w) }, amount: 1000,
			wantOK: 5, wantTxs: 5, wantSum: 5000},
		// The same activity retried 20 times at once: one refund, every caller gets the order.
		{name: "same key", key: func(int) string { return "refund-once" }, amount: 1000,
			wantOK: workers, wantTxs: 1, wantSum: 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, pool := realStore(t, workers)
			f := newFixture(t, s)
			errs := make([]error, workers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					<-start
					_, errs[w] = s.RefundOrder(ctx, f.p+tt.key(w), commerce.Refund{OrderID: f.id("delivered"), Amount: usd(tt.amount)})
				})
			}
			close(start)
			wg.Wait()
			if n := pool.Stat().TotalConns(); n < 2 {
				t.Fatalf("the refunds ran on %d session(s), want several at once", n)
			}
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, commerce.ErrInvalid):
					t.Errorf("refund: %v, want success or ErrInvalid", err)
				}
			}
			o, err := s.Order(ctx, f.id("delivered"))
			if err != nil {
				t.Fatal(err)
			}
			txs := 0
			for _, p := range o.Payments {
				if p.Kind == "refund" {
					txs++
				}
			}
			if ok != tt.wantOK || txs != tt.wantTxs || o.Refunded() != usd(tt.wantSum) {
				t.Errorf("%d calls succeeded, %d refunds, %v refunded; want %d, %d, %v", ok, txs, o.Refunded(), tt.wantOK, tt.wantTxs, usd(tt.wantSum))
			}
		})
	}
}

// Two orders paid from one gift card balance at the same moment cannot overdraw it.
func TestConcurrentGiftCardSpend(t *testing.T) {
	ctx := context.Background()
	s, _ := realStore(t, 8)
	f := newFixture(t, s)
	// The rich card holds 100.00; moving an order onto it costs 52.00: only one of the two
	// pending orders can move.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, name := range []string{"pending", "pending2"} {
		wg.Go(func() {
			_, errs[i] = s.ModifyOrderPayment(ctx, fmt.Sprint(f.p, "pay-", i), f.id(name), f.id("rich"))
		})
	}
	wg.Wait()
	oks := 0
	for _, err := range errs {
		if err == nil {
			oks++
		} else if !errors.Is(err, commerce.ErrInvalid) {
			t.Errorf("payment change: %v, want success or ErrInvalid", err)
		}
	}
	if b := balance(t, s, f.id("cust"), f.id("rich")); oks != 1 || b != 10000-fixtureTotal {
		t.Errorf("%d payment changes succeeded (%v), balance %d; want 1 and %d", oks, errs, b, 10000-fixtureTotal)
	}
}
