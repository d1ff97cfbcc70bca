package openaiembed

import (
	"context"
	"testing"

	"github.com/attache-dev/attache/internal/testutil/openaistub"
	"github.com/attache-dev/attache/knowledge"
)

var _ knowledge.Embedder = (*Embedder)(nil)

func TestEmbedsThroughTheOpenAIProtocol(t *testing.T) {
	stub := openaistub.New(t)
	stub.SetEmbeddingDimensions(48)
	e, err := New(context.Background(), Config{BaseURL: stub.URL(), Model: "text-embedding-3-small"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Dims() != 48 || e.Model() != "openai:text-embedding-3-small/48" {
		t.Fatalf("probed %d dims, model %q", e.Dims(), e.Model())
	}
	texts := make([]string, 150) // three requests
	for i := range texts {
		texts[i] = "passage " + string(rune('a'+i%26))
	}
	vecs, err := e.EmbedBatch(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 150 || len(vecs[149]) != 48 {
		t.Fatalf("%d vectors of %d", len(vecs), len(vecs[0]))
	}
	same, _ := e.EmbedBatch(context.Background(), texts[:1])
	for i := range same[0] {
		if same[0][i] != vecs[0][i] {
			t.Fatal("the same text embedded twice differs: order lost?")
		}
	}
	reqs := stub.EmbeddingRequests()
	if len(reqs) != 1+3+1 || reqs[1].Model != "text-embedding-3-small" || len(reqs[1].Input) != batchSize {
		t.Fatalf("requests: %d, first batch %+v", len(reqs), reqs[1].Input[:2])
	}
	if reqs[1].Header.Get("Authorization") != "" {
		t.Error("an Authorization header was sent without an API key")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{{BaseURL: "http://127.0.0.1:1/v1"}, {Model: "m", BaseURL: "ftp://x"}} {
		if _, err := New(context.Background(), cfg); err == nil {
			t.Errorf("config %+v: want an error", cfg)
		}
	}
}
