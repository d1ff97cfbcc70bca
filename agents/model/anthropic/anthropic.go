// Package anthropic implements model.Model for Anthropic's Messages API
// (Claude), on top of langchaingo's anthropic provider with a configurable
// base URL, so that it also reaches gateways that speak the same API.
//
// The adapter owns the boundary: it converts our conversation into
// Anthropic's — system messages into the top-level system prompt, tool
// calls into tool_use blocks, tool results into tool_result blocks of one
// user turn answering the assistant's tool_use ids — turns streaming on
// when the request has an OnText callback (which receives text deltas
// only, never tool input JSON), sends a max_tokens on every request
// (Anthropic requires one; [DefaultMaxTokens] when the request leaves it 0),
// and maps every failure to the sentinels of package model so that
// Temporal can tell retryable (429, 529 overloaded, 5xx, a broken stream)
// from permanent (400, 401, 403, 404) errors. It makes exactly one HTTP
// request per Generate call: no retries (Temporal owns them), and no
// configuration read from the environment.
//
// # Parallel tool calls
//
// langchaingo v0.1.14 loses parallel tool calls on the way out:
// handleAIMessage in llms/anthropic/anthropicllm.go converts only
// msg.Parts[0] of an assistant message, so an assistant turn with text and
// tool calls, or with two or more tool calls, is sent with its first part
// only, and the tool results that follow answer tool_use ids Anthropic
// never saw (HTTP 400: "unexpected `tool_use_id` found in `tool_result`
// blocks"); handleToolMessage likewise sends each tool result as a user
// message of its own (upstream issue tmc/langchaingo#1468). On the way in,
// processAnthropicResponse returns one ContentChoice per content block,
// each holding at most one tool call, so reading Choices[0] — as the
// OpenAI adapter rightly does — would keep only the text or the first call.
// Its stream parser itself keeps every block.
//
// The adapter works around both without leaving langchaingo: it hands
// langchaingo one message per content block (every part is then a
// Parts[0]), and the HTTP client it gives langchaingo merges consecutive
// messages of the same role in the request body into one turn — the
// assistant's text and tool_use blocks together, the tool_result blocks of
// a parallel call together, as Anthropic requires. Answers are read from
// every choice, in order. Speaking /v1/messages directly was the other
// option; it would have meant owning the SSE parser and the whole request
// encoding to fix message conversion alone. The same HTTP client also
// records the status and error type of failed requests, and watches the
// event stream for error events and message_stop, so that errors are
// mapped on facts and never quote the provider.
//
// One langchaingo limit remains: tool inputs pass through
// map[string]any, so integers beyond 2^53 in tool arguments lose
// precision and object keys come back sorted. Tool schemas should type
// identifiers as strings.
//
// It is not an embeddings client (Anthropic has none), an OpenAI adapter or
// a retry policy; it does not use extended thinking, prompt caching or
// Anthropic's server tools.
package anthropic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tmc/langchaingo/llms"
	lcanthropic "github.com/tmc/langchaingo/llms/anthropic"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/internal/adapter"
)

// DefaultBaseURL is Anthropic's API, used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.anthropic.com/v1"

// DefaultTimeout bounds a call, stream included, when Config.Timeout is 0.
const DefaultTimeout = adapter.DefaultTimeout

// DefaultMaxTokens is sent as max_tokens when the request leaves MaxTokens
// at 0: Anthropic requires the field, and a customer-service reply fits.
const DefaultMaxTokens = 1024

// maxTemperature is the highest temperature Anthropic accepts.
const maxTemperature = 1

// Config configures a Model.
type Config struct {
	// BaseURL is the API root including /v1; requests go to BaseURL +
	// "/messages". Empty means DefaultBaseURL.
	BaseURL string
	// APIKey is sent in the x-api-key header. Empty sends none, for
	// gateways that authenticate otherwise.
	APIKey string
	// Model is the model name, e.g. "claude-sonnet-4-5". Required.
	Model string
	// HTTPClient carries the requests; nil means a dedicated client with
	// net/http's default transport settings. It must not retry on its own.
	HTTPClient *http.Client
	// Timeout bounds each Generate call including the whole stream; 0 means
	// DefaultTimeout. The caller's context deadline applies as well.
	Timeout time.Duration
}

// Model is a model.Model backed by Anthropic's Messages API. It is safe for
// concurrent use.
type Model struct {
	llm     *lcanthropic.LLM
	timeout time.Duration
}

var _ model.Model = (*Model)(nil)

// New checks cfg and returns a Model. It makes no network call.
func New(cfg Config) (*Model, error) {
	set, err := adapter.Check(provider, adapter.Config{
		BaseURL: cfg.BaseURL, Model: cfg.Model, HTTPClient: cfg.HTTPClient, Timeout: cfg.Timeout,
	}, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	// langchaingo falls back to ANTHROPIC_API_KEY without a token.
	llm, err := lcanthropic.New(
		lcanthropic.WithToken(adapter.Token(cfg.APIKey)),
		lcanthropic.WithModel(cfg.Model),
		lcanthropic.WithBaseURL(strings.TrimSuffix(set.BaseURL, "/")),
		lcanthropic.WithHTTPClient(&doer{client: set.HTTPClient, sendKey: cfg.APIKey != ""}),
	)
	if err != nil {
		return nil, fmt.Errorf("anthropic: %w", err)
	}
	return &Model{llm: llm, timeout: set.Timeout}, nil
}

// Generate sends one Messages request. With req.OnText set it streams,
// calling OnText with text deltas only, in order, from a goroutine of the
// call; the returned Response is the whole answer either way. Errors wrap
// the sentinels of package model, the caller's context error, or the error
// OnText returned.
func (m *Model) Generate(ctx context.Context, req model.Request) (model.Response, error) {
	if err := req.Validate(); err != nil {
		return model.Response{}, fmt.Errorf("anthropic: %w", err)
	}
	if err := validate(req); err != nil {
		return model.Response{}, fmt.Errorf("anthropic: %w", err)
	}
	msgs := messagesToLangchain(req.Messages)

	callCtx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	probe := &callProbe{}
	callCtx = withProbe(callCtx, probe)

	opts := callOptions(req)
	var sink *adapter.TextSink
	if req.OnText != nil {
		// langchaingo's Anthropic stream parser calls it for text_delta
		// events only (input_json_delta and thinking deltas never reach
		// it), so there is nothing to skip.
		sink = &adapter.TextSink{OnText: req.OnText}
		opts = append(opts, llms.WithStreamingFunc(sink.Chunk))
	}
	resp, err := m.llm.GenerateContent(callCtx, msgs, opts...)

	// Order matters: the consumer's own error first, then cancellation,
	// then what the doer saw, and langchaingo's wording never.
	if err := adapter.Interrupted(provider, ctx, callCtx, m.timeout, sink); err != nil {
		return model.Response{}, err
	}
	switch {
	case probe.status != 0:
		return model.Response{}, probe.statusError()
	case probe.streamErrType != "":
		return model.Response{}, probe.streamError()
	case probe.encodeErr != nil:
		return model.Response{}, &model.Error{Kind: model.ErrInvalidRequest, Provider: provider,
			Detail: "request body not encodable", Err: probe.encodeErr}
	case probe.transportErr != nil:
		return model.Response{}, &model.Error{Kind: model.ErrUnavailable, Provider: provider,
			Detail: "request failed", Err: probe.transportErr}
	case errors.Is(err, lcanthropic.ErrEmptyResponse):
		// langchaingo reports both an answer without content blocks and
		// a stream that ended before message_stop this way.
		return probe.emptyAnswer(sink != nil)
	case err != nil:
		// langchaingo's other errors may quote the answer (an unknown
		// content block is printed whole): keep only our words.
		return model.Response{}, malformed("unreadable answer")
	}
	return responseFromLangchain(resp)
}

// validate applies the rules Anthropic adds to model.Request.Validate.
func validate(req model.Request) error {
	if req.Temperature > maxTemperature {
		return fmt.Errorf("%w: temperature %g above Anthropic's maximum of %d", model.ErrInvalidRequest, req.Temperature, maxTemperature)
	}
	turns := 0
	for i, msg := range req.Messages {
		switch {
		case msg.Role == model.RoleUser && strings.TrimSpace(msg.Text) == "":
			return fmt.Errorf("%w: message %d: Anthropic rejects a user message without text", model.ErrInvalidRequest, i)
		case msg.Role != model.RoleSystem:
			turns++
		}
	}
	if turns == 0 {
		return fmt.Errorf("%w: only system messages", model.ErrInvalidRequest)
	}
	return nil
}

func callOptions(req model.Request) []llms.CallOption {
	maxTokens := req.MaxTokens
	if maxTokens == 0 {
		maxTokens = DefaultMaxTokens
	}
	opts := []llms.CallOption{llms.WithTemperature(req.Temperature), llms.WithMaxTokens(maxTokens)}
	if len(req.Tools) > 0 {
		opts = append(opts, llms.WithTools(adapter.ToolsToLangchain(req.Tools)))
	}
	return opts
}
