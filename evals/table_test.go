package evals

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWriteTable(t *testing.T) {
	run := reportRun()
	run.Cases[0].Intent = strings.Repeat("a_very_long_intent_name_", 5) // 120 characters
	var buf bytes.Buffer
	if err := WriteTable(&buf, run); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	rows := map[string][]string{} // first cell → row cells; the first row of each name wins
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("line of %d characters, want at most 100: %q", n, line)
		}
		if strings.TrimRight(line, " ") != line {
			t.Errorf("trailing spaces in %q", line)
		}
		cells := strings.Fields(line)
		if len(cells) > 0 {
			if _, seen := rows[cells[0]]; !seen {
				rows[cells[0]] = cells
			}
		}
	}
	tests := []struct {
		row  string
		want string // cases passed "pass" "rate" pass^k, as fields
	}{
		{"language", "language cases passed pass rate pass^k"},
		{"en", "en 3 1 55.6% 33.3%"},
		{"ar", "ar 2 1 60.0% 50.0%"},
		{"total", "total 5 2 57.1% 40.0%"},
		{"market", "market cases passed pass rate pass^k"},
		{"US", "US 2 1 83.3% 50.0%"},
		{"GB", "GB 1 0 0.0% 0.0%"},
		{"SA", "SA 2 1 60.0% 50.0%"},
		{"intent", "intent cases passed pass rate pass^k"},
		{"(none)", "(none) 1 0 0.0% 0.0%"},
		{"refund_request", "refund_request 1 0 66.7% 0.0%"},
	}
	for _, tt := range tests {
		if got := strings.Join(rows[tt.row], " "); got != tt.want {
			t.Errorf("row %s = %q, want %q", tt.row, got, tt.want)
		}
	}
	for _, absent := range []string{"ja", "JP"} {
		if _, ok := rows[absent]; ok {
			t.Errorf("a row for %s, whose cases were not runnable", absent)
		}
	}
	if !strings.Contains(out, "not runnable: 2 of 7 cases") {
		t.Errorf("the not-runnable cases are not mentioned:\n%s", out)
	}
	if !strings.Contains(out, "a_very_long_intent_name_a_very_long_int…") {
		t.Errorf("a long intent is not shortened:\n%s", out)
	}
	if strings.Count(out, "total") != 3 {
		t.Errorf("want a total row per table:\n%s", out)
	}
}
