package agents

import (
	"context"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/tools"
)

// Rollout stages: who answers a market × intent (see package evals/rollout).
const (
	StageAssist     = "assist"     // the AI drafts, a person sends
	StageStandard   = "standard"   // the AI resolves allow-listed intents, people the rest
	StageAutonomous = "autonomous" // the AI resolves what it can, handing off on triggers
)

// ReasonRolloutStage is the handoff reason when the rollout stage gives the turn to a person.
const ReasonRolloutStage = "rollout_stage"

// Rollout decides which stage answers a turn.
type Rollout interface {
	Decide(ctx context.Context, key RolloutKey, conversationID string) (RolloutDecision, error)
}

// RolloutKey is what a stage is chosen by.
type RolloutKey struct{ Market, Intent, Locale, Channel string }

// RolloutDecision is the stage in force for a turn.
type RolloutDecision struct {
	Stage string
	// AIMayResolve: the stage lets the AI answer this intent itself.
	AIMayResolve bool
	Canary       bool // the conversation is in the canary share of the next stage
}

// staged applies the rollout stage to a reply. The AI keeps a reply the stage lets it
// resolve. Otherwise the turn goes to a person: in the assist stage the AI's answer
// becomes a draft the agent can edit and send (read tools still run, so the draft has the
// facts; a write is never proposed to the customer); in the standard stage the intent is
// not allow-listed and a person answers from the start. Events (a decided approval) and
// replies that hand off anyway are left alone.
func (a *Activities) staged(ctx context.Context, in RespondInput, conv conversation.Conversation, reply Reply) Reply {
	if a.Rollout == nil || in.Event != "" || reply.Handoff {
		return reply
	}
	key := RolloutKey{Market: conv.Market, Intent: reply.Intent, Locale: reply.Lang, Channel: conv.Channel}
	d, err := a.Rollout.Decide(ctx, key, in.ConversationID)
	if err != nil {
		// The policy could not be read: the stage in force stays unknown, and the AI answers
		// as it would have before stages existed rather than leave the customer waiting.
		a.Logger.Warn("rollout stage unknown; the AI answers", "conversation", in.ConversationID, "err", err)
		return reply
	}
	reply.Stage, reply.Canary = d.Stage, d.Canary
	if d.AIMayResolve {
		return reply
	}
	if d.Stage == StageAssist && len(reply.Calls) > 0 && !in.NoMoreTools && a.onlyReads(reply.Calls) {
		return reply
	}
	out := Reply{Lang: reply.Lang, Intent: reply.Intent, Confidence: reply.Confidence, Handoff: true,
		HandoffReason: ReasonRolloutStage, Engine: reply.Engine, Stage: d.Stage, Canary: d.Canary, Memory: reply.Memory}
	if d.Stage == StageAssist && len(reply.Calls) == 0 {
		out.Draft = reply.Text
	}
	if a.Catalog != nil {
		out.Text = a.Catalog.Text(reply.Lang, i18n.KeyHandoff)
	}
	return out
}

// onlyReads reports whether every call only looks things up.
func (a *Activities) onlyReads(calls []tools.Call) bool {
	if a.Tools == nil {
		return false
	}
	for _, c := range calls {
		s, ok := a.Tools.Spec(c.Name)
		if !ok || s.Effect != tools.Read {
			return false
		}
	}
	return true
}
