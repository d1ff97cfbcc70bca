package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/commerce"
	shopstore "github.com/attache-dev/attache/tools/commerce/pgstore"
)

// benchToolQueue is the task queue of BenchmarkToolCall's own worker.
const benchToolQueue = "bench-tools"

// benchToolWorkflow runs the same tool call n times, each as its own activity, exactly as
// the conversation workflow runs a tool call.
func benchToolWorkflow(ctx workflow.Context, inv tools.Invocation, n int) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	for range n {
		var r tools.Result
		if err := workflow.ExecuteActivity(ctx, "RunTool", inv).Get(ctx, &r); err != nil {
			return err
		}
		if r.Outcome != tools.OK {
			return fmt.Errorf("tool call: %s %s", r.Outcome, r.Reason)
		}
	}
	return nil
}

// BenchmarkToolCall measures what a tool call costs on top of the connector call it makes:
// reading an order straight from the built-in store (the baseline), the same read through
// the tool (argument decoding, the identity check, the result as JSON), and through the tool
// as its own Temporal activity scheduled by a workflow (the way the agent calls it). The
// activity figure is per call: a workflow runs the call 20 times, and a workflow that runs
// it 0 times is subtracted.
func BenchmarkToolCall(b *testing.B) {
	s := stack(b)
	ctx := context.Background()
	shop := shopstore.New(s.pool, s.logger)
	lena, err := shop.FindCustomer(ctx, commerce.CustomerQuery{Email: "lena.schmidt@example.com"})
	if err != nil {
		b.Fatalf("demo customer: %v", err)
	}
	tool, ok := s.acts.Tools.Tool("get_order_details")
	if !ok {
		b.Fatal("no get_order_details tool")
	}
	inv := tools.Invocation{Call: tools.Call{Name: "get_order_details", Args: json.RawMessage(`{"order_id":"DE-10001"}`)},
		ConversationID: "bench", Market: "DE", Locale: "de-DE", Identity: tools.Identity{CustomerID: lena.ID, Method: "email"}}

	w := worker.New(s.tc, benchToolQueue, worker.Options{})
	w.RegisterWorkflow(benchToolWorkflow)
	w.RegisterActivity(s.acts)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	const perWorkflow = 20
	runWF := func(n int) time.Duration {
		start := time.Now()
		run, err := s.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: benchToolQueue}, benchToolWorkflow, inv, n)
		if err != nil {
			b.Fatal(err)
		}
		if err := run.Get(ctx, nil); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}

	n := max(b.N, 20)
	b.ResetTimer()
	direct := latencies(b, n, func(int) {
		if _, err := shop.Order(ctx, "DE-10001"); err != nil {
			b.Fatal(err)
		}
	})
	viaTool := latencies(b, n, func(int) {
		if r, err := tool.Run(ctx, inv); err != nil || r.Outcome != tools.OK {
			b.Fatalf("tool: %v %+v", err, r)
		}
	})
	rounds := max(n/perWorkflow, 3)
	empty := latencies(b, rounds, func(int) { runWF(0) })
	full := latencies(b, rounds, func(int) { runWF(perWorkflow) })
	b.StopTimer()
	activity := (pct(full, 0.5) - pct(empty, 0.5)) / perWorkflow
	b.ReportMetric(ms(pct(direct, 0.5)), "connector-p50-ms")
	b.ReportMetric(ms(pct(viaTool, 0.5)), "tool-p50-ms")
	b.ReportMetric(ms(activity), "activity-ms/call")
	b.ReportMetric(float64(pct(viaTool, 0.5))/float64(pct(direct, 0.5)), "ratio-tool")
	b.ReportMetric(float64(activity)/float64(pct(direct, 0.5)), "ratio-activity")
	b.ReportMetric(0, "ns/op")
}
