package openai

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/tmc/langchaingo/llms"

	"github.com/attache-dev/attache/agents/model"
)

func lcCall(id, typ, name, args string) llms.ToolCall {
	return llms.ToolCall{ID: id, Type: typ, FunctionCall: &llms.FunctionCall{Name: name, Arguments: args}}
}

// The inputs below are what langchaingo v0.1.14 actually assembles from
// the streams described (checked against hand-written SSE servers).
func TestToolCallsFromLangchain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      []llms.ToolCall
		want    []model.ToolCall
		wantErr bool
	}{
		{
			name: "OpenAI parallel calls",
			in:   []llms.ToolCall{lcCall("c0", "function", "a", `{"x":1}`), lcCall("c1", "function", "b", `{"y":2}`)},
			want: []model.ToolCall{{ID: "c0", Name: "a", Arguments: json.RawMessage(`{"x":1}`)}, {ID: "c1", Name: "b", Arguments: json.RawMessage(`{"y":2}`)}},
		},
		{
			name: "no-argument tool",
			in:   []llms.ToolCall{lcCall("c0", "function", "handoff", "")},
			want: []model.ToolCall{{ID: "c0", Name: "handoff", Arguments: json.RawMessage(`{}`)}},
		},
		{
			// A server repeating "type" in each fragment: langchaingo opens a
			// nameless call per fragment.
			name: "type repeated in fragments",
			in:   []llms.ToolCall{lcCall("c0", "function", "a", ""), lcCall("", "function", "", `{"x":`), lcCall("", "function", "", `1}`)},
			want: []model.ToolCall{{ID: "c0", Name: "a", Arguments: json.RawMessage(`{"x":1}`)}},
		},
		{
			name: "id repeated in fragments",
			in:   []llms.ToolCall{lcCall("c0", "function", "a", ""), lcCall("c0", "function", "", `{"x":1}`)},
			want: []model.ToolCall{{ID: "c0", Name: "a", Arguments: json.RawMessage(`{"x":1}`)}},
		},
		{
			name: "missing id gets a positional one",
			in:   []llms.ToolCall{lcCall("", "function", "a", `{}`)},
			want: []model.ToolCall{{ID: "call_0", Name: "a", Arguments: json.RawMessage(`{}`)}},
		},
		{
			// Fragments interleaved by index: langchaingo appends them all to
			// the last call, producing two objects glued together.
			name:    "interleaved fragments",
			in:      []llms.ToolCall{lcCall("c0", "function", "a", ""), lcCall("c1", "function", "b", `{"x":{"y":1}2}`)},
			wantErr: true,
		},
		{name: "truncated arguments", in: []llms.ToolCall{lcCall("c0", "function", "a", `{"x":`)}, wantErr: true},
		{name: "arguments not an object", in: []llms.ToolCall{lcCall("c0", "function", "a", `"x"`)}, wantErr: true},
		{name: "nameless first call", in: []llms.ToolCall{lcCall("c0", "function", "", `{}`)}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := toolCallsFromLangchain(tt.in)
			if tt.wantErr {
				if !errors.Is(err, model.ErrMalformedResponse) {
					t.Fatalf("got %v, %v; want ErrMalformedResponse", got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestResponseStopReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		choice   llms.ContentChoice
		wantStop string
		wantErr  bool
	}{
		{"text", llms.ContentChoice{Content: "hi", StopReason: "stop"}, model.StopEnd, false},
		{"Ollama reports stop with tool calls", llms.ContentChoice{StopReason: "stop", ToolCalls: []llms.ToolCall{lcCall("c0", "function", "a", "{}")}}, model.StopToolCalls, false},
		// A tool call langchaingo dropped (streamed without "type").
		{"tool_calls without calls", llms.ContentChoice{StopReason: "tool_calls"}, "", true},
		{"cut by length", llms.ContentChoice{Content: "Your ord", StopReason: "length"}, model.StopLength, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := responseFromLangchain(&llms.ContentResponse{Choices: []*llms.ContentChoice{&tt.choice}})
			if tt.wantErr != (err != nil) || got.StopReason != tt.wantStop {
				t.Fatalf("got %+v, %v; want stop %q, error %v", got, err, tt.wantStop, tt.wantErr)
			}
		})
	}
}

func TestIsToolCallDeltas(t *testing.T) {
	t.Parallel()
	tests := []struct {
		chunk string
		tool  bool
	}{
		// Exactly what langchaingo passes for tool-call deltas.
		{`[{"id":"c0","type":"function","function":{"name":"order_status","arguments":""}}]`, true},
		{`[{"type":"","function":{"name":"","arguments":"{\"orde"}}]`, true},
		{`[{"type":"","function":{"name":"","arguments":" \u003c1\u003e\"}"}}]`, true},
		// Text a model might stream.
		{`Hello`, false},
		{`[1, 2]`, false},
		{`[see the FAQ](https://example.com/faq)`, false},
		{`[{"order":"FR-1042"}]`, false},
		{`[{"type": "", "function": {"name": "", "arguments": ""}}]`, false}, // spacing differs from Go's encoding
		{`[]`, false},
	}
	for _, tt := range tests {
		if got := isToolCallDeltas([]byte(tt.chunk)); got != tt.tool {
			t.Errorf("isToolCallDeltas(%s) = %v, want %v", tt.chunk, got, tt.tool)
		}
	}
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status  int
		code    string
		ctxLen  bool
		want    error
		comment string
	}{
		{401, "invalid_api_key", false, model.ErrAuth, ""},
		{403, "", false, model.ErrAuth, ""},
		{429, "rate_limit_exceeded", false, model.ErrRateLimited, ""},
		{429, "insufficient_quota", false, model.ErrQuotaExceeded, ""},
		{400, "context_length_exceeded", true, model.ErrContextLength, ""},
		{413, "", false, model.ErrContextLength, "request too large"},
		{400, "invalid_value", false, model.ErrInvalidRequest, ""},
		{404, "model_not_found", false, model.ErrInvalidRequest, "wrong model or base URL"},
		{408, "", false, model.ErrUnavailable, ""},
		{409, "", false, model.ErrUnavailable, ""},
		{500, "", false, model.ErrUnavailable, ""},
		{503, "", false, model.ErrUnavailable, ""},
		{302, "", false, model.ErrUnavailable, "a proxy in the way"},
	}
	for _, tt := range tests {
		if got := kindOf(tt.status, tt.code, tt.ctxLen); got != tt.want {
			t.Errorf("kindOf(%d, %q) = %v, want %v %s", tt.status, tt.code, got, tt.want, tt.comment)
		}
	}
}

func TestDecodeErrorBody(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, code, typ, msg string }{
		{`{"error":{"message":"Rate limit","type":"requests","param":null,"code":"rate_limit_exceeded"}}`, "rate_limit_exceeded", "requests", "Rate limit"},
		{`{"object":"error","message":"maximum context length is 4096","type":"BadRequestError","param":null,"code":400}`, "", "BadRequestError", "maximum context length is 4096"},
		{`{"error":"model \"llama9\" not found"}`, "", "", `model "llama9" not found`},
		{`<html>502 Bad Gateway</html>`, "", "", ""},
	}
	for _, tt := range tests {
		code, typ, msg := decodeErrorBody([]byte(tt.body))
		if code != tt.code || typ != tt.typ || msg != tt.msg {
			t.Errorf("decodeErrorBody(%s) = %q, %q, %q; want %q, %q, %q", tt.body, code, typ, msg, tt.code, tt.typ, tt.msg)
		}
	}
}
