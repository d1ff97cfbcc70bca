package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/evals/rollout"
	"github.com/attache-dev/attache/internal/testutil/browser"
	"github.com/attache-dev/attache/web"
)

// memRollout keeps rollout rules in memory with the PostgreSQL store's version rule, under
// the real rollout.Policy; the store itself is tested in evals/rollout. conflict makes the
// next write lose a race.
type memRollout struct {
	mu       sync.Mutex
	rules    map[rollout.Key]rollout.Rule
	changes  []rollout.Change
	conflict bool
}

func (m *memRollout) Rules(context.Context) ([]rollout.Rule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []rollout.Rule
	for _, r := range m.rules {
		out = append(out, r)
	}
	return out, nil
}

func (m *memRollout) Put(_ context.Context, r rollout.Rule, expect int, ch rollout.Change) (rollout.Rule, rollout.Change, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.conflict || m.rules[r.Key].Version != expect {
		m.conflict = false
		return rollout.Rule{}, rollout.Change{}, rollout.ErrConflict
	}
	r.Version = expect + 1
	ch.Key, ch.Version, ch.At, ch.ID = r.Key, r.Version, r.UpdatedAt, int64(len(m.changes)+1)
	m.rules[r.Key] = r
	m.changes = append([]rollout.Change{ch}, m.changes...)
	return r, ch, nil
}

func (m *memRollout) Changes(_ context.Context, f rollout.ChangeFilter) ([]rollout.Change, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []rollout.Change
	for _, c := range m.changes {
		if (f.Market == "" || f.Market == c.Key.Market) && (f.Intent == "" || f.Intent == c.Key.Intent) {
			out = append(out, c)
		}
	}
	return out, nil
}

// latestRun is a run store holding one run per set.
type latestRun map[string]*evals.Run

func (l latestRun) LatestRun(_ context.Context, set string) (*evals.Run, error) { return l[set], nil }

// orderRun is a fresh run of the set "orders" in which passed of 10 cases passed.
func orderRun(id string, passed int) *evals.Run {
	r := &evals.Run{ID: id, Repeat: 1, FinishedAt: time.Now().Add(-time.Hour), Sets: []evals.SetRun{{Name: "orders", Cases: 10, Runnable: true}}}
	for i := range 10 {
		c := evals.CaseResult{Set: "orders", ID: fmt.Sprint(i), Status: evals.StatusFailed, Attempts: []evals.Attempt{{N: 1}}}
		if i < passed {
			c.Status, c.Passed, c.Attempts[0].Passed = evals.StatusPassed, 1, true
		}
		r.Cases = append(r.Cases, c)
	}
	return r
}

// liveFigures answers the same figures for every key.
type liveFigures rollout.Live

func (l liveFigures) Live(context.Context, rollout.Key, time.Time) (rollout.Live, error) {
	return rollout.Live(l), nil
}

func TestRolloutStagesThroughTheAPI(t *testing.T) {
	store := &memRollout{rules: map[rollout.Key]rollout.Rule{}}
	runs := latestRun{"orders": orderRun("run-1", 8)}
	log := &fakeAuditLog{}
	policy := rollout.New(store, rollout.Options{Runs: runs, Audit: log, Logger: quietLogger()})
	api := newAdminAPI(Config{Logger: quietLogger(), Rollout: policy})
	const de = `"key": {"market": "DE", "intent": "track_order"}`
	runTabooCalls(t, api, []tabooCall{
		{"no rules yet", "GET", "/v1/rollout/rules", "", "", 200, []string{`"rules":[]`, `"default_stage":"autonomous"`, `"min_pass_rate":0.95`, `"track_order"`}},
		{"a bad stage", "PUT", "/v1/rollout/rules", "", `{` + de + `, "stage": "yolo", "reason": "r"}`, 422, []string{typeValidation, `"field":"stage"`}},
		{"canary 150", "PUT", "/v1/rollout/rules", "", `{` + de + `, "stage": "standard", "canary_percent": 150, "reason": "r"}`, 422,
			[]string{`"field":"canary_percent"`, "from 0 to 100"}},
		{"a canary is a whole number", "PUT", "/v1/rollout/rules", "", `{` + de + `, "stage": "standard", "canary_percent": 1.5, "reason": "r"}`, 400,
			[]string{typeBadJSON}},
		{"an unknown field", "PUT", "/v1/rollout/rules", "", `{` + de + `, "stage": "assist", "reason": "r", "force": true}`, 400,
			[]string{typeBadJSON, `unknown field \"force\"`}},
		{"a reason is required", "PUT", "/v1/rollout/rules", "", `{` + de + `, "stage": "assist"}`, 422, []string{`"field":"reason"`}},
		{"a bad market", "PUT", "/v1/rollout/rules", "", `{"key": {"market": "Germany"}, "stage": "assist", "reason": "r"}`, 422,
			[]string{`"field":"key.market"`}},
		{"down to assist: no gate", "PUT", "/v1/rollout/rules", "", `{` + de + `, "stage": "assist", "regression_set": "orders", "reason": "new carrier"}`, 200,
			[]string{`"from_stage":"autonomous"`, `"to_stage":"assist"`, `"version":1`, `"by":"staff:admin@shop.example"`}},
		{"a promotion on a failing run", "PUT", "/v1/rollout/rules", `"1"`, `{` + de + `, "stage": "standard", "regression_set": "orders", "reason": "go"}`, 409,
			[]string{typeRolloutGate, `"field":"gate"`, `pass rate 0.8 \u003c 0.95 on run run-1 of set orders`}},
		{"a stale If-Match", "PUT", "/v1/rollout/rules", `"5"`, `{` + de + `, "stage": "standard", "regression_set": "orders", "reason": "go"}`, 412,
			[]string{typeConflict}},
		{"If-Match is a number", "PUT", "/v1/rollout/rules", "latest", `{` + de + `, "stage": "standard", "reason": "go"}`, 422,
			[]string{`"field":"If-Match"`}},
		{"the gate's verdict is listed", "GET", "/v1/rollout/rules", "", "", 200,
			[]string{`"stage":"assist"`, `"passed":false`, `"next_stage":"standard"`, `"run_id":"run-1"`}},
	})
	runs["orders"] = orderRun("run-2", 10)
	runTabooCalls(t, api, []tabooCall{
		{"a promotion on a passing run", "PUT", "/v1/rollout/rules?version=1", "", `{` + de + `, "stage": "standard", "canary_percent": 10, "regression_set": "orders", "reason": "orders set green"}`, 200,
			[]string{`"to_stage":"standard"`, `"to_canary":10`, `"version":2`, `"run_id":"run-2"`, `"pass_rate":1`}},
		{"listed with its canary", "GET", "/v1/rollout/rules", "", "", 200, []string{`"stage":"standard"`, `"canary_percent":10`, `"canary_stage":"autonomous"`, `"passed":true`}},
		{"decide", "GET", "/v1/rollout/decide?market=de&intent=track_order&locale=de-DE&channel=web", "", "", 200,
			[]string{`"base_stage":"standard"`, `"matched":true`, `"ai_may_resolve":true`, `"rule":{"market":"DE","intent":"track_order","locale":"","channel":""}`}},
		{"decide without a rule", "GET", "/v1/rollout/decide?market=FR&intent=get_refund", "", "", 200, []string{`"stage":"autonomous"`, `"matched":false`}},
		{"decide names a bad parameter", "GET", "/v1/rollout/decide?market=Germany", "", "", 422, []string{`"field":"market"`}},
		{"history, newest first", "GET", "/v1/rollout/changes?market=de&intent=track_order", "", "", 200,
			[]string{`"changes":[{"id":2,`, `"reason":"orders set green"`, `{"id":1,`}},
		{"history needs a good limit", "GET", "/v1/rollout/changes?limit=0", "", "", 422, []string{`"field":"limit"`}},
		{"no live metrics here", "POST", "/v1/rollout/check", "", "", 200, []string{`"demoted":[]`, `"complete":false`, "Live metrics are not available"}},
	})
	store.conflict = true
	runTabooCalls(t, api, []tabooCall{
		{"a lost race", "PUT", "/v1/rollout/rules", "", `{` + de + `, "stage": "assist", "reason": "pause"}`, 409, []string{typeConflict, "Someone changed this rule"}},
	})
	var got []string
	for _, e := range log.entries {
		got = append(got, fmt.Sprintf("%s %s %s %v→%v", e.Actor, e.Action, e.Subject, e.Details["from_stage"], e.Details["to_stage"]))
	}
	want := []string{
		"staff:admin@shop.example rollout.stage_changed rollout:DE/track_order/*/* autonomous→assist",
		"staff:admin@shop.example rollout.stage_changed rollout:DE/track_order/*/* assist→standard",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRolloutCheckDemotesOnBadLiveMetrics(t *testing.T) {
	key := rollout.Key{Market: "DE", Intent: "track_order"}
	store := &memRollout{rules: map[rollout.Key]rollout.Rule{key: {Key: key, Stage: rollout.Standard, Version: 1, UpdatedBy: "cli:ops", UpdatedAt: time.Now().Add(-48 * time.Hour)}}}
	policy := rollout.New(store, rollout.Options{Metrics: liveFigures{Conversations: 80, HandoffRate: 0.7}, Logger: quietLogger()})
	api := newAdminAPI(Config{Logger: quietLogger(), Rollout: policy})
	runTabooCalls(t, api, []tabooCall{
		{"check", "POST", "/v1/rollout/check", "", "", 200, []string{`"demoted":[{`, `"action":"demoted"`, `"from_stage":"standard"`, `"to_stage":"assist"`,
			`"by":"system:rollout-monitor"`, `handoff rate 0.70 \u003e 0.35 over 80 conversations`, `"handoff_rate":0.7`, `"complete":true`}},
		{"nothing more to demote", "POST", "/v1/rollout/check", "", "", 200, []string{`"demoted":[]`}},
	})
}

func TestRolloutRoutesByRole(t *testing.T) {
	policy := rollout.New(&memRollout{rules: map[rollout.Key]rollout.Rule{}}, rollout.Options{Logger: quietLogger()})
	api := New(Config{Logger: quietLogger(), Staff: fakeStaff{}, Rollout: policy})
	for _, tc := range []struct {
		role, method, path string
		want               int
	}{
		{"", "GET", "/v1/rollout/rules", 401},
		{"agent", "GET", "/v1/rollout/rules", 403},
		{"knowledge_manager", "PUT", "/v1/rollout/rules", 403},
		{"evaluator", "GET", "/v1/rollout/rules", 200},
		{"evaluator", "PUT", "/v1/rollout/rules", 400}, // allowed: the empty body is refused
		{"evaluator", "POST", "/v1/rollout/check", 403},
		{"admin", "POST", "/v1/rollout/check", 200},
		{"evaluator", "GET", "/v1/rollout/changes", 200},
		{"evaluator", "GET", "/v1/rollout/decide?market=DE", 200},
	} {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		if tc.role != "" {
			req.Header.Set("Authorization", "Bearer role:"+tc.role)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s %s as %q: %d, want %d: %s", tc.method, tc.path, tc.role, rec.Code, tc.want, rec.Body)
		}
	}
}

func TestRolloutConsoleIsPublicLikeTheOtherPages(t *testing.T) {
	policy := rollout.New(&memRollout{rules: map[rollout.Key]rollout.Rule{}}, rollout.Options{Logger: quietLogger()})
	assets := fstest.MapFS{"rollout.html": {Data: []byte("<h1>Rollout stages</h1>")}}
	api := New(Config{Logger: quietLogger(), Staff: fakeStaff{}, Rollout: policy, Assets: assets})
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/console/rollout", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Rollout stages") {
		t.Fatalf("GET /console/rollout: %d %s", rec.Code, rec.Body)
	}
}

// TestRolloutConsoleInABrowser drives the rollout console with the keyboard: a new rule,
// a promotion the gate refuses with its reason on the page, the same promotion once the
// set passes, the live check's demotion, and the history of all three.
func TestRolloutConsoleInABrowser(t *testing.T) {
	store := &memRollout{rules: map[rollout.Key]rollout.Rule{}}
	runs := latestRun{"orders": orderRun("run-1", 8)}
	policy := rollout.New(store, rollout.Options{Runs: runs, Logger: quietLogger(), Metrics: liveFigures{Conversations: 50, HandoffRate: 0.6}})
	api := New(Config{Logger: quietLogger(), Staff: fakeStaff{}, Rollout: policy, Assets: web.Assets()})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", "Bearer role:admin")
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	b := browser.New(t)
	text := func(id string) string {
		return browser.Eval[string](b, `document.getElementById('`+id+`').textContent`)
	}
	b.Do(chromedp.Navigate(srv.URL + "/console/rollout"))
	b.WaitFor(`document.getElementById('me').textContent.includes('(admin)') && !document.getElementById('check-live').hidden`)

	b.Do(chromedp.Focus(chromedp.CSS("#f-market")), browser.Press("DE\t"), browser.Press("track_order"),
		chromedp.SetValue(chromedp.CSS("#f-set"), "orders"), chromedp.Focus(chromedp.CSS("#f-reason")), browser.Press("new carrier"),
		chromedp.Click(chromedp.CSS("#f-save")))
	b.WaitFor(`document.getElementById('save-status').textContent.includes('Saved')`)
	if got := text("save-status"); !strings.Contains(got, "autonomous → assist, version 1") {
		t.Fatalf("after saving: %q", got)
	}
	b.WaitFor(`document.querySelectorAll('#rules tbody tr').length === 1 && document.querySelectorAll('#history tbody tr').length === 1`)

	// Edit from the table with the keyboard: the form takes the rule and the focus.
	b.Do(chromedp.Focus(chromedp.CSS("#rules tbody button")), browser.Press("\r"))
	b.WaitFor(`document.activeElement.id === 'f-stage'`)
	b.Do(chromedp.SetValue(chromedp.CSS("#f-stage"), "standard"), chromedp.Focus(chromedp.CSS("#f-reason")), browser.Press("go"),
		chromedp.Click(chromedp.CSS("#f-save")))
	b.WaitFor(`document.getElementById('save-status').classList.contains('error')`)
	if got := text("save-status"); !strings.Contains(got, "The gate refused the promotion") || !strings.Contains(got, "pass rate 0.8 < 0.95 on run run-1 of set orders") {
		t.Fatalf("a refused promotion shows %q", got)
	}

	runs["orders"] = orderRun("run-2", 10)
	b.Do(chromedp.Click(chromedp.CSS("#f-save")))
	b.WaitFor(`document.getElementById('save-status').textContent.includes('Gate passed')`)
	if got := text("save-status"); !strings.Contains(got, "assist → standard, version 2. Gate passed on run run-2.") {
		t.Fatalf("a promotion shows %q", got)
	}

	b.Do(chromedp.Click(chromedp.CSS("#check-live")))
	b.WaitFor(`document.getElementById('check-status').textContent.includes('demoted')`)
	if got := text("check-status"); !strings.Contains(got, "standard → assist") || !strings.Contains(got, "handoff rate 0.60 > 0.35") {
		t.Fatalf("the live check shows %q", got)
	}
	b.WaitFor(`document.querySelectorAll('#history tbody tr').length === 3`)
	if got := text("history"); !strings.Contains(got, "system:rollout-monitor") || !strings.Contains(got, "run run-2 of orders") {
		t.Fatalf("history: %q", got)
	}
	// The refused promotion's 409 is logged by the browser itself (Source "network").
	for _, e := range b.ConsoleErrors() {
		if e.Source == "" {
			t.Errorf("console error: %v", e)
		}
	}
}
