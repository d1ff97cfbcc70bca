package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/evals/analytics"
	"github.com/attache-dev/attache/evals/rollout"
	"github.com/attache-dev/attache/evals/runstore"
	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/policy/audit"
)

// rolloutMonitorEvery is how often a worker checks live figures against the thresholds.
const rolloutMonitorEvery = 5 * time.Minute

// newRollout builds the rollout policy on the default database: the eval runs gate
// promotions, the analytics' live figures drive demotions, and every change is audited.
func newRollout(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger) (*rollout.Policy, *analytics.Store, error) {
	an, err := analytics.New(ctx, pool, analytics.Options{ExcludeEval: true, Logger: logger})
	if err != nil {
		return nil, nil, fmt.Errorf("analytics: %w", err)
	}
	stage, err := rollout.ParseStage(cfg.RolloutDefaultStage)
	if err != nil {
		return nil, nil, fmt.Errorf("ATTACHE_ROLLOUT_DEFAULT_STAGE: %w", err)
	}
	p := rollout.New(rollout.NewStore(pool), rollout.Options{DefaultStage: stage, Runs: runstore.New(pool, logger),
		Metrics: liveMetrics{an}, Audit: audit.New(pool), Logger: logger})
	return p, an, nil
}

// liveMetrics gives the rollout monitor the analytics' figures of a key.
type liveMetrics struct{ an *analytics.Store }

func (m liveMetrics) Live(ctx context.Context, k rollout.Key, since time.Time) (rollout.Live, error) {
	f, err := m.an.LiveFigures(ctx, k.Market, k.Intent, k.Locale, k.Channel, since)
	if err != nil {
		return rollout.Live{}, err
	}
	return rollout.Live{Conversations: f.Conversations, HandoffRate: f.HandoffRate, CSAT: f.CSAT, CSATResponses: f.CSATResponses,
		GuardrailHits: f.GuardrailHits, ToolFailures: f.ToolFailures, ToolCalls: f.ToolCalls}, nil
}

// agentRollout is the policy as the conversation workflow's activities ask it.
type agentRollout struct{ p *rollout.Policy }

func (a agentRollout) Decide(ctx context.Context, k agents.RolloutKey, conversationID string) (agents.RolloutDecision, error) {
	d, err := a.p.Decide(ctx, rollout.Key(k), conversationID)
	if err != nil {
		return agents.RolloutDecision{}, err
	}
	return agents.RolloutDecision{Stage: string(d.Stage), AIMayResolve: d.AIMayResolve(k.Intent), Canary: d.Canary}, nil
}

// monitorRollout demotes keys whose live figures break the thresholds until ctx ends.
func monitorRollout(ctx context.Context, p *rollout.Policy, logger *slog.Logger) {
	rollout.NewMonitor(p, logger).Run(ctx, rolloutMonitorEvery)
}
