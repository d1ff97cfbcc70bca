package evals

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func readTestRuns(t *testing.T) (base, head *Run) {
	t.Helper()
	base, err := ReadRunFile(filepath.Join("testdata", "run_base.json"))
	if err != nil {
		t.Fatal(err)
	}
	head, err = ReadRunFile(filepath.Join("testdata", "run_head.json"))
	if err != nil {
		t.Fatal(err)
	}
	return base, head
}

func changeKeys(changes []CaseChange) string {
	keys := make([]string, len(changes))
	for i, c := range changes {
		keys[i] = c.Key
	}
	return fmt.Sprint(keys)
}

// The two runs in testdata, case by case:
//
//	orders/a-status   passed  → passed
//	orders/b-track    passed  → failed        regression (intent check)
//	orders/c-cancel   failed  → passed        fixed
//	orders/d-refund   failed  → error         still failing
//	orders/e-address  passed  → (gone)        removed
//	llm/f-agentic     not_runnable → passed   not runnable in one run
//	llm/g-agentic     passed  → not_runnable  not runnable in one run
//	orders/h-invoice  (new)   → failed        added
func TestCompare(t *testing.T) {
	base, head := readTestRuns(t)
	c := Compare(base, head)
	lists := []struct {
		name string
		got  []CaseChange
		want string
	}{
		{"regressions", c.Regressions, "[orders/b-track]"},
		{"fixed", c.Fixed, "[orders/c-cancel]"},
		{"still failing", c.StillFailing, "[orders/d-refund]"},
		{"added", c.Added, "[orders/h-invoice]"},
		{"removed", c.Removed, "[orders/e-address]"},
		{"not runnable", c.NotRunnable, "[llm/f-agentic llm/g-agentic]"},
	}
	for _, l := range lists {
		if got := changeKeys(l.got); got != l.want {
			t.Errorf("%s = %s, want %s", l.name, got, l.want)
		}
	}
	if !c.HasRegressions() {
		t.Error("HasRegressions() = false with a regression")
	}
	if c.Base != "base" || c.Head != "head" {
		t.Errorf("ids = %q, %q", c.Base, c.Head)
	}
	r := c.Regressions[0]
	if r.Set != "orders" || r.ID != "b-track" || r.Was != StatusPassed || r.Now != StatusFailed {
		t.Errorf("regression = %+v", r)
	}
	if len(r.FailedChecks) != 1 || r.FailedChecks[0].Name != "intent" || r.FailedChecks[0].Got != "greeting" {
		t.Errorf("regression failed checks = %+v, want head's failed intent check", r.FailedChecks)
	}
	if got := c.StillFailing[0]; got.Now != StatusError || got.Reason != "workflow timed out" {
		t.Errorf("still failing = %+v, want the error with its reason", got)
	}
	if c.Removed[0].Was != StatusPassed || c.Removed[0].Now != "" || c.Added[0].Was != "" {
		t.Errorf("removed %+v / added %+v: want the status only on the side the case is in", c.Removed[0], c.Added[0])
	}
	if !sameRate(c.BaseSummary.PassRate, 4.0/6) || !sameRate(c.HeadSummary.PassRate, 3.0/6) {
		t.Errorf("pass rates = %v → %v, want 4/6 → 3/6", c.BaseSummary.PassRate, c.HeadSummary.PassRate)
	}
}

func TestCompareNoRegression(t *testing.T) {
	base, head := readTestRuns(t)
	tests := []struct {
		name       string
		base, head *Run
		regressed  bool
	}{
		{"a run against itself", head, head, false},
		{"head against base, swapped", head, base, true}, // c-cancel passed in head, failed in base
		{"against nothing", nil, head, false},
		{"to nothing", base, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Compare(tt.base, tt.head).HasRegressions(); got != tt.regressed {
				t.Errorf("HasRegressions() = %v, want %v", got, tt.regressed)
			}
		})
	}
	self := Compare(head, head)
	if len(self.Fixed)+len(self.Added)+len(self.Removed)+len(self.NotRunnable) != 1 || len(self.NotRunnable) != 1 {
		t.Errorf("a run against itself: %+v, want only its not-runnable case listed", self)
	}
}

func TestCompareWriteText(t *testing.T) {
	base, head := readTestRuns(t)
	var buf bytes.Buffer
	if err := Compare(base, head).WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var regressionLines []string
	for _, l := range lines {
		if strings.HasPrefix(l, "REGRESSION") {
			regressionLines = append(regressionLines, l)
		}
	}
	if len(regressionLines) != 1 {
		t.Fatalf("%d regression lines, want 1:\n%s", len(regressionLines), out)
	}
	for _, want := range []string{"orders/b-track", "passed → failed", `intent (turn 1): want "order_status", got "greeting"`} {
		if !strings.Contains(regressionLines[0], want) {
			t.Errorf("regression line %q does not say %q", regressionLines[0], want)
		}
	}
	for _, want := range []string{"fixed 1", "added 1", "removed 1", "not runnable 2", "pass rate 66.7% → 50.0% (-16.7 points)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not say %q:\n%s", want, out)
		}
	}
}

func TestCompareWriteTextError(t *testing.T) {
	base := &Run{ID: "b", Cases: []CaseResult{{Set: "s", ID: "c", Status: StatusPassed}}}
	head := &Run{ID: "h", Cases: []CaseResult{{Set: "s", ID: "c", Status: StatusError, Reason: "model quota exceeded",
		Attempts: []Attempt{{N: 1, Error: "model quota exceeded"}}}}}
	var buf bytes.Buffer
	if err := Compare(base, head).WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if want := "REGRESSION s/c (passed → error): model quota exceeded\n"; !strings.Contains(buf.String(), want) {
		t.Errorf("output does not say %q:\n%s", want, buf.String())
	}
}
