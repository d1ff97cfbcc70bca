package anthropic_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/anthropic"
	"github.com/attache-dev/attache/agents/model/internal/adaptertest"
	"github.com/attache-dev/attache/internal/testutil/anthropicstub"
)

// BenchmarkGenerateOverhead measures what the adapter (our conversions,
// langchaingo, and the doer's request rewrite and stream watching) costs
// per call on top of the least a hand-written client does — POST the same
// JSON, decode the answer — against the same local stub, interleaving the
// two so both see the same conditions. The adapter/bare metric is the
// ratio of their times; the stub's own work is in both.
//
//	go test -run '^$' -bench GenerateOverhead ./agents/model/anthropic/
func BenchmarkGenerateOverhead(b *testing.B) {
	const answer = "Your order FR-1042 left our Lyon warehouse this morning; Colissimo expects to deliver it on Thursday."
	adaptertest.Overhead(b, answer, func(b *testing.B, stream bool) (model.Model, model.Request, adaptertest.Bare) {
		s := anthropicstub.New(b)
		s.Always(anthropicstub.Reply{Text: answer})
		m, err := anthropic.New(anthropic.Config{BaseURL: s.URL(), APIKey: "sk-ant-bench", Model: claude})
		if err != nil {
			b.Fatal(err)
		}
		req := model.Request{Messages: ask("Where is my order FR-1042?"), Temperature: 0.2}
		if stream {
			req.OnText = func(context.Context, string) error { return nil }
		}
		return m, req, adaptertest.Bare{
			URL:    s.URL() + "/messages",
			Header: http.Header{"X-Api-Key": {"sk-ant-bench"}, "Anthropic-Version": {anthropicstub.Version}},
			Body:   bareBody(b, req.Messages, stream),
			Text:   messageText,
			Delta:  eventText,
		}
	})
}

func bareBody(b *testing.B, msgs []model.Message, stream bool) []byte {
	type msg struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	v := map[string]any{"model": claude, "temperature": 0.2, "max_tokens": anthropic.DefaultMaxTokens}
	var ms []msg
	for _, m := range msgs {
		if m.Role == model.RoleSystem {
			v["system"] = m.Text
			continue
		}
		ms = append(ms, msg{string(m.Role), m.Text})
	}
	v["messages"] = ms
	if stream {
		v["stream"] = true
	}
	body, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// messageText decodes a message's first content block's text.
func messageText(body io.Reader) (string, error) {
	var m struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	}
	if err := json.NewDecoder(body).Decode(&m); err != nil {
		return "", err
	}
	if len(m.Content) == 0 {
		return "", errors.New("no content")
	}
	return m.Content[0].Text, nil
}

// eventText decodes the text of a text_delta event.
func eventText(data []byte) (string, error) {
	var e struct {
		Type  string `json:"type"`
		Delta struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"delta"`
	}
	if err := json.Unmarshal(data, &e); err != nil {
		return "", err
	}
	if e.Type == "content_block_delta" && e.Delta.Type == "text_delta" {
		return e.Delta.Text, nil
	}
	return "", nil
}
