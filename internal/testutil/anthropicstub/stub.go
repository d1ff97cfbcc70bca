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
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/attache-dev/attache/internal/testutil/stubkit"
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
type CutMode = stubkit.CutMode

const (
	// CutStall stops sending and holds the connection open until the client
	// goes away or the stub closes. A non-streamed reply with this cut never
	// answers at all.
	CutStall = stubkit.CutStall
	// CutAbort drops the connection abruptly (no message_stop).
	CutAbort = stubkit.CutAbort
	// CutEnd ends the response cleanly but early, without the remaining
	// events and without message_stop, as a proxy that gives up might.
	CutEnd = stubkit.CutEnd
	// CutError sends an "error" event with Reply.Error (overloaded_error
	// when empty) and ends the stream, as Anthropic does when it fails
	// after the 200 status went out.
	CutError = stubkit.CutError
)

// Cut interrupts a streamed reply after After events (ping included).
type Cut = stubkit.Cut

// Server is a running stub. Its methods are safe for concurrent use.
type Server struct {
	kit      *stubkit.Server
	script   stubkit.Script[Reply]
	requests stubkit.Log[MessagesRequest]

	mu     sync.Mutex
	apiKey string
}

// New starts a stub and stops it when the test ends. At the end of a test
// that has not otherwise failed, unused scripted replies are reported as an
// error: the code under test made fewer calls than the test expected.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", s.handleMessages)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, APIError{Type: "not_found_error", Message: "Not Found"})
	})
	s.kit = stubkit.Start(t, "anthropicstub", mux, s.Pending)
	return s
}

// URL is the API base URL, ending in /v1, as the adapter's base URL
// setting expects; requests go to URL()+"/messages".
func (s *Server) URL() string { return s.kit.URL() + "/v1" }

// Close stops the server, releasing stalled streams first. It is called
// automatically at the end of the test.
func (s *Server) Close() { s.kit.Close() }

// Enqueue appends replies to the script; each messages request consumes one.
func (s *Server) Enqueue(replies ...Reply) { s.script.Enqueue(replies...) }

// Always makes r the answer to every request once the script is used up,
// for benchmarks and load tests.
func (s *Server) Always(r Reply) { s.script.Always(r) }

// Pending reports how many scripted replies have not been used.
func (s *Server) Pending() int { return s.script.Pending() }

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
func (s *Server) Requests() []MessagesRequest { return s.requests.All() }

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
	body, err := stubkit.ReadBody(w, r)
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, APIError{Type: "request_too_large", Message: "Request exceeds the maximum allowed number of bytes."})
		return
	}
	req, fields, e, bad := decodeRequest(body)
	req.Header = r.Header.Clone()
	req.Body = body

	idx := s.requests.Add(req)
	status := http.StatusBadRequest
	switch {
	case r.Header.Get("Anthropic-Version") == "":
		writeError(w, status, APIError{Type: "invalid_request_error", Message: "anthropic-version: header is required"})
	case bad:
		writeError(w, status, e)
	default:
		status = s.answer(w, r, req, fields)
	}
	s.requests.Update(idx, func(q *MessagesRequest) { q.Status = status })
}

// answer validates req, takes the next reply and writes it, returning the
// status sent (0 when the stub never answered).
func (s *Server) answer(w http.ResponseWriter, r *http.Request, req MessagesRequest, fields map[string]json.RawMessage) int {
	if e, bad := validate(req, fields); bad {
		writeError(w, http.StatusBadRequest, e)
		return http.StatusBadRequest
	}
	reply, seq, ok := stubkit.Take(s.kit, &s.script, w, offeredTools(req), calledTools, func(w http.ResponseWriter, msg string) {
		writeError(w, http.StatusInternalServerError, APIError{Type: "api_error", Message: msg})
	})
	if !ok {
		return http.StatusInternalServerError
	}
	m := newMessage(req, reply, seq)
	return s.kit.Answer(w, r, stubkit.Answer{
		Header:      reply.Header,
		Status:      reply.Status,
		WriteError:  func(w http.ResponseWriter, status int) { writeError(w, status, reply.Error) },
		Stream:      req.Stream,
		WriteStream: func() { s.stream(w, r, m, reply.Cut, reply.Error) },
		Object:      func() any { return m.object() },
		Cut:         reply.Cut,
	})
}

// stream writes m as server-sent events, applying cut.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, m message, cut *Cut, cutErr APIError) {
	sse := stubkit.StartSSE(w)
	events := m.events()
	sendEvent := func(i int) { sse.Send(events[i].name, events[i].data) }
	sendError := func() {
		if cutErr.Type == "" {
			cutErr = APIError{Type: "overloaded_error", Message: "Overloaded"}
		}
		sse.Send("error", obj("type", "error", "error", cutErr))
	}
	s.kit.Stream(r.Context(), len(events), cut, sendEvent, sendError)
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

func writeError(w http.ResponseWriter, status int, e APIError) {
	w.Header().Set("Request-Id", "req_stub")
	stubkit.WriteJSON(w, status, obj("type", "error", "error", e, "request_id", "req_stub"))
}

// offeredTools names the tools req offers.
func offeredTools(req MessagesRequest) []string {
	var names []string
	for _, t := range req.Tools {
		names = append(names, t.Name)
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

// Deltas returns the text_delta pieces the stub streams for text: a piece
// per word with its leading space, words longer than eight runes (and
// scripts written without spaces) cut every eight runes. Their
// concatenation is text.
func Deltas(text string) []string { return stubkit.Deltas(text) }

// Fragments returns the input_json_delta pieces the stub streams for a
// tool input: an empty first piece, as Anthropic sends, then pieces of a
// few bytes cut on rune boundaries. Their concatenation is input.
func Fragments(input string) []string {
	return append([]string{""}, stubkit.Fragments(input)...)
}
