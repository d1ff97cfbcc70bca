package openai_test

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

func ask(text string) []model.Message {
	return []model.Message{
		{Role: model.RoleSystem, Text: "You are the support agent of a shop shipping from Lyon."},
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

	var deltas []string
	resp, err := m.Generate(context.Background(), model.Request{
		Messages: ask("Wo ist meine Bestellung?"),
		OnText: func(_ context.Context, d string) error {
			deltas = append(deltas, d)
			return nil
		},
	})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
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
			var deltas []string
			if tt.stream {
				req.OnText = func(_ context.Context, d string) error {
					deltas = append(deltas, d)
					return nil
				}
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
			if !slices.Equal(deltas, tt.wantText) {
				t.Errorf("OnText saw %q, want %q (tool-call JSON must not leak)", deltas, tt.wantText)
			}
			if resp.Text != strings.Join(tt.wantText, "") {
				t.Errorf("Text = %q", resp.Text)
			}

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

func describe(calls []model.ToolCall) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString(c.ID + ":" + c.Name + string(c.Arguments) + " ")
	}
	return b.String()
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
	t.Parallel()
	tests := []struct {
		name      string
		reply     openaistub.Reply
		stream    bool
		wantKind  error
		retryable bool
		wantAfter time.Duration
		leak      string // provider text that must not appear in the error
	}{
		{"rate limited", openaistub.RateLimited(), false, model.ErrRateLimited, true, 2 * time.Second, "Rate limit reached"},
		{"rate limited while streaming", openaistub.RateLimited(), true, model.ErrRateLimited, true, 2 * time.Second, "Rate limit reached"},
		{"server error", openaistub.ServerError(), false, model.ErrUnavailable, true, 0, "Sorry about that"},
		{"bad gateway", openaistub.ErrorReply(http.StatusBadGateway, openaistub.APIError{Message: "upstream <html>", Type: "server_error"}), false, model.ErrUnavailable, true, 0, "upstream"},
		{"quota exhausted", openaistub.QuotaExceeded(), false, model.ErrQuotaExceeded, false, 0, "billing details"},
		{"context too long", openaistub.ContextLengthExceeded(), false, model.ErrContextLength, false, 0, "128000"},
		{"vLLM context too long", openaistub.ErrorReply(http.StatusBadRequest, openaistub.APIError{Message: "This model's maximum context length is 4096 tokens.", Type: "BadRequestError"}), false, model.ErrContextLength, false, 0, "4096"},
		{"unknown model", openaistub.ErrorReply(http.StatusNotFound, openaistub.APIError{Message: "The model `gpt-9` does not exist", Type: "invalid_request_error", Code: "model_not_found"}), false, model.ErrInvalidRequest, false, 0, "gpt-9"},
		{"forbidden", openaistub.ErrorReply(http.StatusForbidden, openaistub.APIError{Message: "Project does not have access", Type: "invalid_request_error"}), false, model.ErrAuth, false, 0, "Project"},
		{"error event mid-stream", openaistub.Reply{Text: "We shipped it on Monday morning", Error: openaistub.APIError{Message: "overloaded", Type: "server_error"}, Cut: &openaistub.Cut{After: 3, Mode: openaistub.CutError}}, true, model.ErrUnavailable, true, 0, "overloaded"},
		{"connection dropped mid-stream", openaistub.Reply{Text: "We shipped it on Monday morning", Cut: &openaistub.Cut{After: 3, Mode: openaistub.CutAbort}}, true, model.ErrUnavailable, true, 0, ""},
		{"tool arguments not JSON", openaistub.Reply{ToolCalls: []openaistub.Call{{Name: "order_status", Arguments: `{"order":"FR-10`}}, FinishReason: "length"}, false, model.ErrMalformedResponse, true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := openaistub.New(t)
			s.Enqueue(tt.reply)
			m := newModel(t, s, nil)
			req := model.Request{Messages: ask("Where is my order?"), Tools: orderTools}
			var streamed []string
			if tt.stream {
				req.OnText = func(_ context.Context, d string) error { streamed = append(streamed, d); return nil }
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
			if tt.leak != "" && strings.Contains(err.Error(), tt.leak) {
				t.Errorf("error %q repeats the provider's message", err)
			}
		})
	}
}

func TestGenerateWrongKey(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	s.RequireAPIKey("sk-right")
	_, err := newModel(t, s, func(c *openai.Config) { c.APIKey = "sk-wrong" }).Generate(context.Background(), model.Request{Messages: ask("hi")})
	var e *model.Error
	if !errors.Is(err, model.ErrAuth) || !errors.As(err, &e) || e.Status != http.StatusUnauthorized || e.Code != "invalid_api_key" || model.Retryable(err) {
		t.Errorf("Generate = %v, want a permanent ErrAuth with status 401 and code invalid_api_key", err)
	}
}

func TestGenerateCancellation(t *testing.T) {
	t.Parallel()
	stalled := openaistub.Reply{Text: "Votre colis est en route vers Marseille depuis hier soir.", Cut: &openaistub.Cut{After: 3, Mode: openaistub.CutStall}}

	t.Run("caller cancels mid-stream", func(t *testing.T) {
		t.Parallel()
		s := openaistub.New(t)
		s.Enqueue(stalled)
		m := newModel(t, s, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var deltas []string
		start := time.Now()
		_, err := m.Generate(ctx, model.Request{Messages: ask("Où est mon colis ?"), OnText: func(_ context.Context, d string) error {
			deltas = append(deltas, d)
			if len(deltas) == 2 { // the stub stalls after this chunk
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
		s := openaistub.New(t)
		s.Enqueue(stalled)
		m := newModel(t, s, func(c *openai.Config) { c.Timeout = 200 * time.Millisecond })
		_, err := m.Generate(context.Background(), model.Request{Messages: ask("Où est mon colis ?"), OnText: func(context.Context, string) error { return nil }})
		if !errors.Is(err, model.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) || !model.Retryable(err) {
			t.Fatalf("Generate = %v, want retryable ErrUnavailable caused by the deadline", err)
		}
	})

	t.Run("adapter timeout before any answer", func(t *testing.T) {
		t.Parallel()
		s := openaistub.New(t)
		s.Enqueue(stalled)
		m := newModel(t, s, func(c *openai.Config) { c.Timeout = 200 * time.Millisecond })
		_, err := m.Generate(context.Background(), model.Request{Messages: ask("Où est mon colis ?")})
		if !errors.Is(err, model.ErrUnavailable) || !model.Retryable(err) {
			t.Fatalf("Generate = %v, want retryable ErrUnavailable", err)
		}
	})

	t.Run("consumer stops the stream", func(t *testing.T) {
		t.Parallel()
		s := openaistub.New(t)
		s.Enqueue(openaistub.Reply{Text: "one two three four five six"})
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
	s := openaistub.New(t)
	m := newModel(t, s, nil)
	msgs := append(ask("hi"), model.Message{Role: model.RoleTool, ToolCallID: "call_404", Text: "{}"})
	_, err := m.Generate(context.Background(), model.Request{Messages: msgs})
	if !errors.Is(err, model.ErrInvalidRequest) || model.Retryable(err) {
		t.Fatalf("Generate = %v, want permanent ErrInvalidRequest", err)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("an invalid request reached the provider (%d requests)", n)
	}
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
