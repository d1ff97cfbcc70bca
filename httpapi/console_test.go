package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge"
	kbstore "github.com/attache-dev/attache/knowledge/pgstore"
)

// fakeKB knows one article, "returns", in English, and records what is saved.
type fakeKB struct {
	knowledgeBase // methods the tests do not use panic
	saved         []knowledge.Record
}

func (f *fakeKB) Article(_ context.Context, id string) (kbstore.Article, error) {
	if id != "returns" {
		return kbstore.Article{}, knowledge.ErrNotFound
	}
	a := kbstore.Article{ExternalID: id, Variants: []kbstore.ArticleVariant{{Locale: "en", Title: "Returns", Body: "30 days.", Status: "published", Version: 1}}}
	for _, r := range f.saved {
		a.Variants = append(a.Variants, kbstore.ArticleVariant{Locale: r.Locale, Market: r.Market, Title: r.Title, Body: r.Body,
			Status: r.Status, Version: 1, SourceLocale: r.SourceLocale, UpdatedBy: "console"})
	}
	return a, nil
}

func (f *fakeKB) Upsert(_ context.Context, rec knowledge.Record, by string) (knowledge.Outcome, error) {
	f.saved = append(f.saved, rec)
	return knowledge.Created, nil
}

func TestSavingAVariantValidatesLikeTheImporter(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		status           int
		fields           []string
		saved            string // the stored locale/market, when saved
	}{
		{"a translation", "/v1/knowledge/articles/returns/variants/es", `{"title":"Devoluciones","body":"30 días.","source_locale":"en"}`, 200, nil, "es"},
		{"locale normalised", "/v1/knowledge/articles/returns/variants/pt_br", `{"title":"Devoluções","body":"30 dias.","market":"br"}`, 200, nil, "pt-BR/BR"},
		{"unknown article", "/v1/knowledge/articles/nope/variants/es", `{"title":"x","body":"y"}`, 404, nil, ""},
		{"missing title and body", "/v1/knowledge/articles/returns/variants/es", `{"status":"published"}`, 422, []string{"title", "body"}, ""},
		{"bad locale, market and status", "/v1/knowledge/articles/returns/variants/xx-!!", `{"title":"t","body":"b","market":"EU","status":"live"}`, 422, []string{"locale", "market", "status"}, ""},
		{"blank title", "/v1/knowledge/articles/returns/variants/es", `{"title":"  ","body":"b"}`, 422, []string{"title"}, ""},
		{"unknown field", "/v1/knowledge/articles/returns/variants/es", `{"title":"t","body":"b","colour":"red"}`, 400, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kb := &fakeKB{}
			api := newAdminAPI(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Knowledge: kb})
			req := httptest.NewRequest(http.MethodPut, tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			var p Problem
			_ = json.Unmarshal(rec.Body.Bytes(), &p)
			got := map[string]bool{}
			for _, e := range p.Errors {
				got[e.Field] = true
			}
			for _, f := range tc.fields {
				if !got[f] {
					t.Errorf("no error for %s: %s", f, rec.Body)
				}
			}
			switch {
			case tc.saved == "" && len(kb.saved) > 0:
				t.Errorf("saved %+v", kb.saved)
			case tc.saved != "":
				if len(kb.saved) != 1 {
					t.Fatalf("saved %d records", len(kb.saved))
				}
				r := kb.saved[0]
				if where := strings.TrimSuffix(r.Locale+"/"+r.Market, "/"); where != tc.saved || r.ExternalID != "returns" {
					t.Errorf("saved %s/%s, want %s", r.ExternalID, where, tc.saved)
				}
				var out struct{ Variant variantJSON }
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Variant.Title != r.Title {
					t.Errorf("response %s: %v", rec.Body, err)
				}
			}
		})
	}
}

func (f *fakeKB) History(_ context.Context, id, locale, market string) ([]kbstore.Version, error) {
	if id != "returns" || locale != "en" || market != "" {
		return nil, knowledge.ErrNotFound
	}
	return []kbstore.Version{{Version: 1, Title: "Returns", Status: "published", ChangedBy: "demo-seed"}}, nil
}

// MarkReviewed knows the translation returns/de, market-wide and as an AT override, of the
// source returns/en.
func (f *fakeKB) MarkReviewed(_ context.Context, id, locale, market, _ string) error {
	switch {
	case id == "returns" && locale == "en" && market == "":
		return kbstore.ErrNotATranslation
	case id == "returns" && locale == "de" && (market == "" || market == "AT"):
		return nil
	}
	return knowledge.ErrNotFound
}

func TestConsoleReadsAnswerProblemsForBadInput(t *testing.T) {
	for _, tc := range []struct {
		method string
		path   string
		status int
		field  string
	}{
		{"GET", "/v1/knowledge/articles?stale=maybe", 422, "stale"},
		{"GET", "/v1/knowledge/articles?locale=!!&limit=0", 422, "locale"},
		{"GET", "/v1/knowledge/articles/nope", 404, ""},
		{"GET", "/v1/knowledge/articles/returns", 200, ""},
		{"GET", "/v1/knowledge/articles/returns/variants/en/history", 200, ""},
		{"GET", "/v1/knowledge/articles/returns/variants/fr/history", 404, ""},
		{"GET", "/v1/knowledge/articles/returns/variants/!!/history", 422, "locale"},
		{"POST", "/v1/knowledge/articles/returns/variants/de/reviewed", 204, ""},
		{"POST", "/v1/knowledge/articles/returns/variants/de/reviewed?market=at", 204, ""},
		{"POST", "/v1/knowledge/articles/returns/variants/en/reviewed", 409, ""},
		{"POST", "/v1/knowledge/articles/returns/variants/fr/reviewed", 404, ""},
		{"POST", "/v1/knowledge/articles/returns/variants/!!/reviewed", 422, "locale"},
	} {
		api := newAdminAPI(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Knowledge: &fakeKB{}})
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, rec.Code, tc.status, rec.Body)
			continue
		}
		if tc.field != "" && !strings.Contains(rec.Body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("%s %s: %s names no %s", tc.method, tc.path, rec.Body, tc.field)
		}
		if tc.status >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %s, want problem JSON", tc.method, tc.path, rec.Header().Get("Content-Type"))
		}
	}
}
