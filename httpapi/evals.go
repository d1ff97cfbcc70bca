package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/evals/runstore"
	"github.com/attache-dev/attache/staff"
)

// evalRuns is what the eval API needs of the run store (*runstore.Store).
type evalRuns interface {
	Get(ctx context.Context, id string) (*evals.Run, runstore.Meta, error)
	List(ctx context.Context, limit int, set string) ([]runstore.Meta, error)
}

// evalSets is the catalogue of the regression sets this deployment ships.
type evalSets interface {
	List() []EvalSetInfo
}

// evalRunner starts a run in the background and returns its ID at once; the runner stores
// the run (begun, then finished or failed) in the run store. The ctx it is given carries the
// request's values but is not cancelled when the request ends: the runner ties the run to
// its own lifetime. by names who asked ("staff:<e-mail>").
type evalRunner interface {
	Start(ctx context.Context, sets []string, repeat int, by string) (runID string, err error)
}

// EvalSetInfo describes one regression set of the catalogue.
type EvalSetInfo struct {
	Name      string
	Path      string // relative to the repository, e.g. evals/sets/refunds.yaml
	Kind      string
	Cases     int
	Languages []string
	Runnable  bool   // whether this deployment can run it
	Reason    string // why it cannot
}

// EvalsAPI backs the eval console and its API: stored runs, the set catalogue and the
// runner.
type EvalsAPI struct {
	Store evalRuns // required
	Sets  evalSets // nil lists no sets
	// Runner starts runs from the API; nil answers POST /v1/evals/runs with 501 (runs are
	// started with `attache eval run` on this deployment).
	Runner evalRunner
}

// maxEvalRepeat is the most attempts per case a run started from the API may make.
const maxEvalRepeat = 10

// Who may use the eval API: evaluators and admins do everything; knowledge managers read
// runs (their failures often point at missing or stale articles) but start none. Eval
// transcripts are the sets' scripted customers, not real people's.
var (
	evalReaders  = staffOnly(staff.RoleKnowledgeManager, staff.RoleEvaluator, staff.RoleAdmin)
	evalStarters = staffOnly(staff.RoleEvaluator, staff.RoleAdmin)
)

// evalRoutes registers the eval API and the eval console page.
func (h *handlers) evalRoutes(rt routes) {
	e := evalAPI{h: h, cfg: h.cfg.Evals}
	rt.add("GET", "/v1/evals/sets", evalReaders, e.listSets)
	rt.add("GET", "/v1/evals/runs", evalReaders, e.listRuns)
	rt.add("POST", "/v1/evals/runs", evalStarters, e.startRun)
	rt.add("GET", "/v1/evals/runs/:id", evalReaders, e.getRun)
	rt.add("GET", "/v1/evals/runs/:id/cases/:set/:case", evalReaders, e.getCase)
	rt.add("GET", "/v1/evals/runs/:id/report.html", evalReaders, e.reportHTML)
	rt.add("GET", "/v1/evals/runs/:id/junit.xml", evalReaders, e.reportJUnit)
	rt.add("GET", "/v1/evals/compare", evalReaders, e.compare)
	if h.cfg.Assets != nil {
		rt.add("GET", "/console/evals", public, e.page)
	}
}

// evalAPI serves /v1/evals: the handlers with the eval backing.
type evalAPI struct {
	h   *handlers
	cfg *EvalsAPI
}

// badQuery answers 400 for query parameters that cannot be used, naming each.
func badQuery(c *gin.Context, detail string, errs ...FieldError) {
	writeProblem(c, Problem{Type: typeValidation, Title: "Invalid query", Status: http.StatusBadRequest, Detail: detail, Errors: errs})
}

type evalSetJSON struct {
	Name      string   `json:"name"`
	Path      string   `json:"path"`
	Kind      string   `json:"kind"`
	Cases     int      `json:"cases"`
	Languages []string `json:"languages"`
	Runnable  bool     `json:"runnable"`
	Reason    string   `json:"reason,omitempty"`
}

func (e evalAPI) sets() []EvalSetInfo {
	if e.cfg.Sets == nil {
		return nil
	}
	return e.cfg.Sets.List()
}

func (e evalAPI) listSets(c *gin.Context) {
	sets := e.sets()
	out := make([]evalSetJSON, len(sets))
	for i, s := range sets {
		out[i] = evalSetJSON{Name: s.Name, Path: s.Path, Kind: s.Kind, Cases: s.Cases, Languages: nonNil(s.Languages),
			Runnable: s.Runnable, Reason: s.Reason}
	}
	c.JSON(http.StatusOK, gin.H{"sets": out, "can_start": e.cfg.Runner != nil, "max_repeat": maxEvalRepeat})
}

// evalFiguresJSON is a run's headline figures.
type evalFiguresJSON struct {
	Cases               int     `json:"cases"`
	Passed              int     `json:"passed"`
	Failed              int     `json:"failed"`
	Errors              int     `json:"errors"`
	NotRunnable         int     `json:"not_runnable"`
	PassRate            float64 `json:"pass_rate"`
	PassK               float64 `json:"pass_k"`
	GuardrailViolations int     `json:"guardrail_violations"`
}

type evalRunMetaJSON struct {
	ID         string            `json:"id"`
	Status     string            `json:"status"`
	StartedAt  time.Time         `json:"started_at"`
	FinishedAt *time.Time        `json:"finished_at,omitempty"`
	Engine     string            `json:"engine"`
	Repeat     int               `json:"repeat"`
	StartedBy  string            `json:"started_by"`
	Sets       []string          `json:"sets"`
	Error      string            `json:"error,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	Summary    *evalFiguresJSON  `json:"summary"` // null until finished
}

func toEvalRunMetaJSON(m runstore.Meta) evalRunMetaJSON {
	out := evalRunMetaJSON{ID: m.ID, Status: m.Status, StartedAt: m.StartedAt.UTC(), Engine: m.Engine, Repeat: m.Repeat,
		StartedBy: m.StartedBy, Sets: nonNil(m.Sets), Error: m.Error, Labels: m.Labels}
	if !m.FinishedAt.IsZero() {
		at := m.FinishedAt.UTC()
		out.FinishedAt = &at
	}
	if m.Status == runstore.StatusFinished {
		s := m.Summary
		out.Summary = &evalFiguresJSON{Cases: s.Cases, Passed: s.Passed, Failed: s.Failed, Errors: s.Errors, NotRunnable: s.NotRunnable,
			PassRate: s.PassRate, PassK: s.PassK, GuardrailViolations: s.GuardrailViolations}
	}
	return out
}

func (e evalAPI) listRuns(c *gin.Context) {
	var errs []FieldError
	set := strings.TrimSpace(c.Query("set"))
	if len(set) > 200 {
		errs = append(errs, FieldError{"set", "longer than 200 characters"})
	}
	limit := limitParam(c, runstore.DefaultLimit, &errs)
	if len(errs) > 0 {
		badQuery(c, "The run list was not read.", errs...)
		return
	}
	ms, err := e.cfg.Store.List(c.Request.Context(), limit, set)
	if err != nil {
		e.h.fail(c, "list eval runs", err)
		return
	}
	out := make([]evalRunMetaJSON, len(ms))
	for i, m := range ms {
		out[i] = toEvalRunMetaJSON(m)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"runs": out})
}

type startEvalRequest struct {
	Sets   []string `json:"sets"`
	Repeat *int     `json:"repeat"`
}

// startRun starts a run of the named sets in the background: 202 with the run's ID, which
// the run list shows as running until it finishes.
func (e evalAPI) startRun(c *gin.Context) {
	var req startEvalRequest
	if !e.h.decode(c, &req, false) {
		return
	}
	repeat := 1
	var errs []FieldError
	if req.Repeat != nil {
		repeat = *req.Repeat
		if repeat < 1 || repeat > maxEvalRepeat {
			errs = append(errs, FieldError{"repeat", "between 1 and " + strconv.Itoa(maxEvalRepeat)})
		}
	}
	if len(req.Sets) == 0 {
		errs = append(errs, FieldError{"sets", "name at least one set"})
	}
	known := map[string]EvalSetInfo{}
	for _, s := range e.sets() {
		known[s.Name] = s
	}
	seen := map[string]bool{}
	for i, name := range req.Sets {
		field := "sets[" + strconv.Itoa(i) + "]"
		s, ok := known[name]
		switch {
		case seen[name]:
			errs = append(errs, FieldError{field, "named twice"})
		case !ok:
			errs = append(errs, FieldError{field, "no set is named " + strconv.Quote(name)})
		case !s.Runnable:
			errs = append(errs, FieldError{field, "cannot run on this deployment: " + cmp.Or(s.Reason, "not runnable")})
		}
		seen[name] = true
	}
	if len(errs) > 0 {
		invalid(c, "The run was not started.", errs...)
		return
	}
	if e.cfg.Runner == nil {
		writeProblem(c, Problem{Status: http.StatusNotImplemented, Title: "Not implemented",
			Detail: "Runs are started with the CLI on this deployment (attache eval run)."})
		return
	}
	// The run outlives the request: the runner owns its context from here on.
	id, err := e.cfg.Runner.Start(context.WithoutCancel(c.Request.Context()), req.Sets, repeat, actor(c))
	if err != nil {
		e.h.fail(c, "start eval run", err)
		return
	}
	e.h.audit(c, actor(c), "eval.run_started", "eval_run:"+id, map[string]any{"sets": req.Sets, "repeat": repeat})
	loc := "/v1/evals/runs/" + id
	c.Header("Location", loc)
	c.JSON(http.StatusAccepted, gin.H{"id": id, "status": runstore.StatusRunning, "location": loc})
}

// run reads the run named by the path, answering 404 when there is none.
func (e evalAPI) run(c *gin.Context) (*evals.Run, runstore.Meta, bool) {
	return e.runByID(c, c.Param("id"), "")
}

// runByID reads a run; field names the query parameter that gave the ID, for the 404.
func (e evalAPI) runByID(c *gin.Context, id, field string) (*evals.Run, runstore.Meta, bool) {
	run, m, err := e.cfg.Store.Get(c.Request.Context(), id)
	switch {
	case errors.Is(err, runstore.ErrNotFound):
		what := "The eval run " + strconv.Quote(id)
		if field != "" {
			what = "The eval run " + strconv.Quote(id) + " (" + field + ")"
		}
		notFound(c, what)
		return nil, m, false
	case err != nil:
		e.h.fail(c, "read eval run", err)
		return nil, m, false
	}
	return run, m, true
}

// evalFinished answers 409 unless the run has finished; its reports exist only then.
func evalFinished(c *gin.Context, m runstore.Meta, what string) bool {
	switch m.Status {
	case runstore.StatusFinished:
		return true
	case runstore.StatusRunning:
		writeProblem(c, Problem{Type: typeConflict, Title: "Run not finished", Status: http.StatusConflict,
			Detail: "The eval run " + strconv.Quote(m.ID) + " is still running; " + what + " exists once it finishes."})
	default:
		writeProblem(c, Problem{Type: typeConflict, Title: "Run failed", Status: http.StatusConflict,
			Detail: "The eval run " + strconv.Quote(m.ID) + " failed (" + cmp.Or(m.Error, "no reason recorded") + "); it has no " + what + "."})
	}
	return false
}

// evalCaseJSON is a case as the run view lists it: no transcripts.
type evalCaseJSON struct {
	Key                 string   `json:"key"`
	Set                 string   `json:"set"`
	ID                  string   `json:"id"`
	Description         string   `json:"description,omitempty"`
	Market              string   `json:"market"`
	Locale              string   `json:"locale"`
	Language            string   `json:"language"`
	Channel             string   `json:"channel"`
	Intent              string   `json:"intent,omitempty"`
	Tags                []string `json:"tags"`
	Status              string   `json:"status"`
	Reason              string   `json:"reason,omitempty"`
	Attempts            int      `json:"attempts"`
	Passed              int      `json:"passed"`
	GuardrailViolations int      `json:"guardrail_violations"`
	// FailedChecks names the checks that failed in any attempt, each once.
	FailedChecks []string `json:"failed_checks"`
}

func toEvalCaseJSON(cr evals.CaseResult) evalCaseJSON {
	failed := []string{}
	for _, a := range cr.Attempts {
		for _, ch := range a.Checks {
			if !ch.Passed && !slices.Contains(failed, ch.Name) {
				failed = append(failed, ch.Name)
			}
		}
	}
	return evalCaseJSON{Key: cr.Key(), Set: cr.Set, ID: cr.ID, Description: cr.Description, Market: cr.Market, Locale: cr.Locale,
		Language: cr.Language, Channel: cr.Channel, Intent: cr.Intent, Tags: nonNil(cr.Tags), Status: cr.Status, Reason: cr.Reason,
		Attempts: len(cr.Attempts), Passed: cr.Passed, GuardrailViolations: cr.GuardrailViolations, FailedChecks: failed}
}

// caseRank orders cases failures first: errors, failures, not runnable, passes.
func caseRank(status string) int {
	switch status {
	case evals.StatusError:
		return 0
	case evals.StatusFailed:
		return 1
	case evals.StatusNotRunnable:
		return 2
	case evals.StatusPassed:
		return 3
	}
	return 4
}

var caseStatuses = []string{evals.StatusPassed, evals.StatusFailed, evals.StatusError, evals.StatusNotRunnable}

type evalRunJSON struct {
	evalRunMetaJSON
	// Breakdown is the finished run's whole summary: by language, market, intent and set.
	Breakdown *evals.Summary    `json:"breakdown,omitempty"`
	SetRuns   []evals.SetRun    `json:"set_runs"`
	Cases     []evalCaseJSON    `json:"cases"`
	Links     map[string]string `json:"links"`
}

// getRun answers a run: its meta, summary with breakdowns, and its cases without
// transcripts, failures first (?status= keeps one status).
func (e evalAPI) getRun(c *gin.Context) {
	status := c.Query("status")
	if status != "" && !slices.Contains(caseStatuses, status) {
		badQuery(c, "The run was not read.", FieldError{"status", "one of " + strings.Join(caseStatuses, ", ")})
		return
	}
	run, m, ok := e.run(c)
	if !ok {
		return
	}
	out := evalRunJSON{evalRunMetaJSON: toEvalRunMetaJSON(m), SetRuns: run.Sets, Cases: []evalCaseJSON{},
		Links: map[string]string{"self": "/v1/evals/runs/" + m.ID}}
	if out.SetRuns == nil {
		out.SetRuns = []evals.SetRun{}
	}
	if m.Status == runstore.StatusFinished {
		out.Breakdown = &run.Summary
		out.Links["report_html"] = "/v1/evals/runs/" + m.ID + "/report.html"
		out.Links["junit_xml"] = "/v1/evals/runs/" + m.ID + "/junit.xml"
	}
	for _, cr := range run.Cases {
		if status == "" || cr.Status == status {
			out.Cases = append(out.Cases, toEvalCaseJSON(cr))
		}
	}
	slices.SortStableFunc(out.Cases, func(a, b evalCaseJSON) int {
		return cmp.Or(cmp.Compare(caseRank(a.Status), caseRank(b.Status)), cmp.Compare(a.Set, b.Set), cmp.Compare(a.ID, b.ID))
	})
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

// getCase answers one case of a run in full: every attempt with its checks, transcript
// and tool calls.
func (e evalAPI) getCase(c *gin.Context) {
	run, m, ok := e.run(c)
	if !ok {
		return
	}
	set, id := c.Param("set"), c.Param("case")
	for _, cr := range run.Cases {
		if cr.Set == set && cr.ID == id {
			c.Header("Cache-Control", "no-store")
			c.JSON(http.StatusOK, gin.H{"run_id": m.ID, "repeat": run.Repeat, "engine": run.Engine, "key": cr.Key(), "case": cr})
			return
		}
	}
	notFound(c, "The case "+strconv.Quote(set+"/"+id)+" of eval run "+strconv.Quote(m.ID))
}

// reportCSP lets the self-contained report run its own inline style and script and nothing
// else: no request leaves it, no form posts, no framing, and the sandbox gives it an opaque
// origin so that its script cannot call the API with the reader's session.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox allow-scripts"

func (e evalAPI) reportHTML(c *gin.Context) {
	run, m, ok := e.run(c)
	if !ok || !evalFinished(c, m, "an HTML report") {
		return
	}
	var buf bytes.Buffer
	if err := evals.WriteHTML(&buf, run); err != nil {
		e.h.fail(c, "write eval report", err)
		return
	}
	c.Header("Content-Security-Policy", reportCSP)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

func (e evalAPI) reportJUnit(c *gin.Context) {
	run, m, ok := e.run(c)
	if !ok || !evalFinished(c, m, "a JUnit report") {
		return
	}
	var buf bytes.Buffer
	if err := evals.WriteJUnit(&buf, run); err != nil {
		e.h.fail(c, "write eval junit", err)
		return
	}
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "no-cache")
	c.Header("Content-Disposition", `inline; filename="eval-`+safeFileName(m.ID)+`.xml"`)
	c.Data(http.StatusOK, "application/xml; charset=utf-8", buf.Bytes())
}

// safeFileName keeps the letters, digits, dots, dashes and underscores of s.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
			return r
		}
		return '_'
	}, s)
}

type evalCaseChangeJSON struct {
	Key          string        `json:"key"`
	Set          string        `json:"set"`
	ID           string        `json:"id"`
	Was          string        `json:"was"`
	Now          string        `json:"now"`
	FailedChecks []evals.Check `json:"failed_checks"`
}

// evalComparisonJSON is a comparison of two runs; regressions come first.
type evalComparisonJSON struct {
	Base           string               `json:"base"`
	Head           string               `json:"head"`
	HasRegressions bool                 `json:"has_regressions"`
	Regressions    []evalCaseChangeJSON `json:"regressions"`
	Fixed          []evalCaseChangeJSON `json:"fixed"`
	StillFailing   []evalCaseChangeJSON `json:"still_failing"`
	Added          []evalCaseChangeJSON `json:"added"`
	Removed        []evalCaseChangeJSON `json:"removed"`
	NotRunnable    []evalCaseChangeJSON `json:"not_runnable"`
	BaseSummary    evals.Summary        `json:"base_summary"`
	HeadSummary    evals.Summary        `json:"head_summary"`
}

func toEvalCaseChanges(cs []evals.CaseChange) []evalCaseChangeJSON {
	out := make([]evalCaseChangeJSON, len(cs))
	for i, ch := range cs {
		checks := ch.FailedChecks
		if checks == nil {
			checks = []evals.Check{}
		}
		out[i] = evalCaseChangeJSON{Key: ch.Key, Set: ch.Set, ID: ch.ID, Was: ch.Was, Now: ch.Now, FailedChecks: checks}
	}
	return out
}

// compare answers what changed from the base run to the head run, both finished.
func (e evalAPI) compare(c *gin.Context) {
	base, head := strings.TrimSpace(c.Query("base")), strings.TrimSpace(c.Query("head"))
	var errs []FieldError
	if base == "" {
		errs = append(errs, FieldError{"base", "required: the ID of the run to compare against"})
	}
	if head == "" {
		errs = append(errs, FieldError{"head", "required: the ID of the newer run"})
	}
	if len(errs) > 0 {
		badQuery(c, "The runs were not compared.", errs...)
		return
	}
	baseRun, baseMeta, ok := e.runByID(c, base, "base")
	if !ok || !evalFinished(c, baseMeta, "a result to compare") {
		return
	}
	headRun, headMeta, ok := e.runByID(c, head, "head")
	if !ok || !evalFinished(c, headMeta, "a result to compare") {
		return
	}
	cmpr := evals.Compare(baseRun, headRun)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, evalComparisonJSON{Base: cmpr.Base, Head: cmpr.Head, HasRegressions: cmpr.HasRegressions(),
		Regressions: toEvalCaseChanges(cmpr.Regressions), Fixed: toEvalCaseChanges(cmpr.Fixed),
		StillFailing: toEvalCaseChanges(cmpr.StillFailing), Added: toEvalCaseChanges(cmpr.Added),
		Removed: toEvalCaseChanges(cmpr.Removed), NotRunnable: toEvalCaseChanges(cmpr.NotRunnable), BaseSummary: cmpr.BaseSummary, HeadSummary: cmpr.HeadSummary})
}

// page serves the eval console page.
func (e evalAPI) page(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.FileFromFS("/evals.html", http.FS(e.h.cfg.Assets))
}
