package openaistub_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/attache-dev/attache/internal/testutil/openaistub"
	"github.com/attache-dev/attache/internal/testutil/stubkit"
)

// post sends body to the stub with any extra header pairs.
var post = stubkit.Post

type apiErrorBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

const tools = `"tools":[{"type":"function","function":{"name":"order_status","parameters":{"type":"object"}}},{"type":"function","function":{"name":"track_parcel","parameters":{"type":"object"}}}]`

func TestChatRejectsMalformedRequests(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	tests := []struct {
		name, body, wantMsg, wantParam string
	}{
		{"not json", `{"model":`, "could not parse the JSON body", ""},
		{"missing model", `{"messages":[{"role":"user","content":"hi"}]}`, "you must provide a model parameter", ""},
		{"missing messages", `{"model":"gpt-4o-mini"}`, "Missing required parameter: 'messages'", "messages"},
		{"empty messages", `{"model":"gpt-4o-mini","messages":[]}`, "empty array", "messages"},
		{"unknown argument", `{"model":"m","messages":[{"role":"user","content":"hi"}],"tempreature":1}`, "Unrecognized request argument supplied: tempreature", ""},
		{"unknown role", `{"model":"m","messages":[{"role":"bot","content":"hi"}]}`, "Invalid value: 'bot'", "messages[0].role"},
		{"user without content", `{"model":"m","messages":[{"role":"user"}]}`, "'messages[0].content'", "messages[0].content"},
		{"orphan tool result", `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"call_1","content":"{}"}]}`, "must be a response to a preceeding message with 'tool_calls'", "messages[1].role"},
		{"unanswered tool call", `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"x","arguments":"{}"}}]},{"role":"user","content":"well?"}]}`, "did not have response messages: call_1", "messages"},
		{"tool call without type", `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"call_1","function":{"name":"x","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_1","content":"{}"}]}`, "'messages[1].tool_calls[0].type'", "messages[1].tool_calls[0].type"},
		{"stream_options without stream", `{"model":"m","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}`, "only allowed when 'stream' is enabled", "stream_options"},
		{"bad tool name", `{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"order status"}}]}`, "does not match pattern", "tools[0].function.name"},
		{"temperature out of range", `{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":3}`, "Expected a value between 0 and 2", "temperature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := post(t, s.URL()+"/chat/completions", tt.body)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body %s", resp.StatusCode, body)
			}
			var e apiErrorBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("error body is not OpenAI's shape: %v: %s", err, body)
			}
			if !strings.Contains(e.Error.Message, tt.wantMsg) || e.Error.Type != "invalid_request_error" {
				t.Errorf("error = %+v, want invalid_request_error containing %q", e.Error, tt.wantMsg)
			}
			gotParam := ""
			if e.Error.Param != nil {
				gotParam = *e.Error.Param
			}
			if gotParam != tt.wantParam {
				t.Errorf("param = %q, want %q", gotParam, tt.wantParam)
			}
		})
	}
	if n := s.Pending(); n != 0 {
		t.Errorf("malformed requests consumed the script: pending %d", n)
	}
}

func TestChatNonStreamed(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	s.Enqueue(
		openaistub.Reply{Text: "Your order shipped."},
		openaistub.Reply{ToolCalls: []openaistub.Call{
			{Name: "order_status", Arguments: `{"order":"1042"}`},
			{ID: "call_b", Name: "track_parcel", Arguments: `{"parcel":"JP123"}`},
		}},
	)
	_, body := post(t, s.URL()+"/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"where?"}]}`)
	var got struct {
		Object  string `json:"object"`
		Model   string `json:"model"`
		Choices []struct {
			Message struct {
				Role      string                `json:"role"`
				Content   *string               `json:"content"`
				ToolCalls []openaistub.ToolCall `json:"tool_calls"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage openaistub.Usage `json:"usage"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Object != "chat.completion" || got.Model != "gpt-4o-mini" || len(got.Choices) != 1 ||
		got.Choices[0].Message.Content == nil || *got.Choices[0].Message.Content != "Your order shipped." ||
		got.Choices[0].FinishReason != "stop" || got.Usage.TotalTokens == 0 {
		t.Errorf("text completion = %s", body)
	}

	_, body = post(t, s.URL()+"/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"where?"}],`+tools+`}`)
	got.Choices = nil
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	c := got.Choices[0]
	want := []openaistub.ToolCall{
		{ID: "call_stub000002_0", Type: "function", Function: openaistub.FunctionCall{Name: "order_status", Arguments: `{"order":"1042"}`}},
		{ID: "call_b", Type: "function", Function: openaistub.FunctionCall{Name: "track_parcel", Arguments: `{"parcel":"JP123"}`}},
	}
	if c.Message.Content != nil || c.FinishReason != "tool_calls" || !reflect.DeepEqual(c.Message.ToolCalls, want) {
		t.Errorf("tool-call completion = %s", body)
	}
}

// chunk is the part of a chat.completion.chunk the assertions need.
type chunk struct {
	Object  string `json:"object"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Role      string  `json:"role"`
			Content   *string `json:"content"`
			ToolCalls []struct {
				Index    int    `json:"index"`
				ID       string `json:"id"`
				Type     string `json:"type"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *openaistub.Usage `json:"usage"`
}

func readSSE(t *testing.T, body []byte) (chunks []chunk, done bool) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("not an SSE data line: %q", line)
		}
		if done {
			t.Fatalf("data after [DONE]: %q", line)
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		var c chunk
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			t.Fatalf("chunk %q: %v", data, err)
		}
		chunks = append(chunks, c)
	}
	return chunks, done
}

func TestChatStreamed(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	text := "Votre commande est partie ce matin."
	s.Enqueue(
		openaistub.Reply{Text: text},
		openaistub.Reply{ToolCalls: []openaistub.Call{
			{ID: "call_a", Name: "order_status", Arguments: `{"order":"1042","locale":"fr-FR"}`},
			{ID: "call_b", Name: "track_parcel", Arguments: `{"parcel":"JP123456789"}`},
		}},
	)

	resp, body := post(t, s.URL()+"/chat/completions", `{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"où?"}]}`)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("Content-Type = %q", ct)
	}
	chunks, done := readSSE(t, body)
	if !done {
		t.Error("stream did not end with data: [DONE]")
	}
	var deltas []string
	for _, c := range chunks[:len(chunks)-1] {
		if c.Object != "chat.completion.chunk" || len(c.Choices) != 1 {
			t.Fatalf("chunk = %+v", c)
		}
		if d := c.Choices[0].Delta.Content; d != nil && *d != "" {
			deltas = append(deltas, *d)
		}
	}
	if want := openaistub.Deltas(text); !reflect.DeepEqual(deltas, want) || strings.Join(deltas, "") != text || len(deltas) < 2 {
		t.Errorf("deltas = %q, want %q joining to %q", deltas, want, text)
	}
	last := chunks[len(chunks)-1]
	if len(last.Choices) != 0 || last.Usage == nil || last.Usage.CompletionTokens == 0 {
		t.Errorf("include_usage: last chunk = %+v, want no choices and usage", last)
	}
	if fr := chunks[len(chunks)-2].Choices[0].FinishReason; fr == nil || *fr != "stop" {
		t.Errorf("finish_reason = %v, want stop", fr)
	}

	_, body = post(t, s.URL()+"/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"où?"}],`+tools+`}`)
	chunks, done = readSSE(t, body)
	if !done {
		t.Error("stream did not end with data: [DONE]")
	}
	type call struct{ id, name, args string }
	var calls []call
	fragments := 0
	for _, c := range chunks {
		if c.Usage != nil {
			t.Errorf("usage sent without include_usage")
		}
		if d := c.Choices[0].Delta.Content; d != nil && *d != "" {
			t.Errorf("text %q in a tool-call-only stream", *d)
		}
		for _, tc := range c.Choices[0].Delta.ToolCalls {
			if tc.ID != "" { // opening chunk
				if tc.Index != len(calls) || tc.Type != "function" || tc.Function.Name == "" || tc.Function.Arguments != "" {
					t.Errorf("opening chunk = %+v", tc)
				}
				calls = append(calls, call{id: tc.ID, name: tc.Function.Name})
				continue
			}
			if tc.Type != "" || tc.Function.Name != "" || tc.Index != len(calls)-1 {
				t.Errorf("fragment chunk = %+v, want only index and arguments", tc)
			}
			calls[tc.Index].args += tc.Function.Arguments
			fragments++
		}
	}
	want := []call{
		{"call_a", "order_status", `{"order":"1042","locale":"fr-FR"}`},
		{"call_b", "track_parcel", `{"parcel":"JP123456789"}`},
	}
	if !reflect.DeepEqual(calls, want) || fragments < 4 {
		t.Errorf("assembled calls = %+v from %d fragments, want %+v in several fragments", calls, fragments, want)
	}
	if fr := chunks[len(chunks)-1].Choices[0].FinishReason; fr == nil || *fr != "tool_calls" {
		t.Errorf("finish_reason = %v, want tool_calls", fr)
	}
}

func TestChatErrorsAndCuts(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	const streamed = `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	s.Enqueue(
		openaistub.RateLimited(),
		openaistub.Reply{Text: "one two three four", Error: openaistub.APIError{Message: "overloaded", Type: "server_error"}, Cut: &openaistub.Cut{After: 2, Mode: openaistub.CutError}},
		openaistub.Reply{Text: "one two three four", Cut: &openaistub.Cut{After: 2, Mode: openaistub.CutAbort}},
		openaistub.Reply{Text: "one two three four", Cut: &openaistub.Cut{After: 1, Mode: openaistub.CutStall}},
	)

	resp, body := post(t, s.URL()+"/chat/completions", streamed)
	var e apiErrorBody
	if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != http.StatusTooManyRequests ||
		e.Error.Code == nil || *e.Error.Code != "rate_limit_exceeded" || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("rate limit: status %d, Retry-After %q, body %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}

	_, body = post(t, s.URL()+"/chat/completions", streamed)
	if !bytes.Contains(body, []byte(`data: {"error":{"message":"overloaded","type":"server_error","param":null,"code":null}}`)) ||
		bytes.Contains(body, []byte("[DONE]")) || bytes.Count(body, []byte("chat.completion.chunk")) != 2 {
		t.Errorf("CutError stream = %s", body)
	}

	stubkit.CheckAborted(t, s.URL()+"/chat/completions", streamed)
	stubkit.CheckStalled(t, s.URL()+"/chat/completions", streamed, func(line string) bool { return strings.HasPrefix(line, "data: {") })

	if got := len(s.Requests()); got != 4 {
		t.Errorf("recorded %d requests, want 4", got)
	}
}

func TestAPIKey(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	s.RequireAPIKey("sk-test")
	s.Enqueue(openaistub.Reply{Text: "ok"})
	body := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	for _, tt := range []struct {
		header []string
		status int
	}{
		{nil, http.StatusUnauthorized},
		{[]string{"Authorization", "Bearer sk-wrong"}, http.StatusUnauthorized},
		{[]string{"Authorization", "Bearer sk-test"}, http.StatusOK},
	} {
		if resp, b := post(t, s.URL()+"/chat/completions", body, tt.header...); resp.StatusCode != tt.status {
			t.Errorf("with %v: status %d, want %d: %s", tt.header, resp.StatusCode, tt.status, b)
		}
	}
}

func TestEmbeddings(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	inputs := []string{"Where is my parcel?", "where is my parcel", "Refund policy for damaged goods"}
	in, _ := json.Marshal(inputs)
	resp, body := post(t, s.URL()+"/embeddings", `{"model":"text-embedding-3-small","input":`+string(in)+`,"dimensions":32}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got struct {
		Object string `json:"object"`
		Data   []struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Object != "list" || len(got.Data) != 3 {
		t.Fatalf("response = %s", body)
	}
	for i, d := range got.Data {
		if d.Index != i || len(d.Embedding) != 32 {
			t.Fatalf("data[%d]: index %d, %d dims", i, d.Index, len(d.Embedding))
		}
		if n := dot(d.Embedding, d.Embedding); math.Abs(n-1) > 1e-5 {
			t.Errorf("data[%d] has length² %g, want unit vectors", i, n)
		}
	}
	same, other := dot(got.Data[0].Embedding, got.Data[1].Embedding), dot(got.Data[0].Embedding, got.Data[2].Embedding)
	if same <= other {
		t.Errorf("similar texts cos %g <= unrelated texts cos %g", same, other)
	}

	// base64, default dimensions, one string input: same vector as float form.
	_, body = post(t, s.URL()+"/embeddings", `{"model":"m","input":"Where is my parcel?","encoding_format":"base64"}`)
	var b64 struct {
		Data []struct {
			Embedding string `json:"embedding"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &b64); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(b64.Data[0].Embedding)
	if err != nil {
		t.Fatal(err)
	}
	want := openaistub.Embed("Where is my parcel?", openaistub.DefaultEmbeddingDimensions)
	for i := range want {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])); got != want[i] {
			t.Fatalf("base64 component %d = %g, want %g", i, got, want[i])
		}
	}

	for _, bad := range []string{`{"input":"x"}`, `{"model":"m"}`, `{"model":"m","input":""}`, `{"model":"m","input":["a",""]}`, `{"model":"m","input":"x","dimensions":0}`} {
		if resp, b := post(t, s.URL()+"/embeddings", bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: %s", bad, resp.StatusCode, b)
		}
	}
	reqs := s.EmbeddingRequests()
	if len(reqs) != 7 || reqs[0].Model != "text-embedding-3-small" || !reflect.DeepEqual(reqs[0].Input, inputs) || reqs[0].Dimensions != 32 {
		t.Errorf("recorded %d requests, first %+v", len(reqs), reqs[0])
	}
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestUnknownPath(t *testing.T) {
	t.Parallel()
	s := openaistub.New(t)
	resp, body := post(t, s.URL()+"/completions", `{}`)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "Invalid URL (POST /v1/completions)") {
		t.Errorf("status %d body %s", resp.StatusCode, body)
	}
}

func TestDeltas(t *testing.T) {
	t.Parallel()
	// The cutting rules themselves are tested in stubkit.
	if got, want := openaistub.Deltas("Ihre Bestellung"), []string{"Ihre", " Bestell", "ung"}; !slices.Equal(got, want) {
		t.Errorf("Deltas = %q, want %q", got, want)
	}
}
