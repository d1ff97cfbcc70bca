package evals

import (
	"slices"
	"strings"
)

// noneGroup is the group key of cases with no language, market or intent.
const noneGroup = "(none)"

// Summarize computes a run's figures from its cases.
//
// Counting rules:
//   - Cases, Passed, Failed, Errors and NotRunnable count cases by status. A case with a
//     status this package does not know is counted as failed: it is never counted as passed.
//   - PassRate is passed attempts over attempts, over runnable cases only (not_runnable
//     cases are left out of the numerator and the denominator). An error case counts
//     len(Attempts) failed attempts, or one failed attempt if it has none: an attempt that
//     passed before the stack broke does not make the case count for more than nothing.
//   - PassK is the share of runnable cases whose every attempt passed (status passed).
//   - GuardrailViolations is summed over all cases.
//   - ByLanguage, ByMarket, ByIntent and BySet hold runnable cases only: a not_runnable case
//     is not in any group (it is listed, with its reason, by the reports). A case with an
//     empty language, market or intent is grouped under "(none)".
//
// The maps are never nil, so a summary always encodes as objects, not null.
func Summarize(cases []CaseResult) Summary {
	s := Summary{Cases: len(cases)}
	var total attemptTally
	byLanguage, byMarket, byIntent, bySet := groupTally{}, groupTally{}, groupTally{}, groupTally{}
	for _, c := range cases {
		s.GuardrailViolations += c.GuardrailViolations
		switch c.Status {
		case StatusNotRunnable:
			s.NotRunnable++
			continue
		case StatusPassed:
			s.Passed++
		case StatusError:
			s.Errors++
		default:
			s.Failed++
		}
		t := tallyCase(c)
		total.add(t)
		byLanguage.add(c.Language, t)
		byMarket.add(c.Market, t)
		byIntent.add(c.Intent, t)
		bySet.add(c.Set, t)
	}
	s.PassRate = passShare(total.passedAttempts, total.attempts)
	s.PassK = passShare(total.passedCases, total.cases)
	s.ByLanguage = byLanguage.groups()
	s.ByMarket = byMarket.groups()
	s.ByIntent = byIntent.groups()
	s.BySet = bySet.groups()
	return s
}

// attemptTally counts runnable cases and their attempts.
type attemptTally struct {
	cases, passedCases, attempts, passedAttempts int
}

func (t *attemptTally) add(o attemptTally) {
	t.cases += o.cases
	t.passedCases += o.passedCases
	t.attempts += o.attempts
	t.passedAttempts += o.passedAttempts
}

// caseTally is one runnable case's contribution. A case without attempts counts for one
// attempt, passed only if the case passed; an error case's attempts all count as failed.
func tallyCase(c CaseResult) attemptTally {
	t := attemptTally{cases: 1}
	if c.Status == StatusPassed {
		t.passedCases = 1
	}
	switch {
	case len(c.Attempts) == 0:
		t.attempts, t.passedAttempts = 1, t.passedCases
	case c.Status == StatusError:
		t.attempts = len(c.Attempts)
	default:
		t.attempts = len(c.Attempts)
		for _, a := range c.Attempts {
			if a.Passed && a.Error == "" {
				t.passedAttempts++
			}
		}
	}
	return t
}

// groupTally tallies cases by a key (a language, a market...); "" is kept as "(none)".
type groupTally map[string]*attemptTally

func (g groupTally) add(key string, t attemptTally) {
	if key == "" {
		key = noneGroup
	}
	if g[key] == nil {
		g[key] = &attemptTally{}
	}
	g[key].add(t)
}

func (g groupTally) groups() map[string]Group {
	out := make(map[string]Group, len(g))
	for k, t := range g {
		out[k] = Group{
			Cases:    t.cases,
			Passed:   t.passedCases,
			Attempts: t.attempts,
			PassRate: passShare(t.passedAttempts, t.attempts),
		}
	}
	return out
}

// passShare is n/d, or 0 when d is 0.
func passShare(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// groupRow is one group of a summary map with its key, for reports that list groups.
type groupRow struct {
	Key string
	Group
}

// PassK is the share of the group's cases whose every attempt passed.
func (r groupRow) PassK() float64 { return passShare(r.Passed, r.Cases) }

// sortedGroups lists a group map by key, with "(none)" last.
func sortedGroups(m map[string]Group) []groupRow {
	rows := make([]groupRow, 0, len(m))
	for k, g := range m {
		rows = append(rows, groupRow{Key: k, Group: g})
	}
	slices.SortFunc(rows, func(a, b groupRow) int {
		if (a.Key == noneGroup) != (b.Key == noneGroup) {
			if a.Key == noneGroup {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Key, b.Key)
	})
	return rows
}
