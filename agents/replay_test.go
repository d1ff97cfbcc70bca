package agents

// The replay test guards the workflow's determinism. testdata/history_v1.json is the history
// of a real conversation recorded on the embedded Temporal server with the real activities:
// a greeting, a question about an order, the order number (a handoff), and a message after
// the handoff that the AI leaves to the human; then the idle timeout completes the workflow.
// testdata/history_v2.json is the same conversation after the handoff desk came: the
// handoff is opened at the desk (behind the "desk-handoff" version marker).
// Replaying it against the current workflow code fails when a change would break running
// conversations (activities reordered, added or removed, timers changed, ...). Such a change
// needs workflow.GetVersion, not a new recording.
//
// To record a history (only for a new version of the workflow; keep the old files so that
// their conversations keep replaying — change recordedHistory in record_test.go first):
//
//	go test -tags record_history -run TestRecordHistory ./agents/
//
// The recorder is behind a build tag rather than an environment variable because it links
// the Temporal server: without the tag the package's test binary stays small and quick to
// build, and fuzzing does not instrument the whole server.

import (
	"os"
	"path/filepath"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
)

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
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
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
