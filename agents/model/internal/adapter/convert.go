package adapter

import (
	"encoding/json"

	"github.com/tmc/langchaingo/llms"

	"github.com/attache-dev/attache/agents/model"
)

// emptySchema is sent for a tool without parameters: OpenAI rejects a null
// schema, Anthropic requires an input_schema, and an object with no
// properties means "no arguments" to both.
var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// ToolsToLangchain converts tool definitions, giving a tool without
// parameters an empty object schema.
func ToolsToLangchain(tools []model.Tool) []llms.Tool {
	out := make([]llms.Tool, len(tools))
	for i, t := range tools {
		params := t.Parameters
		if len(params) == 0 {
			params = emptySchema
		}
		out[i] = llms.Tool{Type: "function", Function: &llms.FunctionDefinition{
			Name:        t.Name,
			Description: t.Description,
			Parameters:  params,
		}}
	}
	return out
}

// ToolCallToLangchain converts a call of an assistant message, giving a
// call without arguments an empty object (langchaingo's Anthropic provider
// decodes the arguments into one). Type must be "function": langchaingo
// copies it to the wire as is, and OpenAI rejects a tool call without it.
func ToolCallToLangchain(c model.ToolCall) llms.ToolCall {
	args := string(c.Arguments)
	if args == "" {
		args = "{}"
	}
	return llms.ToolCall{ID: c.ID, Type: "function", FunctionCall: &llms.FunctionCall{Name: c.Name, Arguments: args}}
}

// Malformed is the error for an answer that came but cannot be used.
func Malformed(provider, detail string) error {
	return &model.Error{Kind: model.ErrMalformedResponse, Provider: provider, Detail: detail}
}
