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

// Reciprocal rank fusion: score = 1/(rrfK + vector rank) + textWeight/(rrfK + text rank).
// Measured on XQuAD with the hashing embedder (BenchmarkXQuADRecall, recall@5 on every other
// question): the textbook 60 with equal weights fused Chinese below full text alone (0.96
// against 0.97, and 0.88 before the embedder's Han features), because a flat curve lets
// chunks that both rankings place midway outrank one that full text places first. 10 and
// 1.5 were the best single setting for all four languages — en 0.963→0.978, es 0.939→0.973,
// de 0.939→0.941, zh 0.961→0.971 — each at or above the better ranking alone. (On all 1,190
// questions: en 0.972, es 0.973, de 0.950, zh 0.974 against full text's 0.975.)
const (
	rrfK       = 10
	textWeight = 1.5
)

// candidates is how many chunks each ranking contributes before fusion.
const candidates = 40

// textPool bounds how many chunks the full-text ranking scores. Scoring reads each chunk's
// tsvector, which costs far more than finding it in the GIN index: a many-word question
// matched by OR finds most of a large knowledge base (14k of 100k chunks for one XQuAD
// question) and scoring them all took over a second. The pool is filled from the question's
// rarest terms (see hybridQuery), which is where the best-ranked chunks are.
const textPool = 1000

// efSearch is HNSW's candidate list during a search (pgvector's default is 40). Measured by
// BenchmarkSearchLatency at 100k chunks with the index's build parameters (see space.go),
// against an exact scan in the same run: ef_search 40 found 0.64 of the exact top 10, 200
// 0.86, 400 0.92, 600 0.96 (23× faster than the exact scan) and 800 0.98 (13×).
const efSearch = 600

// hybridQuery is the one statement that ranks chunks by vector similarity (through the
// space's partial HNSW index: the ORDER BY and WHERE repeat the index's expression and
// predicate) and by full text (each candidate locale's query parsed with its own text-search
// configuration), and fuses the two rankings.
//
// The full-text ranking scores at most $8 chunks per locale: those holding one of the
// question's rarest terms, taken from the rarest up while the chunks holding them (counted
// through the GIN index, up to $8 + 1 each) add up to at most $8. Chunks that share only common
// words with the question are not scored: they would be scored low by any measure that
// weighs rare words more (BM25's IDF), although ts_rank_cd, which does not, might rank
// some of them in. When even the rarest term is in more than $8 chunks, the pool is (at most
// $8 of) the chunks holding the two rarest terms together — not all of them, which a long
// question's chunks seldom do. Where the chunks
// holding the question's terms add up to at most $8 — a small knowledge base — every
// matching chunk is scored.
//
// $1 query vector, $2 locales, $3 market, $4 FTS configs (per locale), $5 tsquery texts (per
// locale), $6 candidates per ranking, $7 result limit, $8 the full-text pool, $9 the channel
// ("" for any), $10 the audiences the asker may read.
// reachable is the filter of channel and audience on a chunk's variant (va): both rankings
// apply it while they rank, so that filtered-out variants do not starve the results.
const reachable = `(cardinality(va.channels) = 0 OR $9 = '' OR $9 = ANY(va.channels)) AND va.audience = ANY($10)`

func hybridQuery(model string, dims int) string {
	vec := fmt.Sprintf("(e.embedding::vector(%d))", dims)
	return `
WITH vec AS (
	SELECT c.id, row_number() OVER (ORDER BY ` + vec + ` <=> $1::vector(` + fmt.Sprint(dims) + `)) AS r,
		1 - (` + vec + ` <=> $1::vector(` + fmt.Sprint(dims) + `)) AS sim
	FROM kb_embeddings e JOIN kb_chunks c ON c.id = e.chunk_id JOIN kb_variants va ON va.id = c.variant_id
	WHERE e.model = ` + quoteLiteral(model) + ` AND c.locale = ANY($2) AND c.market IN ('', $3) AND ` + reachable + `
	ORDER BY ` + vec + ` <=> $1::vector(` + fmt.Sprint(dims) + `)
	LIMIT $6
), q AS (
	SELECT u.locale, to_tsquery(u.cfg::regconfig, u.qt) AS tsq
	FROM unnest($2::text[], $4::text[], $5::text[]) AS u (locale, cfg, qt)
	WHERE u.qt <> ''
), term AS MATERIALIZED (
	-- The parsed query is an OR of lexemes ('a' | 'b' | 'c'); each is counted on its own.
	SELECT q.locale, t.lexeme, (SELECT count(*) FROM (
			SELECT FROM kb_chunks c WHERE c.locale = q.locale AND c.market IN ('', $3) AND c.fts @@ t.lexeme::tsquery
			LIMIT $8 + 1) AS x) AS df
	FROM q, LATERAL (SELECT DISTINCT unnest(string_to_array(q.tsq::text, ' | ')) AS lexeme) AS t
	WHERE numnode(q.tsq) > 0
), rare AS (
	SELECT locale, lexeme, sum(df) OVER w AS total, row_number() OVER w AS i
	FROM term WHERE df > 0
	WINDOW w AS (PARTITION BY locale ORDER BY df, lexeme)
), pool AS (
	SELECT q.locale, q.tsq, coalesce(s.any_rare, s.two_rarest) AS sel
	FROM q, LATERAL (
		SELECT string_agg(r.lexeme, ' | ') FILTER (WHERE r.total <= $8)::tsquery AS any_rare,
			string_agg(r.lexeme, ' & ') FILTER (WHERE r.i <= 2)::tsquery AS two_rarest
		FROM rare r WHERE r.locale = q.locale) AS s
), scored AS (
	SELECT m.id, ts_rank_cd(m.fts, p.tsq) AS rank, p.tsq
	FROM pool p, LATERAL (
		SELECT c.id, c.fts FROM kb_chunks c JOIN kb_variants va ON va.id = c.variant_id
		WHERE c.locale = p.locale AND c.market IN ('', $3) AND c.fts @@ p.sel AND ` + reachable + `
		LIMIT $8) AS m
), fts AS (
	SELECT id, row_number() OVER (ORDER BY rank DESC, id) AS r, tsq
	FROM scored
	ORDER BY rank DESC, id
	LIMIT $6
), fused AS (
	SELECT coalesce(vec.id, fts.id) AS id, coalesce(vec.r, 0) AS vr, coalesce(fts.r, 0) AS tr,
		coalesce(vec.sim, 0) AS sim, fts.tsq,
		coalesce(1.0 / (` + fmt.Sprint(rrfK) + ` + vec.r), 0) + coalesce(` + fmt.Sprint(textWeight) + ` / (` + fmt.Sprint(rrfK) + ` + fts.r), 0) AS score
	FROM vec FULL JOIN fts ON fts.id = vec.id
)
SELECT c.id, a.external_id, v.title, c.heading, c.body, c.locale, c.market, v.version, v.url, f.score, f.vr, f.tr,
	f.sim, coalesce(ts_rank_cd(c.fts, f.tsq, 1), 0)
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
	return s.searchWithPool(ctx, q, textPool)
}

// searchWithPool is Search with the full-text pool as a parameter, for tests on a few chunks.
func (s *Store) searchWithPool(ctx context.Context, q knowledge.Query, pool int) ([]knowledge.Passage, error) {
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
		if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL hnsw.ef_search = %d`, efSearch)); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, s.search, pgvector.NewVector(vecs[0]), locales, q.Market, cfgs, qts, candidates, candidates*2, pool,
			q.Channel, audiences(q.Audience))
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

// audiences are the audiences whose variants an asker may read: customers only their own,
// agents theirs and the customers'.
func audiences(asker string) []string {
	if asker == knowledge.AudienceAgents {
		return []string{knowledge.AudienceCustomers, knowledge.AudienceAgents}
	}
	return []string{knowledge.AudienceCustomers}
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
