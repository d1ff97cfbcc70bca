package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attache-dev/attache/internal/testutil/browser"
	"github.com/attache-dev/attache/web"
)

// dashboardAPI serves the analytics page with fixed figures, and 401 to a browser without
// the test's session cookie.
type dashboardAPI struct {
	mu      sync.Mutex
	queries []url.Values
}

const dashboardSummary = `{
  "from": "2026-11-15T00:00:00Z", "to": "2026-11-22T00:00:00Z", "by": "%s", "filters": {},
  "total": {"conversations": 40, "resolved": 26, "resolution_rate": 0.65, "reopened": 2, "handed_off": 10, "handoff_rate": 0.25,
    "handoffs": 11, "handoffs_by_reason": [{"reason": "customer_request", "count": 6, "rate": 0.15}, {"reason": "tool_failure", "count": 3, "rate": 0.075}, {"reason": "approval_needed", "count": 2, "rate": 0.05}],
    "first_response": {"count": 40, "median_seconds": 3.2, "p90_seconds": 9.5},
    "human_first_response": {"count": 9, "median_seconds": 420, "p90_seconds": 1300},
    "resolution_time": {"count": 30, "median_seconds": 240, "p90_seconds": 5400},
    "sla": {"tracked": 11, "breaches": 2}, "csat": {"responses": 12, "mean": 4.25, "satisfied": 10, "satisfied_share": 0.8333},
    "guardrails": {"taboo": 1, "injection": 2, "abuse": 0, "card": 1, "total": 4}, "tool_failures": 3, "tool_calls": 0},
  "groups": [
    {"key": "DE", "conversations": 30, "resolved": 21, "resolution_rate": 0.7, "reopened": 1, "handed_off": 6, "handoff_rate": 0.2, "handoffs": 7, "handoffs_by_reason": [],
     "first_response": {"count": 30, "median_seconds": 3, "p90_seconds": 8}, "human_first_response": {"count": 0, "median_seconds": null, "p90_seconds": null},
     "resolution_time": {"count": 0, "median_seconds": null, "p90_seconds": null}, "sla": {"tracked": 7, "breaches": 1},
     "csat": {"responses": 10, "mean": 4.5, "satisfied": 9, "satisfied_share": 0.9}, "guardrails": {"taboo": 1, "injection": 2, "abuse": 0, "card": 1, "total": 4}, "tool_failures": 2, "tool_calls": 0},
    {"key": "FR", "conversations": 10, "resolved": 5, "resolution_rate": 0.5, "reopened": 1, "handed_off": 4, "handoff_rate": 0.4, "handoffs": 4, "handoffs_by_reason": [],
     "first_response": {"count": 10, "median_seconds": 4, "p90_seconds": 12}, "human_first_response": {"count": 0, "median_seconds": null, "p90_seconds": null},
     "resolution_time": {"count": 0, "median_seconds": null, "p90_seconds": null}, "sla": {"tracked": 4, "breaches": 1},
     "csat": {"responses": 2, "mean": 3, "satisfied": 1, "satisfied_share": 0.5}, "guardrails": {"taboo": 0, "injection": 0, "abuse": 0, "card": 0, "total": 0}, "tool_failures": 1, "tool_calls": 0}
  ]}`

func (d *dashboardAPI) handler() http.Handler {
	mux := http.NewServeMux()
	assets := http.FileServerFS(web.Assets())
	mux.Handle("GET /static/", http.StripPrefix("/static/", assets))
	page := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.ServeFileFS(w, r, web.Assets(), name) }
	}
	mux.HandleFunc("GET /console/analytics", page("dashboard.html"))
	mux.HandleFunc("GET /login", page("login.html"))
	signedIn := func(r *http.Request) bool {
		c, err := r.Cookie("attache_session")
		return err == nil && c.Value == "ok"
	}
	mux.HandleFunc("GET /v1/auth/me", func(w http.ResponseWriter, r *http.Request) {
		if !signedIn(r) {
			writeProblem(w, problem{Title: "Unauthenticated", Status: http.StatusUnauthorized})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"email": "eve@shop.example", "name": "Eve", "role": "evaluator"})
	})
	mux.HandleFunc("GET /v1/analytics/summary", func(w http.ResponseWriter, r *http.Request) {
		if !signedIn(r) {
			writeProblem(w, problem{Title: "Unauthenticated", Status: http.StatusUnauthorized})
			return
		}
		d.mu.Lock()
		d.queries = append(d.queries, r.URL.Query())
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(strings.Replace(dashboardSummary, "%s", r.URL.Query().Get("by"), 1)))
	})
	return mux
}

func (d *dashboardAPI) last() url.Values {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.queries) == 0 {
		return nil
	}
	return d.queries[len(d.queries)-1]
}

func TestDashboardInBrowser(t *testing.T) {
	api := &dashboardAPI{}
	srv := httptest.NewServer(api.handler())
	t.Cleanup(srv.Close)
	b := browser.New(t)

	// Signed out: to the sign-in page, coming back here afterwards.
	b.Do(chromedp.Navigate(srv.URL + "/console/analytics"))
	b.WaitFor(`location.pathname === '/login'`)
	if next := browser.Eval[string](b, `new URLSearchParams(location.search).get('next')`); next != "/console/analytics" {
		t.Errorf("sign-in page next=%q, want /console/analytics", next)
	}

	// Signed in (the session cookie is set on the sign-in page's origin).
	browser.Eval[bool](b, `document.cookie = 'attache_session=ok; path=/'; true`)
	b.Do(chromedp.Navigate(srv.URL + "/console/analytics?from=2026-11-15&to=2026-11-21&by=market&market=de"))
	b.WaitFor(`document.querySelectorAll('#tiles .tile').length === 6`)

	q := api.last()
	if q.Get("from") != "2026-11-15" || q.Get("to") != "2026-11-21" || q.Get("by") != "market" || q.Get("market") != "de" {
		t.Errorf("asked %v, want the address's range, by market, market de", q)
	}
	tiles := browser.Eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('#tiles .tile')]
		.map((t) => [t.querySelector('dt').textContent, t.querySelector('.value').textContent]))`)
	want := map[string]string{"Resolution rate": "65 %", "Handoff rate": "25 %", "Median first response": "3.2 s",
		"SLA breaches": "2", "CSAT": "4.25 / 5", "Guardrail hits": "4"}
	for k, v := range want {
		if tiles[k] != v {
			t.Errorf("tile %q = %q, want %q", k, tiles[k], v)
		}
	}
	bars := browser.Eval[map[string]int](b, `({
		reasons: document.querySelectorAll('#chart-reasons svg rect.bar').length,
		resolution: document.querySelectorAll('#chart-resolution svg rect.bar').length,
		csatWarn: document.querySelectorAll('#chart-csat svg rect.bar.warn').length,
		rows: document.querySelectorAll('#groups tbody tr').length,
	})`)
	if bars["reasons"] != 3 || bars["resolution"] != 2 || bars["csatWarn"] != 1 || bars["rows"] != 3 {
		t.Errorf("charts and table: %v; want 3 reason bars, 2 resolution bars, FR's CSAT flagged, 2 groups and the total", bars)
	}
	if share := browser.Eval[float64](b, `+document.querySelector('#chart-resolution svg rect.bar').getAttribute('width') /
		+document.querySelector('#chart-resolution svg rect.track').getAttribute('width')`); share < 0.69 || share > 0.71 {
		t.Errorf("DE's resolution bar fills %.2f of its track, want 0.70", share)
	}
	b.Screenshot("dashboard-1280")

	// Another dimension: asked again, kept in the address.
	browser.Eval[bool](b, `{ const s = document.getElementById('by'); s.value = 'stage'; s.dispatchEvent(new Event('change')); } true`)
	b.WaitFor(`new URLSearchParams(location.search).get('by') === 'stage'`)
	b.WaitFor(`document.getElementById('resolution-heading').textContent === 'Resolution rate by rollout stage'`)
	if q := api.last(); q.Get("by") != "stage" {
		t.Errorf("asked %v, want by=stage", q)
	}
	for _, m := range b.ScriptErrors() {
		t.Errorf("the page logged a script error: %s", m)
	}
}
