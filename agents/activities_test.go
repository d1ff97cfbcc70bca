package agents

import (
	"maps"
	"slices"
	"testing"

	"github.com/attache-dev/attache/conversation"
)

func TestLanguageHint(t *testing.T) {
	t.Parallel()
	msg := func(a conversation.Author, lang string) conversation.Message {
		return conversation.Message{Author: a, Lang: lang}
	}
	cust, ai, human := conversation.AuthorCustomer, conversation.AuthorAI, conversation.AuthorHumanAgent
	tests := []struct {
		name    string
		history []conversation.Message
		locale  string
		want    string
	}{
		{"no history: the client's locale", nil, "pt-BR", "pt-BR"},
		{"no history, no locale", nil, "", ""},
		{"the AI's last language wins over the locale", []conversation.Message{msg(cust, "es"), msg(ai, "es")}, "en-US", "es"},
		{"the latest AI message counts", []conversation.Message{msg(ai, "en"), msg(cust, "es"), msg(ai, "es"), msg(cust, "de")}, "en-US", "es"},
		{"customer messages alone do not count", []conversation.Message{msg(cust, "fr"), msg(cust, "fr")}, "ja", "ja"},
		{"a human agent's message does not count", []conversation.Message{msg(ai, "th"), msg(human, "en")}, "", "th"},
		{"an AI message without a language is skipped", []conversation.Message{msg(ai, "ar"), msg(ai, "")}, "en", "ar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := languageHint(tt.history, tt.locale); got != tt.want {
				t.Fatalf("languageHint = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResultOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		replies []conversation.Message
		want    RespondResult
	}{
		{"no reply", nil, RespondResult{}},
		{"a plain answer", []conversation.Message{{ID: "m1", Meta: map[string]string{"confidence": "0.9"}}},
			RespondResult{MessageIDs: []string{"m1"}}},
		{"a question for a slot", []conversation.Message{{ID: "m1", Meta: map[string]string{"pending_intent": "track_order"}}},
			RespondResult{MessageIDs: []string{"m1"}, PendingIntent: "track_order"}},
		{"a handoff with its reason", []conversation.Message{{ID: "m1", Handoff: true, Meta: map[string]string{"handoff_reason": "customer_request"}}},
			RespondResult{MessageIDs: []string{"m1"}, Handoff: true, HandoffReason: "customer_request"}},
		{"several parts: all IDs in order, the handoff of any, the last part's pending intent",
			[]conversation.Message{
				{ID: "m1", Handoff: true, Meta: map[string]string{"handoff_reason": "complaint", "pending_intent": "track_order"}},
				{ID: "m2", Meta: map[string]string{}},
			},
			RespondResult{MessageIDs: []string{"m1", "m2"}, Handoff: true, HandoffReason: "complaint"}},
		{"nil meta", []conversation.Message{{ID: "m1"}}, RespondResult{MessageIDs: []string{"m1"}}},
		{"what the turn remembered", []conversation.Message{{ID: "m1", Meta: replyMeta(Reply{Memory: map[string]string{"order_id": "DE-1", "intent": "return_item"}})}},
			RespondResult{MessageIDs: []string{"m1"}, Memory: map[string]string{"order_id": "DE-1", "intent": "return_item"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resultOf(tt.replies)
			if !slices.Equal(got.MessageIDs, tt.want.MessageIDs) || got.Handoff != tt.want.Handoff ||
				got.HandoffReason != tt.want.HandoffReason || got.PendingIntent != tt.want.PendingIntent || !maps.Equal(got.Memory, tt.want.Memory) {
				t.Fatalf("resultOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}
