package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/internal/adapter"
)

const provider = "anthropic"

// doer is the HTTP client handed to langchaingo. It
//   - merges consecutive same-role messages of the request body into one
//     turn (see mergeTurns and the package documentation);
//   - removes the x-api-key header when no key is configured;
//   - records in the call's probe the status, error type and retry-after
//     of a failed request — langchaingo folds them into an error string
//     that quotes the provider's message — and any transport failure;
//   - keeps a 200 JSON answer's bytes, and wraps a 200 event stream in a
//     watcher, so that an answer without content blocks, a stream cut short
//     and an error event can be told apart (langchaingo reports the first
//     two alike and quotes the third).
type doer struct {
	client  *http.Client
	sendKey bool
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	p := probeFrom(req.Context())
	if !d.sendKey {
		req.Header.Del("X-Api-Key")
	}
	if err := rewriteBody(req); err != nil {
		p.encodeErr = err
		return nil, err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		p.transportErr = err
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		p.record(resp.StatusCode, resp.Header, adapter.ReadErrorBody(resp))
		return resp, nil
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body = &sseWatcher{body: resp.Body, probe: p}
		return resp, nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		p.transportErr = err
		return nil, err
	}
	p.body = body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// rewriteBody replaces the request body with mergeTurns of it.
func rewriteBody(req *http.Request) error {
	if req.Body == nil {
		return nil
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	body, err = mergeTurns(body)
	if err != nil {
		return err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.ContentLength = int64(len(body))
	return nil
}

type probeKey struct{}

func withProbe(ctx context.Context, p *callProbe) context.Context {
	return context.WithValue(ctx, probeKey{}, p)
}

// probeFrom returns the call's probe, or a throwaway one for a request
// that did not come through Generate.
func probeFrom(ctx context.Context) *callProbe {
	if p, ok := ctx.Value(probeKey{}).(*callProbe); ok {
		return p
	}
	return &callProbe{}
}

// callProbe holds what the doer saw of one call. Written by the doer and
// by the stream watcher before langchaingo returns (langchaingo hands the
// result over a channel after the last read), read after.
type callProbe struct {
	// A non-200 answer.
	status        int
	errType       string
	retryAfter    time.Duration
	contextLength bool
	outOfCredit   bool

	encodeErr    error // the request body could not be rewritten (our bug)
	transportErr error // no answer, or the body could not be read

	body []byte // a 200 JSON answer

	// A 200 event stream.
	streamErrType string // type of an error event
	complete      bool   // message_stop arrived
	stopReason    string
	usage         model.Usage
}

func (p *callProbe) record(status int, h http.Header, body []byte) {
	p.status = status
	p.retryAfter = retryAfter(h)
	typ, msg := decodeErrorBody(body)
	p.errType = typ
	// Anthropic says these only in the message, which is read here and
	// not kept.
	msg = strings.ToLower(msg)
	p.contextLength = strings.Contains(msg, "prompt is too long") ||
		strings.Contains(msg, "context limit") || strings.Contains(msg, "context window")
	p.outOfCredit = strings.Contains(msg, "credit balance")
}

func (p *callProbe) statusError() error {
	return &model.Error{
		Kind:       kindOf(p.status, p.errType, p.contextLength, p.outOfCredit),
		Provider:   provider,
		Status:     p.status,
		Code:       p.errType,
		RetryAfter: p.retryAfter,
	}
}

func (p *callProbe) streamError() error {
	return &model.Error{
		Kind:     kindOf(0, p.streamErrType, false, false),
		Provider: provider,
		Code:     p.streamErrType,
		Detail:   "error event in the stream",
	}
}

// emptyAnswer resolves langchaingo's ErrEmptyResponse: a complete answer
// without content blocks (Anthropic sends one, typically after tool
// results, when the model has nothing to add) is an empty response; a
// stream that ended before message_stop is a failure to retry.
func (p *callProbe) emptyAnswer(streamed bool) (model.Response, error) {
	if streamed {
		if !p.complete {
			return model.Response{}, adapter.StreamCut(provider)
		}
		return model.Response{StopReason: stopReason(p.stopReason), Usage: p.usage}, nil
	}
	var msg struct {
		Type       string            `json:"type"`
		Content    []json.RawMessage `json:"content"`
		StopReason string            `json:"stop_reason"`
		Usage      struct {
			InputTokens  int `json:"input_tokens"`
			OutputTokens int `json:"output_tokens"`
		} `json:"usage"`
	}
	if json.Unmarshal(p.body, &msg) != nil || msg.Type != "message" || len(msg.Content) != 0 || msg.StopReason == "" {
		return model.Response{}, malformed("no content in the answer")
	}
	return model.Response{
		StopReason: stopReason(msg.StopReason),
		Usage:      model.Usage{InputTokens: msg.Usage.InputTokens, OutputTokens: msg.Usage.OutputTokens},
	}, nil
}

// kindOf maps a failure — an HTTP status, or only an error type when it
// came as an event in a stream — to a sentinel of package model. 529 is
// Anthropic's "overloaded", a 5xx like any other; 402 and billing_error
// are an exhausted credit.
func kindOf(status int, errType string, contextLength, outOfCredit bool) error {
	return adapter.KindOf(status, adapter.Signs{
		Auth:          errType == "authentication_error" || errType == "permission_error",
		Quota:         status == http.StatusPaymentRequired || errType == "billing_error" || outOfCredit,
		RateLimit:     errType == "rate_limit_error",
		Unavailable:   errType == "api_error" || errType == "overloaded_error" || errType == "timeout_error",
		ContextLength: contextLength || errType == "request_too_large",
		Invalid:       errType == "invalid_request_error" || errType == "not_found_error",
	})
}

// decodeErrorBody reads Anthropic's {"type": "error", "error": {"type",
// "message"}}.
func decodeErrorBody(body []byte) (typ, msg string) {
	var env struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil {
		return "", ""
	}
	return env.Error.Type, env.Error.Message
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
		return adapter.Seconds(s)
	}
	return adapter.UntilHTTPDate(v)
}
