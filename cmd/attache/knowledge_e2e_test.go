package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type passage struct {
	ExternalID string `json:"external_id"`
	Locale     string `json:"locale"`
	Market     string `json:"market"`
	Version    int    `json:"version"`
	Text       string `json:"text"`
	VectorRank int    `json:"vector_rank"`
	TextRank   int    `json:"text_rank"`
	Fallback   bool   `json:"fallback"`
}

func (c apiClient) search(query, locale, market string) []passage {
	c.t.Helper()
	code, _, b := c.do("POST", "/v1/knowledge/search", map[string]any{"query": query, "locale": locale, "market": market, "k": 3})
	if code != 200 {
		c.t.Fatalf("search %q: %d %s", query, code, b)
	}
	var out struct{ Passages []passage }
	_ = json.Unmarshal(b, &out)
	return out.Passages
}

// TestKnowledgeSearchAnswersInTheCustomersLocaleAndMarket searches the seeded demo help
// center through the API.
func TestKnowledgeSearchAnswersInTheCustomersLocaleAndMarket(t *testing.T) {
	c := staffAPI(t)
	tests := []struct {
		query, locale, market string
		wantArticle           string
		wantLocale, wantMkt   string
	}{
		{"返品の期限は何日ですか？", "ja-JP", "JP", "returns", "ja", "JP"},
		{"Wie lange habe ich Zeit für eine Rücksendung?", "de-DE", "DE", "returns", "de", "DE"},
		{"Có thanh toán khi nhận hàng không?", "vi", "VN", "cod", "vi", ""},
		{"Combien de temps pour être remboursé ?", "fr-FR", "FR", "refunds", "fr", ""},
		{"Is VAT included in the price?", "en-IE", "IE", "eu-vat", "en", ""},
		// No Korean content: the English article serves, marked as a fallback.
		{"Is VAT included in the price?", "ko-KR", "", "eu-vat", "en", ""},
	}
	for _, tt := range tests {
		ps := c.search(tt.query, tt.locale, tt.market)
		if len(ps) == 0 {
			t.Errorf("%q: no passages", tt.query)
			continue
		}
		p := ps[0]
		if p.ExternalID != tt.wantArticle || p.Locale != tt.wantLocale || p.Market != tt.wantMkt || p.Version < 1 {
			t.Errorf("%q (%s, %s): top passage %s/%s/%s, want %s/%s/%s", tt.query, tt.locale, tt.market,
				p.ExternalID, p.Locale, p.Market, tt.wantArticle, tt.wantLocale, tt.wantMkt)
		}
		if p.Fallback != (tt.locale == "ko-KR") {
			t.Errorf("%q in %s: fallback %v", tt.query, tt.locale, p.Fallback)
		}
	}
	for _, bad := range []string{`{}`, `{"query":"x","k":500}`, `{"query":"x","locale":"??"}`} {
		if code, _, b := c.do("POST", "/v1/knowledge/search", bad); code != 422 {
			t.Errorf("search %s: %d %s, want 422", bad, code, b)
		}
	}
}

func TestConversationAnswersFromTheHelpCenterWithACitation(t *testing.T) {
	c := staffAPI(t)
	conv := c.newConversation("en-IE")
	r := reply(t, c.send(conv, "vat-1", "Is VAT included in the price?", "en-IE"))
	if r.Intent != "knowledge_answer" || r.Handoff || !strings.Contains(r.Text, "VAT") {
		t.Fatalf("reply: %+v", r)
	}
}

// missingVectors counts the chunks of articles whose external ID starts with prefix that
// have no vector in the stack's embedding space.
func missingVectors(t *testing.T, s *devStack, prefix string) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(t.Context(), `SELECT count(*) FROM kb_chunks c
		JOIN kb_articles a ON a.id = c.article_id
		WHERE a.external_id LIKE $1 AND NOT EXISTS (SELECT 1 FROM kb_embeddings e WHERE e.chunk_id = c.id)`, prefix+"%").Scan(&n); err != nil {
		t.Fatalf("count chunks without vectors: %v", err)
	}
	return n
}

func TestKnowledgeImportAPIAndGapReport(t *testing.T) {
	s := stack(t)
	c := apiClient{t: t, base: s.http.URL(), token: s.admin.Token}
	csv := "external_id,locale,title,body,market,tags\n" +
		"gift-cards,en,Gift cards,\"We sell digital gift cards from 10 to 500 EUR. They never expire.\",,payment\n" +
		"gift-cards,es,,\"Tarjetas regalo\",,payment\n" +
		"gift-cards,de,Geschenkkarten,\"Wir verkaufen Geschenkkarten.\",Germany,payment\n"
	post := func() map[string]any {
		code, _, b := c.do("POST", "/v1/knowledge/import?format=csv&name=gift.csv", csv)
		if code != 200 {
			t.Fatalf("import: %d %s", code, b)
		}
		var sum map[string]any
		_ = json.Unmarshal(b, &sum)
		return sum
	}
	first := post()
	if first["created"] != 1.0 || first["rejected"] != 2.0 || first["vectors_pending"] != true {
		t.Fatalf("first import: %v", first)
	}
	s.filler.Wait() // the vectors are computed after the answer, in the background
	if n := missingVectors(t, s, "gift-cards"); n != 0 {
		t.Fatalf("%d chunks of the imported article still lack vectors after the background fill", n)
	}
	rej, _ := json.Marshal(first["rejections"])
	for _, want := range []string{`"line":3`, "title", `"line":4`, "market"} {
		if !bytes.Contains(rej, []byte(want)) {
			t.Errorf("rejections %s lack %s", rej, want)
		}
	}
	if again := post(); again["unchanged"] != 1.0 || again["created"] != 0.0 || again["vectors_pending"] != nil {
		t.Fatalf("re-import must change nothing: %v", again)
	}
	if ps := c.search("Do gift cards expire?", "en", ""); len(ps) == 0 || ps[0].ExternalID != "gift-cards" {
		t.Fatalf("the imported article is not found: %+v", ps)
	}
	if code, _, b := c.do("POST", "/v1/knowledge/import", "x", "Content-Type", "application/pdf"); code != 415 {
		t.Fatalf("unsupported format: %d %s", code, b)
	}

	// A question nothing answers, asked in a conversation, reaches the gap report.
	conv := c.newConversation("es-MX")
	gapTurn := c.send(conv, "gap-1", "¿Puedo llevar a mi perro a su oficina?", "es-MX")
	code, _, b := c.do("GET", "/v1/knowledge/gaps?locale=es", nil)
	if code != 200 || !bytes.Contains(b, []byte("perro")) {
		t.Fatalf("gap report: %d %s (the turn: %+v)", code, b, gapTurn.Messages)
	}
}

func TestKBImportCommand(t *testing.T) {
	s := stack(t)
	dir := t.TempDir()
	files := map[string]string{
		"es/kb-cli-returns.md": "---\ntags: [returns]\n---\n# Devoluciones de prueba\n\nTiene 30 días para devolver un artículo.\n",
		"faq.csv":              "external_id,locale,title,body\nkb-cli-faq,en,CLI FAQ,\"Answers, with a comma.\"\nkb-cli-bad,xx-??,Bad,Body\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	env := envMap(map[string]string{"DATABASE_URL": s.pg.URL(), "ATTACHE_LOG_LEVEL": "warn"})
	if err := run(context.Background(), []string{"kb", "import", dir}, env, &out, &errOut); err != nil {
		t.Fatalf("attache kb import: %v\n%s%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "2 created, 0 updated, 0 unchanged, 1 rejected") || !strings.Contains(out.String(), "faq.csv:3") {
		t.Fatalf("summary: %s", out.String())
	}
	if !strings.Contains(errOut.String(), "embedded 2 chunks") {
		t.Fatalf("the import did not report its vectors: %s", errOut.String())
	}
	if n := missingVectors(t, s, "kb-cli-"); n != 0 {
		t.Fatalf("%d imported chunks lack vectors", n)
	}
	out.Reset()
	err := run(context.Background(), []string{"kb", "import", "--strict", dir}, env, &out, io.Discard)
	if !strings.Contains(out.String(), "0 created, 0 updated, 2 unchanged, 1 rejected") || err == nil || !strings.Contains(err.Error(), "1 rows rejected") {
		t.Fatalf("second, strict import: %v\n%s", err, out.String())
	}
	if err := run(context.Background(), []string{"kb", "import", "no/such/dir"}, env, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "no/such/dir") {
		t.Fatalf("missing path: %v", err)
	}
}
