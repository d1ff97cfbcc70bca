package pgstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/hashembed"
	"github.com/attache-dev/attache/knowledge/pgstore"
)

func TestTheConsoleSeesArticlesVariantsAndHistory(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, hashembed.New(64))
	id := unique(t, "surf_boards")
	other := unique(t, "gift-cards")
	en := knowledge.Record{ExternalID: id, Locale: "en", Title: "Surfboard returns", Body: "Return surfboards within 30 days.", Tags: []string{"returns"}}
	es := knowledge.Record{ExternalID: id, Locale: "es", Title: "Devoluciones de tablas", Body: "Devuelve las tablas en 30 días.", SourceLocale: "en"}
	gc := knowledge.Record{ExternalID: other, Locale: "en", Title: "Gift cards", Body: "Gift cards never expire."}
	seed(t, s, en, es, gc)
	en.Body = "Return surfboards within 60 days."
	if _, err := s.Upsert(ctx, en, "editor@example.com"); err != nil {
		t.Fatal(err)
	}

	list := func(f pgstore.ArticleFilter) map[string]pgstore.ArticleSummary {
		t.Helper()
		as, err := s.Articles(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]pgstore.ArticleSummary{}
		for _, a := range as {
			out[a.ExternalID] = a
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		f       pgstore.ArticleFilter
		want    []string
		notWant []string
	}{
		{"by title", pgstore.ArticleFilter{Query: "SURFBOARD"}, []string{id}, []string{other}},
		{"by translated title", pgstore.ArticleFilter{Query: "tablas"}, []string{id}, []string{other}},
		{"underscore is literal", pgstore.ArticleFilter{Query: "surf_b"}, []string{id}, []string{other}},
		{"stale only", pgstore.ArticleFilter{Query: t.Name(), StaleOnly: true}, []string{id}, []string{other}},
		{"stale in another locale", pgstore.ArticleFilter{Query: t.Name(), StaleOnly: true, Locale: "de"}, nil, []string{id, other}},
		{"locale", pgstore.ArticleFilter{Query: t.Name(), Locale: "es"}, []string{id}, []string{other}},
	} {
		got := list(tc.f)
		for _, w := range tc.want {
			if _, ok := got[w]; !ok {
				t.Errorf("%s: %s is missing", tc.name, w)
			}
		}
		for _, w := range tc.notWant {
			if _, ok := got[w]; ok {
				t.Errorf("%s: %s is listed", tc.name, w)
			}
		}
	}
	sum := list(pgstore.ArticleFilter{Query: id})[id]
	if sum.Title != "Surfboard returns" || len(sum.Variants) != 2 || sum.Variants[0].Locale != "en" || sum.Variants[0].Version != 2 ||
		sum.Variants[1].Locale != "es" || !sum.Variants[1].Stale {
		t.Errorf("summary: %+v", sum)
	}

	a, err := s.Article(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Variants) != 2 {
		t.Fatalf("variants: %+v", a.Variants)
	}
	src, tr := a.Variants[0], a.Variants[1]
	if src.Body != en.Body || src.UpdatedBy != "editor@example.com" || src.Tags[0] != "returns" || src.Stale {
		t.Errorf("source: %+v", src)
	}
	if tr.SourceLocale != "en" || tr.SourceVersion != 1 || !tr.Stale || tr.UpdatedAt.IsZero() {
		t.Errorf("translation: %+v", tr)
	}

	// Saving the translation again brings it up to date with the source.
	es.Body = "Devuelve las tablas en 60 días."
	if _, err := s.Upsert(ctx, es, "console"); err != nil {
		t.Fatal(err)
	}
	if list(pgstore.ArticleFilter{Query: id})[id].Variants[1].Stale {
		t.Error("an updated translation is still stale")
	}

	h, err := s.History(ctx, id, "es", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Version != 2 || h[0].ChangedBy != "console" || h[0].SourceVersion != 2 || h[1].Version != 1 {
		t.Errorf("history: %+v", h)
	}

	for name, err := range map[string]error{
		"article": func() error { _, err := s.Article(ctx, unique(t, "nope")); return err }(),
		"history": func() error { _, err := s.History(ctx, id, "fr", ""); return err }(),
	} {
		if !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("unknown %s: %v, want ErrNotFound", name, err)
		}
	}
}
