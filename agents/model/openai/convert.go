package openai

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/tmc/langchaingo/llms"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/internal/adapter"
)

// messagesToLangchain converts a validated conversation.
func messagesToLangchain(msgs []model.Message) []llms.MessageContent {
	out := make([]llms.MessageContent, len(msgs))
	for i, m := range msgs {
		out[i] = messageToLangchain(m)
	}
	return out
}

func messageToLangchain(m model.Message) llms.MessageContent {
	switch m.Role {
	case model.RoleSystem:
		return llms.TextParts(llms.ChatMessageTypeSystem, m.Text)
	case model.RoleTool:
		return llms.MessageContent{
			Role:  llms.ChatMessageTypeTool,
			Parts: []llms.ContentPart{llms.ToolCallResponse{ToolCallID: m.ToolCallID, Content: m.Text}},
		}
	case model.RoleAssistant:
		var parts []llms.ContentPart
		if m.Text != "" || len(m.ToolCalls) == 0 {
			parts = append(parts, llms.TextContent{Text: m.Text})
		}
		for _, c := range m.ToolCalls {
			parts = append(parts, adapter.ToolCallToLangchain(c))
		}
		return llms.MessageContent{Role: llms.ChatMessageTypeAI, Parts: parts}
	default: // model.RoleUser; Validate rejected the rest
		return llms.TextParts(llms.ChatMessageTypeHuman, m.Text)
	}
}

// responseFromLangchain converts langchaingo's answer, checking the tool
// calls it assembled.
func responseFromLangchain(r *llms.ContentResponse) (model.Response, error) {
	if r == nil || len(r.Choices) == 0 {
		return model.Response{}, malformed("no choices in the answer")
	}
	c := r.Choices[0]
	calls, err := toolCallsFromLangchain(c.ToolCalls)
	if err != nil {
		return model.Response{}, err
	}
	stop := c.StopReason
	switch {
	case len(calls) > 0 && stop == model.StopEnd:
		// Some servers (Ollama among them) report "stop" with tool calls.
		stop = model.StopToolCalls
	case len(calls) == 0 && stop == model.StopToolCalls:
		return model.Response{}, malformed("finish_reason tool_calls without any tool call")
	}
	return model.Response{
		Text:       c.Content,
		ToolCalls:  calls,
		StopReason: stop,
		Usage:      usageFromGenerationInfo(c.GenerationInfo),
	}, nil
}

// toolCallsFromLangchain validates the calls: each gets a name, an ID and
// arguments that are a JSON object.
//
// langchaingo assembles streamed calls by appending every fragment without
// a "type" to the last call and opening a new call for every fragment with
// one (it ignores "index"). Servers that repeat "type" (or the ID) in each
// fragment therefore yield extra calls without a name; those are merged
// back into the call they continue. Anything still broken is an error rather
// than a guess.
func toolCallsFromLangchain(tcs []llms.ToolCall) ([]model.ToolCall, error) {
	var out []model.ToolCall
	for _, tc := range tcs {
		if tc.FunctionCall == nil {
			return nil, malformed("tool call without a function")
		}
		if len(out) > 0 && tc.FunctionCall.Name == "" && (tc.ID == "" || tc.ID == out[len(out)-1].ID) {
			last := &out[len(out)-1]
			last.Arguments = append(last.Arguments, tc.FunctionCall.Arguments...)
			continue
		}
		out = append(out, model.ToolCall{
			ID:        tc.ID,
			Name:      tc.FunctionCall.Name,
			Arguments: json.RawMessage(tc.FunctionCall.Arguments),
		})
	}
	for i := range out {
		c := &out[i]
		if c.Name == "" {
			return nil, malformed(fmt.Sprintf("tool call %d has no name", i))
		}
		if c.ID == "" {
			c.ID = fmt.Sprintf("call_%d", i)
		}
		c.Arguments = bytes.TrimSpace(c.Arguments)
		if len(c.Arguments) == 0 {
			c.Arguments = json.RawMessage("{}")
		}
		if c.Arguments[0] != '{' || !json.Valid(c.Arguments) {
			return nil, malformed(fmt.Sprintf("tool call %d (%s): arguments are not a JSON object", i, c.Name))
		}
	}
	return out, nil
}

// usageFromGenerationInfo reads the token counts langchaingo stores in its
// untyped GenerationInfo map.
func usageFromGenerationInfo(info map[string]any) model.Usage {
	in, _ := info["PromptTokens"].(int)
	out, _ := info["CompletionTokens"].(int)
	return model.Usage{InputTokens: in, OutputTokens: out}
}

func malformed(detail string) error { return adapter.Malformed(provider, detail) }
