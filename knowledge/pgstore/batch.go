package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/chunk"
	"github.com/attache-dev/attache/knowledge/segment"
)

// maxEmbedBatch bounds the texts of one EmbedBatch call and one statement of vectors. Remote
// adapters split further to their own request limits; this bounds the memory of one call.
const maxEmbedBatch = 256

// UpsertBatch stores recs, in order, as the current versions of their variants, in one
// transaction: all of them, with one outcome each, or none and an error. It does what Upsert
// does for each record, in a few statements for the whole batch instead of several per
// record: a record whose content has not changed is left alone; a changed one gets a new
// version with its history kept; a translation records the version of its source it was
// made from (its source earlier in the batch counts); the chunks of every changed variant —
// and of the market overrides of a changed market-wide variant — are rebuilt from the final
// text. Records with the same (ExternalID, Locale, Market) are stored as if one after the
// other: the later one wins, and each change is a version.
//
// The new chunks are embedded after the commit, in calls of at most maxEmbedBatch texts
// (not at all by a TextOnly store); an embedder failure is logged, not returned: full text
// serves the articles, and Reembed completes the vectors. by names who made the change.
func (s *Store) UpsertBatch(ctx context.Context, recs []knowledge.Record, by string) ([]knowledge.Outcome, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	recs = slices.Clone(recs)
	for i := range recs {
		if recs[i].Status == "" {
			recs[i].Status = "published"
		}
	}
	var (
		outcomes []knowledge.Outcome
		chunks   []chunkText
	)
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var err error
		outcomes, chunks, err = writeBatch(ctx, tx, recs, by)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("upsert %s: %w", describeBatch(recs), err)
	}
	if s.textOnly {
		return outcomes, nil
	}
	if err := s.storeVectors(ctx, chunks); err != nil {
		// The text is stored and searchable; Reembed completes the vectors later.
		first := recs[0]
		s.logger.Warn("embedding failed; full text still serves the articles", "records", len(recs),
			"first_external_id", first.ExternalID, "first_locale", first.Locale, "err", err)
	}
	return outcomes, nil
}

// describeBatch names a batch in errors by its first record.
func describeBatch(recs []knowledge.Record) string {
	first := recs[0]
	name := first.ExternalID + "/" + first.Locale + marketSuffix(first.Market)
	if len(recs) == 1 {
		return name
	}
	return fmt.Sprintf("%d records from %s on", len(recs), name)
}

// variantKey identifies a variant within the store.
type variantKey struct{ article, locale, market string }

// variantState is what deciding a record's outcome needs of its variant's current version.
type variantState struct {
	id, hash string
	version  int
}

// variantWrite is one new version of a variant.
type variantWrite struct {
	key           variantKey
	id            string
	rec           knowledge.Record
	version       int
	hash          string
	sourceVersion *int32
}

// chunkText is a stored chunk and the text its vector is computed from.
type chunkText struct {
	id   int64
	text string
}

// writeBatch stores recs in tx and returns their outcomes and the chunks it wrote. Round
// trips: one for the articles, one for the variants' current versions, one for the variant
// rows, their versions and the list of variants to rechunk, one for the chunks.
func writeBatch(ctx context.Context, tx pgx.Tx, recs []knowledge.Record, by string) ([]knowledge.Outcome, []chunkText, error) {
	articles, err := upsertArticles(ctx, tx, recs)
	if err != nil {
		return nil, nil, err
	}
	keyOf := func(r knowledge.Record) variantKey { return variantKey{articles[r.ExternalID], r.Locale, r.Market} }
	sourceKeyOf := func(r knowledge.Record) variantKey { return variantKey{articles[r.ExternalID], r.SourceLocale, ""} }

	var lookup []variantKey
	for _, r := range recs {
		lookup = append(lookup, keyOf(r))
		if r.SourceLocale != "" {
			lookup = append(lookup, sourceKeyOf(r))
		}
	}
	state, err := readVariants(ctx, tx, lookup)
	if err != nil {
		return nil, nil, err
	}

	// Decide each record's outcome in input order, as one Upsert after another would, with
	// state tracking the batch's own earlier changes.
	outcomes := make([]knowledge.Outcome, len(recs))
	var writes []variantWrite
	for i, r := range recs {
		k, hash := keyOf(r), contentHash(r)
		cur, ok := state[k]
		switch {
		case !ok:
			outcomes[i], cur = knowledge.Created, variantState{id: uuid.Must(uuid.NewV7()).String()}
		case cur.hash == hash:
			outcomes[i] = knowledge.Unchanged
			continue
		default:
			outcomes[i] = knowledge.Updated
		}
		w := variantWrite{key: k, id: cur.id, rec: r, version: cur.version + 1, hash: hash}
		// A translation is made from the source's current version unless it says otherwise.
		if r.SourceLocale != "" {
			if src, ok := state[sourceKeyOf(r)]; ok {
				v := int32(src.version)
				w.sourceVersion = &v
			}
		}
		state[k] = variantState{id: w.id, hash: hash, version: w.version}
		writes = append(writes, w)
	}
	if len(writes) == 0 {
		return outcomes, nil, nil
	}
	rebuild, err := writeVariants(ctx, tx, writes, by)
	if err != nil {
		return nil, nil, err
	}
	chunks, err := insertChunks(ctx, tx, rebuild)
	if err != nil {
		return nil, nil, err
	}
	return outcomes, chunks, nil
}

// upsertArticles makes sure every record's article exists and returns the article IDs by
// external ID. Rows are written in external-ID order, so that concurrent batches lock
// articles in the same order; the row lock also serialises writers of one article.
func upsertArticles(ctx context.Context, tx pgx.Tx, recs []knowledge.Record) (map[string]string, error) {
	ext := make([]string, 0, len(recs))
	for _, r := range recs {
		ext = append(ext, r.ExternalID)
	}
	slices.Sort(ext)
	ext = slices.Compact(ext)
	ids := make([]string, len(ext))
	for i := range ext {
		ids[i] = uuid.Must(uuid.NewV7()).String()
	}
	rows, err := tx.Query(ctx, `INSERT INTO kb_articles (id, external_id)
		SELECT u.id::uuid, u.external_id FROM unnest($1::text[], $2::text[]) AS u (id, external_id) ORDER BY u.external_id
		ON CONFLICT (external_id) DO UPDATE SET updated_at = kb_articles.updated_at
		RETURNING external_id, id::text`, ids, ext)
	if err != nil {
		return nil, fmt.Errorf("upsert articles: %w", err)
	}
	articles := make(map[string]string, len(ext))
	var e, id string
	if _, err := pgx.ForEachRow(rows, []any{&e, &id}, func() error { articles[e] = id; return nil }); err != nil {
		return nil, fmt.Errorf("upsert articles: %w", err)
	}
	if len(articles) != len(ext) {
		return nil, fmt.Errorf("upsert articles: %d of %d returned", len(articles), len(ext))
	}
	return articles, nil
}

// readVariants returns the current version of each variant of keys that exists, locking it
// for the rest of the transaction.
func readVariants(ctx context.Context, tx pgx.Tx, keys []variantKey) (map[variantKey]variantState, error) {
	var arts, locs, mkts []string
	for _, k := range keys {
		arts, locs, mkts = append(arts, k.article), append(locs, k.locale), append(mkts, k.market)
	}
	rows, err := tx.Query(ctx, `SELECT v.article_id::text, v.locale, v.market, v.id::text, v.content_hash, v.version
		FROM kb_variants v
		JOIN (SELECT DISTINCT k.article_id::uuid AS article_id, k.locale, k.market
			FROM unnest($1::text[], $2::text[], $3::text[]) AS k (article_id, locale, market)) k
			ON v.article_id = k.article_id AND v.locale = k.locale AND v.market = k.market
		FOR UPDATE OF v`, arts, locs, mkts)
	if err != nil {
		return nil, fmt.Errorf("read variants: %w", err)
	}
	state := make(map[variantKey]variantState, len(keys))
	var k variantKey
	var st variantState
	if _, err := pgx.ForEachRow(rows, []any{&k.article, &k.locale, &k.market, &st.id, &st.hash, &st.version}, func() error {
		state[k] = st
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read variants: %w", err)
	}
	return state, nil
}

// variantToChunk is a variant whose chunks are rebuilt, with the market-wide body a market
// override is merged into (nil when there is none, or it is not published).
type variantToChunk struct {
	id, article, locale, market, title, body, status string
	base                                             *string
}

// writeVariants writes each variant's last new version, every new version's history row,
// and returns the variants whose chunks must be rebuilt: the written ones and the market
// overrides of written market-wide ones, as they now are.
func writeVariants(ctx context.Context, tx pgx.Tx, writes []variantWrite, by string) ([]variantToChunk, error) {
	var v, h columns
	last := make(map[variantKey]int, len(writes)) // index of each variant's last write
	for i, w := range writes {
		last[w.key] = i
	}
	var changedIDs, baseArticles, baseLocales []string
	for i, w := range writes {
		tags, err := tagsJSON(w.rec.Tags)
		if err != nil {
			return nil, err
		}
		h.add(w.id, w.version, w.rec.Title, w.rec.Body, tags, w.rec.Status, w.sourceVersion, w.hash)
		if last[w.key] != i {
			continue
		}
		channels, err := tagsJSON(w.rec.Channels)
		if err != nil {
			return nil, err
		}
		v.add(w.id, w.key.article, w.key.locale, w.key.market, w.rec.Title, w.rec.Body, tags, w.rec.URL,
			w.rec.Status, w.version, w.hash, w.rec.SourceLocale, w.sourceVersion, channels, audience(w.rec))
		changedIDs = append(changedIDs, w.id)
		if w.key.market == "" {
			baseArticles, baseLocales = append(baseArticles, w.key.article), append(baseLocales, w.key.locale)
		}
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO kb_variants (id, article_id, locale, market, title, body, tags, url, status,
			version, content_hash, source_locale, source_version, channels, audience, updated_by)
		SELECT u.id::uuid, u.article_id::uuid, u.locale, u.market, u.title, u.body, `+tagsExpr+`, u.url, u.status,
			u.version, u.content_hash, u.source_locale, u.source_version, `+channelsExpr+`, u.audience, $16
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::text[], $10::int[], $11::text[], $12::text[], $13::int[], $14::text[], $15::text[])
			AS u (id, article_id, locale, market, title, body, tags, url, status, version, content_hash, source_locale, source_version,
				channels, audience)
		ORDER BY u.article_id, u.locale, u.market
		ON CONFLICT (article_id, locale, market) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body,
			tags = EXCLUDED.tags, url = EXCLUDED.url, status = EXCLUDED.status, version = EXCLUDED.version,
			content_hash = EXCLUDED.content_hash, source_locale = EXCLUDED.source_locale,
			source_version = EXCLUDED.source_version, channels = EXCLUDED.channels, audience = EXCLUDED.audience,
			updated_by = EXCLUDED.updated_by, updated_at = now()`,
		append(v, by)...)
	b.Queue(`INSERT INTO kb_variant_versions (variant_id, version, title, body, tags, status, source_version, content_hash, changed_by)
		SELECT u.variant_id::uuid, u.version, u.title, u.body, `+tagsExpr+`, u.status, u.source_version, u.content_hash, $9
		FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[])
			AS u (variant_id, version, title, body, tags, status, source_version, content_hash)`,
		append(h, by)...)
	b.Queue(`SELECT v.id::text, v.article_id::text, v.locale, v.market, v.title, v.body, v.status, base.body
		FROM kb_variants v
		LEFT JOIN kb_variants base ON v.market <> '' AND base.article_id = v.article_id AND base.locale = v.locale
			AND base.market = '' AND base.status = 'published'
		WHERE v.id = ANY($1::text[]::uuid[])
			OR (v.market <> '' AND (v.article_id, v.locale) IN
				(SELECT k.article_id::uuid, k.locale FROM unnest($2::text[], $3::text[]) AS k (article_id, locale)))`,
		changedIDs, baseArticles, baseLocales)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("write variants: %w", err)
	}
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("record versions: %w", err)
	}
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("list variants to chunk: %w", err)
	}
	var rebuild []variantToChunk
	var r variantToChunk
	if _, err := pgx.ForEachRow(rows, []any{&r.id, &r.article, &r.locale, &r.market, &r.title, &r.body, &r.status, &r.base}, func() error {
		rebuild = append(rebuild, r)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list variants to chunk: %w", err)
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("write variants: %w", err)
	}
	return rebuild, nil
}

// tagsExpr turns the JSON array of strings in column u.tags into a text[], in order. (A
// batch's tags cannot travel as one text[][]: PostgreSQL arrays are rectangular.)
const tagsExpr = `ARRAY(SELECT t.tag FROM jsonb_array_elements_text(u.tags::jsonb) WITH ORDINALITY AS t (tag, n) ORDER BY t.n)`

// channelsExpr is tagsExpr for the channels column.
const channelsExpr = `ARRAY(SELECT t.c FROM jsonb_array_elements_text(u.channels::jsonb) WITH ORDINALITY AS t (c, n) ORDER BY t.n)`

// audience is a record's audience as stored: "" is for customers.
func audience(r knowledge.Record) string {
	if r.Audience == "" {
		return knowledge.AudienceCustomers
	}
	return r.Audience
}

func tagsJSON(tags []string) (string, error) {
	if tags == nil {
		tags = []string{}
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return "", fmt.Errorf("encode tags: %w", err)
	}
	return string(b), nil
}

// columns gathers the rows of a multi-row statement as one array parameter per column: add
// appends a row, whose values must come in the same order and types every time.
type columns []any

func (c *columns) add(values ...any) {
	if *c == nil {
		*c = make(columns, len(values))
		for i, v := range values {
			switch v.(type) {
			case string:
				(*c)[i] = []string{}
			case int:
				(*c)[i] = []int32{}
			case *int32:
				(*c)[i] = []*int32{}
			default:
				panic(fmt.Sprintf("pgstore: no column type for %T", v))
			}
		}
	}
	for i, v := range values {
		switch col := (*c)[i].(type) {
		case []string:
			(*c)[i] = append(col, v.(string))
		case []int32:
			(*c)[i] = append(col, int32(v.(int)))
		case []*int32:
			(*c)[i] = append(col, v.(*int32))
		}
	}
}

// insertChunks replaces the chunks of the variants in rebuild: none for a draft; a market
// override's from its text merged into the published market-wide variant of its locale. It
// returns the new chunks with the text to embed.
func insertChunks(ctx context.Context, tx pgx.Tx, rebuild []variantToChunk) ([]chunkText, error) {
	ids := make([]string, len(rebuild))
	var c columns
	for i, v := range rebuild {
		ids[i] = v.id
		if v.status != "published" {
			continue
		}
		body := v.body
		if v.market != "" && v.base != nil {
			body = knowledge.MergeOverride(*v.base, body)
		}
		lang := segment.Language(v.locale)
		cfg := segment.FTSConfig(lang)
		for _, ch := range chunk.Split(lang, v.title, body, chunk.Options{}) {
			c.add(v.id, v.article, v.locale, v.market, ch.Ordinal, ch.Heading, ch.Text, cfg,
				segment.ForIndex(lang, ch.Heading), segment.ForIndex(lang, ch.Text))
		}
	}
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM kb_chunks WHERE variant_id = ANY($1::text[]::uuid[])`, ids)
	if c != nil {
		b.Queue(`INSERT INTO kb_chunks (variant_id, article_id, locale, market, ordinal, heading, body, fts)
			SELECT u.variant_id::uuid, u.article_id::uuid, u.locale, u.market, u.ordinal, u.heading, u.body,
				setweight(to_tsvector(u.cfg::regconfig, u.heading_index), 'A') || to_tsvector(u.cfg::regconfig, u.body_index)
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[],
				$9::text[], $10::text[])
				AS u (variant_id, article_id, locale, market, ordinal, heading, body, cfg, heading_index, body_index)
			RETURNING id, heading, body`, c...)
	}
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("delete old chunks: %w", err)
	}
	var out []chunkText
	if c != nil {
		rows, err := br.Query()
		if err != nil {
			return nil, fmt.Errorf("insert chunks: %w", err)
		}
		var ct chunkText
		var heading, body string
		if _, err := pgx.ForEachRow(rows, []any{&ct.id, &heading, &body}, func() error {
			ct.text = heading + "\n" + body
			out = append(out, ct)
			return nil
		}); err != nil {
			return nil, fmt.Errorf("insert chunks: %w", err)
		}
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("insert chunks: %w", err)
	}
	return out, nil
}

// storeVectors embeds chunks, at most maxEmbedBatch per embedder call, and stores each call's
// vectors with one statement. A chunk deleted meanwhile (its variant changed again) is
// skipped. On an error, the vectors of earlier calls stay stored.
func (s *Store) storeVectors(ctx context.Context, chunks []chunkText) error {
	model, dims := s.embedder.Model(), s.embedder.Dims()
	for start := 0; start < len(chunks); start += maxEmbedBatch {
		part := chunks[start:min(start+maxEmbedBatch, len(chunks))]
		texts := make([]string, len(part))
		ids := make([]int64, len(part))
		for i, c := range part {
			texts[i], ids[i] = c.text, c.id
		}
		vecs, err := s.embedder.EmbedBatch(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed %d chunks: %w", len(texts), err)
		}
		if len(vecs) != len(part) {
			return fmt.Errorf("embedder returned %d vectors for %d texts", len(vecs), len(part))
		}
		vs := make([]pgvector.Vector, len(vecs))
		for i, v := range vecs {
			if len(v) != dims {
				return fmt.Errorf("embedder returned %d dimensions, declared %d", len(v), dims)
			}
			vs[i] = pgvector.NewVector(v)
		}
		if _, err := s.db.Exec(ctx, `INSERT INTO kb_embeddings (chunk_id, model, embedding)
			SELECT u.chunk_id, $2, u.embedding FROM unnest($1::bigint[], $3::vector[]) AS u (chunk_id, embedding)
			WHERE EXISTS (SELECT 1 FROM kb_chunks c WHERE c.id = u.chunk_id)
			ON CONFLICT DO NOTHING`, ids, model, vs); err != nil {
			return fmt.Errorf("store %d vectors: %w", len(part), err)
		}
	}
	return nil
}
