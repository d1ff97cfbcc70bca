package anthropic_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/anthropic"
	"github.com/attache-dev/attache/internal/testutil/anthropicstub"
)

const claude = "claude-sonnet-4-5"

func newModel(t *testing.T, s *anthropicstub.Server, mod func(*anthropic.Config)) *anthropic.Model {
	t.Helper()
	cfg := anthropic.Config{BaseURL: s.URL(), APIKey: "sk-ant-test", Model: claude}
	if mod != nil {
		mod(&cfg)
	}
	m, err := anthropic.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const systemPrompt = "You are the support agent of a shop shipping from Lyon."

func ask(text string) []model.Message {
	return []model.Message{
		{Role: model.RoleSystem, Text: systemPrompt},
		{Role: model.RoleUser, Text: text},
	}
}

var orderTools = []model.Tool{
	{
		Name:        "order_status",
		Description: "Look up an order by its number.",
		Parameters:  json.RawMessage(`{"type":"object","properties":{"order":{"type":"string"}},"required":["order"]}`),
	},
	{
		Name:        "track_parcel",
		Description: "Track a parcel with the carrier.",
		Parameters:  json.RawMessage(`{"type":"object","properties":{"parcel":{"type":"string"}},"required":["parcel"]}`),
	},
	{Name: "handoff", Description: "Hand the conversation to a human."},
}

// jsonEqual compares two JSON texts by value.
func jsonEqual(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Errorf("not JSON: %q: %v", got, err)
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

func collect(deltas *[]string) func(context.Context, string) error {
	return func(_ context.Context, d string) error {
		*deltas = append(*deltas, d)
		return nil
	}
}

func TestGeneratePlainMessage(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	s.RequireAPIKey("sk-ant-test")
	s.Enqueue(anthropicstub.Reply{
		Text:  "Your order left our warehouse this morning.",
		Usage: &anthropicstub.Usage{InputTokens: 31, OutputTokens: 9},
	})
	m := newModel(t, s, nil)

	resp, err := m.Generate(context.Background(), model.Request{Messages: ask("Where is my order?"), Temperature: 0.2, MaxTokens: 300})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	want := model.Response{
		Text:       "Your order left our warehouse this morning.",
		StopReason: model.StopEnd,
		Usage:      model.Usage{InputTokens: 31, OutputTokens: 9},
	}
	if !reflect.DeepEqual(resp, want) {
		t.Errorf("response = %+v, want %+v", resp, want)
	}

	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("stub received %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Model != claude || r.Stream || len(r.Tools) != 0 {
		t.Errorf("request model=%q stream=%v tools=%d", r.Model, r.Stream, len(r.Tools))
	}
	if r.Temperature == nil || *r.Temperature != 0.2 || r.MaxTokens == nil || *r.MaxTokens != 300 {
		t.Errorf("request temperature=%v max_tokens=%v", r.Temperature, r.MaxTokens)
	}
	if r.SystemText() != systemPrompt {
		t.Errorf("system = %q, want the system message at the top level", r.SystemText())
	}
	if len(r.Messages) != 1 || r.Messages[0].Role != "user" || r.Messages[0].Text() != "Where is my order?" {
		t.Errorf("messages = %+v", r.Messages)
	}
	if got := r.Header.Get("X-Api-Key"); got != "sk-ant-test" {
		t.Errorf("x-api-key = %q", got)
	}
	if got := r.Header.Get("Anthropic-Version"); got != anthropicstub.Version {
		t.Errorf("anthropic-version = %q", got)
	}
	if got := r.Header.Get("Authorization"); got != "" {
		t.Errorf("Authorization = %q, want none", got)
	}
}

func TestGenerateDefaultMaxTokens(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	s.Enqueue(anthropicstub.Reply{Text: "ok"})
	if _, err := newModel(t, s, nil).Generate(context.Background(), model.Request{Messages: ask("hi")}); err != nil {
		t.Fatal(err)
	}
	if got := s.Requests()[0].MaxTokens; got == nil || *got != anthropic.DefaultMaxTokens {
		t.Errorf("max_tokens = %v, want %d when the request leaves it 0", got, anthropic.DefaultMaxTokens)
	}
}

func TestGenerateStreamsText(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	const text = "Ihre Bestellung wurde heute Morgen versandt; die Sendungsnummer folgt per E-Mail."
	s.Enqueue(anthropicstub.Reply{Text: text, Usage: &anthropicstub.Usage{InputTokens: 20, OutputTokens: 17}})
	m := newModel(t, s, nil)

	var deltas []string
	resp, err := m.Generate(context.Background(), model.Request{Messages: ask("Wo ist meine Bestellung?"), OnText: collect(&deltas)})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if want := anthropicstub.Deltas(text); !slices.Equal(deltas, want) || len(deltas) < 2 {
		t.Errorf("OnText deltas = %q, want %q", deltas, want)
	}
	if resp.Text != text {
		t.Errorf("Text = %q, want %q", resp.Text, text)
	}
	if resp.StopReason != model.StopEnd || resp.Usage != (model.Usage{InputTokens: 20, OutputTokens: 17}) {
		t.Errorf("stop=%q usage=%+v", resp.StopReason, resp.Usage)
	}
	if r := s.Requests()[0]; !r.Stream {
		t.Errorf("request stream=%v, want true", r.Stream)
	}
}

func TestGenerateToolCalls(t *testing.T) {
	t.Parallel()
	one := []anthropicstub.Call{{ID: "toolu_01", Name: "order_status", Input: `{"order":"FR-1042"}`}}
	two := []anthropicstub.Call{
		{ID: "toolu_01", Name: "order_status", Input: `{"order":"FR-1042"}`},
		{ID: "toolu_02", Name: "track_parcel", Input: `{"parcel":"6A1234567890"}`},
	}
	three := append(slices.Clone(two), anthropicstub.Call{ID: "toolu_03", Name: "handoff"})
	tests := []struct {
		name  string
		reply anthropicstub.Reply
		want  []model.ToolCall
		// wantText is the text of the answer, streamed as its Deltas.
		wantText string
	}{
		{name: "one call", reply: anthropicstub.Reply{ToolCalls: one}, want: toModel(one)},
		{name: "two parallel calls", reply: anthropicstub.Reply{ToolCalls: two}, want: toModel(two)},
		{name: "three parallel calls", reply: anthropicstub.Reply{ToolCalls: three}, want: toModel(three)},
		{
			name:     "text then three parallel calls",
			reply:    anthropicstub.Reply{Text: "Let me check all of that for you.", ToolCalls: three},
			want:     toModel(three),
			wantText: "Let me check all of that for you.",
		},
		{
			name:  "input with non-ASCII and escapes",
			reply: anthropicstub.Reply{ToolCalls: []anthropicstub.Call{{ID: "toolu_09", Name: "order_status", Input: `{"order":"東京-55 \"A\" <1>"}`}}},
			want:  []model.ToolCall{{ID: "toolu_09", Name: "order_status", Arguments: json.RawMessage(`{"order":"東京-55 \"A\" \u003c1\u003e"}`)}},
		},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			name := tt.name
			if stream {
				name += " streamed"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				s := anthropicstub.New(t)
				s.Enqueue(tt.reply)
				m := newModel(t, s, nil)
				req := model.Request{Messages: ask("Where are order FR-1042 and parcel 6A1234567890?"), Tools: orderTools}
				var deltas []string
				if stream {
					req.OnText = collect(&deltas)
				}
				resp, err := m.Generate(context.Background(), req)
				if err != nil {
					t.Fatalf("Generate: %v", err)
				}
				if !reflect.DeepEqual(resp.ToolCalls, tt.want) {
					t.Errorf("ToolCalls = %s, want %s", describe(resp.ToolCalls), describe(tt.want))
				}
				if resp.StopReason != model.StopToolCalls {
					t.Errorf("StopReason = %q, want tool_calls", resp.StopReason)
				}
				if resp.Text != tt.wantText {
					t.Errorf("Text = %q, want %q", resp.Text, tt.wantText)
				}
				var wantDeltas []string
				if stream {
					wantDeltas = anthropicstub.Deltas(tt.wantText)
				}
				if !slices.Equal(deltas, wantDeltas) {
					t.Errorf("OnText saw %q, want %q (tool input JSON must not leak)", deltas, wantDeltas)
				}

				sent := s.Requests()[0]
				if sent.Stream != stream || len(sent.Tools) != len(orderTools) {
					t.Fatalf("sent stream=%v and %d tools", sent.Stream, len(sent.Tools))
				}
				for i, tool := range sent.Tools {
					wantSchema := string(orderTools[i].Parameters)
					if wantSchema == "" {
						wantSchema = `{"type":"object","properties":{}}`
					}
					if tool.Name != orderTools[i].Name || tool.Description != orderTools[i].Description ||
						!jsonEqual(t, string(tool.InputSchema), wantSchema) {
						t.Errorf("tool %d sent as %+v", i, tool)
					}
				}
			})
		}
	}
}

func toModel(calls []anthropicstub.Call) []model.ToolCall {
	out := make([]model.ToolCall, len(calls))
	for i, c := range calls {
		args := c.Input
		if args == "" {
			args = "{}"
		}
		out[i] = model.ToolCall{ID: c.ID, Name: c.Name, Arguments: json.RawMessage(args)}
	}
	return out
}

func describe(calls []model.ToolCall) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString(c.ID + ":" + c.Name + string(c.Arguments) + " ")
	}
	return b.String()
}

// TestGenerateToolResultRoundTrip sends back a conversation holding a
// parallel call of three tools and their results: the stub, like
// Anthropic, answers 400 unless the assistant turn carries all three
// tool_use blocks and the next user turn all three tool_result blocks.
func TestGenerateToolResultRoundTrip(t *testing.T) {
	t.Parallel()
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "streamed"}[stream], func(t *testing.T) {
			t.Parallel()
			s := anthropicstub.New(t)
			s.Enqueue(anthropicstub.Reply{Text: "Order FR-1042 shipped; parcel 6A1234567890 is out for delivery."})
			m := newModel(t, s, nil)

			msgs := []model.Message{
				{Role: model.RoleSystem, Text: systemPrompt},
				{Role: model.RoleUser, Text: "Where are order FR-1042 and parcel 6A1234567890? Otherwise I want a human."},
				{Role: model.RoleAssistant, Text: "Let me check.", ToolCalls: []model.ToolCall{
					{ID: "toolu_01", Name: "order_status", Arguments: json.RawMessage(`{"order":"FR-1042"}`)},
					{ID: "toolu_02", Name: "track_parcel", Arguments: json.RawMessage(`{"parcel":"6A1234567890"}`)},
					{ID: "toolu_03", Name: "handoff"},
				}},
				{Role: model.RoleTool, ToolCallID: "toolu_01", Text: `{"status":"shipped"}`},
				{Role: model.RoleTool, ToolCallID: "toolu_02", Text: `{"status":"out_for_delivery"}`},
				{Role: model.RoleTool, ToolCallID: "toolu_03", Text: `{"queued":true}`},
				{Role: model.RoleSystem, Text: "Answer in one sentence."},
				{Role: model.RoleAssistant, Text: "Both are on their way; a colleague will also contact you."},
				{Role: model.RoleUser, Text: "When exactly?"},
			}
			req := model.Request{Messages: msgs, Tools: orderTools}
			var deltas []string
			if stream {
				req.OnText = collect(&deltas)
			}
			resp, err := m.Generate(context.Background(), req)
			if err != nil {
				t.Fatalf("Generate: %v (a 400 here means the request broke Anthropic's tool protocol)", err)
			}
			if resp.Text == "" || len(resp.ToolCalls) != 0 {
				t.Errorf("response = %+v", resp)
			}

			sent := s.Requests()[0]
			if sent.Status != http.StatusOK {
				t.Fatalf("stub answered %d: %s", sent.Status, sent.Body)
			}
			if got, want := sent.SystemText(), systemPrompt+"\n\nAnswer in one sentence."; got != want {
				t.Errorf("system = %q, want %q", got, want)
			}
			var roles []string
			for _, msg := range sent.Messages {
				roles = append(roles, msg.Role)
			}
			if want := []string{"user", "assistant", "user", "assistant", "user"}; !slices.Equal(roles, want) {
				t.Fatalf("roles = %q, want %q", roles, want)
			}
			a := sent.Messages[1].Blocks()
			if len(a) != 4 || a[0].Type != "text" || a[0].Text != "Let me check." {
				t.Fatalf("assistant turn sent as %s", sent.Messages[1].Content)
			}
			for i, want := range msgs[2].ToolCalls {
				b := a[1+i]
				wantInput := string(want.Arguments)
				if wantInput == "" {
					wantInput = "{}"
				}
				if b.Type != "tool_use" || b.ID != want.ID || b.Name != want.Name || !jsonEqual(t, string(b.Input), wantInput) {
					t.Errorf("block %d = %+v, want tool_use %s", 1+i, b, want.ID)
				}
				if !strings.HasPrefix(string(b.Input), "{") {
					t.Errorf("input sent as %s, want an object", b.Input)
				}
			}
			results := sent.Messages[2].Blocks()
			if len(results) != 3 {
				t.Fatalf("tool results sent as %s, want three tool_result blocks in one user turn", sent.Messages[2].Content)
			}
			for i, want := range msgs[3:6] {
				if b := results[i]; b.Type != "tool_result" || b.ToolUseID != want.ToolCallID || b.ResultText() != want.Text {
					t.Errorf("result %d = %+v, want %s answering %s", i, b, want.Text, want.ToolCallID)
				}
			}
			if sent.Messages[3].Text() != msgs[7].Text || sent.Messages[4].Text() != "When exactly?" {
				t.Errorf("last turns = %s, %s", sent.Messages[3].Content, sent.Messages[4].Content)
			}
		})
	}
}

func TestGenerateStopReasons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		reply anthropicstub.Reply
		want  model.Response
	}{
		{anthropicstub.Reply{Text: "Your order", StopReason: "max_tokens", Usage: &anthropicstub.Usage{InputTokens: 5, OutputTokens: 2}},
			model.Response{Text: "Your order", StopReason: model.StopLength, Usage: model.Usage{InputTokens: 5, OutputTokens: 2}}},
		{anthropicstub.Reply{Text: "Ok", StopReason: "stop_sequence", Usage: &anthropicstub.Usage{InputTokens: 5, OutputTokens: 1}},
			model.Response{Text: "Ok", StopReason: model.StopEnd, Usage: model.Usage{InputTokens: 5, OutputTokens: 1}}},
		{anthropicstub.Reply{Text: "I can't help with that.", StopReason: "refusal", Usage: &anthropicstub.Usage{InputTokens: 5, OutputTokens: 6}},
			model.Response{Text: "I can't help with that.", StopReason: model.StopContentFilter, Usage: model.Usage{InputTokens: 5, OutputTokens: 6}}},
		{anthropicstub.Reply{Text: "Still working", StopReason: "pause_turn", Usage: &anthropicstub.Usage{InputTokens: 5, OutputTokens: 2}},
			model.Response{Text: "Still working", StopReason: "pause_turn", Usage: model.Usage{InputTokens: 5, OutputTokens: 2}}},
		// Anthropic answers with no content block at all when the model
		// has nothing to add, typically right after tool results.
		{anthropicstub.Reply{Usage: &anthropicstub.Usage{InputTokens: 40, OutputTokens: 3}},
			model.Response{StopReason: model.StopEnd, Usage: model.Usage{InputTokens: 40, OutputTokens: 3}}},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			name := tt.reply.StopReason
			if name == "" {
				name = "no content"
			}
			if stream {
				name += " streamed"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				s := anthropicstub.New(t)
				s.Enqueue(tt.reply)
				req := model.Request{Messages: ask("Where is my order?")}
				var deltas []string
				if stream {
					req.OnText = collect(&deltas)
				}
				resp, err := newModel(t, s, nil).Generate(context.Background(), req)
				if err != nil {
					t.Fatalf("Generate: %v", err)
				}
				if !reflect.DeepEqual(resp, tt.want) {
					t.Errorf("response = %+v, want %+v", resp, tt.want)
				}
				if stream && strings.Join(deltas, "") != tt.want.Text {
					t.Errorf("OnText saw %q", deltas)
				}
			})
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	t.Parallel()
	midStream := func(errType, msg string) anthropicstub.Reply {
		return anthropicstub.Reply{Text: "We shipped it on Monday morning", Error: anthropicstub.APIError{Type: errType, Message: msg},
			Cut: &anthropicstub.Cut{After: 4, Mode: anthropicstub.CutError}}
	}
	tests := []struct {
		name      string
		reply     anthropicstub.Reply
		stream    bool
		wantKind  error
		wantCode  string
		retryable bool
		wantAfter time.Duration
		leak      string // provider text that must not appear in the error
	}{
		{"rate limited", anthropicstub.RateLimited(), false, model.ErrRateLimited, "rate_limit_error", true, 2 * time.Second, "exceed the rate limit"},
		{"rate limited while streaming", anthropicstub.RateLimited(), true, model.ErrRateLimited, "rate_limit_error", true, 2 * time.Second, "exceed the rate limit"},
		{"overloaded", anthropicstub.Overloaded(), false, model.ErrUnavailable, "overloaded_error", true, 0, "Overloaded"},
		{"overloaded while streaming", anthropicstub.Overloaded(), true, model.ErrUnavailable, "overloaded_error", true, 0, "Overloaded"},
		{"server error", anthropicstub.ServerError(), false, model.ErrUnavailable, "api_error", true, 0, "Internal server error"},
		{"gateway timeout", anthropicstub.ErrorReply(http.StatusGatewayTimeout, "timeout_error", "upstream <html>"), false, model.ErrUnavailable, "timeout_error", true, 0, "upstream"},
		{"prompt too long", anthropicstub.PromptTooLong(), false, model.ErrContextLength, "invalid_request_error", false, 0, "212345"},
		{"out of credit", anthropicstub.CreditTooLow(), false, model.ErrQuotaExceeded, "invalid_request_error", false, 0, "credit balance"},
		{"request too large", anthropicstub.ErrorReply(http.StatusRequestEntityTooLarge, "request_too_large", "Request exceeds the maximum size"), false, model.ErrContextLength, "request_too_large", false, 0, "maximum size"},
		{"unknown model", anthropicstub.ErrorReply(http.StatusNotFound, "not_found_error", "model: claude-9"), false, model.ErrInvalidRequest, "not_found_error", false, 0, "claude-9"},
		{"bad request", anthropicstub.ErrorReply(http.StatusBadRequest, "invalid_request_error", "messages.0.content: secret order 1042"), false, model.ErrInvalidRequest, "invalid_request_error", false, 0, "1042"},
		{"forbidden", anthropicstub.ErrorReply(http.StatusForbidden, "permission_error", "Your API key does not have permission"), false, model.ErrAuth, "permission_error", false, 0, "does not have"},
		{"overloaded event mid-stream", midStream("overloaded_error", "Overloaded"), true, model.ErrUnavailable, "overloaded_error", true, 0, "Overloaded"},
		{"rate limit event mid-stream", midStream("rate_limit_error", "Slow down please"), true, model.ErrRateLimited, "rate_limit_error", true, 0, "Slow down"},
		{"connection dropped mid-stream", anthropicstub.Reply{Text: "We shipped it on Monday morning", Cut: &anthropicstub.Cut{After: 4, Mode: anthropicstub.CutAbort}}, true, model.ErrUnavailable, "", true, 0, ""},
		{"stream ended before message_stop", anthropicstub.Reply{Text: "We shipped it on Monday morning", Cut: &anthropicstub.Cut{After: 6, Mode: anthropicstub.CutEnd}}, true, model.ErrUnavailable, "", true, 0, ""},
		{"stream ended after message_delta", anthropicstub.Reply{Text: "We shipped it", Cut: &anthropicstub.Cut{After: 8, Mode: anthropicstub.CutEnd}}, true, model.ErrUnavailable, "", true, 0, ""},
		{"tool input cut short", anthropicstub.Reply{ToolCalls: []anthropicstub.Call{{Name: "order_status", Input: `{"order":"FR-10`}}, StopReason: "max_tokens"}, true, model.ErrMalformedResponse, "", true, 0, "FR-10"},
		{"tool_use stop without a call", anthropicstub.Reply{Text: "Let me check", StopReason: "tool_use"}, false, model.ErrMalformedResponse, "", true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := anthropicstub.New(t)
			s.Enqueue(tt.reply)
			m := newModel(t, s, nil)
			req := model.Request{Messages: ask("Where is my order?"), Tools: orderTools}
			var streamed []string
			if tt.stream {
				req.OnText = collect(&streamed)
			}
			resp, err := m.Generate(context.Background(), req)
			if !errors.Is(err, tt.wantKind) {
				t.Fatalf("Generate = %+v, %v; want %v", resp, err, tt.wantKind)
			}
			if got := model.Retryable(err); got != tt.retryable {
				t.Errorf("Retryable(%v) = %v, want %v", err, got, tt.retryable)
			}
			if got := model.RetryAfter(err); got != tt.wantAfter {
				t.Errorf("RetryAfter = %v, want %v", got, tt.wantAfter)
			}
			var e *model.Error
			if !errors.As(err, &e) || e.Provider != "anthropic" || e.Code != tt.wantCode {
				t.Errorf("error %#v, want provider anthropic and code %q", e, tt.wantCode)
			}
			if tt.leak != "" && strings.Contains(err.Error(), tt.leak) {
				t.Errorf("error %q repeats the provider's words", err)
			}
		})
	}
}

func TestGenerateWrongKey(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	s.RequireAPIKey("sk-ant-right")
	_, err := newModel(t, s, func(c *anthropic.Config) { c.APIKey = "sk-ant-wrong" }).Generate(context.Background(), model.Request{Messages: ask("hi")})
	var e *model.Error
	if !errors.Is(err, model.ErrAuth) || !errors.As(err, &e) || e.Status != http.StatusUnauthorized || e.Code != "authentication_error" || model.Retryable(err) {
		t.Errorf("Generate = %v, want a permanent ErrAuth with status 401 and code authentication_error", err)
	}
	if strings.Contains(err.Error(), "x-api-key") {
		t.Errorf("error %q repeats the provider's message", err)
	}
}

func TestGenerateCancellation(t *testing.T) {
	t.Parallel()
	stalled := anthropicstub.Reply{Text: "Votre colis est en route vers Marseille depuis hier soir.", Cut: &anthropicstub.Cut{After: 5, Mode: anthropicstub.CutStall}}

	t.Run("caller cancels mid-stream", func(t *testing.T) {
		t.Parallel()
		s := anthropicstub.New(t)
		s.Enqueue(stalled)
		m := newModel(t, s, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var deltas []string
		start := time.Now()
		_, err := m.Generate(ctx, model.Request{Messages: ask("Où est mon colis ?"), OnText: func(_ context.Context, d string) error {
			deltas = append(deltas, d)
			if len(deltas) == 2 { // the stub stalls after this delta
				go func() { time.Sleep(20 * time.Millisecond); cancel() }()
			}
			return nil
		}})
		if !errors.Is(err, context.Canceled) || model.Retryable(err) {
			t.Fatalf("Generate = %v, want context.Canceled, not retryable", err)
		}
		if len(deltas) != 2 {
			t.Errorf("OnText saw %q before the stall", deltas)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Generate took %v to notice the cancellation", d)
		}
	})

	t.Run("adapter timeout mid-stream", func(t *testing.T) {
		t.Parallel()
		s := anthropicstub.New(t)
		s.Enqueue(stalled)
		m := newModel(t, s, func(c *anthropic.Config) { c.Timeout = 200 * time.Millisecond })
		_, err := m.Generate(context.Background(), model.Request{Messages: ask("Où est mon colis ?"), OnText: func(context.Context, string) error { return nil }})
		if !errors.Is(err, model.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) || !model.Retryable(err) {
			t.Fatalf("Generate = %v, want retryable ErrUnavailable caused by the deadline", err)
		}
	})

	t.Run("adapter timeout before any answer", func(t *testing.T) {
		t.Parallel()
		s := anthropicstub.New(t)
		s.Enqueue(stalled)
		m := newModel(t, s, func(c *anthropic.Config) { c.Timeout = 200 * time.Millisecond })
		_, err := m.Generate(context.Background(), model.Request{Messages: ask("Où est mon colis ?")})
		if !errors.Is(err, model.ErrUnavailable) || !model.Retryable(err) {
			t.Fatalf("Generate = %v, want retryable ErrUnavailable", err)
		}
	})

	t.Run("consumer stops the stream", func(t *testing.T) {
		t.Parallel()
		s := anthropicstub.New(t)
		s.Enqueue(anthropicstub.Reply{Text: "one two three four five six"})
		m := newModel(t, s, nil)
		errClientGone := errors.New("widget disconnected")
		calls := 0
		_, err := m.Generate(context.Background(), model.Request{Messages: ask("hi"), OnText: func(context.Context, string) error {
			calls++
			if calls == 2 {
				return errClientGone
			}
			return nil
		}})
		if !errors.Is(err, errClientGone) || calls != 2 {
			t.Fatalf("Generate = %v after %d deltas, want the consumer's error after 2", err, calls)
		}
	})
}

func TestGenerateRejectsInvalidRequestLocally(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	m := newModel(t, s, nil)
	for name, req := range map[string]model.Request{
		"orphan tool result":   {Messages: append(ask("hi"), model.Message{Role: model.RoleTool, ToolCallID: "toolu_404", Text: "{}"})},
		"temperature above 1":  {Messages: ask("hi"), Temperature: 1.5},
		"only a system prompt": {Messages: []model.Message{{Role: model.RoleSystem, Text: systemPrompt}}},
		"empty user message":   {Messages: ask("")},
		"blank user message":   {Messages: ask(" \n ")},
	} {
		_, err := m.Generate(context.Background(), req)
		if !errors.Is(err, model.ErrInvalidRequest) || model.Retryable(err) {
			t.Errorf("%s: Generate = %v, want permanent ErrInvalidRequest", name, err)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("an invalid request reached the provider (%d requests)", n)
	}
}

// TestGenerateConcurrently shares one Model between goroutines, for the
// race detector: each call keeps its own probe and stream state.
func TestGenerateConcurrently(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	s.Always(anthropicstub.Reply{Text: "Your parcel is in Lyon.", ToolCalls: []anthropicstub.Call{{Name: "track_parcel", Input: `{"parcel":"6A1"}`}}})
	m := newModel(t, s, nil)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			req := model.Request{Messages: ask("Where is my parcel?"), Tools: orderTools}
			var deltas []string
			if i%2 == 0 {
				req.OnText = collect(&deltas)
			}
			resp, err := m.Generate(context.Background(), req)
			if err == nil && (resp.Text != "Your parcel is in Lyon." || len(resp.ToolCalls) != 1) {
				err = errors.New("wrong answer: " + resp.Text)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	s.Enqueue(anthropicstub.Reply{Text: "ok"})

	m := newModel(t, s, func(c *anthropic.Config) { c.APIKey = ""; c.BaseURL = s.URL() + "/" })
	if _, err := m.Generate(context.Background(), model.Request{Messages: ask("hi")}); err != nil {
		t.Fatal(err)
	}
	if h := s.Requests()[0].Header; h.Get("X-Api-Key") != "" {
		t.Errorf("no key configured, but x-api-key = %q", h.Get("X-Api-Key"))
	}

	for _, bad := range []anthropic.Config{
		{BaseURL: s.URL()},
		{BaseURL: "api.anthropic.com/v1", Model: claude},
		{BaseURL: "ftp://example.com/v1", Model: claude},
		{Model: claude, Timeout: -time.Second},
	} {
		if _, err := anthropic.New(bad); err == nil {
			t.Errorf("New(%+v) succeeded, want an error", bad)
		}
	}
}

// TestEnvironmentIgnored checks that langchaingo's ANTHROPIC_API_KEY
// fallback cannot leak a key. It cannot run in parallel.
func TestEnvironmentIgnored(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-from-env")
	s := anthropicstub.New(t)
	s.Enqueue(anthropicstub.Reply{Text: "ok"})
	m := newModel(t, s, func(c *anthropic.Config) { c.APIKey = "" })
	if _, err := m.Generate(context.Background(), model.Request{Messages: ask("hi")}); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if r := s.Requests()[0]; r.Model != claude || r.Header.Get("X-Api-Key") != "" {
		t.Errorf("model %q, x-api-key %q", r.Model, r.Header.Get("X-Api-Key"))
	}
}
