// Package devserver runs the real Temporal server inside the current process, persisted in a
// SQLite file, for `attache dev` and for end-to-end tests.
//
// Start brings up all four Temporal services (frontend, history, matching, worker) on free
// ports of one IP, registers the namespace, and returns once the frontend answers a client.
// Two checkouts can therefore run side by side. With Options.DataDir set, state lives in
// DataDir/temporal.db (SQLite in WAL mode): stopping and starting again on the same
// directory keeps running workflows and their timers, and so does a killed process (every
// commit is in the WAL before the server acknowledges it; only a power cut can lose the last
// ones). Without DataDir, the database is in memory and gone when the process exits.
//
// Start takes 0.1–0.3 s (in memory, on a new or on an existing database; measured on two
// busy cores with BenchmarkStart); Stop takes just over 1 s, the frontend's minimum drain
// time.
//
// Membership is static (no ringpop, so no membership ports), metrics are a no-op handler and
// pprof is off: the only ports it opens are the gRPC ports of the four services and the
// frontend's HTTP API, all picked free at start.
//
// A data directory is locked while a Server uses it (DataDir/temporal.lock, holding the pid);
// a second Start on it fails with ErrDataDirInUse.
//
// It is not for production: there, workers connect to an existing Temporal cluster or
// Temporal Cloud, and nothing imports this package. It is also not a test double: it is the
// server, with the server's limits and behaviour. Importing it adds about 150 MB to a binary,
// so only `attache dev` and end-to-end tests should.
//
// Known limits of the embedded server: the SQLite driver keeps one connection per database
// open for the life of the process (the server's own connection pool never closes them), so
// Stop releases ports and the directory lock but not that connection; a second Start on the
// same directory in the same process reuses it. Each in-memory server keeps its memory until
// the process exits.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/attache-dev/attache/internal/filelock"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/temporal"
)

// ErrDataDirInUse is returned by Start when another Server (in this or another process) uses
// Options.DataDir.
var ErrDataDirInUse = errors.New("temporal data directory is in use")

// Options configure Start. The zero value is a usable in-memory server.
type Options struct {
	// DataDir holds the SQLite database DataDir/temporal.db, created with its schema if
	// missing and reused on restart. It is created if needed. "" keeps everything in memory
	// (tests).
	DataDir string
	// Namespace is registered on start if missing, also on an existing database.
	// Default "default".
	Namespace string
	// IP is the address every service binds to. Default "127.0.0.1".
	IP string
	// Logger receives the server's logs. Default: slog.Default().
	Logger *slog.Logger
	// LogLevel is the lowest level of server logs passed to Logger. Default slog.LevelWarn:
	// the server is chatty at info. While Stop runs, the services report every request cut
	// short as a warning or an error; at warn and above those are dropped.
	LogLevel slog.Leveler
}

// Server is a running embedded Temporal server. Its methods are safe for concurrent use.
type Server struct {
	srv          temporal.Server
	hostPort     string
	httpHostPort string
	namespace    string
	logger       *slog.Logger
	level        *serverLevel
	lock         *filelock.Lock

	stopOnce sync.Once
	stopErr  error
}

const (
	defaultNamespace = "default"
	defaultIP        = "127.0.0.1"
	dbFileName       = "temporal.db"
	lockFileName     = "temporal.lock"
	// startAttempts bounds retries when a port picked as free was taken before the server
	// bound it.
	startAttempts = 3
)

// Start starts the server and returns when its frontend answers, or fails when ctx ends first.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts = opts.withDefaults()
	if net.ParseIP(opts.IP) == nil {
		return nil, fmt.Errorf("start temporal dev server: IP %q is not an IP address", opts.IP)
	}
	logger := opts.Logger.With("component", "temporal-server")

	var lock *filelock.Lock
	dbPath := ""
	if opts.DataDir != "" {
		dir, err := filepath.Abs(opts.DataDir)
		if err != nil {
			return nil, fmt.Errorf("start temporal dev server: data dir: %w", err)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("start temporal dev server: create data dir: %w", err)
		}
		lock, err = filelock.Acquire(filepath.Join(dir, lockFileName))
		if errors.Is(err, filelock.ErrLocked) {
			return nil, fmt.Errorf("start temporal dev server: %w: %s %v", ErrDataDirInUse, dir, err)
		}
		if err != nil {
			return nil, fmt.Errorf("start temporal dev server: %w", err)
		}
		dbPath = filepath.Join(dir, dbFileName)
	}
	fail := func(err error) (*Server, error) {
		if lock != nil {
			_ = lock.Unlock()
		}
		return nil, fmt.Errorf("start temporal dev server: %w", err)
	}

	began := time.Now()
	sqlCfg, err := prepareDatabase(dbPath, opts.Namespace)
	if err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	level := &serverLevel{base: opts.LogLevel}

	var (
		srv   temporal.Server
		addrs serverAddrs
	)
	for attempt := 1; ; attempt++ {
		srv, addrs, err = startServer(opts, sqlCfg, newSlogLogger(logger, level))
		if err == nil {
			break
		}
		if attempt == startAttempts || !isAddrInUse(err) || ctx.Err() != nil {
			return fail(err)
		}
		logger.Warn("temporal dev server port taken, retrying with other ports", "attempt", attempt, "error", err)
	}

	s := &Server{srv: srv, hostPort: addrs.grpc, httpHostPort: addrs.http, namespace: opts.Namespace, logger: logger, level: level, lock: lock}
	if err := waitReady(ctx, s.hostPort, opts.Namespace, logger); err != nil {
		level.stopping.Store(true)
		_ = srv.Stop()
		return fail(err)
	}
	logger.Info("temporal dev server ready",
		"address", s.hostPort, "namespace", opts.Namespace, "persistent", dbPath != "",
		"duration", time.Since(began).Round(time.Millisecond))
	return s, nil
}

// HostPort is the frontend's gRPC address, for client.Options.HostPort.
func (s *Server) HostPort() string { return s.hostPort }

// HTTPHostPort is the address of the frontend's HTTP API (Temporal's HTTP/JSON API and Nexus
// endpoints).
func (s *Server) HTTPHostPort() string { return s.httpHostPort }

// Namespace is the namespace registered at start.
func (s *Server) Namespace() string { return s.namespace }

// Stop stops all services and releases the data directory. Later calls return the first
// call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		began := time.Now()
		s.level.stopping.Store(true)
		err := s.srv.Stop()
		if s.lock != nil {
			if uerr := s.lock.Unlock(); err == nil && uerr != nil {
				err = fmt.Errorf("release data dir lock: %w", uerr)
			}
		}
		if err != nil {
			s.stopErr = fmt.Errorf("stop temporal dev server: %w", err)
			return
		}
		s.logger.Info("temporal dev server stopped", "duration", time.Since(began).Round(time.Millisecond))
	})
	return s.stopErr
}

// serverLevel is the floor for server logs: the configured level, raised above error while
// the server stops (unless it is below warn: then the caller wants everything).
type serverLevel struct {
	base     slog.Leveler
	stopping atomic.Bool
}

func (l *serverLevel) Level() slog.Level {
	base := l.base.Level()
	if l.stopping.Load() && base >= slog.LevelWarn {
		return slog.LevelError + 1
	}
	return base
}

func (o Options) withDefaults() Options {
	if o.Namespace == "" {
		o.Namespace = defaultNamespace
	}
	if o.IP == "" {
		o.IP = defaultIP
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.LogLevel == nil {
		o.LogLevel = slog.LevelWarn
	}
	return o
}

// startServer builds and starts the server on freshly picked ports. Fatal and Panic calls of
// the server's logger during start arrive here as panics and leave as errors.
func startServer(opts Options, sqlCfg *config.SQL, logger slogLogger) (srv temporal.Server, addrs serverAddrs, err error) {
	ports, err := freePorts(opts.IP, 5)
	if err != nil {
		return nil, serverAddrs{}, err
	}
	cfg := buildConfig(opts.IP, ports, sqlCfg)
	defer func() {
		if r := recover(); r != nil {
			if srv != nil {
				stopQuietly(srv)
			}
			srv = nil
			err = fmt.Errorf("server panicked while starting: %v", r)
		}
	}()
	srv, err = temporal.NewServer(cfg.serverOptions(logger)...)
	if err != nil {
		return nil, serverAddrs{}, fmt.Errorf("create server: %w", err)
	}
	if err := srv.Start(); err != nil {
		stopQuietly(srv)
		return nil, serverAddrs{}, fmt.Errorf("start services: %w", err)
	}
	return srv, serverAddrs{grpc: cfg.frontendAddr, http: cfg.httpAddr}, nil
}

// serverAddrs are the frontend's addresses.
type serverAddrs struct{ grpc, http string }

// stopQuietly stops a server that failed to start; what is left of it may panic on Stop.
func stopQuietly(srv temporal.Server) {
	defer func() { _ = recover() }()
	_ = srv.Stop()
}

// freePorts returns n distinct ports that were free on ip a moment ago.
func freePorts(ip string, n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return nil, fmt.Errorf("find a free port on %s: %w", ip, err)
		}
		// Keep each listener open until all are picked, so that no port is handed out twice.
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func isAddrInUse(err error) bool {
	return strings.Contains(err.Error(), "address already in use")
}

// waitReady dials the frontend until it answers a health check and knows the namespace.
func waitReady(ctx context.Context, hostPort, namespace string, logger *slog.Logger) error {
	const poll = 50 * time.Millisecond
	var last error
	for {
		last = probe(ctx, hostPort, namespace, logger)
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("frontend %s not ready: %w (last error: %v)", hostPort, ctx.Err(), last)
		case <-time.After(poll):
		}
	}
}

func probe(ctx context.Context, hostPort, namespace string, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  hostPort,
		Namespace: namespace,
		Logger:    sdklog.NewStructuredLogger(slog.New(floorHandler{Handler: logger.Handler(), floor: slog.LevelWarn})),
	})
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	if _, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace}); err != nil {
		return fmt.Errorf("describe namespace %s: %w", namespace, err)
	}
	return nil
}
