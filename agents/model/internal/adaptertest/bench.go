package adaptertest

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/agents/model"
)

// Bare is the least a hand-written client of a provider does: POST a
// prepared JSON body, then decode the answer's text.
type Bare struct {
	URL    string
	Header http.Header // authentication and version headers
	Body   []byte
	// Text decodes a non-streamed answer's text.
	Text func(body io.Reader) (string, error)
	// Delta decodes the text of one SSE data line; "" for a line that
	// carries none.
	Delta func(data []byte) (string, error)
}

// Post sends c.Body with hc and returns the answer's text, read from the
// event stream when stream is set.
func (c Bare) Post(b *testing.B, hc *http.Client, stream bool) string {
	req, err := http.NewRequest(http.MethodPost, c.URL, bytes.NewReader(c.Body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if !stream {
		text, err := c.Text(resp.Body)
		if err != nil {
			b.Fatalf("decode: %v", err)
		}
		return text
	}
	var text strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		d, err := c.Delta([]byte(data))
		if err != nil {
			b.Fatal(err)
		}
		text.WriteString(d)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return text.String()
}

// Overhead measures what an adapter costs per call, plain and streamed, on
// top of the least a hand-written client does against the same local stub,
// interleaving the two so both see the same conditions. start returns,
// for one sub-benchmark, the adapter, its request and the bare client,
// both pointed at a stub that always answers answer. The adapter/bare
// metric is the ratio of their times; the stub's own work is in both.
func Overhead(b *testing.B, answer string, start func(b *testing.B, stream bool) (model.Model, model.Request, Bare)) {
	for _, stream := range []bool{false, true} {
		name := "plain"
		if stream {
			name = "streamed"
		}
		b.Run(name, func(b *testing.B) {
			m, req, bare := start(b, stream)
			hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			ctx := b.Context()

			var adapter, bareTime time.Duration
			n := 0
			for b.Loop() {
				t0 := time.Now()
				text := bare.Post(b, hc, stream)
				t1 := time.Now()
				resp, err := m.Generate(ctx, req)
				t2 := time.Now()
				if err != nil || resp.Text != answer || text != answer {
					b.Fatalf("adapter %q, %v; bare %q", resp.Text, err, text)
				}
				bareTime += t1.Sub(t0)
				adapter += t2.Sub(t1)
				n++
			}
			b.ReportMetric(float64(adapter.Nanoseconds())/float64(n), "adapter-ns/call")
			b.ReportMetric(float64(bareTime.Nanoseconds())/float64(n), "bare-ns/call")
			b.ReportMetric(float64(adapter)/float64(bareTime), "adapter/bare")
		})
	}
}
