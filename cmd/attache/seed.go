package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/conversation/pgstore"
	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/demo"
	"github.com/attache-dev/attache/knowledge/importer"
	kbstore "github.com/attache-dev/attache/knowledge/pgstore"
	shopdemo "github.com/attache-dev/attache/tools/commerce/demo"
	shopstore "github.com/attache-dev/attache/tools/commerce/pgstore"
)

// seedDemo gives a fresh embedded database a demo conversation, run through the real path
// (workflow, activities, offline engine), so that the transcript API has something to show.
// It does nothing when conversations already exist.
func seedDemo(ctx context.Context, pool *pgxpool.Pool, turns *agents.Client, logger *slog.Logger) error {
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM conversations`).Scan(&n); err != nil {
		return fmt.Errorf("count conversations: %w", err)
	}
	if n > 0 {
		return nil
	}
	store := pgstore.New(pool)
	conv, err := store.Create(ctx, conversation.NewConversation{Channel: "web", Locale: "es-MX", Market: "MX"})
	if err != nil {
		return err
	}
	for i, text := range []string{"Hola", "¿Dónde está mi pedido?"} {
		req := agents.TurnRequest{TurnID: fmt.Sprintf("seed-%d", i+1), Text: text, Locale: "es-MX"}
		if _, err := turns.SendTurn(ctx, conv.ID, req, 30*time.Second); err != nil {
			return fmt.Errorf("seed turn %d: %w", i+1, err)
		}
	}
	logger.Info("seeded a demo conversation", "conversation", conv.ID, "transcript", "/v1/conversations/"+conv.ID)
	return nil
}

// seedKnowledge imports the demo help center (knowledge/demo) into the knowledge base. It is
// idempotent: on later starts every article is unchanged.
func seedKnowledge(ctx context.Context, kb *kbstore.Store, logger *slog.Logger) (knowledge.Summary, error) {
	sum, err := knowledge.Import(ctx, kb, "demo-seed", func(emit func(knowledge.Record) error, reject func(knowledge.RowError)) error {
		return importer.WalkFS(ctx, demo.Files(), emit, reject)
	}, nil)
	if err != nil {
		return sum, fmt.Errorf("seed the demo help center: %w", err)
	}
	if sum.Rejected > 0 {
		return sum, fmt.Errorf("seed the demo help center: %d files rejected, first: %s: %s", sum.Rejected, sum.Rejections[0].Source, sum.Rejections[0].Reason)
	}
	logger.Info("demo help center ready", "created", sum.Created, "updated", sum.Updated, "unchanged", sum.Unchanged, "took", sum.Duration.Round(time.Millisecond))
	return sum, nil
}

// seedShop puts the demo shop (tools/commerce/demo) into the built-in commerce connector. It
// is idempotent and does nothing when the tools act on another shop.
func seedShop(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger) error {
	if cfg.Shop.Connector != "builtin" {
		return nil
	}
	if err := shopdemo.Seed(ctx, shopstore.New(pool, logger)); err != nil {
		return err
	}
	logger.Info("demo shop ready", "try", "Where is my order DE-10001? (lena.schmidt@example.com)")
	return nil
}
