// Package openai implements model.Model for any endpoint that speaks
// OpenAI's chat-completions protocol with bearer-token auth — OpenAI
// itself, vLLM, Ollama's /v1, DeepSeek, Qwen — on top of langchaingo's
// openai client.
//
// The adapter owns the boundary: it converts our messages and tools into
// langchaingo's, turns streaming on when the request has an OnText callback
// and passes it text only (langchaingo hands tool-call JSON to the same
// callback), validates tool calls before returning them, and maps every
// failure to the sentinels of package model so that Temporal can tell
// retryable from permanent errors. It makes exactly one HTTP request per
// Generate call: no retries (Temporal owns them), and no configuration read
// from the environment.
//
// It is not an embeddings client, an Anthropic adapter or a retry policy.
package openai

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tmc/langchaingo/llms"
	lcopenai "github.com/tmc/langchaingo/llms/openai"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/internal/adapter"
)

// DefaultBaseURL is OpenAI's API, used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.openai.com/v1"

// DefaultTimeout bounds a call, stream included, when Config.Timeout is 0.
const DefaultTimeout = adapter.DefaultTimeout

// Config configures a Model.
type Config struct {
	// BaseURL is the API root including /v1, e.g. "http://localhost:11434/v1"
	// for Ollama. Empty means DefaultBaseURL.
	BaseURL string
	// APIKey is sent as a bearer token. Empty sends no Authorization header,
	// for local servers that need none.
	APIKey string
	// Model is the model name the endpoint knows, e.g. "gpt-4o-mini". Required.
	Model string
	// HTTPClient carries the requests; nil means a dedicated client with
	// net/http's default transport settings. It must not retry on its own.
	HTTPClient *http.Client
	// Timeout bounds each Generate call including the whole stream; 0 means
	// DefaultTimeout. The caller's context deadline applies as well.
	Timeout time.Duration
	// LegacyMaxTokens sends "max_tokens" instead of "max_completion_tokens",
	// for servers that predate the newer field.
	LegacyMaxTokens bool
}

// Model is a model.Model backed by an OpenAI-compatible endpoint. It is safe
// for concurrent use.
type Model struct {
	llm             *lcopenai.LLM
	timeout         time.Duration
	legacyMaxTokens bool
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
	// langchaingo fills every option we leave out from OPENAI_* environment
	// variables: pass them all explicitly.
	llm, err := lcopenai.New(
		lcopenai.WithToken(adapter.Token(cfg.APIKey)),
		lcopenai.WithModel(cfg.Model),
		lcopenai.WithBaseURL(set.BaseURL),
		lcopenai.WithOrganization(""),
		lcopenai.WithAPIType(lcopenai.APITypeOpenAI),
		lcopenai.WithHTTPClient(&doer{client: set.HTTPClient, sendKey: cfg.APIKey != ""}),
	)
	if err != nil {
		return nil, fmt.Errorf("openai: %w", err)
	}
	return &Model{llm: llm, timeout: set.Timeout, legacyMaxTokens: cfg.LegacyMaxTokens}, nil
}

// Generate sends one chat-completions request. With req.OnText set it
// streams, calling OnText with text deltas only; the returned Response is
// the whole answer either way. Errors wrap the sentinels of package model,
// the caller's context error, or the error OnText returned.
func (m *Model) Generate(ctx context.Context, req model.Request) (model.Response, error) {
	if err := req.Validate(); err != nil {
		return model.Response{}, fmt.Errorf("openai: %w", err)
	}
	msgs := messagesToLangchain(req.Messages)

	callCtx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	probe := &statusProbe{}
	callCtx = withProbe(callCtx, probe)

	opts := m.callOptions(req)
	var stream *adapter.TextSink
	if req.OnText != nil {
		// langchaingo hands tool-call deltas to the same callback.
		stream = &adapter.TextSink{OnText: req.OnText, Skip: isToolCallDeltas}
		opts = append(opts, llms.WithStreamingFunc(stream.Chunk))
	}
	resp, err := m.llm.GenerateContent(callCtx, msgs, opts...)

	// Order matters: langchaingo reports a cancelled stream as a partial
	// success, and its own wording for every other failure.
	if err := adapter.Interrupted(provider, ctx, callCtx, m.timeout, stream); err != nil {
		return model.Response{}, err
	}
	switch {
	case probe.status != 0:
		return model.Response{}, probe.err()
	case err != nil:
		return model.Response{}, transportError(err)
	}
	out, err := responseFromLangchain(resp)
	if err != nil {
		return model.Response{}, err
	}
	if stream != nil && out.StopReason == "" {
		// The stream ended without a finish_reason: the connection was cut
		// or the provider sent an error event, which langchaingo skips.
		return model.Response{}, adapter.StreamCut(provider)
	}
	return out, nil
}

func (m *Model) callOptions(req model.Request) []llms.CallOption {
	opts := []llms.CallOption{llms.WithTemperature(req.Temperature)}
	if req.MaxTokens > 0 {
		opts = append(opts, llms.WithMaxTokens(req.MaxTokens))
		if m.legacyMaxTokens {
			opts = append(opts, lcopenai.WithLegacyMaxTokensField())
		}
	}
	if len(req.Tools) > 0 {
		opts = append(opts, llms.WithTools(adapter.ToolsToLangchain(req.Tools)))
	}
	return opts
}
