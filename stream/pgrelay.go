package stream

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// notifyChannel is the PostgreSQL NOTIFY channel that carries events between processes.
const notifyChannel = "attache_events"

// maxNotifyPayload is PostgreSQL's NOTIFY payload limit (8000 bytes) less some headroom.
const maxNotifyPayload = 7900

// PGPublisher publishes events with NOTIFY. It needs a real multi-session PostgreSQL; PGlite
// shares one session between all connections, so the embedded default uses Hub directly.
type PGPublisher struct {
	db *pgxpool.Pool
}

// NewPGPublisher returns a publisher on the pool.
func NewPGPublisher(db *pgxpool.Pool) *PGPublisher { return &PGPublisher{db: db} }

// Publish sends ev to every listening process. Events too large for NOTIFY are sent without
// their data: listeners treat them as a hint to catch up from the store.
func (p *PGPublisher) Publish(ctx context.Context, ev Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	if len(b) > maxNotifyPayload {
		ev.Data = json.RawMessage(`null`)
		if b, err = json.Marshal(ev); err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
	}
	if _, err := p.db.Exec(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, string(b)); err != nil {
		return fmt.Errorf("notify event: %w", err)
	}
	return nil
}

// Relay listens on one dedicated connection and republishes every event into hub until ctx
// ends, reconnecting with backoff when the connection drops.
func Relay(ctx context.Context, databaseURL string, hub *Hub, logger *slog.Logger) error {
	const firstBackoff = 100 * time.Millisecond
	backoff := firstBackoff
	for {
		err := relayOnce(ctx, databaseURL, hub, func() { backoff = firstBackoff })
		if ctx.Err() != nil {
			return nil
		}
		logger.Warn("event relay interrupted; reconnecting", "err", err, "backoff", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// relayOnce listens until the connection fails; listening is called once LISTEN is in place.
func relayOnce(ctx context.Context, databaseURL string, hub *Hub, listening func()) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var ev Event
		if err := json.Unmarshal([]byte(n.Payload), &ev); err != nil || ev.ConversationID == "" {
			continue // not ours
		}
		_ = hub.Publish(ctx, ev)
	}
}
