package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attache-dev/attache/knowledge"
)

// ArticleFilter narrows the article list of the knowledge console.
type ArticleFilter struct {
	Query     string // case-insensitive substring of the external ID or of any variant's title
	Locale    string // only articles with a variant in this locale
	StaleOnly bool   // only articles with a stale translation (in Locale, when given)
	Limit     int    // default 200, at most 1000
}

// LocaleStatus is one variant of an article as the article list shows it.
type LocaleStatus struct {
	Locale, Market, Status string
	Version                int
	Stale                  bool
}

// ArticleSummary is one line of the article list.
type ArticleSummary struct {
	ExternalID string
	Title      string // the source variant's title (or the first variant's, when no source exists)
	Variants   []LocaleStatus
}

// ArticleVariant is one variant of an article with its full text, for editing.
type ArticleVariant struct {
	Locale, Market, Title, Body string
	Tags                        []string
	URL, Status                 string
	Version                     int
	SourceLocale                string
	SourceVersion               int  // the source's version this translation was made from (0 = unknown)
	Stale                       bool // the source has changed since
	UpdatedBy                   string
	UpdatedAt                   time.Time
	Channels                    []string // none: every channel
	Audience                    string   // knowledge.AudienceCustomers or knowledge.AudienceAgents
}

// Article is an article with every variant, sources first.
type Article struct {
	ExternalID string
	Variants   []ArticleVariant
}

// Version is one entry of a variant's history.
type Version struct {
	Version       int
	Title, Status string
	SourceVersion int
	ChangedBy     string
	ChangedAt     time.Time
}

// staleExpr says whether variant v lags behind its source src (joined market-wide).
const staleExpr = `(v.source_locale <> '' AND src.version IS NOT NULL AND coalesce(v.source_version, 0) < src.version)`

// Articles lists articles with the status of each variant, ordered by external ID.
func (s *Store) Articles(ctx context.Context, f ArticleFilter) ([]ArticleSummary, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	f.Limit = min(f.Limit, 1000)
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Query) + "%"
	rows, err := s.db.Query(ctx, `
		WITH vs AS (
			SELECT a.id AS article_id, a.external_id, v.locale, v.market, v.title, v.status, v.version,
				v.source_locale, `+staleExpr+` AS stale
			FROM kb_articles a
			JOIN kb_variants v ON v.article_id = a.id
			LEFT JOIN kb_variants src ON src.article_id = v.article_id AND src.locale = v.source_locale AND src.market = ''
		), picked AS (
			SELECT article_id FROM vs GROUP BY article_id, external_id
			HAVING ($1 = '' OR bool_or(external_id ILIKE $2 OR title ILIKE $2))
				AND ($3 = '' OR bool_or(locale = $3))
				AND (NOT $4 OR bool_or(stale AND ($3 = '' OR locale = $3)))
			ORDER BY external_id
			LIMIT $5
		)
		SELECT vs.external_id, vs.title, vs.source_locale, vs.locale, vs.market, vs.status, vs.version, vs.stale
		FROM vs JOIN picked USING (article_id)
		ORDER BY vs.external_id, vs.source_locale <> '', vs.market <> '', vs.locale, vs.market`,
		f.Query, like, f.Locale, f.StaleOnly, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	defer rows.Close()
	out := []ArticleSummary{}
	for rows.Next() {
		var id, title, sourceLocale string
		var ls LocaleStatus
		if err := rows.Scan(&id, &title, &sourceLocale, &ls.Locale, &ls.Market, &ls.Status, &ls.Version, &ls.Stale); err != nil {
			return nil, fmt.Errorf("list articles: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].ExternalID != id {
			// Rows come sources first, so the first row of an article names it.
			out = append(out, ArticleSummary{ExternalID: id, Title: title})
		}
		a := &out[len(out)-1]
		a.Variants = append(a.Variants, ls)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	return out, nil
}

// Article returns an article with the full text of every variant, sources first. An unknown
// external ID is knowledge.ErrNotFound.
func (s *Store) Article(ctx context.Context, externalID string) (Article, error) {
	rows, err := s.db.Query(ctx, `
		SELECT v.locale, v.market, v.title, v.body, v.tags, v.url, v.status, v.version, v.source_locale,
			coalesce(v.source_version, 0), `+staleExpr+`, v.updated_by, v.updated_at, v.channels, v.audience
		FROM kb_variants v
		JOIN kb_articles a ON a.id = v.article_id
		LEFT JOIN kb_variants src ON src.article_id = v.article_id AND src.locale = v.source_locale AND src.market = ''
		WHERE a.external_id = $1
		ORDER BY v.source_locale <> '', v.market <> '', v.locale, v.market`, externalID)
	if err != nil {
		return Article{}, fmt.Errorf("read article %s: %w", externalID, err)
	}
	vs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ArticleVariant, error) {
		var v ArticleVariant
		err := r.Scan(&v.Locale, &v.Market, &v.Title, &v.Body, &v.Tags, &v.URL, &v.Status, &v.Version,
			&v.SourceLocale, &v.SourceVersion, &v.Stale, &v.UpdatedBy, &v.UpdatedAt, &v.Channels, &v.Audience)
		return v, err
	})
	if err != nil {
		return Article{}, fmt.Errorf("read article %s: %w", externalID, err)
	}
	if len(vs) == 0 {
		return Article{}, knowledge.ErrNotFound
	}
	return Article{ExternalID: externalID, Variants: vs}, nil
}

// History lists the versions of one variant, newest first. An unknown variant is
// knowledge.ErrNotFound.
func (s *Store) History(ctx context.Context, externalID, locale, market string) ([]Version, error) {
	var variantID string
	err := s.db.QueryRow(ctx, `SELECT v.id::text FROM kb_variants v JOIN kb_articles a ON a.id = v.article_id
		WHERE a.external_id = $1 AND v.locale = $2 AND v.market = $3`, externalID, locale, market).Scan(&variantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, knowledge.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find variant %s/%s%s: %w", externalID, locale, marketSuffix(market), err)
	}
	rows, err := s.db.Query(ctx, `SELECT version, title, status, coalesce(source_version, 0), changed_by, changed_at
		FROM kb_variant_versions WHERE variant_id = $1 ORDER BY version DESC`, variantID)
	if err != nil {
		return nil, fmt.Errorf("read history of %s/%s%s: %w", externalID, locale, marketSuffix(market), err)
	}
	hs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Version, error) {
		var v Version
		err := r.Scan(&v.Version, &v.Title, &v.Status, &v.SourceVersion, &v.ChangedBy, &v.ChangedAt)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("read history of %s/%s%s: %w", externalID, locale, marketSuffix(market), err)
	}
	return hs, nil
}

// ErrNotATranslation is returned by MarkReviewed for a variant that has no source.
var ErrNotATranslation = errors.New("knowledge: the variant is not a translation")

// MarkReviewed records that a translation, reviewed by by, still says what the current version
// of its source says: it counts as made from that version, so it is no longer stale. The
// review is a new version in the history; the text is unchanged.
func (s *Store) MarkReviewed(ctx context.Context, externalID, locale, market, by string) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var id string
		var srcVersion *int
		err := tx.QueryRow(ctx, `SELECT v.id::text, src.version FROM kb_variants v
			JOIN kb_articles a ON a.id = v.article_id
			LEFT JOIN kb_variants src ON src.article_id = v.article_id AND src.locale = v.source_locale AND src.market = ''
			WHERE a.external_id = $1 AND v.locale = $2 AND v.market = $3 FOR UPDATE OF v`,
			externalID, locale, market).Scan(&id, &srcVersion)
		if errors.Is(err, pgx.ErrNoRows) {
			return knowledge.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("find variant %s/%s%s: %w", externalID, locale, marketSuffix(market), err)
		}
		if srcVersion == nil {
			return ErrNotATranslation
		}
		if _, err := tx.Exec(ctx, `UPDATE kb_variants SET source_version = $2, version = version + 1,
			updated_by = $3, updated_at = now() WHERE id = $1`, id, *srcVersion, by); err != nil {
			return fmt.Errorf("mark reviewed: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO kb_variant_versions (variant_id, version, title, body, tags, status, source_version, content_hash, changed_by)
			SELECT id, version, title, body, tags, status, source_version, content_hash, $2 FROM kb_variants WHERE id = $1`, id, by)
		if err != nil {
			return fmt.Errorf("record review: %w", err)
		}
		return nil
	})
}
