package openai_test

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
	"github.com/attache-dev/attache/agents/model/internal/adaptertest"
	"github.com/attache-dev/attache/agents/model/openai"
	"github.com/attache-dev/attache/internal/testutil/openaistub"
)

func newModel(t *testing.T, s *openaistub.Server, mod func(*openai.Config)) *openai.Model {
	t.Helper()
	cfg := openai.Config{BaseURL: s.URL(), APIKey: "sk-test", Model: "gpt-4o-mini"}
	if mod != nil {
		mod(&cfg)
	}
	m, err := openai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var (
	ask        = adaptertest.Ask
	orderTools = adaptertest.OrderTools()
	jsonEqual  = adaptertest.JSONEqual
)

// fixture binds the tests every adapter shares to this one and openaistub.
var fixture = adaptertest.Fixture[openaistub.Reply]{
	Provider: "openai",
	Tools:    orderTools,
	Start: func(t *testing.T, timeout time.Duration) (adaptertest.Stub[openaistub.Reply], model.Model, func() int) {
		s := openaistub.New(t)
		return s, newModel(t, s, func(c *openai.Config) { c.Timeout = timeout }), func() int { return len(s.Requests()) }
	},
	Text: func(text string) openaistub.Reply { return openaistub.Reply{Text: text} },
	// The role chunk, then two text deltas.
	Stalled: func(text string) openaistub.Reply {
		return openaistub.Reply{Text: text, Cut: &openaistub.Cut{After: 3, Mode: openaistub.CutStall}}
	},
}

func TestGeneratePlainCompletion(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	s.RequireAPIKey("sk-test")
	s.Enqueue(openaistub.Reply{
		Text:  "Your order left our warehouse this morning.",
		Usage: &openaistub.Usage{PromptTokens: 31, CompletionTokens: 9, TotalTokens: 40},
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
	if r.Model != "gpt-4o-mini" || r.Stream || r.StreamOptions != nil || len(r.Tools) != 0 {
		t.Errorf("request model=%q stream=%v stream_options=%v tools=%d", r.Model, r.Stream, r.StreamOptions, len(r.Tools))
	}
	if r.Temperature == nil || *r.Temperature != 0.2 || r.MaxCompletionTokens == nil || *r.MaxCompletionTokens != 300 || r.MaxTokens != nil {
		t.Errorf("request temperature=%v max_completion_tokens=%v max_tokens=%v", r.Temperature, r.MaxCompletionTokens, r.MaxTokens)
	}
	var roles, texts []string
	for _, msg := range r.Messages {
		roles = append(roles, msg.Role)
		texts = append(texts, msg.Text())
	}
	if !slices.Equal(roles, []string{"system", "user"}) || texts[1] != "Where is my order?" {
		t.Errorf("messages roles=%q texts=%q", roles, texts)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer sk-test" {
		t.Errorf("Authorization = %q", got)
	}
}

func TestGenerateStreamsText(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	const text = "Ihre Bestellung wurde heute Morgen versandt; die Sendungsnummer folgt per E-Mail."
	s.Enqueue(openaistub.Reply{Text: text, Usage: &openaistub.Usage{PromptTokens: 20, CompletionTokens: 17, TotalTokens: 37}})
	m := newModel(t, s, nil)

	resp, deltas := adaptertest.Generate(t, m, model.Request{Messages: ask("Wo ist meine Bestellung?")}, true)
	if want := openaistub.Deltas(text); !slices.Equal(deltas, want) {
		t.Errorf("OnText deltas = %q, want %q", deltas, want)
	}
	if resp.Text != strings.Join(deltas, "") || resp.Text != text {
		t.Errorf("Text = %q, deltas join to %q", resp.Text, strings.Join(deltas, ""))
	}
	if resp.StopReason != model.StopEnd || resp.Usage != (model.Usage{InputTokens: 20, OutputTokens: 17}) {
		t.Errorf("stop=%q usage=%+v", resp.StopReason, resp.Usage)
	}
	r := s.Requests()[0]
	if !r.Stream || r.StreamOptions == nil || !r.StreamOptions.IncludeUsage {
		t.Errorf("request stream=%v stream_options=%+v, want streaming with usage", r.Stream, r.StreamOptions)
	}
}

func TestGenerateToolCalls(t *testing.T) {
	t.Parallel()
	one := []openaistub.Call{{ID: "call_1", Name: "order_status", Arguments: `{"order":"FR-1042"}`}}
	two := []openaistub.Call{
		{ID: "call_1", Name: "order_status", Arguments: `{"order":"FR-1042"}`},
		{ID: "call_2", Name: "track_parcel", Arguments: `{"parcel":"6A1234567890"}`},
	}
	tests := []struct {
		name   string
		reply  openaistub.Reply
		stream bool
		want   []model.ToolCall
		// wantText is what OnText must see (streamed cases).
		wantText []string
	}{
		{name: "one call", reply: openaistub.Reply{ToolCalls: one}, want: toModel(one)},
		{name: "parallel calls", reply: openaistub.Reply{ToolCalls: two}, want: toModel(two)},
		{name: "one call streamed", reply: openaistub.Reply{ToolCalls: one}, stream: true, want: toModel(one)},
		{name: "parallel calls streamed", reply: openaistub.Reply{ToolCalls: two}, stream: true, want: toModel(two)},
		{
			name:     "text then parallel calls streamed",
			reply:    openaistub.Reply{Text: "Let me check both for you.", ToolCalls: two},
			stream:   true,
			want:     toModel(two),
			wantText: openaistub.Deltas("Let me check both for you."),
		},
		{
			name:   "arguments with non-ASCII and escapes streamed",
			reply:  openaistub.Reply{ToolCalls: []openaistub.Call{{ID: "call_9", Name: "order_status", Arguments: `{"order":"東京-55 \"A\" <1>"}`}}},
			stream: true,
			want:   []model.ToolCall{{ID: "call_9", Name: "order_status", Arguments: json.RawMessage(`{"order":"東京-55 \"A\" <1>"}`)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := openaistub.New(t)
			s.Enqueue(tt.reply)
			m := newModel(t, s, nil)
			req := model.Request{Messages: ask("Where are order FR-1042 and parcel 6A1234567890?"), Tools: orderTools}
			resp, deltas := adaptertest.Generate(t, m, req, tt.stream)
			adaptertest.CheckToolAnswer(t, resp, deltas, tt.want, strings.Join(tt.wantText, ""), tt.wantText)

			sent := s.Requests()[0]
			if len(sent.Tools) != len(orderTools) {
				t.Fatalf("sent %d tools, want %d", len(sent.Tools), len(orderTools))
			}
			for i, tool := range sent.Tools {
				if tool.Type != "function" || tool.Function.Name != orderTools[i].Name || tool.Function.Description != orderTools[i].Description ||
					!jsonEqual(t, string(tool.Function.Parameters), string(orderTools[i].Parameters)) {
					t.Errorf("tool %d sent as %+v", i, tool)
				}
			}
		})
	}
}

func toModel(calls []openaistub.Call) []model.ToolCall {
	out := make([]model.ToolCall, len(calls))
	for i, c := range calls {
		out[i] = model.ToolCall{ID: c.ID, Name: c.Name, Arguments: json.RawMessage(c.Arguments)}
	}
	return out
}

func TestGenerateToolResultRoundTrip(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	s.Enqueue(openaistub.Reply{Text: "Order FR-1042 shipped; parcel 6A1234567890 is out for delivery."})
	m := newModel(t, s, nil)

	msgs := append(ask("Where are order FR-1042 and parcel 6A1234567890?"),
		model.Message{Role: model.RoleAssistant, ToolCalls: []model.ToolCall{
			{ID: "call_1", Name: "order_status", Arguments: json.RawMessage(`{"order":"FR-1042"}`)},
			{ID: "call_2", Name: "track_parcel", Arguments: json.RawMessage(`{"parcel":"6A1234567890"}`)},
		}},
		model.Message{Role: model.RoleTool, ToolCallID: "call_1", Text: `{"status":"shipped"}`},
		model.Message{Role: model.RoleTool, ToolCallID: "call_2", Text: `{"status":"out_for_delivery"}`},
	)
	resp, err := m.Generate(context.Background(), model.Request{Messages: msgs, Tools: orderTools})
	if err != nil {
		t.Fatalf("Generate: %v (a 400 here means the request broke OpenAI's tool protocol)", err)
	}
	if resp.Text == "" || len(resp.ToolCalls) != 0 {
		t.Errorf("response = %+v", resp)
	}

	sent := s.Requests()[0]
	if sent.Status != http.StatusOK || len(sent.Messages) != 5 {
		t.Fatalf("stub answered %d to %d messages", sent.Status, len(sent.Messages))
	}
	a := sent.Messages[2]
	if a.Role != "assistant" || a.Text() != "" || len(a.ToolCalls) != 2 {
		t.Fatalf("assistant message sent as %+v", a)
	}
	for i, want := range []openaistub.ToolCall{
		{ID: "call_1", Type: "function", Function: openaistub.FunctionCall{Name: "order_status", Arguments: `{"order":"FR-1042"}`}},
		{ID: "call_2", Type: "function", Function: openaistub.FunctionCall{Name: "track_parcel", Arguments: `{"parcel":"6A1234567890"}`}},
	} {
		got := a.ToolCalls[i]
		if got.ID != want.ID || got.Type != want.Type || got.Function.Name != want.Function.Name || !jsonEqual(t, got.Function.Arguments, want.Function.Arguments) {
			t.Errorf("tool_calls[%d] = %+v, want %+v", i, got, want)
		}
	}
	// The arguments travel as a JSON string, not an object.
	if !strings.Contains(string(sent.Body), `"arguments":"{\"order\":\"FR-1042\"}"`) {
		t.Errorf("arguments not sent as a JSON string: %s", sent.Body)
	}
	for i, want := range []struct{ id, content string }{{"call_1", `{"status":"shipped"}`}, {"call_2", `{"status":"out_for_delivery"}`}} {
		got := sent.Messages[3+i]
		if got.Role != "tool" || got.ToolCallID != want.id || got.Text() != want.content {
			t.Errorf("tool message %d = role %q id %q content %q", i, got.Role, got.ToolCallID, got.Text())
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	adaptertest.Errors(t, fixture, []adaptertest.ErrorCase[openaistub.Reply]{
		{Name: "rate limited", Reply: openaistub.RateLimited(), Kind: model.ErrRateLimited, Code: "rate_limit_exceeded", Retryable: true, After: 2 * time.Second, Leak: "Rate limit reached"},
		{Name: "rate limited while streaming", Reply: openaistub.RateLimited(), Stream: true, Kind: model.ErrRateLimited, Code: "rate_limit_exceeded", Retryable: true, After: 2 * time.Second, Leak: "Rate limit reached"},
		{Name: "server error", Reply: openaistub.ServerError(), Kind: model.ErrUnavailable, Code: "server_error", Retryable: true, Leak: "Sorry about that"},
		{Name: "bad gateway", Reply: openaistub.ErrorReply(http.StatusBadGateway, openaistub.APIError{Message: "upstream <html>", Type: "server_error"}), Kind: model.ErrUnavailable, Code: "server_error", Retryable: true, Leak: "upstream"},
		{Name: "quota exhausted", Reply: openaistub.QuotaExceeded(), Kind: model.ErrQuotaExceeded, Code: "insufficient_quota", Leak: "billing details"},
		{Name: "context too long", Reply: openaistub.ContextLengthExceeded(), Kind: model.ErrContextLength, Code: "context_length_exceeded", Leak: "128000"},
		{Name: "vLLM context too long", Reply: openaistub.ErrorReply(http.StatusBadRequest, openaistub.APIError{Message: "This model's maximum context length is 4096 tokens.", Type: "BadRequestError"}), Kind: model.ErrContextLength, Code: "BadRequestError", Leak: "4096"},
		{Name: "unknown model", Reply: openaistub.ErrorReply(http.StatusNotFound, openaistub.APIError{Message: "The model `gpt-9` does not exist", Type: "invalid_request_error", Code: "model_not_found"}), Kind: model.ErrInvalidRequest, Code: "model_not_found", Leak: "gpt-9"},
		{Name: "forbidden", Reply: openaistub.ErrorReply(http.StatusForbidden, openaistub.APIError{Message: "Project does not have access", Type: "invalid_request_error"}), Kind: model.ErrAuth, Code: "invalid_request_error", Leak: "Project"},
		{Name: "error event mid-stream", Reply: openaistub.Reply{Text: "We shipped it on Monday morning", Error: openaistub.APIError{Message: "overloaded", Type: "server_error"}, Cut: &openaistub.Cut{After: 3, Mode: openaistub.CutError}}, Stream: true, Kind: model.ErrUnavailable, Retryable: true, Leak: "overloaded"},
		{Name: "connection dropped mid-stream", Reply: openaistub.Reply{Text: "We shipped it on Monday morning", Cut: &openaistub.Cut{After: 3, Mode: openaistub.CutAbort}}, Stream: true, Kind: model.ErrUnavailable, Retryable: true},
		{Name: "tool arguments not JSON", Reply: openaistub.Reply{ToolCalls: []openaistub.Call{{Name: "order_status", Arguments: `{"order":"FR-10`}}, FinishReason: "length"}, Kind: model.ErrMalformedResponse, Retryable: true},
	})
}

func TestGenerateWrongKey(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	s.RequireAPIKey("sk-right")
	_, err := newModel(t, s, func(c *openai.Config) { c.APIKey = "sk-wrong" }).Generate(context.Background(), model.Request{Messages: ask("hi")})
	adaptertest.WrongKey(t, err, "invalid_api_key", "Incorrect API key")
}

func TestGenerateCancellation(t *testing.T) { adaptertest.Cancellation(t, fixture) }

func TestGenerateRejectsInvalidRequestLocally(t *testing.T) {
	adaptertest.RejectsLocally(t, fixture, nil)
}

// TestGenerateConcurrently shares one Model between goroutines, for the
// race detector: each call keeps its own probe and stream filter.
func TestGenerateConcurrently(t *testing.T) {
	adaptertest.Concurrently(t, fixture, openaistub.Reply{Text: "Your parcel is in Lyon.", ToolCalls: []openaistub.Call{{Name: "track_parcel", Arguments: `{"parcel":"6A1"}`}}})
}

func TestConfig(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	s.Enqueue(openaistub.Reply{Text: "ok"}, openaistub.Reply{Text: "ok"})

	t.Run("no key sends no Authorization", func(t *testing.T) {
		m := newModel(t, s, func(c *openai.Config) { c.APIKey = "" })
		if _, err := m.Generate(context.Background(), model.Request{Messages: ask("hi")}); err != nil {
			t.Fatal(err)
		}
		if h := s.Requests()[0].Header; h.Get("Authorization") != "" || h.Get("OpenAI-Organization") != "" {
			t.Errorf("headers = %v", h)
		}
	})
	t.Run("legacy max_tokens", func(t *testing.T) {
		m := newModel(t, s, func(c *openai.Config) { c.LegacyMaxTokens = true })
		if _, err := m.Generate(context.Background(), model.Request{Messages: ask("hi"), MaxTokens: 64}); err != nil {
			t.Fatal(err)
		}
		if r := s.Requests()[1]; r.MaxTokens == nil || *r.MaxTokens != 64 || r.MaxCompletionTokens != nil {
			t.Errorf("max_tokens=%v max_completion_tokens=%v", r.MaxTokens, r.MaxCompletionTokens)
		}
	})

	for _, bad := range []openai.Config{
		{BaseURL: s.URL()},
		{BaseURL: "localhost:11434/v1", Model: "llama3.1"},
		{BaseURL: "ftp://example.com/v1", Model: "m"},
		{Model: "m", Timeout: -time.Second},
	} {
		if _, err := openai.New(bad); err == nil {
			t.Errorf("New(%+v) succeeded, want an error", bad)
		}
	}
}

// TestEnvironmentIgnored checks that langchaingo's OPENAI_* fallbacks
// cannot redirect requests or leak a key. It cannot run in parallel.
func TestEnvironmentIgnored(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-from-env")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
	t.Setenv("OPENAI_ORGANIZATION", "org-from-env")
	t.Setenv("OPENAI_MODEL", "model-from-env")
	s := openaistub.New(t)
	s.Enqueue(openaistub.Reply{Text: "ok"})
	m := newModel(t, s, func(c *openai.Config) { c.APIKey = "" })
	if _, err := m.Generate(context.Background(), model.Request{Messages: ask("hi")}); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	r := s.Requests()[0]
	if r.Model != "gpt-4o-mini" || r.Header.Get("Authorization") != "" || r.Header.Get("OpenAI-Organization") != "" {
		t.Errorf("model %q, headers %v", r.Model, r.Header)
	}
}
