package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/internal/testutil/browser"
)

// runSets runs sets on the shared stack through the real conversation path.
func runSets(t *testing.T, sets []*evals.Set, id string) *evals.Run {
	t.Helper()
	st := stack(t)
	r := &evals.Runner{Driver: newEvalDriver(st, st.cfg, slog.New(slog.DiscardHandler)), Engine: engineName(st.cfg), Parallel: 2, RunID: id}
	run, err := r.Run(t.Context(), sets)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// TestTheSmokeSetPasses: the shipped smoke set passes on the embedded stack with the
// offline engine, every case and every guardrail.
func TestTheSmokeSetPasses(t *testing.T) {
	sets, err := evals.LoadSets([]string{"../../evals/sets/smoke.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	run := runSets(t, sets, "smoke")
	for _, c := range run.Cases {
		if c.Status != evals.StatusPassed {
			var failed []string
			for _, a := range c.Attempts {
				if a.Error != "" {
					failed = append(failed, a.Error)
				}
				for _, ch := range a.Checks {
					if !ch.Passed {
						failed = append(failed, fmt.Sprintf("%s: want %s, got %s", ch.Name, ch.Want, ch.Got))
					}
				}
			}
			t.Errorf("%s: %s\n%s", c.Key(), c.Status, strings.Join(failed, "\n"))
		}
	}
	if run.Summary.GuardrailViolations != 0 || run.Summary.Cases < 2 || len(run.Summary.ByLanguage) < 2 {
		t.Errorf("summary %+v", run.Summary)
	}
}

// TestEvalCompareNamesTheCaseAKnowledgeEditBroke: a case answered from an article passes;
// the article is edited so that the answer changes; the next run fails the case, and
// `attache eval compare` exits non-zero naming it.
func TestEvalCompareNamesTheCaseAKnowledgeEditBroke(t *testing.T) {
	st := stack(t)
	c := apiClient{t: t, base: st.http.URL(), token: st.admin.Token}
	id := fmt.Sprintf("eval-blanket-%d", time.Now().UnixNano())
	article := func(temp string) {
		t.Helper()
		body := fmt.Sprintf(`{"external_id":%q,"locale":"en","title":"Washing merino blankets","body":"Wash merino blankets by hand in cold water at %s degrees. Never tumble dry them."}`+"\n", id, temp)
		if code, _, b := c.do("POST", "/v1/knowledge/import?format=jsonl&name=blanket.jsonl", body); code != 200 {
			t.Fatalf("import: %d %s", code, b)
		}
		st.filler.Wait()
	}
	article("30")
	set := `name: kb-edit
cases:
  - id: blanket-wash
    market: IE
    locale: en-IE
    turns: ["How should I wash my merino blanket?"]
    expect:
      reply_contains: ["30 degrees"]
      handoff: false
  - id: human
    market: IE
    locale: en-IE
    turns: ["I want to talk to a human"]
    expect: {handoff: true, handoff_reason: customer_request}
`
	path := filepath.Join(t.TempDir(), "kb-edit.yaml")
	if err := os.WriteFile(path, []byte(set), 0o600); err != nil {
		t.Fatal(err)
	}
	sets, err := evals.LoadSets([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	save := func(run *evals.Run) string {
		p := filepath.Join(dir, run.ID+".json")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := evals.WriteJSON(f, run); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := runSets(t, sets, "before-edit")
	if base.Summary.Passed != 2 {
		t.Fatalf("before the edit: %+v\n%+v", base.Summary, base.Cases)
	}
	article("40")
	head := runSets(t, sets, "after-edit")

	var out, errOut bytes.Buffer
	env := envMap(map[string]string{})
	if err := run(context.Background(), []string{"eval", "compare", save(base), save(base)}, env, &out, &errOut); err != nil {
		t.Fatalf("comparing a run with itself: %v\n%s", err, out.String())
	}
	out.Reset()
	err = run(context.Background(), []string{"eval", "compare", save(base), save(head)}, env, &out, &errOut)
	if !errors.Is(err, errRegressions) || !strings.Contains(out.String(), "kb-edit/blanket-wash") || strings.Contains(out.String(), "kb-edit/human") {
		t.Fatalf("compare: %v\n%s\nwant an exit for regressions naming kb-edit/blanket-wash alone", err, out.String())
	}
	if !strings.Contains(out.String(), "30 degrees") {
		t.Errorf("the comparison does not say which check failed:\n%s", out.String())
	}
}

// TestEvalRunCommandWritesReportsABrowserOpens: `attache eval run` starts its own embedded
// stack, runs the smoke set, prints a table per language and writes run.json, junit.xml and
// report.html; the report opens in a browser with its summary and charts.
func TestEvalRunCommandWritesReportsABrowserOpens(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second embedded stack")
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	env := envMap(map[string]string{"ATTACHE_LOG_LEVEL": "error"})
	err := run(t.Context(), []string{"eval", "run", "--out", out, "--label", "job=test", "../../evals/sets/smoke.yaml"}, env, &stdout, &stderr)
	if err != nil {
		t.Fatalf("eval run: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"language", "ar ", "de ", "pass rate 100.0%", "report.html"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "2/2 cases") {
		t.Errorf("no progress shown:\n%s", stderr.String())
	}
	run, err := evals.ReadRunFile(filepath.Join(out, "run.json"))
	if err != nil || run.Labels["job"] != "test" || run.Engine != "offline" {
		t.Fatalf("run.json: %v %+v", err, run)
	}
	// The run's own human team is always on shift: a handoff adds no off-hours notice,
	// whatever the time of day.
	for _, c := range run.Cases {
		for _, a := range c.Attempts {
			if n := len(a.Transcript); c.ID == "ar-human" && (n != 2 || strings.Contains(a.Transcript[n-1].Text, "غير متاح")) {
				t.Errorf("%s: %d lines, the last %q: want the handoff reply alone", c.ID, n, a.Transcript[n-1].Text)
			}
		}
	}
	if junit, err := os.ReadFile(filepath.Join(out, "junit.xml")); err != nil || !bytes.Contains(junit, []byte(`<testsuite name="smoke"`)) {
		t.Fatalf("junit.xml: %v %.300s", err, junit)
	}

	b := browser.New(t)
	b.Do(chromedp.Navigate("file://" + filepath.Join(out, "report.html")))
	b.WaitFor(`document.getElementById('summary') !== null`)
	for _, chart := range []string{"chart-language", "chart-market", "chart-intent"} {
		if n := browser.Eval[int](b, `document.querySelectorAll('svg#`+chart+` rect.bar').length`); n == 0 {
			t.Errorf("%s has no bars", chart)
		}
	}
	if text := browser.Eval[string](b, `document.getElementById('summary').textContent`); !strings.Contains(text, "100") {
		t.Errorf("summary %q: want the pass rate", text)
	}
	if errs := b.ScriptErrors(); len(errs) > 0 {
		t.Errorf("script errors: %v", errs)
	}
}

// TestAnEvaluatorRunsASetFromTheAPI: the catalogue lists the shipped sets; a run of the
// smoke set started over the API runs in the background on the deployment's own path,
// finishes passed, offers its reports, and its conversations are recorded as an eval's.
func TestAnEvaluatorRunsASetFromTheAPI(t *testing.T) {
	st := stack(t)
	c := apiClient{t: t, base: st.http.URL(), token: st.admin.Token}
	code, _, b := c.do("GET", "/v1/evals/sets", nil)
	if code != 200 || !strings.Contains(string(b), `"name":"smoke"`) {
		t.Fatalf("sets: %d %.500s", code, b)
	}
	if code, _, b := c.do("POST", "/v1/evals/runs", `{"sets":["no-such-set"]}`); code != 422 {
		t.Errorf("an unknown set: %d %s, want 422", code, b)
	}
	code, hdr, b := c.do("POST", "/v1/evals/runs", `{"sets":["smoke"],"repeat":2}`)
	if code != 202 || hdr.Get("Location") == "" {
		t.Fatalf("start: %d %s", code, b)
	}
	var started struct{ ID string }
	if err := json.Unmarshal(b, &started); err != nil {
		t.Fatal(err)
	}
	var run struct {
		Status  string        `json:"status"`
		Summary evals.Summary `json:"summary"`
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		code, _, b = c.do("GET", "/v1/evals/runs/"+started.ID, nil)
		if code != 200 {
			t.Fatalf("run: %d %s", code, b)
		}
		if err := json.Unmarshal(b, &run); err != nil {
			t.Fatal(err)
		}
		if run.Status != "running" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if run.Status != "finished" || run.Summary.Passed != run.Summary.Cases || run.Summary.Cases < 2 {
		t.Fatalf("run %s: %s %+v", started.ID, run.Status, run.Summary)
	}
	if code, hdr, b := c.do("GET", "/v1/evals/runs/"+started.ID+"/report.html", nil); code != 200 ||
		!strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !bytes.Contains(b, []byte(`id="chart-language"`)) {
		t.Errorf("report: %d %s %.200s", code, hdr.Get("Content-Type"), b)
	}
	var n int
	if err := st.pool.QueryRow(t.Context(), `SELECT count(*) FROM eval_conversations WHERE run_id = $1`, started.ID).Scan(&n); err != nil || n != 2*run.Summary.Cases {
		t.Errorf("recorded eval conversations: %d (%v), want one per attempt (%d)", n, err, 2*run.Summary.Cases)
	}
}

// TestAnEvaluatorRunsASetFromTheConsole: an evaluator signs in, starts the smoke set from the
// eval console, watches the run finish, opens it, and drills down into a case.
func TestAnEvaluatorRunsASetFromTheConsole(t *testing.T) {
	st := stack(t)
	password, err := os.ReadFile(st.admin.PasswordFile)
	if err != nil {
		t.Fatal(err)
	}
	b := browser.New(t, browser.WindowSize(1400, 1000))
	b.Do(chromedp.Navigate(st.http.URL() + "/console/evals"))
	b.WaitFor(`location.pathname === '/login' && document.getElementById('login-form') !== null`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#login-email"), st.admin.Email),
		chromedp.SendKeys(chromedp.CSS("#login-password"), strings.TrimSpace(string(password))), chromedp.Click(chromedp.CSS("#login-submit")))
	b.WaitFor(`location.pathname === '/console/evals' && document.querySelector('#sets button.run-set[data-set="smoke"]') !== null`)
	before := browser.Eval[[]string](b, `[...document.querySelectorAll('#runs tbody button[data-id]')].map((e) => e.dataset.id)`)
	known, _ := json.Marshal(before)
	b.Do(chromedp.Click(chromedp.CSS(`#sets button.run-set[data-set="smoke"]`)))
	// The new run appears and updates by itself until it finishes. The list re-renders
	// while it polls, so elements are looked up afresh each time.
	newRow := `[...document.querySelectorAll('#runs tbody tr')].find((tr) => { const b = tr.querySelector('button[data-id]'); return b && !` + string(known) + `.includes(b.dataset.id); })`
	b.WaitFor(`(() => { const tr = ` + newRow + `; return !!tr && tr.textContent.includes('finished'); })()`)
	if text := browser.Eval[string](b, `(`+newRow+`).textContent`); !strings.Contains(text, "100") {
		t.Errorf("the run's row reads %q, want a pass rate of 100 %%", text)
	}
	b.WaitFor(`(() => { const tr = ` + newRow + `; if (document.getElementById('run-view').hidden || !document.querySelector('#cases button[data-key]')) tr.querySelector('button[data-id]').click();
		return !document.getElementById('run-view').hidden && document.querySelectorAll('#cases button[data-key]').length >= 2; })()`)
	b.WaitFor(`(() => { const v = document.getElementById('case-view'); const c = document.querySelector('#cases button[data-key="smoke/ar-human"]');
		if (c && !document.getElementById('case-heading').textContent.includes('ar-human')) c.click();
		return !v.hidden && document.getElementById('case-attempts').textContent.includes('customer_request'); })()`)
	if errs := b.ScriptErrors(); len(errs) > 0 {
		t.Errorf("script errors: %v", errs)
	}
}

// TestEvalCommandNamesWhatIsWrong: bad flags, missing sets and files that are not runs are
// refused before any stack starts, each error naming the flag or file.
func TestEvalCommandNamesWhatIsWrong(t *testing.T) {
	notRun := filepath.Join(t.TempDir(), "not-a-run.json")
	if err := os.WriteFile(notRun, []byte(`{"hello": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := envMap(map[string]string{})
	for _, tc := range []struct {
		args  []string
		usage bool
		want  string
	}{
		{[]string{"eval"}, true, ""},
		{[]string{"eval", "nope"}, true, ""},
		{[]string{"eval", "run"}, true, ""},
		{[]string{"eval", "run", "--repeat", "0", "../../evals/sets/smoke.yaml"}, false, "--repeat"},
		{[]string{"eval", "run", "--parallel", "100", "../../evals/sets/smoke.yaml"}, false, "--parallel"},
		{[]string{"eval", "run", "--min-pass-rate", "2", "../../evals/sets/smoke.yaml"}, false, "--min-pass-rate"},
		{[]string{"eval", "run", "--case", "[", "../../evals/sets/smoke.yaml"}, false, "--case"},
		{[]string{"eval", "run", "no/such/set.yaml"}, false, "no/such/set.yaml"},
		{[]string{"eval", "compare", "one.json"}, true, ""},
		{[]string{"eval", "compare", notRun, notRun}, false, "base"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tc.args, env, &out, &errOut)
		switch {
		case err == nil:
			t.Errorf("%v: no error", tc.args)
		case tc.usage && !errors.Is(err, errUsage):
			t.Errorf("%v: %v, want the usage", tc.args, err)
		case !tc.usage && !strings.Contains(err.Error(), tc.want):
			t.Errorf("%v: %v, want it to name %q", tc.args, err, tc.want)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"eval", "check", "../../evals/sets"}, env, &out, &out); err != nil || !strings.Contains(out.String(), "no problems found") {
		t.Errorf("eval check of the shipped sets: %v %s", err, out.String())
	}
}
