package pgstore_test

import (
	"context"
	"testing"

	"github.com/attache-dev/attache/internal/testutil/openaistub"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/openaiembed"
)

// TestAnOpenAICompatibleEmbedderGetsItsOwnSpace embeds through the OpenAI wire protocol (a
// local stub) next to the hashing embedder: each model's vectors are searched on their own.
func TestAnOpenAICompatibleEmbedderGetsItsOwnSpace(t *testing.T) {
	ctx := context.Background()
	stub := openaistub.New(t)
	e, err := openaiembed.New(ctx, openaiembed.Config{BaseURL: stub.URL(), Model: "bge-m3", Dims: 64})
	if err != nil {
		t.Fatal(err)
	}
	s := newStore(t, e)
	id := unique(t, "customs")
	seed(t, s, knowledge.Record{ExternalID: id, Locale: "en", Title: "Customs", Body: "Duties and import taxes are paid by the recipient outside the EU."})
	ps, err := s.Search(ctx, knowledge.Query{Text: "who pays import duties", Locale: "en", K: 10})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range ps {
		if p.ExternalID == id && p.VectorRank > 0 {
			found = true
		}
	}
	if !found {
		t.Fatalf("the article is not in the openai space's vector ranking: %+v", ps)
	}
	if n := len(stub.EmbeddingRequests()); n < 2 {
		t.Fatalf("%d embedding requests, want the chunks' and the query's", n)
	}
}
