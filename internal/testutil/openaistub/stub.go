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
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/attache-dev/attache/internal/testutil/stubkit"
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
type CutMode = stubkit.CutMode

const (
	// CutStall stops sending and holds the connection open until the client
	// goes away or the stub closes. A non-streamed reply with this cut never
	// answers at all.
	CutStall = stubkit.CutStall
	// CutAbort drops the connection abruptly (no final chunk, no [DONE]).
	CutAbort = stubkit.CutAbort
	// CutError sends an SSE error event, {"error": {...}} with Reply.Error,
	// and ends the stream without finish_reason or [DONE], as OpenAI does
	// when it fails mid-stream.
	CutError = stubkit.CutError
)

// Cut interrupts a streamed reply after After data events.
type Cut = stubkit.Cut

// Server is a running stub. Its methods are safe for concurrent use.
type Server struct {
	kit    *stubkit.Server
	script stubkit.Script[Reply]
	chats  stubkit.Log[ChatRequest]

	mu            sync.Mutex
	respond       func(ChatRequest) (Reply, bool)
	apiKey        string
	embeddingDims int
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
	s := &Server{embeddingDims: DefaultEmbeddingDimensions}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.handleChat)
	mux.HandleFunc("POST /v1/embeddings", s.handleEmbeddings)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, APIError{
			Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path),
			Type:    "invalid_request_error",
		})
	})
	s.kit = stubkit.Start(t, "openaistub", mux, s.Pending)
	return s
}

// URL is the API base URL, ending in /v1, as a client's base URL setting expects.
func (s *Server) URL() string { return s.kit.URL() + "/v1" }

// Close stops the server, releasing stalled streams first. It is called
// automatically at the end of the test.
func (s *Server) Close() { s.kit.Close() }

// Enqueue appends replies to the script; each chat request consumes one.
func (s *Server) Enqueue(replies ...Reply) { s.script.Enqueue(replies...) }

// Always makes r the answer to every chat request once the script is used
// up, for benchmarks and load tests.
func (s *Server) Always(r Reply) { s.script.Always(r) }

// Respond sets a function that answers requests by their content (a translation by the
// text it is asked to translate, say) before the script is consulted; when it returns
// false the script answers. For tests whose calls arrive in an order the test does not
// control.
func (s *Server) Respond(f func(ChatRequest) (Reply, bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.respond = f
}

// Pending reports how many scripted replies have not been used.
func (s *Server) Pending() int { return s.script.Pending() }

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
func (s *Server) Requests() []ChatRequest { return s.chats.All() }

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

	idx := s.chats.Add(req)
	status := s.answerChat(w, r, req, fields)
	s.chats.Update(idx, func(c *ChatRequest) { c.Status = status })
}

// answerChat validates req, takes the next reply and writes it, returning
// the status sent.
func (s *Server) answerChat(w http.ResponseWriter, r *http.Request, req ChatRequest, fields map[string]json.RawMessage) int {
	if e, bad := validateChat(req, fields); bad {
		writeError(w, http.StatusBadRequest, e)
		return http.StatusBadRequest
	}
	s.mu.Lock()
	respond := s.respond
	s.mu.Unlock()
	var reply Reply
	var seq int
	ok := false
	if respond != nil {
		reply, ok = respond(req)
	}
	if !ok {
		reply, seq, ok = stubkit.Take(s.kit, &s.script, w, offeredTools(req), calledTools, func(w http.ResponseWriter, msg string) {
			writeError(w, http.StatusInternalServerError, APIError{Message: msg, Type: "server_error"})
		})
		if !ok {
			return http.StatusInternalServerError
		}
	}
	c := newCompletion(req, reply, seq)
	return s.kit.Answer(w, r, stubkit.Answer{
		Header:      reply.Header,
		Status:      reply.Status,
		WriteError:  func(w http.ResponseWriter, status int) { writeError(w, status, reply.Error) },
		Stream:      req.Stream,
		WriteStream: func() { s.stream(w, r, c, reply.Cut, reply.Error) },
		Object:      func() any { return c.object() },
		Cut:         reply.Cut,
	})
}

// stream writes c as SSE chunks, applying cut.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, c completion, cut *Cut, cutErr APIError) {
	sse := stubkit.StartSSE(w)
	chunks := c.chunks()
	sendChunk := func(i int) { sse.Send("", chunks[i]) }
	sendError := func() { sse.Send("", map[string]any{"error": cutErr}) }
	if s.kit.Stream(r.Context(), len(chunks), cut, sendChunk, sendError) {
		sse.Raw("[DONE]")
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
	body, err := stubkit.ReadBody(w, r)
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

func writeError(w http.ResponseWriter, status int, e APIError) {
	stubkit.WriteJSON(w, status, map[string]any{"error": e})
}

// offeredTools names the tools req offers.
func offeredTools(req ChatRequest) []string {
	var names []string
	for _, t := range req.Tools {
		names = append(names, t.Function.Name)
	}
	return names
}

// calledTools names the tools r calls.
func calledTools(r Reply) []string {
	var names []string
	for _, c := range r.ToolCalls {
		names = append(names, c.Name)
	}
	return names
}

// Deltas returns the text deltas the stub streams for text: a piece per
// word with its leading space, words longer than eight runes (and scripts
// written without spaces) cut every eight runes. Their concatenation is text.
func Deltas(text string) []string { return stubkit.Deltas(text) }
