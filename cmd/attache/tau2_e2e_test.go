package main

// The τ²-retail set type end to end: a scripted customer (a local OpenAI-protocol stub
// standing in for the simulator model) talks to the offline engine on the embedded stack,
// and the attempts are scored against the ground truth.

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/agents/model/openai"
	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/evals/tau2"
	"github.com/attache-dev/attache/internal/testutil/openaistub"
	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
)

// tau2Zip finds the attempt's ZIP+4 postal code in the simulator's prompt.
var tau2Zip = regexp.MustCompile(`\b\d{5}-\d{4}\b`)

// tau2Customer plays the customers of two train tasks as a perfect simulator would, for the
// offline engine (which asks for an order number and an e-mail): it reads the attempt's names
// from its prompt and, for what the task's customer would know but the prompt does not say,
// from the shop. It answers by the number of messages it has written so far.
func tau2Customer(t *testing.T, shop *pgstore.Store) func(openaistub.ChatRequest) (openaistub.Reply, bool) {
	return func(req openaistub.ChatRequest) (openaistub.Reply, bool) {
		prompt := req.Messages[0].Text()
		turn := 0
		for _, m := range req.Messages {
			if m.Role == "assistant" {
				turn++
			}
		}
		first, last := "Sofia", "Hernandez"
		if strings.Contains(prompt, "Yusuf Taylor") {
			first, last = "Yusuf", "Taylor"
		}
		c, err := shop.FindCustomer(context.Background(), commerce.CustomerQuery{FirstName: first, LastName: last, Zip: tau2Zip.FindString(prompt)})
		if err != nil {
			t.Errorf("the simulator's prompt names no customer of the attempt: %v\n%s", err, prompt)
			return openaistub.Reply{Text: tau2.MarkerOutOfScope}, true
		}
		var script []string
		if first == "Sofia" {
			// Task 24: cancel the grill, then change one's mind when asked to confirm.
			script = []string{"Hi, I'd like to cancel my order " + c.OrderIDs[0] + ", the grill.", c.Email,
				"Hmm, no, I have changed my mind. I want to keep it."}
		} else {
			// Task 59: cancel the older order, then move the other one to a new address.
			script = []string{"Hello. Please cancel my order " + c.OrderIDs[2] + ", I no longer need it.", c.Email,
				"Yes, please cancel it.", "Next, change the shipping address of my order " + c.OrderIDs[0] + ".",
				"1234 Elm St, Springfield, IL, 62701", "Yes, that's right."}
		}
		if turn < len(script) {
			return openaistub.Reply{Text: script[turn]}, true
		}
		return openaistub.Reply{Text: tau2.MarkerStop}, true
	}
}

func TestTau2RetailOfflineAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded stack")
	}
	st := stack(t)
	shop := pgstore.New(st.pool, st.logger)
	sim := openaistub.New(t)
	sim.Respond(tau2Customer(t, shop))
	m, err := openai.New(openai.Config{BaseURL: sim.URL(), APIKey: "stub", Model: "customer-stub", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	set, err := evals.LoadSet("../../evals/sets/tau2-retail.yaml")
	if err != nil {
		t.Fatal(err)
	}
	runner := &evals.Runner{Driver: newEvalDriver(st, st.cfg, st.logger), Tau2: tau2.Player{Simulator: m}, Repeat: 2, Parallel: 2,
		Filter: func(_, id string) bool { return id == "task-24" || id == "task-59" }}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	run, err := runner.Run(ctx, []*evals.Set{set})
	if err != nil {
		t.Fatal(err)
	}
	// The simulated customer knows the attempt's names only.
	for _, req := range sim.Requests() {
		if p := req.Messages[0].Text(); strings.Contains(p, "#W2702727") || strings.Contains(p, "#W8268610") || !tau2Zip.MatchString(p) {
			t.Errorf("the simulator's prompt has the task's own names:\n%s", p)
		}
	}
	if len(run.Sets) != 1 || !run.Sets[0].Runnable || len(run.Cases) != 2 {
		t.Fatalf("sets %+v, %d cases: want the set runnable with the two cases", run.Sets, len(run.Cases))
	}
	checks := func(a evals.Attempt) map[string]evals.Check {
		out := map[string]evals.Check{}
		for _, c := range a.Checks {
			out[c.Name] = c
		}
		return out
	}
	for _, res := range run.Cases {
		if len(res.Attempts) != 2 {
			t.Fatalf("%s: %d attempts, want 2 (%s: %s)", res.ID, len(res.Attempts), res.Status, res.Reason)
		}
		for _, a := range res.Attempts {
			if a.Error != "" {
				t.Fatalf("%s attempt %d: %s", res.ID, a.N, a.Error)
			}
			for _, l := range a.Transcript {
				t.Logf("%s attempt %d: [%d] %s: %s", res.ID, a.N, l.Turn, l.Author, l.Text)
			}
			for _, tc := range a.ToolCalls {
				t.Logf("%s attempt %d: tool %s %s → %s", res.ID, a.N, tc.Name, tc.Args, tc.Outcome)
			}
			for _, c := range a.Checks {
				t.Logf("%s attempt %d: %s %v: want %s; got %s", res.ID, a.N, c.Name, c.Passed, c.Want, c.Got)
			}
			cs := checks(a)
			if !cs["conversation end"].Passed || !cs["disclosure"].Passed || !cs["taboo"].Passed {
				t.Errorf("%s attempt %d: %+v", res.ID, a.N, a.Checks)
			}
			if len(a.Transcript) < 4 {
				t.Errorf("%s attempt %d: transcript of %d lines", res.ID, a.N, len(a.Transcript))
			}
		}
		switch res.ID {
		case "task-24":
			// Nothing to write: the customer declined the cancellation, the state is the
			// ground truth's.
			if res.Status != evals.StatusPassed {
				for _, a := range res.Attempts {
					t.Errorf("task-24 attempt %d: %+v\n%+v", a.N, a.Checks, a.Transcript)
				}
			}
			for _, a := range res.Attempts {
				for _, tc := range a.ToolCalls {
					if tc.Name == "cancel_pending_order" && tc.Outcome == "ok" {
						t.Errorf("task-24 attempt %d cancelled: %+v", a.N, tc)
					}
				}
			}
		case "task-59":
			// The cancellation is the ground truth's, on each attempt's own copy. The address
			// change is scored twice, by its call and by the final state, and the two agree
			// (the offline engine reads no US state from an address today, so both fail).
			var cancelled []string
			for _, a := range res.Attempts {
				cs := checks(a)
				if !cs["action cancel_pending_order"].Passed {
					t.Errorf("task-59 attempt %d: cancel %+v", a.N, cs["action cancel_pending_order"])
				}
				addr, final := cs["action modify_pending_order_address"], cs["final state"]
				if addr.Passed != final.Passed || a.Passed != final.Passed {
					t.Errorf("task-59 attempt %d: passed %v, address %+v, final state %+v", a.N, a.Passed, addr, final)
				}
				if !final.Passed && (!strings.Contains(final.Got, "order #W2702727 address") || strings.Contains(final.Got, "#W8268610")) {
					t.Errorf("task-59 attempt %d: final state differs in\n%s\nwant the address of #W2702727 only", a.N, final.Got)
				}
				for _, tc := range a.ToolCalls {
					if tc.Name == "cancel_pending_order" && tc.Outcome == "ok" {
						var args struct {
							OrderID string `json:"order_id"`
						}
						_ = json.Unmarshal(tc.Args, &args)
						cancelled = append(cancelled, args.OrderID)
					}
				}
			}
			if len(cancelled) != 2 || cancelled[0] == cancelled[1] {
				t.Errorf("task-59: cancelled %v, want one order per attempt, each its own copy", cancelled)
			}
		}
	}
}
