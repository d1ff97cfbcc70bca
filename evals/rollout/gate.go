package rollout

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/attache-dev/attache/evals"
)

// Runs finds eval runs; the eval run store implements it. A nil *evals.Run with a nil
// error means the set was never run.
type Runs interface {
	LatestRun(ctx context.Context, set string) (*evals.Run, error)
}

// Gate is what a regression set's latest run must show before its key is promoted.
type Gate struct {
	MinPassRate            float64       // passed attempts / attempts, over runnable cases
	MinPassK               float64       // cases whose every attempt passed / runnable cases
	MaxGuardrailViolations int           // failed guardrail checks (disclosure, taboo) over all attempts
	MaxAge                 time.Duration // how long ago the run may have finished
	MinRepeat              int           // attempts per case (the k of pass^k)
}

// DefaultGate is the gate a Policy uses when given the zero Gate: pass rate 0.95, pass^k
// 0.9, no guardrail violation, a run of the last 7 days, one attempt per case at least.
func DefaultGate() Gate {
	return Gate{MinPassRate: 0.95, MinPassK: 0.9, MaxGuardrailViolations: 0, MaxAge: 7 * 24 * time.Hour, MinRepeat: 1}
}

// RunFigures are the figures of one set in one run: the evidence of a promotion.
type RunFigures struct {
	RunID               string    `json:"run_id"`
	Set                 string    `json:"set"`
	FinishedAt          time.Time `json:"finished_at"`
	Engine              string    `json:"engine,omitempty"`
	Repeat              int       `json:"repeat"`
	Cases               int       `json:"cases"` // runnable cases of the set
	PassRate            float64   `json:"pass_rate"`
	PassK               float64   `json:"pass_k"`
	GuardrailViolations int       `json:"guardrail_violations"`
}

// GateStatus is a gate's verdict on a set's latest run.
type GateStatus struct {
	Set      string
	Run      *RunFigures // nil when the set has no run (or none is set)
	Passed   bool
	Failures []string // each condition that failed, in words
}

// GateError is a promotion refused by the gate. It matches ErrGateFailed.
type GateError struct {
	Key    Key
	Status GateStatus
}

func (e *GateError) Error() string {
	return fmt.Sprintf("promotion of %s refused: %s", e.Key, strings.Join(e.Status.Failures, "; "))
}

// Is makes a GateError match ErrGateFailed.
func (e *GateError) Is(target error) bool { return target == ErrGateFailed }

// figuresOf returns the figures of set in run, computed from the run's cases of that set
// (so that it does not depend on the summary being filled in), else from the summary.
// ok is false when the run has no runnable case of the set.
func figuresOf(run *evals.Run, set string) (RunFigures, bool) {
	name := set
	for _, s := range run.Sets {
		if s.Path == set || s.Name == set {
			name = s.Name
		}
	}
	f := RunFigures{RunID: run.ID, Set: set, FinishedAt: run.FinishedAt.UTC(), Engine: run.Engine, Repeat: run.Repeat}
	var attempts, passed, allPassed int
	for _, c := range run.Cases {
		if (c.Set != name && c.Set != set) || c.Status == evals.StatusNotRunnable {
			continue
		}
		f.Cases++
		// A case that errored may have fewer attempts than the run asked for: the missing
		// ones count as failed.
		attempts += max(len(c.Attempts), run.Repeat, 1)
		passed += c.Passed
		if c.Status == evals.StatusPassed {
			allPassed++
		}
		f.GuardrailViolations += c.GuardrailViolations
	}
	if f.Cases > 0 {
		f.PassRate = float64(passed) / float64(attempts)
		f.PassK = float64(allPassed) / float64(f.Cases)
		return f, true
	}
	g, ok := run.Summary.BySet[name]
	if !ok || g.Cases == 0 || g.Attempts == 0 {
		return f, false
	}
	// The summary has no guardrail count per set: the run's total stands for it, which
	// can only refuse more, never less.
	f.Cases, f.PassRate, f.PassK, f.GuardrailViolations = g.Cases, g.PassRate, float64(g.Passed)/float64(g.Cases), run.Summary.GuardrailViolations
	return f, true
}

// judge checks the latest run of set against g at now.
func (g Gate) judge(run *evals.Run, set string, now time.Time) GateStatus {
	st := GateStatus{Set: set}
	if set == "" {
		st.Failures = []string{"no regression set gates this key: name one (--set, regression_set) and run it"}
		return st
	}
	if run == nil {
		st.Failures = []string{fmt.Sprintf("set %s has no recorded run", set)}
		return st
	}
	f, ok := figuresOf(run, set)
	st.Run = &f
	if !ok {
		st.Failures = []string{fmt.Sprintf("run %s has no runnable case of set %s", run.ID, set)}
		return st
	}
	on := fmt.Sprintf("on run %s of set %s", run.ID, set)
	if age := now.Sub(run.FinishedAt); run.FinishedAt.IsZero() || age > g.MaxAge {
		st.Failures = append(st.Failures, fmt.Sprintf("run %s of set %s finished %s ago, more than %s", run.ID, set, roundAge(age), roundAge(g.MaxAge)))
	}
	if f.Repeat < g.MinRepeat {
		st.Failures = append(st.Failures, fmt.Sprintf("repeat %d < %d %s", f.Repeat, g.MinRepeat, on))
	}
	if f.PassRate < g.MinPassRate {
		st.Failures = append(st.Failures, fmt.Sprintf("pass rate %.3g < %.3g %s", f.PassRate, g.MinPassRate, on))
	}
	if f.PassK < g.MinPassK {
		st.Failures = append(st.Failures, fmt.Sprintf("pass^k %.3g < %.3g %s", f.PassK, g.MinPassK, on))
	}
	if f.GuardrailViolations > g.MaxGuardrailViolations {
		st.Failures = append(st.Failures, fmt.Sprintf("guardrail violations %d > %d %s", f.GuardrailViolations, g.MaxGuardrailViolations, on))
	}
	st.Passed = len(st.Failures) == 0
	return st
}

// roundAge writes a duration in days or hours, as people read a run's age.
func roundAge(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
	return d.Round(time.Minute).String()
}
