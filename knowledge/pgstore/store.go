// Package pgstore keeps the knowledge base in PostgreSQL with pgvector and retrieves from it:
// one SQL statement fuses an HNSW vector ranking and a language-aware full-text ranking by
// reciprocal rank fusion, filtered by locale and market.
//
// Writes are idempotent: a record whose content has not changed is left alone; a changed one
// gets a new version with its history kept. UpsertBatch stores many records in one
// transaction with a few statements (Upsert is a batch of one), which is what makes large
// imports fast. Embeddings are computed after the text is committed, so a failing embedder
// loses nothing: full text still finds the article and Reembed fills the gaps.
//
// It is not where records are validated (the importer does that), nor where text is chunked
// or segmented (the chunk and segment packages); it computes no vectors itself, but asks the
// knowledge.Embedder it is given.
package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/knowledge"
)

// Store is the PostgreSQL knowledge base.
type Store struct {
	db       *pgxpool.Pool
	embedder knowledge.Embedder
	logger   *slog.Logger
	search   string // the hybrid query, with the embedding space's model and dims inlined
	// textOnly leaves the vectors of new chunks to Reembed (see TextOnly).
	textOnly bool
}

// New returns a store that embeds with embedder, registering its embedding space (and the
// space's HNSW index) if this is its first use. A space already registered under the same
// model name with other dimensions is an error: re-embed under a new model name instead.
func New(ctx context.Context, db *pgxpool.Pool, embedder knowledge.Embedder, logger *slog.Logger) (*Store, error) {
	s := &Store{db: db, embedder: embedder, logger: logger}
	if err := s.ensureSpace(ctx); err != nil {
		return nil, err
	}
	s.search = hybridQuery(embedder.Model(), embedder.Dims())
	return s, nil
}

// TextOnly returns a store that writes like s — same versions, history and chunks, searchable
// by full text at once — but computes no vectors: Reembed completes them later. It is for
// bulk imports where storing vectors dominates the time: each row inserted into a pgvector
// HNSW index costs about 10 ms on the embedded PGlite (Postgres compiled to WASM), against
// about 1 ms for the rest of a record, so an import of 10,000 FAQ rows takes about 15 s
// text-only and over 3 minutes with its vectors. Run Reembed after the import (in the
// background: search works meanwhile, by full text alone for the new chunks).
func (s *Store) TextOnly() *Store {
	t := *s
	t.textOnly = true
	return &t
}

// Upsert stores a record as the current version of its variant. by names who made the change.
// It is UpsertBatch of one record.
func (s *Store) Upsert(ctx context.Context, rec knowledge.Record, by string) (knowledge.Outcome, error) {
	outs, err := s.UpsertBatch(ctx, []knowledge.Record{rec}, by)
	if err != nil {
		return "", err
	}
	return outs[0], nil
}

func marketSuffix(m string) string {
	if m == "" {
		return ""
	}
	return " (" + m + ")"
}

func contentHash(r knowledge.Record) string {
	h := sha256.New()
	fields := []string{r.Title, r.Body, strings.Join(r.Tags, "\x1f"), r.URL, r.Status, r.SourceLocale}
	if len(r.Channels) > 0 || audience(r) != knowledge.AudienceCustomers {
		// Only when set, so that the hashes of variants stored before these fields existed
		// do not change and re-importing them changes nothing.
		fields = append(fields, strings.Join(r.Channels, "\x1f"), audience(r))
	}
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Reembed computes the missing vectors of every chunk in this store's embedding space — after
// an embedder failure, after a TextOnly import, or after switching to a new embedding model —
// maxEmbedBatch chunks per embedder call and statement. It returns how many variants it
// visited. On an error the vectors stored before it stay stored, and Reembed can run again.
func (s *Store) Reembed(ctx context.Context) (int, error) {
	return s.FillVectors(ctx, nil)
}

// MissingVectors counts the chunks that have no vector in this store's embedding space.
func (s *Store) MissingVectors(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM kb_chunks c
		WHERE NOT EXISTS (SELECT 1 FROM kb_embeddings e WHERE e.chunk_id = c.id AND e.model = $1)`, s.embedder.Model()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count chunks without vectors: %w", err)
	}
	return n, nil
}

// FillVectors is Reembed reporting, after each stored page, how many chunks it embedded so far.
func (s *Store) FillVectors(ctx context.Context, progress func(chunks int)) (int, error) {
	variants := make(map[string]bool)
	done := 0
	var after int64
	for {
		rows, err := s.db.Query(ctx, `SELECT c.id, c.variant_id::text, c.heading, c.body FROM kb_chunks c
			WHERE c.id > $1 AND NOT EXISTS (SELECT 1 FROM kb_embeddings e WHERE e.chunk_id = c.id AND e.model = $2)
			ORDER BY c.id LIMIT $3`, after, s.embedder.Model(), maxEmbedBatch)
		if err != nil {
			return len(variants), fmt.Errorf("list chunks to embed: %w", err)
		}
		var page []chunkText
		var c chunkText
		var variant, heading, body string
		if _, err := pgx.ForEachRow(rows, []any{&c.id, &variant, &heading, &body}, func() error {
			c.text = heading + "\n" + body
			page = append(page, c)
			variants[variant] = true
			return nil
		}); err != nil {
			return len(variants), fmt.Errorf("list chunks to embed: %w", err)
		}
		if len(page) == 0 {
			return len(variants), nil
		}
		if err := s.storeVectors(ctx, page); err != nil {
			return len(variants), err
		}
		done += len(page)
		if progress != nil {
			progress(done)
		}
		after = page[len(page)-1].id
	}
}
