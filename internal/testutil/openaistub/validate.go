package openaistub

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/attache-dev/attache/internal/testutil/stubkit"
)

// chatParams are the request fields OpenAI's chat completions accept; it
// rejects any other with "Unrecognized request argument supplied".
var chatParams = []string{
	"audio", "frequency_penalty", "function_call", "functions", "logit_bias",
	"logprobs", "max_completion_tokens", "max_tokens", "messages", "metadata",
	"modalities", "model", "n", "parallel_tool_calls", "prediction",
	"presence_penalty", "prompt_cache_key", "reasoning_effort",
	"response_format", "safety_identifier", "seed", "service_tier", "stop",
	"store", "stream", "stream_options", "temperature", "tool_choice", "tools",
	"top_logprobs", "top_p", "user", "verbosity", "web_search_options",
}

var toolName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func invalid(param, code, format string, args ...any) (APIError, bool) {
	return APIError{Message: fmt.Sprintf(format, args...), Type: "invalid_request_error", Param: param, Code: code}, true
}

// validateChat applies the checks OpenAI makes before generating, with its
// messages; it returns false when the request is acceptable.
func validateChat(req ChatRequest, fields map[string]json.RawMessage) (APIError, bool) {
	if unknown := stubkit.UnknownFields(fields, chatParams); len(unknown) > 0 {
		return invalid("", "", "Unrecognized request argument supplied: %s", strings.Join(unknown, ", "))
	}
	if req.Model == "" {
		return invalid("", "", "you must provide a model parameter")
	}
	if _, ok := fields["messages"]; !ok || stubkit.IsNull(fields["messages"]) {
		return invalid("messages", "missing_required_parameter", "Missing required parameter: 'messages'.")
	}
	if len(req.Messages) == 0 {
		return invalid("messages", "empty_array", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.")
	}
	if req.Temperature != nil && (*req.Temperature < 0 || *req.Temperature > 2) {
		return invalid("temperature", "decimal_above_max_value", "Invalid 'temperature': decimal out of range. Expected a value between 0 and 2, but got %g instead.", *req.Temperature)
	}
	if req.StreamOptions != nil && !req.Stream {
		return invalid("stream_options", "invalid_value", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
	}
	if e, bad := validateTools(req.Tools); bad {
		return e, bad
	}
	return validateMessages(req.Messages)
}

func validateTools(tools []Tool) (APIError, bool) {
	seen := map[string]bool{}
	for i, t := range tools {
		p := fmt.Sprintf("tools[%d]", i)
		if t.Type != "function" {
			return invalid(p+".type", "invalid_value", "Invalid value: '%s'. Supported values are: 'function' and 'custom'.", t.Type)
		}
		if t.Function.Name == "" {
			return invalid(p+".function.name", "missing_required_parameter", "Missing required parameter: '%s.function.name'.", p)
		}
		if !toolName.MatchString(t.Function.Name) {
			return invalid(p+".function.name", "invalid_value", "Invalid '%s.function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", p)
		}
		if seen[t.Function.Name] {
			return invalid("tools", "", "Tool names must be unique.")
		}
		seen[t.Function.Name] = true
		if len(t.Function.Parameters) > 0 && !stubkit.IsObject(t.Function.Parameters) {
			return invalid(p+".function.parameters", "invalid_type", "Invalid type for '%s.function.parameters': expected an object.", p)
		}
	}
	return APIError{}, false
}

// validateMessages checks roles, required fields and the tool-call protocol:
// an assistant message with tool_calls must be followed by one tool message
// per call before anything else, and a tool message must answer such a call.
func validateMessages(msgs []Message) (APIError, bool) {
	var pending []string // unanswered tool_call_ids of the last assistant message
	for i, m := range msgs {
		p := fmt.Sprintf("messages[%d]", i)
		if m.Role != "tool" && len(pending) > 0 {
			return invalid("messages", "", "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: %s", strings.Join(pending, ", "))
		}
		switch m.Role {
		case "system", "developer", "user":
			if len(m.Content) == 0 || stubkit.IsNull(m.Content) {
				return invalid(p+".content", "missing_required_parameter", "Missing required parameter: '%s.content'.", p)
			}
			if !stubkit.IsStringOrArray(m.Content) {
				return invalid(p+".content", "invalid_type", "Invalid type for '%s.content': expected one of a string or array of objects.", p)
			}
		case "assistant":
			hasContent := len(m.Content) > 0 && !stubkit.IsNull(m.Content)
			if !hasContent && len(m.ToolCalls) == 0 {
				return invalid(p+".content", "missing_required_parameter", "Missing required parameter: '%s.content'.", p)
			}
			if hasContent && !stubkit.IsStringOrArray(m.Content) {
				return invalid(p+".content", "invalid_type", "Invalid type for '%s.content': expected one of a string or array of objects.", p)
			}
			for j, c := range m.ToolCalls {
				cp := fmt.Sprintf("%s.tool_calls[%d]", p, j)
				switch {
				case c.ID == "":
					return invalid(cp+".id", "missing_required_parameter", "Missing required parameter: '%s.id'.", cp)
				case c.Type != "function":
					return invalid(cp+".type", "missing_required_parameter", "Missing required parameter: '%s.type'.", cp)
				case c.Function.Name == "":
					return invalid(cp+".function.name", "missing_required_parameter", "Missing required parameter: '%s.function.name'.", cp)
				}
				pending = append(pending, c.ID)
			}
		case "tool":
			if m.ToolCallID == "" {
				return invalid(p+".tool_call_id", "missing_required_parameter", "Missing required parameter: '%s.tool_call_id'.", p)
			}
			if len(m.Content) == 0 || stubkit.IsNull(m.Content) {
				return invalid(p+".content", "missing_required_parameter", "Missing required parameter: '%s.content'.", p)
			}
			k := slices.Index(pending, m.ToolCallID)
			if k < 0 {
				return invalid(p+".role", "", "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.")
			}
			pending = slices.Delete(pending, k, k+1)
		default:
			return invalid(p+".role", "invalid_value", "Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.", m.Role)
		}
	}
	if len(pending) > 0 {
		return invalid("messages", "", "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: %s", strings.Join(pending, ", "))
	}
	return APIError{}, false
}
