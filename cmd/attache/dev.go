package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/internal/pglite"
	"github.com/attache-dev/attache/internal/postgres"
	"github.com/attache-dev/attache/internal/temporal/devserver"
	kbstore "github.com/attache-dev/attache/knowledge/pgstore"
	"github.com/attache-dev/attache/policy/historycodec"
	"github.com/attache-dev/attache/staff"
	"github.com/attache-dev/attache/stream"
)

// devStack is the whole service on the embedded default, in one process.
type devStack struct {
	cfg      config.Config
	logger   *slog.Logger
	pg       *pglite.Server
	temporal *devserver.Server
	pool     *pgxpool.Pool
	tc       client.Client
	worker   worker.Worker
	hub      *stream.Hub
	kb       *kbstore.Store
	acts     *agents.Activities
	filler   *kbstore.Filler    // completes vectors after API imports
	stopFill context.CancelFunc // also ends the taboo packs' watch and the rollout monitor
	watching chan struct{}      // closed when the watch has ended
	runtime  string             // the runtime file other commands read, removed at stop
	turns    *agents.Client
	http     *httpServer
	admin    devAdmin
	stores   *stores
	codec    *historycodec.Codec // seals what goes into Temporal history
}

// startDev starts PGlite and the Temporal server, migrates, starts the worker and the API.
// On error, whatever was started is stopped again.
func startDev(ctx context.Context, cfg config.Config, logger *slog.Logger) (_ *devStack, err error) {
	ln, err := listen(cfg.HTTPAddr)
	if err != nil {
		return nil, err
	}
	s := &devStack{cfg: cfg, logger: logger, hub: stream.NewHub()}
	defer func() {
		if err != nil {
			ln.Close()
			s.stop()
		}
	}()
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("ATTACHE_DATA_DIR: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("ATTACHE_DATA_DIR: create %s: %w", cfg.DataDir, err)
	}

	started := time.Now()
	s.pg, err = pglite.Start(ctx, pglite.Options{DataDir: filepath.Join(dataDir, "pglite"), Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("start embedded Postgres (PGlite): %w", err)
	}
	logger.Info("embedded Postgres ready", "engine", "PGlite", "took", time.Since(started).Round(time.Millisecond))

	started = time.Now()
	s.temporal, err = devserver.Start(ctx, devserver.Options{
		DataDir: dataDir, Namespace: cfg.TemporalNamespace, Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded Temporal server: %w", err)
	}
	logger.Info("embedded Temporal ready", "address", s.temporal.HostPort(), "took", time.Since(started).Round(time.Millisecond))

	if _, err := postgres.Migrate(ctx, s.pg.URL(), logger); err != nil {
		return nil, err
	}
	if s.pool, err = postgres.Open(ctx, s.pg.URL(), logger); err != nil {
		return nil, err
	}
	master := cfg.MasterKey
	if master == nil {
		if master, err = devMasterKey(dataDir); err != nil {
			return nil, err
		}
	}
	// dev keeps every conversation in its one embedded database.
	if len(cfg.Regions) > 0 {
		logger.Warn("ATTACHE_REGIONS is ignored by dev: every conversation stays in the embedded database")
		cfg.Regions = nil
	}
	if s.stores, s.tc, err = openStores(ctx, cfg, s.pool, master, func(codec *historycodec.Codec) (client.Client, error) {
		return dialTemporal(ctx, s.temporal.HostPort(), s.temporal.Namespace(), codec, logger)
	}, logger); err != nil {
		return nil, err
	}
	s.codec = s.stores.codec
	if s.acts, s.kb, err = newActivities(ctx, cfg, s.pool, s.stores, s.hub, logger); err != nil {
		return nil, err
	}
	s.worker = agents.NewWorker(s.tc, cfg.TaskQueue, s.acts)
	if err := startRetention(ctx, s.worker, s.tc, cfg.TaskQueue, s.stores); err != nil {
		return nil, err
	}
	if err := s.worker.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	// The filler outlives ctx (which may only bound the start) and ends with stop.
	var fillCtx context.Context
	fillCtx, s.stopFill = context.WithCancel(context.Background())
	s.filler = kbstore.NewFiller(fillCtx, s.kb, logger)
	s.watching = make(chan struct{})
	go func() {
		defer close(s.watching)
		var monitor sync.WaitGroup
		monitor.Go(func() { monitorRollout(fillCtx, s.stores.rollout, logger) })
		s.stores.watchTaboo(fillCtx, logger)
		monitor.Wait()
	}()
	if s.admin, err = ensureDevAdmin(ctx, staff.New(s.pool, logger), dataDir, logger); err != nil {
		return nil, err
	}
	s.turns = &agents.Client{Temporal: s.tc, TaskQueue: cfg.TaskQueue, MaxMessageChars: cfg.MaxMessageChars}
	s.http = startHTTP(ln, newAPI(cfg, logger, s.pool, s.tc, s.hub, s.turns, s.kb, s.filler, s.stores), logger)
	s.runtime = runtimeFile(dataDir)
	ri, _ := json.Marshal(runtimeInfo{DatabaseURL: s.pg.URL(), HTTPURL: s.http.URL(), PID: os.Getpid()})
	if err := os.WriteFile(s.runtime, ri, 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", s.runtime, err)
	}
	return s, nil
}

// stop shuts everything down in reverse order: no new requests, no new work, then storage.
func (s *devStack) stop() {
	if s.runtime != "" {
		_ = os.Remove(s.runtime)
	}
	if s.http != nil {
		if err := s.http.Shutdown(10 * time.Second); err != nil {
			s.logger.Warn("http shutdown", "err", err)
		}
	}
	if s.stores != nil && s.stores.evals != nil {
		s.stores.evals.stop()
	}
	if s.stopFill != nil {
		s.stopFill()
		s.filler.Wait()
		<-s.watching
	}
	if s.worker != nil {
		s.worker.Stop()
	}
	if s.tc != nil {
		s.tc.Close()
	}
	if s.temporal != nil {
		if err := s.temporal.Stop(); err != nil {
			s.logger.Warn("temporal shutdown", "err", err)
		}
	}
	if s.pool != nil {
		s.pool.Close()
	}
	if s.pg != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := s.pg.Stop(ctx); err != nil {
			s.logger.Warn("pglite shutdown", "err", err)
		}
	}
}

func runDev(ctx context.Context, cfg config.Config, logger *slog.Logger, stdout io.Writer) error {
	s, err := startDev(ctx, cfg, logger)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
	defer s.stop()
	s.kb.CompleteVectors(ctx, logger) // a database from before a change of embedding model
	if cfg.Seed {
		if _, err := seedKnowledge(ctx, s.kb, logger); err != nil {
			logger.Warn("demo knowledge not seeded", "err", err)
		}
		if err := seedShop(ctx, cfg, s.pool, logger); err != nil {
			logger.Warn("demo shop not seeded", "err", err)
		}
		if err := seedDemo(ctx, s.pool, s.turns, logger); err != nil {
			logger.Warn("demo data not seeded", "err", err)
		}
	}
	fmt.Fprintf(stdout, "\n  Attaché is running.\n\n  Web chat:  %s/\n  Console:   %s/console/knowledge  (sign in as %s, password in %s)\n"+
		"  API:       %s/v1/openapi.json\n  Staff API: an admin API key is in %s\n"+
		"             curl -H \"Authorization: Bearer $(cat %s)\" %s/v1/auth/me\n  Data:      %s\n\n  Press Ctrl-C to stop.\n\n",
		s.http.URL(), s.http.URL(), s.admin.Email, s.admin.PasswordFile, s.http.URL(), s.admin.TokenFile, s.admin.TokenFile, s.http.URL(), cfg.DataDir)
	select {
	case <-ctx.Done():
	case <-s.http.done:
		return fmt.Errorf("http server: %w", s.http.err)
	case <-s.pg.Exited():
		return errors.New("the embedded Postgres (PGlite) exited unexpectedly; its output is in the log above")
	}
	logger.Info("shutting down")
	return nil
}
