package pgstore_test

import (
	"context"
	"errors"
	"os"
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
