package anthropicstub

import (
	"encoding/json"
	"net/http"
	"strings"
)

// These types are Anthropic's wire format, as received by the stub; they
// keep their JSON tags because they are the protocol.

// MessagesRequest is a /v1/messages request as the stub decoded it.
type MessagesRequest struct {
	Model     string    `json:"model"`
	MaxTokens *int      `json:"max_tokens"`
	Messages  []Message `json:"messages"`
	// System is a string or an array of text blocks; see SystemText.
	System        json.RawMessage `json:"system,omitempty"`
	Tools         []Tool          `json:"tools,omitempty"`
	ToolChoice    json.RawMessage `json:"tool_choice,omitempty"`
	Stream        bool            `json:"stream,omitempty"`
	Temperature   *float64        `json:"temperature,omitempty"`
	TopP          *float64        `json:"top_p,omitempty"`
	TopK          *int            `json:"top_k,omitempty"`
	StopSequences []string        `json:"stop_sequences,omitempty"`
	Metadata      json.RawMessage `json:"metadata,omitempty"`
	Thinking      json.RawMessage `json:"thinking,omitempty"`

	// Not part of the body: what the stub saw and answered.
	Header http.Header     `json:"-"`
	Body   json.RawMessage `json:"-"` // the body exactly as received
	Status int             `json:"-"` // the HTTP status the stub answered with
}

// SystemText returns the system prompt: the string, or the text blocks of
// an array joined together; "" when absent.
func (r MessagesRequest) SystemText() string {
	return textOf(r.System)
}

// Message is one element of "messages".
type Message struct {
	Role string `json:"role"`
	// Content is a string or an array of content blocks; see Blocks.
	Content json.RawMessage `json:"content"`
}

// Blocks returns the message's content blocks; a string content is one
// text block. It returns nil when the content is neither.
func (m Message) Blocks() []Block {
	var s string
	if json.Unmarshal(m.Content, &s) == nil {
		return []Block{{Type: "text", Text: s}}
	}
	var blocks []Block
	if json.Unmarshal(m.Content, &blocks) != nil {
		return nil
	}
	return blocks
}

// Text returns the text blocks of the message joined together.
func (m Message) Text() string { return textOf(m.Content) }

// Block is a content block: text, tool_use (assistant) or tool_result (user).
type Block struct {
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
	// tool_use
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
	// tool_result; Content is a string or an array of text blocks.
	ToolUseID string          `json:"tool_use_id,omitempty"`
	Content   json.RawMessage `json:"content,omitempty"`
	IsError   bool            `json:"is_error,omitempty"`
}

// ResultText returns a tool_result block's content as text.
func (b Block) ResultText() string { return textOf(b.Content) }

func textOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var blocks []Block
	if json.Unmarshal(raw, &blocks) != nil {
		return ""
	}
	var b strings.Builder
	for _, bl := range blocks {
		if bl.Type == "text" {
			b.WriteString(bl.Text)
		}
	}
	return b.String()
}

// Tool is an element of "tools".
type Tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

// APIError is the "error" object of Anthropic's error body
// {"type": "error", "error": {"type", "message"}}. Type is one of
// invalid_request_error, authentication_error, permission_error,
// not_found_error, request_too_large, rate_limit_error, api_error,
// overloaded_error, billing_error.
type APIError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// Usage is the usage object of a message.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}
