package screen

import (
	"path/filepath"
	"regexp"
	"testing"
)

// TestPrefilterExact checks that gating expressions on literals and
// splitting them into branches never changes whether they match, over
// every message in testdata (folded, squashed and rot13'd).
func TestPrefilterExact(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*.tsv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	var texts []string
	for _, f := range files {
		for _, s := range loadSet(t, filepath.Base(f)) {
			fs := fold(s.text)
			texts = append(texts, fs.s, squash(fs).s)
		}
	}
	check := func(name string, rs *ruleSet, res []*regexp.Regexp) {
		for _, s := range texts {
			sc := rs.scan(s)
			for i, re := range res {
				want := re.MatchString(s)
				got := sc.find(i) != nil
				if got != want {
					t.Errorf("%s expression %d (%.60s): gated match %v, plain match %v on %q", name, i, re, got, want, s)
				}
			}
		}
	}
	var inj []*regexp.Regexp
	for _, r := range allRules {
		inj = append(inj, r.re)
	}
	check("injection", injectionSet, append(inj, extraRes...))
	abuse := []*regexp.Regexp{profanityRe}
	for _, p := range threatPatterns {
		abuse = append(abuse, squashedRe([]string{p}))
	}
	for _, p := range harassmentPatterns {
		abuse = append(abuse, squashedRe([]string{p}))
	}
	check("abuse", abuseSet, abuse)
}

func TestAhoCorasick(t *testing.T) {
	t.Parallel()
	m := newAC([]string{"he", "she", "his", "hers", "_", "忽略"})
	for _, tt := range []struct {
		text string
		want []bool
	}{
		{"ushers", []bool{true, true, false, true, false, false}},
		{"this", []bool{false, false, true, false, false, false}},
		{"a_b 请忽略", []bool{false, false, false, false, true, true}},
		{"", []bool{false, false, false, false, false, false}},
	} {
		got := make([]bool, 6)
		m.scan(tt.text, got)
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("scan(%q) = %v, want %v", tt.text, got, tt.want)
				break
			}
		}
	}
}
