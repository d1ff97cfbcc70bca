package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/policy/taboo"
	taboostore "github.com/attache-dev/attache/policy/taboo/pgstore"
)

// tabooPacks is what the API needs of the taboo pack store (*taboostore.Store).
type tabooPacks interface {
	List(ctx context.Context) ([]taboostore.Pack, error)
	Get(ctx context.Context, id string) (taboostore.Pack, error)
	History(ctx context.Context, id string) ([]taboostore.Revision, error)
	Put(ctx context.Context, id string, doc []byte, by string, ifVersion int) (taboostore.Pack, error)
	SetDisabled(ctx context.Context, id string, disabled bool, by string, ifVersion int) (taboostore.Pack, error)
	Check(ctx context.Context, text string, tctx taboo.Context, id string, doc []byte) (taboo.Verdict, error)
}

// tabooAPI serves /v1/policy/taboo: the handlers with the pack store.
type tabooAPI struct {
	h     *handlers
	packs tabooPacks
}

// maxTabooPackBytes bounds one pack document; the largest embedded pack is about 6 KiB.
const maxTabooPackBytes = 1 << 20

type tabooPackJSON struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	PackVersion string          `json:"pack_version"` // the document's own version, reported with hits
	Markets     []string        `json:"markets"`
	Locales     []string        `json:"locales"`
	Rules       int             `json:"rules"`
	Source      string          `json:"source"`  // "builtin" or "override"
	Version     int             `json:"version"` // stored edits; send it back as If-Match
	Disabled    bool            `json:"disabled"`
	UpdatedBy   string          `json:"updated_by,omitempty"`
	UpdatedAt   *time.Time      `json:"updated_at,omitempty"`
	Problem     string          `json:"problem,omitempty"` // a stored document that cannot be used
	Document    json.RawMessage `json:"document,omitempty"`
}

func toTabooPackJSON(p taboostore.Pack) tabooPackJSON {
	out := tabooPackJSON{ID: p.ID, Name: p.Name, PackVersion: p.PackVersion, Markets: nonNil(p.Markets), Locales: nonNil(p.Locales),
		Rules: p.Rules, Source: p.Source, Version: p.Version, Disabled: p.Disabled, UpdatedBy: p.UpdatedBy, Problem: p.Problem}
	if !p.UpdatedAt.IsZero() {
		at := p.UpdatedAt.UTC()
		out.UpdatedAt = &at
	}
	if json.Valid(p.Document) {
		out.Document = p.Document
	}
	return out
}

func (t tabooAPI) list(c *gin.Context) {
	ps, err := t.packs.List(c.Request.Context())
	if err != nil {
		t.h.fail(c, "list taboo packs", err)
		return
	}
	out := make([]tabooPackJSON, len(ps))
	for i, p := range ps {
		out[i] = toTabooPackJSON(p)
	}
	c.JSON(http.StatusOK, gin.H{"packs": out})
}

func (t tabooAPI) get(c *gin.Context) {
	id := c.Param("id")
	p, err := t.packs.Get(c.Request.Context(), id)
	if !t.readOK(c, id, "read taboo pack", err) {
		return
	}
	c.Header("ETag", strconv.Quote(strconv.Itoa(p.Version)))
	c.JSON(http.StatusOK, toTabooPackJSON(p))
}

type tabooRevisionJSON struct {
	Version   int             `json:"version"`
	Disabled  bool            `json:"disabled"`
	UpdatedBy string          `json:"updated_by"`
	UpdatedAt time.Time       `json:"updated_at"`
	Document  json.RawMessage `json:"document,omitempty"`
}

func (t tabooAPI) history(c *gin.Context) {
	id := c.Param("id")
	revs, err := t.packs.History(c.Request.Context(), id)
	if !t.readOK(c, id, "taboo pack history", err) {
		return
	}
	out := make([]tabooRevisionJSON, len(revs))
	for i, r := range revs {
		out[i] = tabooRevisionJSON{Version: r.Version, Disabled: r.Disabled, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt.UTC()}
		if json.Valid(r.Document) {
			out[i].Document = r.Document
		}
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "versions": out})
}

// put stores the body, one pack document, as the pack named by the path. The
// version it is based on comes from If-Match or ?version= (0, or neither, for a pack never
// stored).
func (t tabooAPI) put(c *gin.Context) {
	id := c.Param("id")
	ifVersion, given, ok := tabooIfVersion(c)
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxTabooPackBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeProblem(c, Problem{Type: typeTooLarge, Title: "Request too large", Status: http.StatusRequestEntityTooLarge,
			Detail: fmt.Sprintf("A pack document is at most %d bytes.", maxTabooPackBytes)})
		return
	case err != nil:
		writeProblem(c, Problem{Type: typeBadJSON, Status: http.StatusBadRequest, Detail: "The request body could not be read."})
		return
	case len(strings.TrimSpace(string(body))) == 0 || !utf8.Valid(body):
		writeProblem(c, Problem{Type: typeBadJSON, Title: "Malformed request", Status: http.StatusBadRequest,
			Detail: "The request body must be one pack document, as JSON in UTF-8."})
		return
	}
	p, err := t.packs.Put(c.Request.Context(), id, body, editor(c), ifVersion)
	if !t.savedOK(c, id, given, err) {
		return
	}
	t.h.audit(c, actor(c), "taboo.pack_saved", "taboo_pack:"+id,
		map[string]any{"change": "document", "version": p.Version, "pack_version": p.PackVersion, "rules": p.Rules})
	c.Header("ETag", strconv.Quote(strconv.Itoa(p.Version)))
	c.JSON(http.StatusOK, toTabooPackJSON(p))
}

type tabooPatchRequest struct {
	Disabled *bool `json:"disabled"`
}

// patch switches a pack off or back on: {"disabled": true}, with If-Match as for PUT.
func (t tabooAPI) patch(c *gin.Context) {
	id := c.Param("id")
	ifVersion, given, ok := tabooIfVersion(c)
	if !ok {
		return
	}
	var req tabooPatchRequest
	if !t.h.decode(c, &req, false) {
		return
	}
	if req.Disabled == nil {
		invalid(c, "The pack was not changed.", FieldError{"disabled", "required: true or false"})
		return
	}
	p, err := t.packs.SetDisabled(c.Request.Context(), id, *req.Disabled, editor(c), ifVersion)
	if !t.savedOK(c, id, given, err) {
		return
	}
	change := "enabled"
	if p.Disabled {
		change = "disabled"
	}
	t.h.audit(c, actor(c), "taboo.pack_saved", "taboo_pack:"+id, map[string]any{"change": change, "version": p.Version})
	c.Header("ETag", strconv.Quote(strconv.Itoa(p.Version)))
	c.JSON(http.StatusOK, toTabooPackJSON(p))
}

// tabooIfVersion reads the version an edit is based on from If-Match ("3", 3 or W/"3") or
// ?version=; given says whether either was sent.
func tabooIfVersion(c *gin.Context) (version int, given, ok bool) {
	raw, field := c.GetHeader("If-Match"), "If-Match"
	if raw == "" {
		raw, field = c.Query("version"), "version"
	}
	if raw == "" {
		return 0, false, true
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(strings.TrimSpace(raw), "W/"), `"`))
	if err != nil || n < 0 {
		invalid(c, "The pack was not saved.", FieldError{field, "the pack's version, a whole number such as 3"})
		return 0, true, false
	}
	return n, true, true
}

// readOK writes the problem for a read's error and reports whether there was none.
func (t tabooAPI) readOK(c *gin.Context, id, what string, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, taboostore.ErrNotFound):
		notFound(c, "The taboo pack "+strconv.Quote(id))
	default:
		t.h.fail(c, what, err)
	}
	return false
}

// savedOK writes the problem for an edit's error and reports whether there was none:
// 422 naming each field at fault, 409 for a stale version, 428 when an edit of a stored
// pack named no version.
func (t tabooAPI) savedOK(c *gin.Context, id string, versionGiven bool, err error) bool {
	var pe *taboo.PackError
	switch {
	case err == nil:
		return true
	case errors.As(err, &pe):
		invalid(c, "The pack was not saved: it is not a valid taboo pack, alone or with the packs in effect.", packFieldErrors(err, id)...)
	case errors.Is(err, taboostore.ErrConflict) && !versionGiven:
		writeProblem(c, Problem{Type: typeConflict, Title: "Version required", Status: http.StatusPreconditionRequired,
			Detail: "This pack has been edited before: send the version you edited as If-Match (GET the pack for it)."})
	case errors.Is(err, taboostore.ErrConflict):
		writeProblem(c, Problem{Type: typeConflict, Title: "Conflict", Status: http.StatusConflict,
			Detail: "Someone saved this pack after the version you edited. GET it again, redo the edit and send the new version."})
	case errors.Is(err, taboostore.ErrNotFound):
		notFound(c, "The taboo pack "+strconv.Quote(id))
	default:
		t.h.fail(c, "save taboo pack", err)
	}
	return false
}

// packFieldErrors lists the problems of every pack at fault; a problem of a pack other than
// the one edited is named with that pack's ID ("gcc: rules[0].id").
func packFieldErrors(err error, edited string) []FieldError {
	var out []FieldError
	var walk func(error)
	walk = func(err error) {
		if pe, ok := err.(*taboo.PackError); ok {
			for _, p := range pe.Problems {
				field := p.Field
				if field == "" {
					field = "body"
				}
				out = append(out, FieldError{Field: field, Reason: p.Reason})
				if pe.ID != edited {
					out[len(out)-1].Field = pe.ID + ": " + field
				}
			}
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

type tabooCheckRequest struct {
	Text   string `json:"text"`
	Market string `json:"market"`
	Locale string `json:"locale"`
	// At is the send time (RFC 3339); empty means now. Date-windowed packs depend on it.
	At string `json:"at"`
	// Pack, when present, is a pack document screened as if it were saved.
	Pack json.RawMessage `json:"pack"`
}

type tabooHitJSON struct {
	RuleID      string `json:"rule_id"`
	Pack        string `json:"pack"`
	PackVersion string `json:"pack_version"`
	Category    string `json:"category"`
	Severity    string `json:"severity"`
	Action      string `json:"action"`
	Start       int    `json:"start"` // byte offsets into text
	End         int    `json:"end"`
	Match       string `json:"match"`
}

// check screens a text as the packs in effect would, or with a candidate pack, so that
// an admin can try a pack before saving it. Nothing is stored or logged.
func (t tabooAPI) check(c *gin.Context) {
	hc := *t.h
	hc.cfg.MaxBodyBytes = max(hc.cfg.MaxBodyBytes, maxTabooPackBytes)
	var req tabooCheckRequest
	if !hc.decode(c, &req, false) {
		return
	}
	var errs []FieldError
	if strings.TrimSpace(req.Text) == "" {
		errs = append(errs, FieldError{"text", "required"})
	} else if n := utf8.RuneCountInString(req.Text); t.h.cfg.MaxMessageChars > 0 && n > t.h.cfg.MaxMessageChars {
		errs = append(errs, FieldError{"text", fmt.Sprintf("longer than %d characters", t.h.cfg.MaxMessageChars)})
	}
	tctx := taboo.Context{Market: req.Market, Locale: req.Locale}
	if req.At != "" {
		at, err := time.Parse(time.RFC3339, req.At)
		if err != nil {
			errs = append(errs, FieldError{"at", "an RFC 3339 time such as 2026-03-01T12:00:00Z"})
		}
		tctx.At = at
	}
	var id string
	var doc []byte
	if len(req.Pack) > 0 && string(req.Pack) != "null" {
		var head struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(req.Pack, &head); err != nil || strings.TrimSpace(head.ID) == "" {
			errs = append(errs, FieldError{"pack", "a pack document with its id"})
		}
		id, doc = strings.TrimSpace(head.ID), req.Pack
	}
	if len(errs) > 0 {
		invalid(c, "The text was not checked.", errs...)
		return
	}
	v, err := t.packs.Check(c.Request.Context(), req.Text, tctx, id, doc)
	var pe *taboo.PackError
	switch {
	case errors.As(err, &pe):
		fes := packFieldErrors(err, id)
		for i := range fes {
			if !strings.Contains(fes[i].Field, ": ") { // not another pack's
				fes[i].Field = "pack." + fes[i].Field
			}
		}
		invalid(c, "The text was not checked: the pack is not valid.", fes...)
		return
	case err != nil:
		t.h.fail(c, "check taboo packs", err)
		return
	}
	hits := make([]tabooHitJSON, len(v.Hits))
	for i, x := range v.Hits {
		hits[i] = tabooHitJSON{RuleID: x.RuleID, Pack: x.Pack, PackVersion: x.PackVersion, Category: x.Category, Severity: x.Severity,
			Action: x.Action.String(), Start: x.Start, End: x.End, Match: x.Match}
	}
	c.JSON(http.StatusOK, gin.H{"action": v.Action.String(), "text": v.Text, "hits": hits})
}
