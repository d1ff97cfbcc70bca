package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
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
	name := indexName(model)
	if err := s.buildIndex(ctx, name, model, dims); err != nil {
		return err
	}
	// An index of the same space built with other parameters (an older release's) is
	// dropped once its replacement exists, so that searches never lack an index.
	rows, err := s.db.Query(ctx, `SELECT indexname FROM pg_indexes
		WHERE tablename = 'kb_embeddings' AND indexname LIKE $1 AND indexname <> $2`,
		strings.ReplaceAll(indexPrefix(model), "_", `\_`)+"%", name)
	if err != nil {
		return fmt.Errorf("list vector indexes of %s: %w", model, err)
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list vector indexes of %s: %w", model, err)
	}
	for _, o := range old {
		if _, err := s.db.Exec(ctx, `DROP INDEX IF EXISTS `+pgx.Identifier{o}.Sanitize()); err != nil {
			return fmt.Errorf("drop superseded vector index %s: %w", o, err)
		}
		s.logger.Info("dropped superseded vector index", "index", o, "model", model)
	}
	return nil
}

// buildIndex creates the space's HNSW index without blocking writes (CREATE INDEX
// CONCURRENTLY: imports and edits go on while a large corpus is indexed). Builders are
// serialised by an advisory lock, so an invalid index found under the lock is the remains of
// a build that died (a crash, a cancelled start): it is dropped and built again.
func (s *Store) buildIndex(ctx context.Context, name, model string, dims int) error {
	conn, err := s.db.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("create vector index for %s: %w", model, err)
	}
	defer conn.Release()
	lock := indexLockKey(name)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lock); err != nil {
		return fmt.Errorf("lock vector index build for %s: %w", model, err)
	}
	defer func() {
		// A fresh context: the lock must be released even when ctx ended the build.
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lock)
	}()
	var valid *bool
	err = conn.QueryRow(ctx, `SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE c.relname = $1`, name).Scan(&valid)
	switch {
	case err == nil && valid != nil && *valid:
		return nil
	case err == nil: // the remains of a build that died
		s.logger.Warn("rebuilding an invalid vector index", "index", name, "model", model)
		if _, err := conn.Exec(ctx, `DROP INDEX IF EXISTS `+pgx.Identifier{name}.Sanitize()); err != nil {
			return fmt.Errorf("drop invalid vector index %s: %w", name, err)
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("look up vector index %s: %w", name, err)
	}
	start := time.Now()
	_, err = conn.Exec(ctx, fmt.Sprintf(`CREATE INDEX CONCURRENTLY IF NOT EXISTS %s ON kb_embeddings
		USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WITH (m = %d, ef_construction = %d)
		WHERE model = %s`,
		name, dims, hnswM, hnswEfConstruction, quoteLiteral(model)))
	if err != nil {
		return fmt.Errorf("create vector index for %s: %w", model, err)
	}
	if d := time.Since(start); d > time.Second {
		s.logger.Info("vector index built", "index", name, "model", model, "took", d.Round(time.Millisecond))
	}
	return nil
}

// indexLockKey is the advisory lock that serialises the builds of one index.
func indexLockKey(name string) int64 {
	h := sha256.Sum256([]byte("attache:kb-index:" + name))
	return int64(binary.BigEndian.Uint64(h[:8]))
}

// The HNSW graph's build parameters (pgvector's defaults are m = 16, ef_construction = 64).
// Hashed embeddings are hard for a graph index: a text's nearest neighbours are only a little
// closer than random ones (mean cosine 0.51 against 0.31 on English XQuAD). At 100k chunks
// (BenchmarkSearchLatency) the default graph found 0.89 of the exact top 10 at ef_search 400
// and 0.94 at 800; built with ef_construction 128 it finds 0.92 and 0.98, for about twice
// the build time and a costlier insert. The parameters are part of the index's name, so that
// a database indexed with other values gets a new index when the space is registered.
const (
	hnswM              = 16
	hnswEfConstruction = 128
)

// indexPrefix starts the names of every HNSW index of the space (with the legacy name, which
// carried no parameters).
func indexPrefix(model string) string {
	h := sha256.Sum256([]byte(model))
	return "kb_embeddings_hnsw_" + hex.EncodeToString(h[:6])
}

func indexName(model string) string {
	return fmt.Sprintf("%s_m%d_efc%d", indexPrefix(model), hnswM, hnswEfConstruction)
}

// quoteLiteral quotes s as an SQL string literal. It is used only for the embedding model's
// name, which comes from configuration, in DDL and in the one query that must repeat the
// partial index's predicate verbatim for the planner to use the index.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
