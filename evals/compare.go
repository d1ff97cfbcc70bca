package evals

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Comparison is what changed between two runs, case by case (cases are matched by
// CaseResult.Key). Every list is sorted by key.
type Comparison struct {
	Base, Head string // run IDs
	// Regressions passed in base (status passed) and did not pass in head (failed or error).
	Regressions []CaseChange
	// Fixed did not pass in base (failed or error) and passed in head.
	Fixed []CaseChange
	// Added are only in head; Removed only in base.
	Added, Removed []CaseChange
	// StillFailing did not pass in base nor in head.
	StillFailing []CaseChange
	// NotRunnable are in both runs and not_runnable in at least one: nothing can be said
	// about them, so they are neither regressions nor fixes.
	NotRunnable []CaseChange
	// BaseSummary and HeadSummary are computed from each run's cases with Summarize.
	BaseSummary, HeadSummary Summary
}

// CaseChange is one case in a Comparison.
type CaseChange struct {
	Key, Set, ID string
	Was, Now     string // status in base and in head; "" when the case is not in that run
	// Reason is head's reason for an error or not_runnable case (base's for a removed one).
	Reason string
	// FailedChecks are the failed checks of head's first failing attempt (none when the
	// case passed in head, is not in head, or failed without failing a check).
	FailedChecks []Check
}

// Compare compares head against base. A nil run is compared as an empty one.
func Compare(base, head *Run) Comparison {
	if base == nil {
		base = &Run{}
	}
	if head == nil {
		head = &Run{}
	}
	c := Comparison{
		Base:        base.ID,
		Head:        head.ID,
		BaseSummary: Summarize(base.Cases),
		HeadSummary: Summarize(head.Cases),
	}
	inBase := make(map[string]CaseResult, len(base.Cases))
	for _, b := range base.Cases {
		inBase[b.Key()] = b
	}
	inHead := make(map[string]bool, len(head.Cases))
	for _, h := range head.Cases {
		inHead[h.Key()] = true
		ch := CaseChange{Key: h.Key(), Set: h.Set, ID: h.ID, Now: h.Status, Reason: h.Reason,
			FailedChecks: failedChecks(firstFailingAttempt(h))}
		b, ok := inBase[h.Key()]
		if !ok {
			c.Added = append(c.Added, ch)
			continue
		}
		ch.Was = b.Status
		wasPassed, nowPassed := b.Status == StatusPassed, h.Status == StatusPassed
		switch {
		case b.Status == StatusNotRunnable || h.Status == StatusNotRunnable:
			c.NotRunnable = append(c.NotRunnable, ch)
		case wasPassed && !nowPassed:
			c.Regressions = append(c.Regressions, ch)
		case !wasPassed && nowPassed:
			c.Fixed = append(c.Fixed, ch)
		case !wasPassed && !nowPassed:
			c.StillFailing = append(c.StillFailing, ch)
		}
	}
	for _, b := range base.Cases {
		if !inHead[b.Key()] {
			c.Removed = append(c.Removed, CaseChange{Key: b.Key(), Set: b.Set, ID: b.ID, Was: b.Status, Reason: b.Reason})
		}
	}
	for _, l := range [][]CaseChange{c.Regressions, c.Fixed, c.Added, c.Removed, c.StillFailing, c.NotRunnable} {
		slices.SortFunc(l, func(a, b CaseChange) int { return strings.Compare(a.Key, b.Key) })
	}
	return c
}

// HasRegressions reports whether a case that passed in base does not pass in head.
func (c Comparison) HasRegressions() bool { return len(c.Regressions) > 0 }

// WriteText writes the comparison for a terminal or a CI log: one line per regression
// naming the case and its failed checks (or, for an error, its reason), then the counts,
// then the pass rate and pass^k of base and head.
func (c Comparison) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "compare %s → %s\n", c.Base, c.Head)
	for _, r := range c.Regressions {
		fmt.Fprintf(&b, "REGRESSION %s (%s → %s)", r.Key, r.Was, r.Now)
		if len(r.FailedChecks) > 0 {
			lines := make([]string, len(r.FailedChecks))
			for i, ch := range r.FailedChecks {
				lines[i] = checkLine(ch)
			}
			b.WriteString(": " + strings.Join(lines, "; "))
		} else if r.Reason != "" {
			b.WriteString(": " + r.Reason)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "regressions %d, fixed %d, still failing %d, added %d, removed %d, not runnable %d\n",
		len(c.Regressions), len(c.Fixed), len(c.StillFailing), len(c.Added), len(c.Removed), len(c.NotRunnable))
	fmt.Fprintf(&b, "pass rate %s → %s (%s)\n", pctText(c.BaseSummary.PassRate), pctText(c.HeadSummary.PassRate),
		pointsText(c.HeadSummary.PassRate-c.BaseSummary.PassRate))
	fmt.Fprintf(&b, "pass^k %s → %s (%s)\n", pctText(c.BaseSummary.PassK), pctText(c.HeadSummary.PassK),
		pointsText(c.HeadSummary.PassK-c.BaseSummary.PassK))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write comparison: %w", err)
	}
	return nil
}

// pointsText formats a difference of shares in percentage points: "+2.5 points".
func pointsText(d float64) string {
	s := fmt.Sprintf("%+.1f", d*100)
	if s == "-0.0" {
		s = "+0.0"
	}
	return s + " points"
}
