package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge"
	kbstore "github.com/attache-dev/attache/knowledge/pgstore"
)

// internalKB holds one internal, WhatsApp-only English variant.
type internalKB struct{ fakeKB }

func (f *internalKB) Article(_ context.Context, id string) (kbstore.Article, error) {
	if id != "cod-script" {
		return kbstore.Article{}, knowledge.ErrNotFound
	}
	return kbstore.Article{ExternalID: id, Variants: []kbstore.ArticleVariant{{Locale: "en", Title: "COD script", Body: "Say this.",
		Status: "published", Version: 1, Channels: []string{"whatsapp"}, Audience: knowledge.AudienceAgents}}}, nil
}

// TestAnEditKeepsWhoTheVariantIsFor: the console's editor sends title and body; the
// variant's channels and audience are kept unless the request sets them.
func TestAnEditKeepsWhoTheVariantIsFor(t *testing.T) {
	for _, tc := range []struct {
		name, body   string
		wantChannels []string
		wantAudience string
	}{
		{"absent: kept", `{"title":"COD script","body":"Say this, politely."}`, []string{"whatsapp"}, knowledge.AudienceAgents},
		{"set: changed", `{"title":"COD script","body":"Say this.","channels":[],"audience":"customers"}`, nil, knowledge.AudienceCustomers},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kb := &internalKB{}
			api := newAdminAPI(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Knowledge: kb})
			req := httptest.NewRequest(http.MethodPut, "/v1/knowledge/articles/cod-script/variants/en", strings.NewReader(tc.body))
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if len(kb.saved) != 1 {
				t.Fatalf("%d %s: nothing saved", rec.Code, rec.Body)
			}
			got := kb.saved[0]
			if !slices.Equal(got.Channels, tc.wantChannels) || got.Audience != tc.wantAudience {
				t.Fatalf("saved channels %q audience %q, want %q %q", got.Channels, got.Audience, tc.wantChannels, tc.wantAudience)
			}
		})
	}
}
