package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/hashembed"
	"github.com/attache-dev/attache/knowledge/pgstore"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// unique makes external IDs unique per test: the tests share one database.
func unique(t *testing.T, id string) string { return strings.ReplaceAll(t.Name(), "/", "-") + "-" + id }

func newStore(t *testing.T, e knowledge.Embedder) *pgstore.Store {
	t.Helper()
	s, err := pgstore.New(context.Background(), pgtest.Pool(t), e, pgtest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestUpsertIsIdempotentAndVersioned(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, hashembed.New(64))
	rec := knowledge.Record{ExternalID: unique(t, "returns"), Locale: "en", Title: "Returns", Body: "## Window\n\nYou have 30 days to return an item."}
	for i, want := range []knowledge.Outcome{knowledge.Created, knowledge.Unchanged, knowledge.Unchanged} {
		got, err := s.Upsert(ctx, rec, "test")
		if err != nil || got != want {
			t.Fatalf("upsert %d: %v %v, want %v", i, got, err, want)
		}
	}
	rec.Body = "## Window\n\nYou have 45 days to return an item."
	if got, err := s.Upsert(ctx, rec, "test"); err != nil || got != knowledge.Updated {
		t.Fatalf("changed upsert: %v %v", got, err)
	}
	a, err := s.Article(ctx, rec.ExternalID)
	if err != nil || len(a.Variants) != 1 || a.Variants[0].Version != 2 {
		t.Fatalf("variants: %+v %v", a.Variants, err)
	}
}

func TestATranslationIsStaleOnceItsSourceChanges(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, hashembed.New(64))
	id := unique(t, "shipping")
	en := knowledge.Record{ExternalID: id, Locale: "en", Title: "Shipping", Body: "Delivery takes 3 to 5 business days."}
	es := knowledge.Record{ExternalID: id, Locale: "es", Title: "Envíos", Body: "La entrega tarda de 3 a 5 días hábiles.", SourceLocale: "en"}
	for _, r := range []knowledge.Record{en, es} {
		if _, err := s.Upsert(ctx, r, "test"); err != nil {
			t.Fatal(err)
		}
	}
	stale := func() bool {
		a, err := s.Article(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range a.Variants {
			if v.Locale == "es" {
				return v.Stale
			}
		}
		t.Fatal("no es variant")
		return false
	}
	if stale() {
		t.Fatal("a fresh translation is stale")
	}
	en.Body = "Delivery takes 2 to 4 business days."
	if _, err := s.Upsert(ctx, en, "editor@example.com"); err != nil {
		t.Fatal(err)
	}
	if !stale() {
		t.Fatal("the translation is not stale after one edit of its source")
	}
	es.Body = "La entrega tarda de 2 a 4 días hábiles."
	if _, err := s.Upsert(ctx, es, "translator@example.com"); err != nil {
		t.Fatal(err)
	}
	if stale() {
		t.Fatal("the updated translation is still stale")
	}
}

func seed(t *testing.T, s *pgstore.Store, recs ...knowledge.Record) {
	t.Helper()
	for _, r := range recs {
		if _, err := s.Upsert(context.Background(), r, "test"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSearchPrefersTheCustomersLocaleThenFallsBack(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, hashembed.New(hashembed.DefaultDims))
	id := unique(t, "returns")
	seed(t, s,
		knowledge.Record{ExternalID: id, Locale: "en", Title: "Returns", Body: "## Return window\n\nYou can return any item within 30 days of delivery.\n\n## Condition\n\nItems must be unused."},
		knowledge.Record{ExternalID: id, Locale: "es", SourceLocale: "en", Title: "Devoluciones", Body: "## Plazo de devolución\n\nPuede devolver cualquier artículo en un plazo de 30 días desde la entrega.\n\n## Estado\n\nLos artículos deben estar sin usar."},
		knowledge.Record{ExternalID: id, Locale: "es", Market: "MX", SourceLocale: "en", Title: "Devoluciones", Body: "## Plazo de devolución\n\nEn México tiene 15 días para devolver un artículo."},
		knowledge.Record{ExternalID: unique(t, "draft"), Locale: "es", Title: "Borrador", Body: "Devolver artículo plazo días borrador secreto.", Status: "draft"},
	)
	ps, err := s.Search(ctx, knowledge.Query{Text: "¿Cuántos días tengo para devolver un artículo?", Locale: "es-ES", K: 3})
	if err != nil || len(ps) == 0 {
		t.Fatalf("search: %v %v", ps, err)
	}
	if ps[0].Locale != "es" || ps[0].Market != "" || ps[0].Fallback || !strings.Contains(ps[0].Text, "30 días") {
		t.Fatalf("top passage for a Spanish question: %+v", ps[0])
	}
	for _, p := range ps {
		if strings.Contains(p.Text, "borrador") {
			t.Fatalf("a draft was retrieved: %+v", p)
		}
		if p.ExternalID == id && p.Locale != "es" {
			t.Fatalf("the English variant came back although a Spanish one exists: %+v", p)
		}
	}
	// The Mexican market gets its override merged into the article.
	mx, err := s.Search(ctx, knowledge.Query{Text: "plazo para devolver", Locale: "es-MX", Market: "MX", K: 3})
	if err != nil || len(mx) == 0 || mx[0].Market != "MX" || !strings.Contains(mx[0].Text, "15 días") {
		t.Fatalf("search in MX: %+v %v", mx, err)
	}
	for _, p := range mx {
		if strings.Contains(p.Text, "30 días") {
			t.Fatalf("the market-wide return window leaked into MX: %+v", p)
		}
	}
	// No French variant: English serves, marked as a fallback.
	fr, err := s.Search(ctx, knowledge.Query{Text: "return an item within days", Locale: "fr-FR", Market: "FR", K: 3})
	if err != nil || len(fr) == 0 || fr[0].Locale != "en" || !fr[0].Fallback {
		t.Fatalf("search in fr without French content: %+v %v", fr, err)
	}
	if fr[0].VectorRank == 0 && fr[0].TextRank == 0 {
		t.Fatalf("a passage with no rank: %+v", fr[0])
	}
}

// failing is an embedder that is down.
type failing struct{ knowledge.Embedder }

func (failing) EmbedBatch(context.Context, []string) ([][]float32, error) {
	return nil, errors.New("embedding service unavailable")
}

func TestAnEmbedderOutageLosesNothing(t *testing.T) {
	ctx := context.Background()
	e := hashembed.New(32)
	down := newStore(t, failing{e})
	id := unique(t, "warranty")
	if _, err := down.Upsert(ctx, knowledge.Record{ExternalID: id, Locale: "en", Title: "Warranty", Body: "Every product has a two-year warranty."}, "test"); err != nil {
		t.Fatalf("upsert with the embedder down: %v", err)
	}
	up := newStore(t, e)
	ps, err := up.Search(ctx, knowledge.Query{Text: "two-year warranty", Locale: "en"})
	if err != nil || len(ps) == 0 || ps[0].ExternalID != id || ps[0].VectorRank != 0 {
		t.Fatalf("full text must find the article without vectors: %+v %v", ps, err)
	}
	if n, err := up.Reembed(ctx); err != nil || n == 0 {
		t.Fatalf("reembed: %d %v", n, err)
	}
	ps, _ = up.Search(ctx, knowledge.Query{Text: "two-year warranty", Locale: "en"})
	if len(ps) == 0 || ps[0].VectorRank == 0 {
		t.Fatalf("after Reembed the vector ranking must find it: %+v", ps)
	}
}

func TestGapReportGroupsQuestionsPerLocaleAndMarketNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, hashembed.New(64))
	market := "Z" + strings.ToUpper(t.Name()[:1]) // a market of this test only
	for _, g := range []knowledge.Gap{
		{Question: "Do you ship to Iceland?", Locale: "en", Market: market, Reason: knowledge.GapNoPassage},
		{Question: "do you ship to iceland", Locale: "en", Market: market, Reason: knowledge.GapHandoff},
		{Question: "¿Envían a Islandia?", Locale: "es", Market: market, Reason: knowledge.GapNoPassage},
		{Question: "Can I pay with crypto?", Locale: "en", Market: market, Reason: knowledge.GapFallbackLocale},
	} {
		if err := s.RecordGap(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	groups, err := s.Gaps(ctx, pgstore.GapFilter{Market: market})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 3 {
		t.Fatalf("want 3 groups, got %+v", groups)
	}
	if groups[0].Example != "Can I pay with crypto?" {
		t.Errorf("newest first: got %+v", groups[0])
	}
	for _, g := range groups {
		if g.Locale == "en" && strings.Contains(strings.ToLower(g.Example), "iceland") {
			if g.Count != 2 || len(g.Reasons) != 2 {
				t.Errorf("the two wordings of the Iceland question must group, with both reasons: %+v", g)
			}
		}
	}
	es, _ := s.Gaps(ctx, pgstore.GapFilter{Market: market, Locale: "es"})
	if len(es) != 1 || es[0].Locale != "es" {
		t.Errorf("locale filter: %+v", es)
	}
}

func TestMarkReviewedClearsStalenessWithoutChangingTheText(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, hashembed.New(64))
	id := unique(t, "faq")
	seed(t, s,
		knowledge.Record{ExternalID: id, Locale: "en", Title: "FAQ", Body: "Answer one."},
		knowledge.Record{ExternalID: id, Locale: "de", SourceLocale: "en", Title: "FAQ", Body: "Antwort eins."})
	seed(t, s, knowledge.Record{ExternalID: id, Locale: "en", Title: "FAQ", Body: "Answer one, with a typo fixed."})
	if err := s.MarkReviewed(ctx, id, "de", "", "reviewer"); err != nil {
		t.Fatal(err)
	}
	a, err := s.Article(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	reviewed := false
	for _, v := range a.Variants {
		if v.Locale == "de" {
			reviewed = true
			if v.Stale || v.Version != 2 || v.SourceVersion != 2 {
				t.Fatalf("after review: %+v", v)
			}
		}
	}
	if !reviewed {
		t.Fatal("no de variant after review")
	}
	hs, err := s.History(ctx, id, "de", "")
	if err != nil || len(hs) != 2 || hs[0].ChangedBy != "reviewer" {
		t.Fatalf("history: %+v %v", hs, err)
	}
	if err := s.MarkReviewed(ctx, id, "en", "", "x"); !errors.Is(err, pgstore.ErrNotATranslation) {
		t.Fatalf("reviewing the source: %v", err)
	}
	if err := s.MarkReviewed(ctx, id, "fr", "", "x"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Fatalf("reviewing a missing variant: %v", err)
	}
}

// snapshot writes what a user of the knowledge base can see of articles ids: every variant
// with its version and staleness, its history, its chunks, and how many chunks lack a vector.
// External IDs are written without prefix, so that two stores of the same content compare.
func snapshot(t *testing.T, s *pgstore.Store, model, prefix string, ids ...string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, id := range ids {
		a, err := s.Article(ctx, prefix+id)
		if err != nil {
			t.Fatalf("article %s: %v", id, err)
		}
		for _, v := range a.Variants {
			fmt.Fprintf(&b, "%s %s/%s v%d %s src=%s@%d stale=%v tags=%v title=%q body=%q by=%s\n", id, v.Locale, v.Market,
				v.Version, v.Status, v.SourceLocale, v.SourceVersion, v.Stale, v.Tags, v.Title, v.Body, v.UpdatedBy)
			hs, err := s.History(ctx, prefix+id, v.Locale, v.Market)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				fmt.Fprintf(&b, "  history v%d %s src@%d %q by %s\n", h.Version, h.Status, h.SourceVersion, h.Title, h.ChangedBy)
			}
		}
		rows, err := pgtest.Pool(t).Query(ctx, `SELECT c.locale, c.market, c.ordinal, c.heading, c.body, c.fts::text,
				EXISTS (SELECT 1 FROM kb_embeddings e WHERE e.chunk_id = c.id AND e.model = $2)
			FROM kb_chunks c JOIN kb_articles a ON a.id = c.article_id WHERE a.external_id = $1
			ORDER BY c.locale, c.market, c.ordinal`, prefix+id, model)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var locale, market, heading, body, fts string
			var ordinal int
			var embedded bool
			if err := rows.Scan(&locale, &market, &ordinal, &heading, &body, &fts, &embedded); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "  chunk %s/%s #%d %q %q fts=%s vector=%v\n", locale, market, ordinal, heading, body, fts, embedded)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestUpsertBatchStoresLikeOneUpsertAfterAnother(t *testing.T) {
	ctx := context.Background()
	e := hashembed.New(64)
	s := newStore(t, e)
	// Stored before the batch: an article with a German override and a Spanish translation.
	before := []knowledge.Record{
		{ExternalID: "returns", Locale: "en", Title: "Returns", Body: "## Window\n\n30 days.\n\n## Condition\n\nUnused items only."},
		{ExternalID: "returns", Locale: "en", Market: "DE", Title: "Returns", Body: "## Window\n\n14 days in Germany."},
		{ExternalID: "returns", Locale: "es", SourceLocale: "en", Title: "Devoluciones", Body: "## Plazo\n\n30 días."},
		{ExternalID: "same", Locale: "en", Title: "Same", Body: "Nothing changes here.", Tags: []string{"b", "a"}},
	}
	batch := []knowledge.Record{
		before[3], // unchanged
		// A change of the market-wide text rechunks the German override with it.
		{ExternalID: "returns", Locale: "en", Title: "Returns", Body: "## Window\n\n45 days.\n\n## Condition\n\nUnused items, with tags."},
		// A translation made after its source changed in the same batch is up to date ...
		{ExternalID: "returns", Locale: "de", SourceLocale: "en", Title: "Rückgabe", Body: "## Frist\n\n45 Tage."},
		// ... one whose source changes later in the batch is stale.
		{ExternalID: "shipping", Locale: "fr", SourceLocale: "en", Title: "Livraison", Body: "3 jours."},
		{ExternalID: "shipping", Locale: "en", Title: "Shipping", Body: "3 days.", Tags: []string{"shipping", "eu"}},
		{ExternalID: "shipping", Locale: "ja", SourceLocale: "en", Title: "配送", Body: "配送には3日かかります。"},
		// The same variant twice: both versions are kept, the later one is current.
		{ExternalID: "shipping", Locale: "en", Title: "Shipping", Body: "2 days.", Tags: []string{"shipping"}},
		// An override and then its market-wide text, both new: the override merges the final text.
		{ExternalID: "cod", Locale: "es", Market: "MX", Title: "Contra entrega", Body: "## Límite\n\nHasta 5000 MXN."},
		{ExternalID: "cod", Locale: "es", Title: "Contra entrega", Body: "## Límite\n\nHasta 100 EUR.\n\n## Pago\n\nEn efectivo."},
		// A draft has no chunks; a published variant turned draft loses its chunks.
		{ExternalID: "draft", Locale: "en", Title: "Secret", Body: "Not yet.", Status: "draft"},
		{ExternalID: "returns", Locale: "es", SourceLocale: "en", Title: "Devoluciones", Body: "## Plazo\n\n30 días.", Status: "draft"},
	}
	ids := []string{"returns", "same", "shipping", "cod", "draft"}
	with := func(prefix string, recs []knowledge.Record) []knowledge.Record {
		out := slices.Clone(recs)
		for i := range out {
			out[i].ExternalID = prefix + out[i].ExternalID
		}
		return out
	}
	var snaps [2]string
	var outs [2][]knowledge.Outcome
	for i, batched := range []bool{true, false} {
		prefix := unique(t, fmt.Sprintf("%v-", batched))
		seed(t, s, with(prefix, before)...)
		if batched {
			got, err := s.UpsertBatch(ctx, with(prefix, batch), "editor")
			if err != nil {
				t.Fatal(err)
			}
			outs[i] = got
		} else {
			for _, r := range with(prefix, batch) {
				out, err := s.Upsert(ctx, r, "editor")
				if err != nil {
					t.Fatal(err)
				}
				outs[i] = append(outs[i], out)
			}
		}
		snaps[i] = snapshot(t, s, e.Model(), prefix, ids...)
	}
	want := []knowledge.Outcome{knowledge.Unchanged, knowledge.Updated, knowledge.Created, knowledge.Created, knowledge.Created,
		knowledge.Created, knowledge.Updated, knowledge.Created, knowledge.Created, knowledge.Created, knowledge.Updated}
	if !slices.Equal(outs[0], want) || !slices.Equal(outs[1], want) {
		t.Fatalf("outcomes:\nbatch      %v\none by one %v\nwant       %v", outs[0], outs[1], want)
	}
	if snaps[0] != snaps[1] {
		t.Fatalf("a batch stored differently from one upsert after another:\n--- batch\n%s--- one by one\n%s", snaps[0], snaps[1])
	}
	// What the comparison stands on, checked once.
	for _, must := range []string{
		"shipping fr/ v1 published src=en@0 stale=true", // made before its source existed
		"shipping ja/ v1 published src=en@1 stale=true",
		"shipping en/ v2 published src=@0 stale=false tags=[shipping]",
		"returns de/ v1 published src=en@2 stale=false",
		"chunk en/DE #0", "14 days in Germany", "with tags",
		"chunk es/MX #0", "Hasta 5000 MXN", "En efectivo",
		"same en/ v1 published src=@0 stale=false tags=[b a]",
		"  history v2 published src@0 \"Shipping\" by editor",
	} {
		if !strings.Contains(snaps[0], must) {
			t.Errorf("the batch's result lacks %q:\n%s", must, snaps[0])
		}
	}
	for _, mustNot := range []string{"vector=false", `#0 "Devoluciones"`, `#0 "Secret"`} {
		if strings.Contains(snaps[0], mustNot) {
			t.Errorf("the batch's result has %q:\n%s", mustNot, snaps[0])
		}
	}
}

func TestUpsertBatchIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, hashembed.New(64))
	good := knowledge.Record{ExternalID: unique(t, "good"), Locale: "en", Title: "Good", Body: "Stored only with its batch."}
	bad := knowledge.Record{ExternalID: unique(t, "bad"), Locale: "en", Title: "Bad", Body: "A status the database refuses.", Status: "archived"}
	if _, err := s.UpsertBatch(ctx, []knowledge.Record{good, bad}, "test"); err == nil || !strings.Contains(err.Error(), good.ExternalID) {
		t.Fatalf("a batch with a record the database refuses: %v (want an error naming the batch's first record)", err)
	}
	if _, err := s.Article(ctx, good.ExternalID); err == nil {
		t.Fatal("a record of the failed batch was stored")
	}
	if outs, err := s.UpsertBatch(ctx, []knowledge.Record{good}, "test"); err != nil || len(outs) != 1 || outs[0] != knowledge.Created {
		t.Fatalf("the good record alone: %v %v", outs, err)
	}
}
