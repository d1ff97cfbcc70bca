//go:build record_history

package agents

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/attache-dev/attache/internal/temporal/devserver"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
)

// recordedHistory is where TestRecordHistory writes.
const recordedHistory = "testdata/history_v2.json"

// recordedTurns is the conversation TestRecordHistory records.
var recordedTurns = []TurnRequest{
	{TurnID: "rec-1", Text: "Hello", Locale: "en-US"},
	{TurnID: "rec-2", Text: "¿Dónde está mi pedido?", Locale: "en-US"},
	{TurnID: "rec-3", Text: "W2378156", Locale: "en-US"},
	{TurnID: "rec-4", Text: "¿Hola?", Locale: "en-US"},
}

// TestRecordHistory records testdata/history_v2.json: the embedded Temporal server (in
// memory), a worker with the real activities on the test database, and the conversation of
// recordedTurns sent through Client.SendTurn. It is built only with -tags record_history
// (see replay_test.go).
func TestRecordHistory(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{Logger: pgtest.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("stop the Temporal server: %v", err)
		}
	}()
	c, err := client.DialContext(ctx, client.Options{
		HostPort: srv.HostPort(), Namespace: srv.Namespace(), Logger: tlog.NewStructuredLogger(pgtest.Logger()),
		Identity: "attache-record-history", // the default names this machine and process
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	fx := newFixture(t, "en-US")
	const taskQueue = "record-history"
	w := NewWorker(c, taskQueue, fx.acts)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	// A short idle timeout makes the history end with the workflow's completion.
	turns := &Client{Temporal: c, TaskQueue: taskQueue, IdleTimeout: 5 * time.Second}
	for i, req := range recordedTurns {
		res, err := turns.SendTurn(ctx, fx.conv, req, 20*time.Second)
		if err != nil {
			t.Fatalf("turn %s: %v", req.TurnID, err)
		}
		if wantHandoff := i >= 2; res.Handoff != wantHandoff {
			t.Fatalf("turn %s: %+v, want handoff=%v", req.TurnID, res, wantHandoff)
		}
	}
	run := c.GetWorkflow(ctx, WorkflowID(fx.conv), "")
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("workflow: %v", err)
	}

	h := &historypb.History{}
	it := c.GetWorkflowHistory(ctx, WorkflowID(fx.conv), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("read history: %v", err)
		}
		h.Events = append(h.Events, ev)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(recordedHistory), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(recordedHistory, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	checkRecording(t, recordedHistory)
	t.Logf("recorded %d events to %s", len(h.Events), recordedHistory)
}
