package agents

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/tools"
)

// stagedRollout answers every key with one decision, remembering the key it was asked.
type stagedRollout struct {
	d   RolloutDecision
	err error
	key RolloutKey
}

func (s *stagedRollout) Decide(_ context.Context, k RolloutKey, _ string) (RolloutDecision, error) {
	s.key = k
	return s.d, s.err
}

// callingResponder asks for calls until the turn has steps, then answers.
type callingResponder struct {
	calls []tools.Call
	text  string
}

func (r callingResponder) Respond(_ context.Context, tc TurnContext, onText func(string)) (Reply, error) {
	if len(tc.Steps) == 0 && !tc.NoMoreTools {
		return Reply{Calls: r.calls, Lang: "de", Intent: "track_order", Engine: "test"}, nil
	}
	onText(r.text)
	return Reply{Text: r.text, Lang: "de", Intent: "track_order", Engine: "test"}, nil
}

// specTool is a tool that only has a spec: the stage decides before anything runs.
type specTool struct{ spec tools.Spec }

func (s specTool) Spec() tools.Spec { return s.spec }
func (s specTool) Run(context.Context, tools.Invocation) (tools.Result, error) {
	return tools.Result{Outcome: tools.OK}, nil
}
func (s specTool) Preview(context.Context, tools.Invocation) (tools.Result, error) {
	return tools.Result{Outcome: tools.OK}, nil
}

// TestTheRolloutStageDecidesWhoAnswers: in the autonomous stage, and for an allow-listed
// intent in the standard stage, the AI's answer goes out; otherwise the customer is told a
// colleague answers, the turn is handed off with reason rollout_stage, and in the assist
// stage the AI's answer is kept as a draft for the agent — read tools still run for it, a
// write is never proposed. A policy that cannot be read leaves the AI answering.
func TestTheRolloutStageDecidesWhoAnswers(t *testing.T) {
	const answer = "Ihre Bestellung DE-1 ist unterwegs."
	read := tools.Call{ID: "c1", Name: "track_order", Args: json.RawMessage(`{"order_id":"DE-1"}`)}
	write := tools.Call{ID: "c2", Name: "cancel_order", Args: json.RawMessage(`{"order_id":"DE-1"}`)}
	for _, tc := range []struct {
		name      string
		d         RolloutDecision
		err       error
		calls     []tools.Call
		wantCalls bool
		handoff   bool
		draft     string
		stage     string
	}{
		{name: "autonomous", d: RolloutDecision{Stage: StageAutonomous, AIMayResolve: true}, stage: StageAutonomous},
		{name: "standard, allow-listed", d: RolloutDecision{Stage: StageStandard, AIMayResolve: true}, stage: StageStandard},
		{name: "standard, not allow-listed", d: RolloutDecision{Stage: StageStandard}, handoff: true, stage: StageStandard},
		{name: "assist drafts", d: RolloutDecision{Stage: StageAssist}, handoff: true, draft: answer, stage: StageAssist},
		{name: "assist lets reads run", d: RolloutDecision{Stage: StageAssist}, calls: []tools.Call{read}, wantCalls: true},
		{name: "assist never proposes a write", d: RolloutDecision{Stage: StageAssist}, calls: []tools.Call{read, write}, handoff: true, stage: StageAssist},
		{name: "standard, canary of autonomous", d: RolloutDecision{Stage: StageAutonomous, AIMayResolve: true, Canary: true}, stage: StageAutonomous},
		{name: "policy unreadable", err: errors.New("db down")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			fx := newFixture(t, "de")
			fx.withTools(t, specTool{tools.Spec{Name: "track_order", Description: "Looks an order up.", Effect: tools.Read, Parameters: json.RawMessage(`{"type":"object"}`)}},
				specTool{tools.Spec{Name: "cancel_order", Description: "Cancels an order.", Effect: tools.Write, Confirm: true, Parameters: json.RawMessage(`{"type":"object"}`)}})
			c, err := fx.store.Create(ctx, conversation.NewConversation{Locale: "de-DE", Market: "DE", Channel: "whatsapp"})
			if err != nil {
				t.Fatal(err)
			}
			fx.conv = c.ID
			policy := &stagedRollout{d: tc.d, err: tc.err}
			fx.acts.Rollout = policy
			fx.acts.Responder = callingResponder{calls: tc.calls, text: answer}
			if _, err := fx.acts.SaveInbound(ctx, SaveInboundInput{ConversationID: c.ID, TurnID: "t1", Text: "Wo ist DE-1?", Locale: "de"}); err != nil {
				t.Fatal(err)
			}
			res, err := fx.acts.Respond(ctx, RespondInput{ConversationID: c.ID, TurnID: "t1", Text: "Wo ist DE-1?", Locale: "de", NoMoreTools: len(tc.calls) == 0})
			if err != nil {
				t.Fatal(err)
			}
			if want := (RolloutKey{Market: "DE", Intent: "track_order", Locale: "de", Channel: "whatsapp"}); policy.key != want {
				t.Errorf("decided for %+v, want %+v", policy.key, want)
			}
			if tc.wantCalls {
				if len(res.Calls) != 1 || res.Handoff || len(fx.transcript(t)) != 1 {
					t.Fatalf("result %+v: want the read call to run first, nothing stored", res)
				}
				return
			}
			msgs := fx.transcript(t)
			ai := msgs[len(msgs)-1]
			if res.Handoff != tc.handoff || ai.Handoff != tc.handoff || len(res.Calls) > 0 {
				t.Fatalf("result %+v, message %+v: want handoff %v and no calls", res, ai, tc.handoff)
			}
			if tc.handoff {
				cat, _ := i18n.NewCatalog()
				if res.HandoffReason != ReasonRolloutStage || ai.Text == answer || ai.Text == "" ||
					!strings.Contains(ai.Text, cat.Text("de", i18n.KeyHandoff)) {
					t.Errorf("handoff reason %q, text %q: want rollout_stage and the colleague message", res.HandoffReason, ai.Text)
				}
			} else if !strings.Contains(ai.Text, answer) {
				t.Errorf("text %q: want the AI's answer", ai.Text)
			}
			if ai.Meta["draft"] != tc.draft {
				t.Errorf("draft %q, want %q", ai.Meta["draft"], tc.draft)
			}
			if ai.Meta["rollout_stage"] != tc.stage || (ai.Meta["rollout_canary"] == "true") != tc.d.Canary {
				t.Errorf("meta %v: want stage %q, canary %v", ai.Meta, tc.stage, tc.d.Canary)
			}
		})
	}
}
