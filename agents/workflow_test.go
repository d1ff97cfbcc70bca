package agents

// Workflow logic in Temporal's test environment (no server, a mock clock that skips idle
// time) with the real activities on the real store and the offline engine: what a
// conversation stores and answers is checked in PostgreSQL, not in mock expectations.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/stream"
)

// wfEnv is a test environment running the conversation workflow for one fixture.
type wfEnv struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	fx    *fixture
	start time.Time
}

func newWFEnv(t *testing.T, fx *fixture) *wfEnv {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(pgtest.Logger()))
	env := suite.NewTestWorkflowEnvironment()
	// The default (3 s of wall time without progress) is short for activities on PGlite.
	env.SetTestTimeout(30 * time.Second)
	// The test environment aborts a workflow task that takes over 1 s of wall time (its
	// deadlock detector); on 2 busy cores the first task of a turn can.
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
	Register(env, fx.acts)
	return &wfEnv{t: t, env: env, fx: fx}
}

// outcome is what the sender of one Update saw.
type outcome struct {
	accepted, done bool
	rejected       error
	result         TurnResult
	err            error
}

// send delivers a send-message Update. updateID is what Temporal deduplicates on (the API
// uses the turn ID); passing another ID with the same TurnID reproduces a retry that the
// server no longer deduplicates, as after continue-as-new. Call it from a delayed callback.
func (w *wfEnv) send(updateID string, req TurnRequest) *outcome {
	return w.update(UpdateSendMessage, updateID, req)
}

// update delivers any Update of the workflow and records what its sender saw. Call it
// from a delayed callback.
func (w *wfEnv) update(name, updateID string, arg any) *outcome {
	o := &outcome{}
	w.env.UpdateWorkflow(name, updateID, &testsuite.TestUpdateCallback{
		OnAccept: func() { o.accepted = true },
		OnReject: func(err error) { o.rejected, o.done = err, true },
		OnComplete: func(v any, err error) {
			o.err, o.done = err, true
			if r, ok := v.(TurnResult); ok {
				o.result = r
			}
		},
	}, arg)
	return o
}

// at runs f at offset d of the mock clock (0 = as soon as the workflow started).
func (w *wfEnv) at(d time.Duration, f func()) { w.env.RegisterDelayedCallback(f, d) }

// run executes the workflow to its end: the idle timeout, or continue-as-new.
func (w *wfEnv) run(in WorkflowInput) {
	w.t.Helper()
	if in.ConversationID == "" {
		in.ConversationID = w.fx.conv
	}
	w.start = w.env.Now()
	w.env.ExecuteWorkflow(WorkflowName, in)
	if !w.env.IsWorkflowCompleted() {
		w.t.Fatal("workflow did not complete")
	}
}

func (w *wfEnv) state() State {
	w.t.Helper()
	st, err := queryState(w)
	if err != nil {
		w.t.Fatalf("query state: %v", err)
	}
	return st
}

// queryState is state for delayed callbacks, which must not stop the test.
func queryState(w *wfEnv) (State, error) {
	v, err := w.env.QueryWorkflow(QueryState)
	if err != nil {
		return State{}, err
	}
	var st State
	err = v.Get(&st)
	return st, err
}

// completed fails the test unless the Update was accepted and completed without error.
func completed(t *testing.T, name string, o *outcome) TurnResult {
	t.Helper()
	switch {
	case !o.done:
		t.Fatalf("turn %s: no outcome", name)
	case o.rejected != nil:
		t.Fatalf("turn %s rejected: %v", name, o.rejected)
	case o.err != nil:
		t.Fatalf("turn %s failed: %v", name, o.err)
	case !o.accepted:
		t.Fatalf("turn %s completed without being accepted", name)
	}
	return o.result
}

// byID indexes a transcript by message ID.
func byID(msgs []conversation.Message) map[string]conversation.Message {
	m := make(map[string]conversation.Message, len(msgs))
	for _, msg := range msgs {
		m[msg.ID] = msg
	}
	return m
}

// Invalid UTF-8 is not in this table because it cannot reach the validator: the JSON
// payload converter turns it into U+FFFD on the way. Client.SendTurn (and the API) refuse
// it before it is sent; TestSendTurnRefusesBadInputBeforeTemporal covers that.
func TestValidatorRejectsBadTurnsAndStoresNothing(t *testing.T) {
	fx := newFixture(t, "en")
	w := newWFEnv(t, fx)
	tests := []struct {
		name   string
		req    TurnRequest
		reason string
	}{
		{"empty text", TurnRequest{TurnID: "t-empty", Text: ""}, "text: empty"},
		{"blank text", TurnRequest{TurnID: "t-blank", Text: " \t\n\u00a0\u3000"}, "text: empty"},
		{"oversized text", TurnRequest{TurnID: "t-big", Text: strings.Repeat("é", 41)}, "longer than 40 characters"},
		{"NUL character", TurnRequest{TurnID: "t-nul", Text: "a\x00b"}, "NUL"},
		{"missing turn ID", TurnRequest{Text: "Hello"}, "turn_id: required"},
		{"turn ID with a newline", TurnRequest{TurnID: "t\n1", Text: "Hello"}, "turn_id"},
	}
	outs := make([]*outcome, len(tests))
	var good *outcome
	w.at(0, func() {
		for i, tt := range tests {
			outs[i] = w.send(fmt.Sprint("u-", i), tt.req)
		}
		// The workflow goes on serving after refusing bad input.
		good = w.send("t-good", TurnRequest{TurnID: "t-good", Text: "Hello", Locale: "en"})
	})
	w.run(WorkflowInput{MaxMessageChars: 40, IdleTimeout: time.Hour})

	for i, tt := range tests {
		o := outs[i]
		if o.rejected == nil || o.accepted {
			t.Errorf("%s: accepted=%v rejected=%v, want a rejection", tt.name, o.accepted, o.rejected)
			continue
		}
		if !strings.Contains(o.rejected.Error(), tt.reason) {
			t.Errorf("%s: rejected with %q, want it to say %q", tt.name, o.rejected, tt.reason)
		}
	}
	res := completed(t, "t-good", good)
	msgs := fx.transcript(t)
	if len(msgs) != 2 || msgs[0].TurnID != "t-good" || msgs[1].TurnID != "t-good" {
		t.Fatalf("transcript after rejected turns: %+v, want only t-good's message and reply", msgs)
	}
	if len(res.MessageIDs) != 2 || res.MessageIDs[0] != msgs[0].ID || res.MessageIDs[1] != msgs[1].ID {
		t.Fatalf("result %+v does not name the stored messages %s, %s", res, msgs[0].ID, msgs[1].ID)
	}
}

func TestDuplicateTurnReturnsTheFirstResultAndStoresNothingTwice(t *testing.T) {
	fx := newFixture(t, "de-DE")
	w := newWFEnv(t, fx)
	req := TurnRequest{TurnID: "turn-1", Text: "Hallo, wo ist meine Bestellung?", Locale: "de-DE"}
	var first, queued, later, changed *outcome
	w.at(0, func() {
		first = w.send("u-1", req)
		// Sent while the first is running: it waits for the turn lock, then finds the turn done.
		queued = w.send("u-2", req)
	})
	w.at(time.Minute, func() {
		later = w.send("u-3", req)
		// A retry is identified by its turn ID alone; what it carries is not run again.
		changed = w.send("u-4", TurnRequest{TurnID: "turn-1", Text: "Danke", Locale: "de-DE"})
	})
	w.run(WorkflowInput{IdleTimeout: time.Hour})

	want := completed(t, "first", first)
	if len(want.MessageIDs) != 2 {
		t.Fatalf("first attempt: %+v, want the customer's message and a reply", want)
	}
	for name, o := range map[string]*outcome{"queued duplicate": queued, "later retry": later, "retry with other text": changed} {
		if got := completed(t, name, o); !slices.Equal(got.MessageIDs, want.MessageIDs) || got.Handoff != want.Handoff {
			t.Errorf("%s got %+v, want the first result %+v", name, got, want)
		}
	}
	if msgs := fx.transcript(t); len(msgs) != 2 {
		t.Fatalf("transcript has %d messages, want 2 (one turn, stored once): %+v", len(msgs), msgs)
	}
	if st := w.state(); st.CompletedTurns != 1 || st.TurnsThisRun != 1 {
		t.Fatalf("state %+v, want one completed turn", st)
	}
}

func TestConcurrentTurnsRunOneAtATimeInArrivalOrder(t *testing.T) {
	fx := newFixture(t, "")
	w := newWFEnv(t, fx)
	texts := []string{"Hello", "Bonjour", "Hola", "Danke", "Obrigado"}
	outs := make([]*outcome, len(texts))
	// All five arrive in one workflow task. The test environment runs activities on
	// goroutines, so without the workflow's turn lock the turns would interleave.
	w.at(0, func() {
		for i, text := range texts {
			outs[i] = w.send(fmt.Sprint("c-", i), TurnRequest{TurnID: fmt.Sprint("c-", i), Text: text})
		}
	})
	w.run(WorkflowInput{IdleTimeout: time.Hour})

	// A burst: every message is stored in arrival order, and the burst gets one answer, the
	// last turn's, after all of them.
	msgs := fx.transcript(t)
	if len(msgs) != len(texts)+1 {
		t.Fatalf("transcript has %d messages, want %d: %+v", len(msgs), len(texts)+1, msgs)
	}
	for i := range texts {
		res := completed(t, fmt.Sprint("c-", i), outs[i])
		c := msgs[i]
		if c.TurnID != fmt.Sprint("c-", i) || c.Author != conversation.AuthorCustomer || c.Text != texts[i] {
			t.Fatalf("transcript position %d: %s %s %q; want turn c-%d's message\n%+v", i, c.TurnID, c.Author, c.Text, i, msgs)
		}
		last := i == len(texts)-1
		if want := []string{c.ID}; !last && (!slices.Equal(res.MessageIDs, want) || !res.Coalesced) {
			t.Errorf("turn c-%d result %+v, want its message only, coalesced", i, res)
		}
		if ai := msgs[len(texts)]; last && (!slices.Equal(res.MessageIDs, []string{c.ID, ai.ID}) || ai.Author != conversation.AuthorAI || ai.TurnID != c.TurnID) {
			t.Errorf("the last turn's result %+v, reply %+v: want the burst's one answer", res, ai)
		}
	}
}

func TestOrderNumberFillsTheSlotHandsOffInTheSameLanguageThenTheAIStaysSilent(t *testing.T) {
	fx := newFixture(t, "en-US")
	w := newWFEnv(t, fx)
	sub := fx.hub.Subscribe(fx.conv)
	tokens := map[string]string{} // turn ID → streamed text
	streamed := make(chan struct{})
	go func() {
		defer close(streamed)
		for ev := range sub.Events() {
			if ev.Type == stream.TypeToken {
				var d struct {
					TurnID string `json:"turn_id"`
					Delta  string `json:"delta"`
				}
				if err := json.Unmarshal(ev.Data, &d); err == nil {
					tokens[d.TurnID] += d.Delta
				}
			}
		}
	}()

	turns := []TurnRequest{
		{TurnID: "t-hello", Text: "Hello", Locale: "en-US"},
		{TurnID: "t-where", Text: "¿Dónde está mi pedido?", Locale: "en-US"},
		{TurnID: "t-number", Text: "W2378156", Locale: "en-US"},
		{TurnID: "t-after", Text: "¿Hola?", Locale: "en-US"},
	}
	outs := make([]*outcome, len(turns))
	states := make([]State, len(turns))
	errs := make([]error, len(turns))
	for i, req := range turns {
		w.at(time.Duration(i)*time.Minute, func() { outs[i] = w.send(req.TurnID, req) })
		// Half a minute later the turn is done (the mock clock stands still while activities run).
		w.at(time.Duration(i)*time.Minute+30*time.Second, func() { states[i], errs[i] = queryState(w) })
	}
	w.run(WorkflowInput{IdleTimeout: time.Hour})
	sub.Close()
	<-streamed

	msgs := fx.transcript(t)
	stored := byID(msgs)
	replyOf := func(i int) conversation.Message {
		t.Helper()
		res := completed(t, turns[i].TurnID, outs[i])
		if len(res.MessageIDs) != 2 {
			t.Fatalf("turn %s: %+v, want the customer's message and an AI reply", turns[i].TurnID, res)
		}
		m, ok := stored[res.MessageIDs[1]]
		if !ok || m.Author != conversation.AuthorAI {
			t.Fatalf("turn %s: reply %s not stored as an AI message: %+v", turns[i].TurnID, res.MessageIDs[1], m)
		}
		if errs[i] != nil {
			t.Fatalf("state after %s: %v", turns[i].TurnID, errs[i])
		}
		return m
	}

	hello := replyOf(0)
	if hello.Lang != "en" || hello.Intent != "greeting" || hello.Handoff || !strings.Contains(hello.Text, "AI") {
		t.Errorf("reply to Hello: %+v, want an English greeting that discloses the AI", hello)
	}
	where := replyOf(1)
	if where.Lang != "es" || where.Intent != "track_order" || where.Handoff || !strings.Contains(strings.ToLower(where.Text), "pedido") {
		t.Errorf("reply to ¿Dónde está mi pedido?: %+v, want a Spanish question for the order number", where)
	}
	if st := states[1]; st.PendingIntent != "track_order" || st.Handoff {
		t.Errorf("state after the question: %+v, want track_order pending", st)
	}
	number := replyOf(2)
	if number.Lang != "es" || !number.Handoff || number.Intent != "track_order" || !strings.Contains(number.Text, "W2378156") {
		t.Errorf("reply to the bare order number: %+v, want a Spanish handoff naming the order", number)
	}
	if st := states[2]; !st.Handoff || st.PendingIntent != "" {
		t.Errorf("state after the handoff: %+v, want handoff and nothing pending", st)
	}
	if !outs[2].result.Handoff {
		t.Errorf("turn result of the handoff turn: %+v", outs[2].result)
	}
	if c := fx.conversation(t); c.Status != conversation.StatusHandoff || c.HandoffReason == "" {
		t.Errorf("conversation after handoff: status %q reason %q", c.Status, c.HandoffReason)
	}

	// A human holds the floor: only the customer's message is stored.
	after := completed(t, "t-after", outs[3])
	if len(after.MessageIDs) != 1 || !after.Handoff {
		t.Fatalf("turn after the handoff: %+v, want only the customer's message", after)
	}
	if len(msgs) != 7 || msgs[6].ID != after.MessageIDs[0] || msgs[6].Author != conversation.AuthorCustomer || msgs[6].Text != "¿Hola?" {
		t.Fatalf("transcript %+v, want 3 answered turns then the customer's last message alone", msgs)
	}
	if _, ok := tokens["t-after"]; ok {
		t.Errorf("the AI streamed text after the handoff: %q", tokens["t-after"])
	}
	// What the widget streamed adds up to what was stored.
	for _, m := range []conversation.Message{hello, where, number} {
		if tokens[m.TurnID] != m.Text {
			t.Errorf("turn %s streamed %q, stored %q", m.TurnID, tokens[m.TurnID], m.Text)
		}
	}
}

func TestMaxTurnsPerRunContinuesAsNewCarryingCompletedTurns(t *testing.T) {
	fx := newFixture(t, "pt-BR")
	w := newWFEnv(t, fx)
	texts := []string{"Olá", "Obrigado", "Tchau"}
	outs := make([]*outcome, len(texts))
	// Three turns at once with a limit of two: the third is waiting for the turn lock when
	// the limit is reached; the run must finish it before continuing as new. (Arriving at
	// once, they are one burst with one answer.)
	w.at(0, func() {
		for i, text := range texts {
			outs[i] = w.send(fmt.Sprint("can-", i), TurnRequest{TurnID: fmt.Sprint("can-", i), Text: text, Locale: "pt-BR"})
		}
	})
	in := WorkflowInput{ConversationID: fx.conv, MaxTurnsPerRun: 2, IdleTimeout: time.Hour, MaxMessageChars: 1000}
	w.run(in)

	var can *workflow.ContinueAsNewError
	if err := w.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	if can.WorkflowType == nil || can.WorkflowType.Name != WorkflowName {
		t.Fatalf("continues as %+v, want workflow type %q", can.WorkflowType, WorkflowName)
	}
	if d := w.env.Now().Sub(w.start); d >= in.IdleTimeout {
		t.Errorf("continued as new after %v, want right after the turns, not after the idle timeout", d)
	}
	var next WorkflowInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatalf("decode continue-as-new input: %v", err)
	}
	if next.ConversationID != in.ConversationID || next.MaxTurnsPerRun != 2 || next.IdleTimeout != time.Hour ||
		next.MaxMessageChars != 1000 || next.Runs != 1 || next.Handoff {
		t.Errorf("next run's input %+v lost settings of %+v", next, in)
	}
	if len(next.Completed) != len(texts) {
		t.Fatalf("next run carries %d completed turns, want %d: %+v", len(next.Completed), len(texts), next.Completed)
	}
	for i, c := range next.Completed {
		res := completed(t, fmt.Sprint("can-", i), outs[i])
		if c.TurnID != res.TurnID || !slices.Equal(c.Result.MessageIDs, res.MessageIDs) {
			t.Errorf("carried turn %d: %+v, the client got %+v", i, c, res)
		}
	}

	// The next run answers a retry of a carried turn (the server no longer deduplicates its
	// Update ID) without running it again, and serves new turns.
	w2 := newWFEnv(t, fx)
	var retry, fresh *outcome
	w2.at(0, func() {
		retry = w2.send("can-0 again", TurnRequest{TurnID: "can-0", Text: "Olá", Locale: "pt-BR"})
		fresh = w2.send("can-3", TurnRequest{TurnID: "can-3", Text: "Olá de novo", Locale: "pt-BR"})
	})
	var st State
	var stErr error
	w2.at(time.Minute, func() { st, stErr = queryState(w2) })
	w2.run(next)
	if got := completed(t, "retry of can-0", retry); !slices.Equal(got.MessageIDs, outs[0].result.MessageIDs) {
		t.Errorf("retry after continue-as-new got %+v, want the first result %+v", got, outs[0].result)
	}
	completed(t, "can-3", fresh)
	// The first three arrived at once: one answer for the burst. Then can-3 and its answer.
	if n := len(fx.transcript(t)); n != 6 {
		t.Errorf("transcript has %d messages, want 6 (four customer messages, each once, and two answers)", n)
	}
	if stErr != nil || st.Runs != 1 || st.CompletedTurns != 4 || st.TurnsThisRun != 1 {
		t.Errorf("state of the second run: %+v (%v), want Runs 1, 4 completed, 1 this run", st, stErr)
	}
	// One new turn is below the limit: the second run ends idle, not by continuing as new.
	if err := w2.env.GetWorkflowError(); err != nil {
		t.Errorf("second run ended with %v, want the idle completion", err)
	}
}

func TestIdleConversationCompletes(t *testing.T) {
	tests := []struct {
		name    string
		idle    time.Duration
		sends   []time.Duration // when the customer writes
		wantEnd time.Duration   // when the workflow completes
	}{
		{"default timeout is a day", 0, []time.Duration{0}, 24 * time.Hour},
		{"each message restarts the timeout", time.Hour, []time.Duration{0, 50 * time.Minute, 100 * time.Minute}, 160 * time.Minute},
		{"no message at all", 10 * time.Minute, nil, 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, "en")
			w := newWFEnv(t, fx)
			outs := make([]*outcome, len(tt.sends))
			for i, at := range tt.sends {
				w.at(at, func() {
					outs[i] = w.send(fmt.Sprint("i-", i), TurnRequest{TurnID: fmt.Sprint("i-", i), Text: "Thank you"})
				})
			}
			w.run(WorkflowInput{IdleTimeout: tt.idle})
			if err := w.env.GetWorkflowError(); err != nil {
				t.Fatalf("workflow ended with %v, want completion", err)
			}
			if end := w.env.Now().Sub(w.start); end < tt.wantEnd || end > tt.wantEnd+time.Minute {
				t.Errorf("completed after %v, want %v", end, tt.wantEnd)
			}
			for i, o := range outs {
				completed(t, fmt.Sprint("i-", i), o)
			}
			if n := len(fx.transcript(t)); n != 2*len(tt.sends) {
				t.Errorf("transcript has %d messages, want %d", n, 2*len(tt.sends))
			}
		})
	}
}

// flakyStore fails SetStatus the first times it is called, as a dropped connection would,
// after the reply was stored.
type flakyStore struct {
	store
	statusFailures atomic.Int32
}

func (s *flakyStore) SetStatus(ctx context.Context, id string, st conversation.Status, reason string) error {
	if s.statusFailures.Add(-1) >= 0 {
		return errors.New("connection reset by peer")
	}
	return s.store.SetStatus(ctx, id, st, reason)
}

func TestHandoffIsRecordedWhenRespondIsRetriedAfterStoringTheReply(t *testing.T) {
	fx := newFixture(t, "en")
	flaky := &flakyStore{store: fx.store}
	flaky.statusFailures.Store(1)
	fx.acts.Store = flaky
	w := newWFEnv(t, fx)
	var respondRuns atomic.Int32
	w.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == "Respond" {
			respondRuns.Add(1)
		}
	})
	var o *outcome
	w.at(0, func() { o = w.send("t-1", TurnRequest{TurnID: "t-1", Text: "I want to talk to a human", Locale: "en"}) })
	w.run(WorkflowInput{IdleTimeout: time.Hour})

	res := completed(t, "t-1", o)
	if !res.Handoff {
		t.Fatalf("turn result %+v, want a handoff", res)
	}
	if n := respondRuns.Load(); n != 2 {
		t.Fatalf("Respond ran %d times, want 2 (the first attempt failed after storing the reply)", n)
	}
	if n := len(fx.transcript(t)); n != 2 {
		t.Errorf("transcript has %d messages, want 2 (the retry must not answer again)", n)
	}
	// The human agents' queue reads the conversation's status: a lost status means nobody
	// answers a customer the AI no longer talks to.
	if c := fx.conversation(t); c.Status != conversation.StatusHandoff || c.HandoffReason == "" {
		t.Errorf("conversation after a retried handoff: status %q reason %q, want handoff with a reason", c.Status, c.HandoffReason)
	}
}

// converse sends the customer's messages a minute apart (turn IDs t0, t1, ...), runs the
// workflow, fails the test if it ended in an error, and returns each turn's last stored
// message, which must be the AI's.
func (w *wfEnv) converse(t *testing.T, locale string, texts ...string) []conversation.Message {
	t.Helper()
	outs := make([]*outcome, len(texts))
	for i, text := range texts {
		id := fmt.Sprintf("t%d", i)
		w.at(time.Duration(i)*time.Minute, func() { outs[i] = w.send(id, TurnRequest{TurnID: id, Text: text, Locale: locale}) })
	}
	w.run(WorkflowInput{IdleTimeout: time.Hour})
	noWorkflowError(t, w)
	stored := byID(w.fx.transcript(t))
	replies := make([]conversation.Message, len(texts))
	for i := range texts {
		res := completed(t, texts[i], outs[i])
		replies[i] = stored[res.MessageIDs[len(res.MessageIDs)-1]]
		if replies[i].Author != conversation.AuthorAI {
			t.Fatalf("turn %q: no AI reply (last message %+v)", texts[i], replies[i])
		}
	}
	return replies
}
