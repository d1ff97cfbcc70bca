package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tmc/langchaingo/llms"
	lcanthropic "github.com/tmc/langchaingo/llms/anthropic"

	"github.com/attache-dev/attache/agents/model"
)

// TestLangchaingoStillDropsParts pins the langchaingo bug this package
// works around (see the package documentation): sent through langchaingo
// alone, an assistant message with text and two tool calls keeps only its
// text, and each tool result is a user message of its own. When this test
// fails after a langchaingo upgrade, the workaround can be revisited.
func TestLangchaingoStillDropsParts(t *testing.T) {
	t.Parallel()
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`)
	}))
	defer srv.Close()
	llm, err := lcanthropic.New(lcanthropic.WithToken("k"), lcanthropic.WithModel("m"), lcanthropic.WithBaseURL(srv.URL+"/v1"))
	if err != nil {
		t.Fatal(err)
	}
	call := func(id string) llms.ToolCall {
		return llms.ToolCall{ID: id, Type: "function", FunctionCall: &llms.FunctionCall{Name: "order_status", Arguments: `{"order":"1"}`}}
	}
	_, err = llm.GenerateContent(context.Background(), []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeHuman, "hi"),
		{Role: llms.ChatMessageTypeAI, Parts: []llms.ContentPart{llms.TextContent{Text: "Checking."}, call("t1"), call("t2")}},
		{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{llms.ToolCallResponse{ToolCallID: "t1", Content: "a"}}},
		{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{llms.ToolCallResponse{ToolCallID: "t2", Content: "b"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var sent struct {
		Messages []struct {
			Role    string            `json:"role"`
			Content []json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &sent); err != nil {
		t.Fatal(err)
	}
	if len(sent.Messages) != 4 || len(sent.Messages[1].Content) != 1 || bytes.Contains(body, []byte(`"type":"tool_use"`)) {
		t.Errorf("langchaingo now sends %s; revisit the workaround in messagesToLangchain and mergeTurns", body)
	}
}

func TestMergeTurns(t *testing.T) {
	t.Parallel()
	in := `{"model":"m","max_tokens":64,"system":"Be brief.","temperature":0,"messages":[` +
		`{"role":"user","content":[{"type":"text","text":"hi"}]},` +
		`{"role":"user","content":"and hello"},` +
		`{"role":"assistant","content":[{"type":"text","text":"Checking."}]},` +
		`{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"a","input":{"x":1}}]},` +
		`{"role":"assistant","content":[{"type":"tool_use","id":"t2","name":"b","input":{}}]},` +
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r1"}]},` +
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"t2","content":"r2"}]},` +
		`{"role":"user","content":[{"type":"text","text":"thanks"}]}]}`
	want := `{"model":"m","max_tokens":64,"system":"Be brief.","temperature":0,"messages":[` +
		`{"role":"user","content":[{"type":"text","text":"hi"},{"type":"text","text":"and hello"}]},` +
		`{"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"t1","name":"a","input":{"x":1}},{"type":"tool_use","id":"t2","name":"b","input":{}}]},` +
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r1"},{"type":"tool_result","tool_use_id":"t2","content":"r2"},{"type":"text","text":"thanks"}]}]}`
	got, err := mergeTurns([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(want), &w)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("mergeTurns =\n%s\nwant\n%s", got, want)
	}
	for _, bad := range []string{`{"messages":`, `{"messages":{}}`, `{"messages":[{"role":"user","content":7}]}`} {
		if _, err := mergeTurns([]byte(bad)); err == nil {
			t.Errorf("mergeTurns(%s) succeeded, want an error", bad)
		}
	}
}

func lcCall(id, name, args string) llms.ToolCall {
	return llms.ToolCall{ID: id, FunctionCall: &llms.FunctionCall{Name: name, Arguments: args}}
}

func TestResponseFromLangchain(t *testing.T) {
	t.Parallel()
	info := map[string]any{"InputTokens": 12, "OutputTokens": 34}
	// What langchaingo returns for [text, tool_use, tool_use, tool_use]:
	// one choice per block.
	perBlock := []*llms.ContentChoice{
		{Content: "Checking.", StopReason: "tool_use", GenerationInfo: info},
		{ToolCalls: []llms.ToolCall{lcCall("t1", "a", `{"x":1}`)}, StopReason: "tool_use", GenerationInfo: info},
		{ToolCalls: []llms.ToolCall{lcCall("t2", "b", `{}`)}, StopReason: "tool_use", GenerationInfo: info},
		{ToolCalls: []llms.ToolCall{lcCall("t3", "c", `null`)}, StopReason: "tool_use", GenerationInfo: info},
	}
	got, err := responseFromLangchain(&llms.ContentResponse{Choices: perBlock})
	want := model.Response{
		Text: "Checking.",
		ToolCalls: []model.ToolCall{
			{ID: "t1", Name: "a", Arguments: json.RawMessage(`{"x":1}`)},
			{ID: "t2", Name: "b", Arguments: json.RawMessage(`{}`)},
			{ID: "t3", Name: "c", Arguments: json.RawMessage(`{}`)},
		},
		StopReason: model.StopToolCalls,
		Usage:      model.Usage{InputTokens: 12, OutputTokens: 34},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}

	for name, choices := range map[string][]*llms.ContentChoice{
		"no choices":           nil,
		"nameless call":        {{ToolCalls: []llms.ToolCall{lcCall("t1", "", `{}`)}, StopReason: "tool_use"}},
		"call without id":      {{ToolCalls: []llms.ToolCall{lcCall("", "a", `{}`)}, StopReason: "tool_use"}},
		"input not an object":  {{ToolCalls: []llms.ToolCall{lcCall("t1", "a", `[1]`)}, StopReason: "tool_use"}},
		"tool_use but no call": {{Content: "Let me check", StopReason: "tool_use"}},
	} {
		if _, err := responseFromLangchain(&llms.ContentResponse{Choices: choices}); !errors.Is(err, model.ErrMalformedResponse) {
			t.Errorf("%s: got %v, want ErrMalformedResponse", name, err)
		}
	}
}

func TestStopReason(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"end_turn": model.StopEnd, "stop_sequence": model.StopEnd,
		"max_tokens": model.StopLength, "model_context_window_exceeded": model.StopLength,
		"tool_use": model.StopToolCalls, "refusal": model.StopContentFilter,
		"pause_turn": "pause_turn",
	} {
		if got := stopReason(in); got != want {
			t.Errorf("stopReason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status         int
		typ            string
		ctxLen, credit bool
		want           error
	}{
		{401, "authentication_error", false, false, model.ErrAuth},
		{403, "permission_error", false, false, model.ErrAuth},
		{429, "rate_limit_error", false, false, model.ErrRateLimited},
		{529, "overloaded_error", false, false, model.ErrUnavailable},
		{500, "api_error", false, false, model.ErrUnavailable},
		{504, "timeout_error", false, false, model.ErrUnavailable},
		{502, "", false, false, model.ErrUnavailable},
		{400, "invalid_request_error", true, false, model.ErrContextLength},
		{413, "request_too_large", false, false, model.ErrContextLength},
		{400, "invalid_request_error", false, true, model.ErrQuotaExceeded},
		{402, "billing_error", false, false, model.ErrQuotaExceeded},
		{400, "invalid_request_error", false, false, model.ErrInvalidRequest},
		{404, "not_found_error", false, false, model.ErrInvalidRequest},
		{302, "", false, false, model.ErrUnavailable},
		// Error events in a stream carry a type and no status.
		{0, "overloaded_error", false, false, model.ErrUnavailable},
		{0, "rate_limit_error", false, false, model.ErrRateLimited},
		{0, "invalid_request_error", false, false, model.ErrInvalidRequest},
		{0, "something_new", false, false, model.ErrUnavailable},
	}
	for _, tt := range tests {
		if got := kindOf(tt.status, tt.typ, tt.ctxLen, tt.credit); got != tt.want {
			t.Errorf("kindOf(%d, %q, %v, %v) = %v, want %v", tt.status, tt.typ, tt.ctxLen, tt.credit, got, tt.want)
		}
	}
}

func TestDecodeErrorBody(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, typ, msg string }{
		{`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}`, "overloaded_error", "Overloaded"},
		{`{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 201000 tokens > 200000 maximum"}}`, "invalid_request_error", "prompt is too long: 201000 tokens > 200000 maximum"},
		{`<html>502 Bad Gateway</html>`, "", ""},
	}
	for _, tt := range tests {
		if typ, msg := decodeErrorBody([]byte(tt.body)); typ != tt.typ || msg != tt.msg {
			t.Errorf("decodeErrorBody(%s) = %q, %q; want %q, %q", tt.body, typ, msg, tt.typ, tt.msg)
		}
	}
}

func TestSSEWatcher(t *testing.T) {
	t.Parallel()
	const stream = "event: message_start\r\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\r\n\r\n" +
		"event: ping\ndata: {\"type\": \"ping\"}\n\n" +
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n" +
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"

	t.Run("events split across reads", func(t *testing.T) {
		p := &callProbe{}
		w := &sseWatcher{body: io.NopCloser(strings.NewReader(stream)), probe: p}
		got, err := io.ReadAll(iotest.OneByteReader(w))
		if err != nil || string(got) != stream {
			t.Fatalf("read %q, %v; want the stream unchanged", got, err)
		}
		if !p.complete || p.stopReason != "end_turn" || p.usage != (model.Usage{InputTokens: 25, OutputTokens: 15}) {
			t.Errorf("probe = %+v", p)
		}
	})

	t.Run("data lines only", func(t *testing.T) {
		p := &callProbe{}
		w := &sseWatcher{body: io.NopCloser(strings.NewReader("data: {\"type\":\"message_stop\"}\n\n")), probe: p}
		_, _ = io.ReadAll(w)
		if !p.complete {
			t.Error("message_stop without an event line not noticed")
		}
	})

	t.Run("error event ends the stream", func(t *testing.T) {
		p := &callProbe{}
		errEvent := "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
		// What follows the error event must not reach langchaingo: its
		// parser goroutine would block forever handing over a second error.
		w := &sseWatcher{body: io.NopCloser(io.MultiReader(strings.NewReader(errEvent), iotest.ErrReader(errors.New("connection reset")))), probe: p}
		got, err := io.ReadAll(w)
		if err != nil || string(got) != errEvent {
			t.Fatalf("read %q, %v; want the error event, then EOF", got, err)
		}
		if p.streamErrType != "overloaded_error" || p.transportErr != nil {
			t.Errorf("probe = %+v", p)
		}
	})

	t.Run("read error recorded", func(t *testing.T) {
		p := &callProbe{}
		reset := errors.New("connection reset")
		w := &sseWatcher{body: io.NopCloser(iotest.ErrReader(reset)), probe: p}
		if _, err := io.ReadAll(w); !errors.Is(err, reset) || !errors.Is(p.transportErr, reset) {
			t.Errorf("read error %v, probe %v", err, p.transportErr)
		}
	})
}
