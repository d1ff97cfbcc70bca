package pgstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	"golang.org/x/text/language"

	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/segment"
)

// rrfK is the constant of reciprocal rank fusion: score = Σ 1/(rrfK + rank).
const rrfK = 60

// candidates is how many chunks each ranking contributes before fusion.
const candidates = 40

// hybridQuery is the one statement that ranks chunks by vector similarity (through the
// space's partial HNSW index: the ORDER BY and WHERE repeat the index's expression and
// predicate) and by full text (each candidate locale's query parsed with its own text-search
// configuration), and fuses the two rankings.
//
// $1 query vector, $2 locales, $3 market, $4 FTS configs (per locale), $5 tsquery texts (per
// locale), $6 candidates per ranking, $7 result limit.
func hybridQuery(model string, dims int) string {
	vec := fmt.Sprintf("(e.embedding::vector(%d))", dims)
	return `
WITH vec AS (
	SELECT c.id, row_number() OVER (ORDER BY ` + vec + ` <=> $1::vector(` + fmt.Sprint(dims) + `)) AS r,
		1 - (` + vec + ` <=> $1::vector(` + fmt.Sprint(dims) + `)) AS sim
	FROM kb_embeddings e JOIN kb_chunks c ON c.id = e.chunk_id
	WHERE e.model = ` + quoteLiteral(model) + ` AND c.locale = ANY($2) AND c.market IN ('', $3)
	ORDER BY ` + vec + ` <=> $1::vector(` + fmt.Sprint(dims) + `)
	LIMIT $6
), q AS (
	SELECT u.locale, to_tsquery(u.cfg::regconfig, u.qt) AS tsq
	FROM unnest($2::text[], $4::text[], $5::text[]) AS u (locale, cfg, qt)
	WHERE u.qt <> ''
), fts AS (
	SELECT c.id, row_number() OVER (ORDER BY ts_rank_cd(c.fts, q.tsq) DESC, c.id) AS r,
		ts_rank_cd(c.fts, q.tsq, 1) AS trank
	FROM q JOIN kb_chunks c ON c.locale = q.locale AND c.fts @@ q.tsq
	WHERE c.market IN ('', $3)
	ORDER BY ts_rank_cd(c.fts, q.tsq) DESC, c.id
	LIMIT $6
), fused AS (
	SELECT coalesce(vec.id, fts.id) AS id, coalesce(vec.r, 0) AS vr, coalesce(fts.r, 0) AS tr,
		coalesce(vec.sim, 0) AS sim, coalesce(fts.trank, 0) AS trank,
		coalesce(1.0 / (` + fmt.Sprint(rrfK) + ` + vec.r), 0) + coalesce(1.0 / (` + fmt.Sprint(rrfK) + ` + fts.r), 0) AS score
	FROM vec FULL JOIN fts ON fts.id = vec.id
)
SELECT c.id, a.external_id, v.title, c.heading, c.body, c.locale, c.market, v.version, v.url, f.score, f.vr, f.tr,
	f.sim, f.trank
FROM fused f
JOIN kb_chunks c ON c.id = f.id
JOIN kb_variants v ON v.id = c.variant_id
JOIN kb_articles a ON a.id = c.article_id
ORDER BY f.score DESC, c.id
LIMIT $7`
}

// Search returns the best passages for a question in the customer's locale, falling back —
// per article — to the market's language and then to English where no variant in the
// customer's locale is published, and using a market's override instead of the market-wide
// text where one exists. Fallback passages say so.
func (s *Store) Search(ctx context.Context, q knowledge.Query) ([]knowledge.Passage, error) {
	if q.K <= 0 {
		q.K = 5
	}
	locales, err := s.candidateLocales(ctx, q.Locale, q.Market)
	if err != nil {
		return nil, err
	}
	if len(locales) == 0 || strings.TrimSpace(q.Text) == "" {
		return nil, nil
	}
	vecs, err := s.embedder.EmbedBatch(ctx, []string{q.Text})
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	cfgs, qts := make([]string, len(locales)), make([]string, len(locales))
	for i, l := range locales {
		// Each locale's chunks are matched with the question cut and stemmed as that locale's
		// index was, so that a Chinese question from an English browser still finds bigrams.
		lang := segment.Language(l)
		cfgs[i] = segment.FTSConfig(lang)
		qts[i] = segment.ForQuery(lang, q.Text)
	}
	var out []knowledge.Passage
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		// Filters (locale, market) would starve a plain HNSW scan; iterative scans keep going.
		if _, err := tx.Exec(ctx, `SET LOCAL hnsw.iterative_scan = relaxed_order`); err != nil {
			return err
		}
		// The default candidate list (40) found 0.62-0.79 of the exact top 10 in the benchmark;
		// 200 finds 0.84 at 100k chunks and 0.95 at 10k, still 25x faster than an exact scan.
		if _, err := tx.Exec(ctx, `SET LOCAL hnsw.ef_search = 200`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, s.search, pgvector.NewVector(vecs[0]), locales, q.Market, cfgs, qts, candidates, candidates*2)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Passage, error) {
			var p knowledge.Passage
			err := r.Scan(&p.ChunkID, &p.ExternalID, &p.Title, &p.Heading, &p.Text, &p.Locale, &p.Market, &p.Version, &p.URL,
				&p.Score, &p.VectorRank, &p.TextRank, &p.Similarity, &p.TextScore)
			return p, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return preferred(out, locales, q.Locale, q.Market, q.K), nil
}

// preferred keeps, for each article, only the passages of its most preferred variant: the
// first locale in order that has the article, and within it the market's override over the
// market-wide text. Order by score is kept; at most k passages are returned. A passage in
// another language than the customer's is marked as a fallback.
func preferred(ps []knowledge.Passage, locales []string, customer, market string, k int) []knowledge.Passage {
	rank := make(map[string]int, len(locales))
	for i, l := range locales {
		rank[l] = i
	}
	type best struct {
		locale int
		market bool
	}
	bestOf := make(map[string]best)
	for _, p := range ps {
		b := best{rank[p.Locale], p.Market != "" && p.Market == market}
		cur, ok := bestOf[p.ExternalID]
		if !ok || b.locale < cur.locale || (b.locale == cur.locale && b.market && !cur.market) {
			bestOf[p.ExternalID] = b
		}
	}
	var out []knowledge.Passage
	for _, p := range ps {
		b := bestOf[p.ExternalID]
		if rank[p.Locale] != b.locale || (p.Market != "" && p.Market == market) != b.market {
			continue
		}
		p.Fallback = segment.Language(p.Locale) != segment.Language(customer)
		out = append(out, p)
		if len(out) == k {
			break
		}
	}
	return out
}

// marketLocales is the default language of a market, the second step of locale fallback.
var marketLocales = map[string]string{
	"DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr", "ES": "es", "MX": "es", "AR": "es", "CO": "es", "CL": "es",
	"PE": "es", "BR": "pt-BR", "PT": "pt", "SA": "ar", "AE": "ar", "QA": "ar", "KW": "ar", "EG": "ar", "TH": "th",
	"VN": "vi", "ID": "id", "JP": "ja", "CN": "zh-Hans", "TW": "zh-Hant", "HK": "zh-Hant", "SG": "en", "MY": "en",
	"PH": "en", "GB": "en", "US": "en", "IE": "en", "IT": "it", "NL": "nl",
}

// candidateLocales is the fallback chain, as locales that have published variants: the best
// match for the customer's locale, then the market's language, then English.
func (s *Store) candidateLocales(ctx context.Context, customer, market string) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT locale FROM kb_variants WHERE status = 'published' ORDER BY locale`)
	if err != nil {
		return nil, fmt.Errorf("list locales: %w", err)
	}
	have, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(have) == 0 {
		return nil, err
	}
	tags := make([]language.Tag, len(have))
	for i, l := range have {
		tags[i] = language.Make(l)
	}
	m := language.NewMatcher(tags)
	var out []string
	add := func(want string) {
		if want == "" {
			return
		}
		_, i, conf := m.Match(language.Make(want))
		if conf >= language.High {
			for _, l := range out {
				if l == have[i] {
					return
				}
			}
			out = append(out, have[i])
		}
	}
	add(customer)
	add(marketLocales[strings.ToUpper(market)])
	add("en")
	return out, nil
}
