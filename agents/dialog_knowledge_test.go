package agents

import (
	"context"
	"strings"
	"testing"

	"github.com/attache-dev/attache/agents/offline"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/cod"
	"github.com/attache-dev/attache/tools/vat"
)

// TestInformationalIntentsPreferASurePassage: a question the help center answers is
// answered from it, citing the article; without a sure passage the engine's general answer
// stands, with no handoff. A VAT question goes to the VAT tool when it is there.
func TestInformationalIntentsPreferASurePassage(t *testing.T) {
	r := kbResponder(t)
	refunds := knowledge.Passage{ExternalID: "refunds", Title: "Refunds", Text: "Refunds reach your card within 3 business days.",
		Locale: "en", Version: 1, VectorRank: 1, TextRank: 1, TextScore: 0.5}
	specs := []tools.Spec{vat.Tool{}.Spec(), cod.Tool{}.Spec()}
	tests := []struct {
		name     string
		text     string
		passages []knowledge.Passage
		tools    []tools.Spec
		intent   string
		inText   string
		call     string
	}{
		{"refund policy with a sure passage", "what is your refund policy?", []knowledge.Passage{refunds}, nil, IntentKnowledgeAnswer, "3 business days", ""},
		{"refund policy with a sure passage and tools", "what is your refund policy?", []knowledge.Passage{refunds}, specs, IntentKnowledgeAnswer, "3 business days", ""},
		{"refund policy without a passage", "what is your refund policy?", nil, specs, offline.IntentRefundPolicy, "5–7 business days", ""},
		{"password without a passage", "I forgot my password", nil, nil, offline.IntentPassword, "Forgot password?", ""},
		{"VAT without the tool", "What VAT do I pay in Germany?", nil, nil, offline.IntentVAT, "Tell me your country", ""},
		{"VAT with the tool", "What VAT do I pay in Germany?", []knowledge.Passage{refunds}, specs, offline.IntentVAT, "", vat.ToolName},
		{"COD with the tool", "Can I pay cash on delivery?", nil, specs, offline.IntentCOD, "", cod.ToolName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Respond(context.Background(), TurnContext{Text: tt.text, LocaleHint: "en", Market: "DE", Passages: tt.passages, Tools: tt.tools},
				func(string) {})
			if err != nil {
				t.Fatal(err)
			}
			if got.Intent != tt.intent || got.Handoff || !strings.Contains(got.Text, tt.inText) {
				t.Errorf("intent %s handoff %v text %q; want %s, no handoff, containing %q", got.Intent, got.Handoff, got.Text, tt.intent, tt.inText)
			}
			if tt.call != "" && (len(got.Calls) != 1 || got.Calls[0].Name != tt.call) {
				t.Errorf("calls %+v, want one call to %s", got.Calls, tt.call)
			}
			if tt.call == "" && len(got.Calls) != 0 {
				t.Errorf("calls %+v, want none", got.Calls)
			}
		})
	}
}
