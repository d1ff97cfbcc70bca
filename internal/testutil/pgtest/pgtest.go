// Package pgtest gives tests a real, migrated PostgreSQL with pgvector: PGlite started once
// per test binary, or the database named by ATTACHE_TEST_DATABASE_URL when set (for running
// the same tests against a multi-session PostgreSQL). It is for tests only.
package pgtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/internal/pglite"
	"github.com/attache-dev/attache/internal/postgres"
)

var (
	mu     sync.Mutex
	url    string
	pool   *pgxpool.Pool
	server *pglite.Server
	errMsg string
)

// Main runs the tests of a package that uses pgtest and stops the database afterwards.
// Call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if pool != nil {
		pool.Close()
	}
	if server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = server.Stop(ctx)
	}
	return code
}

// URL returns the URL of the shared, migrated test database, starting it on first use.
func URL(t testing.TB) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if url == "" && errMsg == "" {
		if err := start(); err != nil {
			errMsg = err.Error()
		}
	}
	if errMsg != "" {
		t.Fatalf("test database: %s", errMsg)
	}
	return url
}

// Pool returns a pool on the shared test database.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	u := URL(t)
	mu.Lock()
	defer mu.Unlock()
	if pool == nil {
		p, err := postgres.Open(context.Background(), u, Logger())
		if err != nil {
			t.Fatalf("open test database: %v", err)
		}
		pool = p
	}
	return pool
}

// Logger discards logs unless ATTACHE_TEST_LOG=1.
func Logger() *slog.Logger {
	if os.Getenv("ATTACHE_TEST_LOG") == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func start() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	u := os.Getenv("ATTACHE_TEST_DATABASE_URL")
	if u == "" {
		s, err := pglite.Start(ctx, pglite.Options{Logger: Logger()})
		if err != nil {
			return fmt.Errorf("start PGlite: %w", err)
		}
		server = s
		u = s.URL()
	}
	if _, err := postgres.Migrate(ctx, u, Logger()); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	url = u
	return nil
}
