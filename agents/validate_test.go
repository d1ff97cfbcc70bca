package agents

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidateTurn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		req      TurnRequest
		maxChars int
		want     string // "" = valid; else what the error must say
	}{
		{"plain message", TurnRequest{TurnID: "t-1", Text: "Where is my order?"}, 0, ""},
		{"message with locale", TurnRequest{TurnID: "t-1", Text: "Hola", Locale: "es-419"}, 0, ""},
		{"Thai, Arabic, Japanese", TurnRequest{TurnID: "t-1", Text: "สวัสดี أين طلبي؟ 注文はどこ"}, 0, ""},
		{"default limit counts characters, not bytes", TurnRequest{TurnID: "t", Text: strings.Repeat("é", DefaultMaxMessageChars)}, 0, ""},
		{"one character over the default", TurnRequest{TurnID: "t", Text: strings.Repeat("é", DefaultMaxMessageChars+1)}, 0, "text: longer than 4000 characters"},
		{"custom limit, at it", TurnRequest{TurnID: "t", Text: "héllo"}, 5, ""},
		{"custom limit, over it", TurnRequest{TurnID: "t", Text: "héllo!"}, 5, "text: longer than 5 characters"},
		{"negative limit means the default", TurnRequest{TurnID: "t", Text: strings.Repeat("a", 4000)}, -1, ""},
		{"empty text", TurnRequest{TurnID: "t", Text: ""}, 0, "text: empty"},
		{"blank text, Unicode spaces", TurnRequest{TurnID: "t", Text: " \t\r\n\u00a0\u2003\u3000"}, 0, "text: empty"},
		{"invalid UTF-8 text", TurnRequest{TurnID: "t", Text: "caf\xe9"}, 0, "text: not valid UTF-8"},
		{"NUL in text", TurnRequest{TurnID: "t", Text: "order\x00 123"}, 0, "text: contains a NUL character"},
		{"text with a line break is fine", TurnRequest{TurnID: "t", Text: "line 1\nline 2"}, 0, ""},
		{"missing turn ID", TurnRequest{Text: "Hello"}, 0, "turn_id: required"},
		{"turn ID at the length limit", TurnRequest{TurnID: strings.Repeat("x", MaxTurnIDLen), Text: "Hello"}, 0, ""},
		{"turn ID over the length limit", TurnRequest{TurnID: strings.Repeat("x", MaxTurnIDLen+1), Text: "Hello"}, 0, "turn_id: longer than 128 bytes"},
		{"non-ASCII turn ID", TurnRequest{TurnID: "turno-ñ-1", Text: "Hola"}, 0, ""},
		{"turn ID with a tab", TurnRequest{TurnID: "t\t1", Text: "Hello"}, 0, "turn_id: must be printable"},
		{"turn ID with DEL", TurnRequest{TurnID: "t\x7f", Text: "Hello"}, 0, "turn_id: must be printable"},
		{"turn ID not UTF-8", TurnRequest{TurnID: "t\xff", Text: "Hello"}, 0, "turn_id: must be printable"},
		{"locale of 35 bytes", TurnRequest{TurnID: "t", Text: "Hi", Locale: strings.Repeat("a", 35)}, 0, ""},
		{"locale too long", TurnRequest{TurnID: "t", Text: "Hi", Locale: strings.Repeat("a", 36)}, 0, "locale:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateTurn(tt.req, tt.maxChars)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("accepted, want %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// SendTurn refuses what the Update validator would refuse — and invalid UTF-8, which would
// otherwise reach the workflow silently replaced by U+FFFD — before talking to Temporal: the
// client here has no Temporal connection at all.
func TestSendTurnRefusesBadInputBeforeTemporal(t *testing.T) {
	t.Parallel()
	c := &Client{MaxMessageChars: 10}
	tests := []struct {
		name string
		req  TurnRequest
		want string
	}{
		{"invalid UTF-8", TurnRequest{TurnID: "t", Text: "caf\xe9"}, "text: not valid UTF-8"},
		{"NUL", TurnRequest{TurnID: "t", Text: "a\x00"}, "NUL"},
		{"blank", TurnRequest{TurnID: "t", Text: "   "}, "text: empty"},
		{"over the client's limit", TurnRequest{TurnID: "t", Text: "hello world"}, "longer than 10 characters"},
		{"no turn ID", TurnRequest{Text: "hi"}, "turn_id: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.SendTurn(context.Background(), "c-1", tt.req, time.Second)
			var inv *InvalidTurnError
			if !errors.As(err, &inv) {
				t.Fatalf("error %v, want an InvalidTurnError", err)
			}
			if !strings.Contains(inv.Reason, tt.want) {
				t.Fatalf("reason %q does not say %q", inv.Reason, tt.want)
			}
		})
	}
}
