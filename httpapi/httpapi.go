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
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/conversation"
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
	r.Use(requestID(), accessLog(cfg.Logger), recovery(cfg.Logger))

	h := &handlers{cfg: cfg}
	r.GET("/healthz", h.healthz)
	r.GET("/readyz", h.readyz)
	r.GET("/v1/openapi.json", h.openapi)
	v1 := r.Group("/v1")
	v1.POST("/conversations", h.createConversation)
	v1.GET("/conversations/:id", h.getConversation)
	v1.POST("/conversations/:id/messages", h.postMessage)
	v1.GET("/conversations/:id/events", h.events)
	v1.GET("/conversations/:id/disclosures", h.listDisclosures)
	v1.GET("/conversations/:id/approvals", h.listApprovals)
	v1.POST("/conversations/:id/approvals/:key", h.decideApproval)
	if cfg.Knowledge != nil {
		v1.POST("/knowledge/search", h.knowledgeSearch)
		v1.POST("/knowledge/import", h.knowledgeImport)
		v1.GET("/knowledge/gaps", h.knowledgeGaps)
		v1.GET("/knowledge/articles", h.knowledgeArticles)
		v1.GET("/knowledge/articles/:external_id", h.knowledgeArticle)
		v1.PUT("/knowledge/articles/:external_id/variants/:locale", h.knowledgeVariantPut)
		v1.GET("/knowledge/articles/:external_id/variants/:locale/history", h.knowledgeVariantHistory)
		v1.POST("/knowledge/articles/:external_id/variants/:locale/reviewed", h.knowledgeMarkReviewed)
	}
	v1.POST("/guard/redact", h.guardRedact)
	v1.POST("/guard/screen", h.guardScreen)
	if cfg.NLU != nil {
		v1.POST("/nlu/analyze", h.nluAnalyze)
	}
	if cfg.Assets != nil {
		r.GET("/", h.index)
		r.GET("/console/knowledge", h.console)
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
