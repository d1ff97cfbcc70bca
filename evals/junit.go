package evals

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// The JUnit XML written by WriteJUnit follows the de-facto schema that Jenkins, GitLab and
// GitHub test reporters read: <testsuites> holding one <testsuite> per set, each holding
// one <testcase> per case.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Timestamp  string           `xml:"timestamp,attr,omitempty"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Cases      []junitCase      `xml:"testcase"`
}

type junitProperties struct {
	Items []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes r as JUnit XML for CI: one <testsuite> per set (in the run's set order,
// then any set only the cases name), one <testcase> per case with classname = set and
// name = case id. A failed case has a <failure> whose message lists the failed checks of
// its first failing attempt (want and got) and whose text lists every failing attempt's
// failed checks; an error case has an <error> with its reason; a not_runnable case is
// <skipped> with its reason. Failed and error cases carry the transcript of their first
// failing attempt in <system-out>. A set that is not runnable carries its reason in the
// suite's properties.
func WriteJUnit(w io.Writer, r *Run) error {
	if r == nil {
		return errors.New("write junit: nil run")
	}
	doc := junitSuites{Name: "attache eval " + r.ID}
	timestamp := ""
	if !r.StartedAt.IsZero() {
		timestamp = r.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	var total time.Duration
	for _, set := range runSets(r) {
		suite := junitSuite{Name: set.Name, Timestamp: timestamp}
		var props []junitProperty
		if set.Kind != "" {
			props = append(props, junitProperty{Name: "kind", Value: set.Kind})
		}
		if r.Engine != "" {
			props = append(props, junitProperty{Name: "engine", Value: r.Engine})
		}
		if !set.Runnable {
			props = append(props, junitProperty{Name: "not_runnable", Value: set.Reason})
		}
		if len(props) > 0 {
			suite.Properties = &junitProperties{Items: props}
		}
		var suiteTime time.Duration
		for _, c := range casesOfSet(r.Cases, set.Name) {
			d := caseDuration(c)
			suiteTime += d
			jc := junitCase{Classname: c.Set, Name: c.ID, Time: junitSeconds(d)}
			switch c.Status {
			case StatusPassed:
			case StatusNotRunnable:
				jc.Skipped = &junitSkipped{Message: c.Reason}
				suite.Skipped++
			case StatusError:
				jc.Error = &junitProblem{Message: textOr(c.Reason, "the case could not be run"), Type: "error", Text: attemptErrors(c)}
				jc.SystemOut = transcriptText(firstFailingAttempt(c))
				suite.Errors++
			default: // failed, and any status this package does not know
				jc.Failure = &junitProblem{Message: failureMessage(c), Type: "check", Text: failureDetail(c)}
				jc.SystemOut = transcriptText(firstFailingAttempt(c))
				suite.Failures++
			}
			suite.Tests++
			suite.Cases = append(suite.Cases, jc)
		}
		suite.Time = junitSeconds(suiteTime)
		total += suiteTime
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Errors += suite.Errors
		doc.Skipped += suite.Skipped
		doc.Suites = append(doc.Suites, suite)
	}
	doc.Time = junitSeconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// runSets lists the run's sets in order, followed by sets that only its cases name
// (considered runnable).
func runSets(r *Run) []SetRun {
	sets := make([]SetRun, 0, len(r.Sets))
	known := map[string]bool{}
	for _, s := range r.Sets {
		if known[s.Name] {
			continue
		}
		known[s.Name] = true
		sets = append(sets, s)
	}
	for _, c := range r.Cases {
		if !known[c.Set] {
			known[c.Set] = true
			sets = append(sets, SetRun{Name: c.Set, Runnable: true})
		}
	}
	return sets
}

// casesOfSet returns the cases of set, in run order.
func casesOfSet(cases []CaseResult, set string) []CaseResult {
	var out []CaseResult
	for _, c := range cases {
		if c.Set == set {
			out = append(out, c)
		}
	}
	return out
}

// caseDuration is the sum of the case's attempt durations.
func caseDuration(c CaseResult) time.Duration {
	var d time.Duration
	for _, a := range c.Attempts {
		d += a.Duration
	}
	return d
}

// junitSeconds formats d as JUnit's time attribute: seconds with millisecond precision.
func junitSeconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// firstFailingAttempt returns the first attempt that did not pass, or nil.
func firstFailingAttempt(c CaseResult) *Attempt {
	for i := range c.Attempts {
		if !c.Attempts[i].Passed || c.Attempts[i].Error != "" {
			return &c.Attempts[i]
		}
	}
	return nil
}

// failedChecks returns the checks of a that did not pass.
func failedChecks(a *Attempt) []Check {
	if a == nil {
		return nil
	}
	var out []Check
	for _, ch := range a.Checks {
		if !ch.Passed {
			out = append(out, ch)
		}
	}
	return out
}

// checkLine is one failed check on one line: `name: want "x", got "y"`, values shortened.
func checkLine(ch Check) string {
	name := ch.Name
	if ch.Turn > 0 {
		name = fmt.Sprintf("%s (turn %d)", name, ch.Turn)
	}
	return fmt.Sprintf("%s: want %q, got %q", name, shortenText(ch.Want, 120), shortenText(ch.Got, 120))
}

// failureMessage is the <failure message>: the failed checks of the first failing attempt.
func failureMessage(c CaseResult) string {
	a := firstFailingAttempt(c)
	checks := failedChecks(a)
	if len(checks) == 0 {
		if a != nil && a.Error != "" {
			return a.Error
		}
		return textOr(c.Reason, "the case failed")
	}
	lines := make([]string, len(checks))
	for i, ch := range checks {
		lines[i] = checkLine(ch)
	}
	return strings.Join(lines, "; ")
}

// failureDetail lists every failing attempt's failed checks in full.
func failureDetail(c CaseResult) string {
	var b strings.Builder
	for _, a := range c.Attempts {
		if a.Passed && a.Error == "" {
			continue
		}
		fmt.Fprintf(&b, "attempt %d/%d:\n", a.N, len(c.Attempts))
		if a.Error != "" {
			fmt.Fprintf(&b, "  error: %s\n", a.Error)
		}
		for _, ch := range failedChecks(&a) {
			fmt.Fprintf(&b, "  %s\n    want: %s\n    got:  %s\n", ch.Name, ch.Want, ch.Got)
		}
	}
	return b.String()
}

// attemptErrors lists the errors of a case's attempts.
func attemptErrors(c CaseResult) string {
	var b strings.Builder
	for _, a := range c.Attempts {
		if a.Error != "" {
			fmt.Fprintf(&b, "attempt %d/%d: %s\n", a.N, len(c.Attempts), a.Error)
		}
	}
	return b.String()
}

// transcriptText renders an attempt's transcript and tool calls as plain text.
func transcriptText(a *Attempt) string {
	if a == nil {
		return ""
	}
	var b strings.Builder
	for _, l := range a.Transcript {
		lang := ""
		if l.Lang != "" {
			lang = " [" + l.Lang + "]"
		}
		fmt.Fprintf(&b, "%d %s%s: %s\n", l.Turn, l.Author, lang, l.Text)
	}
	for _, tc := range a.ToolCalls {
		fmt.Fprintf(&b, "tool %s %s -> %s", tc.Name, string(tc.Args), tc.Outcome)
		if tc.Error != "" {
			fmt.Fprintf(&b, " (%s)", tc.Error)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// shortenText cuts s to at most n runes, marking the cut with "…".
func shortenText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func textOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
