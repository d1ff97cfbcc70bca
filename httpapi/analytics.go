package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/attache-dev/attache/evals/analytics"
	"github.com/attache-dev/attache/staff"
)

// Analytics backs the analytics dashboard, /v1/analytics and /metrics.
type Analytics struct {
	// Summaries computes the figures (an *analytics.Store).
	Summaries interface {
		Summary(ctx context.Context, f analytics.Filter, by analytics.Dimension) (analytics.Summary, error)
	}
	// Metrics is what GET /metrics serves (analytics.Registry); nil serves no /metrics.
	Metrics prometheus.Gatherer
}

// Defaults and bounds of a summary's window.
const (
	defaultAnalyticsSpan = 7 * 24 * time.Hour
	maxAnalyticsSpan     = 400 * 24 * time.Hour
)

// analyticsRoutes registers the dashboard's API and page and /metrics. Knowledge managers,
// evaluators and admins read the figures; agents do not (the figures judge the service and
// its rollout, and the agent console shows an agent what they need). /metrics takes any
// staff credential, so that Prometheus scrapes with the API key of a staff account of its
// own ("Authorization: Bearer …").
func (h *handlers) analyticsRoutes(rt routes) {
	analysts := staffOnly(staff.RoleKnowledgeManager, staff.RoleEvaluator, staff.RoleAdmin)
	if h.cfg.Analytics.Summaries != nil {
		rt.add("GET", "/v1/analytics/summary", analysts, h.analyticsSummary)
	}
	if h.cfg.Analytics.Metrics != nil {
		metrics := promhttp.HandlerFor(h.cfg.Analytics.Metrics, promhttp.HandlerOpts{
			ErrorLog: slogPrinter{h}, ErrorHandling: promhttp.ContinueOnError, Timeout: 20 * time.Second})
		rt.add("GET", "/metrics", anyStaff, gin.WrapH(metrics))
	}
	if h.cfg.Assets != nil {
		rt.add("GET", "/console/analytics", public, h.analyticsConsole)
	}
}

// slogPrinter hands promhttp's error log to the API's logger.
type slogPrinter struct{ h *handlers }

func (p slogPrinter) Println(v ...any) {
	p.h.cfg.Logger.Error("serve /metrics", "err", fmt.Sprint(v...))
}

// analyticsConsole serves the analytics dashboard page.
func (h *handlers) analyticsConsole(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.FileFromFS("/dashboard.html", http.FS(h.cfg.Assets))
}

type analyticsDurationsJSON struct {
	Count         int      `json:"count"`
	MedianSeconds *float64 `json:"median_seconds"` // null without data
	P90Seconds    *float64 `json:"p90_seconds"`
}

type analyticsReasonJSON struct {
	Reason string  `json:"reason"`
	Count  int     `json:"count"`
	Rate   float64 `json:"rate"`
}

type analyticsCSATJSON struct {
	Responses      int      `json:"responses"`
	Mean           *float64 `json:"mean"` // null without responses
	Satisfied      int      `json:"satisfied"`
	SatisfiedShare *float64 `json:"satisfied_share"`
}

type analyticsGuardrailsJSON struct {
	Taboo     int `json:"taboo"`
	Injection int `json:"injection"`
	Abuse     int `json:"abuse"`
	Card      int `json:"card"`
	Total     int `json:"total"`
}

type analyticsSLAJSON struct {
	Tracked  int `json:"tracked"`
	Breaches int `json:"breaches"`
}

type analyticsFiguresJSON struct {
	Conversations      int                     `json:"conversations"`
	Resolved           int                     `json:"resolved"`
	ResolutionRate     float64                 `json:"resolution_rate"`
	Reopened           int                     `json:"reopened"`
	HandedOff          int                     `json:"handed_off"`
	HandoffRate        float64                 `json:"handoff_rate"`
	Handoffs           int                     `json:"handoffs"`
	HandoffsByReason   []analyticsReasonJSON   `json:"handoffs_by_reason"`
	FirstResponse      analyticsDurationsJSON  `json:"first_response"`
	HumanFirstResponse analyticsDurationsJSON  `json:"human_first_response"`
	ResolutionTime     analyticsDurationsJSON  `json:"resolution_time"`
	SLA                analyticsSLAJSON        `json:"sla"`
	CSAT               analyticsCSATJSON       `json:"csat"`
	Guardrails         analyticsGuardrailsJSON `json:"guardrails"`
	ToolFailures       int                     `json:"tool_failures"`
	ToolCalls          int                     `json:"tool_calls"`
}

type analyticsGroupJSON struct {
	Key string `json:"key"`
	analyticsFiguresJSON
}

type analyticsSummaryJSON struct {
	From    time.Time            `json:"from"`
	To      time.Time            `json:"to"`
	By      string               `json:"by,omitempty"`
	Filters map[string]string    `json:"filters"`
	Total   analyticsFiguresJSON `json:"total"`
	Groups  []analyticsGroupJSON `json:"groups"`
}

func toAnalyticsDurationsJSON(d analytics.Durations) analyticsDurationsJSON {
	out := analyticsDurationsJSON{Count: d.Count}
	if d.Count > 0 {
		out.MedianSeconds, out.P90Seconds = &d.Median, &d.P90
	}
	return out
}

func toAnalyticsFiguresJSON(f analytics.Figures) analyticsFiguresJSON {
	out := analyticsFiguresJSON{
		Conversations: f.Conversations, Resolved: f.Resolved, ResolutionRate: f.ResolutionRate, Reopened: f.Reopened,
		HandedOff: f.HandedOff, HandoffRate: f.HandoffRate, Handoffs: f.Handoffs, HandoffsByReason: []analyticsReasonJSON{},
		FirstResponse: toAnalyticsDurationsJSON(f.FirstResponse), HumanFirstResponse: toAnalyticsDurationsJSON(f.HumanFirstResponse),
		ResolutionTime: toAnalyticsDurationsJSON(f.Resolution), SLA: analyticsSLAJSON{Tracked: f.SLATracked, Breaches: f.SLABreaches},
		CSAT: analyticsCSATJSON{Responses: f.CSAT.Responses, Satisfied: f.CSAT.Satisfied},
		Guardrails: analyticsGuardrailsJSON{Taboo: f.Guardrails.Taboo, Injection: f.Guardrails.Injection, Abuse: f.Guardrails.Abuse,
			Card: f.Guardrails.Card, Total: f.Guardrails.Total()},
		ToolFailures: f.ToolFailures, ToolCalls: f.ToolCalls,
	}
	if f.CSAT.Responses > 0 {
		out.CSAT.Mean, out.CSAT.SatisfiedShare = &f.CSAT.Mean, &f.CSAT.SatisfiedShare
	}
	for _, r := range f.HandoffsByReason {
		out.HandoffsByReason = append(out.HandoffsByReason, analyticsReasonJSON{Reason: r.Reason, Count: r.Count, Rate: r.Rate})
	}
	return out
}

// analyticsFilters are the query parameters that narrow a summary.
var analyticsFilters = []string{"market", "language", "intent", "channel", "stage"}

// analyticsSummary answers the figures of the conversations started in [from, to): from
// and to are RFC 3339 times or dates (a date as to covers its whole day, UTC); the last 7
// days by default. by groups them; market, language, intent, channel and stage narrow them.
func (h *handlers) analyticsSummary(c *gin.Context) {
	now := time.Now().UTC()
	var errs []FieldError
	to, ok := analyticsTime(c.Query("to"), true)
	if !ok {
		errs = append(errs, FieldError{"to", "an RFC 3339 time or a date (YYYY-MM-DD)"})
	}
	if to.IsZero() {
		to = now
	}
	from, ok := analyticsTime(c.Query("from"), false)
	if !ok {
		errs = append(errs, FieldError{"from", "an RFC 3339 time or a date (YYYY-MM-DD)"})
	}
	if from.IsZero() {
		from = to.Add(-defaultAnalyticsSpan)
	}
	if len(errs) == 0 && !from.Before(to) {
		errs = append(errs, FieldError{"from", "before to"})
	}
	if len(errs) == 0 && to.Sub(from) > maxAnalyticsSpan {
		errs = append(errs, FieldError{"from", "at most 400 days before to"})
	}
	by := analytics.Dimension(c.Query("by"))
	if by != "" && !validDimension(by) {
		errs = append(errs, FieldError{"by", "one of market, language, intent, channel, stage"})
	}
	f := analytics.Filter{From: from, To: to, Market: c.Query("market"), Language: c.Query("language"),
		Intent: c.Query("intent"), Channel: c.Query("channel"), Stage: c.Query("stage")}
	filters := map[string]string{}
	for _, name := range analyticsFilters {
		v := strings.TrimSpace(c.Query(name))
		if len(v) > 64 {
			errs = append(errs, FieldError{name, "at most 64 characters"})
		}
		if v != "" {
			filters[name] = v
		}
	}
	if len(errs) > 0 {
		writeProblem(c, Problem{Type: typeValidation, Title: "Invalid query", Status: http.StatusBadRequest,
			Detail: "The figures were not computed.", Errors: errs})
		return
	}
	sum, err := h.cfg.Analytics.Summaries.Summary(c.Request.Context(), f, by)
	switch {
	case errors.Is(err, analytics.ErrInvalid):
		writeProblem(c, Problem{Type: typeValidation, Title: "Invalid query", Status: http.StatusBadRequest,
			Detail: "The figures were not computed: " + strings.TrimPrefix(err.Error(), analytics.ErrInvalid.Error()+": ") + "."})
		return
	case err != nil:
		h.fail(c, "analytics summary", err)
		return
	}
	out := analyticsSummaryJSON{From: sum.Filter.From.UTC(), To: sum.Filter.To.UTC(), By: string(sum.By), Filters: filters,
		Total: toAnalyticsFiguresJSON(sum.Total), Groups: []analyticsGroupJSON{}}
	for _, g := range sum.Groups {
		out.Groups = append(out.Groups, analyticsGroupJSON{Key: g.Key, analyticsFiguresJSON: toAnalyticsFiguresJSON(g.Figures)})
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

func validDimension(d analytics.Dimension) bool { return slices.Contains(analytics.Dimensions(), d) }

// analyticsTime parses an RFC 3339 time or a date; a date that ends a window (end) stands
// for the end of its day. "" is the zero time.
func analyticsTime(v string, end bool) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), true
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, true
}
