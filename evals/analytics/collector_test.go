package analytics

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// scrape returns what GET /metrics answers with the collector registered.
func scrape(t *testing.T, c *Collector) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(Registry(c), promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestMetricsExposeTheDatabaseFigures(t *testing.T) {
	now := time.Now().UTC()
	t0 := now.Add(-96 * time.Hour)
	s, db := newStore(t, now, true)
	convs := dataset(t0)
	// Markets of this test's own, so that the package's other data does not count.
	for i := range convs {
		convs[i].market = map[string]string{"DE": "QA", "FR": "QB"}[convs[i].market]
	}
	seed(t, db, convs...)

	c := s.Collector(CollectorOptions{Cache: time.Hour})
	body := scrape(t, c)
	for _, line := range []string{
		`attache_analytics_up 1`,
		`attache_conversations_total{channel="web",language="de",market="QA"} 1`, // the evaluation's left out
		`attache_conversations_total{channel="web",language="en",market="QA"} 1`,
		`attache_conversations_total{channel="web",language="fr",market="QB"} 1`,
		`attache_ai_resolutions_total{channel="web",language="de",market="QA"} 1`,
		`attache_ai_resolutions_total{channel="web",language="en",market="QA"} 0`,
		`attache_handoffs_total{language="fr",market="QB",reason="customer_request"} 1`,
		`attache_sla_breaches_total{market="QB"} 1`,
		`attache_sla_breaches_total{market="QA"} 0`,
		`attache_csat_responses_total{market="QA"} 2`,
		`attache_csat_score_bucket{market="QA",le="1"} 0`,
		`attache_csat_score_bucket{market="QA",le="2"} 1`,
		`attache_csat_score_bucket{market="QA",le="4"} 1`,
		`attache_csat_score_bucket{market="QA",le="5"} 2`,
		`attache_csat_score_sum{market="QA"} 7`,
		`attache_csat_score_count{market="QA"} 2`,
		`attache_first_response_seconds_bucket{market="QA",le="5"} 1`,
		`attache_first_response_seconds_bucket{market="QA",le="10"} 2`,
		`attache_first_response_seconds_sum{market="QA"} 14`,
		`attache_first_response_seconds_count{market="QA"} 2`,
		`attache_guardrail_hits_total{kind="card",market="QA"} 1`,
		`attache_guardrail_hits_total{kind="taboo",market="QB"} 1`,
		`attache_guardrail_hits_total{kind="injection",market="QB"} 1`,
		`attache_guardrail_hits_total{kind="abuse",market="QB"} 0`,
		`# TYPE attache_first_response_seconds histogram`,
		`# TYPE attache_handoffs_total counter`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, line) {
			t.Errorf("/metrics lacks %q", line)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grep(body, "attache_"))
	}

	// Within the cache's life a scrape does not read the database again; past it, only
	// the recent conversations are read again until the settled ones are due.
	c2 := s.Collector(CollectorOptions{Cache: time.Nanosecond, SettledRefresh: time.Hour})
	scrape(t, c2)
	hallo := []msg{{author: "customer", body: "Hallo", lang: "de"}}
	seed(t, db, conv{market: "QA", locale: "de", at: t0, msgs: hallo}, conv{market: "QA", locale: "de", at: now.Add(-time.Hour), msgs: hallo})
	series := func(n int) string {
		return `attache_conversations_total{channel="web",language="de",market="QA"} ` + strconv.Itoa(n) + "\n"
	}
	for _, tt := range []struct {
		name string
		c    *Collector
		want int
	}{
		{"within the cache", c, 1},
		{"past the cache, settled counts not due", c2, 2},
		{"a new collector", s.Collector(CollectorOptions{}), 3},
	} {
		if body := scrape(t, tt.c); !strings.Contains(body, series(tt.want)) {
			t.Errorf("%s: want %q in\n%s", tt.name, series(tt.want), grep(body, "attache_conversations_total"))
		}
	}
}

func grep(s, prefix string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
