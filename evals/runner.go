package evals

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Driver runs one attempt of a case on the real conversation path: it puts the attempt's
// shop in place, opens a conversation, sends the turns and reports what it observed.
type Driver interface {
	Attempt(ctx context.Context, a AttemptSpec) (Observation, error)
}

// AttemptSpec is one attempt to run: the case with the attempt's names in it.
type AttemptSpec struct {
	RunID string
	Set   string
	Case  Case // rewritten with the attempt's names
	Shop  Shop
	N     int // 1-based attempt number
}

// ScriptedPlayer runs the sets a Driver cannot run from written turns alone (τ²-retail:
// a model plays the customer). Runnable says whether it can run the set now, and why not.
type ScriptedPlayer interface {
	Runnable(s *Set) (bool, string)
	Cases(s *Set) ([]Case, error)
	Play(ctx context.Context, d Driver, s *Set, c Case, n int, runID string) (Attempt, error)
}

// Runner runs sets against a driver.
type Runner struct {
	Driver Driver
	Engine string // what answers: "offline" or "<provider>:<model>"
	// Tau2 runs tau2-retail sets; nil reports them as not runnable.
	Tau2 ScriptedPlayer
	// Repeat is the attempts per case (k of pass^k); 0 means 1.
	Repeat int
	// Parallel is how many attempts run at once; 0 means 4.
	Parallel int
	// Progress receives a progress line per finished case; nil shows none.
	Progress io.Writer
	// Labels are copied into the run (git revision, CI job...).
	Labels map[string]string
	// RunID names the run; empty makes one from the time.
	RunID string
	// Filter, when set, keeps only the cases it accepts (by set name and case ID).
	Filter func(set, id string) bool
}

// Run runs every case of sets Repeat times and returns the run with its summary. A failing
// case is a result, not an error; Run fails only when ctx ends.
func (r *Runner) Run(ctx context.Context, sets []*Set) (*Run, error) {
	now := time.Now
	k := max(r.Repeat, 1)
	par := r.Parallel
	if par <= 0 {
		par = 4
	}
	run := &Run{ID: r.RunID, StartedAt: now().UTC(), Engine: r.Engine, Repeat: k, Labels: r.Labels}
	if run.ID == "" {
		run.ID = "run-" + run.StartedAt.Format("20060102-150405")
	}

	type job struct {
		set  *Set
		c    Case
		slot int
	}
	var jobs []job
	for _, s := range sets {
		sr := SetRun{Name: s.Name, Path: s.Path, Kind: s.Kind, Runnable: true}
		cs := s.Cases
		if s.Kind == KindTau2Retail {
			if r.Tau2 == nil {
				sr.Runnable, sr.Reason = false, "τ²-retail sets need a model to play the customer: configure ATTACHE_LLM_PROVIDER"
			} else if ok, why := r.Tau2.Runnable(s); !ok {
				sr.Runnable, sr.Reason = false, why
			}
			var err error
			if cs, err = tau2Cases(r.Tau2, s); err != nil {
				return nil, err
			}
		}
		for _, c := range cs {
			if r.Filter != nil && !r.Filter(s.Name, c.ID) {
				continue
			}
			sr.Cases++
			res := CaseResult{Set: s.Name, ID: c.ID, Description: c.Description, Market: c.Market, Locale: c.Locale,
				Language: Language(c.Locale), Channel: c.Channel, Intent: c.Expect.Intent, Tags: c.Tags}
			if res.Intent == "" {
				res.Intent = tagIntent(c.Tags)
			}
			if !sr.Runnable {
				res.Status, res.Reason = StatusNotRunnable, sr.Reason
			} else {
				jobs = append(jobs, job{set: s, c: c, slot: len(run.Cases)})
			}
			run.Cases = append(run.Cases, res)
		}
		run.Sets = append(run.Sets, sr)
	}

	prog := newProgress(r.Progress, len(jobs), k)
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(par)
	for _, j := range jobs {
		attempts := make([]Attempt, k)
		var left sync.WaitGroup
		left.Add(k)
		for n := 1; n <= k; n++ {
			g.Go(func() error {
				defer left.Done()
				attempts[n-1] = r.attempt(gctx, run.ID, j.set, j.c, n)
				return nil
			})
		}
		go func() {
			left.Wait()
			mu.Lock()
			defer mu.Unlock()
			res := &run.Cases[j.slot]
			res.Attempts = attempts
			res.Status = StatusPassed
			for _, a := range attempts {
				switch {
				case a.Passed:
					res.Passed++
				case a.Error != "" && res.Status != StatusFailed:
					res.Status, res.Reason = StatusError, a.Error
				default:
					res.Status, res.Reason = StatusFailed, ""
				}
				for _, c := range a.Checks {
					if c.Guardrail && !c.Passed {
						res.GuardrailViolations++
					}
				}
			}
			prog.done(*res)
		}()
	}
	_ = g.Wait()
	prog.wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("eval run %s: %w", run.ID, err)
	}
	run.FinishedAt = now().UTC()
	run.Summary = Summarize(run.Cases)
	prog.finish(run)
	return run, nil
}

// attempt runs one attempt and scores it.
func (r *Runner) attempt(ctx context.Context, runID string, s *Set, c Case, n int) Attempt {
	start := time.Now()
	if s.Kind == KindTau2Retail {
		a, err := r.Tau2.Play(ctx, r.Driver, s, c, n, runID)
		a.N = n
		if err != nil {
			a.Passed, a.Error = false, err.Error()
		}
		a.Duration = time.Since(start)
		return a
	}
	a := Attempt{N: n}
	tag, err := attemptTag()
	if err != nil {
		a.Error = err.Error()
		return a
	}
	shop, err := s.Fixtures.merge(c.Fixtures).Build(time.Now().UTC(), tag)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	rc := c.rewrite(shop.Rewrite)
	obs, err := r.Driver.Attempt(ctx, AttemptSpec{RunID: runID, Set: s.Name, Case: rc, Shop: shop, N: n})
	a.Duration = time.Since(start)
	a.ConversationID, a.Transcript, a.ToolCalls = obs.ConversationID, obs.Transcript, obs.ToolCalls
	if err != nil {
		a.Error = err.Error()
		return a
	}
	a.Checks = Score(rc, obs)
	a.Passed = true
	for _, ch := range a.Checks {
		a.Passed = a.Passed && ch.Passed
	}
	return a
}

// attemptTag is "Q" and six random digits: attempts (and runs against the same database)
// get their own copies of the shop.
func attemptTag() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("attempt tag: %w", err)
	}
	return fmt.Sprintf("Q%06d", n.Int64()), nil
}

// tagIntent is the intent a case is filed under when it expects none: its first tag.
func tagIntent(tags []string) string {
	if len(tags) > 0 {
		return tags[0]
	}
	return ""
}

func tau2Cases(p ScriptedPlayer, s *Set) ([]Case, error) {
	if p != nil {
		return p.Cases(s)
	}
	ids, err := Tau2TaskIDs(s)
	if err != nil {
		return nil, err
	}
	out := make([]Case, len(ids))
	for i, id := range ids {
		out[i] = Case{ID: "task-" + id, Market: "US", Locale: "en-US", Channel: "web", Tags: []string{"tau2-retail"}}
	}
	return out, nil
}

// progress draws a progress bar (or, when w is not a terminal, a line per tenth).
type progress struct {
	w             io.Writer
	total, k      int
	doneN, failed int
	start         time.Time
	mu            sync.Mutex
	pending       sync.WaitGroup
	lastTenth     int
	tty           bool
}

func newProgress(w io.Writer, total, k int) *progress {
	p := &progress{w: w, total: total, k: k, start: time.Now(), tty: isTerminal(w)}
	p.pending.Add(total)
	return p
}

func (p *progress) done(res CaseResult) {
	defer p.pending.Done()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.doneN++
	if res.Status != StatusPassed {
		p.failed++
	}
	if p.w == nil {
		return
	}
	const width = 30
	filled := width * p.doneN / max(p.total, 1)
	eta := ""
	if p.doneN < p.total {
		left := time.Duration(float64(time.Since(p.start)) / float64(p.doneN) * float64(p.total-p.doneN))
		eta = " eta " + left.Round(time.Second).String()
	}
	line := fmt.Sprintf("[%s%s] %d/%d cases, %d not passed%s", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		p.doneN, p.total, p.failed, eta)
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\x1b[K", line)
		return
	}
	if tenth := 10 * p.doneN / max(p.total, 1); tenth > p.lastTenth || p.doneN == p.total {
		p.lastTenth = tenth
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) wait() { p.pending.Wait() }

func (p *progress) finish(run *Run) {
	if p.w == nil {
		return
	}
	if p.tty {
		fmt.Fprintln(p.w)
	}
	fmt.Fprintf(p.w, "%d cases × %d in %s: %d passed, %d failed, %d errors, %d not runnable\n", run.Summary.Cases, p.k,
		run.FinishedAt.Sub(run.StartedAt).Round(100*time.Millisecond), run.Summary.Passed, run.Summary.Failed, run.Summary.Errors, run.Summary.NotRunnable)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
