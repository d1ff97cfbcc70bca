package anthropicstub_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/attache-dev/attache/internal/testutil/anthropicstub"
	"github.com/attache-dev/attache/internal/testutil/stubkit"
)

// post sends body to the stub with the anthropic-version header and any
// extra header pairs ("-Name" removes a header).
func post(t *testing.T, url, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return stubkit.Post(t, url, body, append([]string{"Anthropic-Version", anthropicstub.Version}, header...)...)
}

// errorBody is Anthropic's error response.
type errorBody struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

const (
	tools     = `"tools":[{"name":"order_status","input_schema":{"type":"object"}},{"name":"track_parcel","input_schema":{"type":"object"}}]`
	hello     = `{"role":"user","content":"hi"}`
	askTwo    = `{"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"order_status","input":{"order":"1042"}},{"type":"tool_use","id":"toolu_2","name":"track_parcel","input":{}}]}`
	answerTwo = `{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"shipped"},{"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"in transit"}]},{"type":"text","text":"thanks"}]}`
)

func body(messages ...string) string {
	return `{"model":"claude-sonnet-4-5","max_tokens":256,` + tools + `,"messages":[` + strings.Join(messages, ",") + `]}`
}

func TestRejectsMalformedRequests(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	tests := []struct {
		name, body, wantMsg string
		header              []string
	}{
		{"no anthropic-version", body(hello), "anthropic-version: header is required", []string{"-Anthropic-Version", ""}},
		{"not json", `{"model":`, "error parsing the body", nil},
		{"missing model", `{"max_tokens":5,"messages":[` + hello + `]}`, "model: Field required", nil},
		{"missing max_tokens", `{"model":"m","messages":[` + hello + `]}`, "max_tokens: Field required", nil},
		{"zero max_tokens", `{"model":"m","max_tokens":0,"messages":[` + hello + `]}`, "max_tokens: Input should be greater than or equal to 1", nil},
		{"missing messages", `{"model":"m","max_tokens":5}`, "messages: Field required", nil},
		{"empty messages", `{"model":"m","max_tokens":5,"messages":[]}`, "at least one message is required", nil},
		{"unknown field", `{"model":"m","max_tokens":5,"messages":[` + hello + `],"max_completion_tokens":5}`, "max_completion_tokens: Extra inputs are not permitted", nil},
		{"temperature above 1", `{"model":"m","max_tokens":5,"temperature":1.5,"messages":[` + hello + `]}`, "temperature: Input should be less than or equal to 1", nil},
		{"system role in messages", body(`{"role":"system","content":"be nice"}`, hello), "messages.0.role: Input should be 'user' or 'assistant'", nil},
		{"roles not alternating", body(hello, hello), `roles must alternate between "user" and "assistant"`, nil},
		{"empty content", body(`{"role":"user","content":[]}`), "all messages must have non-empty content", nil},
		{"empty text block", body(`{"role":"user","content":""}`), "text content blocks must be non-empty", nil},
		{"blank text block", body(`{"role":"user","content":[{"type":"text","text":" \n"}]}`), "must contain non-whitespace text", nil},
		{"tool_result answering nothing", body(hello, `{"role":"assistant","content":"ok"}`, `{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_9","content":"x"}]}`), "unexpected `tool_use_id` found in `tool_result` blocks: toolu_9", nil},
		{"parallel call half answered", body(hello, askTwo, `{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"x"}]}`), "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_2", nil},
		{"results split over two user messages", body(hello, askTwo, `{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"x"}]}`, `{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_2","content":"y"}]}`), "without `tool_result` blocks immediately after: toolu_2", nil},
		{"result after text", body(hello, askTwo, `{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"x"},{"type":"text","text":"and"},{"type":"tool_result","tool_use_id":"toolu_2","content":"y"}]}`), "immediately after: toolu_2", nil},
		{"unanswered call at the end", body(hello, askTwo), "immediately after: toolu_1, toolu_2", nil},
		{"tool_use in a user message", body(`{"role":"user","content":[{"type":"tool_use","id":"toolu_1","name":"order_status","input":{}}]}`), "only allowed in assistant messages", nil},
		{"tool_use input not an object", body(hello, `{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"order_status","input":"{}"}]}`, `{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"x"}]}`), "Input should be a valid dictionary", nil},
		{"tool blocks without tools", `{"model":"m","max_tokens":5,"messages":[` + strings.Join([]string{hello, askTwo, answerTwo}, ",") + `]}`, "must define tools", nil},
		{"bad tool name", `{"model":"m","max_tokens":5,"tools":[{"name":"order status","input_schema":{"type":"object"}}],"messages":[` + hello + `]}`, "tools.0.custom.name: String should match pattern", nil},
		{"tool without schema", `{"model":"m","max_tokens":5,"tools":[{"name":"x"}],"messages":[` + hello + `]}`, "tools.0.custom.input_schema: Field required", nil},
		{"duplicate tool", `{"model":"m","max_tokens":5,"tools":[{"name":"x","input_schema":{"type":"object"}},{"name":"x","input_schema":{"type":"object"}}],"messages":[` + hello + `]}`, "Tool names must be unique", nil},
		{"unknown block type", body(`{"role":"user","content":[{"type":"video","url":"x"}]}`), "Input tag 'video'", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, b := post(t, s.URL()+"/messages", tt.body, tt.header...)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body %s", resp.StatusCode, b)
			}
			var e errorBody
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("error body is not Anthropic's shape: %v: %s", err, b)
			}
			if e.Type != "error" || e.Error.Type != "invalid_request_error" || !strings.Contains(e.Error.Message, tt.wantMsg) {
				t.Errorf("error = %s, want invalid_request_error containing %q", b, tt.wantMsg)
			}
		})
	}
	t.Cleanup(func() {
		if n := s.Pending(); n != 0 {
			t.Errorf("malformed requests consumed the script: pending %d", n)
		}
	})
}

func TestAcceptsParallelToolRoundTrip(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	s.Enqueue(anthropicstub.Reply{Text: "Both are on their way."})
	resp, b := post(t, s.URL()+"/messages", body(hello, askTwo, answerTwo))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	r := s.Requests()[0]
	if r.Status != http.StatusOK || len(r.Messages) != 3 || r.Header.Get("Anthropic-Version") != anthropicstub.Version {
		t.Fatalf("recorded %+v", r)
	}
	results := r.Messages[2].Blocks()
	if len(results) != 3 || results[0].ToolUseID != "toolu_1" || results[0].ResultText() != "shipped" ||
		results[1].ResultText() != "in transit" || results[2].Text != "thanks" {
		t.Errorf("decoded blocks %+v", results)
	}
	if got := r.Messages[1].Blocks()[1]; got.Type != "tool_use" || string(got.Input) != `{"order":"1042"}` {
		t.Errorf("decoded tool_use %+v", got)
	}
}

// message is the part of a "message" object the assertions need.
type message struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Role       string `json:"role"`
	Model      string `json:"model"`
	Content    []anthropicstub.Block
	StopReason *string             `json:"stop_reason"`
	Usage      anthropicstub.Usage `json:"usage"`
}

func TestNonStreamed(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	s.Enqueue(
		anthropicstub.Reply{Text: "Your order shipped."},
		anthropicstub.Reply{Text: "Let me check.", ToolCalls: []anthropicstub.Call{
			{Name: "order_status", Input: `{"order":"1042"}`},
			{ID: "toolu_b", Name: "track_parcel"},
		}},
		anthropicstub.Reply{},
	)
	_, b := post(t, s.URL()+"/messages", body(hello))
	var got message
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != "message" || got.Role != "assistant" || got.Model != "claude-sonnet-4-5" || got.ID == "" ||
		len(got.Content) != 1 || got.Content[0].Type != "text" || got.Content[0].Text != "Your order shipped." ||
		got.StopReason == nil || *got.StopReason != "end_turn" || got.Usage.InputTokens == 0 || got.Usage.OutputTokens == 0 {
		t.Errorf("text message = %s", b)
	}

	_, b = post(t, s.URL()+"/messages", body(hello))
	got = message{}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []anthropicstub.Block{
		{Type: "text", Text: "Let me check."},
		{Type: "tool_use", ID: "toolu_stub000002_0", Name: "order_status", Input: json.RawMessage(`{"order":"1042"}`)},
		{Type: "tool_use", ID: "toolu_b", Name: "track_parcel", Input: json.RawMessage(`{}`)},
	}
	if !reflect.DeepEqual(got.Content, want) || *got.StopReason != "tool_use" {
		t.Errorf("tool-use message = %s", b)
	}

	_, b = post(t, s.URL()+"/messages", body(hello))
	if !bytes.Contains(b, []byte(`"content":[]`)) || !bytes.Contains(b, []byte(`"stop_reason":"end_turn"`)) {
		t.Errorf("empty reply = %s, want no content blocks and end_turn", b)
	}
}

// sseEvent is one server-sent event as read back.
type sseEvent struct {
	name string
	data map[string]any
	raw  string
}

func readSSE(t *testing.T, b []byte) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.name != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.raw = strings.TrimPrefix(line, "data: ")
			if err := json.Unmarshal([]byte(cur.raw), &cur.data); err != nil {
				t.Fatalf("data %q: %v", cur.raw, err)
			}
			if !strings.HasPrefix(cur.raw, `{"type":"`+cur.name+`"`) {
				t.Errorf("event %q carries %s, want its type first, as Anthropic writes it", cur.name, cur.raw)
			}
		default:
			t.Fatalf("not an SSE line: %q", line)
		}
	}
	return out
}

func TestStreamed(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	text := "Votre commande est partie ce matin."
	calls := []anthropicstub.Call{
		{ID: "toolu_a", Name: "order_status", Input: `{"order":"1042","locale":"fr-FR"}`},
		{ID: "toolu_b", Name: "track_parcel", Input: `{"parcel":"JP123456789"}`},
	}
	s.Enqueue(anthropicstub.Reply{Text: text, ToolCalls: calls, Usage: &anthropicstub.Usage{InputTokens: 50, OutputTokens: 40}})
	resp, b := post(t, s.URL()+"/messages", strings.Replace(body(hello), `"max_tokens":256`, `"max_tokens":256,"stream":true`, 1))
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("Content-Type = %q", ct)
	}
	events := readSSE(t, b)

	var names []string
	for _, e := range events {
		if len(names) == 0 || names[len(names)-1] != e.name {
			names = append(names, e.name)
		}
	}
	want := []string{
		"message_start", "content_block_start", "ping", "content_block_delta", "content_block_stop",
		"content_block_start", "content_block_delta", "content_block_stop",
		"content_block_start", "content_block_delta", "content_block_stop",
		"message_delta", "message_stop",
	}
	if !slices.Equal(names, want) {
		t.Errorf("event sequence (runs collapsed) = %q, want %q", names, want)
	}

	start := events[0].data["message"].(map[string]any)
	if c := start["content"].([]any); len(c) != 0 || start["stop_reason"] != nil || start["usage"].(map[string]any)["input_tokens"] != 50.0 {
		t.Errorf("message_start = %s", events[0].raw)
	}
	type block struct {
		typ, id, name string
		text, json    []string
	}
	var blocks []block
	for _, e := range events {
		switch e.name {
		case "content_block_start":
			cb := e.data["content_block"].(map[string]any)
			if int(e.data["index"].(float64)) != len(blocks) {
				t.Errorf("block index %v, want %d", e.data["index"], len(blocks))
			}
			id, _ := cb["id"].(string)
			name, _ := cb["name"].(string)
			blocks = append(blocks, block{typ: cb["type"].(string), id: id, name: name})
		case "content_block_delta":
			d := e.data["delta"].(map[string]any)
			bl := &blocks[int(e.data["index"].(float64))]
			switch d["type"] {
			case "text_delta":
				bl.text = append(bl.text, d["text"].(string))
			case "input_json_delta":
				bl.json = append(bl.json, d["partial_json"].(string))
			default:
				t.Errorf("delta %s", e.raw)
			}
		}
	}
	if len(blocks) != 3 || blocks[0].typ != "text" || !slices.Equal(blocks[0].text, anthropicstub.Deltas(text)) || len(blocks[0].json) != 0 {
		t.Fatalf("blocks = %+v", blocks)
	}
	for i, c := range calls {
		bl := blocks[1+i]
		if bl.typ != "tool_use" || bl.id != c.ID || bl.name != c.Name || len(bl.text) != 0 ||
			strings.Join(bl.json, "") != c.Input || len(bl.json) < 3 || bl.json[0] != "" {
			t.Errorf("tool block %d = %+v, want %s in several input_json_delta fragments", i, bl, c.Input)
		}
	}
	md := events[len(events)-2].data
	if md["delta"].(map[string]any)["stop_reason"] != "tool_use" || md["usage"].(map[string]any)["output_tokens"] != 40.0 {
		t.Errorf("message_delta = %s", events[len(events)-2].raw)
	}
}

func TestErrorsAndCuts(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	streamed := strings.Replace(body(hello), `"max_tokens":256`, `"max_tokens":256,"stream":true`, 1)
	s.Enqueue(
		anthropicstub.RateLimited(),
		anthropicstub.Overloaded(),
		anthropicstub.Reply{Text: "one two three four", Cut: &anthropicstub.Cut{After: 4, Mode: anthropicstub.CutError}},
		anthropicstub.Reply{Text: "one two three four", Cut: &anthropicstub.Cut{After: 4, Mode: anthropicstub.CutEnd}},
		anthropicstub.Reply{Text: "one two three four", Cut: &anthropicstub.Cut{After: 4, Mode: anthropicstub.CutAbort}},
		anthropicstub.Reply{Text: "one two three four", Cut: &anthropicstub.Cut{After: 1, Mode: anthropicstub.CutStall}},
	)

	for _, want := range []struct {
		status int
		typ    string
	}{{http.StatusTooManyRequests, "rate_limit_error"}, {529, "overloaded_error"}} {
		resp, b := post(t, s.URL()+"/messages", streamed)
		var e errorBody
		if err := json.Unmarshal(b, &e); err != nil || resp.StatusCode != want.status || e.Type != "error" || e.Error.Type != want.typ {
			t.Errorf("status %d body %s, want %d %s", resp.StatusCode, b, want.status, want.typ)
		}
		if want.status == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "2" {
			t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
		}
	}

	_, b := post(t, s.URL()+"/messages", streamed)
	events := readSSE(t, b)
	if last := events[len(events)-1]; len(events) != 5 || last.name != "error" || last.raw != `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}` {
		t.Errorf("CutError stream = %s", b)
	}

	_, b = post(t, s.URL()+"/messages", streamed)
	if events := readSSE(t, b); len(events) != 4 || bytes.Contains(b, []byte("message_stop")) {
		t.Errorf("CutEnd stream = %s", b)
	}

	version := []string{"Anthropic-Version", anthropicstub.Version}
	stubkit.CheckAborted(t, s.URL()+"/messages", streamed, version...)
	stubkit.CheckStalled(t, s.URL()+"/messages", streamed, func(line string) bool { return line == "event: message_start\n" }, version...)

	if got := len(s.Requests()); got != 6 {
		t.Errorf("recorded %d requests, want 6", got)
	}
}

func TestAPIKey(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	s.RequireAPIKey("sk-ant-test")
	s.Enqueue(anthropicstub.Reply{Text: "ok"})
	for _, tt := range []struct {
		header  []string
		status  int
		message string
	}{
		{nil, http.StatusUnauthorized, "x-api-key header is required"},
		{[]string{"X-Api-Key", "sk-ant-wrong"}, http.StatusUnauthorized, "invalid x-api-key"},
		{[]string{"Authorization", "Bearer sk-ant-test"}, http.StatusUnauthorized, "x-api-key header is required"},
		{[]string{"X-Api-Key", "sk-ant-test"}, http.StatusOK, ""},
	} {
		resp, b := post(t, s.URL()+"/messages", body(hello), tt.header...)
		var e errorBody
		_ = json.Unmarshal(b, &e)
		if resp.StatusCode != tt.status || (tt.message != "" && (e.Error.Type != "authentication_error" || e.Error.Message != tt.message)) {
			t.Errorf("with %v: status %d body %s, want %d %q", tt.header, resp.StatusCode, b, tt.status, tt.message)
		}
	}
}

func TestUnknownPath(t *testing.T) {
	t.Parallel()
	s := anthropicstub.New(t)
	resp, b := post(t, s.URL()+"/complete", `{}`)
	var e errorBody
	if err := json.Unmarshal(b, &e); err != nil || resp.StatusCode != http.StatusNotFound || e.Error.Type != "not_found_error" {
		t.Errorf("status %d body %s", resp.StatusCode, b)
	}
}

func TestDeltasAndFragments(t *testing.T) {
	t.Parallel()
	// The cutting rules themselves are tested in stubkit.
	if got, want := anthropicstub.Deltas("Hello there, friend"), []string{"Hello", " there,", " friend"}; !slices.Equal(got, want) {
		t.Errorf("Deltas = %q, want %q", got, want)
	}
	in := `{"order":"東京-55"}`
	f := anthropicstub.Fragments(in)
	if f[0] != "" || strings.Join(f, "") != in || len(f) < 3 {
		t.Errorf("Fragments(%s) = %q", in, f)
	}
	for _, p := range f {
		if !utf8.ValidString(p) {
			t.Errorf("fragment %q splits a rune", p)
		}
	}
}
