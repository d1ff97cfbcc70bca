package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/importer"
	kbstore "github.com/attache-dev/attache/knowledge/pgstore"
)

type localeStatusJSON struct {
	Locale  string `json:"locale"`
	Market  string `json:"market,omitempty"`
	Status  string `json:"status"`
	Version int    `json:"version"`
	Stale   bool   `json:"stale"`
}

type articleSummaryJSON struct {
	ExternalID string             `json:"external_id"`
	Title      string             `json:"title"`
	Variants   []localeStatusJSON `json:"variants"`
}

type variantJSON struct {
	Locale        string    `json:"locale"`
	Market        string    `json:"market,omitempty"`
	Title         string    `json:"title"`
	Body          string    `json:"body"`
	Tags          []string  `json:"tags"`
	URL           string    `json:"url,omitempty"`
	Status        string    `json:"status"`
	Version       int       `json:"version"`
	SourceLocale  string    `json:"source_locale,omitempty"`
	SourceVersion int       `json:"source_version,omitempty"`
	Stale         bool      `json:"stale"`
	UpdatedBy     string    `json:"updated_by"`
	UpdatedAt     time.Time `json:"updated_at"`
	Channels      []string  `json:"channels"` // empty: every channel
	Audience      string    `json:"audience"`
}

type versionJSON struct {
	Version       int       `json:"version"`
	Title         string    `json:"title"`
	Status        string    `json:"status"`
	SourceVersion int       `json:"source_version,omitempty"`
	ChangedBy     string    `json:"changed_by"`
	ChangedAt     time.Time `json:"changed_at"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toVariantJSON(v kbstore.ArticleVariant) variantJSON {
	tags := v.Tags
	if tags == nil {
		tags = []string{}
	}
	return variantJSON{Locale: v.Locale, Market: v.Market, Title: v.Title, Body: v.Body, Tags: tags, URL: v.URL,
		Status: v.Status, Version: v.Version, SourceLocale: v.SourceLocale, SourceVersion: v.SourceVersion,
		Stale: v.Stale, UpdatedBy: v.UpdatedBy, UpdatedAt: v.UpdatedAt.UTC(), Channels: nonNil(v.Channels), Audience: v.Audience}
}

func (h *handlers) knowledgeArticles(c *gin.Context) {
	f := kbstore.ArticleFilter{Query: strings.TrimSpace(c.Query("q")), Locale: c.Query("locale")}
	var errs []FieldError
	if len([]rune(f.Query)) > 200 {
		errs = append(errs, FieldError{"q", "longer than 200 characters"})
	}
	if f.Locale != "" {
		if tag, err := language.Parse(f.Locale); err != nil {
			errs = append(errs, FieldError{"locale", "not a BCP 47 language tag"})
		} else {
			f.Locale = tag.String()
		}
	}
	if v := c.Query("stale"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, FieldError{"stale", "true or false"})
		}
		f.StaleOnly = b
	}
	f.Limit = limitParam(c, 0, &errs)
	if len(errs) > 0 {
		invalid(c, "The article list was not read.", errs...)
		return
	}
	as, err := h.cfg.Knowledge.Articles(c.Request.Context(), f)
	if err != nil {
		h.fail(c, "list articles", err)
		return
	}
	out := make([]articleSummaryJSON, len(as))
	for i, a := range as {
		out[i] = articleSummaryJSON{ExternalID: a.ExternalID, Title: a.Title, Variants: make([]localeStatusJSON, len(a.Variants))}
		for j, v := range a.Variants {
			out[i].Variants[j] = localeStatusJSON{v.Locale, v.Market, v.Status, v.Version, v.Stale}
		}
	}
	c.JSON(http.StatusOK, gin.H{"articles": out})
}

// article reads the article named by the path, answering 404 when it does not exist.
func (h *handlers) article(c *gin.Context) (kbstore.Article, bool) {
	id := c.Param("external_id")
	a, err := h.cfg.Knowledge.Article(c.Request.Context(), id)
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		notFound(c, "The article "+strconv.Quote(id))
		return a, false
	case err != nil:
		h.fail(c, "read article", err)
		return a, false
	}
	return a, true
}

func (h *handlers) knowledgeArticle(c *gin.Context) {
	a, ok := h.article(c)
	if !ok {
		return
	}
	vs := make([]variantJSON, len(a.Variants))
	for i, v := range a.Variants {
		vs[i] = toVariantJSON(v)
	}
	c.JSON(http.StatusOK, gin.H{"external_id": a.ExternalID, "variants": vs})
}

type putVariantRequest struct {
	Title        *string  `json:"title"`
	Body         *string  `json:"body"`
	Tags         []string `json:"tags"`
	URL          string   `json:"url"`
	Status       string   `json:"status"`
	SourceLocale string   `json:"source_locale"`
	Market       string   `json:"market"`
	// Channels and Audience keep the stored variant's when absent: an editor that does not
	// show them does not reset them.
	Channels []string `json:"channels"`
	Audience *string  `json:"audience"`
}

// importFields are the importer's field names, which lead its rejection reasons.
var importFields = []string{"external_id", "source_locale", "locale", "title", "body", "market", "tags", "url", "status", "channels", "audience"}

// knowledgeVariantPut stores the whole variant of an existing article, validated exactly as
// the importer validates a record, and answers with the stored variant.
func (h *handlers) knowledgeVariantPut(c *gin.Context) {
	// A variant's body may be as large as the importer allows, and JSON escaping grows it.
	hc := *h
	hc.cfg.MaxBodyBytes = max(h.cfg.MaxBodyBytes, 4*importer.MaxBodySize)
	var req putVariantRequest
	if !hc.decode(c, &req, false) {
		return
	}
	before, ok := h.article(c)
	if !ok {
		return
	}
	if tag, err := language.Parse(c.Param("locale")); err == nil && (req.Channels == nil || req.Audience == nil) {
		// (A bad locale is reported with the other fields by the validation below.)
		for _, v := range before.Variants {
			if v.Locale == tag.String() && v.Market == strings.ToUpper(req.Market) {
				if req.Channels == nil {
					req.Channels = v.Channels
				}
				if req.Audience == nil {
					req.Audience = &v.Audience
				}
			}
		}
	}
	rec, errs := h.validateVariant(c, req)
	if errs != nil {
		invalid(c, "The variant was not saved.", errs...)
		return
	}
	if rec.ExternalID == "" {
		return // the problem is written
	}
	ctx := c.Request.Context()
	outcome, err := h.cfg.Knowledge.Upsert(ctx, rec, editor(c))
	if err != nil {
		h.fail(c, "save variant", err)
		return
	}
	h.audit(c, actor(c), "knowledge.variant_saved", "article:"+rec.ExternalID+"/"+variantName(rec.Locale, rec.Market),
		map[string]any{"outcome": string(outcome), "status": rec.Status})
	a, ok := h.article(c)
	if !ok {
		return
	}
	for _, v := range a.Variants {
		if v.Locale == rec.Locale && v.Market == rec.Market {
			c.JSON(http.StatusOK, gin.H{"outcome": string(outcome), "variant": toVariantJSON(v)})
			return
		}
	}
	h.fail(c, "save variant", errors.New("saved variant not found"))
}

// validateVariant runs the request through the importer as one JSON Lines record, so that
// the console and imports accept exactly the same variants. A rejection's reasons become
// field errors named after the field each reason begins with.
func (h *handlers) validateVariant(c *gin.Context, req putVariantRequest) (knowledge.Record, []FieldError) {
	obj := map[string]any{"external_id": c.Param("external_id"), "locale": c.Param("locale"),
		"url": req.URL, "status": req.Status, "source_locale": req.SourceLocale, "market": req.Market}
	var errs []FieldError
	if req.Title == nil {
		errs = append(errs, FieldError{"title", "required"})
	} else {
		obj["title"] = *req.Title
	}
	if req.Body == nil {
		errs = append(errs, FieldError{"body", "required"})
	} else {
		obj["body"] = *req.Body
	}
	if req.Tags != nil {
		obj["tags"] = req.Tags
	}
	if req.Channels != nil {
		obj["channels"] = req.Channels
	}
	if req.Audience != nil {
		obj["audience"] = *req.Audience
	}
	if errs != nil {
		return knowledge.Record{}, errs
	}
	line, err := json.Marshal(obj)
	if err != nil {
		h.fail(c, "encode variant", err)
		return knowledge.Record{}, nil
	}
	var rec knowledge.Record
	var reasons []string
	err = importer.Read(c.Request.Context(), strings.NewReader(string(line)), "jsonl", "console",
		func(r knowledge.Record) error { rec = r; return nil },
		func(e knowledge.RowError) { reasons = append(reasons, strings.Split(e.Reason, "; ")...) })
	if err != nil {
		h.fail(c, "validate variant", err)
		return knowledge.Record{}, nil
	}
	for _, r := range reasons {
		field := "body"
		for _, f := range importFields {
			if strings.HasPrefix(r, f+" ") || strings.HasPrefix(r, "field \""+f+"\"") {
				field = f
				break
			}
		}
		errs = append(errs, FieldError{field, r})
	}
	if errs == nil && rec.ExternalID == "" {
		errs = append(errs, FieldError{"body", "not accepted"})
	}
	return rec, errs
}

// variantKey reads the locale (canonical) and market of the variant named by the path and
// query, answering a validation problem titled title when the locale is not a language tag.
func variantKey(c *gin.Context, title string) (locale, market string, ok bool) {
	tag, err := language.Parse(c.Param("locale"))
	if err != nil {
		invalid(c, title, FieldError{"locale", "not a BCP 47 language tag"})
		return "", "", false
	}
	return tag.String(), strings.ToUpper(c.Query("market")), true
}

func (h *handlers) knowledgeVariantHistory(c *gin.Context) {
	locale, market, ok := variantKey(c, "The history was not read.")
	if !ok {
		return
	}
	hs, err := h.cfg.Knowledge.History(c.Request.Context(), c.Param("external_id"), locale, market)
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		notFound(c, "The variant "+strconv.Quote(c.Param("external_id")+"/"+locale))
		return
	case err != nil:
		h.fail(c, "read history", err)
		return
	}
	out := make([]versionJSON, len(hs))
	for i, v := range hs {
		out[i] = versionJSON{v.Version, v.Title, v.Status, v.SourceVersion, v.ChangedBy, v.ChangedAt.UTC()}
	}
	c.JSON(http.StatusOK, gin.H{"versions": out})
}

// knowledgeMarkReviewed records that a translation still says what its current source says.
func (h *handlers) knowledgeMarkReviewed(c *gin.Context) {
	locale, market, ok := variantKey(c, "The review was not recorded.")
	if !ok {
		return
	}
	err := h.cfg.Knowledge.MarkReviewed(c.Request.Context(), c.Param("external_id"), locale, market, editor(c))
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		notFound(c, "The variant "+strconv.Quote(c.Param("external_id")+"/"+locale))
		return
	case errors.Is(err, kbstore.ErrNotATranslation):
		writeProblem(c, Problem{Type: typeValidation, Title: "Not a translation", Status: http.StatusConflict,
			Detail: "This variant is a source, not a translation: there is nothing to review it against."})
		return
	case err != nil:
		h.fail(c, "mark reviewed", err)
		return
	}
	h.audit(c, actor(c), "knowledge.variant_reviewed", "article:"+c.Param("external_id")+"/"+variantName(locale, market), nil)
	c.Status(http.StatusNoContent)
}

// variantName is a variant's locale, with its market when it has one: "de" or "de@AT".
func variantName(locale, market string) string {
	if market == "" {
		return locale
	}
	return locale + "@" + market
}

func (h *handlers) console(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.FileFromFS("/console.html", http.FS(h.cfg.Assets))
}
