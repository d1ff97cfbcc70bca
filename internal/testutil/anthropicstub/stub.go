// Package anthropicstub is a local HTTP server that speaks Anthropic's
// Messages API (POST /v1/messages), for testing the Anthropic model adapter
// and anything else that calls that API.
//
// A test scripts what the "model" says ([Reply]: text, tool calls, an error
// status, a stream cut short); the stub renders it the way Anthropic does —
// one "message" object with content blocks, or, when the request asked to
// stream, the server-sent events message_start, content_block_start, ping,
// content_block_delta (text_delta, or input_json_delta with the tool input
// split in fragments), content_block_stop, message_delta and message_stop —
// and records every request it received so the test can assert what was
// sent. Like the real API it checks the x-api-key (when required) and
// anthropic-version headers and the request body — required fields,
// alternating roles, every tool_result answering a tool_use of the message
// before, every tool_use answered in the message after — and rejects a bad
// request with 400 and Anthropic's error body before touching the script.
// It is stricter than today's API in one respect: it rejects consecutive
// messages of the same role instead of merging them, so a client that
// relies on that merge is caught.
//
// It is not a model: it never invents an answer, and a request the script
// did not foresee fails the test. It is for tests only.
package anthropicstub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"unicode/utf8"
)

// Version is the anthropic-version header value clients send today; the
// stub requires the header but accepts any value.
const Version = "2023-06-01"

// Reply is what the stub answers to the next messages request.
type Reply struct {
	// Text is the assistant's text block, omitted when empty. Streamed, it
	// is sent as the text_delta pieces [Deltas] returns.
	Text string
	// ToolCalls are sent as tool_use blocks after the text, in order;
	// streamed, each input is sent as input_json_delta fragments.
	ToolCalls []Call
	// StopReason defaults to "tool_use" when there are tool calls and
	// "end_turn" otherwise.
	StopReason string
	// Usage defaults to token counts estimated from the text lengths.
	Usage *Usage

	// Status, when not 0 or 200, makes the reply an error response with
	// Error as its body.
	Status int
	Error  APIError
	// Header holds extra response headers, such as retry-after.
	Header http.Header

	// Cut interrupts a streamed reply; see [Cut].
	Cut *Cut
}

// Call is a tool call the scripted model makes.
type Call struct {
	ID    string // defaults to a deterministic "toolu_stub..." ID
	Name  string
	Input string // JSON text of the input object; empty means {}
}

// CutMode says how a stream is interrupted.
type CutMode int

const (
	// CutStall stops sending and holds the connection open until the client
	// goes away or the stub closes. A non-streamed reply with this cut never
	// answers at all.
	CutStall CutMode = iota
	// CutAbort drops the connection abruptly (no message_stop).
	CutAbort
	// CutEnd ends the response cleanly but early, without the remaining
	// events and without message_stop, as a proxy that gives up might.
	CutEnd
	// CutError sends an "error" event with Reply.Error (overloaded_error
	// when empty) and ends the stream, as Anthropic does when it fails
	// after the 200 status went out.
	CutError
)

// Cut interrupts a streamed reply after After events (ping included).
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

	mu       sync.Mutex
	script   []Reply
	fallback *Reply
	apiKey   string
	seq      int
	requests []MessagesRequest
}

// New starts a stub and stops it when the test ends. At the end of a test
// that has not otherwise failed, unused scripted replies are reported as an
// error: the code under test made fewer calls than the test expected.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", s.handleMessages)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, APIError{Type: "not_found_error", Message: "Not Found"})
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		s.Close()
		if n := s.Pending(); n > 0 && !t.Failed() {
			t.Errorf("anthropicstub: %d scripted replies were never requested", n)
		}
	})
	return s
}

// URL is the API base URL, ending in /v1, as the adapter's base URL
// setting expects; requests go to URL()+"/messages".
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// Close stops the server, releasing stalled streams first. It is called
// automatically at the end of the test.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// Enqueue appends replies to the script; each messages request consumes one.
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, replies...)
}

// Always makes r the answer to every request once the script is used up,
// for benchmarks and load tests.
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

// RequireAPIKey makes the stub answer 401 authentication_error, as
// Anthropic does, to requests without "x-api-key: key". By default any or
// no key is accepted, like a local proxy.
func (s *Server) RequireAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKey = key
}

// Requests returns the requests that passed the API key check so far,
// rejected ones included (see MessagesRequest.Status), in arrival order.
func (s *Server) Requests() []MessagesRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]MessagesRequest(nil), s.requests...)
}

// ErrorReply is a reply answering status with Anthropic's error body.
func ErrorReply(status int, errType, message string) Reply {
	return Reply{Status: status, Error: APIError{Type: errType, Message: message}}
}

// RateLimited is Anthropic's 429 rate_limit_error, with retry-after: 2.
func RateLimited() Reply {
	r := ErrorReply(http.StatusTooManyRequests, "rate_limit_error",
		"This request would exceed the rate limit for your organization of 50 input tokens per minute.")
	r.Header = http.Header{"Retry-After": {"2"}}
	return r
}

// Overloaded is Anthropic's 529 overloaded_error.
func Overloaded() Reply {
	return ErrorReply(529, "overloaded_error", "Overloaded")
}

// ServerError is Anthropic's 500 api_error.
func ServerError() Reply {
	return ErrorReply(http.StatusInternalServerError, "api_error", "Internal server error")
}

// PromptTooLong is Anthropic's 400 for a conversation too long for the
// model's context window.
func PromptTooLong() Reply {
	return ErrorReply(http.StatusBadRequest, "invalid_request_error", "prompt is too long: 212345 tokens > 200000 maximum")
}

// CreditTooLow is Anthropic's 400 for an account out of credit, which no
// retry will fix.
func CreditTooLow() Reply {
	return ErrorReply(http.StatusBadRequest, "invalid_request_error",
		"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.")
}

func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 32<<20))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, APIError{Type: "request_too_large", Message: "Request exceeds the maximum allowed number of bytes."})
		return
	}
	req, fields, e, bad := decodeRequest(body)
	req.Header = r.Header.Clone()
	req.Body = body

	s.mu.Lock()
	idx := len(s.requests)
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	status := http.StatusBadRequest
	switch {
	case r.Header.Get("Anthropic-Version") == "":
		writeError(w, status, APIError{Type: "invalid_request_error", Message: "anthropic-version: header is required"})
	case bad:
		writeError(w, status, e)
	default:
		status = s.answer(w, r, req, fields)
	}
	s.mu.Lock()
	s.requests[idx].Status = status
	s.mu.Unlock()
}

// answer validates req, takes the next reply and writes it, returning the
// status sent (0 when the stub never answered).
func (s *Server) answer(w http.ResponseWriter, r *http.Request, req MessagesRequest, fields map[string]json.RawMessage) int {
	if e, bad := validate(req, fields); bad {
		writeError(w, http.StatusBadRequest, e)
		return http.StatusBadRequest
	}
	reply, seq, ok := s.next()
	if !ok {
		s.t.Errorf("anthropicstub: request %d arrived but the script is empty", seq)
		writeError(w, http.StatusInternalServerError, APIError{Type: "api_error", Message: "anthropicstub: no scripted reply"})
		return http.StatusInternalServerError
	}
	if name, ok := undeclaredTool(reply, req); !ok {
		s.t.Errorf("anthropicstub: script calls tool %q, which the request did not offer", name)
		writeError(w, http.StatusInternalServerError, APIError{Type: "api_error", Message: "anthropicstub: tool not offered"})
		return http.StatusInternalServerError
	}
	for k, vs := range reply.Header {
		w.Header()[k] = vs
	}
	if reply.Status != 0 && reply.Status != http.StatusOK {
		writeError(w, reply.Status, reply.Error)
		return reply.Status
	}
	m := newMessage(req, reply, seq)
	if !req.Stream {
		if reply.Cut != nil && reply.Cut.Mode == CutStall {
			s.stall(r.Context())
			return 0
		}
		writeJSON(w, http.StatusOK, m.object())
		return http.StatusOK
	}
	s.stream(w, r, m, reply.Cut, reply.Error)
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

// stream writes m as server-sent events, applying cut.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, m message, cut *Cut, cutErr APIError) {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	send := func(e event) {
		b, err := json.Marshal(e.data)
		if err != nil {
			panic(err) // our own values always marshal
		}
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.name, b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	for i, e := range m.events() {
		if cut != nil && i == cut.After {
			switch cut.Mode {
			case CutStall:
				s.stall(r.Context())
			case CutAbort:
				panic(http.ErrAbortHandler) // net/http drops the connection
			case CutEnd:
			case CutError:
				if cutErr.Type == "" {
					cutErr = APIError{Type: "overloaded_error", Message: "Overloaded"}
				}
				send(event{"error", obj("type", "error", "error", cutErr)})
			}
			return
		}
		send(e)
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
	got := r.Header.Get("X-Api-Key")
	if got == key {
		return true
	}
	msg := "invalid x-api-key"
	if got == "" {
		msg = "x-api-key header is required"
	}
	writeError(w, http.StatusUnauthorized, APIError{Type: "authentication_error", Message: msg})
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		panic(http.ErrAbortHandler)
	}
}

func writeError(w http.ResponseWriter, status int, e APIError) {
	w.Header().Set("Request-Id", "req_stub")
	writeJSON(w, status, obj("type", "error", "error", e, "request_id", "req_stub"))
}

// undeclaredTool reports the first scripted tool call whose name the
// request did not offer; the real API never calls a tool it was not given.
func undeclaredTool(reply Reply, req MessagesRequest) (string, bool) {
	for _, c := range reply.ToolCalls {
		found := false
		for _, t := range req.Tools {
			found = found || t.Name == c.Name
		}
		if !found {
			return c.Name, false
		}
	}
	return "", true
}

// Deltas returns the text_delta pieces the stub streams for text: a piece
// per word with its leading space, words longer than eight runes (and
// scripts written without spaces) cut every eight runes. Their
// concatenation is text.
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

// Fragments returns the input_json_delta pieces the stub streams for a
// tool input: an empty first piece, as Anthropic sends, then pieces of a
// few bytes cut on rune boundaries. Their concatenation is input.
func Fragments(input string) []string {
	const size = 6
	out := []string{""}
	for len(input) > 0 {
		n := min(size, len(input))
		for n < len(input) && !utf8.RuneStart(input[n]) {
			n++
		}
		out = append(out, input[:n])
		input = input[n:]
	}
	return out
}
