// Package pgstore keeps the knowledge base in PostgreSQL with pgvector and retrieves from it:
// one SQL statement fuses an HNSW vector ranking and a language-aware full-text ranking by
// reciprocal rank fusion, filtered by locale and market.
//
// Writes are idempotent: a record whose content has not changed is left alone; a changed one
// gets a new version with its history kept. Embeddings are computed after the text is
// committed, so a failing embedder loses nothing: full text still finds the article and
// Reembed fills the gaps.
//
// It is not where records are validated (the importer does that), nor where text is chunked
// or segmented (the chunk and segment packages); it computes no vectors itself, but asks the
// knowledge.Embedder it is given.
package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/chunk"
	"github.com/attache-dev/attache/knowledge/segment"
)

// Store is the PostgreSQL knowledge base.
type Store struct {
	db       *pgxpool.Pool
	embedder knowledge.Embedder
	logger   *slog.Logger
	search   string // the hybrid query, with the embedding space's model and dims inlined
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

// Upsert stores a record as the current version of its variant. by names who made the change.
func (s *Store) Upsert(ctx context.Context, rec knowledge.Record, by string) (knowledge.Outcome, error) {
	if rec.Status == "" {
		rec.Status = "published"
	}
	hash := contentHash(rec)
	var outcome knowledge.Outcome
	var rebuild []string // variant IDs whose chunks must be rebuilt
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var articleID string
		if err := tx.QueryRow(ctx, `INSERT INTO kb_articles (id, external_id) VALUES ($1, $2)
			ON CONFLICT (external_id) DO UPDATE SET updated_at = kb_articles.updated_at
			RETURNING id::text`, uuid.Must(uuid.NewV7()), rec.ExternalID).Scan(&articleID); err != nil {
			return fmt.Errorf("upsert article: %w", err)
		}
		var variantID, oldHash string
		var version int
		err := tx.QueryRow(ctx, `SELECT id::text, content_hash, version FROM kb_variants
			WHERE article_id = $1 AND locale = $2 AND market = $3 FOR UPDATE`,
			articleID, rec.Locale, rec.Market).Scan(&variantID, &oldHash, &version)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			outcome, variantID, version = knowledge.Created, uuid.Must(uuid.NewV7()).String(), 1
		case err != nil:
			return fmt.Errorf("read variant: %w", err)
		case oldHash == hash:
			outcome = knowledge.Unchanged
			return nil
		default:
			outcome, version = knowledge.Updated, version+1
		}
		// A translation is made from the source's current version unless it says otherwise.
		var sourceVersion *int
		if rec.SourceLocale != "" {
			var v int
			err := tx.QueryRow(ctx, `SELECT version FROM kb_variants WHERE article_id = $1 AND locale = $2 AND market = ''`,
				articleID, rec.SourceLocale).Scan(&v)
			if err == nil {
				sourceVersion = &v
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("read source version: %w", err)
			}
		}
		tags := rec.Tags
		if tags == nil {
			tags = []string{}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kb_variants (id, article_id, locale, market, title, body, tags, url, status,
				version, content_hash, source_locale, source_version, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (article_id, locale, market) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body,
				tags = EXCLUDED.tags, url = EXCLUDED.url, status = EXCLUDED.status, version = EXCLUDED.version,
				content_hash = EXCLUDED.content_hash, source_locale = EXCLUDED.source_locale,
				source_version = EXCLUDED.source_version, updated_by = EXCLUDED.updated_by, updated_at = now()`,
			variantID, articleID, rec.Locale, rec.Market, rec.Title, rec.Body, tags, rec.URL, rec.Status,
			version, hash, rec.SourceLocale, sourceVersion, by); err != nil {
			return fmt.Errorf("write variant: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kb_variant_versions (variant_id, version, title, body, tags, status, source_version, content_hash, changed_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			variantID, version, rec.Title, rec.Body, tags, rec.Status, sourceVersion, hash, by); err != nil {
			return fmt.Errorf("record version: %w", err)
		}
		// The variant's chunks, and — when it is market-wide — those of its market overrides,
		// whose merged text includes it.
		rows, err := tx.Query(ctx, `SELECT id::text FROM kb_variants WHERE id = $1
			OR ($2 = '' AND article_id = $3 AND locale = $4 AND market <> '')`, variantID, rec.Market, articleID, rec.Locale)
		if err != nil {
			return err
		}
		rebuild, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, id := range rebuild {
			if err := rechunk(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("upsert %s/%s%s: %w", rec.ExternalID, rec.Locale, marketSuffix(rec.Market), err)
	}
	for _, id := range rebuild {
		if err := s.embedVariant(ctx, id); err != nil {
			// The text is stored and searchable; Reembed completes the vectors later.
			s.logger.Warn("embedding failed; full text still serves the article", "external_id", rec.ExternalID, "locale", rec.Locale, "err", err)
		}
	}
	return outcome, nil
}

func marketSuffix(m string) string {
	if m == "" {
		return ""
	}
	return " (" + m + ")"
}

func contentHash(r knowledge.Record) string {
	h := sha256.New()
	for _, f := range []string{r.Title, r.Body, strings.Join(r.Tags, "\x1f"), r.URL, r.Status, r.SourceLocale} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// rechunk replaces a variant's chunks: none when it is a draft; a market override's from its
// text merged into the market-wide variant of the same locale.
func rechunk(ctx context.Context, tx pgx.Tx, variantID string) error {
	var articleID, locale, market, title, body, status string
	if err := tx.QueryRow(ctx, `SELECT article_id::text, locale, market, title, body, status FROM kb_variants WHERE id = $1`,
		variantID).Scan(&articleID, &locale, &market, &title, &body, &status); err != nil {
		return fmt.Errorf("read variant to chunk: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM kb_chunks WHERE variant_id = $1`, variantID); err != nil {
		return fmt.Errorf("delete old chunks: %w", err)
	}
	if status != "published" {
		return nil
	}
	if market != "" {
		var base string
		err := tx.QueryRow(ctx, `SELECT body FROM kb_variants WHERE article_id = $1 AND locale = $2 AND market = '' AND status = 'published'`,
			articleID, locale).Scan(&base)
		if err == nil {
			body = knowledge.MergeOverride(base, body)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	}
	lang := segment.Language(locale)
	cfg := segment.FTSConfig(lang)
	for _, c := range chunk.Split(lang, title, body, chunk.Options{}) {
		if _, err := tx.Exec(ctx, `INSERT INTO kb_chunks (variant_id, article_id, locale, market, ordinal, heading, body, fts)
			VALUES ($1, $2, $3, $4, $5, $6, $7, setweight(to_tsvector($8::regconfig, $9), 'A') || to_tsvector($8::regconfig, $10))`,
			variantID, articleID, locale, market, c.Ordinal, c.Heading, c.Text, cfg,
			segment.ForIndex(lang, c.Heading), segment.ForIndex(lang, c.Text)); err != nil {
			return fmt.Errorf("insert chunk: %w", err)
		}
	}
	return nil
}

// embedVariant embeds the chunks of a variant that have no vector in this store's space.
func (s *Store) embedVariant(ctx context.Context, variantID string) error {
	rows, err := s.db.Query(ctx, `SELECT c.id, c.heading, c.body FROM kb_chunks c
		WHERE c.variant_id = $1 AND NOT EXISTS (SELECT 1 FROM kb_embeddings e WHERE e.chunk_id = c.id AND e.model = $2)
		ORDER BY c.ordinal`, variantID, s.embedder.Model())
	if err != nil {
		return fmt.Errorf("list chunks to embed: %w", err)
	}
	type todo struct {
		id   int64
		text string
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (todo, error) {
		var t todo
		var heading, body string
		err := r.Scan(&t.id, &heading, &body)
		t.text = heading + "\n" + body
		return t, err
	})
	if err != nil {
		return fmt.Errorf("list chunks to embed: %w", err)
	}
	if len(items) == 0 {
		return nil
	}
	texts := make([]string, len(items))
	for i, it := range items {
		texts[i] = it.text
	}
	vecs, err := s.embedder.EmbedBatch(ctx, texts)
	if err != nil {
		return fmt.Errorf("embed %d chunks: %w", len(texts), err)
	}
	if len(vecs) != len(items) {
		return fmt.Errorf("embedder returned %d vectors for %d texts", len(vecs), len(items))
	}
	batch := &pgx.Batch{}
	for i, it := range items {
		if len(vecs[i]) != s.embedder.Dims() {
			return fmt.Errorf("embedder returned %d dimensions, declared %d", len(vecs[i]), s.embedder.Dims())
		}
		batch.Queue(`INSERT INTO kb_embeddings (chunk_id, model, embedding) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			it.id, s.embedder.Model(), pgvector.NewVector(vecs[i]))
	}
	if err := s.db.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("store %d vectors: %w", len(items), err)
	}
	return nil
}

// Reembed computes the missing vectors of every chunk in this store's embedding space — after
// an embedder failure, or after switching to a new embedding model. It returns how many
// variants it visited.
func (s *Store) Reembed(ctx context.Context) (int, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT c.variant_id::text FROM kb_chunks c
		WHERE NOT EXISTS (SELECT 1 FROM kb_embeddings e WHERE e.chunk_id = c.id AND e.model = $1)`, s.embedder.Model())
	if err != nil {
		return 0, fmt.Errorf("list variants to re-embed: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("list variants to re-embed: %w", err)
	}
	for i, id := range ids {
		if err := s.embedVariant(ctx, id); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}
