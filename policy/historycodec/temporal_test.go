package historycodec

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/temporal/devserver"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

const (
	testCard  = "4111 1111 1111 1111"
	testEmail = "jane.doe@example.com"
)

// echoWorkflow takes customer text, waits for one "note" update (customer text too), hands
// both to an activity and returns its reply: every kind of payload a conversation has.
func echoWorkflow(ctx workflow.Context, text string) (string, error) {
	var note string
	if err := workflow.SetUpdateHandler(ctx, "note", func(ctx workflow.Context, n string) (string, error) {
		note = n
		return "noted: " + n, nil
	}); err != nil {
		return "", err
	}
	if err := workflow.Await(ctx, func() bool { return note != "" }); err != nil {
		return "", err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	var reply string
	if err := workflow.ExecuteActivity(ctx, replyActivity, text+" / "+note).Get(ctx, &reply); err != nil {
		return "", err
	}
	// A failure whose message quotes the customer: it is recorded in history too.
	if err := workflow.ExecuteActivity(ctx, checkActivity, note).Get(ctx, nil); err != nil {
		reply += " (check failed)"
	}
	return reply, nil
}

func replyActivity(_ context.Context, text string) (string, error) {
	return "we received: " + text, nil
}

func checkActivity(_ context.Context, note string) error {
	return temporal.NewNonRetryableApplicationError("cannot deliver to "+note, "Undeliverable", nil)
}

// TestHistoryHoldsNoPlaintextAndShreds runs a workflow on the real (embedded) Temporal server
// with the codec, reads the raw history through a client without it, and checks that the
// customer's card number and email appear in no event, that every payload is sealed under
// the workflow's key, and that after Shred none of them opens.
func TestHistoryHoldsNoPlaintextAndShreds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	began := time.Now()
	srv, err := devserver.Start(ctx, devserver.Options{Logger: pgtest.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("stop the Temporal server: %v", err)
		}
	}()
	codec := newCodec(t, Options{})
	dial := func(dc bool) client.Client {
		t.Helper()
		opts := client.Options{
			HostPort: srv.HostPort(), Namespace: srv.Namespace(),
			Logger: tlog.NewStructuredLogger(pgtest.Logger()), Identity: "historycodec-test",
		}
		if dc {
			opts.DataConverter = DataConverter(codec)
			opts.FailureConverter = FailureConverter(codec)
		}
		c, err := client.DialContext(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}
	sealed, raw := dial(true), dial(false)

	const taskQueue = "historycodec-test"
	w := worker.New(sealed, taskQueue, worker.Options{})
	w.RegisterWorkflow(echoWorkflow)
	w.RegisterActivity(replyActivity)
	w.RegisterActivity(checkActivity)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	t.Logf("%s: server and worker up", time.Since(began))
	wf := newWorkflowID()
	run, err := sealed.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wf, TaskQueue: taskQueue},
		echoWorkflow, "my card is "+testCard)
	if err != nil {
		t.Fatal(err)
	}
	h, err := sealed.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: wf, UpdateName: "note", Args: []any{"write to " + testEmail},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		t.Fatal(err)
	}
	var noted, reply string
	if err := h.Get(ctx, &noted); err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, &reply); err != nil {
		t.Fatal(err)
	}
	if want := "we received: my card is " + testCard + " / write to " + testEmail + " (check failed)"; reply != want {
		t.Fatalf("workflow result %q, want %q", reply, want)
	}

	// The raw history, as anyone with access to the Temporal cluster sees it.
	var payloads []*commonpb.Payload
	events := 0
	it := raw.GetWorkflowHistory(ctx, wf, run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		events++
		b, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{testCard, strings.ReplaceAll(testCard, " ", ""), testEmail, "jane.doe"} {
			if bytes.Contains(b, []byte(plain)) {
				t.Errorf("event %d (%s) holds %q in the clear", ev.GetEventId(), ev.GetEventType(), plain)
			}
		}
		payloads = append(payloads, collectPayloads(ev.ProtoReflect())...)
	}
	t.Logf("%s: %d events, %d payloads", time.Since(began), events, len(payloads))
	// Workflow input, update argument and result, two activities' arguments, a result, a
	// failure's message and stack, the workflow's result.
	if len(payloads) < 8 {
		t.Fatalf("%d payloads in %d events, want at least 8", len(payloads), events)
	}
	for _, p := range payloads {
		if got := string(p.GetMetadata()[MetadataKeyID]); !isEncrypted(p) || got != wf {
			t.Errorf("payload in history: encoding %q, key %q; want %q under the workflow's key",
				p.GetMetadata()["encoding"], got, EncodingEncrypted)
		}
	}
	opened, err := newCodec(t, Options{}).Decode(payloads)
	if err != nil {
		t.Fatalf("decode the history's payloads: %v", err)
	}
	var all []byte
	for _, p := range opened {
		all = append(all, p.GetData()...)
	}
	if !bytes.Contains(all, []byte(testCard)) || !bytes.Contains(all, []byte(testEmail)) {
		t.Errorf("decoded history lacks the customer's text: %s", all)
	}

	// Erasure: shred the workflow's key. History still holds the payloads; nobody can read them.
	if err := codec.Shred(ctx, wf); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*Codec{"shredding codec": codec, "fresh codec": newCodec(t, Options{})} {
		for i, p := range payloads {
			if _, err := c.Decode([]*commonpb.Payload{p}); !errors.Is(err, ErrShredded) {
				t.Errorf("%s: payload %d after Shred: %v, want ErrShredded", name, i, err)
			}
		}
	}
	// And nothing new goes into the erased workflow's history.
	_, err = sealed.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wf, TaskQueue: taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE}, echoWorkflow, "again "+testCard)
	t.Logf("%s: restart refused: %v", time.Since(began), err)
	if !errors.Is(err, ErrShredded) {
		t.Errorf("restart of an erased workflow: %v, want ErrShredded", err)
	}
}

// collectPayloads returns every temporal.api.common.v1.Payload inside m.
func collectPayloads(m protoreflect.Message) []*commonpb.Payload {
	if p, ok := m.Interface().(*commonpb.Payload); ok {
		return []*commonpb.Payload{p}
	}
	var out []*commonpb.Payload
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := range l.Len() {
				out = append(out, collectPayloads(l.Get(i).Message())...)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				out = append(out, collectPayloads(mv.Message())...)
				return true
			})
		case fd.Message() != nil && !fd.IsMap():
			out = append(out, collectPayloads(v.Message())...)
		}
		return true
	})
	return out
}
