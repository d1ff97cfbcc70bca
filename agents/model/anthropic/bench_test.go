package anthropic_test

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
	"github.com/attache-dev/attache/agents/model/anthropic"
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
	for _, stream := range []bool{false, true} {
		name := "plain"
		if stream {
			name = "streamed"
		}
		b.Run(name, func(b *testing.B) {
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
			body := bareBody(b, req.Messages, stream)
			hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			ctx := context.Background()

			var adapter, bare time.Duration
			n := 0
			for b.Loop() {
				t0 := time.Now()
				text := barePost(b, hc, s.URL()+"/messages", body, stream)
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

// barePost is the minimal client: one POST, then decode the message's text
// blocks or the stream's text deltas.
func barePost(b *testing.B, hc *http.Client, url string, body []byte, stream bool) string {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Api-Key", "sk-ant-bench")
	req.Header.Set("Anthropic-Version", anthropicstub.Version)
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if !stream {
		var m struct {
			Content []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"content"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || len(m.Content) == 0 {
			b.Fatalf("decode: %v", err)
		}
		return m.Content[0].Text
	}
	var text strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var e struct {
			Type  string `json:"type"`
			Delta struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"delta"`
		}
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			b.Fatal(err)
		}
		if e.Type == "content_block_delta" && e.Delta.Type == "text_delta" {
			text.WriteString(e.Delta.Text)
		}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return text.String()
}
