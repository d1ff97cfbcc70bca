package offline

import (
	"os"
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge/hashembed"
)

func TestZZDebug(t *testing.T) {
	e, _ := newTestEngine(t)
	for _, text := range strings.Split(os.Getenv("DBG"), "\n") {
		if text == "" {
			continue
		}
		m := prepareMatch(hashembed.Normalize(maskForIntent(text, extractSlots(text, false))))
		rs := ruleScores(m)
		var parts []string
		for i, w := range rs {
			if w > 0 {
				parts = append(parts, e.intents[i]+"="+strings.TrimRight(strings.TrimRight(strings.Replace(string(rune('0'+int(w*100)/100)), "", "", 0), "0"), ".")+":"+itoa(int(w*100)))
			}
		}
		in, conf := e.classify(text, extractSlots(text, false))
		t.Logf("%q → %s %.2f  rules %v  [%s]", text, in, conf, parts, m.s)
	}
}

func itoa(i int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string([]byte{byte('0' + i/10), byte('0' + i%10)}))
}

func TestZZBitextMisses(t *testing.T) {
	e, _ := newTestEngine(t)
	f, err := os.Open(bitextPath)
	if err != nil {
		t.Skip()
	}
	defer f.Close()
	recs, _ := csvReadAll(f)
	out, _ := os.Create("/tmp/bitext_misses.txt")
	defer out.Close()
	for _, r := range recs[1:] {
		got := e.Analyze(r[2], "").Intent
		if got != r[3] {
			m := prepareMatch(hashembed.Normalize(r[2]))
			rs := ruleScores(m)
			var parts []string
			for i, w := range rs {
				if w > 0 {
					parts = append(parts, e.intents[i]+":"+itoa(int(w*100)))
				}
			}
			out.WriteString(r[3] + "\t" + got + "\t" + r[2] + "\t" + strings.Join(parts, " ") + "\n")
		}
	}
}
