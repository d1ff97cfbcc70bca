package model

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Validate checks the request against the rules every provider enforces, so
// that a mistake in the caller is reported locally, as ErrInvalidRequest,
// instead of as a provider 400 after a network round trip:
//
//   - there is at least one message, and every role is known;
//   - only assistant messages carry tool calls, each with an ID, a name and
//     arguments that are a JSON object (or empty);
//   - an assistant message with tool calls is followed directly by one tool
//     message per call, each naming its call's ID;
//   - tool names are unique and made of letters, digits, '_' and '-' (at
//     most 64), and their parameters, if given, are a JSON object.
func (r Request) Validate() error {
	if len(r.Messages) == 0 {
		return fmt.Errorf("%w: no messages", ErrInvalidRequest)
	}
	if r.MaxTokens < 0 {
		return fmt.Errorf("%w: negative MaxTokens", ErrInvalidRequest)
	}
	if r.Temperature < 0 || r.Temperature > 2 {
		return fmt.Errorf("%w: temperature %g outside [0, 2]", ErrInvalidRequest, r.Temperature)
	}
	// pending holds the IDs of the last assistant message's calls that no
	// tool message has answered yet.
	pending := map[string]bool{}
	for i, m := range r.Messages {
		if err := validateMessage(m, pending); err != nil {
			return fmt.Errorf("%w: message %d: %w", ErrInvalidRequest, i, err)
		}
	}
	if len(pending) > 0 {
		return fmt.Errorf("%w: %d tool call(s) at the end have no tool result", ErrInvalidRequest, len(pending))
	}
	seen := make(map[string]bool, len(r.Tools))
	for i, t := range r.Tools {
		if !validToolName(t.Name) {
			return fmt.Errorf("%w: tool %d: name %q must be 1-64 of [a-zA-Z0-9_-]", ErrInvalidRequest, i, t.Name)
		}
		if seen[t.Name] {
			return fmt.Errorf("%w: tool %q defined twice", ErrInvalidRequest, t.Name)
		}
		seen[t.Name] = true
		if len(t.Parameters) > 0 && !isJSONObject(t.Parameters) {
			return fmt.Errorf("%w: tool %q: parameters must be a JSON schema object", ErrInvalidRequest, t.Name)
		}
	}
	return nil
}

func validateMessage(m Message, pending map[string]bool) error {
	if m.Role != RoleTool && len(pending) > 0 {
		return fmt.Errorf("%s message before the results of %d tool call(s)", m.Role, len(pending))
	}
	if m.Role != RoleAssistant && len(m.ToolCalls) > 0 {
		return fmt.Errorf("%s message carries tool calls", m.Role)
	}
	if m.Role != RoleTool && m.ToolCallID != "" {
		return fmt.Errorf("%s message carries a tool call ID", m.Role)
	}
	switch m.Role {
	case RoleSystem, RoleUser:
	case RoleAssistant:
		for j, c := range m.ToolCalls {
			if c.ID == "" || c.Name == "" {
				return fmt.Errorf("tool call %d lacks an ID or a name", j)
			}
			if len(c.Arguments) > 0 && !isJSONObject(c.Arguments) {
				return fmt.Errorf("tool call %d: arguments are not a JSON object", j)
			}
			if pending[c.ID] {
				return fmt.Errorf("tool call ID %q used twice", c.ID)
			}
			pending[c.ID] = true
		}
	case RoleTool:
		if !pending[m.ToolCallID] {
			return fmt.Errorf("tool result %q answers no pending tool call", m.ToolCallID)
		}
		delete(pending, m.ToolCallID)
	default:
		return fmt.Errorf("unknown role %q", m.Role)
	}
	return nil
}

func validToolName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

func isJSONObject(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}
