package pgstore_test

import (
	"context"
	"testing"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/hashembed"
)

// TestAnIndexBuildThatDiedIsBuiltAgain: a vector index left invalid (as a CREATE INDEX
// CONCURRENTLY that was interrupted leaves it) is dropped and built again when the space is
// opened, and searches use the vectors afterwards.
func TestAnIndexBuildThatDiedIsBuiltAgain(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Pool(t)
	e := hashembed.New(40) // a space of its own in the shared test database
	s := newStore(t, e)
	id := unique(t, "customs")
	seed(t, s, knowledge.Record{ExternalID: id, Locale: "en", Title: "Customs", Body: "Duties and import taxes are paid by the recipient outside the EU."})

	var index string
	if err := db.QueryRow(ctx, `SELECT indexname FROM pg_indexes WHERE tablename = 'kb_embeddings' AND indexdef LIKE '%' || $1 || '%'`,
		e.Model()).Scan(&index); err != nil {
		t.Fatalf("find the space's index: %v", err)
	}
	valid := func() bool {
		var v bool
		if err := db.QueryRow(ctx, `SELECT indisvalid FROM pg_index WHERE indexrelid = $1::regclass`, index).Scan(&v); err != nil {
			t.Fatalf("read index state: %v", err)
		}
		return v
	}
	if !valid() {
		t.Fatal("the new index is not valid")
	}
	if _, err := db.Exec(ctx, `UPDATE pg_index SET indisvalid = false WHERE indexrelid = $1::regclass`, index); err != nil {
		t.Fatalf("mark the index invalid: %v", err)
	}
	s = newStore(t, e)
	if !valid() {
		t.Fatal("opening the space left the invalid index in place")
	}
	ps, err := s.Search(ctx, knowledge.Query{Text: "who pays import duties", Locale: "en", K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) == 0 || ps[0].ExternalID != id || ps[0].VectorRank == 0 {
		t.Fatalf("search after the rebuild: %+v, want the article found by its vectors too", ps)
	}
}
