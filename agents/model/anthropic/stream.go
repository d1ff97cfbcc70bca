package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// sseWatcher wraps a 200 event-stream body while langchaingo reads it. It
// notes in the probe the input tokens (message_start), the stop reason and
// output tokens (message_delta), whether message_stop arrived, the type of
// an error event, and a failed read.
//
// After an error event it reports the end of the stream: langchaingo's
// parser goroutine keeps reading after it has handed the error over, and
// would block forever trying to hand over a second one once the body is
// closed under it.
type sseWatcher struct {
	body    io.ReadCloser
	probe   *callProbe
	partial []byte // the start of a line not yet complete
	event   string // the current event's name
	ended   bool
}

func (w *sseWatcher) Read(p []byte) (int, error) {
	if w.ended {
		return 0, io.EOF
	}
	n, err := w.body.Read(p)
	w.scan(p[:n])
	if err != nil && !errors.Is(err, io.EOF) {
		w.probe.transportErr = err
	}
	return n, err
}

func (w *sseWatcher) Close() error { return w.body.Close() }

func (w *sseWatcher) scan(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			w.partial = append(w.partial, b...)
			return
		}
		line := b[:i]
		if len(w.partial) > 0 {
			line = append(w.partial, line...)
			w.partial = w.partial[:0]
		}
		w.line(bytes.TrimSuffix(line, []byte("\r")))
		b = b[i+1:]
	}
}

func (w *sseWatcher) line(l []byte) {
	switch {
	case len(l) == 0:
		w.event = ""
	case bytes.HasPrefix(l, []byte("event:")):
		w.event = string(bytes.TrimSpace(l[len("event:"):]))
	case bytes.HasPrefix(l, []byte("data:")):
		w.data(bytes.TrimSpace(l[len("data:"):]))
	}
}

// data handles the events the probe needs; text and tool deltas, the bulk
// of a stream, are left to langchaingo without being decoded here.
func (w *sseWatcher) data(d []byte) {
	name := w.event
	if name == "" { // a server that sends data lines only
		var e struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(d, &e)
		name = e.Type
	}
	switch name {
	case "message_start":
		var e struct {
			Message struct {
				Usage struct {
					InputTokens int `json:"input_tokens"`
				} `json:"usage"`
			} `json:"message"`
		}
		if json.Unmarshal(d, &e) == nil {
			w.probe.usage.InputTokens = e.Message.Usage.InputTokens
		}
	case "message_delta":
		var e struct {
			Delta struct {
				StopReason string `json:"stop_reason"`
			} `json:"delta"`
			Usage struct {
				OutputTokens int `json:"output_tokens"`
			} `json:"usage"`
		}
		if json.Unmarshal(d, &e) == nil {
			w.probe.stopReason = e.Delta.StopReason
			w.probe.usage.OutputTokens = e.Usage.OutputTokens
		}
	case "message_stop":
		w.probe.complete = true
	case "error":
		var e struct {
			Error struct {
				Type string `json:"type"`
			} `json:"error"`
		}
		_ = json.Unmarshal(d, &e)
		w.probe.streamErrType = e.Error.Type
		if w.probe.streamErrType == "" {
			w.probe.streamErrType = "error"
		}
		w.ended = true
	}
}
