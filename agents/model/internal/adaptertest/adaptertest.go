// Package adaptertest holds the tests that every model adapter
// (model/openai, model/anthropic) must pass in the same way against its
// provider's stub: cancellation and timeouts mid-stream, a consumer that
// stops the stream, refused credentials, requests rejected before they
// reach the provider, failures mapped to the sentinels of package model
// without quoting the provider, and concurrent use. It also holds the
// conversation, tools and helpers those tests and the adapters' own ones
// share.
//
// It is not a stub and knows no wire format: each adapter's test file
// binds it to the adapter and its stub through a [Fixture], and keeps the
// tests that differ by protocol (what is sent on the wire, stop reasons,
// configuration) to itself. It is for tests only.
package adaptertest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/agents/model"
)

// SystemPrompt is the system message of [Ask].
const SystemPrompt = "You are the support agent of a shop shipping from Lyon."

// Ask is a conversation of the system prompt and one user message.
func Ask(text string) []model.Message {
	return []model.Message{
		{Role: model.RoleSystem, Text: SystemPrompt},
		{Role: model.RoleUser, Text: text},
	}
}

// OrderTools returns two tools with a required string argument each.
func OrderTools() []model.Tool {
	return []model.Tool{
		{
			Name:        "order_status",
			Description: "Look up an order by its number.",
			Parameters:  json.RawMessage(`{"type":"object","properties":{"order":{"type":"string"}},"required":["order"]}`),
		},
		{
			Name:        "track_parcel",
			Description: "Track a parcel with the carrier.",
			Parameters:  json.RawMessage(`{"type":"object","properties":{"parcel":{"type":"string"}},"required":["parcel"]}`),
		},
	}
}

// JSONEqual compares two JSON texts by value.
func JSONEqual(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Errorf("not JSON: %q: %v", got, err)
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

// Collect returns an OnText that appends each delta to deltas.
func Collect(deltas *[]string) func(context.Context, string) error {
	return func(_ context.Context, d string) error {
		*deltas = append(*deltas, d)
		return nil
	}
}

// Describe renders tool calls for a failure message.
func Describe(calls []model.ToolCall) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString(c.ID + ":" + c.Name + string(c.Arguments) + " ")
	}
	return b.String()
}

// CheckToolAnswer checks an answer that asks for tools: the calls, the
// stop reason, the text, and that OnText saw wantDeltas and no tool JSON.
func CheckToolAnswer(t *testing.T, resp model.Response, deltas []string, want []model.ToolCall, wantText string, wantDeltas []string) {
	t.Helper()
	if !reflect.DeepEqual(resp.ToolCalls, want) {
		t.Errorf("ToolCalls = %s, want %s", Describe(resp.ToolCalls), Describe(want))
	}
	if resp.StopReason != model.StopToolCalls {
		t.Errorf("StopReason = %q, want tool_calls", resp.StopReason)
	}
	if resp.Text != wantText {
		t.Errorf("Text = %q, want %q", resp.Text, wantText)
	}
	if !slices.Equal(deltas, wantDeltas) {
		t.Errorf("OnText saw %q, want %q (tool-call JSON must not leak)", deltas, wantDeltas)
	}
}

// Stub is what the shared tests need of a provider stub scripted with
// replies of type R.
type Stub[R any] interface {
	Enqueue(replies ...R)
	Always(r R)
}

// Fixture binds the shared tests to an adapter and its stub, whose
// scripted reply type is R.
type Fixture[R any] struct {
	// Provider is the adapter's name in model.Error.
	Provider string
	// Tools are offered in the requests of [Errors] and [Concurrently].
	Tools []model.Tool
	// Start starts a stub and returns it with the adapter pointed at it,
	// whose Config.Timeout is timeout (0 for the default), and a function
	// counting the requests the stub received.
	Start func(t *testing.T, timeout time.Duration) (s Stub[R], m model.Model, received func() int)
	// Text is a reply of text only.
	Text func(text string) R
	// Stalled is a reply of text whose stream stalls after its second text
	// delta, and that is never answered unstreamed.
	Stalled func(text string) R
}

// start starts f's stub and adapter and scripts replies.
func (f Fixture[R]) start(t *testing.T, timeout time.Duration, replies ...R) (model.Model, func() int) {
	s, m, received := f.Start(t, timeout)
	s.Enqueue(replies...)
	return m, received
}

// Cancellation checks that the caller's cancellation and the adapter's
// timeout end a stalled call promptly, and that a stream consumer's error
// stops the call and comes back as is.
func Cancellation[R any](t *testing.T, f Fixture[R]) {
	t.Parallel()
	stalled := f.Stalled("Votre colis est en route vers Marseille depuis hier soir.")

	t.Run("caller cancels mid-stream", func(t *testing.T) {
		t.Parallel()
		m, _ := f.start(t, 0, stalled)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var deltas []string
		start := time.Now()
		_, err := m.Generate(ctx, model.Request{Messages: Ask("Où est mon colis ?"), OnText: func(_ context.Context, d string) error {
			deltas = append(deltas, d)
			if len(deltas) == 2 { // the stub stalls after this delta
				go func() { time.Sleep(20 * time.Millisecond); cancel() }()
			}
			return nil
		}})
		if !errors.Is(err, context.Canceled) || model.Retryable(err) {
			t.Fatalf("Generate = %v, want context.Canceled, not retryable", err)
		}
		if len(deltas) != 2 {
			t.Errorf("OnText saw %q before the stall", deltas)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Generate took %v to notice the cancellation", d)
		}
	})

	t.Run("adapter timeout mid-stream", func(t *testing.T) {
		t.Parallel()
		m, _ := f.start(t, 200*time.Millisecond, stalled)
		_, err := m.Generate(context.Background(), model.Request{Messages: Ask("Où est mon colis ?"), OnText: func(context.Context, string) error { return nil }})
		if !errors.Is(err, model.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) || !model.Retryable(err) {
			t.Fatalf("Generate = %v, want retryable ErrUnavailable caused by the deadline", err)
		}
	})

	t.Run("adapter timeout before any answer", func(t *testing.T) {
		t.Parallel()
		m, _ := f.start(t, 200*time.Millisecond, stalled)
		_, err := m.Generate(context.Background(), model.Request{Messages: Ask("Où est mon colis ?")})
		if !errors.Is(err, model.ErrUnavailable) || !model.Retryable(err) {
			t.Fatalf("Generate = %v, want retryable ErrUnavailable", err)
		}
	})

	t.Run("consumer stops the stream", func(t *testing.T) {
		t.Parallel()
		m, _ := f.start(t, 0, f.Text("one two three four five six"))
		errClientGone := errors.New("widget disconnected")
		calls := 0
		_, err := m.Generate(context.Background(), model.Request{Messages: Ask("hi"), OnText: func(context.Context, string) error {
			calls++
			if calls == 2 {
				return errClientGone
			}
			return nil
		}})
		if !errors.Is(err, errClientGone) || calls != 2 {
			t.Fatalf("Generate = %v after %d deltas, want the consumer's error after 2", err, calls)
		}
	})
}

// WrongKey checks the error of a call whose credentials the provider
// refused: a permanent ErrAuth with status 401 and the provider's code, not
// repeating leak, the provider's words.
func WrongKey(t *testing.T, err error, code, leak string) {
	t.Helper()
	var e *model.Error
	if !errors.Is(err, model.ErrAuth) || !errors.As(err, &e) || e.Status != http.StatusUnauthorized || e.Code != code || model.Retryable(err) {
		t.Errorf("Generate = %v, want a permanent ErrAuth with status 401 and code %s", err, code)
	}
	if err != nil && leak != "" && strings.Contains(err.Error(), leak) {
		t.Errorf("error %q repeats the provider's message", err)
	}
}

// RejectsLocally checks that each request fails with a permanent
// ErrInvalidRequest without reaching the provider. Among them is always a
// tool result that answers no call.
func RejectsLocally[R any](t *testing.T, f Fixture[R], reqs map[string]model.Request) {
	t.Parallel()
	m, received := f.start(t, 0)
	all := map[string]model.Request{
		"orphan tool result": {Messages: append(Ask("hi"), model.Message{Role: model.RoleTool, ToolCallID: "call_404", Text: "{}"})},
	}
	for name, req := range reqs {
		all[name] = req
	}
	for name, req := range all {
		_, err := m.Generate(context.Background(), req)
		if !errors.Is(err, model.ErrInvalidRequest) || model.Retryable(err) {
			t.Errorf("%s: Generate = %v, want permanent ErrInvalidRequest", name, err)
		}
	}
	if n := received(); n != 0 {
		t.Errorf("an invalid request reached the provider (%d requests)", n)
	}
}

// ErrorCase is a failure of the provider, scripted as Reply, that the
// adapter must report as a sentinel.
type ErrorCase[R any] struct {
	Name      string
	Reply     R
	Stream    bool
	Kind      error         // the sentinel
	Code      string        // model.Error.Code: the provider's error code or type
	Retryable bool          // what model.Retryable says
	After     time.Duration // what model.RetryAfter says
	Leak      string        // provider text that must not appear in the error
}

// Errors runs each case in parallel on a stub of its own, asking about an
// order with f.Tools offered.
func Errors[R any](t *testing.T, f Fixture[R], cases []ErrorCase[R]) {
	t.Parallel()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			m, _ := f.start(t, 0, tt.Reply)
			req := model.Request{Messages: Ask("Where is my order?"), Tools: f.Tools}
			var streamed []string
			if tt.Stream {
				req.OnText = Collect(&streamed)
			}
			resp, err := m.Generate(context.Background(), req)
			if !errors.Is(err, tt.Kind) {
				t.Fatalf("Generate = %+v, %v; want %v", resp, err, tt.Kind)
			}
			if got := model.Retryable(err); got != tt.Retryable {
				t.Errorf("Retryable(%v) = %v, want %v", err, got, tt.Retryable)
			}
			if got := model.RetryAfter(err); got != tt.After {
				t.Errorf("RetryAfter = %v, want %v", got, tt.After)
			}
			var e *model.Error
			if !errors.As(err, &e) || e.Provider != f.Provider || e.Code != tt.Code {
				t.Errorf("error %#v, want provider %s and code %q", e, f.Provider, tt.Code)
			}
			if tt.Leak != "" && strings.Contains(err.Error(), tt.Leak) {
				t.Errorf("error %q repeats the provider's words", err)
			}
		})
	}
}

// Concurrently shares one model between goroutines, half of them
// streaming, for the race detector: each call keeps its own state. The
// stub answers every call with the text "Your parcel is in Lyon." and one
// call of track_parcel, which f.Tools must offer.
func Concurrently[R any](t *testing.T, f Fixture[R], reply R) {
	t.Parallel()
	s, m, _ := f.Start(t, 0)
	s.Always(reply)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			req := model.Request{Messages: Ask("Where is my parcel?"), Tools: f.Tools}
			var deltas []string
			if i%2 == 0 {
				req.OnText = Collect(&deltas)
			}
			resp, err := m.Generate(context.Background(), req)
			if err == nil && (resp.Text != "Your parcel is in Lyon." || len(resp.ToolCalls) != 1) {
				err = errors.New("wrong answer: " + resp.Text)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// Generate calls m with req, collecting the text deltas when stream is
// set, and stops the test on an error.
func Generate(t *testing.T, m model.Model, req model.Request, stream bool) (model.Response, []string) {
	t.Helper()
	var deltas []string
	if stream {
		req.OnText = Collect(&deltas)
	}
	resp, err := m.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return resp, deltas
}

// PlainAndStreamed runs f as two parallel subtests, name and name+"
// streamed", the second with stream set.
func PlainAndStreamed(t *testing.T, name string, f func(t *testing.T, stream bool)) {
	t.Helper()
	for _, stream := range []bool{false, true} {
		n := name
		if stream {
			n += " streamed"
		}
		t.Run(n, func(t *testing.T) {
			t.Parallel()
			f(t, stream)
		})
	}
}
