package rollout

import (
	"context"
	"log/slog"
	"time"
)

// DefaultMonitorInterval is how often a Monitor checks when given no interval.
const DefaultMonitorInterval = 5 * time.Minute

// Monitor runs the live check on an interval. Several processes may run one: a rule
// changed by another between reading and writing is left alone (the version check), so a
// key is demoted once per breach.
type Monitor struct {
	policy *Policy
	logger *slog.Logger
}

// NewMonitor returns a Monitor of p.
func NewMonitor(p *Policy, logger *slog.Logger) *Monitor {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Monitor{policy: p, logger: logger}
}

// Run checks at once and then every interval (DefaultMonitorInterval when zero or less)
// until ctx ends; it then returns nil. Failures are logged and retried at the next tick.
func (m *Monitor) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = DefaultMonitorInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		changes, err := m.policy.CheckLive(ctx, m.policy.opts.Now())
		if err != nil && ctx.Err() == nil {
			m.logger.Error("rollout live check", "err", err)
		}
		if len(changes) > 0 {
			m.logger.Info("rollout live check demoted keys", "demoted", len(changes))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
