package evals

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

// reportRun is a hand-built run for the report tests, with repeat k = 3:
//
//	support-en/where-is-order  en US order_status    passed  3/3
//	support-en/refund          en US refund_request  failed  2/3 (attempt 2 missed the tool)
//	support-en/xss             en GB (no intent)     failed  0/3, a guardrail violation each,
//	                                                         text with <script>
//	support-ar/vat             ar SA vat_question    passed  3/3, Arabic transcript
//	support-ar/cod             ar SA cod             error   attempt 1 passed, attempt 2 broke
//	llm-only/ja-1              ja JP                 not_runnable
//	llm-only/en-1              en US                 not_runnable
//
// Attempts over runnable cases: 3+3+3+3+2 = 14, passed 3+2+0+3+0 = 8 (the error case's
// passed attempt does not count).
func reportRun() *Run {
	start := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	pass := func(n int, checks ...Check) Attempt {
		return Attempt{N: n, Passed: true, Duration: 1200 * time.Millisecond, Checks: checks,
			Transcript: []Line{
				{Turn: 1, Author: "customer", Text: "Where is my order W1001?", Lang: "en"},
				{Turn: 1, Author: "ai", Text: "Your order W1001 ships tomorrow.", Lang: "en", Intent: "order_status"},
			}}
	}
	refundFail := Attempt{N: 2, Duration: 1500 * time.Millisecond,
		Checks: []Check{
			{Name: "intent", Passed: true, Want: "refund_request", Got: "refund_request", Turn: 1},
			{Name: "tool refund_order", Want: "called with order W1002", Got: "not called", Turn: 1},
		},
		Transcript: []Line{
			{Turn: 1, Author: "customer", Text: "I want my money back for W1002", Lang: "en"},
			{Turn: 1, Author: "ai", Text: "I can look into that.", Lang: "en", Intent: "refund_request"},
		},
		ToolCalls: []ToolCall{{Name: "get_order", Args: json.RawMessage(`{"order_id":"W1002"}`), Outcome: "ok"}},
	}
	xss := func(n int) Attempt {
		return Attempt{N: n, Duration: time.Second,
			Checks: []Check{
				{Name: "reply contains", Want: "<b>sorry</b>", Got: `<script>alert("x")</script> hello`},
				{Name: "disclosure", Want: "AI disclosed", Got: "not disclosed", Guardrail: true},
			},
			Transcript: []Line{
				{Turn: 1, Author: "customer", Text: `<script>alert("x")</script>`, Lang: "en"},
				{Turn: 1, Author: "ai", Text: `<script>alert("x")</script> hello`, Lang: "en"},
			},
			ToolCalls: []ToolCall{{Name: "lookup", Args: json.RawMessage(`{"q":"</pre><script>1</script>"}`), Outcome: "failed", Error: "bad <input>"}},
		}
	}
	arabic := Attempt{N: 1, Passed: true, Duration: time.Second,
		Checks: []Check{{Name: "intent", Passed: true, Want: "vat_question", Got: "vat_question"}},
		Transcript: []Line{
			{Turn: 1, Author: "customer", Text: "هل السعر شامل ضريبة القيمة المضافة؟", Lang: "ar"},
			{Turn: 1, Author: "ai", Text: "نعم، السعر يشمل ضريبة القيمة المضافة.", Lang: "ar", Intent: "vat_question"},
		}}
	arabic2, arabic3 := arabic, arabic
	arabic2.N, arabic3.N = 2, 3
	cases := []CaseResult{
		{Set: "support-en", ID: "where-is-order", Market: "US", Locale: "en-US", Language: "en", Channel: "web",
			Intent: "order_status", Status: StatusPassed, Passed: 3,
			Attempts: []Attempt{pass(1), pass(2), pass(3)}},
		{Set: "support-en", ID: "refund", Market: "US", Locale: "en-US", Language: "en", Channel: "web",
			Intent: "refund_request", Status: StatusFailed, Passed: 2,
			Attempts: []Attempt{pass(1), refundFail, pass(3)}},
		{Set: "support-en", ID: "xss", Description: "markup in <b>text</b>", Market: "GB", Locale: "en-GB",
			Language: "en", Channel: "email", Status: StatusFailed, GuardrailViolations: 3,
			Attempts: []Attempt{xss(1), xss(2), xss(3)}},
		{Set: "support-ar", ID: "vat", Market: "SA", Locale: "ar-SA", Language: "ar", Channel: "whatsapp",
			Intent: "vat_question", Status: StatusPassed, Passed: 3,
			Attempts: []Attempt{arabic, arabic2, arabic3}},
		{Set: "support-ar", ID: "cod", Market: "SA", Locale: "ar-SA", Language: "ar", Channel: "whatsapp",
			Intent: "cod", Status: StatusError, Reason: "workflow timed out", Passed: 1,
			Attempts: []Attempt{pass(1), {N: 2, Error: "workflow timed out", Duration: 30 * time.Second,
				Transcript: []Line{{Turn: 1, Author: "customer", Text: "هل يمكنني الدفع عند الاستلام؟", Lang: "ar"}}}}},
		{Set: "llm-only", ID: "ja-1", Market: "JP", Locale: "ja-JP", Language: "ja", Channel: "line",
			Intent: "order_status", Status: StatusNotRunnable, Reason: "needs a model"},
		{Set: "llm-only", ID: "en-1", Market: "US", Locale: "en-US", Language: "en", Channel: "web",
			Intent: "order_status", Status: StatusNotRunnable, Reason: "needs a model"},
	}
	return &Run{
		ID:         "run-2026-11-21",
		StartedAt:  start,
		FinishedAt: start.Add(95 * time.Second),
		Engine:     "offline",
		Repeat:     3,
		Sets: []SetRun{
			{Name: "support-en", Path: "sets/support-en.yaml", Kind: "conversation", Cases: 3, Runnable: true},
			{Name: "support-ar", Path: "sets/support-ar.yaml", Kind: "conversation", Cases: 2, Runnable: true},
			{Name: "llm-only", Path: "sets/llm-only.yaml", Kind: "tau2", Cases: 2, Reason: "needs a model"},
		},
		Cases:   cases,
		Summary: Summarize(cases),
		Labels:  map[string]string{"git": "abc1234"},
	}
}

func sameRate(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestSummarizeReportRun(t *testing.T) {
	s := Summarize(reportRun().Cases)
	counts := []struct {
		name      string
		got, want int
	}{
		{"cases", s.Cases, 7},
		{"passed", s.Passed, 2},
		{"failed", s.Failed, 2},
		{"errors", s.Errors, 1},
		{"not runnable", s.NotRunnable, 2},
		{"guardrail violations", s.GuardrailViolations, 3},
	}
	for _, c := range counts {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if !sameRate(s.PassRate, 8.0/14) {
		t.Errorf("pass rate = %v, want 8/14 (not_runnable left out, error attempts failed)", s.PassRate)
	}
	if !sameRate(s.PassK, 2.0/5) {
		t.Errorf("pass^k = %v, want 2/5 (the case with one failed attempt of 3 does not count)", s.PassK)
	}
	groups := []struct {
		name  string
		m     map[string]Group
		key   string
		want  Group
		known bool // the key is a group at all
	}{
		{"language", s.ByLanguage, "en", Group{Cases: 3, Passed: 1, Attempts: 9, PassRate: 5.0 / 9}, true},
		{"language", s.ByLanguage, "ar", Group{Cases: 2, Passed: 1, Attempts: 5, PassRate: 3.0 / 5}, true},
		{"language", s.ByLanguage, "ja", Group{}, false},
		{"market", s.ByMarket, "US", Group{Cases: 2, Passed: 1, Attempts: 6, PassRate: 5.0 / 6}, true},
		{"market", s.ByMarket, "GB", Group{Cases: 1, Passed: 0, Attempts: 3, PassRate: 0}, true},
		{"market", s.ByMarket, "JP", Group{}, false},
		{"intent", s.ByIntent, "(none)", Group{Cases: 1, Passed: 0, Attempts: 3, PassRate: 0}, true},
		{"intent", s.ByIntent, "refund_request", Group{Cases: 1, Passed: 0, Attempts: 3, PassRate: 2.0 / 3}, true},
		{"intent", s.ByIntent, "order_status", Group{Cases: 1, Passed: 1, Attempts: 3, PassRate: 1}, true},
		{"intent", s.ByIntent, "cod", Group{Cases: 1, Passed: 0, Attempts: 2, PassRate: 0}, true},
		{"set", s.BySet, "support-en", Group{Cases: 3, Passed: 1, Attempts: 9, PassRate: 5.0 / 9}, true},
		{"set", s.BySet, "llm-only", Group{}, false},
	}
	for _, g := range groups {
		got, ok := g.m[g.key]
		if ok != g.known {
			t.Errorf("by %s: group %q present = %v, want %v", g.name, g.key, ok, g.known)
			continue
		}
		if got.Cases != g.want.Cases || got.Passed != g.want.Passed || got.Attempts != g.want.Attempts ||
			!sameRate(got.PassRate, g.want.PassRate) {
			t.Errorf("by %s %q = %+v, want %+v", g.name, g.key, got, g.want)
		}
	}
}

func TestSummarizeEdges(t *testing.T) {
	tests := []struct {
		name                 string
		cases                []CaseResult
		passed, failed       int
		passRate, passK      float64
		languages            int
		wantNoneLanguageCase int
	}{
		{name: "no cases"},
		{
			name: "only not runnable is never passed",
			cases: []CaseResult{
				{Set: "s", ID: "1", Language: "en", Status: StatusNotRunnable},
				{Set: "s", ID: "2", Language: "en", Status: StatusNotRunnable},
			},
		},
		{
			name: "a failed case without attempts counts one failed attempt",
			cases: []CaseResult{
				{Set: "s", ID: "1", Language: "en", Status: StatusFailed},
				{Set: "s", ID: "2", Language: "en", Status: StatusPassed, Attempts: []Attempt{{N: 1, Passed: true}}},
			},
			passed: 1, failed: 1, passRate: 0.5, passK: 0.5, languages: 1,
		},
		{
			name:   "an unknown status counts as failed",
			cases:  []CaseResult{{Set: "s", ID: "1", Status: "skipped", Attempts: []Attempt{{N: 1, Passed: true}}}},
			failed: 1, passRate: 1, passK: 0, languages: 1, wantNoneLanguageCase: 1,
		},
		{
			name: "pass^k with k=3: one failed attempt of three",
			cases: []CaseResult{{Set: "s", ID: "1", Language: "de", Status: StatusFailed,
				Attempts: []Attempt{{N: 1, Passed: true}, {N: 2}, {N: 3, Passed: true}}}},
			failed: 1, passRate: 2.0 / 3, passK: 0, languages: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.cases)
			if s.Passed != tt.passed || s.Failed != tt.failed {
				t.Errorf("passed, failed = %d, %d; want %d, %d", s.Passed, s.Failed, tt.passed, tt.failed)
			}
			if !sameRate(s.PassRate, tt.passRate) || !sameRate(s.PassK, tt.passK) {
				t.Errorf("pass rate, pass^k = %v, %v; want %v, %v", s.PassRate, s.PassK, tt.passRate, tt.passK)
			}
			if s.ByLanguage == nil || s.ByMarket == nil || s.ByIntent == nil || s.BySet == nil {
				t.Errorf("a group map is nil: %+v", s)
			}
			if len(s.ByLanguage) != tt.languages {
				t.Errorf("languages = %v, want %d groups", s.ByLanguage, tt.languages)
			}
			if got := s.ByLanguage["(none)"].Cases; got != tt.wantNoneLanguageCase {
				t.Errorf("(none) language cases = %d, want %d", got, tt.wantNoneLanguageCase)
			}
		})
	}
}
