package staff

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
)

// Racing sign-ups can only be checked on a multi-session PostgreSQL (package realpg): PGlite
// serializes every statement on its one session, so nothing there really races.
func TestConcurrentCreateSameEmail(t *testing.T) {
	ctx := context.Background()
	u := realpg.NewDatabase(t)
	realpg.ApplyMigrations(t, u, "staff")
	pool, err := pgxpool.New(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s := New(pool, pgtest.Logger())

	const workers = 20
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			<-start
			// No password: the race is on the insert, not on 20 argon2 hashes.
			_, err := s.CreateAccount(ctx, NewAccount{Email: "Same@Shop.Example", Role: RoleAgent})
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	var ok, taken int
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ErrEmailTaken):
			taken++
		default:
			t.Errorf("CreateAccount: %v", err)
		}
	}
	if ok != 1 || taken != workers-1 {
		t.Fatalf("%d created, %d ErrEmailTaken; want 1 and %d", ok, taken, workers-1)
	}
	accounts, err := s.ListAccounts(ctx)
	if err != nil || len(accounts) != 1 || accounts[0].Email != "same@shop.example" {
		t.Fatalf("accounts = %+v, %v; want one, lower-cased", accounts, err)
	}

	// EnsureAdmin from many processes at once (several `task dev` runs) creates one admin.
	var created sync.Map
	for range workers {
		wg.Go(func() {
			a, c, err := s.EnsureAdmin(ctx, "admin@shop.example", "Admin")
			if err != nil {
				t.Errorf("EnsureAdmin: %v", err)
				return
			}
			created.Store(a.ID, true)
			if c {
				created.Store("created", a.ID)
			}
		})
	}
	wg.Wait()
	n := 0
	created.Range(func(k, _ any) bool {
		if k != "created" {
			n++
		}
		return true
	})
	if _, ok := created.Load("created"); n != 1 || !ok {
		t.Fatalf("EnsureAdmin returned %d distinct accounts (created reported: %v); want 1", n, ok)
	}
}

// BenchmarkAuthenticate measures Authenticate with a session token (the per-request path)
// against a bare SELECT 1 round trip on the same pool, in the same run: x-select1 is the
// ratio. It also reports one argon2id hash with the current parameters, which is what a
// login costs.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	pool := pgtest.Pool(b)
	s := New(pool, pgtest.Logger())
	a, err := s.CreateAccount(ctx, NewAccount{Email: email(b, "bench"), Role: RoleAgent, Password: goodPassword})
	if err != nil {
		b.Fatal(err)
	}
	sess, err := s.Login(ctx, a.Email, goodPassword, time.Hour)
	if err != nil {
		b.Fatal(err)
	}

	began := time.Now()
	const hashes = 3
	for range hashes {
		_, _ = HashPassword(goodPassword)
	}
	hashNs := float64(time.Since(began).Nanoseconds()) / hashes

	b.ResetTimer()
	for range b.N {
		if _, err := s.Authenticate(ctx, sess.Token); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	authNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)

	began = time.Now()
	var one int
	for range b.N {
		if err := pool.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
			b.Fatal(err)
		}
	}
	selectNs := float64(time.Since(began).Nanoseconds()) / float64(b.N)

	b.ReportMetric(selectNs, "select1-ns/op")
	b.ReportMetric(authNs/selectNs, "x-select1")
	b.ReportMetric(hashNs/1e6, "argon2id-ms/hash")
}
