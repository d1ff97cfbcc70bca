package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/internal/postgres"
	kbstore "github.com/attache-dev/attache/knowledge/pgstore"
	"github.com/attache-dev/attache/policy/historycodec"
	"github.com/attache-dev/attache/stream"
)

func runMigrate(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	n, err := postgres.Migrate(ctx, cfg.DatabaseURL, logger)
	if err != nil {
		return err
	}
	logger.Info("database is up to date", "applied", n)
	return migrateRegions(ctx, cfg, logger)
}

// runServe runs the API. Live events come from the workers through PostgreSQL NOTIFY
// (ATTACHE_EVENTS=postgres) unless everything runs in one process.
func runServe(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	ln, err := listen(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	defer ln.Close()
	pool, tc, st, err := connect(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	defer st.close()
	defer tc.Close()

	hub := stream.NewHub()
	g, gctx := errgroup.WithContext(ctx)
	if cfg.Events == "postgres" {
		g.Go(func() error { return stream.Relay(gctx, cfg.DatabaseURL, hub, logger) })
	}
	kb, err := newKnowledge(ctx, cfg, pool, logger)
	if err != nil {
		return err
	}
	turns := &agents.Client{Temporal: tc, TaskQueue: cfg.TaskQueue, MaxMessageChars: cfg.MaxMessageChars}
	srv := startHTTP(ln, newAPI(cfg, logger, pool, tc, hub, turns, kb, kbstore.NewFiller(ctx, kb, logger), st), logger)
	logger.Info("serving", "url", srv.URL())
	g.Go(func() error {
		<-gctx.Done()
		return srv.Shutdown(10 * time.Second)
	})
	return g.Wait()
}

// runWorker runs the Temporal worker. Its live events go out through PostgreSQL NOTIFY.
func runWorker(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	pool, tc, st, err := connect(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	defer st.close()
	defer tc.Close()
	var events stream.Publisher = stream.NewHub() // nobody listens in a worker-only process
	if cfg.Events == "postgres" {
		events = stream.NewPGPublisher(pool)
	}
	acts, kb, err := newActivities(ctx, cfg, pool, st, events, logger)
	if err != nil {
		return err
	}
	go kb.CompleteVectors(ctx, logger)
	go st.watchTaboo(ctx, logger)
	go monitorRollout(ctx, st.rollout, logger)
	w := agents.NewWorker(tc, cfg.TaskQueue, acts)
	if err := startRetention(ctx, w, tc, cfg.TaskQueue, st); err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	logger.Info("worker running", "task_queue", cfg.TaskQueue, "llm", cfg.LLM.Provider)
	<-ctx.Done()
	w.Stop()
	return nil
}

// connect opens the database pool, the regions' databases, the Temporal client (sealing
// history with each conversation's key) and the stores of a production part.
func connect(ctx context.Context, cfg config.Config, logger *slog.Logger) (*pgxpool.Pool, client.Client, *stores, error) {
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, logger)
	if err != nil {
		return nil, nil, nil, err
	}
	st, tc, err := openStores(ctx, cfg, pool, cfg.MasterKey, func(codec *historycodec.Codec) (client.Client, error) {
		return dialTemporal(ctx, cfg.TemporalAddress, cfg.TemporalNamespace, codec, logger)
	}, logger)
	if err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	return pool, tc, st, nil
}
