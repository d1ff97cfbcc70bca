package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"

	lcanthropic "github.com/tmc/langchaingo/llms/anthropic"
	lcopenai "github.com/tmc/langchaingo/llms/openai"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/conversation/regional"
	"github.com/attache-dev/attache/handoff"
	"github.com/attache-dev/attache/handoff/packet"
	"github.com/attache-dev/attache/handoff/queue"
	"github.com/attache-dev/attache/handoff/routing"
	"github.com/attache-dev/attache/handoff/translate"
	"github.com/attache-dev/attache/httpapi"
	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/staff"
	"github.com/attache-dev/attache/tools"
)

// newDesk builds the handoff desk: the teams (the demo teams until a shop configures its
// own), the queue in the default database, and the translator for agents.
func newDesk(cfg config.Config, pool *pgxpool.Pool, convs *regional.Store, tr translate.Translator, logger *slog.Logger) (*handoff.Desk, error) {
	router, err := loadTeams(cfg)
	if err != nil {
		return nil, err
	}
	return &handoff.Desk{Router: router, Queue: queue.New(pool, logger), Conversations: convs, Translator: tr, Logger: logger}, nil
}

// loadTeams reads ATTACHE_TEAMS_FILE, or the demo teams.
func loadTeams(cfg config.Config) (*routing.Router, error) {
	if cfg.TeamsFile == "" {
		return routing.Demo()
	}
	f, err := os.Open(cfg.TeamsFile)
	if err != nil {
		return nil, fmt.Errorf("ATTACHE_TEAMS_FILE: %w", err)
	}
	defer f.Close()
	r, err := routing.Load(f)
	if err != nil {
		return nil, fmt.Errorf("ATTACHE_TEAMS_FILE %s: %w", cfg.TeamsFile, err)
	}
	return r, nil
}

// deskForAgents adapts the desk to what the conversation workflow's activities need.
type deskForAgents struct{ d *handoff.Desk }

func (a deskForAgents) Open(ctx context.Context, req agents.HandoffRequest) (agents.HandoffTicket, error) {
	in := handoff.OpenRequest{ConversationID: req.ConversationID, Reason: req.Reason}
	if req.Identity.Verified() {
		in.Claims = append(in.Claims, packet.Claim{Kind: packet.ClaimCustomerID, Value: req.Identity.CustomerID, Verified: true, Source: req.Identity.Method})
	}
	for _, p := range req.Approvals {
		ap := packet.Approval{Key: p.Key, Tool: p.Call.Name, RequestedAt: p.Since}
		if m := p.Preview.Amount; m != nil {
			ap.Amount = packet.Money{Minor: m.Amount, Currency: m.Currency}
		}
		in.Approvals = append(in.Approvals, ap)
	}
	for _, d := range req.Done {
		name, _, _ := strings.Cut(d.Key, ":")
		in.ToolCalls = append(in.ToolCalls, packet.ToolCall{Name: name, Outcome: toolOutcome(d.Result.Outcome), Result: d.Result.Data, Key: d.Key})
	}
	for _, o := range req.Orders {
		po := packet.Order{ID: o.ID, Status: o.Status, Tracking: o.Tracking}
		// The shop writes amounts with its currency's decimals: without the point they are
		// minor units ("282.00" → 28200).
		if minor, err := strconv.ParseInt(strings.Replace(o.Total, ".", "", 1), 10, 64); err == nil && o.Currency != "" {
			po.Total = packet.Money{Minor: minor, Currency: o.Currency}
		}
		in.Orders = append(in.Orders, po)
	}
	t, err := a.d.Open(ctx, in)
	if err != nil {
		return agents.HandoffTicket{}, err
	}
	return agents.HandoffTicket{ID: t.Handoff.ID, Team: t.Handoff.Team, Created: t.Created, OnShift: t.Decision.OnShift,
		SLADueAt: t.Handoff.SLADueAt, ReplyBy: t.ReplyBy}, nil
}

func (a deskForAgents) Escalate(ctx context.Context, id string) (bool, error) {
	return a.d.Escalate(ctx, id)
}

func (a deskForAgents) Settle(ctx context.Context, id string) error {
	_, err := a.d.Queue.Settle(ctx, id)
	return err
}

func toolOutcome(o tools.Outcome) string {
	switch o {
	case tools.OK:
		return packet.OutcomeOK
	case tools.Refused:
		return packet.OutcomeDeclined
	default:
		return packet.OutcomeFailed
	}
}

// newTranslator is the translator between customers and agents: the configured model, or
// the passthrough (texts marked untranslated, routing prefers agents who speak the
// customer's language).
func newTranslator(cfg config.Config, logger *slog.Logger) (translate.Translator, error) {
	m := cfg.Translate
	key := m.APIKey
	if key == "" {
		key = "no-key" // local endpoints need none; langchaingo insists on one
	}
	client := &http.Client{Timeout: m.Timeout}
	var llm translate.LLM
	var err error
	switch m.Provider {
	case "openai":
		// Every option explicit: langchaingo otherwise reads OPENAI_* from the environment.
		llm, err = lcopenai.New(lcopenai.WithToken(key), lcopenai.WithModel(m.Model), lcopenai.WithBaseURL(strings.TrimSuffix(m.BaseURL, "/")),
			lcopenai.WithOrganization(""), lcopenai.WithAPIType(lcopenai.APITypeOpenAI), lcopenai.WithHTTPClient(client))
	case "anthropic":
		llm, err = lcanthropic.New(lcanthropic.WithToken(key), lcanthropic.WithModel(m.Model),
			lcanthropic.WithBaseURL(strings.TrimSuffix(m.BaseURL, "/")), lcanthropic.WithHTTPClient(client))
	default:
		return translate.Passthrough{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("translator (ATTACHE_TRANSLATE_PROVIDER=%s): %w", m.Provider, err)
	}
	g, err := translate.DefaultGlossary()
	if err != nil {
		return nil, err
	}
	return translate.NewModel(llm, translate.ModelConfig{Glossary: g, Logger: logger})
}

// agentTranslator adapts the handoff translator to the agents' interface.
type agentTranslator struct{ tr translate.Translator }

func (a agentTranslator) Translate(ctx context.Context, text, from, to string) (agents.Translation, error) {
	t, err := a.tr.Translate(ctx, text, from, to)
	return agents.Translation{Text: t.Text, Translated: t.Translated, Engine: t.Engine}, err
}

// handoffsAPI is the agent console's backing for the HTTP API.
func handoffsAPI(desk *handoff.Desk, turns *agents.Client, st *staff.Store) *httpapi.Handoffs {
	return &httpapi.Handoffs{Queue: desk.Queue, Desk: desk, Human: turns, Names: func(ctx context.Context, id string) string {
		a, err := st.Account(ctx, id)
		if err != nil {
			return id
		}
		if a.Name != "" {
			return a.Name
		}
		return a.Email
	}}
}
