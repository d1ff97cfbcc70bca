package pgstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/hashembed"
)

// TestFullTextPool checks the bounded full-text ranking with a pool of 3 chunks, on articles
// in a locale no other test writes (Finnish), so that the term counts are this test's own:
// the questions must still find the article that answers them when their words are common.
func TestFullTextPool(t *testing.T) {
	ctx := context.Background()
	s, err := New(ctx, pgtest.Pool(t), hashembed.New(hashembed.DefaultDims), pgtest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	// Four filler articles hold each common word ("kvarbo", "flimt"); the answer holds both
	// common words and a rare one ("zentrix").
	id := func(n string) string { return t.Name() + "-" + n }
	// The answer goes in last, so that it is not among the first chunks of any scan.
	var recs []knowledge.Record
	for i := range 4 {
		recs = append(recs,
			knowledge.Record{ExternalID: id(fmt.Sprint("k", i)), Locale: "fi", Title: "Täyte", Body: fmt.Sprintf("Kvarbo kvarbo numero %d.", i)},
			knowledge.Record{ExternalID: id(fmt.Sprint("f", i)), Locale: "fi", Title: "Täyte", Body: fmt.Sprintf("Flimt flimt numero %d.", i)})
	}
	recs = append(recs, knowledge.Record{ExternalID: id("answer"), Locale: "fi", Title: "Vastaus", Body: "Kvarbo flimt zentrix."})
	for _, r := range recs {
		if _, err := s.Upsert(ctx, r, "test"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, question string
	}{
		{"a rare word among common ones", "kvarbo flimt zentrix"},
		{"every word common: the chunks holding the rarest together", "kvarbo flimt"},
		{"a misspelt word does not hide the others", "zentrix flimtx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := s.searchWithPool(ctx, knowledge.Query{Text: tt.question, Locale: "fi", K: 3}, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) == 0 || ps[0].ExternalID != id("answer") || ps[0].TextRank != 1 {
				t.Fatalf("search %q: got %+v, want the answer first, first in full text", tt.question, ps)
			}
		})
	}
}
