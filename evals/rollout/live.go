package rollout

import (
	"context"
	"fmt"
	"time"
)

// Live is what happened in a key's conversations over a window.
type Live struct {
	Conversations int
	HandoffRate   float64 // conversations handed to people / conversations
	CSAT          float64 // mean satisfaction score, 1 to 5; 0 without responses
	CSATResponses int
	GuardrailHits int // messages a guardrail stopped or rewrote (taboo, disclosure)
	ToolFailures  int
	ToolCalls     int
}

// Metrics reads a key's live figures since a time; the analytics package implements it.
// The key is a rule's: empty fields mean any.
type Metrics interface {
	Live(ctx context.Context, key Key, since time.Time) (Live, error)
}

// Thresholds are the live limits past which a key is demoted.
type Thresholds struct {
	// Window is how far back live figures are read (never before the rule's last change).
	Window time.Duration
	// MinConversations: below it nothing is judged.
	MinConversations int
	MaxHandoffRate   float64
	// MinCSAT is judged only with at least MinCSATResponses responses.
	MinCSAT            float64
	MinCSATResponses   int
	MaxGuardrailHits   int
	MaxToolFailureRate float64 // failures / tool calls
}

// DefaultThresholds are what a Policy uses when given the zero Thresholds: over the last
// 24 hours and at least 20 conversations, a handoff rate above 0.35, a CSAT below 3.5 (over
// 10 responses or more), more than 3 guardrail hits or a tool failure rate above 0.2
// demotes.
func DefaultThresholds() Thresholds {
	return Thresholds{Window: 24 * time.Hour, MinConversations: 20, MaxHandoffRate: 0.35, MinCSAT: 3.5, MinCSATResponses: 10,
		MaxGuardrailHits: 3, MaxToolFailureRate: 0.2}
}

// LiveEvidence is a demotion's evidence: the figures and the window they cover.
type LiveEvidence struct {
	Since         time.Time `json:"since"`
	Until         time.Time `json:"until"`
	Conversations int       `json:"conversations"`
	HandoffRate   float64   `json:"handoff_rate"`
	CSAT          float64   `json:"csat"`
	CSATResponses int       `json:"csat_responses"`
	GuardrailHits int       `json:"guardrail_hits"`
	ToolFailures  int       `json:"tool_failures"`
	ToolCalls     int       `json:"tool_calls"`
}

func liveEvidence(l Live, since, until time.Time) *LiveEvidence {
	return &LiveEvidence{Since: since.UTC(), Until: until.UTC(), Conversations: l.Conversations, HandoffRate: l.HandoffRate,
		CSAT: l.CSAT, CSATResponses: l.CSATResponses, GuardrailHits: l.GuardrailHits, ToolFailures: l.ToolFailures, ToolCalls: l.ToolCalls}
}

// judge returns the thresholds l breaks, in words; none when fewer than MinConversations
// conversations were seen.
func (t Thresholds) judge(l Live) []string {
	if l.Conversations < t.MinConversations {
		return nil
	}
	var broken []string
	if l.HandoffRate > t.MaxHandoffRate {
		broken = append(broken, fmt.Sprintf("handoff rate %.2f > %.2f over %d conversations", l.HandoffRate, t.MaxHandoffRate, l.Conversations))
	}
	if l.CSATResponses >= t.MinCSATResponses && l.CSATResponses > 0 && l.CSAT < t.MinCSAT {
		broken = append(broken, fmt.Sprintf("CSAT %.2f < %.2f over %d responses", l.CSAT, t.MinCSAT, l.CSATResponses))
	}
	if l.GuardrailHits > t.MaxGuardrailHits {
		broken = append(broken, fmt.Sprintf("guardrail hits %d > %d", l.GuardrailHits, t.MaxGuardrailHits))
	}
	if l.ToolCalls > 0 {
		if rate := float64(l.ToolFailures) / float64(l.ToolCalls); rate > t.MaxToolFailureRate {
			broken = append(broken, fmt.Sprintf("tool failure rate %.2f > %.2f (%d of %d calls)", rate, t.MaxToolFailureRate, l.ToolFailures, l.ToolCalls))
		}
	}
	return broken
}
