package evals

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

//go:embed report_html.tmpl
var reportHTMLSource string

// reportHTML is the template of WriteHTML's page; html/template escapes every text.
var reportHTML = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":         pctText,
	"rateClassOf": rateClass,
}).Parse(reportHTMLSource))

// WriteHTML writes r as one self-contained HTML page (inline CSS, inline SVG charts, no
// script, no external asset) for a person to read: the run's totals, bar charts of the
// pass rate per language, market and intent, a table of sets, every failed or error case
// with its checks (want and got shown as a word diff), transcript and tool calls, the
// passed cases collapsed, and what was not runnable, with the reason.
//
// Figures are computed from r.Cases with Summarize, so the page never disagrees with its
// own case list. Elements a browser test can find: id="summary", id="chart-language",
// id="chart-market", id="chart-intent", id="sets", id="failures" (each failed or error case
// in an element with data-case="set/id"), id="passed", id="not-runnable".
func WriteHTML(w io.Writer, r *Run) error {
	if r == nil {
		return errors.New("write html: nil run")
	}
	var buf bytes.Buffer
	if err := reportHTML.Execute(&buf, newHTMLView(r)); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

// htmlView is what the template renders.
type htmlView struct {
	Run              *Run
	Started          string
	Duration         string
	Labels           []htmlLabel
	Summary          Summary
	Runnable         int
	Charts           []htmlChart
	Sets             []htmlSet
	Failures         []htmlCase
	Passed           []htmlPassed
	NotRunnableSets  []SetRun
	NotRunnableCases []CaseResult
}

type htmlLabel struct{ Name, Value string }

// htmlChart is a horizontal bar chart of pass rates, laid out here so that the template
// only places numbers.
type htmlChart struct {
	ID, Title     string
	Width, Height int
	LabelX, BarX  int
	BarMax        int
	Bars          []htmlBar
}

type htmlBar struct {
	Label, Title, Pct, Class string
	Y, TextY, Width, PctX    float64
	BarHeight                float64
}

type htmlSet struct {
	SetRun
	Counts      Summary
	HasRunnable bool
}

type htmlCase struct {
	CaseResult
	Key      string
	Attempts []htmlAttempt
}

type htmlAttempt struct {
	Attempt
	Of        int
	Failed    bool
	Checks    []htmlCheck
	ToolCalls []htmlToolCall
}

type htmlCheck struct {
	Check
	Want, Got []diffSpan
}

type htmlToolCall struct {
	ToolCall
	ArgsText string
}

type htmlPassed struct {
	Key, Market, Language, Intent, Duration string
	Attempts                                int
}

// Chart geometry, in SVG user units.
const (
	chartLabelWidth = 150
	chartBarWidth   = 360
	chartPctWidth   = 150
	chartRow        = 26
	chartBarHeight  = 18
)

func newHTMLView(r *Run) htmlView {
	s := Summarize(r.Cases)
	v := htmlView{
		Run:      r,
		Summary:  s,
		Runnable: s.Cases - s.NotRunnable,
	}
	if !r.StartedAt.IsZero() {
		v.Started = r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
		if r.FinishedAt.After(r.StartedAt) {
			v.Duration = r.FinishedAt.Sub(r.StartedAt).Round(time.Second).String()
		}
	}
	for _, k := range sortedKeys(r.Labels) {
		v.Labels = append(v.Labels, htmlLabel{k, r.Labels[k]})
	}
	v.Charts = []htmlChart{
		newChart("chart-language", "Pass rate per language", s.ByLanguage),
		newChart("chart-market", "Pass rate per market", s.ByMarket),
		newChart("chart-intent", "Pass rate per intent", s.ByIntent),
	}
	for _, set := range runSets(r) {
		cases := casesOfSet(r.Cases, set.Name)
		counts := Summarize(cases)
		hs := htmlSet{SetRun: set, Counts: counts, HasRunnable: counts.Cases > counts.NotRunnable}
		if hs.Cases == 0 {
			hs.Cases = len(cases)
		}
		v.Sets = append(v.Sets, hs)
		if !set.Runnable {
			v.NotRunnableSets = append(v.NotRunnableSets, set)
		}
	}
	for _, c := range r.Cases {
		switch c.Status {
		case StatusPassed:
			v.Passed = append(v.Passed, htmlPassed{
				Key: c.Key(), Market: c.Market, Language: c.Language, Intent: c.Intent,
				Duration: caseDuration(c).Round(time.Millisecond).String(), Attempts: len(c.Attempts),
			})
		case StatusNotRunnable:
			v.NotRunnableCases = append(v.NotRunnableCases, c)
		default:
			v.Failures = append(v.Failures, newHTMLCase(c))
		}
	}
	return v
}

func newChart(id, title string, groups map[string]Group) htmlChart {
	rows := sortedGroups(groups)
	ch := htmlChart{
		ID: id, Title: title,
		Width:  chartLabelWidth + chartBarWidth + chartPctWidth,
		Height: max(len(rows), 1)*chartRow + 4,
		LabelX: chartLabelWidth - 8, BarX: chartLabelWidth, BarMax: chartBarWidth,
	}
	for i, row := range rows {
		y := float64(i*chartRow + 4)
		w := row.PassRate * chartBarWidth
		ch.Bars = append(ch.Bars, htmlBar{
			Label: shortenText(row.Key, 20),
			Title: fmt.Sprintf("%s: %s of %d attempts passed; %d of %d cases passed every attempt",
				row.Key, pctText(row.PassRate), row.Attempts, row.Passed, row.Cases),
			Pct:       fmt.Sprintf("%s (%d/%d cases)", pctText(row.PassRate), row.Passed, row.Cases),
			Class:     rateClass(row.PassRate),
			Y:         y,
			TextY:     y + chartBarHeight - 5,
			Width:     w,
			PctX:      float64(chartLabelWidth) + w + 6,
			BarHeight: chartBarHeight,
		})
	}
	return ch
}

// rateClass is the colour class of a pass rate.
func rateClass(rate float64) string {
	switch {
	case rate >= 0.9:
		return "good"
	case rate >= 0.7:
		return "fair"
	default:
		return "poor"
	}
}

func newHTMLCase(c CaseResult) htmlCase {
	hc := htmlCase{CaseResult: c, Key: c.Key()}
	for _, a := range c.Attempts {
		ha := htmlAttempt{Attempt: a, Of: len(c.Attempts), Failed: !a.Passed || a.Error != ""}
		for _, ch := range a.Checks {
			hch := htmlCheck{Check: ch}
			if ch.Passed {
				hch.Want = wordDiff(ch.Want, ch.Want)
				hch.Got = wordDiff(ch.Got, ch.Got)
			} else {
				hch.Want, hch.Got = splitDiff(wordDiff(ch.Want, ch.Got))
			}
			ha.Checks = append(ha.Checks, hch)
		}
		for _, tc := range a.ToolCalls {
			ha.ToolCalls = append(ha.ToolCalls, htmlToolCall{ToolCall: tc, ArgsText: argsText(tc.Args)})
		}
		hc.Attempts = append(hc.Attempts, ha)
	}
	return hc
}

// splitDiff splits a diff into the want side (same and deleted text) and the got side
// (same and inserted text), for a side-by-side view.
func splitDiff(spans []diffSpan) (want, got []diffSpan) {
	for _, s := range spans {
		if s.Kind != spanIns {
			want = append(want, s)
		}
		if s.Kind != spanDel {
			got = append(got, s)
		}
	}
	return want, got
}

// argsText is a tool call's arguments as indented JSON, or as given when they are not JSON.
func argsText(args json.RawMessage) string {
	if len(args) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, args, "", "  "); err != nil {
		return string(args)
	}
	return b.String()
}

// pctText formats a share as a percentage with one decimal: 0.875 → "87.5%".
func pctText(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Kinds of diffSpan.
const (
	spanSame = "same"
	spanDel  = "del" // in want only
	spanIns  = "ins" // in got only
)

// diffSpan is a run of text that is in want and got (same), in want only (del) or in got
// only (ins).
type diffSpan struct {
	Kind string
	Text string
}

// maxDiffCells bounds the word diff's table (want words × got words); longer texts are shown
// as a whole deletion and a whole insertion rather than spending time on them.
const maxDiffCells = 200_000

// wordDiff is a word-level diff of want against got: the longest common subsequence of their
// words and spaces, with everything else marked deleted (want) or inserted (got). Adjacent
// spans of one kind are merged.
func wordDiff(want, got string) []diffSpan {
	if want == got {
		if want == "" {
			return nil
		}
		return []diffSpan{{Kind: spanSame, Text: want}}
	}
	a, b := splitWords(want), splitWords(got)
	if len(a)*len(b) > maxDiffCells {
		return mergeSpans([]diffSpan{{Kind: spanDel, Text: want}, {Kind: spanIns, Text: got}})
	}
	// lcs[i][j] is the weight (see wordWeight) of the heaviest common subsequence of a[i:]
	// and b[j:].
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			if a[i] == b[j] {
				lcs[i][j] = max(lcs[i][j], lcs[i+1][j+1]+wordWeight(a[i]))
			}
		}
	}
	var spans []diffSpan
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j] && lcs[i][j] == lcs[i+1][j+1]+wordWeight(a[i]):
			spans = append(spans, diffSpan{spanSame, a[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			spans = append(spans, diffSpan{spanDel, a[i]})
			i++
		default:
			spans = append(spans, diffSpan{spanIns, b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		spans = append(spans, diffSpan{spanDel, a[i]})
	}
	for ; j < len(b); j++ {
		spans = append(spans, diffSpan{spanIns, b[j]})
	}
	return groupChanges(spans)
}

// groupChanges makes a diff read as whole phrases: a run of spaces the two texts share
// between two changes becomes part of the change, and each run of changes is shown as one
// deletion followed by one insertion.
func groupChanges(spans []diffSpan) []diffSpan {
	var out []diffSpan
	var del, ins strings.Builder
	flush := func() {
		out = append(out, diffSpan{spanDel, del.String()}, diffSpan{spanIns, ins.String()})
		del.Reset()
		ins.Reset()
	}
	for i, s := range spans {
		changed := s.Kind != spanSame
		if !changed && strings.TrimSpace(s.Text) == "" && i > 0 && i+1 < len(spans) &&
			spans[i-1].Kind != spanSame && spans[i+1].Kind != spanSame {
			del.WriteString(s.Text)
			ins.WriteString(s.Text)
			continue
		}
		switch s.Kind {
		case spanDel:
			del.WriteString(s.Text)
		case spanIns:
			ins.WriteString(s.Text)
		default:
			flush()
			out = append(out, s)
		}
	}
	flush()
	return mergeSpans(out)
}

// wordWeight is what a common piece of text is worth to wordDiff: twice its length in
// characters for a word, one for spaces, so that the diff keeps common words before common
// spaces.
func wordWeight(w string) int32 {
	if strings.TrimSpace(w) == "" {
		return 1
	}
	return 2 * int32(utf8.RuneCountInString(w))
}

// mergeSpans joins adjacent spans of the same kind and drops empty ones.
func mergeSpans(spans []diffSpan) []diffSpan {
	var out []diffSpan
	for _, s := range spans {
		if s.Text == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Kind == s.Kind {
			out[n-1].Text += s.Text
			continue
		}
		out = append(out, s)
	}
	return out
}

// splitWords splits s into words and runs of spaces, keeping both, so that joining the
// pieces gives s back. A script without spaces between words (Thai, Chinese, Japanese) is
// split per character, so that a diff of it is still useful.
func splitWords(s string) []string {
	var out []string
	start := 0
	prevSpace := false
	for i, r := range s {
		space := unicode.IsSpace(r)
		if i > start && (space != prevSpace || (!space && unspacedScript(r))) {
			out = append(out, s[start:i])
			start = i
		}
		if !space && unspacedScript(r) {
			// Close the one-character word right after it.
			size := utf8.RuneLen(r)
			if i == start {
				out = append(out, s[i:i+size])
				start = i + size
			}
		}
		prevSpace = space
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// unspacedScript reports whether r belongs to a script written without spaces between words.
func unspacedScript(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}
