package anthropic_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/anthropic"
	"github.com/attache-dev/attache/agents/model/internal/adaptertest"
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

const systemPrompt = adaptertest.SystemPrompt

var (
	ask = adaptertest.Ask
	// orderTools adds a tool without parameters, which Anthropic still
	// needs an input schema for.
	orderTools = append(adaptertest.OrderTools(), model.Tool{Name: "handoff", Description: "Hand the conversation to a human."})
	jsonEqual  = adaptertest.JSONEqual
	collect    = adaptertest.Collect
)

// fixture binds the tests every adapter shares to this one and anthropicstub.
var fixture = adaptertest.Fixture[anthropicstub.Reply]{
	Provider: "anthropic",
	Tools:    orderTools,
	Start: func(t *testing.T, timeout time.Duration) (adaptertest.Stub[anthropicstub.Reply], model.Model, func() int) {
		s := anthropicstub.New(t)
		return s, newModel(t, s, func(c *anthropic.Config) { c.Timeout = timeout }), func() int { return len(s.Requests()) }
	},
	Text: func(text string) anthropicstub.Reply { return anthropicstub.Reply{Text: text} },
	// message_start, content_block_start, ping, then two text deltas.
	Stalled: func(text string) anthropicstub.Reply {
		return anthropicstub.Reply{Text: text, Cut: &anthropicstub.Cut{After: 5, Mode: anthropicstub.CutStall}}
	},
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

	resp, deltas := adaptertest.Generate(t, m, model.Request{Messages: ask("Wo ist meine Bestellung?")}, true)
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
		adaptertest.PlainAndStreamed(t, tt.name, func(t *testing.T, stream bool) {
			s := anthropicstub.New(t)
			s.Enqueue(tt.reply)
			m := newModel(t, s, nil)
			req := model.Request{Messages: ask("Where are order FR-1042 and parcel 6A1234567890?"), Tools: orderTools}
			resp, deltas := adaptertest.Generate(t, m, req, stream)
			var wantDeltas []string
			if stream {
				wantDeltas = anthropicstub.Deltas(tt.wantText)
			}
			adaptertest.CheckToolAnswer(t, resp, deltas, tt.want, tt.wantText, wantDeltas)

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
		name := tt.reply.StopReason
		if name == "" {
			name = "no content"
		}
		adaptertest.PlainAndStreamed(t, name, func(t *testing.T, stream bool) {
			s := anthropicstub.New(t)
			s.Enqueue(tt.reply)
			resp, deltas := adaptertest.Generate(t, newModel(t, s, nil), model.Request{Messages: ask("Where is my order?")}, stream)
			if !reflect.DeepEqual(resp, tt.want) {
				t.Errorf("response = %+v, want %+v", resp, tt.want)
			}
			if stream && strings.Join(deltas, "") != tt.want.Text {
				t.Errorf("OnText saw %q", deltas)
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	midStream := func(errType, msg string) anthropicstub.Reply {
		return anthropicstub.Reply{Text: "We shipped it on Monday morning", Error: anthropicstub.APIError{Type: errType, Message: msg},
			Cut: &anthropicstub.Cut{After: 4, Mode: anthropicstub.CutError}}
	}
	tests := []adaptertest.ErrorCase[anthropicstub.Reply]{
		{Name: "rate limited", Reply: anthropicstub.RateLimited(), Kind: model.ErrRateLimited, Code: "rate_limit_error", Retryable: true, After: 2 * time.Second, Leak: "exceed the rate limit"},
		{Name: "rate limited while streaming", Reply: anthropicstub.RateLimited(), Stream: true, Kind: model.ErrRateLimited, Code: "rate_limit_error", Retryable: true, After: 2 * time.Second, Leak: "exceed the rate limit"},
		{Name: "overloaded", Reply: anthropicstub.Overloaded(), Kind: model.ErrUnavailable, Code: "overloaded_error", Retryable: true, Leak: "Overloaded"},
		{Name: "overloaded while streaming", Reply: anthropicstub.Overloaded(), Stream: true, Kind: model.ErrUnavailable, Code: "overloaded_error", Retryable: true, Leak: "Overloaded"},
		{Name: "server error", Reply: anthropicstub.ServerError(), Kind: model.ErrUnavailable, Code: "api_error", Retryable: true, Leak: "Internal server error"},
		{Name: "gateway timeout", Reply: anthropicstub.ErrorReply(http.StatusGatewayTimeout, "timeout_error", "upstream <html>"), Kind: model.ErrUnavailable, Code: "timeout_error", Retryable: true, Leak: "upstream"},
		{Name: "prompt too long", Reply: anthropicstub.PromptTooLong(), Kind: model.ErrContextLength, Code: "invalid_request_error", Leak: "212345"},
		{Name: "out of credit", Reply: anthropicstub.CreditTooLow(), Kind: model.ErrQuotaExceeded, Code: "invalid_request_error", Leak: "credit balance"},
		{Name: "request too large", Reply: anthropicstub.ErrorReply(http.StatusRequestEntityTooLarge, "request_too_large", "Request exceeds the maximum size"), Kind: model.ErrContextLength, Code: "request_too_large", Leak: "maximum size"},
		{Name: "unknown model", Reply: anthropicstub.ErrorReply(http.StatusNotFound, "not_found_error", "model: claude-9"), Kind: model.ErrInvalidRequest, Code: "not_found_error", Leak: "claude-9"},
		{Name: "bad request", Reply: anthropicstub.ErrorReply(http.StatusBadRequest, "invalid_request_error", "messages.0.content: secret order 1042"), Kind: model.ErrInvalidRequest, Code: "invalid_request_error", Leak: "1042"},
		{Name: "forbidden", Reply: anthropicstub.ErrorReply(http.StatusForbidden, "permission_error", "Your API key does not have permission"), Kind: model.ErrAuth, Code: "permission_error", Leak: "does not have"},
		{Name: "overloaded event mid-stream", Reply: midStream("overloaded_error", "Overloaded"), Stream: true, Kind: model.ErrUnavailable, Code: "overloaded_error", Retryable: true, Leak: "Overloaded"},
		{Name: "rate limit event mid-stream", Reply: midStream("rate_limit_error", "Slow down please"), Stream: true, Kind: model.ErrRateLimited, Code: "rate_limit_error", Retryable: true, Leak: "Slow down"},
		{Name: "connection dropped mid-stream", Reply: anthropicstub.Reply{Text: "We shipped it on Monday morning", Cut: &anthropicstub.Cut{After: 4, Mode: anthropicstub.CutAbort}}, Stream: true, Kind: model.ErrUnavailable, Retryable: true},
		{Name: "stream ended before message_stop", Reply: anthropicstub.Reply{Text: "We shipped it on Monday morning", Cut: &anthropicstub.Cut{After: 6, Mode: anthropicstub.CutEnd}}, Stream: true, Kind: model.ErrUnavailable, Retryable: true},
		{Name: "stream ended after message_delta", Reply: anthropicstub.Reply{Text: "We shipped it", Cut: &anthropicstub.Cut{After: 8, Mode: anthropicstub.CutEnd}}, Stream: true, Kind: model.ErrUnavailable, Retryable: true},
		{Name: "tool input cut short", Reply: anthropicstub.Reply{ToolCalls: []anthropicstub.Call{{Name: "order_status", Input: `{"order":"FR-10`}}, StopReason: "max_tokens"}, Stream: true, Kind: model.ErrMalformedResponse, Retryable: true, Leak: "FR-10"},
		{Name: "tool_use stop without a call", Reply: anthropicstub.Reply{Text: "Let me check", StopReason: "tool_use"}, Kind: model.ErrMalformedResponse, Retryable: true},
	}
	adaptertest.Errors(t, fixture, tests)
}

func TestGenerateWrongKey(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	s.RequireAPIKey("sk-ant-right")
	_, err := newModel(t, s, func(c *anthropic.Config) { c.APIKey = "sk-ant-wrong" }).Generate(context.Background(), model.Request{Messages: ask("hi")})
	adaptertest.WrongKey(t, err, "authentication_error", "x-api-key")
}

func TestGenerateCancellation(t *testing.T) { adaptertest.Cancellation(t, fixture) }

func TestGenerateRejectsInvalidRequestLocally(t *testing.T) {
	adaptertest.RejectsLocally(t, fixture, map[string]model.Request{
		"temperature above 1":  {Messages: ask("hi"), Temperature: 1.5},
		"only a system prompt": {Messages: []model.Message{{Role: model.RoleSystem, Text: systemPrompt}}},
		"empty user message":   {Messages: ask("")},
		"blank user message":   {Messages: ask(" \n ")},
	})
}

// TestGenerateConcurrently shares one Model between goroutines, for the
// race detector: each call keeps its own probe and stream state.
func TestGenerateConcurrently(t *testing.T) {
	adaptertest.Concurrently(t, fixture, anthropicstub.Reply{Text: "Your parcel is in Lyon.", ToolCalls: []anthropicstub.Call{{Name: "track_parcel", Input: `{"parcel":"6A1"}`}}})
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
