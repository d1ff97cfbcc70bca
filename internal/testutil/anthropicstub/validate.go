package anthropicstub

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/attache-dev/attache/internal/testutil/stubkit"
)

// requestParams are the body fields the Messages API accepts; it rejects
// any other with "Extra inputs are not permitted".
var requestParams = []string{
	"container", "context_management", "max_tokens", "mcp_servers", "messages",
	"metadata", "model", "service_tier", "stop_sequences", "stream", "system",
	"temperature", "thinking", "tool_choice", "tools", "top_k", "top_p",
}

var toolName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func invalid(format string, args ...any) (APIError, bool) {
	return APIError{Type: "invalid_request_error", Message: fmt.Sprintf(format, args...)}, true
}

// decodeRequest reads the body as a JSON object into a MessagesRequest,
// answering 400 as Anthropic does when it is not one.
func decodeRequest(body []byte) (MessagesRequest, map[string]json.RawMessage, APIError, bool) {
	var req MessagesRequest
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		e, _ := invalid("There was an error parsing the body of your request: expected a JSON object")
		return req, nil, e, true
	}
	if err := json.Unmarshal(body, &req); err != nil {
		field := "body"
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field = te.Field
		}
		e, _ := invalid("%s: Input has the wrong type", field)
		return req, fields, e, true
	}
	return req, fields, APIError{}, false
}

// validate applies the checks the Messages API makes before generating,
// with its messages; it returns false when the request is acceptable.
func validate(req MessagesRequest, fields map[string]json.RawMessage) (APIError, bool) {
	if unknown := stubkit.UnknownFields(fields, requestParams); len(unknown) > 0 {
		return invalid("%s: Extra inputs are not permitted", unknown[0])
	}
	switch {
	case req.Model == "":
		return invalid("model: Field required")
	case req.MaxTokens == nil:
		return invalid("max_tokens: Field required")
	case *req.MaxTokens < 1:
		return invalid("max_tokens: Input should be greater than or equal to 1")
	case fields["messages"] == nil || stubkit.IsNull(fields["messages"]):
		return invalid("messages: Field required")
	case len(req.Messages) == 0:
		return invalid("messages: at least one message is required")
	case req.Temperature != nil && (*req.Temperature < 0 || *req.Temperature > 1):
		return invalid("temperature: Input should be less than or equal to 1")
	case len(req.System) > 0 && !stubkit.IsStringOrArray(req.System):
		return invalid("system: Input should be a valid string or a list of text blocks")
	}
	if e, bad := validateTools(req.Tools); bad {
		return e, bad
	}
	return validateMessages(req.Messages, len(req.Tools) > 0)
}

func validateTools(tools []Tool) (APIError, bool) {
	seen := map[string]bool{}
	for i, t := range tools {
		p := fmt.Sprintf("tools.%d.custom", i)
		if !toolName.MatchString(t.Name) {
			return invalid("%s.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'", p)
		}
		if seen[t.Name] {
			return invalid("tools: Tool names must be unique.")
		}
		seen[t.Name] = true
		if len(t.InputSchema) == 0 || stubkit.IsNull(t.InputSchema) {
			return invalid("%s.input_schema: Field required", p)
		}
		var schema struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(t.InputSchema, &schema) != nil || schema.Type != "object" {
			return invalid("%s.input_schema.type: Input should be 'object'", p)
		}
	}
	return APIError{}, false
}

// validateMessages checks roles, their alternation, content blocks and the
// tool protocol: the tool_use blocks of an assistant message must all be
// answered by tool_result blocks at the start of the next message, and a
// tool_result must answer a tool_use of the message just before it.
func validateMessages(msgs []Message, haveTools bool) (APIError, bool) {
	var pending []string // tool_use ids of the previous (assistant) message
	usedIDs := map[string]bool{}
	toolBlocks := false
	for i, m := range msgs {
		p := fmt.Sprintf("messages.%d", i)
		if m.Role != "user" && m.Role != "assistant" {
			return invalid("%s.role: Input should be 'user' or 'assistant'", p)
		}
		if i > 0 && msgs[i-1].Role == m.Role {
			return invalid(`messages: roles must alternate between "user" and "assistant", but found multiple %q roles in a row`, m.Role)
		}
		if len(m.Content) == 0 || stubkit.IsNull(m.Content) {
			return invalid("%s.content: Field required", p)
		}
		blocks := m.Blocks()
		if blocks == nil && !stubkit.IsStringOrArray(m.Content) {
			return invalid("%s.content: Input should be a valid list", p)
		}
		last := i == len(msgs)-1
		if len(blocks) == 0 && !(last && m.Role == "assistant") {
			return invalid("%s: all messages must have non-empty content except for the optional final assistant message", p)
		}
		answered := map[string]bool{}
		leading := true // still in the leading run of tool_result blocks
		var calls []string
		for j, b := range blocks {
			bp := fmt.Sprintf("%s.content.%d", p, j)
			if b.Type != "tool_result" {
				leading = false
			}
			switch b.Type {
			case "text":
				if b.Text == "" && !(last && m.Role == "assistant") {
					return invalid("messages: text content blocks must be non-empty")
				}
				if b.Text != "" && strings.TrimSpace(b.Text) == "" {
					return invalid("messages: text content blocks must contain non-whitespace text")
				}
			case "tool_use":
				toolBlocks = true
				if m.Role != "assistant" {
					return invalid("%s.type: tool_use blocks are only allowed in assistant messages", bp)
				}
				switch {
				case b.ID == "":
					return invalid("%s.tool_use.id: Field required", bp)
				case b.Name == "":
					return invalid("%s.tool_use.name: Field required", bp)
				case !stubkit.IsObject(b.Input):
					return invalid("%s.tool_use.input: Input should be a valid dictionary", bp)
				case usedIDs[b.ID]:
					return invalid("%s: `tool_use` ids must be unique", bp)
				}
				usedIDs[b.ID] = true
				calls = append(calls, b.ID)
			case "tool_result":
				toolBlocks = true
				if m.Role != "user" {
					return invalid("%s.type: tool_result blocks are only allowed in user messages", bp)
				}
				if !slices.Contains(pending, b.ToolUseID) || answered[b.ToolUseID] {
					return invalid("%s: unexpected `tool_use_id` found in `tool_result` blocks: %s. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.", bp, b.ToolUseID)
				}
				if leading {
					answered[b.ToolUseID] = true
				}
			case "image", "document", "thinking", "redacted_thinking":
			default:
				return invalid("%s.type: Input tag '%s' found using 'type' does not match any of the expected tags", bp, b.Type)
			}
		}
		if missing := unanswered(pending, answered); len(missing) > 0 {
			return invalid("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s. Each `tool_use` block must have a corresponding `tool_result` block in the next message.", i-1, strings.Join(missing, ", "))
		}
		pending = calls
	}
	if len(pending) > 0 {
		return invalid("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s. Each `tool_use` block must have a corresponding `tool_result` block in the next message.", len(msgs)-1, strings.Join(pending, ", "))
	}
	if toolBlocks && !haveTools {
		return invalid("Requests which include `tool_use` or `tool_result` blocks must define tools.")
	}
	return APIError{}, false
}

func unanswered(pending []string, answered map[string]bool) []string {
	var out []string
	for _, id := range pending {
		if !answered[id] {
			out = append(out, id)
		}
	}
	return out
}
