// Package httpapi is Attaché's HTTP interface: the JSON API under /v1 with its OpenAPI
// document, server-sent events, health checks and the embedded web UI. It is the only
// package that imports gin; it maps domain errors to RFC 9457 problem JSON in one place and
// never sends an internal error's text to a client.
//
// It holds no business logic: it validates and converts at the boundary, then calls the
// stores and the agents' client through small interfaces declared here.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/internal/ratelimit"
	"github.com/attache-dev/attache/staff"
	"github.com/attache-dev/attache/stream"
	"github.com/attache-dev/attache/tools/identity"
)

// conversations is what the API needs of the conversation store.
type conversations interface {
	Create(ctx context.Context, nc conversation.NewConversation) (conversation.Conversation, error)
	Get(ctx context.Context, id string) (conversation.Conversation, error)
	Messages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]conversation.Message, error)
	TurnMessages(ctx context.Context, conversationID, turnID string) ([]conversation.Message, error)
	Disclosures(ctx context.Context, conversationID string) ([]conversation.Disclosure, error)
}

// turns sends customer turns to the agents.
type turns interface {
	SendTurn(ctx context.Context, conversationID string, req agents.TurnRequest, wait time.Duration) (agents.TurnResult, error)
}

// events subscribes to a conversation's live events.
type events interface {
	Subscribe(conversationID string) *stream.Subscription
}

// Check is one readiness check (Postgres, Temporal...).
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// Config is the API's dependencies and limits.
type Config struct {
	Conversations conversations
	Turns         turns
	Events        events
	Knowledge     knowledgeBase // nil: no knowledge routes
	// VectorFiller, when set, makes imports store text only and fill the vectors in the
	// background (with a *kbstore.Store knowledge base).
	VectorFiller interface{ Request() }
	Approvals    approvals // the agents' client: writes waiting for a person
	NLU          analyzer  // the offline engine; nil: no /v1/nlu routes
	// Identity verifies identity tokens; nil refuses them.
	Identity interface {
		Verify(token string) (identity.Claims, error)
	}
	// Staff signs staff in and manages their accounts; nil: every staff route answers 401.
	Staff staffStore
	// Audit records staff actions; nil records none and serves no /v1/audit routes.
	Audit auditReader
	// Handoffs backs the agent console; nil serves no /v1/handoffs routes.
	Handoffs *Handoffs
	// TabooPacks edits the taboo packs; nil serves no /v1/policy/taboo routes.
	TabooPacks tabooPacks
	// Rollout shows and changes the rollout stages (a *rollout.Policy); nil serves no
	// /v1/rollout routes and no rollout console.
	Rollout rolloutPolicy
	// Privacy carries out data-subject requests and keeps consent records; nil serves no
	// /v1/privacy or consent routes.
	Privacy privacyStore
	// Evals backs the eval console and /v1/evals (runs, reports, comparisons); nil serves
	// neither.
	Evals *EvalsAPI
	// Analytics backs the analytics dashboard, /v1/analytics and /metrics; nil serves none
	// of them.
	Analytics *Analytics
	// CSAT keeps the answers of the widget's post-chat survey; nil serves no
	// /v1/conversations/{id}/csat routes.
	CSAT csatStore
	// Request budgets; zero values take the defaults, a negative rate turns one off.
	IPLimit, ConversationLimit, LoginLimit Limit
	// TrustedProxies are the addresses (IPs or CIDRs) whose X-Forwarded-For names the client;
	// none by default, so a client cannot pick the IP its budget is kept under.
	TrustedProxies  []string
	Ready           []Check
	Assets          fs.FS // the web UI; nil serves no UI
	Logger          *slog.Logger
	TurnWait        time.Duration // how long a message POST waits for the reply before 202
	MaxMessageChars int
	MaxBodyBytes    int64         // default 64 KiB
	MaxImportBytes  int64         // one knowledge import; default 256 MiB
	KeepAlive       time.Duration // SSE comment interval, default 15s
}

// maxTranscript is the most messages one transcript read returns.
const maxTranscript = 1000

// New returns the HTTP handler.
func New(cfg Config) http.Handler {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 64 << 10
	}
	if cfg.MaxImportBytes == 0 {
		cfg.MaxImportBytes = defaultMaxImportBytes
	}
	if cfg.KeepAlive == 0 {
		cfg.KeepAlive = 15 * time.Second
	}
	if cfg.TurnWait == 0 {
		cfg.TurnWait = 25 * time.Second
	}
	if cfg.MaxMessageChars == 0 {
		cfg.MaxMessageChars = agents.DefaultMaxMessageChars
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		cfg.Logger.Error("ignoring the trusted proxies: not IPs or CIDRs", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(requestID(), accessLog(cfg.Logger), recovery(cfg.Logger))

	h := &handlers{cfg: cfg, ips: newLimiter(cfg.IPLimit, defaultIPLimit),
		perConversation: newLimiter(cfg.ConversationLimit, defaultConversationLimit), logins: newLimiter(cfg.LoginLimit, defaultLoginLimit)}
	rt := routes{r: r, h: h}
	rt.add("GET", "/healthz", public, h.healthz)
	rt.add("GET", "/readyz", public, h.readyz)
	rt.add("GET", "/v1/openapi.json", public, h.openapi)

	// The widget's routes: anyone with a conversation's ID.
	rt.add("POST", "/v1/conversations", customer, h.createConversation)
	rt.add("GET", "/v1/conversations/:id", customer, h.getConversation)
	rt.add("POST", "/v1/conversations/:id/messages", customer, h.limitConversation, h.postMessage)
	rt.add("GET", "/v1/conversations/:id/events", customer, h.events)

	rt.add("POST", "/v1/auth/login", public, h.login)
	rt.add("POST", "/v1/auth/logout", anyStaff, h.logout)
	rt.add("GET", "/v1/auth/me", anyStaff, h.me)
	rt.add("GET", "/v1/staff", admins, h.listStaff)
	rt.add("POST", "/v1/staff", admins, h.createStaff)
	rt.add("PATCH", "/v1/staff/:id", admins, h.updateStaff)
	rt.add("GET", "/v1/staff/:id/api-keys", admins, h.listAPIKeys)
	rt.add("POST", "/v1/staff/:id/api-keys", admins, h.createAPIKey)
	rt.add("DELETE", "/v1/staff/:id/api-keys/:key_id", admins, h.revokeAPIKey)
	if cfg.Audit != nil {
		rt.add("GET", "/v1/audit", admins, h.auditEntries)
		rt.add("GET", "/v1/audit/verify", admins, h.auditVerify)
	}

	if cfg.Privacy != nil {
		rt.add("POST", "/v1/conversations/:id/consents", customer, h.recordConsent)
		rt.add("GET", "/v1/conversations/:id/consents", customer, h.listConsents)
		rt.add("POST", "/v1/privacy/exports", admins, h.privacyExport)
		rt.add("POST", "/v1/privacy/erasures", admins, h.privacyErase)
		rt.add("GET", "/v1/privacy/requests", admins, h.privacyRequests)
	}

	if cfg.TabooPacks != nil {
		ta := tabooAPI{h: h, packs: cfg.TabooPacks}
		tabooReaders := staffOnly(staff.RoleKnowledgeManager, staff.RoleEvaluator, staff.RoleAdmin)
		rt.add("GET", "/v1/policy/taboo/packs", tabooReaders, ta.list)
		rt.add("GET", "/v1/policy/taboo/packs/:id", tabooReaders, ta.get)
		rt.add("GET", "/v1/policy/taboo/packs/:id/history", tabooReaders, ta.history)
		rt.add("POST", "/v1/policy/taboo/check", tabooReaders, ta.check)
		rt.add("PUT", "/v1/policy/taboo/packs/:id", admins, ta.put)
		rt.add("PATCH", "/v1/policy/taboo/packs/:id", admins, ta.patch)
	}

	if cfg.Rollout != nil {
		h.rolloutRoutes(rt)
	}

	if cfg.Evals != nil {
		h.evalRoutes(rt)
	}

	if cfg.Analytics != nil {
		h.analyticsRoutes(rt)
	}
	if cfg.CSAT != nil {
		h.csatRoutes(rt)
	}

	agentsAndAdmins := staffOnly(staff.RoleAgent, staff.RoleAdmin)
	if cfg.Handoffs != nil {
		rt.add("GET", "/v1/handoffs", agentsAndAdmins, h.listHandoffs)
		rt.add("GET", "/v1/handoffs/events", agentsAndAdmins, h.handoffEvents)
		rt.add("GET", "/v1/handoffs/:id", agentsAndAdmins, h.getHandoff)
		rt.add("POST", "/v1/handoffs/:id/claim", agentsAndAdmins, h.handoffMove("claimed"))
		rt.add("POST", "/v1/handoffs/:id/release", agentsAndAdmins, h.handoffMove("released"))
		rt.add("POST", "/v1/handoffs/:id/resolve", agentsAndAdmins, h.handoffMove("resolved"))
		rt.add("POST", "/v1/handoffs/:id/handback", agentsAndAdmins, h.handBackHandoff)
		rt.add("POST", "/v1/handoffs/:id/messages", agentsAndAdmins, h.postAgentMessage)
		rt.add("POST", "/v1/handoffs/:id/notes", agentsAndAdmins, h.addHandoffNote)
		if cfg.Assets != nil {
			rt.add("GET", "/console/agent", public, h.agentConsole)
		}
	}
	rt.add("GET", "/v1/conversations/:id/disclosures", staffOnly(staff.RoleAgent, staff.RoleEvaluator, staff.RoleAdmin), h.listDisclosures)
	rt.add("GET", "/v1/conversations/:id/approvals", agentsAndAdmins, h.listApprovals)
	rt.add("POST", "/v1/conversations/:id/approvals/:key", agentsAndAdmins, h.decideApproval)
	if cfg.Knowledge != nil {
		editors := staffOnly(staff.RoleKnowledgeManager, staff.RoleAdmin)
		readers := staffOnly(staff.RoleAgent, staff.RoleKnowledgeManager, staff.RoleAdmin)
		rt.add("POST", "/v1/knowledge/search", anyStaff, h.knowledgeSearch)
		rt.add("POST", "/v1/knowledge/import", editors, h.knowledgeImport)
		rt.add("GET", "/v1/knowledge/gaps", editors, h.knowledgeGaps)
		rt.add("GET", "/v1/knowledge/articles", readers, h.knowledgeArticles)
		rt.add("GET", "/v1/knowledge/articles/:external_id", readers, h.knowledgeArticle)
		rt.add("PUT", "/v1/knowledge/articles/:external_id/variants/:locale", editors, h.knowledgeVariantPut)
		rt.add("GET", "/v1/knowledge/articles/:external_id/variants/:locale/history", readers, h.knowledgeVariantHistory)
		rt.add("POST", "/v1/knowledge/articles/:external_id/variants/:locale/reviewed", editors, h.knowledgeMarkReviewed)
	}
	rt.add("POST", "/v1/guard/redact", anyStaff, h.guardRedact)
	rt.add("POST", "/v1/guard/screen", anyStaff, h.guardScreen)
	if cfg.NLU != nil {
		rt.add("POST", "/v1/nlu/analyze", anyStaff, h.nluAnalyze)
	}
	if cfg.Assets != nil {
		rt.add("GET", "/", public, h.index)
		rt.add("GET", "/login", public, h.loginPage)
		rt.add("GET", "/console/knowledge", public, h.console)
		// Asset names carry no content hash: browsers revalidate rather than cache blindly.
		static := r.Group("/static", func(c *gin.Context) { c.Header("Cache-Control", "no-cache") })
		static.StaticFS("/", http.FS(cfg.Assets))
	}
	r.NoRoute(func(c *gin.Context) { notFound(c, "The path "+c.Request.URL.Path) })
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, Problem{Status: http.StatusMethodNotAllowed, Detail: c.Request.Method + " is not allowed on this path."})
	})
	return r
}

type handlers struct {
	cfg Config
	// Request budgets per client IP (every /v1 route), per conversation (customer
	// messages) and per IP for sign-ins.
	ips, perConversation, logins *ratelimit.Limiter
}

// routes registers each route with who may call it.
type routes struct {
	r *gin.Engine
	h *handlers
}

func (rt routes) add(method, path string, a access, hs ...gin.HandlerFunc) {
	chain := []gin.HandlerFunc{rt.h.authorize(a)}
	if strings.HasPrefix(path, "/v1/") {
		chain = []gin.HandlerFunc{rt.h.limitIP, rt.h.authorize(a)}
	}
	rt.r.Handle(method, path, append(chain, hs...)...)
}

// Route is one route of the API.
type Route struct{ Method, Path string }

// Routes lists the routes of a handler built by New, for tests that walk them all.
func Routes(h http.Handler) []Route {
	e, ok := h.(*gin.Engine)
	if !ok {
		return nil
	}
	var out []Route
	for _, ri := range e.Routes() {
		out = append(out, Route{ri.Method, ri.Path})
	}
	return out
}

func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if _, err := uuid.Parse(id); err != nil {
			id = uuid.NewString()
		}
		c.Header("X-Request-ID", id)
		c.Set("request_id", id)
		c.Next()
	}
}

// accessLog logs one line per request: route pattern, not the raw path or query, and no
// bodies — customer text never reaches the logs.
func accessLog(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "(unmatched)"
		}
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		} else if route == "/healthz" || route == "/readyz" || route == "/static/*filepath" {
			level = slog.LevelDebug
		}
		logger.Log(c.Request.Context(), level, "http request", "method", c.Request.Method, "route", route,
			"status", c.Writer.Status(), "duration_ms", time.Since(start).Milliseconds(), "request_id", c.GetString("request_id"))
	}
}

func recovery(logger *slog.Logger) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, rec any) {
		logger.Error("panic in handler", "route", c.FullPath(), "panic", rec, "request_id", c.GetString("request_id"))
		writeProblem(c, Problem{Type: typeInternal, Status: http.StatusInternalServerError, Detail: "An unexpected error occurred."})
	})
}

func (h *handlers) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (h *handlers) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	var failed []FieldError
	for _, chk := range h.cfg.Ready {
		if err := chk.Check(ctx); err != nil {
			h.cfg.Logger.Warn("readiness check failed", "check", chk.Name, "err", err)
			checks[chk.Name] = "unavailable"
			failed = append(failed, FieldError{Field: chk.Name, Reason: "unavailable"})
			continue
		}
		checks[chk.Name] = "ok"
	}
	if len(failed) > 0 {
		writeProblem(c, Problem{Type: typeUnavailable, Title: "Not ready", Status: http.StatusServiceUnavailable,
			Detail: "A dependency is unavailable.", Errors: failed})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": checks})
}

func (h *handlers) index(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.FileFromFS("/", http.FS(h.cfg.Assets))
}
