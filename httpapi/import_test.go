package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge"
)

// failingKB stores records until it has stored okRows, then fails as a lost database would.
type failingKB struct {
	knowledgeBase // methods the tests do not use panic
	okRows        int
	stored        []string
}

func (f *failingKB) Upsert(_ context.Context, rec knowledge.Record, _ string) (knowledge.Outcome, error) {
	if len(f.stored) >= f.okRows {
		return "", errors.New("connection reset")
	}
	f.stored = append(f.stored, rec.ExternalID)
	return knowledge.Created, nil
}

func faqCSV(rows int) string {
	var b strings.Builder
	b.WriteString("external_id,locale,title,body\n")
	for i := range rows {
		fmt.Fprintf(&b, "faq-%03d,en,Question %d,\"Answer %d, with a comma.\"\n", i, i, i)
	}
	return b.String()
}

// TestAnImportThatStopsKeepsWhatItStored: the database fails partway through an import; the
// client gets a 503 problem saying how far it got and that importing again is safe, and the
// rows stored before the failure stay stored.
func TestAnImportThatStopsKeepsWhatItStored(t *testing.T) {
	kb := &failingKB{okRows: 3}
	api := newAdminAPI(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Knowledge: kb})
	req := httptest.NewRequest(http.MethodPost, "/v1/knowledge/import", strings.NewReader(faqCSV(10)))
	req.Header.Set("Content-Type", "text/csv")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("%d %s: not a problem", rec.Code, rec.Body)
	}
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Content-Type") != "application/problem+json" ||
		!strings.Contains(p.Detail, "3 created") || !strings.Contains(p.Detail, "importing again is safe") {
		t.Fatalf("%d %+v, want a 503 problem reporting the 3 stored rows", rec.Code, p)
	}
	if strings.Join(kb.stored, ",") != "faq-000,faq-001,faq-002" {
		t.Fatalf("stored %v", kb.stored)
	}
}

// TestAnImportLargerThanTheLimitIs413: the body is read as a stream up to the limit; beyond
// it the client gets a 413 problem, and the rows read before the limit are stored.
func TestAnImportLargerThanTheLimitIs413(t *testing.T) {
	kb := &failingKB{okRows: 1 << 30}
	body := faqCSV(200)
	api := newAdminAPI(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Knowledge: kb, MaxImportBytes: int64(len(body) / 2)})
	req := httptest.NewRequest(http.MethodPost, "/v1/knowledge/import?format=csv", strings.NewReader(body))
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	var p Problem
	_ = json.Unmarshal(rec.Body.Bytes(), &p)
	if rec.Code != http.StatusRequestEntityTooLarge || p.Type != typeTooLarge || !strings.Contains(p.Detail, "split it") {
		t.Fatalf("%d %s, want a 413 problem", rec.Code, rec.Body)
	}
	if n := len(kb.stored); n == 0 || n >= 200 {
		t.Fatalf("%d rows stored, want those before the limit", n)
	}
}
