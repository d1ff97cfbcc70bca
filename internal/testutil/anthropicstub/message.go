package anthropicstub

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// object is a JSON object that keeps its keys in order: Anthropic writes
// "type" first in every event and block, and some clients read it so.
type object []field

type field struct {
	key   string
	value any
}

// MarshalJSON writes the fields in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// obj builds an object from alternating keys and values.
func obj(kv ...any) object {
	o := make(object, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		o = append(o, field{kv[i].(string), kv[i+1]})
	}
	return o
}

// message is a scripted reply bound to the request it answers.
type message struct {
	id         string
	model      string
	text       string
	calls      []Call
	stopReason string
	usage      Usage
}

func newMessage(req MessagesRequest, r Reply, seq int) message {
	m := message{
		id:         fmt.Sprintf("msg_stub%06d", seq),
		model:      req.Model,
		text:       r.Text,
		stopReason: r.StopReason,
	}
	for i, call := range r.ToolCalls {
		if call.ID == "" {
			call.ID = fmt.Sprintf("toolu_stub%06d_%d", seq, i)
		}
		if call.Input == "" {
			call.Input = "{}"
		}
		m.calls = append(m.calls, call)
	}
	if m.stopReason == "" {
		m.stopReason = "end_turn"
		if len(m.calls) > 0 {
			m.stopReason = "tool_use"
		}
	}
	if r.Usage != nil {
		m.usage = *r.Usage
	} else {
		m.usage = estimateUsage(req, m)
	}
	return m
}

// estimateUsage counts roughly four bytes per token, at least one.
func estimateUsage(req MessagesRequest, m message) Usage {
	in := 4 + len(req.System)/4
	for _, msg := range req.Messages {
		in += 4 + len(msg.Content)/4
	}
	out := 1 + len(m.text)/4
	for _, call := range m.calls {
		out += 1 + (len(call.Name)+len(call.Input))/4
	}
	return Usage{InputTokens: in, OutputTokens: out}
}

// blocks are the content blocks of the finished message.
func (m message) blocks() []any {
	out := []any{}
	if m.text != "" {
		out = append(out, obj("type", "text", "text", m.text))
	}
	for _, c := range m.calls {
		out = append(out, obj("type", "tool_use", "id", c.ID, "name", c.Name, "input", json.RawMessage(c.Input)))
	}
	return out
}

func (m message) usageObject(outputTokens int) object {
	return obj(
		"input_tokens", m.usage.InputTokens,
		"cache_creation_input_tokens", 0,
		"cache_read_input_tokens", 0,
		"output_tokens", outputTokens,
		"service_tier", "standard",
	)
}

// object is the non-streamed "message".
func (m message) object() object {
	return m.envelope(m.blocks(), m.stopReason, m.usageObject(m.usage.OutputTokens))
}

func (m message) envelope(content []any, stop any, usage object) object {
	return obj(
		"id", m.id,
		"type", "message",
		"role", "assistant",
		"model", m.model,
		"content", content,
		"stop_reason", stop,
		"stop_sequence", nil,
		"usage", usage,
	)
}

// event is one server-sent event: its name and its data object.
type event struct {
	name string
	data object
}

// events is the streamed form, in the order Anthropic sends it:
// message_start (empty content, input tokens), then per block
// content_block_start, its deltas and content_block_stop — with a ping
// after the first content_block_start — then message_delta with the stop
// reason and output tokens, and message_stop.
func (m message) events() []event {
	out := []event{{"message_start", obj("type", "message_start", "message", m.envelope([]any{}, nil, m.usageObject(1)))}}
	ping := event{"ping", obj("type", "ping")}
	index := 0
	open := func(block object) {
		out = append(out, event{"content_block_start", obj("type", "content_block_start", "index", index, "content_block", block)})
		if index == 0 {
			out = append(out, ping)
		}
	}
	delta := func(d object) {
		out = append(out, event{"content_block_delta", obj("type", "content_block_delta", "index", index, "delta", d)})
	}
	closeBlock := func() {
		out = append(out, event{"content_block_stop", obj("type", "content_block_stop", "index", index)})
		index++
	}
	if m.text != "" {
		open(obj("type", "text", "text", ""))
		for _, d := range Deltas(m.text) {
			delta(obj("type", "text_delta", "text", d))
		}
		closeBlock()
	}
	for _, c := range m.calls {
		open(obj("type", "tool_use", "id", c.ID, "name", c.Name, "input", object{}))
		for _, f := range Fragments(c.Input) {
			delta(obj("type", "input_json_delta", "partial_json", f))
		}
		closeBlock()
	}
	if index == 0 {
		out = append(out, ping)
	}
	out = append(out,
		event{"message_delta", obj(
			"type", "message_delta",
			"delta", obj("stop_reason", m.stopReason, "stop_sequence", nil),
			"usage", obj("output_tokens", m.usage.OutputTokens),
		)},
		event{"message_stop", obj("type", "message_stop")},
	)
	return out
}
