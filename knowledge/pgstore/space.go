package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

func (s *Store) ensureSpace(ctx context.Context) error {
	model, dims := s.embedder.Model(), s.embedder.Dims()
	var have int
	err := s.db.QueryRow(ctx, `INSERT INTO kb_embedding_spaces (model, dims) VALUES ($1, $2)
		ON CONFLICT (model) DO UPDATE SET model = EXCLUDED.model RETURNING dims`, model, dims).Scan(&have)
	if err != nil {
		return fmt.Errorf("register embedding space %s: %w", model, err)
	}
	if have != dims {
		return fmt.Errorf("embedding space %s is registered with %d dimensions, the embedder has %d: use a new model name", model, have, dims)
	}
	_, err = s.db.Exec(ctx, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON kb_embeddings
		USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WHERE model = %s`,
		indexName(model), dims, quoteLiteral(model)))
	if err != nil {
		return fmt.Errorf("create vector index for %s: %w", model, err)
	}
	return nil
}

func indexName(model string) string {
	h := sha256.Sum256([]byte(model))
	return "kb_embeddings_hnsw_" + hex.EncodeToString(h[:6])
}

// quoteLiteral quotes s as an SQL string literal. It is used only for the embedding model's
// name, which comes from configuration, in DDL and in the one query that must repeat the
// partial index's predicate verbatim for the planner to use the index.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
