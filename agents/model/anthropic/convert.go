package anthropic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tmc/langchaingo/llms"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/internal/adapter"
)

// messagesToLangchain converts a validated conversation. System messages,
// wherever they are, become one system message in front (langchaingo would
// glue several together without a separator). Every other content block
// becomes a langchaingo message of its own, because langchaingo converts
// only the first part of a message; the doer merges them back into
// Anthropic turns (see mergeTurns).
func messagesToLangchain(msgs []model.Message) []llms.MessageContent {
	var system []string
	var out []llms.MessageContent
	for _, m := range msgs {
		switch m.Role {
		case model.RoleSystem:
			system = append(system, m.Text)
		case model.RoleTool:
			out = append(out, llms.MessageContent{
				Role:  llms.ChatMessageTypeTool,
				Parts: []llms.ContentPart{llms.ToolCallResponse{ToolCallID: m.ToolCallID, Content: m.Text}},
			})
		case model.RoleAssistant:
			// Anthropic rejects text blocks without non-whitespace text:
			// an assistant message with neither text nor calls is left out.
			if strings.TrimSpace(m.Text) != "" {
				out = append(out, llms.TextParts(llms.ChatMessageTypeAI, m.Text))
			}
			for _, c := range m.ToolCalls {
				out = append(out, llms.MessageContent{Role: llms.ChatMessageTypeAI, Parts: []llms.ContentPart{adapter.ToolCallToLangchain(c)}})
			}
		default: // model.RoleUser; Validate rejected the rest
			out = append(out, llms.TextParts(llms.ChatMessageTypeHuman, m.Text))
		}
	}
	if len(system) > 0 {
		out = append([]llms.MessageContent{llms.TextParts(llms.ChatMessageTypeSystem, strings.Join(system, "\n\n"))}, out...)
	}
	return out
}

// wireMessage is an element of the request's "messages" as langchaingo
// encodes it: a role and an array of content blocks (or a string).
type wireMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// mergeTurns rewrites a Messages request body so that consecutive messages
// of the same role become one turn whose content is their blocks in order:
// the assistant's text and tool_use blocks, the tool_result blocks of a
// parallel call (and any user text after them). Anthropic wants the roles
// to alternate and all results of a turn's calls in the next user turn.
// Only "messages" changes; the other fields pass through untouched.
func mergeTurns(body []byte) ([]byte, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("decode request body: %w", err)
	}
	var msgs []wireMessage
	if err := json.Unmarshal(env["messages"], &msgs); err != nil {
		return nil, fmt.Errorf("decode request messages: %w", err)
	}
	type turn struct {
		Role    string            `json:"role"`
		Content []json.RawMessage `json:"content"`
	}
	var turns []turn
	for i, m := range msgs {
		blocks, err := contentBlocks(m.Content)
		if err != nil {
			return nil, fmt.Errorf("request message %d: %w", i, err)
		}
		if n := len(turns); n > 0 && turns[n-1].Role == m.Role {
			turns[n-1].Content = append(turns[n-1].Content, blocks...)
			continue
		}
		turns = append(turns, turn{Role: m.Role, Content: blocks})
	}
	merged, err := json.Marshal(turns)
	if err != nil {
		return nil, fmt.Errorf("encode request messages: %w", err)
	}
	env["messages"] = merged
	return json.Marshal(env)
}

// contentBlocks returns a message content as blocks; a string is one text
// block.
func contentBlocks(content json.RawMessage) ([]json.RawMessage, error) {
	content = bytes.TrimSpace(content)
	if len(content) > 0 && content[0] == '"' {
		var s string
		if err := json.Unmarshal(content, &s); err != nil {
			return nil, err
		}
		b, err := json.Marshal(map[string]string{"type": "text", "text": s})
		return []json.RawMessage{b}, err
	}
	var blocks []json.RawMessage
	if err := json.Unmarshal(content, &blocks); err != nil {
		return nil, err
	}
	return blocks, nil
}

// responseFromLangchain gathers langchaingo's answer — one choice per
// content block — into one response, checking the tool calls.
func responseFromLangchain(r *llms.ContentResponse) (model.Response, error) {
	if r == nil || len(r.Choices) == 0 {
		return model.Response{}, malformed("no content in the answer")
	}
	var text strings.Builder
	var calls []model.ToolCall
	for _, c := range r.Choices {
		if c == nil {
			continue
		}
		text.WriteString(c.Content)
		for _, tc := range c.ToolCalls {
			call, err := toolCallFromLangchain(tc, len(calls))
			if err != nil {
				return model.Response{}, err
			}
			calls = append(calls, call)
		}
	}
	first := r.Choices[0]
	if first == nil {
		return model.Response{}, malformed("no content in the answer")
	}
	stop := stopReason(first.StopReason)
	if len(calls) == 0 && stop == model.StopToolCalls {
		return model.Response{}, malformed("stop_reason tool_use without any tool_use block")
	}
	return model.Response{
		Text:       text.String(),
		ToolCalls:  calls,
		StopReason: stop,
		Usage:      usageFromGenerationInfo(first.GenerationInfo),
	}, nil
}

// toolCallFromLangchain checks one call: a name, an ID and arguments that
// are a JSON object.
func toolCallFromLangchain(tc llms.ToolCall, i int) (model.ToolCall, error) {
	if tc.FunctionCall == nil || tc.FunctionCall.Name == "" {
		return model.ToolCall{}, malformed(fmt.Sprintf("tool call %d has no name", i))
	}
	if tc.ID == "" {
		return model.ToolCall{}, malformed(fmt.Sprintf("tool call %d (%s) has no id", i, tc.FunctionCall.Name))
	}
	args := bytes.TrimSpace([]byte(tc.FunctionCall.Arguments))
	if len(args) == 0 || string(args) == "null" {
		args = []byte("{}")
	}
	if args[0] != '{' || !json.Valid(args) {
		return model.ToolCall{}, malformed(fmt.Sprintf("tool call %d (%s): input is not a JSON object", i, tc.FunctionCall.Name))
	}
	return model.ToolCall{ID: tc.ID, Name: tc.FunctionCall.Name, Arguments: json.RawMessage(args)}, nil
}

// stopReason translates Anthropic's stop_reason; an unknown one (such as
// pause_turn) is passed through.
func stopReason(s string) string {
	switch s {
	case "end_turn", "stop_sequence":
		return model.StopEnd
	case "max_tokens", "model_context_window_exceeded":
		return model.StopLength
	case "tool_use":
		return model.StopToolCalls
	case "refusal":
		return model.StopContentFilter
	default:
		return s
	}
}

// usageFromGenerationInfo reads the token counts langchaingo stores in its
// untyped GenerationInfo map.
func usageFromGenerationInfo(info map[string]any) model.Usage {
	in, _ := info["InputTokens"].(int)
	out, _ := info["OutputTokens"].(int)
	return model.Usage{InputTokens: in, OutputTokens: out}
}

func malformed(detail string) error { return adapter.Malformed(provider, detail) }
