package segment

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// TestXQuADLexicalRetrieval ranks the 240 XQuAD paragraphs (CC BY-SA 4.0, in the
// project's development data beside the checkout) for each of their 1,190 questions by
// the number of query terms a paragraph contains, the way an OR tsquery ranks them, and
// checks how often the paragraph the question was written from comes first or in the top
// five. Chinese with ForIndex/ForQuery must do at least as well as English, which
// Postgres tokenises itself (here without its stemmer, which adds a few points); Chinese
// as Postgres's parser sees it, runs of characters between punctuation, must fail, or the
// test shows nothing. It is skipped when the data is not there.
func TestXQuADLexicalRetrieval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang      string
		segmented bool
		minTop5   float64
		maxTop5   float64
	}{
		{"en", true, 0.88, 1},
		{"zh", true, 0.95, 1},
		{"zh", false, 0, 0.30},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/segmented=%v", tt.lang, tt.segmented), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile("../../../shared/evaldata/retrieval/xquad/xquad." + tt.lang + ".json")
			if err != nil {
				t.Skipf("development data not available: %v", err)
			}
			var d struct {
				Data []struct {
					Paragraphs []struct {
						Context string
						Qas     []struct{ Question string }
					}
				}
			}
			if err := json.Unmarshal(raw, &d); err != nil {
				t.Fatalf("decode: %v", err)
			}
			// Lexemes per paragraph: for English, and for unsegmented Chinese, the words
			// as Postgres's parser cuts them, lower-cased.
			lexemes := func(text string) map[string]bool {
				if tt.segmented && !stemmed(tt.lang) {
					text = ForIndex(tt.lang, text)
				}
				set := map[string]bool{}
				if tt.segmented && !stemmed(tt.lang) {
					for _, w := range strings.Fields(text) {
						set[w] = true
					}
					return set
				}
				scan(strings.ToLower(text), false, func(tm term) { set[tm.text] = true })
				return set
			}
			queryTerms := func(q string) []string {
				var out []string
				if !tt.segmented {
					scan(strings.ToLower(q), false, func(tm term) { out = append(out, tm.text) })
					return out
				}
				for _, term := range strings.Split(ForQuery(tt.lang, q), " | ") {
					out = append(out, strings.Trim(strings.TrimSuffix(term, ":*"), "'"))
				}
				return out
			}
			var docs []map[string]bool
			type question struct {
				text string
				gold int
			}
			var qs []question
			for _, a := range d.Data {
				for _, p := range a.Paragraphs {
					for _, qa := range p.Qas {
						qs = append(qs, question{qa.Question, len(docs)})
					}
					docs = append(docs, lexemes(p.Context))
				}
			}
			top1, top5 := 0, 0
			for _, q := range qs {
				terms := queryTerms(q.text)
				type hit struct{ doc, score int }
				var hits []hit
				for i, doc := range docs {
					score := 0
					for _, term := range terms {
						if doc[term] {
							score++
						}
					}
					if score > 0 {
						hits = append(hits, hit{i, score})
					}
				}
				sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
				for rank, h := range hits[:min(5, len(hits))] {
					if h.doc == q.gold {
						top5++
						if rank == 0 {
							top1++
						}
					}
				}
			}
			r1, r5 := float64(top1)/float64(len(qs)), float64(top5)/float64(len(qs))
			t.Logf("%d questions: recall@1 %.3f, recall@5 %.3f", len(qs), r1, r5)
			if r5 < tt.minTop5 || r5 > tt.maxTop5 {
				t.Errorf("recall@5 = %.3f, want within [%.2f, %.2f]", r5, tt.minTop5, tt.maxTop5)
			}
		})
	}
}
