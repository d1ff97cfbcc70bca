package analytics

import (
	"context"
	"time"
)

// LiveFigures are a rollout key's figures since a time: what evals/rollout judges to keep a
// stage or demote it (its Live type has the same fields).
type LiveFigures struct {
	Conversations int
	HandoffRate   float64 // conversations handed to people / conversations
	CSAT          float64 // mean score, 1 to 5; 0 without responses
	CSATResponses int
	// GuardrailHits counts the AI replies a guardrail rewrote (the taboo screen): the AI's
	// own failures. Customer messages flagged on input are in Summary, not here.
	GuardrailHits int
	ToolFailures  int // handoffs for a failed tool
	ToolCalls     int // tool calls recorded on AI replies (meta tool_calls)
}

// LiveFigures computes the figures of the conversations started since since in a market,
// intent, locale and channel ("" = any). The locale is compared by its language: "pt-BR"
// selects every Portuguese conversation.
func (s *Store) LiveFigures(ctx context.Context, market, intent, locale, channel string, since time.Time) (LiveFigures, error) {
	now := s.now()
	if !since.Before(now) {
		return LiveFigures{}, nil
	}
	sum, err := s.Summary(ctx, Filter{From: since, To: now.Add(time.Nanosecond), Market: market, Intent: intent,
		Language: locale, Channel: channel}, "")
	if err != nil {
		return LiveFigures{}, err
	}
	t := sum.Total
	return LiveFigures{Conversations: t.Conversations, HandoffRate: t.HandoffRate, CSAT: t.CSAT.Mean,
		CSATResponses: t.CSAT.Responses, GuardrailHits: t.Guardrails.Taboo, ToolFailures: t.ToolFailures,
		ToolCalls: t.ToolCalls}, nil
}
