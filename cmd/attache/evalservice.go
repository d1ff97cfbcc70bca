package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/evals/live"
	"github.com/attache-dev/attache/evals/runstore"
	"github.com/attache-dev/attache/evals/tau2"
	"github.com/attache-dev/attache/httpapi"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/policy/historycodec"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
	"github.com/attache-dev/attache/tools/identity"
)

// evalService runs regression sets from the eval console and API, on this deployment's own
// conversation path: the customer turns go through the API handler in-process, the
// workflows run on the deployment's workers. Runs are stored as they start and end; the
// conversations they create are recorded so that live analytics leave them out.
type evalService struct {
	dir    string // the set catalogue's directory
	store  *runstore.Store
	driver *live.Driver
	engine string
	tau2   evals.ScriptedPlayer
	logger *slog.Logger

	mu      sync.Mutex
	running map[string]context.CancelFunc
	stopped bool
	wg      sync.WaitGroup
}

// newEvalService builds the service; handler is filled in once the API handler exists
// (the handler serves the service, and the service sends its turns to the handler).
func newEvalService(cfg config.Config, pool *pgxpool.Pool, st *stores, tc client.Client, handler *http.Handler, logger *slog.Logger) *evalService {
	store := runstore.New(pool, logger)
	d := &live.Driver{
		HTTP: &http.Client{Transport: inProcess{handler}, Timeout: cfg.TurnWait + 30*time.Second}, Base: "http://attache.internal",
		Conversations: st.convs, Temporal: tc, Converter: historycodec.DataConverter(st.codec), Logger: logger,
		OnConversation: store.RecordConversation,
	}
	if cfg.Shop.Connector == "builtin" {
		d.Shop = pgstore.New(pool, logger)
	}
	// The workers' registry, for which calls change the shop; without it every call counts
	// as a write, so a case that forbids writes fails rather than passes unseen.
	if cat, err := i18n.NewCatalog(); err != nil {
		logger.Error("eval runs cannot tell reads from writes", "err", err)
	} else if reg, _, err := newTools(cfg, pool, cat, logger); err != nil {
		logger.Error("eval runs cannot tell reads from writes", "err", err)
	} else {
		d.Tools = reg
	}
	if cfg.IdentitySecret != "" {
		if v, err := identity.NewVerifier([]byte(cfg.IdentitySecret)); err == nil {
			d.SignIdentity = func(email string) (string, error) {
				return v.Sign(identity.Claims{Email: email, Expiry: time.Now().Add(time.Hour)})
			}
		}
	}
	e := &evalService{dir: cfg.EvalSets, store: store, driver: d, engine: engineName(cfg), logger: logger,
		running: map[string]context.CancelFunc{}}
	// The configured model plays the customer of τ²-retail sets (the configuration was
	// checked when the responder was built).
	if sim, err := newModel(cfg); err == nil && sim != nil {
		e.tau2 = tau2.Player{Simulator: sim, Shop: d.Shop, Logger: logger}
	}
	return e
}

// inProcess sends requests straight to the API handler.
type inProcess struct{ h *http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	(*t.h).ServeHTTP(w, r)
	return w.Result(), nil
}

// sets reads the catalogue; a missing directory is an empty catalogue.
func (e *evalService) sets() ([]*evals.Set, error) {
	if e.dir == "" {
		return nil, nil
	}
	if _, err := os.Stat(e.dir); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return evals.LoadSets([]string{e.dir})
}

// List implements the eval API's catalogue.
func (e *evalService) List() []httpapi.EvalSetInfo {
	sets, err := e.sets()
	if err != nil {
		e.logger.Warn("the regression sets cannot be read", "dir", e.dir, "err", err)
		return nil
	}
	out := make([]httpapi.EvalSetInfo, 0, len(sets))
	for _, s := range sets {
		info := httpapi.EvalSetInfo{Name: s.Name, Path: filepath.ToSlash(s.Path), Kind: s.Kind, Cases: len(s.Cases), Runnable: true}
		langs := map[string]bool{}
		for _, c := range s.Cases {
			langs[evals.Language(c.Locale)] = true
		}
		for l := range langs {
			info.Languages = append(info.Languages, l)
		}
		slices.Sort(info.Languages)
		if s.Kind == evals.KindTau2Retail {
			if ids, err := evals.Tau2TaskIDs(s); err == nil {
				info.Cases = len(ids)
			}
			info.Languages = []string{"en"}
			if e.tau2 == nil {
				info.Runnable, info.Reason = false, "τ²-retail sets need a model to play the customer: configure ATTACHE_LLM_PROVIDER"
			} else if ok, why := e.tau2.Runnable(s); !ok {
				info.Runnable, info.Reason = false, why
			}
		}
		out = append(out, info)
	}
	return out
}

// Start begins a run of the named sets in the background.
func (e *evalService) Start(_ context.Context, names []string, repeat int, by string) (string, error) {
	all, err := e.sets()
	if err != nil {
		return "", err
	}
	var chosen []*evals.Set
	for _, n := range names {
		i := slices.IndexFunc(all, func(s *evals.Set) bool { return s.Name == n })
		if i < 0 {
			return "", fmt.Errorf("no set named %q", n)
		}
		chosen = append(chosen, all[i])
	}
	id, err := newRunID()
	if err != nil {
		return "", err
	}
	runner := &evals.Runner{Driver: e.driver, Engine: e.engine, Tau2: e.tau2, Repeat: repeat, Parallel: 2, RunID: id,
		Labels: map[string]string{"started_by": by}}
	var setRuns []evals.SetRun
	for _, s := range chosen {
		setRuns = append(setRuns, evals.SetRun{Name: s.Name, Path: s.Path, Kind: s.Kind, Cases: len(s.Cases), Runnable: true})
	}
	// The run outlives the request that started it and ends with the process.
	ctx, cancel := context.WithCancel(context.Background())
	e.mu.Lock()
	if e.stopped {
		e.mu.Unlock()
		cancel()
		return "", errors.New("the service is shutting down")
	}
	e.running[id] = cancel
	e.wg.Add(1)
	e.mu.Unlock()
	if err := e.store.Begin(ctx, id, e.engine, repeat, by, setRuns); err != nil {
		e.done(id)
		return "", err
	}
	go func() {
		defer e.done(id)
		run, err := runner.Run(ctx, chosen)
		if err != nil {
			if ferr := e.store.Fail(context.Background(), id, err.Error()); ferr != nil {
				e.logger.Error("record a failed eval run", "run", id, "err", ferr)
			}
			return
		}
		if err := e.store.Finish(context.Background(), run); err != nil {
			e.logger.Error("store an eval run", "run", id, "err", err)
			return
		}
		e.logger.Info("eval run finished", "run", id, "cases", run.Summary.Cases, "pass_rate", run.Summary.PassRate)
	}()
	return id, nil
}

func (e *evalService) done(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cancel, ok := e.running[id]; ok {
		cancel()
		delete(e.running, id)
		e.wg.Done()
	}
}

// stop cancels the runs in progress (they are recorded as failed) and waits for them.
func (e *evalService) stop() {
	e.mu.Lock()
	e.stopped = true
	for _, cancel := range e.running {
		cancel()
	}
	e.mu.Unlock()
	e.wg.Wait()
}

func newRunID() (string, error) {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "run-" + time.Now().UTC().Format("20060102-150405") + "-" + strings.ToLower(fmt.Sprintf("%x", b)), nil
}
