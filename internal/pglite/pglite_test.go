package pglite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/filelock"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// These tests run the real node process with the pinned packages of deploy/pglite (installing
// them with npm ci first if node_modules is missing).

func requireNode(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH: these tests run the real PGlite server; install Node.js 20+ to run them")
	}
}

// testLogger writes warnings and errors to stderr (node's output, at debug, is not shown).
func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger()
	}
	began := time.Now()
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("pglite ready on port %d in %v (data dir: %t)", s.Port(), time.Since(began).Round(time.Millisecond), opts.DataDir != "")
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return s
}

func connect(t *testing.T, s *Server) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL())
	if err != nil {
		t.Fatalf("connect %s: %v", s.URL(), err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func exec1(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestVectorSearchInMemory(t *testing.T) {
	requireNode(t)
	t.Parallel()
	s := start(t, Options{})
	conn := connect(t, s)
	ctx := context.Background()

	var pgVersion string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&pgVersion); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pgVersion, "18") {
		t.Errorf("server_version %q, want PostgreSQL 18", pgVersion)
	}
	exec1(t, conn, "CREATE EXTENSION IF NOT EXISTS vector")
	var vecVersion string
	if err := conn.QueryRow(ctx, "SELECT extversion FROM pg_extension WHERE extname = 'vector'").Scan(&vecVersion); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(vecVersion, "0.8.") {
		t.Errorf("pgvector %q, want 0.8.x", vecVersion)
	}

	exec1(t, conn, "CREATE TABLE passages (id int PRIMARY KEY, body text, embedding vector(3))")
	exec1(t, conn, "CREATE INDEX ON passages USING hnsw (embedding vector_cosine_ops)")
	rows := []struct {
		id   int
		body string
		emb  string
	}{
		{1, "refund policy", "[1,0,0]"},
		{2, "parcel tracking", "[0,1,0]"},
		{3, "cash on delivery", "[0,0,1]"},
	}
	for _, r := range rows {
		exec1(t, conn, "INSERT INTO passages VALUES ($1, $2, $3::vector)", r.id, r.body, r.emb)
	}
	var nearest string
	if err := conn.QueryRow(ctx, "SELECT body FROM passages ORDER BY embedding <=> $1::vector LIMIT 1", "[0.1,0.9,0.2]").Scan(&nearest); err != nil {
		t.Fatal(err)
	}
	if nearest != "parcel tracking" {
		t.Errorf("nearest passage %q, want %q", nearest, "parcel tracking")
	}
}

// TestConcurrentConnections runs parameterised queries from a pool of several connections at
// once: they share PGlite's one session, which works with the URL's cache_describe mode.
func TestConcurrentConnections(t *testing.T) {
	requireNode(t)
	t.Parallel()
	s := start(t, Options{MaxConnections: 4})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := pgxpool.ParseConfig(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "CREATE TABLE hits (worker int, n int)"); err != nil {
		t.Fatal(err)
	}
	const workers, each = 4, 25
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for n := range each {
				if _, err := pool.Exec(ctx, "INSERT INTO hits VALUES ($1, $2)", w, n); err != nil {
					errs <- fmt.Errorf("worker %d: %w", w, err)
					return
				}
				var got int
				if err := pool.QueryRow(ctx, "SELECT count(*) FROM hits WHERE worker = $1", w).Scan(&got); err != nil {
					errs <- fmt.Errorf("worker %d: %w", w, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var total int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM hits").Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total != workers*each {
		t.Errorf("%d rows, want %d", total, workers*each)
	}
}

// TestRestartKeepsCommits commits rows on a data directory, ends the server in each of the
// ways it can end, starts a new one on the directory and counts the rows.
func TestRestartKeepsCommits(t *testing.T) {
	requireNode(t)
	t.Parallel()
	tests := []struct {
		name string
		end  func(t *testing.T, s *Server)
	}{
		{"Stop (SIGTERM)", func(t *testing.T, s *Server) {
			if err := s.Stop(context.Background()); err != nil {
				t.Fatalf("Stop: %v", err)
			}
		}},
		{"SIGINT", func(t *testing.T, s *Server) {
			if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			<-s.Exited()
			if s.waitErr != nil {
				t.Errorf("node exited with %v after SIGINT, want a clean exit", s.waitErr)
			}
			if err := s.Stop(context.Background()); err != nil {
				t.Errorf("Stop after node exited cleanly: %v", err)
			}
		}},
		{"SIGKILL right after COMMIT", func(t *testing.T, s *Server) {
			if err := s.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-s.Exited()
			if err := s.Stop(context.Background()); err == nil || !strings.Contains(err.Error(), "killed") {
				t.Errorf("Stop after SIGKILL: error %v, want one saying node was killed", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "pgdata")
			opts := Options{DataDir: dir, Logger: testLogger()}
			began := time.Now()
			s, err := Start(context.Background(), opts)
			if err != nil {
				t.Fatalf("Start on a new data dir: %v", err)
			}
			t.Logf("first start (initdb) %v", time.Since(began).Round(time.Millisecond))
			conn, err := pgx.Connect(context.Background(), s.URL())
			if err != nil {
				_ = s.Stop(context.Background())
				t.Fatal(err)
			}
			const rows = 200
			for _, sql := range []string{
				"CREATE EXTENSION vector",
				"CREATE TABLE notes (id int PRIMARY KEY, body text, embedding vector(2))",
			} {
				if _, err := conn.Exec(context.Background(), sql); err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			for i := range rows {
				if _, err := conn.Exec(context.Background(), "INSERT INTO notes VALUES ($1, $2, '[1,2]')", i, "note "+strconv.Itoa(i)); err != nil {
					t.Fatalf("insert %d: %v", i, err)
				}
			}
			_ = conn.Close(context.Background())
			tc.end(t, s)

			again := start(t, opts)
			var got int
			if err := connect(t, again).QueryRow(context.Background(), "SELECT count(*) FROM notes").Scan(&got); err != nil {
				t.Fatalf("count after restart: %v", err)
			}
			if got != rows {
				t.Errorf("%d rows after restart, want %d", got, rows)
			}
		})
	}
}

func TestDataDirInUse(t *testing.T) {
	requireNode(t)
	t.Parallel()
	dir := t.TempDir()
	start(t, Options{DataDir: dir})
	_, err := Start(context.Background(), Options{DataDir: dir, Logger: testLogger()})
	if !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("second Start on the same dir: error %v, want ErrDataDirInUse", err)
	}
	if want := fmt.Sprintf("pid %d", os.Getpid()); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the holder (%s)", err, want)
	}
}

func TestStopIsIdempotent(t *testing.T) {
	requireNode(t)
	t.Parallel()
	s, err := Start(context.Background(), Options{Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := s.Stop(context.Background()); err != nil {
			t.Errorf("Stop #%d: %v", i+1, err)
		}
	}
	select {
	case <-s.Exited():
	default:
		t.Fatal("node still running after Stop")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, s.URL()); err == nil {
		_ = conn.Close(ctx)
		t.Error("server still accepts connections after Stop")
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	s := &Server{port: 54321}
	cfg, err := pgx.ParseConfig(s.URL())
	if err != nil {
		t.Fatalf("pgx cannot parse %q: %v", s.URL(), err)
	}
	if cfg.Host != "127.0.0.1" || cfg.Port != 54321 || cfg.User != "postgres" || cfg.Database != "postgres" {
		t.Errorf("URL %q parses to %s@%s:%d/%s", s.URL(), cfg.User, cfg.Host, cfg.Port, cfg.Database)
	}
	if cfg.TLSConfig != nil {
		t.Errorf("URL %q asks for TLS", s.URL())
	}
	if cfg.DefaultQueryExecMode != pgx.QueryExecModeCacheDescribe {
		t.Errorf("URL %q: exec mode %v, want cache_describe", s.URL(), cfg.DefaultQueryExecMode)
	}
}

// TestEarlyExitShowsOutput runs a stand-in server script that fails the way node does when
// it cannot start, and expects its output in the error.
func TestEarlyExitShowsOutput(t *testing.T) {
	requireNode(t)
	t.Parallel()
	pkg := fakePackage(t, `console.log("Initializing PGLite with database: /nowhere");
console.error("Error: EACCES: permission denied, mkdir '/nowhere'");
process.exit(3);`)
	dir := t.TempDir()
	_, err := Start(context.Background(), Options{PackageDir: pkg, DataDir: dir, Logger: testLogger()})
	if err == nil {
		t.Fatal("Start succeeded with a server that exits at once")
	}
	for _, want := range []string{"exited before it was ready", "exit status 3", "EACCES: permission denied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// The failed start released the data directory.
	l, err := filelock.Acquire(filepath.Join(dir, lockFileName))
	if err != nil {
		t.Fatalf("data dir still locked after a failed start: %v", err)
	}
	_ = l.Unlock()
}

// fakePackage makes a package directory whose server script is script, marked as installed.
func fakePackage(t *testing.T, script string) string {
	t.Helper()
	dir := t.TempDir()
	lock := []byte(`{"name":"fake","lockfileVersion":3,"packages":{"":{}}}`)
	writeFile(t, filepath.Join(dir, lockFile), lock)
	writeFile(t, filepath.Join(dir, filepath.FromSlash(serverScript)), []byte(script))
	writeFile(t, filepath.Join(dir, modulesDir, stampFile), []byte(lockHash(lock)+"\n"))
	return dir
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

const childEnv = "PGLITE_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		s, err := Start(context.Background(), Options{Logger: testLogger()})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		fmt.Println(s.cmd.Process.Pid)
		select {}
	}
	os.Exit(m.Run())
}

// BenchmarkStart measures Start until SELECT 1 answers — in memory (initdb every time), on a
// new data directory (initdb) and on one initialised before (a restart of `attache dev`) —
// and reports the time Stop takes as stop-ms/op.
func BenchmarkStart(b *testing.B) {
	if _, err := exec.LookPath("node"); err != nil {
		b.Skip("node is not on PATH")
	}
	tests := []struct {
		name     string
		existing bool
		dir      func(b *testing.B) string
	}{
		{"memory", false, func(*testing.B) string { return "" }},
		{"new data dir", false, func(b *testing.B) string { return b.TempDir() }},
		{"existing data dir", true, func(b *testing.B) string {
			dir := b.TempDir()
			s, err := Start(context.Background(), Options{DataDir: dir, Logger: testLogger()})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Stop(context.Background()); err != nil {
				b.Fatal(err)
			}
			return dir
		}},
	}
	for _, tc := range tests {
		b.Run(tc.name, func(b *testing.B) {
			var stopping time.Duration
			dir := ""
			if tc.existing {
				dir = tc.dir(b)
			}
			b.ResetTimer()
			for range b.N {
				if !tc.existing {
					b.StopTimer()
					dir = tc.dir(b)
					b.StartTimer()
				}
				s, err := Start(context.Background(), Options{DataDir: dir, Logger: testLogger()})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				began := time.Now()
				if err := s.Stop(context.Background()); err != nil {
					b.Fatal(err)
				}
				stopping += time.Since(began)
				b.StartTimer()
			}
			b.ReportMetric(float64(stopping.Milliseconds())/float64(b.N), "stop-ms/op")
		})
	}
}

// TestConnectionsDoNotInterleaveExchanges: connections that each describe new statements
// (pgx's cache_describe sends Parse, Describe, Sync, then Parse, Bind, Execute, Sync) while
// another runs transactions all get their own statement's answer. Without the sticky queue
// pglite-socket interleaves the messages of different connections, and a Bind meets
// another connection's statement: "unnamed prepared statement does not exist", or a wrong
// answer.
func TestConnectionsDoNotInterleaveExchanges(t *testing.T) {
	requireNode(t)
	t.Parallel()
	s := start(t, Options{MaxConnections: 8})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg, err := pgxpool.ParseConfig(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "CREATE TABLE tx_hits (n int)"); err != nil {
		t.Fatal(err)
	}
	const workers, each = 6, 40
	errs := make(chan error, workers+1)
	for w := range workers {
		go func() {
			for n := range each {
				// A statement text of its own: every call describes it first.
				k := w*1000 + n
				var got int
				sql := fmt.Sprintf("SELECT $1::int + %d AS v, '%d' AS tag", k, k)
				var tag string
				if err := pool.QueryRow(ctx, sql, w).Scan(&got, &tag); err != nil {
					errs <- fmt.Errorf("worker %d, query %d: %w", w, n, err)
					return
				}
				if got != w+k || tag != strconv.Itoa(k) {
					errs <- fmt.Errorf("worker %d, query %d: got %d/%s, want %d/%d: another connection's answer", w, n, got, tag, w+k, k)
					return
				}
			}
			errs <- nil
		}()
	}
	go func() {
		for n := range each {
			if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO tx_hits VALUES ($1)", n)
				return err
			}); err != nil {
				errs <- fmt.Errorf("transaction %d: %w", n, err)
				return
			}
		}
		errs <- nil
	}()
	for range workers + 1 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
