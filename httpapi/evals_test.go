package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/evals/runstore"
)

// fakeEvalRuns keeps runs in memory; the PostgreSQL store is tested in evals/runstore.
type fakeEvalRuns struct {
	runs  map[string]*evals.Run
	metas map[string]runstore.Meta
}

func (f *fakeEvalRuns) Get(_ context.Context, id string) (*evals.Run, runstore.Meta, error) {
	m, ok := f.metas[id]
	if !ok {
		return nil, runstore.Meta{}, runstore.ErrNotFound
	}
	return f.runs[id], m, nil
}

func (f *fakeEvalRuns) List(_ context.Context, limit int, set string) ([]runstore.Meta, error) {
	var out []runstore.Meta
	for _, id := range []string{"run-head", "run-base", "run-live"} {
		if m, ok := f.metas[id]; ok && len(out) < limit && (set == "" || strings.Contains(strings.Join(m.Sets, ","), set)) {
			out = append(out, m)
		}
	}
	return out, nil
}

type fakeEvalSets []EvalSetInfo

func (f fakeEvalSets) List() []EvalSetInfo { return f }

// fakeEvalRunner records the runs it was asked to start.
type fakeEvalRunner struct {
	mu     sync.Mutex
	starts []string
}

func (r *fakeEvalRunner) Start(_ context.Context, sets []string, repeat int, by string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.starts = append(r.starts, fmt.Sprintf("%s x%d by %s", strings.Join(sets, ","), repeat, by))
	return "run-new", nil
}

var evalT0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// evalCase is a case of the "smoke" set; failing adds a failed reply check in Arabic.
func evalCase(id, lang string, failing bool) evals.CaseResult {
	cr := evals.CaseResult{Set: "smoke", ID: id, Market: "SA", Locale: lang, Language: lang, Channel: "web", Intent: "refund",
		Status: evals.StatusPassed, Passed: 1}
	a := evals.Attempt{N: 1, Passed: !failing,
		Checks:     []evals.Check{{Name: "intent", Passed: true, Want: "refund", Got: "refund"}},
		Transcript: []evals.Line{{Turn: 1, Author: "customer", Text: "وصلني الخلاط مكسورًا", Lang: "ar"}, {Turn: 1, Author: "ai", Text: "آسف لذلك."}},
		ToolCalls:  []evals.ToolCall{{Name: "refund_order", Args: json.RawMessage(`{"order":"A-1042"}`), Outcome: "proposed"}}}
	if failing {
		a.Checks = append(a.Checks, evals.Check{Name: "reply contains", Passed: false, Want: "استرداد", Got: "آسف لذلك."})
		cr.Status, cr.Passed = evals.StatusFailed, 0
	}
	cr.Attempts = []evals.Attempt{a}
	return cr
}

func evalRun(id string, cases ...evals.CaseResult) *evals.Run {
	return &evals.Run{ID: id, StartedAt: evalT0, FinishedAt: evalT0.Add(time.Minute), Engine: "offline", Repeat: 1,
		Sets: []evals.SetRun{{Name: "smoke", Kind: "dialog", Cases: len(cases), Runnable: true}}, Cases: cases,
		Summary: evals.Summarize(cases)}
}

func newEvalTestAPI(runner evalRunner) http.Handler {
	return newEvalTestAPIOn(runner, fstest.MapFS{"evals.html": {Data: []byte(`<!doctype html><title>Evals</title><main id="runs"></main>`)}})
}

func newEvalTestAPIOn(runner evalRunner, assets fs.FS) http.Handler {
	base := evalRun("run-base", evalCase("refund-ar", "ar", false), evalCase("track-en", "en", false))
	head := evalRun("run-head", evalCase("greet-en", "en", false), evalCase("refund-ar", "ar", true), evalCase("track-en", "en", false))
	store := &fakeEvalRuns{runs: map[string]*evals.Run{"run-base": base, "run-head": head,
		"run-live": {ID: "run-live", Repeat: 3, Sets: []evals.SetRun{{Name: "smoke", Runnable: true}}}},
		metas: map[string]runstore.Meta{}}
	for _, r := range []*evals.Run{base, head} {
		store.metas[r.ID] = runstore.Meta{ID: r.ID, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Engine: r.Engine, Repeat: 1,
			Status: runstore.StatusFinished, StartedBy: "ci", Sets: []string{"smoke"}, Summary: r.Summary}
	}
	store.metas["run-live"] = runstore.Meta{ID: "run-live", StartedAt: evalT0, Repeat: 3, Status: runstore.StatusRunning, Sets: []string{"smoke"}}
	sets := fakeEvalSets{
		{Name: "smoke", Path: "evals/sets/smoke.yaml", Kind: "dialog", Cases: 2, Languages: []string{"ar", "en"}, Runnable: true},
		{Name: "tau2-retail", Path: "evals/sets/tau2-retail.yaml", Kind: "tau2", Cases: 40, Runnable: false, Reason: "needs a model"},
	}
	cfg := Config{Logger: quietLogger(), Staff: fakeStaff{}, Evals: &EvalsAPI{Store: store, Sets: sets},
		Assets: assets}
	if runner != nil {
		cfg.Evals.Runner = runner
	}
	return New(cfg)
}

type evalCall struct {
	name, role, method, path, body string
	status                         int
	want                           []string // substrings of the body
	unwanted                       []string
}

func runEvalCalls(t *testing.T, api http.Handler, calls []evalCall) {
	t.Helper()
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.role != "" {
				req.Header.Set("Authorization", "Bearer role:"+tc.role)
			}
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("%s %s: status %d, want %d: %s", tc.method, tc.path, rec.Code, tc.status, rec.Body)
			}
			if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("error answered as %q, not problem JSON", rec.Header().Get("Content-Type"))
			}
			for _, w := range tc.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body lacks %s: %s", w, rec.Body)
				}
			}
			for _, w := range tc.unwanted {
				if strings.Contains(rec.Body.String(), w) {
					t.Errorf("body has %s: %s", w, rec.Body)
				}
			}
		})
	}
}

func TestEvalAPIRefusesWhatItCannotDo(t *testing.T) {
	api := newEvalTestAPI(&fakeEvalRunner{})
	const ev = "evaluator"
	runEvalCalls(t, api, []evalCall{
		{"unknown run", ev, "GET", "/v1/evals/runs/nope", "", 404, []string{typeNotFound, `The eval run \"nope\" does not exist`}, nil},
		{"unknown run's case", ev, "GET", "/v1/evals/runs/nope/cases/smoke/refund-ar", "", 404, []string{typeNotFound}, nil},
		{"unknown case", ev, "GET", "/v1/evals/runs/run-head/cases/smoke/nope", "", 404, []string{`smoke/nope`}, nil},
		{"unknown run's report", ev, "GET", "/v1/evals/runs/nope/report.html", "", 404, []string{typeNotFound}, nil},
		{"bad limit", ev, "GET", "/v1/evals/runs?limit=0", "", 400, []string{`"field":"limit"`}, nil},
		{"bad status filter", ev, "GET", "/v1/evals/runs/run-head?status=broken", "", 400, []string{`"field":"status"`}, nil},
		{"compare needs both runs", ev, "GET", "/v1/evals/compare?head=run-head", "", 400, []string{`"field":"base"`}, []string{`"field":"head"`}},
		{"compare with an unknown base", ev, "GET", "/v1/evals/compare?base=nope&head=run-head", "", 404, []string{`\"nope\" (base)`}, nil},
		{"compare with a running head", ev, "GET", "/v1/evals/compare?base=run-base&head=run-live", "", 409, []string{"still running"}, nil},
		{"no report while running", ev, "GET", "/v1/evals/runs/run-live/report.html", "", 409, []string{typeConflict, "still running"}, nil},
		{"repeat above 10", ev, "POST", "/v1/evals/runs", `{"sets": ["smoke"], "repeat": 11}`, 422, []string{`"field":"repeat","reason":"between 1 and 10"`}, nil},
		{"repeat 0", ev, "POST", "/v1/evals/runs", `{"sets": ["smoke"], "repeat": 0}`, 422, []string{`"field":"repeat"`}, nil},
		{"no sets", ev, "POST", "/v1/evals/runs", `{"repeat": 2}`, 422, []string{`"field":"sets"`}, nil},
		{"unknown set", ev, "POST", "/v1/evals/runs", `{"sets": ["smoke", "nope"]}`, 422, []string{`"field":"sets[1]"`, `no set is named \"nope\"`}, nil},
		{"set needing a model", ev, "POST", "/v1/evals/runs", `{"sets": ["tau2-retail"]}`, 422, []string{`"field":"sets[0]"`, "needs a model"}, nil},
		{"a set twice", ev, "POST", "/v1/evals/runs", `{"sets": ["smoke", "smoke"]}`, 422, []string{`"field":"sets[1]","reason":"named twice"`}, nil},
		{"unknown field", ev, "POST", "/v1/evals/runs", `{"sets": ["smoke"], "k": 3}`, 400, []string{typeBadJSON}, nil},
		{"knowledge managers read runs", "knowledge_manager", "GET", "/v1/evals/runs", "", 200, []string{`"runs":[`}, nil},
		{"knowledge managers start none", "knowledge_manager", "POST", "/v1/evals/runs", `{"sets": ["smoke"]}`, 403, []string{typeForbidden}, nil},
		{"agents read none", "agent", "GET", "/v1/evals/runs/run-head", "", 403, []string{typeForbidden}, nil},
		{"sign in first", "", "GET", "/v1/evals/sets", "", 401, []string{typeUnauthenticated}, nil},
	})
}

func TestEvalStartRun(t *testing.T) {
	runner := &fakeEvalRunner{}
	api := newEvalTestAPI(runner)
	req := httptest.NewRequest("POST", "/v1/evals/runs", strings.NewReader(`{"sets": ["smoke"], "repeat": 3}`))
	req.Header.Set("Authorization", "Bearer role:evaluator")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if rec.Code != http.StatusAccepted || rec.Header().Get("Location") != "/v1/evals/runs/run-new" ||
		!strings.Contains(rec.Body.String(), `"status":"running"`) {
		t.Fatalf("start: %d, Location %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if want := "smoke x3 by staff:evaluator@shop.example"; len(runner.starts) != 1 || runner.starts[0] != want {
		t.Fatalf("runner asked %q, want %q", runner.starts, want)
	}

	cli := newEvalTestAPI(nil)
	runEvalCalls(t, cli, []evalCall{
		{"sets say a run cannot start here", "admin", "GET", "/v1/evals/sets", "", 200,
			[]string{`"can_start":false`, `"max_repeat":10`, `"name":"smoke","path":"evals/sets/smoke.yaml","kind":"dialog","cases":2,"languages":["ar","en"],"runnable":true`,
				`"runnable":false,"reason":"needs a model"`}, nil},
		{"without a runner: 501", "admin", "POST", "/v1/evals/runs", `{"sets": ["smoke"]}`, 501, []string{"CLI"}, nil},
	})
}

func TestEvalRunViewAndDrillDown(t *testing.T) {
	api := newEvalTestAPI(nil)
	const ev = "evaluator"
	runEvalCalls(t, api, []evalCall{
		{"runs newest first, running ones without figures", ev, "GET", "/v1/evals/runs?set=smoke", "", 200,
			[]string{`"runs":[{"id":"run-head","status":"finished"`, `"pass_k":0.6666666666666666`, `{"id":"run-live","status":"running"`, `"summary":null`}, nil},
		{"failures first, no transcripts", ev, "GET", "/v1/evals/runs/run-head", "", 200,
			[]string{`"cases":[{"key":"smoke/refund-ar"`, `"status":"failed"`, `"failed_checks":["reply contains"]`, `"by_language":{"ar":`,
				`"report_html":"/v1/evals/runs/run-head/report.html"`},
			[]string{"transcript", "وصلني"}},
		{"status filter", ev, "GET", "/v1/evals/runs/run-head?status=passed", "", 200,
			[]string{`"key":"smoke/track-en"`}, []string{`"key":"smoke/refund-ar"`}},
		{"a running run has no cases yet", ev, "GET", "/v1/evals/runs/run-live", "", 200,
			[]string{`"status":"running"`, `"cases":[]`, `"repeat":3`}, []string{"report_html"}},
		{"drill-down: transcript, checks, tool calls", ev, "GET", "/v1/evals/runs/run-head/cases/smoke/refund-ar", "", 200,
			[]string{`"key":"smoke/refund-ar"`, `"text":"وصلني الخلاط مكسورًا"`, `"name":"reply contains","passed":false,"want":"استرداد"`,
				`"name":"refund_order","args":{"order":"A-1042"},"outcome":"proposed"`}, nil},
		{"the console page", "", "GET", "/console/evals", "", 200, []string{`id="runs"`}, nil},
	})
}

func TestEvalCompareShowsRegressions(t *testing.T) {
	api := newEvalTestAPI(nil)
	req := httptest.NewRequest("GET", "/v1/evals/compare?base=run-base&head=run-head", nil)
	req.Header.Set("Authorization", "Bearer role:evaluator")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	var got struct {
		HasRegressions bool                 `json:"has_regressions"`
		Regressions    []evalCaseChangeJSON `json:"regressions"`
		Fixed          []evalCaseChangeJSON `json:"fixed"`
		HeadSummary    evals.Summary        `json:"head_summary"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
		t.Fatalf("compare: %d %v: %s", rec.Code, err, rec.Body)
	}
	if !got.HasRegressions || len(got.Regressions) != 1 || got.Fixed == nil || len(got.Fixed) != 0 {
		t.Fatalf("comparison %+v", got)
	}
	r := got.Regressions[0]
	if r.Key != "smoke/refund-ar" || r.Was != "passed" || r.Now != "failed" || len(r.FailedChecks) != 1 ||
		r.FailedChecks[0].Want != "استرداد" || r.FailedChecks[0].Got != "آسف لذلك." {
		t.Fatalf("regression %+v", r)
	}
	if got.HeadSummary.Cases != 3 || got.HeadSummary.Failed != 1 {
		t.Fatalf("head summary %+v", got.HeadSummary)
	}
	if i, j := strings.Index(rec.Body.String(), `"regressions"`), strings.Index(rec.Body.String(), `"fixed"`); i < 0 || i > j {
		t.Fatalf("regressions do not come first: %s", rec.Body)
	}
}

func TestEvalReportsAreServedWithTheirTypes(t *testing.T) {
	api := newEvalTestAPI(nil)
	tests := []struct {
		path, contentType, body string
		csp                     bool
	}{
		{"/v1/evals/runs/run-head/report.html", "text/html; charset=utf-8", "refund-ar", true},
		{"/v1/evals/runs/run-head/junit.xml", "application/xml; charset=utf-8", "<testsuites", false},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", tt.path, nil)
		req.Header.Set("Authorization", "Bearer role:knowledge_manager")
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != tt.contentType || !strings.Contains(rec.Body.String(), tt.body) {
			t.Fatalf("%s: %d %q: %.300s", tt.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if tt.csp && (!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "sandbox") || strings.Contains(csp, "http")) {
			t.Fatalf("%s: Content-Security-Policy %q", tt.path, csp)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s: no nosniff", tt.path)
		}
	}
}
