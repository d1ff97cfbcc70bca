package segment

import (
	"os"
	"strings"
	"testing"
	"time"
)

var (
	sinkString string
	sinkFields []string
)

// benchArticle returns a help-center article of at least 5 KB: the chunk package's test
// article in lang, repeated when it is shorter.
func benchArticle(b *testing.B, lang string) string {
	b.Helper()
	raw, err := os.ReadFile("../chunk/testdata/returns_" + lang + ".md")
	if err != nil {
		b.Fatalf("read article: %v", err)
	}
	text := string(raw)
	for len(text) < 5000 {
		text += "\n\n" + string(raw)
	}
	return text
}

// baselineNs measures f in nanoseconds per call, over at least 50 ms. (testing.Benchmark
// cannot run inside a benchmark: it takes the same lock.)
func baselineNs(f func()) float64 {
	for n := 1; ; n *= 2 {
		start := time.Now()
		for range n {
			f()
		}
		if d := time.Since(start); d >= 50*time.Millisecond {
			return float64(d.Nanoseconds()) / float64(n)
		}
	}
}

// BenchmarkForIndex reports, besides ns/op, "x-fields": the cost relative to
// strings.Fields over the same text, measured in the same run.
func BenchmarkForIndex(b *testing.B) {
	for _, lang := range []string{"en", "zh", "ja", "th"} {
		text := benchArticle(b, lang)
		b.Run(lang, func(b *testing.B) {
			base := baselineNs(func() { sinkFields = strings.Fields(text) })
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				sinkString = ForIndex(lang, text)
			}
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perOp/base, "x-fields")
		})
	}
}

func BenchmarkForQuery(b *testing.B) {
	for _, c := range []struct{ lang, q string }{
		{"en", "Where is my refund for order #W2378156? It has been 10 days."},
		{"zh", "我的退款什么时候到账？订单号W2378156"},
	} {
		b.Run(c.lang, func(b *testing.B) {
			base := baselineNs(func() { sinkFields = strings.Fields(c.q) })
			for b.Loop() {
				sinkString = ForQuery(c.lang, c.q)
			}
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perOp/base, "x-fields")
		})
	}
}
