package openai

import (
	"bytes"
	"encoding/json"
)

// toolCallDelta mirrors the type langchaingo marshals tool-call deltas
// from (openaiclient.ToolCall, internal to langchaingo): same fields, same
// order, same tags, so that json.Marshal reproduces its bytes exactly.
type toolCallDelta struct {
	ID       string `json:"id,omitempty"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function,omitempty"`
}

// isToolCallDeltas reports whether b is langchaingo's JSON rendering of
// tool-call deltas rather than text.
//
// langchaingo calls the streaming function once per SSE chunk with a
// single byte slice: the text delta, or — when the chunk carries tool-call
// deltas — the JSON encoding of those deltas, or nothing (the role-only
// first chunk, the finish chunk). Only the first kind may reach OnText.
// b is tool-call deltas if it decodes strictly into a non-empty list of
// deltas and re-encodes to the very same bytes. Text the model writes is
// only mistaken for it if a single delta is, byte for byte, such an
// encoding; it would still be in Response.Text, just not streamed.
func isToolCallDeltas(b []byte) bool {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var deltas []toolCallDelta
	if dec.Decode(&deltas) != nil || len(deltas) == 0 || dec.More() {
		return false
	}
	again, err := json.Marshal(deltas)
	return err == nil && bytes.Equal(again, b)
}
