package pgstore_test

import (
	"context"
	"testing"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/hashembed"
	"github.com/attache-dev/attache/knowledge/pgstore"
)

// TestTheFillerCompletesVectorsStoredDuringARun: rows stored text-only while the filler is
// running get their vectors from the run it schedules after; Wait returns once it is done.
func TestTheFillerCompletesVectorsStoredDuringARun(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, hashembed.New(56)) // a space of its own in the shared test database
	f := pgstore.NewFiller(ctx, s, pgtest.Logger())
	seed(t, s.TextOnly(), knowledge.Record{ExternalID: unique(t, "a"), Locale: "en", Title: "Customs", Body: "Duties are paid by the recipient."})
	f.Request()
	seed(t, s.TextOnly(), knowledge.Record{ExternalID: unique(t, "b"), Locale: "en", Title: "Returns", Body: "Thirty days to return an item."})
	f.Request()
	f.Wait()
	if n, err := s.MissingVectors(ctx); err != nil || n != 0 {
		t.Fatalf("%d chunks still lack vectors (%v)", n, err)
	}
}
