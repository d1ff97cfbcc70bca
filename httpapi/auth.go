package httpapi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/policy/audit"
	"github.com/attache-dev/attache/staff"
)

// Who may call a route. Every route is registered with one access value, so a route cannot
// be added without saying who may use it; the route × role matrix test reads them through
// the router and compares them with the reviewed matrix in testdata.
type access struct {
	// public routes look at no credentials: health, the OpenAPI document, pages, login.
	public bool
	// customer routes are the widget's: anyone may call them. Staff credentials, when sent,
	// are checked and the principal is known to the handler.
	customer bool
	// roles may call the route when neither public nor customer.
	roles []staff.Role
}

var (
	public   = access{public: true}
	customer = access{customer: true}
	anyStaff = staffOnly(staff.RoleAgent, staff.RoleKnowledgeManager, staff.RoleEvaluator, staff.RoleAdmin)
	admins   = staffOnly(staff.RoleAdmin)
)

func staffOnly(roles ...staff.Role) access { return access{roles: roles} }

// authenticator checks staff credentials and opens and closes sessions.
type authenticator interface {
	Authenticate(ctx context.Context, token string) (staff.Principal, error)
	Login(ctx context.Context, email, password string, ttl time.Duration) (staff.Session, error)
	Logout(ctx context.Context, token string) error
}

// auditLog records staff actions.
type auditLog interface {
	Append(ctx context.Context, e audit.Entry) (audit.Record, error)
}

// sessionCookie carries a browser's session token. It is HttpOnly and SameSite=Strict: a
// page of another site cannot read it, nor make the browser send it.
const sessionCookie = "attache_session"

// principalKey is where a request's authenticated staff member is kept in the gin context.
const principalKey = "principal"

// typeUnauthenticated and typeForbidden are the problems of missing and insufficient rights.
const (
	typeUnauthenticated = "urn:attache:problem:unauthenticated"
	typeForbidden       = "urn:attache:problem:forbidden"
	typeRateLimited     = "urn:attache:problem:rate-limited"
)

// authorize enforces a route's access before its handler reads anything of the request.
func (h *handlers) authorize(a access) gin.HandlerFunc {
	return func(c *gin.Context) {
		if a.public {
			return
		}
		token, fromCookie := credentials(c)
		if token == "" {
			if a.customer {
				return
			}
			unauthenticated(c, "Sign in, or send an API key as \"Authorization: Bearer <key>\".")
			return
		}
		if h.cfg.Staff == nil {
			unauthenticated(c, "Staff accounts are not configured on this server.")
			return
		}
		p, err := h.cfg.Staff.Authenticate(c.Request.Context(), token)
		switch {
		case errors.Is(err, staff.ErrUnauthenticated):
			if fromCookie {
				clearSessionCookie(c)
			}
			unauthenticated(c, "The session or API key is not valid (expired, revoked or unknown). Sign in again.")
			return
		case err != nil:
			h.fail(c, "authenticate", err)
			return
		}
		// A cookie rides along with requests other sites make; a state change must come
		// from our own pages (SameSite=Strict already stops modern browsers).
		if fromCookie && !safeMethod(c.Request.Method) && c.GetHeader("Sec-Fetch-Site") == "cross-site" {
			writeProblem(c, Problem{Type: typeForbidden, Status: http.StatusForbidden, Detail: "Cross-site requests may not change anything."})
			return
		}
		c.Set(principalKey, p)
		if a.customer || slices.Contains(a.roles, p.Role) {
			return
		}
		writeProblem(c, Problem{Type: typeForbidden, Status: http.StatusForbidden,
			Detail: "The role " + string(p.Role) + " may not do this; it needs one of: " + roleList(a.roles) + "."})
	}
}

// credentials returns the request's bearer token, or else its session cookie.
func credentials(c *gin.Context) (token string, fromCookie bool) {
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok), false
		}
		return "", false
	}
	if ck, err := c.Cookie(sessionCookie); err == nil && ck != "" {
		return ck, true
	}
	return "", false
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func roleList(roles []staff.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func unauthenticated(c *gin.Context, detail string) {
	c.Header("WWW-Authenticate", `Bearer realm="attache"`)
	writeProblem(c, Problem{Type: typeUnauthenticated, Title: "Unauthenticated", Status: http.StatusUnauthorized, Detail: detail})
}

// principal is the request's authenticated staff member, if any.
func principal(c *gin.Context) (staff.Principal, bool) {
	v, ok := c.Get(principalKey)
	if !ok {
		return staff.Principal{}, false
	}
	p, ok := v.(staff.Principal)
	return p, ok
}

// actor names the request's staff member for audit records and edit histories.
func actor(c *gin.Context) string {
	if p, ok := principal(c); ok {
		return "staff:" + p.Email
	}
	return "anonymous"
}

// editor names the request's staff member in edit histories: their e-mail address.
func editor(c *gin.Context) string {
	if p, ok := principal(c); ok {
		return p.Email
	}
	return "api"
}

// sessionTTL is how long a console sign-in lasts.
const sessionTTL = 12 * time.Hour

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type accountJSON struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Languages []string  `json:"languages"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

func toAccountJSON(a staff.Account) accountJSON {
	return accountJSON{ID: a.ID, Email: a.Email, Name: a.Name, Role: string(a.Role), Languages: nonNil(a.Languages),
		Disabled: a.Disabled(), CreatedAt: a.CreatedAt.UTC()}
}

// login checks a staff member's password and opens a session: the token comes back in the
// body (for scripts) and as an HttpOnly cookie (for the console).
func (h *handlers) login(c *gin.Context) {
	if h.cfg.Staff == nil {
		unauthenticated(c, "Staff accounts are not configured on this server.")
		return
	}
	var req loginRequest
	if !h.decode(c, &req, false) {
		return
	}
	var errs []FieldError
	if strings.TrimSpace(req.Email) == "" {
		errs = append(errs, FieldError{"email", "required"})
	}
	if req.Password == "" {
		errs = append(errs, FieldError{"password", "required"})
	}
	if len(errs) > 0 {
		invalid(c, "The sign-in was not accepted.", errs...)
		return
	}
	if !h.limit(c, h.logins, "login:"+c.ClientIP()) {
		return
	}
	s, err := h.cfg.Staff.Login(c.Request.Context(), req.Email, req.Password, sessionTTL)
	switch {
	case errors.Is(err, staff.ErrInvalidCredentials):
		h.cfg.Logger.Info("sign-in refused", "request_id", c.GetString("request_id"))
		unauthenticated(c, "The e-mail address or the password is wrong, or the account is disabled.")
		return
	case err != nil:
		h.fail(c, "login", err)
		return
	}
	h.audit(c, "staff:"+s.Account.Email, "staff.signed_in", "staff:"+s.Account.ID, nil)
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: s.Token, Path: "/", Expires: s.ExpiresAt,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil})
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"token": s.Token, "expires_at": s.ExpiresAt.UTC(), "account": toAccountJSON(s.Account)})
}

// logout ends the session the request was made with (an API key stays valid: revoke it).
func (h *handlers) logout(c *gin.Context) {
	token, _ := credentials(c)
	if p, _ := principal(c); p.Via == staff.ViaSession {
		if err := h.cfg.Staff.Logout(c.Request.Context(), token); err != nil {
			h.fail(c, "logout", err)
			return
		}
	}
	clearSessionCookie(c)
	c.Status(http.StatusNoContent)
}

func clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil})
}

// me answers who the request is authenticated as.
func (h *handlers) me(c *gin.Context) {
	p, _ := principal(c)
	c.JSON(http.StatusOK, gin.H{"id": p.AccountID, "email": p.Email, "name": p.Name, "role": p.Role,
		"languages": nonNil(p.Languages), "via": p.Via})
}

// audit appends an entry to the audit log. A failure is logged: the action it records has
// already happened and is not undone.
func (h *handlers) audit(c *gin.Context, actor, action, subject string, details map[string]any) {
	if h.cfg.Audit == nil {
		return
	}
	if _, err := h.cfg.Audit.Append(c.Request.Context(), audit.Entry{Actor: actor, Action: action, Subject: subject, Details: details}); err != nil {
		h.cfg.Logger.Error("append to the audit log", "action", action, "err", err, "request_id", c.GetString("request_id"))
	}
}
