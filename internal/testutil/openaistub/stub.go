// Package openaistub is a local HTTP server that speaks OpenAI's
// chat-completions and embeddings wire protocol, for testing model adapters
// and anything that calls an OpenAI-compatible endpoint.
//
// A test scripts what the "model" says ([Reply]: text, tool calls, an error
// status, a stream cut short); the stub renders it the way OpenAI does —
// one chat.completion object, or chat.completion.chunk SSE events ending
// with "data: [DONE]" when the request asked to stream, with tool-call
// arguments split across chunks — and records every request it received so
// the test can assert what was sent. Like the real API, it rejects malformed
// requests with 400 and OpenAI's error body before touching the script.
// /v1/embeddings answers with deterministic unit vectors.
//
// It is not a model: it never invents an answer, and a request the script
// did not foresee fails the test. It is for tests only.
package openaistub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Reply is what the stub answers to the next chat request.
type Reply struct {
	// Text is the assistant's text. Streamed, it is sent as the deltas
	// [Deltas] returns.
	Text string
	// ToolCalls are sent as the assistant's tool_calls, in order; streamed,
	// each starts with a chunk holding its index, id, type and name, and its
	// arguments follow in fragments, as OpenAI sends them.
	ToolCalls []Call
	// FinishReason defaults to "tool_calls" when there are tool calls and
	// "stop" otherwise.
	FinishReason string
	// Usage defaults to token counts estimated from the text lengths.
	Usage *Usage

	// Status, when not 0 or 200, makes the reply an error response with
	// Error as its body (OpenAI's {"error": {...}} shape).
	Status int
	Error  APIError
	// Header holds extra response headers, such as Retry-After.
	Header http.Header

	// Cut interrupts a streamed reply; see [Cut].
	Cut *Cut
}

// Call is a tool call the scripted model makes.
type Call struct {
	ID        string // defaults to a deterministic "call_stub_..." ID
	Name      string
	Arguments string // JSON text
}

// CutMode says how a stream is interrupted.
type CutMode int

const (
	// CutStall stops sending and holds the connection open until the client
	// goes away or the stub closes. A non-streamed reply with this cut never
	// answers at all.
	CutStall CutMode = iota
	// CutAbort drops the connection abruptly (no final chunk, no [DONE]).
	CutAbort
	// CutError sends an SSE error event, {"error": {...}} with Reply.Error,
	// and ends the stream without finish_reason or [DONE], as OpenAI does
	// when it fails mid-stream.
	CutError
)

// Cut interrupts a streamed reply after After data events.
type Cut struct {
	After int
	Mode  CutMode
}

// Server is a running stub. Its methods are safe for concurrent use.
type Server struct {
	t    testing.TB
	srv  *httptest.Server
	done chan struct{}
	once sync.Once

	mu            sync.Mutex
	script        []Reply
	fallback      *Reply
	apiKey        string
	embeddingDims int
	seq           int
	chats         []ChatRequest
	embeddings    []EmbeddingRequest
}

// DefaultEmbeddingDimensions is the length of embedding vectors when the
// request does not ask for "dimensions".
const DefaultEmbeddingDimensions = 64

// New starts a stub and stops it when the test ends. At the end of a test
// that has not otherwise failed, unused scripted replies are reported as an
// error: the code under test made fewer calls than the test expected.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, done: make(chan struct{}), embeddingDims: DefaultEmbeddingDimensions}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.handleChat)
	mux.HandleFunc("POST /v1/embeddings", s.handleEmbeddings)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, APIError{
			Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path),
			Type:    "invalid_request_error",
		})
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		s.Close()
		if n := s.Pending(); n > 0 && !t.Failed() {
			t.Errorf("openaistub: %d scripted replies were never requested", n)
		}
	})
	return s
}

// URL is the API base URL, ending in /v1, as a client's base URL setting expects.
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// Close stops the server, releasing stalled streams first. It is called
// automatically at the end of the test.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// Enqueue appends replies to the script; each chat request consumes one.
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, replies...)
}

// Always makes r the answer to every chat request once the script is used
// up, for benchmarks and load tests.
func (s *Server) Always(r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = &r
}

// Pending reports how many scripted replies have not been used.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script)
}

// RequireAPIKey makes the stub answer 401, as OpenAI does, to requests
// without "Authorization: Bearer key". By default any or no key is accepted,
// like a local Ollama or vLLM.
func (s *Server) RequireAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKey = key
}

// SetEmbeddingDimensions sets the vector length used when a request does
// not ask for "dimensions".
func (s *Server) SetEmbeddingDimensions(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embeddingDims = n
}

// Requests returns the chat requests received so far, rejected ones
// included (see ChatRequest.Status), in arrival order.
func (s *Server) Requests() []ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ChatRequest(nil), s.chats...)
}

// EmbeddingRequests returns the embedding requests received so far.
func (s *Server) EmbeddingRequests() []EmbeddingRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]EmbeddingRequest(nil), s.embeddings...)
}

// ErrorReply is a reply answering status with OpenAI's error body.
func ErrorReply(status int, e APIError) Reply { return Reply{Status: status, Error: e} }

// RateLimited is OpenAI's 429 for too many requests, with Retry-After: 2.
func RateLimited() Reply {
	r := ErrorReply(http.StatusTooManyRequests, APIError{
		Message: "Rate limit reached for requests. Please try again in 2s.",
		Type:    "requests",
		Code:    "rate_limit_exceeded",
	})
	r.Header = http.Header{"Retry-After": {"2"}}
	return r
}

// QuotaExceeded is OpenAI's 429 for an account out of credit, which no
// retry will fix.
func QuotaExceeded() Reply {
	return ErrorReply(http.StatusTooManyRequests, APIError{
		Message: "You exceeded your current quota, please check your plan and billing details.",
		Type:    "insufficient_quota",
		Code:    "insufficient_quota",
	})
}

// ServerError is OpenAI's 500.
func ServerError() Reply {
	return ErrorReply(http.StatusInternalServerError, APIError{
		Message: "The server had an error while processing your request. Sorry about that!",
		Type:    "server_error",
	})
}

// ContextLengthExceeded is OpenAI's 400 for a conversation too long for the model.
func ContextLengthExceeded() Reply {
	return ErrorReply(http.StatusBadRequest, APIError{
		Message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. Please reduce the length of the messages.",
		Type:    "invalid_request_error",
		Param:   "messages",
		Code:    "context_length_exceeded",
	})
}

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	raw, fields, ok := readJSONObject(w, r)
	if !ok {
		return
	}
	var req ChatRequest
	// Field shapes are checked by validateChat; a type mismatch here is a
	// malformed request too.
	if err := json.Unmarshal(raw, &req); err != nil {
		writeError(w, http.StatusBadRequest, APIError{
			Message: "Invalid type for a request parameter: " + jsonErrorField(err),
			Type:    "invalid_request_error",
			Code:    "invalid_type",
		})
		return
	}
	req.Header = r.Header.Clone()
	req.Body = raw

	s.mu.Lock()
	idx := len(s.chats)
	s.chats = append(s.chats, req)
	s.mu.Unlock()
	status := s.answerChat(w, r, req, fields)
	s.mu.Lock()
	s.chats[idx].Status = status
	s.mu.Unlock()
}

// answerChat validates req, takes the next reply and writes it, returning
// the status sent.
func (s *Server) answerChat(w http.ResponseWriter, r *http.Request, req ChatRequest, fields map[string]json.RawMessage) int {
	if e, bad := validateChat(req, fields); bad {
		writeError(w, http.StatusBadRequest, e)
		return http.StatusBadRequest
	}
	reply, seq, ok := s.next()
	if !ok {
		s.t.Errorf("openaistub: chat request %d arrived but the script is empty", seq)
		writeError(w, http.StatusInternalServerError, APIError{Message: "openaistub: no scripted reply", Type: "server_error"})
		return http.StatusInternalServerError
	}
	if name, ok := undeclaredTool(reply, req); !ok {
		s.t.Errorf("openaistub: script calls tool %q, which the request did not offer", name)
		writeError(w, http.StatusInternalServerError, APIError{Message: "openaistub: tool not offered", Type: "server_error"})
		return http.StatusInternalServerError
	}
	for k, vs := range reply.Header {
		w.Header()[k] = vs
	}
	if reply.Status != 0 && reply.Status != http.StatusOK {
		writeError(w, reply.Status, reply.Error)
		return reply.Status
	}
	c := newCompletion(req, reply, seq)
	if !req.Stream {
		if reply.Cut != nil && reply.Cut.Mode == CutStall {
			s.stall(r.Context())
			return 0
		}
		writeJSON(w, http.StatusOK, c.object())
		return http.StatusOK
	}
	s.stream(w, r, c, reply.Cut, reply.Error)
	return http.StatusOK
}

func (s *Server) next() (Reply, int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if len(s.script) > 0 {
		r := s.script[0]
		s.script = s.script[1:]
		return r, s.seq, true
	}
	if s.fallback != nil {
		return *s.fallback, s.seq, true
	}
	return Reply{}, s.seq, false
}

// stream writes c as SSE chunks, applying cut.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, c completion, cut *Cut, cutErr APIError) {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	send := func(v any) {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err) // our own values always marshal
		}
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	for i, chunk := range c.chunks() {
		if cut != nil && i == cut.After {
			switch cut.Mode {
			case CutStall:
				s.stall(r.Context())
			case CutAbort:
				panic(http.ErrAbortHandler) // net/http drops the connection
			case CutError:
				send(map[string]any{"error": cutErr})
			}
			return
		}
		send(chunk)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

func (s *Server) stall(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-s.done:
	}
}

func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	key := s.apiKey
	s.mu.Unlock()
	if key == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok && got == key {
		return true
	}
	msg := "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
	code := ""
	if ok {
		msg = "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
		code = "invalid_api_key"
	}
	writeError(w, http.StatusUnauthorized, APIError{Message: msg, Type: "invalid_request_error", Code: code})
	return false
}

// readJSONObject reads the body as a JSON object, answering 400 as OpenAI
// does when it is not one.
func readJSONObject(w http.ResponseWriter, r *http.Request) (json.RawMessage, map[string]json.RawMessage, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 32<<20))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, APIError{Message: "Request body too large.", Type: "invalid_request_error"})
		return nil, nil, false
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		writeError(w, http.StatusBadRequest, APIError{
			Message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.",
			Type:    "invalid_request_error",
		})
		return nil, nil, false
	}
	return body, fields, true
}

func jsonErrorField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "'" + te.Field + "'"
	}
	return "body"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		panic(http.ErrAbortHandler)
	}
}

func writeError(w http.ResponseWriter, status int, e APIError) {
	writeJSON(w, status, map[string]any{"error": e})
}

// undeclaredTool reports the first scripted tool call whose name the
// request did not offer; the real API never calls a tool it was not given.
func undeclaredTool(reply Reply, req ChatRequest) (string, bool) {
	for _, c := range reply.ToolCalls {
		found := false
		for _, t := range req.Tools {
			found = found || t.Function.Name == c.Name
		}
		if !found {
			return c.Name, false
		}
	}
	return "", true
}

// Deltas returns the text deltas the stub streams for text: a piece per
// word with its leading space, words longer than eight runes (and scripts
// written without spaces) cut every eight runes. Their concatenation is text.
func Deltas(text string) []string {
	var out []string
	start := 0
	runes := 0
	for i, r := range text {
		if i > start && (r == ' ' || runes == 8) {
			out = append(out, text[start:i])
			start, runes = i, 0
		}
		runes++
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// fragments splits tool-call arguments into pieces of a few bytes, on rune
// boundaries, the way OpenAI streams them token by token.
func fragments(args string) []string {
	const size = 6
	var out []string
	for len(args) > 0 {
		n := min(size, len(args))
		for n < len(args) && !utf8.RuneStart(args[n]) {
			n++
		}
		out = append(out, args[:n])
		args = args[n:]
	}
	return out
}
