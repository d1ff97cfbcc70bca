package taboo

import (
	"time"

	"github.com/attache-dev/attache/knowledge/segment"
)

// segmentIndex is segment's tokenisation for a language without a stemmer.
func segmentIndex(s string) string { return segment.ForIndex("zh", s) }

func mustDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}
