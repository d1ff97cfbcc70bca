package agents

// The replay test guards the workflow's determinism. testdata/history_v1.json is the history
// of a real conversation recorded on the embedded Temporal server with the real activities:
// a greeting, a question about an order, the order number (a handoff), and a message after
// the handoff that the AI leaves to the human; then the idle timeout completes the workflow.
// Replaying it against the current workflow code fails when a change would break running
// conversations (activities reordered, added or removed, timers changed, ...). Such a change
// needs workflow.GetVersion, not a new recording.
//
// To record a history (only for a new version of the workflow; keep the old files so that
// their conversations keep replaying — change recordedHistory to a new name first):
//
//	ATTACHE_RECORD_HISTORY=1 go test -run TestRecordHistory ./agents/

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
	"go.temporal.io/sdk/worker"

	"github.com/attache-dev/attache/internal/temporal/devserver"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
)

// recordedHistory is where TestRecordHistory writes.
const recordedHistory = "testdata/history_v1.json"

// recordedTurns is the conversation TestRecordHistory records.
var recordedTurns = []TurnRequest{
	{TurnID: "rec-1", Text: "Hello", Locale: "en-US"},
	{TurnID: "rec-2", Text: "¿Dónde está mi pedido?", Locale: "en-US"},
	{TurnID: "rec-3", Text: "W2378156", Locale: "en-US"},
	{TurnID: "rec-4", Text: "¿Hola?", Locale: "en-US"},
}

func TestReplayRecordedHistories(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/history_v*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in testdata (%v)", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			checkRecording(t, file)
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(ConversationWorkflow, workflowOptions)
			if err := r.ReplayWorkflowHistoryFromJSONFile(tlog.NewStructuredLogger(pgtest.Logger()), file); err != nil {
				t.Fatalf("the workflow code no longer replays %s (a running conversation would fail "+
					"the same way; use workflow.GetVersion for the change): %v", file, err)
			}
		})
	}
}

// checkRecording makes sure the file holds the conversation it is meant to: a replay of an
// empty or truncated history would prove nothing.
func checkRecording(t *testing.T, file string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := client.HistoryFromJSON(f, 0)
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	events := h.GetEvents()
	if len(events) == 0 {
		t.Fatalf("%s holds no events", file)
	}
	if typ := events[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowType().GetName(); typ != WorkflowName {
		t.Fatalf("%s starts workflow type %q, want %q", file, typ, WorkflowName)
	}
	if last := events[len(events)-1].GetEventType(); last != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
		t.Fatalf("%s ends with %v, want the workflow's completion", file, last)
	}
	activities := map[string]int{}
	updates := 0
	for _, ev := range events {
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			activities[ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()]++
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			updates++
		}
	}
	// Four turns; the last one after the handoff, when the AI does not answer.
	if updates != 4 || activities["SaveInbound"] != 4 || activities["Respond"] != 3 {
		t.Fatalf("%s: %d completed updates, activities %v; want 4 updates, 4 SaveInbound, 3 Respond", file, updates, activities)
	}
}

// TestRecordHistory records testdata/history_v1.json: the embedded Temporal server (in
// memory), a worker with the real activities on the test database, and the conversation of
// recordedTurns sent through Client.SendTurn. It runs only with ATTACHE_RECORD_HISTORY=1.
func TestRecordHistory(t *testing.T) {
	if os.Getenv("ATTACHE_RECORD_HISTORY") != "1" {
		t.Skip("set ATTACHE_RECORD_HISTORY=1 to record " + recordedHistory)
	}
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
	turns := &Client{Temporal: c, TaskQueue: taskQueue, IdleTimeout: 2 * time.Second}
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
