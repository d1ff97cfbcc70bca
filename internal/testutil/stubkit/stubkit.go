// Package stubkit is what Attaché's provider stubs (openaistub,
// anthropicstub) share: the test server's life cycle, the script of
// replies (Enqueue, Always, Pending), the record of requests received,
// JSON and server-sent-event writing, interrupting a stream (stall, abort,
// early end, error event), and the way text and tool input are cut into
// streamed pieces.
//
// It is not a stub itself and speaks no provider's protocol: routes, error
// bodies, event names and request validation belong to each stub. It is
// for tests only.
package stubkit

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Server is a running test HTTP server that can hold requests until the
// client goes away or the server closes. Its methods are safe for
// concurrent use.
type Server struct {
	name string
	t    testing.TB
	srv  *httptest.Server
	done chan struct{}
	once sync.Once
}

// Start serves h until the test ends. name prefixes the errors it reports.
// At the end of a test that has not otherwise failed, pending (when not
// nil) is asked how many scripted replies were never used, and a non-zero
// count is reported as an error: the code under test made fewer calls than
// the test expected.
func Start(t testing.TB, name string, h http.Handler, pending func() int) *Server {
	t.Helper()
	s := &Server{name: name, t: t, done: make(chan struct{}), srv: httptest.NewServer(h)}
	t.Cleanup(func() {
		s.Close()
		if pending == nil {
			return
		}
		if n := pending(); n > 0 && !t.Failed() {
			t.Errorf("%s: %d scripted replies were never requested", name, n)
		}
	})
	return s
}

// URL is the server's root URL, without a trailing slash.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server, releasing stalled requests first.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// Errorf reports a test failure prefixed with the stub's name: a request
// the script did not foresee.
func (s *Server) Errorf(format string, args ...any) {
	s.t.Errorf(s.name+": "+format, args...)
}

// Stall blocks until ctx (the request's) is done or the server closes.
func (s *Server) Stall(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-s.done:
	}
}

// Script is a queue of scripted replies with an optional fallback. Its
// methods are safe for concurrent use.
type Script[R any] struct {
	mu       sync.Mutex
	queue    []R
	fallback *R
	seq      int
}

// Enqueue appends replies; each request consumes one.
func (s *Script[R]) Enqueue(replies ...R) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Always makes r the answer to every request once the queue is used up.
func (s *Script[R]) Always(r R) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = &r
}

// Pending reports how many enqueued replies have not been used.
func (s *Script[R]) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Next takes the next reply, or the fallback when the queue is empty, and
// numbers the request from 1; ok is false when there is neither.
func (s *Script[R]) Next() (r R, seq int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if len(s.queue) > 0 {
		r = s.queue[0]
		s.queue = s.queue[1:]
		return r, s.seq, true
	}
	if s.fallback != nil {
		return *s.fallback, s.seq, true
	}
	return r, s.seq, false
}

// Log records requests in arrival order. Its methods are safe for
// concurrent use.
type Log[Q any] struct {
	mu    sync.Mutex
	items []Q
}

// Add records q and returns its index, for Update.
func (l *Log[Q]) Add(q Q) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, q)
	return len(l.items) - 1
}

// Update changes the record at index i, such as its answer's status.
func (l *Log[Q]) Update(i int, f func(*Q)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(&l.items[i])
}

// All returns a copy of the records.
func (l *Log[Q]) All() []Q {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Q(nil), l.items...)
}

// MaxBody is the largest request body a stub reads.
const MaxBody = 32 << 20

// ReadBody reads the request body, failing when it exceeds MaxBody.
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
}

// WriteJSON answers status with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// SSE writes server-sent events, flushing each one.
type SSE struct {
	w       http.ResponseWriter
	flusher http.Flusher
}

// StartSSE answers 200 with an event stream.
func StartSSE(w http.ResponseWriter) *SSE {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	return &SSE{w: w, flusher: flusher}
}

// Send writes one event with v as its JSON data; an empty name writes a
// data line only.
func (s *SSE) Send(name string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // a stub's own values always marshal
	}
	if name != "" {
		fmt.Fprintf(s.w, "event: %s\n", name)
	}
	fmt.Fprintf(s.w, "data: %s\n\n", b)
	s.flush()
}

// Raw writes a data line holding data as is, such as "[DONE]".
func (s *SSE) Raw(data string) {
	fmt.Fprintf(s.w, "data: %s\n\n", data)
	s.flush()
}

func (s *SSE) flush() {
	if s.flusher != nil {
		s.flusher.Flush()
	}
}

// CutMode says how a stream is interrupted.
type CutMode int

// The ways to interrupt a stream.
const (
	// CutStall stops sending and holds the connection open until the
	// client goes away or the stub closes.
	CutStall CutMode = iota
	// CutAbort drops the connection abruptly.
	CutAbort
	// CutEnd ends the response cleanly but early.
	CutEnd
	// CutError sends the stub's error event and ends the stream.
	CutError
)

// Cut interrupts a streamed reply after After events.
type Cut struct {
	After int
	Mode  CutMode
}

// Stream sends events 0 to n-1 through send, in order, unless cut
// interrupts them before event cut.After: CutStall holds the connection
// (see [Server.Stall]), CutAbort drops it, CutEnd stops, and CutError calls
// sendError first. It reports whether every event was sent, for the caller
// to end the stream its protocol's way.
func (s *Server) Stream(ctx context.Context, n int, cut *Cut, send func(i int), sendError func()) bool {
	for i := range n {
		if cut != nil && i == cut.After {
			switch cut.Mode {
			case CutStall:
				s.Stall(ctx)
			case CutAbort:
				panic(http.ErrAbortHandler) // net/http drops the connection
			case CutEnd:
			case CutError:
				sendError()
			}
			return false
		}
		send(i)
	}
	return true
}

// Deltas returns the text deltas a stub streams for text: a piece per word
// with its leading space, words longer than eight runes (and scripts
// written without spaces) cut every eight runes. Their concatenation is
// text.
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

// Fragments splits a tool call's JSON into pieces of a few bytes, on rune
// boundaries, the way providers stream it token by token. Their
// concatenation is args; "" has no pieces.
func Fragments(args string) []string {
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

// Undeclared reports the first name in called that offered lacks; a
// provider never calls a tool it was not given.
func Undeclared(called, offered []string) (string, bool) {
	for _, c := range called {
		found := false
		for _, o := range offered {
			found = found || o == c
		}
		if !found {
			return c, true
		}
	}
	return "", false
}

// Answer is how a stub answers a valid request with one scripted reply.
type Answer struct {
	Header http.Header // extra response headers, such as Retry-After
	// Status, when not 0 or 200, makes the answer an error that WriteError
	// writes in the provider's shape.
	Status     int
	WriteError func(w http.ResponseWriter, status int)
	// Stream says the request asked for a stream, which WriteStream writes.
	Stream      bool
	WriteStream func()
	// Object is the body of a non-streamed answer.
	Object func() any
	// Cut interrupts the stream; CutStall also holds a non-streamed answer.
	Cut *Cut
}

// Answer writes a, returning the status sent (0 when the stub never
// answered).
func (s *Server) Answer(w http.ResponseWriter, r *http.Request, a Answer) int {
	for k, vs := range a.Header {
		w.Header()[k] = vs
	}
	if a.Status != 0 && a.Status != http.StatusOK {
		a.WriteError(w, a.Status)
		return a.Status
	}
	if !a.Stream {
		if a.Cut != nil && a.Cut.Mode == CutStall {
			s.Stall(r.Context())
			return 0
		}
		WriteJSON(w, http.StatusOK, a.Object())
		return http.StatusOK
	}
	a.WriteStream()
	return http.StatusOK
}

// Post sends body as JSON to url and returns the answer with its body
// read. header holds name, value pairs, set in order; a name "-Name"
// removes that header instead (its value is ignored).
func Post(t testing.TB, url, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	resp := do(t, context.Background(), url, body, header)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// CheckAborted posts as [Post] does a request whose answer the stub
// drops mid-stream, and fails the test if the answer could be read whole.
func CheckAborted(t testing.TB, url, body string, header ...string) {
	t.Helper()
	resp := do(t, context.Background(), url, body, header)
	_, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Error("CutAbort: reading the stream succeeded, want a broken connection")
	}
}

// CheckStalled posts as [Post] does a request whose stream the stub
// stalls, checks its first line with first, then goes away: the stalled
// handler must notice the client leaving, or closing the stub would hang.
func CheckStalled(t testing.TB, url, body string, first func(line string) bool, header ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp := do(t, ctx, url, body, header)
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !first(line) {
		t.Fatalf("CutStall: first line %q, %v", line, err)
	}
}

func do(t testing.TB, ctx context.Context, url, body string, header []string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		if name, ok := strings.CutPrefix(header[i], "-"); ok {
			req.Header.Del(name)
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// Take takes the next reply of script for a request that offered the
// tools named offered; calls names the tools a reply calls. When the
// script is empty, or the reply calls a tool the request did not offer (a
// provider never does), Take fails the test, answers 500 through fail with
// a message for the client, and reports false.
func Take[R any](s *Server, script *Script[R], w http.ResponseWriter, offered []string, calls func(R) []string,
	fail func(w http.ResponseWriter, msg string)) (reply R, seq int, ok bool) {
	reply, seq, ok = script.Next()
	if !ok {
		s.Errorf("request %d arrived but the script is empty", seq)
		fail(w, s.name+": no scripted reply")
		return reply, seq, false
	}
	if name, bad := Undeclared(calls(reply), offered); bad {
		s.Errorf("script calls tool %q, which the request did not offer", name)
		fail(w, s.name+": tool not offered")
		return reply, seq, false
	}
	return reply, seq, true
}
