package openai_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/agents/model"
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
	for _, stream := range []bool{false, true} {
		name := "plain"
		if stream {
			name = "streamed"
		}
		b.Run(name, func(b *testing.B) {
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
			body := bareBody(b, req.Messages, stream)
			hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			ctx := context.Background()

			var adapter, bare time.Duration
			n := 0
			for b.Loop() {
				t0 := time.Now()
				text := barePost(b, hc, s.URL()+"/chat/completions", body, stream)
				t1 := time.Now()
				resp, err := m.Generate(ctx, req)
				t2 := time.Now()
				if err != nil || resp.Text != answer || text != answer {
					b.Fatalf("adapter %q, %v; bare %q", resp.Text, err, text)
				}
				bare += t1.Sub(t0)
				adapter += t2.Sub(t1)
				n++
			}
			b.ReportMetric(float64(adapter.Nanoseconds())/float64(n), "adapter-ns/call")
			b.ReportMetric(float64(bare.Nanoseconds())/float64(n), "bare-ns/call")
			b.ReportMetric(float64(adapter)/float64(bare), "adapter/bare")
		})
	}
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

// barePost is the minimal client: one POST, then decode the completion or
// the SSE chunks' content deltas.
func barePost(b *testing.B, hc *http.Client, url string, body []byte, stream bool) string {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-bench")
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if !stream {
		var c struct {
			Choices []struct {
				Message struct {
					Content string `json:"content"`
				} `json:"message"`
			} `json:"choices"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || len(c.Choices) == 0 {
			b.Fatalf("decode: %v", err)
		}
		return c.Choices[0].Message.Content
	}
	var text strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		var c struct {
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			b.Fatal(err)
		}
		if len(c.Choices) > 0 {
			text.WriteString(c.Choices[0].Delta.Content)
		}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return text.String()
}
