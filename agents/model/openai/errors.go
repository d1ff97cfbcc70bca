package openai

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	lcopenai "github.com/tmc/langchaingo/llms/openai"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/internal/adapter"
)

const provider = "openai"

// doer is the HTTP client handed to langchaingo. langchaingo folds a
// non-200 answer into an error string that embeds the provider's message
// and drops the status; the doer instead records the status, the error
// code and Retry-After in the call's statusProbe, so errors are mapped on
// facts and the provider's text is never copied into ours.
type doer struct {
	client  *http.Client
	sendKey bool
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	if !d.sendKey {
		req.Header.Del("Authorization")
	}
	resp, err := d.client.Do(req)
	if err != nil || resp.StatusCode == http.StatusOK {
		return resp, err
	}
	if p, ok := req.Context().Value(probeKey{}).(*statusProbe); ok {
		p.record(resp.StatusCode, resp.Header, adapter.ReadErrorBody(resp))
	}
	return resp, nil
}

type probeKey struct{}

func withProbe(ctx context.Context, p *statusProbe) context.Context {
	return context.WithValue(ctx, probeKey{}, p)
}

// statusProbe holds what the doer saw of a non-200 answer. One per call;
// written by the doer before langchaingo returns, read after.
type statusProbe struct {
	status        int
	code          string
	retryAfter    time.Duration
	contextLength bool
}

func (p *statusProbe) record(status int, h http.Header, body []byte) {
	p.status = status
	p.retryAfter = retryAfter(h)
	code, typ, msg := decodeErrorBody(body)
	p.code = code
	if p.code == "" {
		p.code = typ
	}
	// Servers other than OpenAI (vLLM, Ollama) say it only in the message,
	// which is read here and not kept.
	msg = strings.ToLower(msg)
	p.contextLength = code == "context_length_exceeded" ||
		strings.Contains(msg, "maximum context length") || strings.Contains(msg, "context length exceeded")
}

func (p *statusProbe) err() error {
	return &model.Error{
		Kind:       kindOf(p.status, p.code, p.contextLength),
		Provider:   provider,
		Status:     p.status,
		Code:       p.code,
		RetryAfter: p.retryAfter,
	}
}

// kindOf maps an HTTP failure to a sentinel of package model. OpenAI says
// only in the error code that a 429 is an exhausted quota rather than a
// rate limit.
func kindOf(status int, code string, contextLength bool) error {
	return adapter.KindOf(status, adapter.Signs{
		Quota:         status == http.StatusTooManyRequests && code == "insufficient_quota",
		ContextLength: contextLength,
	})
}

// decodeErrorBody reads OpenAI's {"error": {"code", "type", "message"}} and
// the flat {"code", "type", "message"} of vLLM; codes that are numbers are
// ignored.
func decodeErrorBody(body []byte) (code, typ, msg string) {
	type fields struct {
		Code    json.RawMessage `json:"code"`
		Type    string          `json:"type"`
		Message string          `json:"message"`
	}
	var env struct {
		Error json.RawMessage `json:"error"`
		fields
	}
	if json.Unmarshal(body, &env) != nil {
		return "", "", ""
	}
	f := env.fields
	var nested fields
	if json.Unmarshal(env.Error, &nested) == nil {
		f = nested
	} else if json.Unmarshal(env.Error, &msg) == nil { // {"error": "text"}
		f.Message = msg
	}
	_ = json.Unmarshal(f.Code, &code) // leaves "" unless a string
	return code, f.Type, f.Message
}

// retryAfter reads retry-after-ms (OpenAI, Azure) or Retry-After in seconds
// or as an HTTP date.
func retryAfter(h http.Header) time.Duration {
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms > 0 {
		return adapter.Seconds(ms / 1000)
	}
	v := h.Get("Retry-After")
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
		return adapter.Seconds(s)
	}
	return adapter.UntilHTTPDate(v)
}

// transportError maps a failure that produced no HTTP status: the request
// did not get through, the stream broke, or a 200 answer could not be read.
func transportError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syntax) || errors.As(err, &typ) || errors.Is(err, lcopenai.ErrEmptyResponse) ||
		err.Error() == "empty response" { // langchaingo's internal client's ErrEmptyResponse
		return &model.Error{Kind: model.ErrMalformedResponse, Provider: provider, Detail: "unreadable answer", Err: err}
	}
	return &model.Error{Kind: model.ErrUnavailable, Provider: provider, Detail: "request failed", Err: err}
}
