// Package pglite runs PGlite — PostgreSQL 18 with pgvector 0.8, compiled to WebAssembly — as a
// child node process that speaks the Postgres wire protocol on a local port. It is the
// database of the embedded default (`attache dev`) and of end-to-end tests; production uses a
// real PostgreSQL with pgvector through DATABASE_URL, and nothing there imports this package.
//
// The npm packages are pinned by deploy/pglite/package-lock.json; EnsureInstalled runs
// `npm ci` when node_modules does not match it. Node.js (with npm for the first install) must
// be on PATH.
//
// PGlite is one Postgres session: pglite-socket multiplexes every client connection onto it,
// so transactions from different connections serialize, there are no named prepared
// statements (URL sets default_query_exec_mode=cache_describe for pgx) and no cross-connection
// LISTEN/NOTIFY. pglite-socket queues each wire message on its own and keeps a connection's
// messages together only inside a transaction; a module preloaded into node
// (sticky-queue.mjs) keeps each extended-protocol exchange (Parse … Sync) together too, or
// two connections' statements interleave. Code must still be written for real concurrency;
// this package only hosts the database.
//
// # Process handling
//
// The node process runs in its own process group, so a Ctrl-C in the terminal reaches only
// our process, which stops the API and the workers first and the database last (Stop). On
// Linux the kernel sends it SIGTERM if our process dies. A data directory is locked while a
// server uses it (DataDir/attache-pglite.lock, holding our pid; the node process inherits the
// lock, so it lasts until both are gone): a second Start on it fails with ErrDataDirInUse.
// PGlite itself does not notice two servers on one directory.
//
// # Durability (checked with the pinned versions, node 20, Linux)
//
// pglite-socket's script handles SIGINT and SIGTERM identically: it stops accepting
// connections, closes PGlite (a clean Postgres shutdown; postmaster.pid is removed) and exits
// 0, in 60–90 ms when idle. So the choice of signal makes no difference; Stop sends SIGTERM
// and waits for the exit.
//
// PGlite mounts the data directory with Emscripten's NODEFS, so every write of Postgres is a
// synchronous write(2) to the real file, and with synchronous_commit=on (PGlite's setting) a
// committed transaction's WAL is in the operating system's page cache when COMMIT returns.
// A SIGKILL of node therefore loses no committed data: the next start replays the WAL
// (TestRestartKeepsCommits kills node right after 200 commits and finds every row, as it does
// after SIGTERM and SIGINT). But PGlite runs Postgres with fsync=off, and NODEFS has no fsync
// anyway, so nothing is forced to disk: a power cut or kernel crash can lose recent commits
// or corrupt the directory. Fine for development; one reason this is not a production
// database.
package pglite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/attache-dev/attache/internal/filelock"
	"github.com/jackc/pgx/v5"
)

// ErrDataDirInUse is returned by Start when another server (in this or another process) uses
// Options.DataDir.
var ErrDataDirInUse = errors.New("pglite data directory is in use")

// Options configure Start. The zero value is an in-memory database on a free port, with the
// packages found by FindPackageDir.
type Options struct {
	// PackageDir holds package.json and package-lock.json. "" = FindPackageDir
	// ($ATTACHE_PGLITE_DIR, or deploy/pglite found walking up from the working directory).
	PackageDir string
	// DataDir is PGlite's data directory, created and initialised if needed. "" keeps the
	// database in memory (tests).
	DataDir string
	// Port is the TCP port on 127.0.0.1. 0 = a free port.
	Port int
	// MaxConnections is the number of client connections pglite-socket accepts at once
	// (they share one session). Default 8.
	MaxConnections int
	// Logger receives install progress at info and the node process's output at debug.
	// Default slog.Default().
	Logger *slog.Logger
	// StartTimeout bounds the wait for node to become ready, on top of ctx (an npm install
	// before it is bounded by ctx only). Initialising a new data directory takes several
	// seconds. Default 2 minutes.
	StartTimeout time.Duration
	// StopTimeout is how long Stop waits after SIGTERM before it sends SIGKILL. Default 15 s.
	StopTimeout time.Duration
}

// Server is a running PGlite node process. Its methods are safe for concurrent use.
type Server struct {
	cmd         *exec.Cmd
	port        int
	dataDir     string
	logger      *slog.Logger
	output      *outputLog
	lock        *filelock.Lock
	stopTimeout time.Duration

	exited  chan struct{} // closed when the process has exited
	waitErr error         // the process's exit status; read after exited is closed

	stopOnce sync.Once
	stopErr  error
}

const (
	defaultMaxConnections = 8
	defaultStartTimeout   = 2 * time.Minute
	defaultStopTimeout    = 15 * time.Second
	host                  = "127.0.0.1"
	lockFileName          = "attache-pglite.lock"
	readyLine             = "PGLiteSocketServer listening on"
	// startAttempts bounds retries when a port picked as free was taken before node bound it.
	startAttempts = 3
)

// Start installs the packages if needed (EnsureInstalled), starts node and returns once the
// server accepts connections and answers SELECT 1.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("start pglite: %w", err)
	}
	if err := EnsureInstalled(ctx, opts.PackageDir, opts.Logger); err != nil {
		return nil, fmt.Errorf("start pglite: %w", err)
	}
	// The install may download for a while; the timeout covers node's start only.
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("start pglite: node is not on PATH: %s", nodeMissing)
	}

	var lock *filelock.Lock
	if opts.DataDir != "" {
		if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("start pglite: create data dir: %w", err)
		}
		// After a crash the killed process's database may still be shutting down (it gets
		// SIGTERM when its parent dies) and hold the lock for a few seconds: wait for it.
		lock, err = filelock.AcquireOrphaned(ctx, filepath.Join(opts.DataDir, lockFileName))
		if errors.Is(err, filelock.ErrLocked) {
			return nil, fmt.Errorf("start pglite: %w: %s %v", ErrDataDirInUse, opts.DataDir, err)
		}
		if err != nil {
			return nil, fmt.Errorf("start pglite: %w", err)
		}
	}

	began := time.Now()
	for attempt := 1; ; attempt++ {
		port := opts.Port
		if port == 0 {
			if port, err = freePort(); err != nil {
				break
			}
		}
		var s *Server
		s, err = launch(ctx, node, port, opts, lock)
		if err == nil {
			s.logger.Info("pglite ready", "url", s.URL(), "data_dir", opts.DataDir, "duration", time.Since(began).Round(time.Millisecond))
			return s, nil
		}
		// A port picked as free can be taken before node binds it: try another one.
		if opts.Port != 0 || attempt == startAttempts || !errors.Is(err, errAddrInUse) || ctx.Err() != nil {
			break
		}
		opts.Logger.Warn("pglite port taken, retrying with another port", "port", port, "attempt", attempt)
	}
	if lock != nil {
		_ = lock.Unlock()
	}
	return nil, fmt.Errorf("start pglite: %w", err)
}

var errAddrInUse = errors.New("address in use")

// launch starts node on port and waits for readiness; on failure the process is gone.
func launch(ctx context.Context, node string, port int, opts Options, lock *filelock.Lock) (*Server, error) {
	db := "memory://"
	if opts.DataDir != "" {
		db = opts.DataDir
	}
	preload, err := writeStickyQueue(opts.PackageDir)
	if err != nil {
		return nil, err
	}
	var args []string
	if preload != "" {
		args = append(args, "--import", preload)
	}
	args = append(args, filepath.Join(opts.PackageDir, filepath.FromSlash(serverScript)),
		"-p", strconv.Itoa(port),
		"-h", host,
		"-e", "@electric-sql/pglite-pgvector:vector",
		"-m", strconv.Itoa(opts.MaxConnections),
		"-d", db,
	)
	cmd := exec.Command(node, args...)
	cmd.Dir = opts.PackageDir
	logger := opts.Logger.With("component", "pglite", "port", port)
	out := newOutputLog(logger, readyLine)
	cmd.Stdout = out
	cmd.Stderr = out
	setProcAttr(cmd)
	if lock != nil && lock.File() != nil {
		cmd.ExtraFiles = []*os.File{lock.File()}
	}

	s := &Server{
		cmd:         cmd,
		port:        port,
		dataDir:     opts.DataDir,
		logger:      logger,
		output:      out,
		lock:        lock,
		stopTimeout: opts.StopTimeout,
		exited:      make(chan struct{}),
	}
	if err := s.run(); err != nil {
		return nil, fmt.Errorf("run node: %w", err)
	}

	fail := func(err error) (*Server, error) {
		s.kill()
		return nil, err
	}
	select {
	case <-out.ready:
	case <-s.exited:
		err := fmt.Errorf("node exited before it was ready (%v); its last output:\n%s", s.waitErr, out.tail())
		if strings.Contains(out.tail(), "EADDRINUSE") {
			err = fmt.Errorf("%w: %w", errAddrInUse, err)
		}
		return nil, err
	case <-ctx.Done():
		return fail(fmt.Errorf("not ready: %w; its last output:\n%s", ctx.Err(), out.tail()))
	}
	if err := ping(ctx, s.URL(), s.exited); err != nil {
		return fail(fmt.Errorf("listening but not answering: %w; its last output:\n%s", err, out.tail()))
	}
	return s, nil
}

// run starts the process from a goroutine locked to its OS thread, which stays alive until
// the process exits: Linux delivers Pdeathsig when the thread that forked the child exits,
// and the Go runtime may otherwise end that thread while we live on.
func (s *Server) run() error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// The thread is never unlocked: the runtime ends it with this goroutine, after the
		// child is gone.
		if err := s.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.waitErr = s.cmd.Wait()
		s.output.flush()
		close(s.exited)
	}()
	return <-started
}

// ping connects and runs SELECT 1 until it works, ctx ends or the process exits.
func ping(ctx context.Context, connURL string, exited <-chan struct{}) error {
	var last error
	for {
		last = func() error {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			conn, err := pgx.Connect(ctx, connURL)
			if err != nil {
				return err
			}
			defer conn.Close(context.Background())
			var one int
			return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
		}()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
		case <-exited:
			return fmt.Errorf("node exited (last error: %v)", last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// URL is a pgx connection string for the server, with sslmode=disable and
// default_query_exec_mode=cache_describe (PGlite shares one session between connections, so
// named prepared statements would collide).
func (s *Server) URL() string {
	q := url.Values{}
	q.Set("sslmode", "disable")
	q.Set("default_query_exec_mode", "cache_describe")
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort(host, strconv.Itoa(s.port)),
		Path:     "/postgres",
		RawQuery: q.Encode(),
	}
	return u.String()
}

// Port is the TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// Exited is closed when the node process has exited, whether by Stop or not: a dev command
// can watch it and stop when its database is gone.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Stop shuts the server down cleanly: SIGTERM, then a wait for node to close PGlite and exit,
// then SIGKILL if it has not exited within Options.StopTimeout or before ctx ends. It returns
// an error if node had to be killed or exited with a failure. Later calls return the first
// call's result.
func (s *Server) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		s.stopErr = s.stop(ctx)
		if s.lock != nil {
			if err := s.lock.Unlock(); err != nil && s.stopErr == nil {
				s.stopErr = fmt.Errorf("stop pglite: release data dir lock: %w", err)
			}
		}
	})
	return s.stopErr
}

func (s *Server) stop(ctx context.Context) error {
	select {
	case <-s.exited:
		return s.exitError("before Stop")
	default:
	}
	began := time.Now()
	if err := terminate(s.cmd.Process); err != nil {
		s.logger.Warn("pglite: cannot signal node, killing it", "error", err)
		s.kill()
		return s.exitError("")
	}
	timer := time.NewTimer(s.stopTimeout)
	defer timer.Stop()
	select {
	case <-s.exited:
		s.logger.Info("pglite stopped", "duration", time.Since(began).Round(time.Millisecond))
		return s.exitError("")
	case <-timer.C:
	case <-ctx.Done():
	}
	s.kill()
	return fmt.Errorf("stop pglite: node did not exit within %v of SIGTERM and was killed; its last output:\n%s",
		time.Since(began).Round(time.Millisecond), s.output.tail())
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *Server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// exitError describes an unsuccessful exit of node; nil for a clean one.
func (s *Server) exitError(when string) error {
	if s.waitErr == nil {
		if when != "" {
			s.logger.Warn("pglite had exited " + when)
		}
		return nil
	}
	if when != "" {
		when = " " + when
	}
	return fmt.Errorf("stop pglite: node exited%s: %w; its last output:\n%s", when, s.waitErr, s.output.tail())
}

func (o Options) withDefaults() (Options, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxConnections == 0 {
		o.MaxConnections = defaultMaxConnections
	}
	if o.MaxConnections < 0 {
		return o, fmt.Errorf("MaxConnections %d is negative", o.MaxConnections)
	}
	if o.Port < 0 || o.Port > 65535 {
		return o, fmt.Errorf("port %d out of range", o.Port)
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = defaultStartTimeout
	}
	if o.StopTimeout == 0 {
		o.StopTimeout = defaultStopTimeout
	}
	if o.PackageDir == "" {
		dir, err := FindPackageDir()
		if err != nil {
			return o, err
		}
		o.PackageDir = dir
	}
	var err error
	if o.PackageDir, err = filepath.Abs(o.PackageDir); err != nil {
		return o, fmt.Errorf("package dir: %w", err)
	}
	if o.DataDir != "" {
		if o.DataDir, err = filepath.Abs(o.DataDir); err != nil {
			return o, fmt.Errorf("data dir: %w", err)
		}
	}
	return o, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
