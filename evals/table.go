package evals

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
)

// tableNameWidth bounds a group's name in WriteTable, to keep rows within 100 columns.
const tableNameWidth = 40

// WriteTable writes r's pass rates as plain-text tables for a terminal: per language, then
// per market, then per intent, each with a row per group (cases, cases that passed every
// attempt, pass rate over attempts, pass^k) and a total row. Figures are computed from
// r.Cases with Summarize; not_runnable cases are left out of every row and counted on a
// line of their own.
func WriteTable(w io.Writer, r *Run) error {
	if r == nil {
		return errors.New("write table: nil run")
	}
	s := Summarize(r.Cases)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "run %s  engine %s  repeat k=%d\n", r.ID, r.Engine, r.Repeat)
	if s.NotRunnable > 0 {
		fmt.Fprintf(tw, "not runnable: %d of %d cases (left out of every figure)\n", s.NotRunnable, s.Cases)
	}
	total := groupRow{Key: "total", Group: Group{
		Cases:    s.Cases - s.NotRunnable,
		Passed:   s.Passed,
		Attempts: sumAttempts(s.BySet),
		PassRate: s.PassRate,
	}}
	for _, by := range []struct {
		name   string
		groups map[string]Group
	}{{"language", s.ByLanguage}, {"market", s.ByMarket}, {"intent", s.ByIntent}} {
		fmt.Fprintf(tw, "\n%s\tcases\tpassed\tpass rate\tpass^k\n", by.name)
		for _, row := range append(sortedGroups(by.groups), total) {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n",
				shortenText(row.Key, tableNameWidth), row.Cases, row.Passed, pctText(row.PassRate), pctText(row.PassK()))
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// sumAttempts adds up the attempts of groups that partition the runnable cases.
func sumAttempts(groups map[string]Group) int {
	n := 0
	for _, g := range groups {
		n += g.Attempts
	}
	return n
}
