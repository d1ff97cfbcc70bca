package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/hashembed"
	"github.com/attache-dev/attache/knowledge/pgstore"
	"github.com/attache-dev/attache/knowledge/segment"
)

// synthDims is the dimension of the synthetic set's embedding space: its model name
// (attache-hash-v2-256) is used by no other test, so its vectors and HNSW index stand apart.
const synthDims = 256

// synthPrefix marks the synthetic articles' external IDs.
const synthPrefix = "bench-synth-"

// indexProbes is how many questions compare the HNSW ranking with an exact scan per size.
const indexProbes = 50

// benchSizes are the corpus sizes measured: 10k chunks by default, plus 100k with
// ATTACHE_BENCH_100K=1 (building it takes minutes on PGlite). ATTACHE_BENCH_CHUNKS, a comma
// list of sizes, overrides both.
func benchSizes(tb testing.TB) []int {
	if v := os.Getenv("ATTACHE_BENCH_CHUNKS"); v != "" {
		var out []int
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				tb.Fatalf("ATTACHE_BENCH_CHUNKS: %q is not a positive size", f)
			}
			out = append(out, n)
		}
		return out
	}
	if os.Getenv("ATTACHE_BENCH_100K") == "1" {
		return []int{10_000, 100_000}
	}
	return []int{10_000}
}

// BenchmarkSearchLatency measures Store.Search on a synthetic English corpus of 10k (and,
// opt-in, 100k) chunks, and — in the same run — the HNSW index against an exact scan of the
// same vectors: recall@10 of the index's top 10 and how many times faster it is. The corpus
// is built once per run by growing it from one size to the next, with the index rebuilt
// after each growth (a bulk build, as after a large import).
//
//	go test -run '^$' -bench SearchLatency -benchtime 200x ./knowledge/pgstore/
//	ATTACHE_BENCH_100K=1 go test -run '^$' -bench SearchLatency -benchtime 100x -timeout 60m ./knowledge/pgstore/
//
// With ATTACHE_BENCH_KEEP=1 and a database of one's own (ATTACHE_TEST_DATABASE_URL) the
// corpus is kept after the run and the next run starts from it, measuring only the sizes
// not below what is kept: tuning at 100k then costs one build.
func BenchmarkSearchLatency(b *testing.B) {
	ctx := context.Background()
	db := pgtest.Pool(b)
	emb := hashembed.New(synthDims)
	gen := newSynth(b)
	clearSynth := func() {
		// kb_chunks.article_id has no index, so deleting articles and letting the foreign key
		// cascade scans kb_chunks once per article: quadratic, unfinished after minutes at 100k. The
		// chunks go first in one statement, and VACUUM drops their dead rows before the
		// per-article checks run.
		for _, q := range []string{
			`DELETE FROM kb_chunks c USING kb_articles a WHERE a.id = c.article_id AND a.external_id LIKE $1`,
			`VACUUM kb_chunks`,
			`DELETE FROM kb_articles WHERE external_id LIKE $1`,
		} {
			var args []any
			if strings.Contains(q, "$1") {
				args = append(args, synthPrefix+"%")
			}
			if _, err := db.Exec(ctx, q, args...); err != nil {
				b.Fatalf("clear synthetic articles: %v", err)
			}
		}
	}
	have := 0
	if os.Getenv("ATTACHE_BENCH_KEEP") == "1" {
		// The corpus outlives the run (in a database named by ATTACHE_TEST_DATABASE_URL) and
		// a later run grows it from what is there: a 100k build is paid once.
		if err := db.QueryRow(ctx, `SELECT count(*) FROM kb_articles WHERE external_id LIKE $1`, synthPrefix+"%").Scan(&have); err != nil {
			b.Fatal(err)
		}
	} else {
		clearSynth()
		b.Cleanup(clearSynth)
	}
	// Questions: English XQuAD questions when the data is there, else generated sentences.
	questions := gen.questions(200)
	prev := 0
	for _, n := range benchSizes(b) {
		if n < prev {
			b.Fatalf("sizes must grow: %d after %d", n, prev)
		}
		prev = n
		if n < have {
			b.Logf("%d chunks: skipped, the kept corpus already holds %d", n, have)
			continue
		}
		ins, idx, s := buildSynth(ctx, b, db, emb, gen, have, n)
		have = n
		cmps := compareIndex(ctx, b, db, emb, questions)
		cmp := cmps[0] // the ef_search Store.Search runs with
		logged := false
		b.Run(fmt.Sprintf("chunks=%dk", n/1000), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				q := knowledge.Query{Text: questions[i%len(questions)], Locale: "en", K: 5}
				start := time.Now()
				if _, err := s.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			b.ReportMetric(percentile(lat, 50), "p50-ms")
			b.ReportMetric(percentile(lat, 95), "p95-ms")
			b.ReportMetric(cmp.recall, "hnsw-recall@10")
			b.ReportMetric(cmp.speedup(), "hnsw-speedup-x")
			b.ReportMetric(cmp.hnswMS, "hnsw-ms")
			for i, c := range cmps[1:] {
				ef := fmt.Sprint(efSearches[i+1])
				b.ReportMetric(c.recall, "hnsw-recall@10-ef"+ef)
				b.ReportMetric(c.speedup(), "hnsw-speedup-x-ef"+ef)
			}
			b.ReportMetric(cmp.exactMS, "exact-ms")
			b.ReportMetric(ins.Seconds(), "insert-s")
			b.ReportMetric(idx.Seconds(), "index-s")
			// Logged in the sub-benchmark (a parent's log is not printed when it has
			// sub-benchmarks), once although the function runs for each b.N tried.
			if logged {
				return
			}
			logged = true
			b.Logf("%d chunks: inserted in %s, HNSW index built in %s", n, ins.Round(time.Millisecond), idx.Round(time.Millisecond))
			for i, c := range cmps {
				b.Logf("ef_search %d: HNSW recall@10 %.3f, %.1f× faster than an exact scan (%.2f ms vs %.2f ms)",
					efSearches[i], c.recall, c.speedup(), c.hnswMS, c.exactMS)
			}
		})
	}
}

// synth generates chunk texts by recombining sentences of real prose.
type synth struct {
	rng       *rand.Rand
	sentences []string
	titles    []string
	asked     []string // real questions to search with, when available
}

func newSynth(tb testing.TB) *synth {
	g := &synth{rng: rand.New(rand.NewPCG(1, 2))}
	if dir, ok := evalDataDir(); ok {
		for _, p := range loadXQuAD(tb, dir, "en") {
			g.sentences = append(g.sentences, segment.Sentences("en", p.Context)...)
			g.titles = append(g.titles, p.Title)
		}
		for _, q := range loadXQuADQueries(tb, dir)["en"] {
			g.asked = append(g.asked, q.Question)
		}
	}
	if len(g.sentences) == 0 {
		tb.Log("evaluation data absent: the synthetic corpus is made of generated words")
		g.sentences, g.titles = generatedProse(g.rng)
	}
	return g
}

// evalDataDir is evalData without skipping: the latency benchmark has a fallback.
func evalDataDir() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			data := filepath.Join(dir, "..", "shared", "evaldata")
			_, err := os.Stat(filepath.Join(data, "retrieval", "xquad", "xquad.en.json"))
			return data, err == nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// generatedProse makes sentences from a pseudo-word vocabulary with a skewed frequency.
func generatedProse(rng *rand.Rand) (sentences, titles []string) {
	syl := []string{"ka", "lo", "mer", "tin", "sa", "ve", "ron", "pi", "dul", "ne", "sto", "gra", "fe", "bel", "qui", "mo"}
	vocab := make([]string, 5000)
	for i := range vocab {
		var w strings.Builder
		for range 2 + rng.IntN(3) {
			w.WriteString(syl[rng.IntN(len(syl))])
		}
		vocab[i] = w.String()
	}
	word := func() string { return vocab[int(float64(len(vocab))*rng.Float64()*rng.Float64())] }
	for range 3000 {
		var s []string
		for range 8 + rng.IntN(15) {
			s = append(s, word())
		}
		sentences = append(sentences, strings.ToUpper(s[0][:1])+strings.Join(s, " ")[1:]+".")
	}
	for range 50 {
		titles = append(titles, word()+" "+word())
	}
	return sentences, titles
}

// chunk returns a heading and a body of three to six sentences (about 400–900 characters).
func (g *synth) chunk() (string, string) {
	n := 3 + g.rng.IntN(4)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.sentences[g.rng.IntN(len(g.sentences))]
	}
	return g.titles[g.rng.IntN(len(g.titles))], strings.Join(parts, " ")
}

// questions returns n questions: real ones when available, else sentence fragments.
func (g *synth) questions(n int) []string {
	out := make([]string, 0, n)
	for i := range n {
		if len(g.asked) > 0 {
			out = append(out, g.asked[(i*7)%len(g.asked)])
			continue
		}
		words := strings.Fields(g.sentences[g.rng.IntN(len(g.sentences))])
		out = append(out, strings.Join(words[:min(len(words), 6)], " "))
	}
	return out
}

// buildSynth grows the synthetic corpus from have to n chunks (one article, variant and chunk
// each) with direct INSERTs, then rebuilds the space's HNSW index through pgstore.New.
func buildSynth(ctx context.Context, b *testing.B, db *pgxpool.Pool, emb *hashembed.Embedder, g *synth, have, n int) (insert, index time.Duration, s *pgstore.Store) {
	b.Helper()
	// PGlite runs every connection on one session, so this setting reaches the index build;
	// with the default 64 MB the 100k graph would not fit and the build would slow down.
	if _, err := db.Exec(ctx, `SET maintenance_work_mem = '512MB'`); err != nil {
		b.Fatal(err)
	}
	defer db.Exec(ctx, `RESET maintenance_work_mem`)
	// The space must be registered before vectors can reference it.
	if _, err := pgstore.New(ctx, db, emb, pgtest.Logger()); err != nil {
		b.Fatal(err)
	}
	// Dropping the index first makes the growth a bulk load and the rebuild a bulk build.
	if have < n {
		dropSynthIndex(ctx, b, db, emb.Model())
	}
	start := time.Now()
	const batch = 1000
	for lo := have; lo < n; lo += batch {
		hi := min(lo+batch, n)
		var vids, aids, exts, heads, bodies, headsIx, bodiesIx []string
		var texts []string
		for i := lo; i < hi; i++ {
			h, body := g.chunk()
			vids = append(vids, uuid.Must(uuid.NewV7()).String())
			aids = append(aids, uuid.Must(uuid.NewV7()).String())
			exts = append(exts, fmt.Sprintf("%s%07d", synthPrefix, i))
			heads, bodies = append(heads, h), append(bodies, body)
			headsIx, bodiesIx = append(headsIx, segment.ForIndex("en", h)), append(bodiesIx, segment.ForIndex("en", body))
			texts = append(texts, h+"\n"+body)
		}
		vecs, err := emb.EmbedBatch(ctx, texts)
		if err != nil {
			b.Fatal(err)
		}
		pv := make([]pgvector.Vector, len(vecs))
		for i, v := range vecs {
			pv[i] = pgvector.NewVector(v)
		}
		err = pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO kb_articles (id, external_id)
				SELECT a::uuid, x FROM unnest($1::text[], $2::text[]) AS u (a, x)`, aids, exts); err != nil {
				return fmt.Errorf("articles: %w", err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO kb_variants (id, article_id, locale, title, body, content_hash, updated_by)
				SELECT v::uuid, a::uuid, 'en', t, bd, 'bench', 'bench' FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u (v, a, t, bd)`,
				vids, aids, heads, bodies); err != nil {
				return fmt.Errorf("variants: %w", err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO kb_chunks (variant_id, article_id, locale, market, ordinal, heading, body, fts)
				SELECT v::uuid, a::uuid, 'en', '', 0, h, bd, setweight(to_tsvector('english', hx), 'A') || to_tsvector('english', bx)
				FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u (v, a, h, bd, hx, bx)`,
				vids, aids, heads, bodies, headsIx, bodiesIx); err != nil {
				return fmt.Errorf("chunks: %w", err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO kb_embeddings (chunk_id, model, embedding)
				SELECT c.id, $1, u.e FROM unnest($2::text[], $3::vector[]) AS u (v, e) JOIN kb_chunks c ON c.variant_id = u.v::uuid`,
				emb.Model(), vids, pv); err != nil {
				return fmt.Errorf("embeddings: %w", err)
			}
			return nil
		})
		if err != nil {
			b.Fatalf("insert synthetic chunks %d–%d: %v", lo, hi, err)
		}
	}
	if _, err := db.Exec(ctx, `ANALYZE kb_chunks, kb_embeddings, kb_variants, kb_articles`); err != nil {
		b.Fatal(err)
	}
	insert = time.Since(start)
	start = time.Now()
	s, err := pgstore.New(ctx, db, emb, pgtest.Logger())
	if err != nil {
		b.Fatal(err)
	}
	index = time.Since(start)
	return insert, index, s
}

// synthIndex is the name of the space's partial HNSW index, found by its predicate.
func synthIndex(ctx context.Context, b *testing.B, db *pgxpool.Pool, model string) string {
	b.Helper()
	var name string
	err := db.QueryRow(ctx, `SELECT indexname FROM pg_indexes WHERE tablename = 'kb_embeddings'
		AND indexdef LIKE '%hnsw%' AND indexdef LIKE '%' || $1 || '%'`, model).Scan(&name)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		b.Fatalf("find the HNSW index of %s: %v", model, err)
	}
	return name
}

func dropSynthIndex(ctx context.Context, b *testing.B, db *pgxpool.Pool, model string) {
	b.Helper()
	if name := synthIndex(ctx, b, db, model); name != "" {
		if _, err := db.Exec(ctx, `DROP INDEX `+pgx.Identifier{name}.Sanitize()); err != nil {
			b.Fatalf("drop %s: %v", name, err)
		}
	}
}

// efSearches are the HNSW candidate-list sizes compared: the one Store.Search uses first,
// then pgvector's default and larger ones, to show what another setting would buy.
var efSearches = []int{pgstore.EfSearch, 40, 200, 400, 800}

// indexComparison is the HNSW index measured against an exact scan on the same questions.
type indexComparison struct {
	recall          float64 // mean share of the exact top 10 that the index returns
	hnswMS, exactMS float64 // mean time per query
}

func (c indexComparison) speedup() float64 {
	if c.hnswMS == 0 {
		return 0
	}
	return c.exactMS / c.hnswMS
}

// compareIndex runs the vector ranking of Store.Search (same filters, same iterative scan)
// through the HNSW index and as an exact scan — the same ORDER BY on an expression the index
// does not cover — and checks with EXPLAIN that each takes the intended path.
func compareIndex(ctx context.Context, b *testing.B, db *pgxpool.Pool, emb *hashembed.Embedder, questions []string) []indexComparison {
	b.Helper()
	model := emb.Model()
	dist := func(col string) string {
		return fmt.Sprintf(`SELECT c.id FROM kb_embeddings e JOIN kb_chunks c ON c.id = e.chunk_id
			WHERE e.model = '%s' AND c.locale = ANY($2) AND c.market IN ('', $3)
			ORDER BY %s <=> $1::vector(%d) LIMIT 10`, model, col, synthDims)
	}
	hnswSQL := dist(fmt.Sprintf("(e.embedding::vector(%d))", synthDims))
	exactSQL := dist("e.embedding")
	index := synthIndex(ctx, b, db, model)
	run := func(sql string, ef int, v pgvector.Vector, explain bool) ([]int64, string, time.Duration) {
		var ids []int64
		var plan strings.Builder
		var took time.Duration
		err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL hnsw.iterative_scan = relaxed_order`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL hnsw.ef_search = %d`, ef)); err != nil {
				return err
			}
			if explain {
				rows, err := tx.Query(ctx, "EXPLAIN "+sql, v, []string{"en"}, "")
				if err != nil {
					return err
				}
				lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
				plan.WriteString(strings.Join(lines, "\n"))
				return err
			}
			start := time.Now()
			rows, err := tx.Query(ctx, sql, v, []string{"en"}, "")
			if err != nil {
				return err
			}
			ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
			took = time.Since(start)
			return err
		})
		if err != nil {
			b.Fatalf("vector ranking: %v", err)
		}
		return ids, plan.String(), took
	}
	probe := pgvector.NewVector(emb.Embed(questions[0]))
	if _, plan, _ := run(hnswSQL, efSearches[0], probe, true); !strings.Contains(plan, index) {
		b.Fatalf("the indexed ranking does not use %s:\n%s", index, plan)
	}
	if _, plan, _ := run(exactSQL, efSearches[0], probe, true); strings.Contains(plan, index) {
		b.Fatalf("the exact ranking uses the index:\n%s", plan)
	}
	cs := make([]indexComparison, len(efSearches))
	hnswT := make([]time.Duration, len(efSearches))
	var exactT time.Duration
	n := min(indexProbes, len(questions))
	for _, q := range questions[:n] {
		v := pgvector.NewVector(emb.Embed(q))
		want, _, te := run(exactSQL, efSearches[0], v, false)
		exactT += te
		in := make(map[int64]bool, len(want))
		for _, id := range want {
			in[id] = true
		}
		for i, ef := range efSearches {
			got, _, th := run(hnswSQL, ef, v, false)
			hnswT[i] += th
			found := 0
			for _, id := range got {
				if in[id] {
					found++
				}
			}
			if len(want) > 0 {
				cs[i].recall += float64(found) / float64(len(want))
			}
		}
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(n) / float64(time.Millisecond) }
	for i := range cs {
		cs[i].recall /= float64(n)
		cs[i].hnswMS, cs[i].exactMS = ms(hnswT[i]), ms(exactT)
	}
	return cs
}
