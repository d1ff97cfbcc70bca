package openai

import (
	"bytes"
	"context"
	"encoding/json"
)

// textFilter sits between langchaingo's streaming callback and the
// caller's OnText.
//
// langchaingo calls the streaming function once per SSE chunk with a
// single byte slice: the text delta, or — when the chunk carries tool-call
// deltas — the JSON encoding of those deltas, or nothing (the role-only
// first chunk, the finish chunk). Only the first kind may reach OnText.
type textFilter struct {
	onText func(ctx context.Context, delta string) error
	err    error // what OnText returned, to give back to the caller unwrapped by langchaingo
}

func (f *textFilter) chunk(ctx context.Context, b []byte) error {
	if len(b) == 0 || isToolCallDeltas(b) {
		return nil
	}
	if err := f.onText(ctx, string(b)); err != nil {
		f.err = err
		return err
	}
	return nil
}

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
// tool-call deltas rather than text: it must decode strictly into a
// non-empty list of deltas and re-encode to the very same bytes. Text the
// model writes is only mistaken for it if a single delta is, byte for byte,
// such an encoding; it would still be in Response.Text, just not streamed.
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
