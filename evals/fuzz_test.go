package evals

import (
	"strings"
	"testing"
)

// FuzzParseSet: a set file, however broken, is read or refused with an error naming the
// file — never a panic — and a set that is read has checked cases.
func FuzzParseSet(f *testing.F) {
	f.Add(goodSet)
	f.Add("cases: [{id: a, market: DE, locale: de, turns: [hi], expect: {reply_contains: [[a, b]], latency: 5s}}]")
	f.Add("kind: tau2-retail\ntau2: {tasks: t.json, db: d.json}")
	f.Add("fixtures: {demo: [all], orders: [{id: DE-2, like: DE-10001, placed_days_ago: 3}]}\ncases: [{id: a, market: DE, locale: de, turns: [x]}]")
	f.Fuzz(func(t *testing.T, doc string) {
		s, err := ParseSet("f.yaml", strings.NewReader(doc))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, c := range s.Cases {
			if c.ID == "" || len(c.Turns) == 0 || c.Market == "" || c.Channel == "" {
				t.Fatalf("an unchecked case was accepted: %+v", c)
			}
		}
	})
}
