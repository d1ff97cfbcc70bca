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
