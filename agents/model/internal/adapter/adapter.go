// Package adapter holds what the provider adapters of package model
// (model/openai, model/anthropic) do alike: checking the common part of
// their configuration, converting tool definitions and calls to
// langchaingo's, passing streamed text to the caller's OnText, telling a
// caller's cancellation from the adapter's own timeout, keeping a failed
// answer's body for inspection, and mapping HTTP status classes to the
// sentinels of package model.
//
// It is not a provider client and knows no wire format: what a provider's
// error body says, which headers it sends and how its stream is parsed stay
// in its adapter, which turns them into the plain facts this package reads.
package adapter

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/attache-dev/attache/agents/model"
)

// DefaultTimeout bounds a call, stream included, when a Config leaves
// Timeout at 0.
const DefaultTimeout = 2 * time.Minute

// MaxErrorBody bounds how much of an error response is read.
const MaxErrorBody = 64 << 10

// Config is the part of an adapter's configuration every adapter has.
type Config struct {
	BaseURL    string
	Model      string
	HTTPClient *http.Client
	Timeout    time.Duration
}

// Settings is a Config checked and with its defaults filled in.
type Settings struct {
	BaseURL    string
	HTTPClient *http.Client
	Timeout    time.Duration
}

// Check validates cfg for the adapter named provider and fills in the
// defaults: defaultBase for an empty BaseURL, DefaultTimeout for a zero
// Timeout, and a dedicated client with net/http's default transport
// settings for a nil HTTPClient. Its errors start with the provider's name.
func Check(provider string, cfg Config, defaultBase string) (Settings, error) {
	if cfg.Model == "" {
		return Settings{}, fmt.Errorf("%s: model name is required", provider)
	}
	base := cfg.BaseURL
	if base == "" {
		base = defaultBase
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Settings{}, fmt.Errorf("%s: base URL %q must be an absolute http(s) URL", provider, base)
	}
	if cfg.Timeout < 0 {
		return Settings{}, fmt.Errorf("%s: negative timeout %v", provider, cfg.Timeout)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	return Settings{BaseURL: base, HTTPClient: hc, Timeout: timeout}, nil
}

// Token is the API key to hand langchaingo, which refuses an empty one and
// would otherwise fall back to the environment: without a key a
// placeholder, whose header the adapter's HTTP client then removes.
func Token(apiKey string) string {
	if apiKey == "" {
		return "no-key"
	}
	return apiKey
}

// TextSink sits between langchaingo's streaming callback and the caller's
// OnText: it passes non-empty chunks that Skip (when set) does not reject,
// and keeps what OnText returned, to give it back to the caller unwrapped
// by langchaingo.
type TextSink struct {
	OnText func(ctx context.Context, delta string) error
	// Skip reports chunks that are not text, such as tool-call JSON.
	Skip func(b []byte) bool
	// Err is the error OnText returned, if any.
	Err error
}

// Chunk is the streaming function given to langchaingo.
func (s *TextSink) Chunk(ctx context.Context, b []byte) error {
	if len(b) == 0 || (s.Skip != nil && s.Skip(b)) {
		return nil
	}
	if err := s.OnText(ctx, string(b)); err != nil {
		s.Err = err
		return err
	}
	return nil
}

// Interrupted reports, in this order, the stream consumer's own error, the
// caller's cancellation, and the adapter's timeout (a retryable
// ErrUnavailable): the reasons a call ended that come before anything the
// provider said. It returns nil when none applies. sink may be nil.
func Interrupted(provider string, ctx, callCtx context.Context, timeout time.Duration, sink *TextSink) error {
	switch {
	case sink != nil && sink.Err != nil:
		return fmt.Errorf("%s: stream consumer: %w", provider, sink.Err)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", provider, ctx.Err())
	case callCtx.Err() != nil:
		return &model.Error{Kind: model.ErrUnavailable, Provider: provider,
			Detail: fmt.Sprintf("no complete answer within %v", timeout), Err: callCtx.Err()}
	}
	return nil
}

// StreamCut is the error for a stream that ended before the answer was
// complete.
func StreamCut(provider string) error {
	return &model.Error{Kind: model.ErrUnavailable, Provider: provider,
		Detail: "stream ended before the answer was complete"}
}

// ReadErrorBody reads at most MaxErrorBody bytes of a failed answer's body,
// closes it and puts the bytes read back in its place for langchaingo.
func ReadErrorBody(resp *http.Response) []byte {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return body
}

// Signs are what a provider said about a failure beyond its HTTP status,
// in its error code or type, or only in its message.
type Signs struct {
	Auth          bool // the credentials were refused
	Quota         bool // the account is out of quota or credit
	RateLimit     bool
	Unavailable   bool // the provider failed or is overloaded
	ContextLength bool // the conversation is too long for the model
	Invalid       bool // the request was rejected as malformed
}

// KindOf maps a failure — an HTTP status, 0 when there was none (an error
// event in a stream), and the provider's signs — to a sentinel of package
// model. The status classes decide unless a sign comes first: refused
// credentials, then exhausted quota, rate limits, provider failures,
// context length, malformed requests. Anything else (1xx, 2xx other than
// 200, 3xx, an unknown event) is something in the way: ErrUnavailable.
func KindOf(status int, s Signs) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden || s.Auth:
		return model.ErrAuth
	case s.Quota:
		return model.ErrQuotaExceeded
	case status == http.StatusTooManyRequests || s.RateLimit:
		return model.ErrRateLimited
	case status == http.StatusRequestTimeout || status == http.StatusConflict || status >= 500 || s.Unavailable:
		return model.ErrUnavailable
	case s.ContextLength || status == http.StatusRequestEntityTooLarge:
		return model.ErrContextLength
	case status >= 400 || s.Invalid:
		return model.ErrInvalidRequest
	default:
		return model.ErrUnavailable
	}
}

// UntilHTTPDate returns the time from now until v, an HTTP date as in
// Retry-After, or 0 when v is not one or lies in the past; at most MaxRetryWait.
func UntilHTTPDate(v string) time.Duration {
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return min(d, MaxRetryWait)
		}
	}
	return 0
}

// MaxRetryWait is the longest wait a provider's Retry-After is taken at: a header asking
// for more (or one so large it would overflow) is read as this.
const MaxRetryWait = time.Hour

// Seconds converts a Retry-After count of seconds to a wait: 0 when not positive (or NaN),
// at most MaxRetryWait.
func Seconds(s float64) time.Duration {
	if !(s > 0) {
		return 0
	}
	if s >= MaxRetryWait.Seconds() {
		return MaxRetryWait
	}
	return time.Duration(s * float64(time.Second))
}
