package openaistub

import (
	"fmt"

	"github.com/attache-dev/attache/internal/testutil/stubkit"
)

// created is the fixed "created" timestamp of every answer, so recorded
// output is stable.
const created = 1735689600

// completion is a scripted reply bound to the request it answers.
type completion struct {
	id           string
	model        string
	text         string
	calls        []Call
	finishReason string
	usage        Usage
	includeUsage bool
}

func newCompletion(req ChatRequest, r Reply, seq int) completion {
	c := completion{
		id:           fmt.Sprintf("chatcmpl-stub%06d", seq),
		model:        req.Model,
		text:         r.Text,
		finishReason: r.FinishReason,
		includeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage,
	}
	for i, call := range r.ToolCalls {
		if call.ID == "" {
			call.ID = fmt.Sprintf("call_stub%06d_%d", seq, i)
		}
		c.calls = append(c.calls, call)
	}
	if c.finishReason == "" {
		c.finishReason = "stop"
		if len(c.calls) > 0 {
			c.finishReason = "tool_calls"
		}
	}
	if r.Usage != nil {
		c.usage = *r.Usage
	} else {
		c.usage = estimateUsage(req, c)
	}
	return c
}

// estimateUsage counts roughly four bytes per token, at least one.
func estimateUsage(req ChatRequest, c completion) Usage {
	in := 0
	for _, m := range req.Messages {
		in += 4 + len(m.Content)/4
	}
	out := 1 + len(c.text)/4
	for _, call := range c.calls {
		out += 1 + (len(call.Name)+len(call.Arguments))/4
	}
	return Usage{PromptTokens: in, CompletionTokens: out, TotalTokens: in + out}
}

// object is the non-streamed chat.completion.
func (c completion) object() map[string]any {
	msg := map[string]any{"role": "assistant", "content": nil, "refusal": nil, "annotations": []any{}}
	if c.text != "" || len(c.calls) == 0 {
		msg["content"] = c.text
	}
	if len(c.calls) > 0 {
		calls := make([]map[string]any, len(c.calls))
		for i, call := range c.calls {
			calls[i] = map[string]any{
				"id":       call.ID,
				"type":     "function",
				"function": map[string]any{"name": call.Name, "arguments": call.Arguments},
			}
		}
		msg["tool_calls"] = calls
	}
	return map[string]any{
		"id":      c.id,
		"object":  "chat.completion",
		"created": created,
		"model":   c.model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       msg,
			"logprobs":      nil,
			"finish_reason": c.finishReason,
		}},
		"usage":              c.usage,
		"service_tier":       "default",
		"system_fingerprint": "fp_stub",
	}
}

// chunks is the streamed form: chat.completion.chunk objects in the order
// OpenAI sends them. The role comes in the first delta; text deltas follow;
// each tool call opens with a delta carrying its index, id, type, name and
// empty arguments, then argument fragments carrying only index and
// arguments; a last delta is empty with the finish_reason; with
// stream_options.include_usage a final chunk has no choices and the usage
// (and every other chunk "usage": null).
func (c completion) chunks() []map[string]any {
	var deltas []map[string]any
	if c.text != "" || len(c.calls) == 0 {
		deltas = append(deltas, map[string]any{"role": "assistant", "content": "", "refusal": nil})
		for _, d := range Deltas(c.text) {
			deltas = append(deltas, map[string]any{"content": d})
		}
	}
	for i, call := range c.calls {
		open := map[string]any{"tool_calls": []any{map[string]any{
			"index":    i,
			"id":       call.ID,
			"type":     "function",
			"function": map[string]any{"name": call.Name, "arguments": ""},
		}}}
		if len(deltas) == 0 {
			open["role"] = "assistant"
			open["content"] = nil
			open["refusal"] = nil
		}
		deltas = append(deltas, open)
		for _, f := range stubkit.Fragments(call.Arguments) {
			deltas = append(deltas, map[string]any{"tool_calls": []any{map[string]any{
				"index":    i,
				"function": map[string]any{"arguments": f},
			}}})
		}
	}

	out := make([]map[string]any, 0, len(deltas)+2)
	for _, d := range deltas {
		out = append(out, c.chunk(d, nil))
	}
	out = append(out, c.chunk(map[string]any{}, c.finishReason))
	if c.includeUsage {
		last := c.chunk(nil, nil)
		last["choices"] = []any{}
		last["usage"] = c.usage
		out = append(out, last)
	}
	return out
}

func (c completion) chunk(delta map[string]any, finish any) map[string]any {
	ch := map[string]any{
		"id":                 c.id,
		"object":             "chat.completion.chunk",
		"created":            created,
		"model":              c.model,
		"service_tier":       "default",
		"system_fingerprint": "fp_stub",
		"choices": []any{map[string]any{
			"index":         0,
			"delta":         delta,
			"logprobs":      nil,
			"finish_reason": finish,
		}},
	}
	if c.includeUsage {
		ch["usage"] = nil
	}
	return ch
}
