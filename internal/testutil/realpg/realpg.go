// Package realpg gives tests a real, multi-session PostgreSQL: a throwaway cluster started
// from the operating system's server binaries (Debian's `postgresql` package, found under
// /usr/lib/postgresql/<version>/bin, newest first; else initdb and postgres on PATH). Use it
// for what PGlite (see pgtest) cannot show, because PGlite multiplexes every connection onto
// one session: LISTEN/NOTIFY between connections, row locks that really wait, statements that
// really race.
//
// It is not a replacement for pgtest: the distribution's PostgreSQL has no pgvector, so only
// tables that need no vectors can live here (ApplyMigrations strips the extension), and it is
// for tests only.
//
// One cluster serves a whole test binary. It starts on first use, keeps its data in a
// temporary directory, listens on a Unix socket there and on a free TCP port on 127.0.0.1,
// runs with fsync off, and is stopped and removed by Main (or Stop) from TestMain; if the
// test binary dies first, the kernel stops the server with it. PostgreSQL refuses to run as
// root, so under root the cluster runs as the `postgres` system user that the Debian package
// creates.
//
// Environment:
//   - ATTACHE_TEST_POSTGRES_URL: use this existing server instead of starting one; its role
//     must be allowed to create databases (NewDatabase).
//   - ATTACHE_SKIP_REALPG=1: skip, rather than fail, the tests that need a real server when
//     no server binaries are installed.
package realpg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attache-dev/attache/internal/postgres"
)

// Environment variables read by this package.
const (
	EnvURL  = "ATTACHE_TEST_POSTGRES_URL"
	EnvSkip = "ATTACHE_SKIP_REALPG"
)

var (
	mu        sync.Mutex
	serverURL string
	running   *cluster
	startErr  error
)

// Main runs the tests of a package that uses realpg and stops the cluster afterwards.
// Call it from TestMain: os.Exit(realpg.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	Stop()
	return code
}

// Stop shuts the cluster down and removes its data. It is for a TestMain that already runs
// the tests through another helper's Main (code := pgtest.Main(m); realpg.Stop()).
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if running != nil {
		running.stop()
	}
	running, serverURL, startErr = nil, "", nil
}

// URL returns the URL of the server: ATTACHE_TEST_POSTGRES_URL when set, else the
// maintenance database ("postgres", as its superuser) of the cluster, started on first use.
// Tests that create tables should rather take a database of their own from NewDatabase.
func URL(t testing.TB) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if serverURL == "" && startErr == nil {
		began := time.Now()
		serverURL, startErr = start()
		if startErr == nil && running != nil {
			t.Logf("started PostgreSQL %s in %s", running.version, time.Since(began).Round(time.Millisecond))
		}
	}
	if startErr != nil {
		failOrSkip(t, startErr)
	}
	return serverURL
}

// failOrSkip ends the test for a server that could not be had: a skip when no server is
// installed and the user said to skip, a failure otherwise.
func failOrSkip(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, errNoBinaries) && os.Getenv(EnvSkip) == "1" {
		t.Skipf("real PostgreSQL: %v (skipped: %s=1)", err, EnvSkip)
		return
	}
	t.Fatalf("real PostgreSQL: %v", err)
}

// NewDatabase creates an empty database for the calling test and returns its URL. The
// database is dropped when the test ends, with any sessions still connected to it. Each test
// gets its own, so tests may run in parallel, and NOTIFY channels (which are per database) do
// not cross between them.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := URL(t)
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	name := "attache_test_" + hex.EncodeToString(b[:])
	ident := pgx.Identifier{name}.Sanitize()
	if err := adminExec(admin, "CREATE DATABASE "+ident); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if err := adminExec(admin, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := withDatabase(admin, name)
	if err != nil {
		t.Fatalf("test database URL: %v", err)
	}
	return u
}

// ApplyMigrations creates, in databaseURL, the schema of the named embedded migrations (named
// as in NNNN_name.sql, e.g. "conversations"), in version order, with every `CREATE EXTENSION
// vector` statement removed. The SQL is read from the migrations the binary ships, so the
// test schema stays in step with them; a migration that does need vectors fails here.
func ApplyMigrations(t testing.TB, databaseURL string, names ...string) {
	t.Helper()
	all, err := postgres.Migrations()
	if err != nil {
		t.Fatalf("read migrations: %v", err)
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, m := range all {
		if !want[m.Name] {
			continue
		}
		delete(want, m.Name)
		if _, err := conn.Exec(ctx, withoutVector(m.SQL)); err != nil {
			t.Fatalf("apply migration %04d_%s without pgvector: %v", m.Version, m.Name, err)
		}
	}
	for n := range want {
		t.Fatalf("no embedded migration named %q", n)
	}
}

// createVector matches a CREATE EXTENSION statement for pgvector, with its options.
var createVector = regexp.MustCompile(`(?is)\bCREATE\s+EXTENSION\s+(IF\s+NOT\s+EXISTS\s+)?("vector"|vector\b)[^;]*;`)

// withoutVector returns sql without its CREATE EXTENSION vector statements.
func withoutVector(sql string) string {
	return createVector.ReplaceAllString(sql, "")
}

// start returns the URL of the overriding server, or of a newly started cluster.
func start() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if u := os.Getenv(EnvURL); u != "" {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			return "", fmt.Errorf("connect to %s: %w", EnvURL, err)
		}
		_ = conn.Close(ctx)
		return u, nil
	}
	bin, err := findBinDir(debianRoot, lookPath)
	if err != nil {
		return "", err
	}
	c, err := startCluster(ctx, bin)
	if err != nil {
		return "", err
	}
	running = c
	return c.url(), nil
}

// adminExec runs one statement on a fresh connection to the maintenance database.
func adminExec(admin, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// withDatabase returns the connection string u with its database replaced by name. It
// accepts both URLs and keyword/value strings.
func withDatabase(u, name string) (string, error) {
	if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		return u + " dbname=" + name, nil // the last setting of a keyword wins
	}
	p, err := url.Parse(u)
	if err != nil {
		return "", errors.New("malformed database URL") // the URL may hold a password: do not echo it
	}
	p.Path = "/" + name
	p.RawPath = ""
	return p.String(), nil
}
