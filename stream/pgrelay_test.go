package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/internal/testutil/realpg"
	"github.com/attache-dev/attache/internal/testutil/syncbuf"
)

// These tests run on a real PostgreSQL (realpg): PGlite shares one session between all
// connections, so NOTIFY between connections cannot be observed there.

func TestMain(m *testing.M) { os.Exit(realpg.Main(m)) }

func TestRelayCarriesEventsAcrossSessionsInOrderToEveryReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := realpg.NewDatabase(t)
	pub := NewPGPublisher(newPool(t, dbURL))
	// Two API replicas, each with its own hub and relay connection.
	hubs := []*Hub{NewHub(), NewHub()}
	for _, h := range hubs {
		startRelay(t, dbURL, h, nil)
		waitListening(t, pub, h)
	}
	subs := make([]*Subscription, len(hubs))
	for i, h := range hubs {
		subs[i] = h.Subscribe("conv-1")
		defer subs[i].Close()
	}
	other := hubs[0].Subscribe("conv-2")
	defer other.Close()

	const n = 200 // below subscriberBuffer, so that no subscriber is dropped
	want := make([]Event, 0, n)
	for i := range n {
		ev := TokenEvent("conv-1", "turn-1", fmt.Sprintf("tok %d — ñ, 中文, ", i))
		if i%50 == 0 {
			ev = Event{ConversationID: "conv-1", Type: TypeMessage, ID: strconv.Itoa(i), Data: json.RawMessage(`{"seq":` + strconv.Itoa(i) + `}`)}
			// Someone else's payload on the channel must not stop the relay.
			if _, err := pub.db.Exec(ctx, `SELECT pg_notify($1, 'not an event')`, notifyChannel); err != nil {
				t.Fatal(err)
			}
		}
		if err := pub.Publish(ctx, ev); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		want = append(want, ev)
	}
	for i, s := range subs {
		for j, w := range want {
			if got := receive(t, s); !sameEvent(got, w) {
				t.Fatalf("replica %d, event %d: got %s, want %s", i, j, describe(got), describe(w))
			}
		}
	}
	select {
	case ev := <-other.Events():
		t.Fatalf("another conversation's subscriber got %s", describe(ev))
	case <-time.After(50 * time.Millisecond):
	}
}

func TestRelayDeliversEventsTooLargeForNotifyWithoutTheirData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := realpg.NewDatabase(t)
	pub := NewPGPublisher(newPool(t, dbURL))
	hub := NewHub()
	startRelay(t, dbURL, hub, nil)
	waitListening(t, pub, hub)
	sub := hub.Subscribe("conv-big")
	defer sub.Close()

	tests := []struct {
		name     string
		encoded  int // size of the event as published
		wantData bool
	}{
		{"just fits", maxNotifyPayload, true},
		{"one byte over", maxNotifyPayload + 1, false},
		{"above PostgreSQL's own 8000-byte limit", 8000, false},
		{"a whole long message", 64 << 10, false},
	}
	for i, tt := range tests {
		ev := eventOfSize(t, Event{ConversationID: "conv-big", Type: TypeMessage, ID: strconv.Itoa(i + 1)}, tt.encoded)
		if err := pub.Publish(ctx, ev); err != nil {
			t.Fatalf("%s: publish: %v", tt.name, err)
		}
		got := receive(t, sub)
		if got.ID != ev.ID || got.Type != ev.Type || got.ConversationID != ev.ConversationID {
			t.Fatalf("%s: got %s, want the event %s", tt.name, describe(got), ev.ID)
		}
		if tt.wantData && !bytes.Equal(got.Data, ev.Data) {
			t.Errorf("%s: data changed on the way (%d bytes, want %d)", tt.name, len(got.Data), len(ev.Data))
		}
		if !tt.wantData && string(got.Data) != "null" {
			t.Errorf("%s: data %.40s..., want null (the stream then catches up from the store)", tt.name, got.Data)
		}
	}
}

func TestRelayReconnectsAfterItsConnectionIsTerminated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := realpg.NewDatabase(t)
	pool := newPool(t, dbURL)
	pub := NewPGPublisher(pool)
	hub := NewHub()
	var logs syncbuf.Buffer
	startRelay(t, dbURL, hub, slog.New(slog.NewTextHandler(&logs, nil)))
	waitListening(t, pub, hub)
	sub := hub.Subscribe("conv-1")
	defer sub.Close()

	publishAndExpect := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			if err := pub.Publish(ctx, TokenEvent("conv-1", "t", strconv.Itoa(i))); err != nil {
				t.Fatal(err)
			}
		}
		for i := from; i < to; i++ {
			if got, want := receive(t, sub), TokenEvent("conv-1", "t", strconv.Itoa(i)); !sameEvent(got, want) {
				t.Fatalf("got %s, want %s", describe(got), describe(want))
			}
		}
	}
	publishAndExpect(0, 10)

	for round := range 2 { // and again: the backoff must not have grown stuck
		var killed int
		err := pool.QueryRow(ctx, `
			SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN '||$1`,
			notifyChannel).Scan(&killed)
		if err != nil || killed != 1 {
			t.Fatalf("round %d: terminated %d listening sessions (%v), want 1", round, killed, err)
		}
		// Events published while the relay is away are lost (the stream catches up from
		// the store); once it is back, everything arrives again, in order.
		waitListening(t, pub, hub)
		publishAndExpect(10*(round+1), 10*(round+2))
	}
	if !strings.Contains(logs.String(), "event relay interrupted") {
		t.Errorf("no warning logged for the dropped connection; logs:\n%s", logs.String())
	}
}

// newPool opens a pool of real sessions on the database.
func newPool(t *testing.T, dbURL string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// startRelay runs Relay until the test ends and checks that it then returns promptly.
func startRelay(t *testing.T, dbURL string, hub *Hub, logger *slog.Logger) {
	t.Helper()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Relay(ctx, dbURL, hub, logger) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("relay ended with %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("relay still running 5s after its context ended")
		}
	})
}

// waitListening publishes probes until the hub's relay delivers one: Relay has no
// readiness signal, and events published before its LISTEN are not delivered.
func waitListening(t *testing.T, pub *PGPublisher, hub *Hub) {
	t.Helper()
	probes := hub.Subscribe("probe")
	defer probes.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if err := pub.Publish(context.Background(), Event{ConversationID: "probe", Type: "probe"}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-probes.Events():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatal("relay not delivering within 10s")
}

func receive(t *testing.T, s *Subscription) Event {
	t.Helper()
	select {
	case ev, ok := <-s.Events():
		if !ok {
			t.Fatal("subscription closed (dropped for falling behind?)")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return Event{}
}

// eventOfSize returns ev with string data that makes its published encoding exactly size bytes.
func eventOfSize(t *testing.T, ev Event, size int) Event {
	t.Helper()
	ev.Data = json.RawMessage(`""`)
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	ev.Data = json.RawMessage(`"` + strings.Repeat("x", size-len(b)) + `"`)
	if b, _ := json.Marshal(ev); len(b) != size {
		t.Fatalf("built an event of %d bytes, want %d", len(b), size)
	}
	return ev
}

func sameEvent(a, b Event) bool {
	return a.ConversationID == b.ConversationID && a.Type == b.Type && a.ID == b.ID && bytes.Equal(a.Data, b.Data)
}

func describe(ev Event) string {
	return fmt.Sprintf("{%s %s id=%q %.60s}", ev.ConversationID, ev.Type, ev.ID, ev.Data)
}
