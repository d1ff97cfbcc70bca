package main

import (
	"sync"

	"github.com/attache-dev/attache/evals/analytics"
	"github.com/attache-dev/attache/evals/rollout"
	"github.com/attache-dev/attache/handoff"
	"github.com/attache-dev/attache/handoff/translate"
	"github.com/attache-dev/attache/policy/audit"
	"github.com/attache-dev/attache/policy/historycodec"
	"github.com/attache-dev/attache/policy/privacy"
	"github.com/attache-dev/attache/policy/taboo"
	taboostore "github.com/attache-dev/attache/policy/taboo/pgstore"
	"github.com/attache-dev/attache/staff"
	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/cod"
	"github.com/attache-dev/attache/tools/commerce"
	shopstore "github.com/attache-dev/attache/tools/commerce/pgstore"
	"github.com/attache-dev/attache/tools/commerce/shopify"
	"github.com/attache-dev/attache/tools/identity"
	"github.com/attache-dev/attache/tools/orders"
	"github.com/attache-dev/attache/tools/returns"
	"github.com/attache-dev/attache/tools/tracking"
	"github.com/attache-dev/attache/tools/vat"

	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/anthropic"
	"github.com/attache-dev/attache/agents/model/openai"
	"github.com/attache-dev/attache/agents/offline"
	"github.com/attache-dev/attache/conversation/regional"
	"github.com/attache-dev/attache/httpapi"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/hashembed"
	"github.com/attache-dev/attache/knowledge/openaiembed"
	kbstore "github.com/attache-dev/attache/knowledge/pgstore"
	"github.com/attache-dev/attache/stream"
	"github.com/attache-dev/attache/web"
)

// dialTemporal connects to Temporal, logging through slog. What the client and its workers
// put into history is sealed by codec with each conversation's key.
func dialTemporal(ctx context.Context, hostPort, namespace string, codec *historycodec.Codec, logger *slog.Logger) (client.Client, error) {
	c, err := client.DialContext(ctx, client.Options{
		HostPort:         hostPort,
		Namespace:        namespace,
		Logger:           tlog.NewStructuredLogger(logger.With("component", "temporal-client")),
		DataConverter:    historycodec.DataConverter(codec),
		FailureConverter: historycodec.FailureConverter(codec),
	})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (TEMPORAL_ADDRESS): %w", hostPort, err)
	}
	return c, nil
}

// offlineEngine is the process's offline engine, built on first use: its language models
// take about a second to load and 110 MB. The worker builds it at start, not on a customer's
// first message; an API-only process builds it on the first /v1/nlu request.
var offlineEngine = sync.OnceValues(func() (*offline.Engine, error) {
	cat, err := i18n.NewCatalog()
	if err != nil {
		return nil, fmt.Errorf("load message catalogs: %w", err)
	}
	i18n.WarmUp()
	e, err := offline.New(cat, hashembed.New(hashembed.DefaultDims))
	if err != nil {
		return nil, fmt.Errorf("build offline engine: %w", err)
	}
	return e, nil
})

// engineAnalyzer serves /v1/nlu/analyze with the process's offline engine.
type engineAnalyzer struct{}

func (engineAnalyzer) Analyze(text, localeHint string) (offline.Analysis, error) {
	e, err := offlineEngine()
	if err != nil {
		return offline.Analysis{}, err
	}
	return e.Analyze(text, localeHint), nil
}

// newModel builds the configured model: nil with the offline engine.
func newModel(cfg config.Config) (model.Model, error) {
	switch cfg.LLM.Provider {
	case "openai":
		m, err := openai.New(openai.Config{BaseURL: cfg.LLM.BaseURL, APIKey: cfg.LLM.APIKey, Model: cfg.LLM.Model, Timeout: cfg.LLM.Timeout})
		if err != nil {
			return nil, fmt.Errorf("ATTACHE_LLM_PROVIDER=openai: %w", err)
		}
		return m, nil
	case "anthropic":
		m, err := anthropic.New(anthropic.Config{BaseURL: cfg.LLM.BaseURL, APIKey: cfg.LLM.APIKey, Model: cfg.LLM.Model, Timeout: cfg.LLM.Timeout})
		if err != nil {
			return nil, fmt.Errorf("ATTACHE_LLM_PROVIDER=anthropic: %w", err)
		}
		return m, nil
	}
	return nil, nil
}

// newResponder builds the configured responder: the offline engine, or a model with the
// offline engine reading each turn first.
func newResponder(cfg config.Config, cat *i18n.Catalog, reg *tools.Registry) (agents.Responder, error) {
	engine, err := offlineEngine()
	if err != nil {
		return nil, err
	}
	m, err := newModel(cfg)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return agents.OfflineResponder{Engine: engine, Catalog: cat}, nil
	}
	return agents.ModelResponder{Model: m, Engine: engine, Catalog: cat, Specs: reg}, nil
}

// newEmbedder returns the embedder of the knowledge base.
func newEmbedder(ctx context.Context, cfg config.Config) (knowledge.Embedder, error) {
	if cfg.Embeddings.Provider != "openai" {
		return hashembed.New(hashembed.DefaultDims), nil
	}
	e, err := openaiembed.New(ctx, openaiembed.Config{BaseURL: cfg.Embeddings.BaseURL, APIKey: cfg.Embeddings.APIKey,
		Model: cfg.Embeddings.Model, Dims: cfg.Embeddings.Dims})
	if err != nil {
		return nil, fmt.Errorf("ATTACHE_EMBEDDINGS_PROVIDER=openai: %w", err)
	}
	return e, nil
}

// newKnowledge opens the knowledge base with the configured embedder.
func newKnowledge(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger) (*kbstore.Store, error) {
	e, err := newEmbedder(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return kbstore.New(ctx, pool, e, logger)
}

// newActivities builds the conversation activities: the configured responder, the
// conversation store and the knowledge base, publishing live events to events.
func newActivities(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, st *stores, events stream.Publisher, logger *slog.Logger) (*agents.Activities, *kbstore.Store, error) {
	cat, err := i18n.NewCatalog()
	if err != nil {
		return nil, nil, fmt.Errorf("load message catalogs: %w", err)
	}
	reg, ot, err := newTools(cfg, pool, cat, logger)
	if err != nil {
		return nil, nil, err
	}
	responder, err := newResponder(cfg, cat, reg)
	if err != nil {
		return nil, nil, err
	}
	kb, err := newKnowledge(ctx, cfg, pool, logger)
	if err != nil {
		return nil, nil, err
	}
	// With a model, flagged injections are answered offline and taboo hits are rewritten.
	var guarded agents.Responder
	var rewriter agents.Rewriter
	if m, ok := responder.(agents.ModelResponder); ok {
		guarded, rewriter = agents.OfflineResponder{Engine: m.Engine, Catalog: cat}, m
	}
	return &agents.Activities{Guarded: guarded, Rewriter: rewriter, Store: st.convs, Events: events, Responder: responder, Knowledge: kb, Tools: reg, Identities: ot, Catalog: cat, Taboo: st.taboo,
		Desk: deskForAgents{st.desk}, Translator: agentTranslator{st.translator}, Rollout: agentRollout{st.rollout}, Logger: logger}, kb, nil
}

// newShop returns the configured commerce connector.
func newShop(cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger) (commerce.Connector, error) {
	if cfg.Shop.Connector == "shopify" {
		c, err := shopify.New(shopify.Config{Shop: cfg.Shop.ShopifyDomain, Token: cfg.Shop.ShopifyToken, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("ATTACHE_SHOP=shopify: %w", err)
		}
		return c, nil
	}
	return shopstore.New(pool, logger), nil
}

// newTools builds the agent's tools on the configured shop, with the embedded rule files.
// It also returns the order tools themselves, which resolve identity tokens through the shop.
func newTools(cfg config.Config, pool *pgxpool.Pool, cat *i18n.Catalog, logger *slog.Logger) (*tools.Registry, orders.Tools, error) {
	shop, err := newShop(cfg, pool, logger)
	if err != nil {
		return nil, orders.Tools{}, err
	}
	ot := orders.Tools{Shop: shop, Returns: orders.ReturnWindow{Rules: returns.Default()},
		Parcels: orders.ParcelText{Rules: tracking.Default(), Catalog: cat}}
	ts := append(ot.All(), vat.Tool{Rules: vat.Default()}, cod.Tool{Rules: cod.Default()})
	reg, err := tools.NewRegistry(ts...)
	return reg, ot, err
}

// newAPI builds the HTTP handler.
func newAPI(cfg config.Config, logger *slog.Logger, pool *pgxpool.Pool, tc client.Client, hub *stream.Hub, turns *agents.Client, kb *kbstore.Store, filler *kbstore.Filler, st *stores) http.Handler {
	var h http.Handler
	st.evals = newEvalService(cfg, pool, st, tc, &h, logger)
	h = httpapi.New(httpapi.Config{
		Evals:   &httpapi.EvalsAPI{Store: st.evals.store, Sets: st.evals, Runner: st.evals},
		Rollout: st.rollout,
		Analytics: &httpapi.Analytics{Summaries: st.analytics,
			Metrics: analytics.Registry(st.analytics.Collector(analytics.CollectorOptions{}))},
		CSAT:          surveyStore(pool, st),
		Conversations: st.convs,
		Knowledge:     kb,
		VectorFiller:  filler,
		Turns:         turns,
		Approvals:     turns,
		NLU:           engineAnalyzer{},
		Identity:      identityVerifier(cfg),
		Events:        hub,
		Staff:         staff.New(pool, logger),
		Audit:         audit.New(pool),
		Privacy:       st.privacy,
		TabooPacks:    st.tabooPacks,
		Handoffs:      handoffsAPI(st.desk, turns, staff.New(pool, logger)),
		IPLimit:       perMinute(cfg.RateLimitIP, 12),
		// A burst of ten short lines is how people type in chat.
		ConversationLimit: perMinute(cfg.RateLimitConversation, cfg.RateLimitConversation/10),
		TrustedProxies:    cfg.TrustedProxies,
		Ready: []httpapi.Check{
			{Name: "postgres", Check: st.convs.Ping}, // the default database and every region's
			{Name: "temporal", Check: func(ctx context.Context) error {
				_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			}},
		},
		Assets:          web.Assets(),
		Logger:          logger,
		TurnWait:        cfg.TurnWait,
		MaxMessageChars: cfg.MaxMessageChars,
	})
	return h
}

// openCodec builds the history codec on pool with the key derived from master.
func openCodec(pool *pgxpool.Pool, master []byte, logger *slog.Logger) (*historycodec.Codec, keys, error) {
	k, err := deriveKeys(master)
	if err != nil {
		return nil, k, err
	}
	codec, err := historycodec.New(pool, k.historyKEK, historycodec.Options{Logger: logger})
	if err != nil {
		return nil, k, fmt.Errorf("history codec: %w", err)
	}
	return codec, k, nil
}

// stores are the conversation and privacy stores over the default database and the regions'.
type stores struct {
	regions []regionDB
	convs   *regional.Store
	privacy *regionalPrivacy
	codec   *historycodec.Codec
	// The taboo packs in force: the embedded ones with admins' edits over them, reloaded by
	// the worker (watchTaboo) and at once after an edit in this process.
	taboo      *taboo.Live
	tabooPacks *taboostore.Store
	// The human side: routing, packets, the queue; translations for agents.
	desk       *handoff.Desk
	translator translate.Translator
	// evals runs regression sets started from the eval console (set by newAPI).
	evals *evalService
	// rollout decides which stage answers a market × intent; analytics computes the live
	// figures that demote a stage, the dashboard's and /metrics.
	rollout   *rollout.Policy
	analytics *analytics.Store
}

// tabooReload is how often a worker looks for admins' edits of the taboo packs.
const tabooReload = 10 * time.Second

// watchTaboo keeps the packs in force up to date until ctx ends.
func (st *stores) watchTaboo(ctx context.Context, logger *slog.Logger) {
	if err := st.tabooPacks.Watch(ctx, tabooReload, st.taboo); err != nil && ctx.Err() == nil {
		logger.Error("taboo packs are no longer reloaded", "err", err)
	}
}

// surveyStore keeps the post-chat survey's answers with their conversation, in its region.
func surveyStore(pool *pgxpool.Pool, st *stores) analytics.RegionalCSAT {
	stores := map[string]*analytics.CSATStore{regional.Default: analytics.NewCSATStore(pool)}
	for _, r := range st.regions {
		stores[r.Name] = analytics.NewCSATStore(r.pool)
	}
	return analytics.RegionalCSAT{Region: st.convs.RegionOfConversation, Stores: stores}
}

// close ends the eval runs in progress and closes the regions' databases (the default one
// belongs to the caller).
func (st *stores) close() {
	if st != nil {
		if st.evals != nil {
			st.evals.stop()
		}
		closeRegions(st.regions)
	}
}

// openStores opens the regions' databases and builds the stores; the history codec is
// built on the default database with a key from master, and tc is dialled with it by dial.
func openStores(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, master []byte, dial func(*historycodec.Codec) (client.Client, error), logger *slog.Logger) (_ *stores, tc client.Client, err error) {
	st := &stores{}
	if st.regions, err = openRegions(ctx, cfg, logger); err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			st.close()
		}
	}()
	var k keys
	if st.codec, k, err = openCodec(pool, master, logger); err != nil {
		return nil, nil, err
	}
	if tc, err = dial(st.codec); err != nil {
		return nil, nil, err
	}
	if st.convs, err = conversationStore(pool, st.regions); err != nil {
		tc.Close()
		return nil, nil, fmt.Errorf("ATTACHE_REGIONS: %w", err)
	}
	if st.privacy, err = newRegionalPrivacy(pool, st.regions, st.convs, tc, st.codec, k, logger); err != nil {
		tc.Close()
		return nil, nil, err
	}
	if st.translator, err = newTranslator(cfg, logger); err != nil {
		tc.Close()
		return nil, nil, err
	}
	if st.desk, err = newDesk(cfg, pool, st.convs, st.translator, logger); err != nil {
		tc.Close()
		return nil, nil, err
	}
	if st.rollout, st.analytics, err = newRollout(ctx, cfg, pool, logger); err != nil {
		tc.Close()
		return nil, nil, err
	}
	st.taboo = taboo.NewLive(nil)
	st.tabooPacks = taboostore.New(pool, st.taboo, logger)
	if err := st.tabooPacks.Reload(ctx, st.taboo); err != nil {
		logger.Error("the stored taboo packs could not be loaded; screening with the embedded ones", "err", err)
	}
	return st, tc, nil
}

// newPrivacy builds the privacy store: erasures terminate the customer's workflows through
// tc and shred their history keys through codec.
func newPrivacy(pool *pgxpool.Pool, tc client.Client, codec *historycodec.Codec, k keys, logger *slog.Logger) (*privacy.Store, error) {
	ret, err := privacy.DefaultRetention()
	if err != nil {
		return nil, err
	}
	return privacy.New(privacy.Config{DB: pool, HashKey: k.privacy, WorkflowID: agents.WorkflowID,
		Terminator: terminator{tc}, Shredder: codec, Retention: ret, Logger: logger})
}

// terminator ends a conversation's workflow for an erasure; one that is not running is fine.
type terminator struct{ tc client.Client }

func (t terminator) Terminate(ctx context.Context, conversationID string) error {
	err := t.tc.TerminateWorkflow(ctx, agents.WorkflowID(conversationID), "", "erasure of the customer's data")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	return err
}

// retentionEvery is how often the retention schedule sweeps.
const retentionEvery = 24 * time.Hour

// startRetention registers the retention sweep on w and makes sure its schedule exists.
func startRetention(ctx context.Context, w worker.Registry, tc client.Client, taskQueue string, st *stores) error {
	privacy.Register(w, privacy.NewActivities(st.privacy.all()...))
	if err := privacy.EnsureSchedule(ctx, tc, taskQueue, retentionEvery); err != nil {
		return fmt.Errorf("retention schedule: %w", err)
	}
	return nil
}

// perMinute is a limit of n requests a minute, in bursts of n/div (at least 5); 0 is no limit.
func perMinute(n, div int) httpapi.Limit {
	if n == 0 {
		return httpapi.Limit{PerSecond: -1}
	}
	return httpapi.Limit{PerSecond: float64(n) / 60, Burst: max(5, n/max(div, 1))}
}

// httpServer serves handler on a listener until ctx ends, then shuts down gracefully:
// in-flight requests finish, event streams are told to end.
type httpServer struct {
	srv      *http.Server
	ln       net.Listener
	baseStop context.CancelFunc
	done     chan struct{} // closed when Serve returns
	err      error         // what Serve returned (nil after a shutdown), valid once done is closed
}

// listen opens the API's listener; callers do it first so that a taken port fails at once.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("listen on %s (ATTACHE_HTTP_ADDR): the address is in use; set ATTACHE_HTTP_ADDR to another, e.g. 127.0.0.1:8081", addr)
		}
		return nil, fmt.Errorf("listen on %s (ATTACHE_HTTP_ADDR): %w", addr, err)
	}
	return ln, nil
}

func startHTTP(ln net.Listener, handler http.Handler, logger *slog.Logger) *httpServer {
	base, stop := context.WithCancel(context.Background())
	s := &httpServer{
		srv: &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			BaseContext:       func(net.Listener) context.Context { return base },
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
		ln: ln, baseStop: stop, done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s
}

// URL is the server's base URL.
func (s *httpServer) URL() string { return "http://" + s.ln.Addr().String() }

// Shutdown stops accepting, ends event streams and waits for requests to finish.
func (s *httpServer) Shutdown(timeout time.Duration) error {
	s.baseStop() // event streams watch their request context
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
		return err
	}
	<-s.done
	return s.err
}

// identityVerifier checks identity tokens with ATTACHE_IDENTITY_SECRET; nil (tokens refused)
// when it is not set. Config.Load has checked its length.
func identityVerifier(cfg config.Config) interface {
	Verify(string) (identity.Claims, error)
} {
	if cfg.IdentitySecret == "" {
		return nil
	}
	v, err := identity.NewVerifier([]byte(cfg.IdentitySecret))
	if err != nil {
		return nil
	}
	return v
}
