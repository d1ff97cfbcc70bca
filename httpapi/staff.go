package httpapi

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/policy/audit"
	"github.com/attache-dev/attache/staff"
)

// staffStore is the staff accounts: sign-in, and the administration of accounts and keys.
type staffStore interface {
	authenticator
	CreateAccount(ctx context.Context, na staff.NewAccount) (staff.Account, error)
	ListAccounts(ctx context.Context) ([]staff.Account, error)
	Account(ctx context.Context, id string) (staff.Account, error)
	UpdateAccount(ctx context.Context, id string, u staff.AccountUpdate) (staff.Account, error)
	CreateAPIKey(ctx context.Context, accountID, name string) (string, staff.APIKey, error)
	ListAPIKeys(ctx context.Context, accountID string) ([]staff.APIKey, error)
	RevokeAPIKey(ctx context.Context, keyID string) (staff.APIKey, error)
	SetPassword(ctx context.Context, id, password string) error
}

type createStaffRequest struct {
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	Password  string   `json:"password"`
	Languages []string `json:"languages"`
}

// createStaff opens a staff account. Without a password the account signs in with API keys only.
func (h *handlers) createStaff(c *gin.Context) {
	var req createStaffRequest
	if !h.decode(c, &req, false) {
		return
	}
	role, err := staff.ParseRole(req.Role)
	if err != nil {
		invalid(c, "The account was not created.", FieldError{"role", "one of " + roleList(staff.Roles())})
		return
	}
	a, err := h.cfg.Staff.CreateAccount(c.Request.Context(), staff.NewAccount{Email: req.Email, Name: req.Name, Role: role,
		Password: req.Password, Languages: req.Languages})
	if h.staffError(c, "The account was not created.", err) {
		return
	}
	h.audit(c, actor(c), "staff.account_created", "staff:"+a.ID, map[string]any{"role": string(a.Role)})
	c.JSON(http.StatusCreated, toAccountJSON(a))
}

// staffError answers a staff store error; it reports whether there was one.
func (h *handlers) staffError(c *gin.Context, detail string, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, staff.ErrInvalid):
		// The store's message names the rule broken and is written to be shown.
		invalid(c, detail+" "+strings.TrimPrefix(err.Error(), "invalid: "))
	case errors.Is(err, staff.ErrEmailTaken):
		writeProblem(c, Problem{Type: typeConflict, Title: "Conflict", Status: http.StatusConflict, Detail: "An account with this e-mail address exists."})
	case errors.Is(err, staff.ErrNotFound):
		notFound(c, "The staff account or API key")
	default:
		h.fail(c, "staff", err)
	}
	return true
}

// listStaff answers every staff account.
func (h *handlers) listStaff(c *gin.Context) {
	as, err := h.cfg.Staff.ListAccounts(c.Request.Context())
	if h.staffError(c, "", err) {
		return
	}
	out := make([]accountJSON, 0, len(as))
	for _, a := range as {
		out = append(out, toAccountJSON(a))
	}
	c.JSON(http.StatusOK, gin.H{"accounts": out})
}

type updateStaffRequest struct {
	Name      *string   `json:"name"`
	Role      *string   `json:"role"`
	Languages *[]string `json:"languages"`
	Disabled  *bool     `json:"disabled"`
	Password  *string   `json:"password"`
}

// updateStaff changes an account's name, role, languages, password or disables it. An admin
// may not take away their own admin role or disable themselves: someone must remain.
func (h *handlers) updateStaff(c *gin.Context) {
	var req updateStaffRequest
	if !h.decode(c, &req, false) {
		return
	}
	u := staff.AccountUpdate{Name: req.Name, Languages: req.Languages, Disabled: req.Disabled}
	if req.Role != nil {
		role, err := staff.ParseRole(*req.Role)
		if err != nil {
			invalid(c, "The account was not changed.", FieldError{"role", "one of " + roleList(staff.Roles())})
			return
		}
		u.Role = &role
	}
	id := c.Param("id")
	if p, _ := principal(c); p.AccountID == id && ((u.Role != nil && *u.Role != staff.RoleAdmin) || (u.Disabled != nil && *u.Disabled)) {
		invalid(c, "The account was not changed.", FieldError{"role", "an admin may not demote or disable their own account"})
		return
	}
	if req.Password != nil {
		if h.staffError(c, "The account was not changed.", h.cfg.Staff.SetPassword(c.Request.Context(), id, *req.Password)) {
			return
		}
	}
	a, err := h.cfg.Staff.UpdateAccount(c.Request.Context(), id, u)
	if h.staffError(c, "The account was not changed.", err) {
		return
	}
	details := map[string]any{}
	if u.Role != nil {
		details["role"] = string(*u.Role)
	}
	if u.Disabled != nil {
		details["disabled"] = *u.Disabled
	}
	if req.Password != nil {
		details["password_changed"] = true
	}
	h.audit(c, actor(c), "staff.account_updated", "staff:"+a.ID, details)
	c.JSON(http.StatusOK, toAccountJSON(a))
}

type apiKeyJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	Key        string     `json:"key,omitempty"` // only in the answer that creates it
}

func toAPIKeyJSON(k staff.APIKey) apiKeyJSON {
	return apiKeyJSON{ID: k.ID, Name: k.Name, CreatedAt: k.CreatedAt.UTC(), LastUsedAt: utcPtr(k.LastUsedAt), RevokedAt: utcPtr(k.RevokedAt)}
}

// utcPtr is t in UTC, or nil for the zero time.
func utcPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// listAPIKeys answers an account's API keys (never the keys themselves).
func (h *handlers) listAPIKeys(c *gin.Context) {
	if _, err := h.cfg.Staff.Account(c.Request.Context(), c.Param("id")); h.staffError(c, "", err) {
		return
	}
	ks, err := h.cfg.Staff.ListAPIKeys(c.Request.Context(), c.Param("id"))
	if h.staffError(c, "", err) {
		return
	}
	out := make([]apiKeyJSON, 0, len(ks))
	for _, k := range ks {
		out = append(out, toAPIKeyJSON(k))
	}
	c.JSON(http.StatusOK, gin.H{"api_keys": out})
}

type createAPIKeyRequest struct {
	Name string `json:"name"`
}

// createAPIKey issues an API key for an account; the key is in this answer only.
func (h *handlers) createAPIKey(c *gin.Context) {
	var req createAPIKeyRequest
	if !h.decode(c, &req, false) {
		return
	}
	if strings.TrimSpace(req.Name) == "" || len(req.Name) > 100 {
		invalid(c, "The API key was not created.", FieldError{"name", "required: what the key is for, up to 100 characters"})
		return
	}
	plain, k, err := h.cfg.Staff.CreateAPIKey(c.Request.Context(), c.Param("id"), req.Name)
	if h.staffError(c, "The API key was not created.", err) {
		return
	}
	h.audit(c, actor(c), "staff.api_key_created", "staff:"+c.Param("id"), map[string]any{"key_id": k.ID, "name": k.Name})
	out := toAPIKeyJSON(k)
	out.Key = plain
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, out)
}

// revokeAPIKey revokes one of an account's API keys.
func (h *handlers) revokeAPIKey(c *gin.Context) {
	ks, err := h.cfg.Staff.ListAPIKeys(c.Request.Context(), c.Param("id"))
	if h.staffError(c, "", err) {
		return
	}
	found := false
	for _, k := range ks {
		found = found || k.ID == c.Param("key_id")
	}
	if !found {
		notFound(c, "The API key "+strconv.Quote(c.Param("key_id"))+" of this account")
		return
	}
	if _, err := h.cfg.Staff.RevokeAPIKey(c.Request.Context(), c.Param("key_id")); h.staffError(c, "", err) {
		return
	}
	h.audit(c, actor(c), "staff.api_key_revoked", "staff:"+c.Param("id"), map[string]any{"key_id": c.Param("key_id")})
	c.Status(http.StatusNoContent)
}

// auditReader reads and checks the audit log.
type auditReader interface {
	auditLog
	Entries(ctx context.Context, f audit.Filter) ([]audit.Record, error)
	Verify(ctx context.Context, progress func(n int)) (audit.Report, error)
}

type auditJSON struct {
	Seq     int64          `json:"seq"`
	At      time.Time      `json:"at"`
	Actor   string         `json:"actor"`
	Action  string         `json:"action"`
	Subject string         `json:"subject"`
	Details map[string]any `json:"details,omitempty"`
	Hash    string         `json:"hash"`
}

// auditEntries answers audit entries in order, filtered by action or subject.
func (h *handlers) auditEntries(c *gin.Context) {
	f := audit.Filter{Action: c.Query("action"), Subject: c.Query("subject")}
	var errs []FieldError
	if v := c.Query("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, FieldError{"after", "a sequence number"})
		}
		f.After = n
	}
	f.Limit = limitParam(c, 0, &errs)
	if len(errs) > 0 {
		invalid(c, "The query was not accepted.", errs...)
		return
	}
	rs, err := h.cfg.Audit.Entries(c.Request.Context(), f)
	if err != nil {
		h.fail(c, "audit entries", err)
		return
	}
	out := make([]auditJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, auditJSON{Seq: r.Seq, At: r.At, Actor: r.Actor, Action: r.Action, Subject: r.Subject, Details: r.Details, Hash: hexOf(r.Hash)})
	}
	c.JSON(http.StatusOK, gin.H{"entries": out})
}

// auditVerify checks the whole chain and says where it breaks, if it does.
func (h *handlers) auditVerify(c *gin.Context) {
	rep, err := h.cfg.Audit.Verify(c.Request.Context(), nil)
	if err != nil {
		h.fail(c, "audit verify", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": rep.OK, "entries": rep.Entries, "head": hexOf(rep.Head), "broken_at": rep.BrokenAt, "reason": rep.Reason})
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

// loginPage serves the staff sign-in page.
func (h *handlers) loginPage(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.FileFromFS("/login.html", http.FS(h.cfg.Assets))
}
