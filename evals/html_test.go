package evals

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// htmlPage is a parsed report with lookups the tests need.
type htmlPage struct {
	raw  string
	root *html.Node
}

func renderHTML(t *testing.T, r *Run) htmlPage {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	root, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("parse the report: %v", err)
	}
	return htmlPage{raw: buf.String(), root: root}
}

func nodeAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// findNodes returns the elements under n for which match holds, in document order.
func findNodes(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func withAttr(key, val string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, ok := nodeAttr(n, key); return ok && v == val }
}

func withTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func (p htmlPage) byID(t *testing.T, id string) *html.Node {
	t.Helper()
	nodes := findNodes(p.root, withAttr("id", id))
	if len(nodes) != 1 {
		t.Fatalf("%d elements with id=%q, want 1", len(nodes), id)
	}
	return nodes[0]
}

func TestHTMLSummaryAndCharts(t *testing.T) {
	p := renderHTML(t, reportRun())
	summary := nodeText(p.byID(t, "summary"))
	for _, want := range []string{"57.1%", "40.0%", "pass^3", "3guardrail violations", "2passed", "2not runnable"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary %q does not show %q", summary, want)
		}
	}
	charts := []struct {
		id     string
		groups []string // bars, in order
		absent string   // a group of not-runnable cases only
	}{
		{"chart-language", []string{"ar", "en"}, "ja"},
		{"chart-market", []string{"GB", "SA", "US"}, "JP"},
		{"chart-intent", []string{"cod", "order_status", "refund_request", "vat_question", "(none)"}, ""},
	}
	for _, c := range charts {
		svg := p.byID(t, c.id)
		if svg.Data != "svg" {
			t.Errorf("%s is a <%s>, want <svg>", c.id, svg.Data)
		}
		if label, _ := nodeAttr(svg, "aria-label"); label == "" {
			t.Errorf("%s has no aria-label", c.id)
		}
		var got []string
		for _, g := range findNodes(svg, withAttr("class", "row")) {
			group, _ := nodeAttr(g, "data-group")
			got = append(got, group)
			if len(findNodes(g, withTag("title"))) != 1 || len(findNodes(g, withTag("rect"))) != 2 {
				t.Errorf("%s bar %s lacks its <title> or its rects", c.id, group)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.groups) {
			t.Errorf("%s bars = %v, want %v", c.id, got, c.groups)
		}
	}
	en := findNodes(p.byID(t, "chart-language"), withAttr("data-group", "en"))[0]
	if !strings.Contains(nodeText(en), "55.6%") {
		t.Errorf("the en bar does not show its pass rate: %q", nodeText(en))
	}
}

func TestHTMLFailures(t *testing.T) {
	p := renderHTML(t, reportRun())
	failures := p.byID(t, "failures")
	var keys []string
	for _, n := range findNodes(failures, func(n *html.Node) bool { _, ok := nodeAttr(n, "data-case"); return ok }) {
		k, _ := nodeAttr(n, "data-case")
		keys = append(keys, k)
	}
	if want := "[support-en/refund support-en/xss support-ar/cod]"; fmt.Sprint(keys) != want {
		t.Errorf("failed cases = %v, want %s (no passed or not-runnable case)", keys, want)
	}

	refund := findNodes(failures, withAttr("data-case", "support-en/refund"))[0]
	failed := findNodes(refund, withAttr("class", "fail"))
	if len(failed) != 1 || !strings.Contains(nodeText(failed[0]), "tool refund_order") {
		t.Fatalf("refund: highlighted checks = %d, want the one failed check", len(failed))
	}
	del, ins := findNodes(failed[0], withTag("del")), findNodes(failed[0], withTag("ins"))
	if len(del) == 0 || len(ins) == 0 || !strings.Contains(nodeText(del[0]), "W1002") || !strings.Contains(nodeText(ins[0]), "not") {
		t.Errorf("refund: want vs got is not shown as a diff: %q", nodeText(failed[0]))
	}
	if !strings.Contains(nodeText(refund), `"order_id": "W1002"`) {
		t.Errorf("refund: tool call arguments are missing")
	}
	if !strings.Contains(nodeText(refund), "I want my money back") {
		t.Errorf("refund: transcript is missing")
	}

	cod := findNodes(failures, withAttr("data-case", "support-ar/cod"))[0]
	arabic := findNodes(cod, withAttr("lang", "ar"))
	if len(arabic) == 0 {
		t.Fatal("cod: the Arabic line has no lang=ar")
	}
	if dir, _ := nodeAttr(arabic[0], "dir"); dir != "auto" {
		t.Errorf("cod: the Arabic line has dir=%q, want auto", dir)
	}
	if !strings.Contains(nodeText(cod), "workflow timed out") {
		t.Errorf("cod: the error is not shown")
	}
}

func TestHTMLEscapesText(t *testing.T) {
	p := renderHTML(t, reportRun())
	if scripts := findNodes(p.root, withTag("script")); len(scripts) != 0 {
		t.Fatalf("the page has %d <script> elements, from case text", len(scripts))
	}
	if !strings.Contains(p.raw, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Error("the case text with <script> does not appear escaped")
	}
	xss := findNodes(p.byID(t, "failures"), withAttr("data-case", "support-en/xss"))[0]
	if !strings.Contains(nodeText(xss), `<script>alert("x")</script> hello`) {
		t.Errorf("the escaped text does not read back as written: %q", nodeText(xss))
	}
	if b := findNodes(xss, withTag("b")); len(b) != 0 {
		t.Error("markup in a description became an element")
	}
}

func TestHTMLPassedAndNotRunnable(t *testing.T) {
	p := renderHTML(t, reportRun())
	passed := p.byID(t, "passed")
	if passed.Data != "details" {
		t.Errorf("passed cases are in a <%s>, want a collapsed <details>", passed.Data)
	}
	if _, open := nodeAttr(passed, "open"); open {
		t.Error("passed cases are expanded")
	}
	for _, key := range []string{"support-en/where-is-order", "support-ar/vat"} {
		if len(findNodes(passed, withAttr("data-case", key))) != 1 {
			t.Errorf("passed case %s is not listed", key)
		}
	}
	if len(findNodes(passed, withAttr("data-case", "llm-only/ja-1"))) != 0 {
		t.Error("a not-runnable case is listed as passed")
	}
	nr := p.byID(t, "not-runnable")
	for _, key := range []string{"llm-only/ja-1", "llm-only/en-1"} {
		items := findNodes(nr, withAttr("data-case", key))
		if len(items) != 1 || !strings.Contains(nodeText(items[0]), "not runnable") || !strings.Contains(nodeText(items[0]), "needs a model") {
			t.Errorf("not-runnable case %s is not listed with its reason", key)
		}
	}
	if len(findNodes(nr, withAttr("data-set", "llm-only"))) != 1 {
		t.Error("the not-runnable set is not listed")
	}
}

func TestHTMLEmptyRun(t *testing.T) {
	p := renderHTML(t, &Run{ID: "empty", Engine: "offline", Repeat: 1})
	for _, id := range []string{"summary", "chart-language", "chart-market", "chart-intent", "failures", "passed", "not-runnable"} {
		p.byID(t, id)
	}
	if !strings.Contains(nodeText(p.byID(t, "chart-language")), "no runnable cases") {
		t.Error("an empty chart does not say so")
	}
}

func TestWordDiff(t *testing.T) {
	tests := []struct {
		want, got string
		diff      string
	}{
		{"refund_request", "refund_request", "refund_request"},
		{"refund_request", "order_status", "[-refund_request-][+order_status+]"},
		{"AI disclosed", "not disclosed", "[-AI-][+not+] disclosed"},
		{"your order ships today", "your order ships tomorrow", "your order ships [-today-][+tomorrow+]"},
		{"called with order W1002", "not called", "[+not +]called[- with order W1002-]"},
		{"", "something", "[+something+]"},
		{"注文は発送済み", "注文は未発送", "注文は[+未+]発送[-済み-]"},
	}
	for _, tt := range tests {
		var b strings.Builder
		for _, s := range wordDiff(tt.want, tt.got) {
			switch s.Kind {
			case spanDel:
				b.WriteString("[-" + s.Text + "-]")
			case spanIns:
				b.WriteString("[+" + s.Text + "+]")
			default:
				b.WriteString(s.Text)
			}
		}
		if b.String() != tt.diff {
			t.Errorf("wordDiff(%q, %q) = %s, want %s", tt.want, tt.got, b.String(), tt.diff)
		}
	}
}

// benchRun is a run of n cases over four languages, a third of them failing with a
// transcript and tool calls, as WriteHTML sees after a regression set of that size.
func benchRun(n int) *Run {
	r := reportRun()
	base := r.Cases
	r.Cases = make([]CaseResult, 0, n)
	for i := range n {
		c := base[i%len(base)]
		c.ID = fmt.Sprintf("%s-%03d", c.ID, i)
		c.Language = []string{"en", "ar", "de", "ja"}[i%4]
		r.Cases = append(r.Cases, c)
	}
	r.Summary = Summarize(r.Cases)
	return r
}

// BenchmarkWriteHTML reports ns/op for the HTML report of a 250-case run and, measured in
// the same run on the same data, "x-json": how many times the cost of WriteJSON it is.
func BenchmarkWriteHTML(b *testing.B) {
	r := benchRun(250)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteHTML(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
	htmlNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.StopTimer()
	start := time.Now()
	for range b.N {
		if err := WriteJSON(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
	jsonNs := float64(time.Since(start).Nanoseconds()) / float64(b.N)
	if jsonNs > 0 {
		b.ReportMetric(jsonNs, "json-ns/op")
		b.ReportMetric(htmlNs/jsonNs, "x-json")
	}
}
