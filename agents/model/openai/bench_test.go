package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/internal/adaptertest"
	"github.com/attache-dev/attache/agents/model/openai"
	"github.com/attache-dev/attache/internal/testutil/openaistub"
)

// BenchmarkGenerateOverhead measures what the adapter (our conversions plus
// langchaingo) costs per call on top of the least a hand-written client
// does — POST the same JSON, decode the answer — against the same local
// stub, interleaving the two so both see the same conditions. The
// adapter/bare metric is the ratio of their times; the stub's own work is
// in both.
//
//	go test -run '^$' -bench GenerateOverhead ./agents/model/openai/
func BenchmarkGenerateOverhead(b *testing.B) {
	const answer = "Your order FR-1042 left our Lyon warehouse this morning; Colissimo expects to deliver it on Thursday."
	adaptertest.Overhead(b, answer, func(b *testing.B, stream bool) (model.Model, model.Request, adaptertest.Bare) {
		s := openaistub.New(b)
		s.Always(openaistub.Reply{Text: answer})
		m, err := openai.New(openai.Config{BaseURL: s.URL(), APIKey: "sk-bench", Model: "gpt-4o-mini"})
		if err != nil {
			b.Fatal(err)
		}
		req := model.Request{Messages: ask("Where is my order FR-1042?"), Temperature: 0.2}
		if stream {
			req.OnText = func(context.Context, string) error { return nil }
		}
		return m, req, adaptertest.Bare{
			URL:    s.URL() + "/chat/completions",
			Header: http.Header{"Authorization": {"Bearer sk-bench"}},
			Body:   bareBody(b, req.Messages, stream),
			Text:   completionText,
			Delta:  chunkText,
		}
	})
}

func bareBody(b *testing.B, msgs []model.Message, stream bool) []byte {
	type msg struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	v := map[string]any{"model": "gpt-4o-mini", "temperature": 0.2}
	var ms []msg
	for _, m := range msgs {
		ms = append(ms, msg{string(m.Role), m.Text})
	}
	v["messages"] = ms
	if stream {
		v["stream"] = true
		v["stream_options"] = map[string]bool{"include_usage": true}
	}
	body, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// completionText decodes a chat.completion's message content.
func completionText(body io.Reader) (string, error) {
	var c struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(body).Decode(&c); err != nil {
		return "", err
	}
	if len(c.Choices) == 0 {
		return "", errors.New("no choices")
	}
	return c.Choices[0].Message.Content, nil
}

// chunkText decodes an SSE chunk's content delta.
func chunkText(data []byte) (string, error) {
	if string(data) == "[DONE]" {
		return "", nil
	}
	var c struct {
		Choices []struct {
			Delta struct {
				Content string `json:"content"`
			} `json:"delta"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(data, &c); err != nil || len(c.Choices) == 0 {
		return "", err
	}
	return c.Choices[0].Delta.Content, nil
}
