package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/attache-dev/attache/evals/analytics"
)

// fakeSummaries answers fixed figures and keeps the query it was asked; analytics.Store
// is tested on PostgreSQL.
type fakeSummaries struct {
	mu     sync.Mutex
	filter analytics.Filter
	by     analytics.Dimension
}

func (f *fakeSummaries) Summary(_ context.Context, flt analytics.Filter, by analytics.Dimension) (analytics.Summary, error) {
	f.mu.Lock()
	f.filter, f.by = flt, by
	f.mu.Unlock()
	fig := analytics.Figures{Conversations: 3, Resolved: 1, ResolutionRate: 1.0 / 3, HandedOff: 1, HandoffRate: 1.0 / 3, Handoffs: 1,
		HandoffsByReason: []analytics.ReasonCount{{Reason: "customer_request", Count: 1, Rate: 1.0 / 3}},
		FirstResponse:    analytics.Durations{Count: 3, Median: 4, P90: 8.8},
		SLATracked:       1, SLABreaches: 1,
		CSAT:       analytics.CSAT{Responses: 2, Mean: 3.5, Satisfied: 1, SatisfiedShare: 0.5},
		Guardrails: analytics.Guardrails{Taboo: 1, Injection: 1, Card: 1}}
	s := analytics.Summary{Filter: flt, By: by, Total: fig}
	if by != "" {
		s.Groups = []analytics.Group{{Key: "DE", Figures: fig}}
	}
	return s, nil
}

func (f *fakeSummaries) asked() (analytics.Filter, analytics.Dimension) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.filter, f.by
}

func newAnalyticsTestAPI(sums *fakeSummaries, metrics prometheus.Gatherer, assets fs.FS) *httptest.Server {
	srv := httptest.NewServer(New(Config{Logger: quietLogger(), Staff: fakeStaff{}, Assets: assets,
		Analytics: &Analytics{Summaries: sums, Metrics: metrics}}))
	return srv
}

func getAs(t *testing.T, url, role string) (int, string, http.Header) {
	t.Helper()
	req := httptest.NewRequest("GET", url, nil)
	req.RequestURI = ""
	if role != "" {
		req.Header.Set("Authorization", "Bearer role:"+role)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func TestAnalyticsSummaryAPI(t *testing.T) {
	sums := &fakeSummaries{}
	srv := newAnalyticsTestAPI(sums, nil, nil)
	defer srv.Close()
	base := srv.URL + "/v1/analytics/summary"

	t.Run("a day by market, filtered", func(t *testing.T) {
		status, body, _ := getAs(t, base+"?from=2026-11-01&to=2026-11-01&by=market&language=pt-BR&stage=autonomous", "evaluator")
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		f, by := sums.asked()
		wantFrom := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		if !f.From.Equal(wantFrom) || !f.To.Equal(wantFrom.Add(24*time.Hour)) || by != analytics.DimMarket ||
			f.Language != "pt-BR" || f.Stage != "autonomous" {
			t.Errorf("asked %+v by %q; want the whole of 1 November, by market, pt-BR, autonomous", f, by)
		}
		var got struct {
			Total struct {
				Conversations  int     `json:"conversations"`
				ResolutionRate float64 `json:"resolution_rate"`
				FirstResponse  struct {
					Median *float64 `json:"median_seconds"`
				} `json:"first_response"`
				HumanFirstResponse struct {
					Median *float64 `json:"median_seconds"`
				} `json:"human_first_response"`
				CSAT struct {
					Mean *float64 `json:"mean"`
				} `json:"csat"`
				Guardrails struct {
					Total int `json:"total"`
				} `json:"guardrails"`
				SLA struct {
					Breaches int `json:"breaches"`
				} `json:"sla"`
				Reasons []struct {
					Reason string `json:"reason"`
				} `json:"handoffs_by_reason"`
			} `json:"total"`
			Groups []struct {
				Key           string `json:"key"`
				Conversations int    `json:"conversations"`
			} `json:"groups"`
			Filters map[string]string `json:"filters"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		tot := got.Total
		if tot.Conversations != 3 || tot.FirstResponse.Median == nil || *tot.FirstResponse.Median != 4 || tot.HumanFirstResponse.Median != nil ||
			tot.CSAT.Mean == nil || *tot.CSAT.Mean != 3.5 || tot.Guardrails.Total != 3 || tot.SLA.Breaches != 1 ||
			len(tot.Reasons) != 1 || tot.Reasons[0].Reason != "customer_request" {
			t.Errorf("total = %s", body)
		}
		if len(got.Groups) != 1 || got.Groups[0].Key != "DE" || got.Groups[0].Conversations != 3 {
			t.Errorf("groups = %+v", got.Groups)
		}
		if got.Filters["language"] != "pt-BR" || got.Filters["stage"] != "autonomous" {
			t.Errorf("filters = %v", got.Filters)
		}
	})

	t.Run("the last 7 days by default", func(t *testing.T) {
		if status, body, _ := getAs(t, base, "knowledge_manager"); status != 200 || !strings.Contains(body, `"groups":[]`) {
			t.Fatalf("%d %s", status, body)
		}
		f, by := sums.asked()
		if d := f.To.Sub(f.From); d != 7*24*time.Hour || time.Since(f.To) > time.Minute || by != "" {
			t.Errorf("asked %+v by %q, want the last 7 days without groups", f, by)
		}
	})

	for _, tt := range []struct {
		name, query, field string
	}{
		{"unknown dimension", "?by=team", "by"},
		{"bad from", "?from=yesterday", "from"},
		{"bad to", "?to=2026-13-01", "to"},
		{"from after to", "?from=2026-11-02&to=2026-11-01T00:00:00Z", "from"},
		{"too long a window", "?from=2020-01-01&to=2026-01-01", "from"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body, h := getAs(t, base+tt.query, "admin")
			if status != 400 || h.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s, want a 400 problem", status, body)
			}
			var p Problem
			if err := json.Unmarshal([]byte(body), &p); err != nil || len(p.Errors) != 1 || p.Errors[0].Field != tt.field {
				t.Errorf("problem %s, want one error naming %q", body, tt.field)
			}
		})
	}

	for role, want := range map[string]int{"": 401, "agent": 403, "knowledge_manager": 200, "evaluator": 200, "admin": 200} {
		if status, body, _ := getAs(t, base, role); status != want {
			t.Errorf("role %q: %d %s, want %d", role, status, body, want)
		}
	}
}

func TestMetricsNeedAStaffKey(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "attache_conversations_total", Help: "Conversations."}, []string{"market"})
	c.WithLabelValues("DE").Add(3)
	reg.MustRegister(c)
	srv := newAnalyticsTestAPI(&fakeSummaries{}, reg, fstest.MapFS{"dashboard.html": {Data: []byte("<title>Analytics</title>")}})
	defer srv.Close()

	for role, want := range map[string]int{"": 401, "agent": 200, "knowledge_manager": 200, "evaluator": 200, "admin": 200} {
		status, body, _ := getAs(t, srv.URL+"/metrics", role)
		if status != want {
			t.Errorf("role %q: %d, want %d", role, status, want)
		}
		if want == 200 && !strings.Contains(body, `attache_conversations_total{market="DE"} 3`) {
			t.Errorf("role %q: /metrics lacks the series:\n%s", role, body)
		}
	}
	if status, body, _ := getAs(t, srv.URL+"/console/analytics", ""); status != 200 || !strings.Contains(body, "Analytics") {
		t.Errorf("the dashboard page: %d %s", status, body)
	}
}
