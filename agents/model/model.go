// Package model is Attaché's own small interface to a chat model: one
// Generate call that takes a conversation (with tool definitions and tool
// results) and returns text and tool calls, optionally streaming the text.
//
// It exists so that the agent turn logic, the offline engine and the tests
// depend on a few plain types rather than on a provider SDK. Adapters that
// speak to real providers live in subpackages (model/openai for any
// OpenAI-compatible endpoint, model/anthropic for Anthropic's Messages API).
//
// It is not a prompt library, a conversation store or a retry layer: callers
// build the messages, persist transcripts elsewhere, and retries belong to
// Temporal. The errors in this package tell the caller whether a failure is
// worth retrying (see [Retryable]); they never carry a provider's error body.
package model

import (
	"context"
	"encoding/json"
)

// Role says who authored a message.
type Role string

// The roles a conversation may contain.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool" // the result of a tool call, answering ToolCallID
)

// Message is one turn of the conversation sent to the model.
type Message struct {
	Role Role
	Text string
	// ToolCalls are the calls an assistant message asked for; only for RoleAssistant.
	ToolCalls []ToolCall
	// ToolCallID names the call this message answers; only for RoleTool.
	ToolCallID string
}

// Tool describes a function the model may call.
type Tool struct {
	Name        string
	Description string
	// Parameters is a JSON schema of the arguments object; empty means no arguments.
	Parameters json.RawMessage
}

// ToolCall is a model's request to run a tool.
type ToolCall struct {
	// ID is the provider's identifier, echoed back in the tool result message.
	ID   string
	Name string
	// Arguments is a JSON object; adapters guarantee it is valid JSON.
	Arguments json.RawMessage
}

// Request is one call to the model.
type Request struct {
	Messages    []Message
	Tools       []Tool
	Temperature float64 // sent as is: 0 asks for the most deterministic output
	MaxTokens   int     // 0 leaves the provider's default
	// OnText, when set, turns on streaming: it is called with each text delta,
	// in order, and never with tool-call JSON. Returning an error stops the
	// call, and Generate returns that error.
	OnText func(ctx context.Context, delta string) error
}

// Stop reasons reported in Response.StopReason. Adapters translate their
// provider's vocabulary into these; an unknown reason is passed through.
const (
	StopEnd           = "stop"           // the model finished its answer
	StopLength        = "length"         // MaxTokens or the context window cut the answer
	StopToolCalls     = "tool_calls"     // the model wants tools run
	StopContentFilter = "content_filter" // the provider withheld (part of) the answer
)

// Response is what the model returned.
type Response struct {
	Text       string
	ToolCalls  []ToolCall
	StopReason string
	Usage      Usage
}

// Usage counts tokens as reported by the provider (zero when it reports none).
type Usage struct {
	InputTokens  int
	OutputTokens int
}

// Model generates the next assistant message. Implementations are safe for
// concurrent use.
type Model interface {
	Generate(ctx context.Context, req Request) (Response, error)
}

// Func adapts a function to the Model interface, for tests and small
// in-process models.
type Func func(ctx context.Context, req Request) (Response, error)

// Generate calls f.
func (f Func) Generate(ctx context.Context, req Request) (Response, error) {
	return f(ctx, req)
}
