package model_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/agents/model"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	user := model.Message{Role: model.RoleUser, Text: "Where is order 1042?"}
	call := model.ToolCall{ID: "call_1", Name: "order_status", Arguments: json.RawMessage(`{"order":"1042"}`)}
	asks := model.Message{Role: model.RoleAssistant, ToolCalls: []model.ToolCall{call}}
	answer := model.Message{Role: model.RoleTool, ToolCallID: "call_1", Text: `{"status":"shipped"}`}
	tool := model.Tool{Name: "order_status", Parameters: json.RawMessage(`{"type":"object"}`)}

	tests := []struct {
		name    string
		req     model.Request
		wantErr string // substring; empty means valid
	}{
		{"plain question", model.Request{Messages: []model.Message{user}}, ""},
		{"tool round trip", model.Request{Messages: []model.Message{user, asks, answer}, Tools: []model.Tool{tool}}, ""},
		{"tool without parameters", model.Request{Messages: []model.Message{user}, Tools: []model.Tool{{Name: "handoff"}}}, ""},
		{"no messages", model.Request{}, "no messages"},
		{"unknown role", model.Request{Messages: []model.Message{{Role: "bot", Text: "hi"}}}, `unknown role "bot"`},
		{"result never answered", model.Request{Messages: []model.Message{user, asks}}, "have no tool result"},
		{"user speaks before result", model.Request{Messages: []model.Message{user, asks, user, answer}}, "before the results"},
		{"result for unknown call", model.Request{Messages: []model.Message{user, {Role: model.RoleTool, ToolCallID: "call_9"}}}, "answers no pending"},
		{"call without id", model.Request{Messages: []model.Message{user, {Role: model.RoleAssistant, ToolCalls: []model.ToolCall{{Name: "x"}}}}}, "lacks an ID"},
		{"arguments not an object", model.Request{Messages: []model.Message{user, {Role: model.RoleAssistant, ToolCalls: []model.ToolCall{{ID: "c", Name: "x", Arguments: json.RawMessage(`[1]`)}}}}}, "not a JSON object"},
		{"user carries calls", model.Request{Messages: []model.Message{{Role: model.RoleUser, ToolCalls: []model.ToolCall{call}}}}, "user message carries tool calls"},
		{"duplicate tool", model.Request{Messages: []model.Message{user}, Tools: []model.Tool{tool, tool}}, "defined twice"},
		{"bad tool name", model.Request{Messages: []model.Message{user}, Tools: []model.Tool{{Name: "order status"}}}, "must be 1-64"},
		{"schema not an object", model.Request{Messages: []model.Message{user}, Tools: []model.Tool{{Name: "x", Parameters: json.RawMessage(`"string"`)}}}, "JSON schema object"},
		{"temperature too high", model.Request{Messages: []model.Message{user}, Temperature: 2.5}, "outside [0, 2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.req.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
			if !errors.Is(err, model.ErrInvalidRequest) {
				t.Errorf("Validate() = %v, want errors.Is ErrInvalidRequest", err)
			}
			if model.Retryable(err) {
				t.Errorf("an invalid request must not be retryable")
			}
		})
	}
}

func TestErrorClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		retryable bool
		after     time.Duration
		text      string
	}{
		{
			name:      "rate limited with delay",
			err:       fmt.Errorf("generate: %w", &model.Error{Kind: model.ErrRateLimited, Provider: "openai", Status: 429, Code: "rate_limit_exceeded", RetryAfter: 2 * time.Second}),
			retryable: true, after: 2 * time.Second,
			text: "generate: openai: HTTP 429: rate_limit_exceeded: model rate limited",
		},
		{
			name:      "network failure keeps its cause",
			err:       &model.Error{Kind: model.ErrUnavailable, Provider: "openai", Err: context.DeadlineExceeded, Detail: "timeout"},
			retryable: true,
			text:      "openai: timeout: model unavailable: context deadline exceeded",
		},
		{
			name: "quota is permanent",
			err:  &model.Error{Kind: model.ErrQuotaExceeded, Provider: "openai", Status: 429, Code: "insufficient_quota"},
			text: "openai: HTTP 429: insufficient_quota: model quota exhausted",
		},
		{name: "cancellation is not retryable", err: fmt.Errorf("openai: %w", context.Canceled), text: "openai: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := model.Retryable(tt.err); got != tt.retryable {
				t.Errorf("Retryable = %v, want %v", got, tt.retryable)
			}
			if got := model.RetryAfter(tt.err); got != tt.after {
				t.Errorf("RetryAfter = %v, want %v", got, tt.after)
			}
			if got := tt.err.Error(); got != tt.text {
				t.Errorf("Error() = %q, want %q", got, tt.text)
			}
		})
	}
	if err := (&model.Error{Kind: model.ErrUnavailable, Err: context.DeadlineExceeded}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(%v, DeadlineExceeded) = false, want the cause reachable", err)
	}
}

func TestFunc(t *testing.T) {
	t.Parallel()
	var m model.Model = model.Func(func(_ context.Context, req model.Request) (model.Response, error) {
		return model.Response{Text: "echo: " + req.Messages[0].Text, StopReason: model.StopEnd}, nil
	})
	resp, err := m.Generate(context.Background(), model.Request{Messages: []model.Message{{Role: model.RoleUser, Text: "hola"}}})
	if err != nil || resp.Text != "echo: hola" {
		t.Fatalf("Generate = %+v, %v; want echo: hola", resp, err)
	}
}
