package evals

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// Types a CI tool would read the report into; declared here, apart from the writer's.
type ciSuites struct {
	XMLName  xml.Name  `xml:"testsuites"`
	Tests    int       `xml:"tests,attr"`
	Failures int       `xml:"failures,attr"`
	Errors   int       `xml:"errors,attr"`
	Skipped  int       `xml:"skipped,attr"`
	Time     string    `xml:"time,attr"`
	Suites   []ciSuite `xml:"testsuite"`
}

type ciSuite struct {
	Name       string `xml:"name,attr"`
	Tests      int    `xml:"tests,attr"`
	Failures   int    `xml:"failures,attr"`
	Errors     int    `xml:"errors,attr"`
	Skipped    int    `xml:"skipped,attr"`
	Time       string `xml:"time,attr"`
	Properties []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []ciCase `xml:"testcase"`
}

type ciCase struct {
	Classname string `xml:"classname,attr"`
	Name      string `xml:"name,attr"`
	Time      string `xml:"time,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	} `xml:"failure"`
	Error *struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	} `xml:"error"`
	Skipped *struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
	SystemOut string `xml:"system-out"`
}

func readJUnit(t *testing.T, r *Run) (ciSuites, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc ciSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("the JUnit report is not valid XML: %v\n%s", err, buf.String())
	}
	return doc, buf.String()
}

func TestJUnitCounts(t *testing.T) {
	doc, raw := readJUnit(t, reportRun())
	if !strings.HasPrefix(raw, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.60s", raw)
	}
	if doc.Tests != 7 || doc.Failures != 2 || doc.Errors != 1 || doc.Skipped != 2 {
		t.Errorf("testsuites tests/failures/errors/skipped = %d/%d/%d/%d, want 7/2/1/2",
			doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
	if doc.Time == "" {
		t.Error("testsuites has no time")
	}
	wantSuites := []struct {
		name                             string
		tests, failures, errors, skipped int
	}{
		{"support-en", 3, 2, 0, 0},
		{"support-ar", 2, 0, 1, 0},
		{"llm-only", 2, 0, 0, 2},
	}
	if len(doc.Suites) != len(wantSuites) {
		t.Fatalf("%d suites, want %d (one per set)", len(doc.Suites), len(wantSuites))
	}
	for i, want := range wantSuites {
		got := doc.Suites[i]
		if got.Name != want.name || got.Tests != want.tests || got.Failures != want.failures ||
			got.Errors != want.errors || got.Skipped != want.skipped {
			t.Errorf("suite %d = %s %d/%d/%d/%d, want %+v", i, got.Name, got.Tests, got.Failures, got.Errors, got.Skipped, want)
		}
		if len(got.Cases) != want.tests {
			t.Errorf("suite %s has %d testcases, want %d", got.Name, len(got.Cases), want.tests)
		}
		for _, c := range got.Cases {
			if c.Classname != want.name {
				t.Errorf("testcase %s classname = %q, want the set %q", c.Name, c.Classname, want.name)
			}
		}
	}
	if doc.Suites[0].Time != "10.500" {
		t.Errorf("support-en time = %s, want 10.500 (sum of attempt durations)", doc.Suites[0].Time)
	}
}

func TestJUnitCaseDetails(t *testing.T) {
	doc, _ := readJUnit(t, reportRun())
	cases := map[string]ciCase{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			cases[c.Classname+"/"+c.Name] = c
		}
	}
	tests := []struct {
		key   string
		check func(c ciCase) string // returns what is wrong, or ""
	}{
		{"support-en/where-is-order", func(c ciCase) string {
			if c.Failure != nil || c.Error != nil || c.Skipped != nil {
				return "a passed case has a failure, error or skip"
			}
			return ""
		}},
		{"support-en/refund", func(c ciCase) string {
			switch {
			case c.Failure == nil:
				return "no <failure>"
			case !strings.Contains(c.Failure.Message, `tool refund_order (turn 1): want "called with order W1002", got "not called"`):
				return "failure message lacks the failed check: " + c.Failure.Message
			case strings.Contains(c.Failure.Message, "intent"):
				return "failure message lists a check that passed: " + c.Failure.Message
			case !strings.Contains(c.Failure.Text, "attempt 2/3"):
				return "failure text does not name the failing attempt: " + c.Failure.Text
			case !strings.Contains(c.SystemOut, "I want my money back"):
				return "system-out lacks the transcript: " + c.SystemOut
			}
			return ""
		}},
		{"support-en/xss", func(c ciCase) string {
			if c.Failure == nil || !strings.Contains(c.Failure.Message, `got "<script>alert(\"x\")</script> hello"`) {
				return "failure message does not carry the text as written"
			}
			return ""
		}},
		{"support-ar/cod", func(c ciCase) string {
			if c.Error == nil || c.Error.Message != "workflow timed out" || c.Failure != nil {
				return "want an <error> with the reason and no <failure>"
			}
			return ""
		}},
		{"llm-only/ja-1", func(c ciCase) string {
			if c.Skipped == nil || c.Skipped.Message != "needs a model" {
				return "want <skipped message=\"needs a model\">"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		c, ok := cases[tt.key]
		if !ok {
			t.Errorf("no testcase %s", tt.key)
			continue
		}
		if msg := tt.check(c); msg != "" {
			t.Errorf("%s: %s", tt.key, msg)
		}
	}
}

func TestJUnitOddInput(t *testing.T) {
	// Control characters are not allowed in XML; a set only the cases name still gets a suite.
	run := &Run{ID: "odd", Cases: []CaseResult{{Set: "s", ID: "c\x1b", Status: StatusFailed,
		Attempts: []Attempt{{N: 1, Checks: []Check{{Name: "reply contains", Want: "a\x00b", Got: "]]> & <"}}}}}}}
	doc, raw := readJUnit(t, run)
	if strings.Contains(raw, "<properties") {
		t.Errorf("a suite without properties has a <properties> element:\n%s", raw)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Name != "s" || doc.Failures != 1 {
		t.Fatalf("suites = %+v, want one suite s with one failure", doc.Suites)
	}
	if msg := doc.Suites[0].Cases[0].Failure.Message; !strings.Contains(msg, `]]> & <`) {
		t.Errorf("failure message %q lost the text", msg)
	}
}
