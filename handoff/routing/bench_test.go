package routing

import (
	"testing"
	"time"

	"golang.org/x/text/language"
)

var (
	sinkDecision Decision
	sinkTag      language.Tag
)

// BenchmarkRoute routes typical handoffs over the demo file and, in the same run, parses
// the same customer tags with language.Parse as the baseline; route/parse is the ratio.
func BenchmarkRoute(b *testing.B) {
	r := demo(b)
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	reqs := []Request{
		{Language: "ar-SA", Market: "SA", Topic: "refund", Now: now},
		{Language: "pt-BR", Market: "BR", Topic: "track_order", Now: now},
		{Language: "de-AT", Market: "AT", Topic: "complaint", Now: now},
		{Language: "ja", Market: "JP", Topic: "track_order", Now: now.Add(14 * time.Hour)},
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		sinkTag, _ = language.Parse(reqs[i%len(reqs)].Language)
	}
	parse := time.Since(start)
	start = time.Now()
	for i := 0; i < b.N; i++ {
		sinkDecision = r.Route(reqs[i%len(reqs)])
	}
	route := time.Since(start)
	b.ReportMetric(float64(route.Nanoseconds())/float64(b.N), "route-ns/op")
	b.ReportMetric(float64(parse.Nanoseconds())/float64(b.N), "parse-ns/op")
	b.ReportMetric(float64(route)/float64(parse), "route/parse")
}
