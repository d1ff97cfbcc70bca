package httpapi

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/importer"
	kbstore "github.com/attache-dev/attache/knowledge/pgstore"
)

// knowledgeBase is what the API needs of the knowledge base.
type knowledgeBase interface {
	Search(ctx context.Context, q knowledge.Query) ([]knowledge.Passage, error)
	Upsert(ctx context.Context, rec knowledge.Record, by string) (knowledge.Outcome, error)
	Gaps(ctx context.Context, f kbstore.GapFilter) ([]kbstore.GapGroup, error)
	Articles(ctx context.Context, f kbstore.ArticleFilter) ([]kbstore.ArticleSummary, error)
	Article(ctx context.Context, externalID string) (kbstore.Article, error)
	History(ctx context.Context, externalID, locale, market string) ([]kbstore.Version, error)
	MarkReviewed(ctx context.Context, externalID, locale, market, by string) error
}

// defaultMaxImportBytes bounds one import request unless configured; the body is streamed,
// never held whole.
const defaultMaxImportBytes = 256 << 20

type searchRequest struct {
	Query    *string `json:"query"`
	Locale   string  `json:"locale"`
	Market   string  `json:"market"`
	Channel  string  `json:"channel"`  // "" for any channel
	Audience string  `json:"audience"` // "customers" (default: what the agent may quote) or "agents"
	K        int     `json:"k"`
}

// channelWord is what a channel may be called.
var channelWord = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

type passageJSON struct {
	ExternalID string  `json:"external_id"`
	Title      string  `json:"title"`
	Heading    string  `json:"heading"`
	Text       string  `json:"text"`
	Locale     string  `json:"locale"`
	Market     string  `json:"market,omitempty"`
	Version    int     `json:"version"`
	URL        string  `json:"url,omitempty"`
	Score      float64 `json:"score"`
	VectorRank int     `json:"vector_rank"`
	TextRank   int     `json:"text_rank"`
	Fallback   bool    `json:"fallback"`
}

func (h *handlers) knowledgeSearch(c *gin.Context) {
	var req searchRequest
	if !h.decode(c, &req, false) {
		return
	}
	var errs []FieldError
	if req.Query == nil || strings.TrimSpace(*req.Query) == "" {
		errs = append(errs, FieldError{"query", "required"})
	} else if len([]rune(*req.Query)) > 2000 {
		errs = append(errs, FieldError{"query", "longer than 2000 characters"})
	}
	if req.Locale == "" {
		req.Locale = "en"
	} else if _, err := language.Parse(req.Locale); err != nil {
		errs = append(errs, FieldError{"locale", "not a BCP 47 language tag"})
	}
	market, err := i18n.ParseMarket(req.Market)
	if err != nil {
		errs = append(errs, FieldError{"market", err.Error()})
	}
	req.Market = market
	if req.K == 0 {
		req.K = 5
	} else if req.K < 1 || req.K > 50 {
		errs = append(errs, FieldError{"k", "between 1 and 50"})
	}
	if req.Channel != "" && !channelWord.MatchString(req.Channel) {
		errs = append(errs, FieldError{"channel", "a lower-case channel name such as web or whatsapp"})
	}
	switch req.Audience {
	case "", knowledge.AudienceCustomers, knowledge.AudienceAgents:
	default:
		errs = append(errs, FieldError{"audience", "customers or agents"})
	}
	if len(errs) > 0 {
		invalid(c, "The search was not run.", errs...)
		return
	}
	ps, err := h.cfg.Knowledge.Search(c.Request.Context(), knowledge.Query{Text: *req.Query, Locale: req.Locale, Market: req.Market,
		Channel: req.Channel, Audience: req.Audience, K: req.K})
	if err != nil {
		h.fail(c, "knowledge search", err)
		return
	}
	out := make([]passageJSON, len(ps))
	for i, p := range ps {
		out[i] = passageJSON{ExternalID: p.ExternalID, Title: p.Title, Heading: p.Heading, Text: p.Text, Locale: p.Locale,
			Market: p.Market, Version: p.Version, URL: p.URL, Score: p.Score, VectorRank: p.VectorRank, TextRank: p.TextRank, Fallback: p.Fallback}
	}
	c.JSON(http.StatusOK, gin.H{"passages": out})
}

type rowErrorJSON struct {
	Source     string `json:"source,omitempty"`
	Line       int    `json:"line,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
	Reason     string `json:"reason"`
}

type summaryJSON struct {
	Created    int            `json:"created"`
	Updated    int            `json:"updated"`
	Unchanged  int            `json:"unchanged"`
	Rejected   int            `json:"rejected"`
	Rejections []rowErrorJSON `json:"rejections"`
	Truncated  bool           `json:"truncated,omitempty"`
	DurationMS int64          `json:"duration_ms"`
	// VectorsPending: the stored rows are searchable by full text now; their vectors are
	// being computed in the background.
	VectorsPending bool `json:"vectors_pending,omitempty"`
}

func toSummaryJSON(s knowledge.Summary) summaryJSON {
	out := summaryJSON{Created: s.Created, Updated: s.Updated, Unchanged: s.Unchanged, Rejected: s.Rejected,
		Truncated: s.Truncated, DurationMS: s.Duration.Milliseconds(), Rejections: []rowErrorJSON{}}
	for _, r := range s.Rejections {
		out.Rejections = append(out.Rejections, rowErrorJSON{r.Source, r.Line, r.ExternalID, r.Reason})
	}
	return out
}

// importFormats maps request media types to importer formats.
var importFormats = map[string]importer.Format{
	"text/csv": "csv", "application/csv": "csv",
	"application/jsonl": "jsonl", "application/x-ndjson": "jsonl", "application/x-jsonlines": "jsonl", "application/json-seq": "jsonl",
}

// knowledgeImport stores the CSV or JSONL records of the body (streamed, row by row) and
// answers with the summary. Rows that are rejected are listed with their reasons; rows that
// are stored stay stored even if a later one fails.
func (h *handlers) knowledgeImport(c *gin.Context) {
	format := importer.Format(c.Query("format"))
	if format == "" {
		mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
		format = importFormats[mt]
	}
	if format != "csv" && format != "jsonl" {
		writeProblem(c, Problem{Type: typeValidation, Title: "Unsupported import format", Status: http.StatusUnsupportedMediaType,
			Detail: "Send CSV (Content-Type: text/csv) or JSON Lines (Content-Type: application/jsonl), or say ?format=csv|jsonl."})
		return
	}
	name := c.Query("name")
	if name == "" {
		name = "upload." + string(format)
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, h.cfg.MaxImportBytes)
	ctx := c.Request.Context()
	// With a filler, the rows are stored text-only — searchable by full text at once, at a
	// twentieth of the time — and their vectors are filled in the background.
	var sink interface {
		Upsert(ctx context.Context, rec knowledge.Record, by string) (knowledge.Outcome, error)
	} = h.cfg.Knowledge
	kb, textOnly := h.cfg.Knowledge.(*kbstore.Store)
	textOnly = textOnly && h.cfg.VectorFiller != nil
	if textOnly {
		sink = kb.TextOnly()
	}
	sum, err := knowledge.Import(ctx, sink, editor(c), func(emit func(knowledge.Record) error, reject func(knowledge.RowError)) error {
		return importer.Read(ctx, body, format, name, emit, reject)
	}, nil)
	pending := textOnly && sum.Created+sum.Updated > 0
	if pending {
		h.cfg.VectorFiller.Request()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeProblem(c, Problem{Type: typeTooLarge, Title: "Import too large", Status: http.StatusRequestEntityTooLarge,
			Detail: fmt.Sprintf("The import is larger than %d bytes; split it. %s", h.cfg.MaxImportBytes, summaryLine(sum))})
		return
	case err != nil:
		h.cfg.Logger.Error("knowledge import", "err", err, "stored", sum.Created+sum.Updated, "request_id", c.GetString("request_id"))
		writeProblem(c, Problem{Type: typeUnavailable, Title: "Import interrupted", Status: http.StatusServiceUnavailable,
			Detail: "The import stopped before the end; what was stored stays stored, and importing again is safe. " + summaryLine(sum)})
		return
	}
	h.audit(c, actor(c), "knowledge.imported", "import:"+name, map[string]any{"created": sum.Created, "updated": sum.Updated,
		"unchanged": sum.Unchanged, "rejected": sum.Rejected})
	out := toSummaryJSON(sum)
	out.VectorsPending = pending
	c.JSON(http.StatusOK, out)
}

func summaryLine(s knowledge.Summary) string { return "So far: " + s.String() + "." }

type gapJSON struct {
	Locale   string    `json:"locale"`
	Market   string    `json:"market,omitempty"`
	Example  string    `json:"example"`
	Count    int       `json:"count"`
	Reasons  []string  `json:"reasons"`
	LastSeen time.Time `json:"last_seen"`
}

func (h *handlers) knowledgeGaps(c *gin.Context) {
	f := kbstore.GapFilter{Locale: c.Query("locale"), Market: strings.ToUpper(c.Query("market"))}
	var errs []FieldError
	if f.Limit = limitParam(c, 0, &errs); len(errs) > 0 {
		invalid(c, "The gap report was not read.", errs...)
		return
	}
	if v := c.Query("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			invalid(c, "The gap report was not read.", FieldError{"since", "an RFC 3339 time"})
			return
		}
		f.Since = t
	}
	gs, err := h.cfg.Knowledge.Gaps(c.Request.Context(), f)
	if err != nil {
		h.fail(c, "gap report", err)
		return
	}
	out := make([]gapJSON, len(gs))
	for i, g := range gs {
		out[i] = gapJSON{g.Locale, g.Market, g.Example, g.Count, g.Reasons, g.LastSeen.UTC()}
	}
	c.JSON(http.StatusOK, gin.H{"gaps": out})
}
