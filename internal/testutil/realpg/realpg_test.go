package realpg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestFindBinDirPicksTheNewestCompleteVersion(t *testing.T) {
	noPath := func(string) (string, error) { return "", errors.New("not found") }
	tests := []struct {
		name     string
		versions map[string][]string // version directory → programs in its bin/
		pathBin  []string            // programs in a directory on PATH
		want     string              // version directory, "path", or "" for errNoBinaries
	}{
		{"newest by number, not by text", map[string][]string{"9.6": {"initdb", "postgres"}, "15": {"initdb", "postgres"}, "17": {"initdb", "postgres"}}, nil, "17"},
		{"a client-only version is passed over", map[string][]string{"15": {"initdb", "postgres"}, "16": {"psql"}}, nil, "15"},
		{"stray directories are ignored", map[string][]string{"15": {"initdb", "postgres"}, "extra": {"initdb", "postgres"}}, nil, "15"},
		{"PATH when the Debian layout is absent", nil, []string{"initdb", "postgres"}, "path"},
		{"initdb without postgres beside it is not enough", nil, []string{"initdb"}, ""},
		{"nothing installed", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "postgresql")
			for v, progs := range tt.versions {
				writePrograms(t, filepath.Join(root, v, "bin"), progs)
			}
			look := noPath
			pathDir := filepath.Join(t.TempDir(), "bin")
			if tt.pathBin != nil {
				writePrograms(t, pathDir, tt.pathBin)
				look = func(name string) (string, error) {
					if p := filepath.Join(pathDir, name); isExecutable(p) {
						return p, nil
					}
					return "", errors.New("not found")
				}
			}
			got, err := findBinDir(root, look)
			switch tt.want {
			case "":
				if !errors.Is(err, errNoBinaries) || !strings.Contains(err.Error(), "apt-get install postgresql") {
					t.Fatalf("got %q, %v; want an error that names apt-get install postgresql", got, err)
				}
			case "path":
				if err != nil || got != pathDir {
					t.Fatalf("got %q, %v; want %q", got, err, pathDir)
				}
			default:
				if want := filepath.Join(root, tt.want, "bin"); err != nil || got != want {
					t.Fatalf("got %q, %v; want %q", got, err, want)
				}
			}
		})
	}
}

func writePrograms(t *testing.T, dir string, names []string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMissingServerFailsUnlessSkipped(t *testing.T) {
	initdbFailed := errors.New("initdb: exit status 1")
	tests := []struct {
		name      string
		err       error
		skipEnv   string
		wantSkip  bool
		wantInMsg string
	}{
		{"not installed", errNoBinaries, "", false, "apt-get install postgresql"},
		{"not installed, skip asked", errNoBinaries, "1", true, EnvSkip + "=1"},
		{"installed but broken, skip asked", initdbFailed, "1", false, "initdb: exit status 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvSkip, tt.skipEnv)
			r := &recorder{TB: t}
			failOrSkip(r, tt.err)
			if got := r.skipped != ""; got != tt.wantSkip || (r.failed != "") == tt.wantSkip {
				t.Fatalf("skipped %q, failed %q; want skip=%v", r.skipped, r.failed, tt.wantSkip)
			}
			if msg := r.skipped + r.failed; !strings.Contains(msg, tt.wantInMsg) {
				t.Fatalf("message %q does not say %q", msg, tt.wantInMsg)
			}
		})
	}
}

// recorder records how a test would have ended instead of ending it.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Skipf(format string, args ...any)  { r.skipped = fmt.Sprintf(format, args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func TestWithoutVectorRemovesOnlyThePgvectorExtension(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CREATE EXTENSION IF NOT EXISTS vector;\nCREATE TABLE t (id int);", "\nCREATE TABLE t (id int);"},
		{"create extension vector;", ""},
		{`CREATE EXTENSION IF NOT EXISTS "vector" WITH SCHEMA public;`, ""},
		{"CREATE  EXTENSION\n  vector\n  VERSION '0.8.0';x", "x"},
		{"CREATE EXTENSION IF NOT EXISTS pg_trgm;", "CREATE EXTENSION IF NOT EXISTS pg_trgm;"},
		{"CREATE EXTENSION IF NOT EXISTS vectors;", "CREATE EXTENSION IF NOT EXISTS vectors;"},
		{"CREATE TABLE e (v vector(3));", "CREATE TABLE e (v vector(3));"},
	}
	for _, tt := range tests {
		if got := withoutVector(tt.in); got != tt.want {
			t.Errorf("withoutVector(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5433/x?sslmode=disable"},
		{"postgresql://u:p%40ss@db.internal/", "postgresql://u:p%40ss@db.internal/x"},
		{"host=/run/postgresql dbname=postgres", "host=/run/postgresql dbname=postgres dbname=x"},
	}
	for _, tt := range tests {
		got, err := withDatabase(tt.in, "x")
		if err != nil || got != tt.want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if cfg, err := pgx.ParseConfig(got); err != nil || cfg.Database != "x" {
			t.Errorf("%q does not select database x: %v", got, err)
		}
	}
}

func TestServerHasConcurrentSessions(t *testing.T) {
	ctx := context.Background()
	u := NewDatabase(t)
	a, b := connect(t, u), connect(t, u)

	var pidA, pidB int
	if err := a.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pidA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pidB); err != nil {
		t.Fatal(err)
	}
	if pidA == pidB {
		t.Fatalf("two connections share backend %d", pidA)
	}

	// A row lock held by one session makes the other wait: NOWAIT fails instead.
	mustExec(t, a, `CREATE TABLE counter (id int PRIMARY KEY, n int)`)
	mustExec(t, a, `INSERT INTO counter VALUES (1, 0)`)
	txA, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback(ctx) //nolint:errcheck // rolled back on purpose
	if _, err := txA.Exec(ctx, `SELECT n FROM counter WHERE id = 1 FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	_, err = b.Exec(ctx, `SELECT n FROM counter WHERE id = 1 FOR UPDATE NOWAIT`)
	if err == nil || !strings.Contains(err.Error(), "55P03") {
		t.Fatalf("second session locked a row the first holds: %v", err)
	}

	// A notification sent by one session reaches a listener on another, on commit only.
	mustExec(t, b, `LISTEN probe`)
	if _, err := txA.Exec(ctx, `SELECT pg_notify('probe', 'rolled back')`); err != nil {
		t.Fatal(err)
	}
	if err := txA.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	mustExec(t, a, `SELECT pg_notify('probe', 'hello')`)
	n, err := b.WaitForNotification(ctx)
	if err != nil || n.Payload != "hello" || int(n.PID) != pidA {
		t.Fatalf("notification %+v, %v", n, err)
	}
}

func TestNewDatabaseIsolatesTestsAndIsDroppedAfterwards(t *testing.T) {
	ctx := context.Background()
	var name string
	t.Run("inner", func(t *testing.T) {
		u := NewDatabase(t)
		other := NewDatabase(t)
		c := connect(t, u)
		mustExec(t, c, `CREATE TABLE only_here (id int)`)
		if err := c.QueryRow(ctx, `SELECT current_database()`).Scan(&name); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := connect(t, other).QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("table visible in another test's database: %d, %v", n, err)
		}
		// A session still open at the end must not keep the database alive.
		if _, err := pgx.Connect(ctx, u); err != nil {
			t.Fatal(err)
		}
	})
	var exists bool
	if err := connect(t, URL(t)).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if name == "" || exists {
		t.Fatalf("database %q still exists after its test", name)
	}
}

func TestApplyMigrationsCreatesTheConversationTables(t *testing.T) {
	u := NewDatabase(t)
	ApplyMigrations(t, u, "conversations")
	var tables []string
	rows, err := connect(t, u).Query(context.Background(), `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tables, ",") != "conversations,messages,participants" {
		t.Fatalf("tables %v", tables)
	}
}

func connect(t *testing.T, u string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func mustExec(t *testing.T, c *pgx.Conn, sql string) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
