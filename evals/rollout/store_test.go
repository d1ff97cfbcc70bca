package rollout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
	"github.com/attache-dev/attache/policy/audit"
)

// The PostgreSQL tests share one database: each works on keys of its own (a channel no
// other test or earlier run uses), and the fake metrics answer nothing for other keys.
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	realpg.Stop()
	os.Exit(code)
}

// uniqueChannel returns a channel name no other test or earlier run uses.
func uniqueChannel(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
}

// fakeMetrics answers the live figures set per key, and zero conversations for any other.
type fakeMetrics struct {
	mu    sync.Mutex
	live  map[Key]Live
	since map[Key]time.Time
}

func (f *fakeMetrics) Live(_ context.Context, key Key, since time.Time) (Live, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.since == nil {
		f.since = map[Key]time.Time{}
	}
	f.since[key] = since
	return f.live[key], nil
}

func newPGPolicy(t *testing.T, opts Options) (*Policy, *Store, *audit.Log) {
	t.Helper()
	pool := pgtest.Pool(t)
	store, log := NewStore(pool), audit.New(pool)
	opts.Audit, opts.Logger = log, pgtest.Logger()
	if opts.Now == nil {
		opts.Now = clock
	}
	return New(store, opts), store, log
}

// TestInjectedBadLiveMetricsDemoteAKey is the demotion check: a handoff spike for
// DE × track_order moves it from standard to assist, with a history row and an audit
// record that carry the figures.
func TestInjectedBadLiveMetricsDemoteAKey(t *testing.T) {
	ctx := context.Background()
	key := Key{Market: "DE", Intent: "track_order", Channel: uniqueChannel("demote")}
	quiet := Key{Market: "DE", Intent: "track_order", Channel: uniqueChannel("quiet")}
	metrics := &fakeMetrics{live: map[Key]Live{
		key:   {Conversations: 120, HandoffRate: 0.58, CSAT: 4.1, CSATResponses: 30, ToolCalls: 40, ToolFailures: 1},
		quiet: {Conversations: 12, HandoffRate: 0.9, GuardrailHits: 20}, // too few to judge
	}}
	p, store, log := newPGPolicy(t, Options{Metrics: metrics})
	for _, k := range []Key{key, quiet} {
		// From the default (autonomous) down to standard: a demotion, so no gate.
		if _, err := p.Set(ctx, SetRequest{Key: k, Stage: Standard, CanaryPercent: 25, Reason: "start with standard intents", By: "staff:lena@shop.example"}); err != nil {
			t.Fatalf("set %s: %v", k, err)
		}
	}
	later := now.Add(6 * time.Hour)
	changes, err := p.CheckLive(ctx, later)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	var mine []Change
	for _, c := range changes {
		if c.Key == key || c.Key == quiet {
			mine = append(mine, c)
		}
	}
	if len(mine) != 1 || mine[0].Key != key {
		t.Fatalf("demoted %+v, want only %s", mine, key)
	}
	ch := mine[0]
	if ch.FromStage != Standard || ch.ToStage != Assist || ch.FromCanary != 25 || ch.ToCanary != 0 || ch.By != SystemActor || ch.Action != ActionDemoted {
		t.Fatalf("change %+v, want standard 25%% → assist 0%% by the monitor", ch)
	}
	if !strings.Contains(ch.Reason, "handoff rate 0.58 > 0.35 over 120 conversations") {
		t.Fatalf("reason %q does not name the broken threshold", ch.Reason)
	}
	// Only the figures since the rule's last change count.
	if got := metrics.since[key]; !got.Equal(now) {
		t.Fatalf("live figures read since %s, want the rule's last change at %s", got, now)
	}
	if d := mustDecide(t, p, Key{Market: "de", Intent: "track_order", Channel: key.Channel}, "any"); d.Stage != Assist || d.Canary {
		t.Fatalf("after the demotion Decide says %+v", d)
	}

	hist, err := store.Changes(ctx, ChangeFilter{Channel: key.Channel})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Action != ActionDemoted || hist[1].Action != ActionSet {
		t.Fatalf("history %+v, want the demotion then the set", hist)
	}
	if ev := hist[0].Evidence.Live; ev == nil || ev.Conversations != 120 || ev.HandoffRate != 0.58 || !ev.Since.Equal(now) || !ev.Until.Equal(later) ||
		len(hist[0].Evidence.Broken) != 1 {
		t.Fatalf("stored evidence %+v", hist[0].Evidence)
	}

	recs, err := log.Entries(ctx, audit.Filter{Subject: "rollout:" + key.String(), Action: AuditDemoted})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Actor != SystemActor {
		t.Fatalf("audit records %+v, want one demotion by %s", recs, SystemActor)
	}
	d := recs[0].Details
	ev, _ := d["evidence"].(map[string]any)
	live, _ := ev["live"].(map[string]any)
	if d["from_stage"] != "standard" || d["to_stage"] != "assist" || fmt.Sprint(live["handoff_rate"]) != "0.58" || fmt.Sprint(live["conversations"]) != "120" {
		t.Fatalf("audit details %v, want the stages and the live figures", d)
	}

	// Judged again at once: the rule is at assist now, and the quiet key still has too few
	// conversations, so nothing more happens.
	changes, err = p.CheckLive(ctx, later.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		if c.Key == key || c.Key == quiet {
			t.Fatalf("a second check changed %s again", c.Key)
		}
	}
}

func TestAPromotionIsStoredWithItsEvidence(t *testing.T) {
	ctx := context.Background()
	key := Key{Market: "MX", Intent: "get_refund", Locale: "es", Channel: uniqueChannel("promote")}
	runs := fakeRuns{"refunds": runOf("run-bad", "refunds", now.Add(-time.Hour), 3, 10, 25, 0)}
	p, store, log := newPGPolicy(t, Options{Runs: runs})
	if _, err := p.Set(ctx, SetRequest{Key: key, Stage: Assist, RegressionSet: "refunds", Reason: "new market", By: "cli:ops"}); err != nil {
		t.Fatal(err)
	}
	_, err := p.Set(ctx, SetRequest{Key: key, Stage: Standard, RegressionSet: "refunds", Reason: "looks fine", By: "staff:lena@shop.example"})
	var ge *GateError
	if !errors.As(err, &ge) || !strings.Contains(ge.Error(), "pass rate 0.833 < 0.95 on run run-bad of set refunds") {
		t.Fatalf("promotion on a failing run: %v", err)
	}
	runs["refunds"] = runOf("run-good", "refunds", now.Add(-time.Hour), 3, 10, 30, 0)
	one := 1
	ch, err := p.Set(ctx, SetRequest{Key: key, Stage: Standard, CanaryPercent: 10, RegressionSet: "refunds", Reason: "refunds set green 3×", By: "staff:lena@shop.example", IfVersion: &one})
	if err != nil {
		t.Fatalf("promotion on a passing run: %v", err)
	}
	if ch.Version != 2 || ch.FromStage != Assist || ch.ToStage != Standard || ch.Evidence.Run == nil || ch.Evidence.Run.RunID != "run-good" {
		t.Fatalf("change %+v", ch)
	}
	hist, err := store.Changes(ctx, ChangeFilter{Market: "MX", Channel: key.Channel})
	if err != nil || len(hist) != 2 {
		t.Fatalf("history %+v %v, want the set and the promotion (the refusal is not a change)", hist, err)
	}
	if r := hist[0].Evidence.Run; r == nil || r.RunID != "run-good" || r.PassK != 1 || r.Repeat != 3 || hist[0].By != "staff:lena@shop.example" {
		t.Fatalf("stored promotion %+v", hist[0])
	}
	recs, err := log.Entries(ctx, audit.Filter{Subject: "rollout:" + key.String(), Action: AuditStageChanged})
	if err != nil || len(recs) != 2 || recs[1].Actor != "staff:lena@shop.example" {
		t.Fatalf("audit %+v %v", recs, err)
	}
	ev, _ := recs[1].Details["evidence"].(map[string]any)
	run, _ := ev["run"].(map[string]any)
	if run["run_id"] != "run-good" || recs[1].Details["reason"] != "refunds set green 3×" {
		t.Fatalf("audit details %v", recs[1].Details)
	}
	rules, err := store.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if r.Key == key && (r.Version != 2 || r.Stage != Standard || r.CanaryPercent != 10 || r.Evidence.Run == nil) {
			t.Fatalf("stored rule %+v", r)
		}
	}
}

func TestConcurrentChangesConflict(t *testing.T) {
	ctx := context.Background()
	key := Key{Market: "FR", Channel: uniqueChannel("race")}
	p, store, _ := newPGPolicy(t, Options{})
	ch, err := p.Set(ctx, SetRequest{Key: key, Stage: Assist, Reason: "start", By: "cli:ops"})
	if err != nil {
		t.Fatal(err)
	}
	// Two writers decided on version 1; the second to write loses.
	r := Rule{Key: key, Stage: Assist, CanaryPercent: 5, UpdatedBy: "cli:a", Reason: "a", UpdatedAt: now}
	c := Change{Action: ActionSet, FromStage: Assist, ToStage: Assist, ToCanary: 5, By: "cli:a", Reason: "a"}
	if _, _, err := store.Put(ctx, r, ch.Version, c); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Put(ctx, r, ch.Version, c); !errors.Is(err, ErrConflict) {
		t.Fatalf("second write on the same version: %v, want ErrConflict", err)
	}
	if _, _, err := store.Put(ctx, Rule{Key: key, Stage: Assist, UpdatedBy: "cli:b", UpdatedAt: now}, 0, c); !errors.Is(err, ErrConflict) {
		t.Fatalf("creating a rule that exists: %v, want ErrConflict", err)
	}
	one := 1
	if _, err := p.Set(ctx, SetRequest{Key: key, Stage: Assist, Reason: "b", By: "cli:b", IfVersion: &one}); !errors.Is(err, ErrStale) {
		t.Fatalf("a change against version 1 of a rule at 2: %v, want ErrStale", err)
	}
}

func TestDecideSeesOtherProcessesChangesAfterTheReloadInterval(t *testing.T) {
	ctx := context.Background()
	key := Key{Market: "BR", Intent: "track_order", Channel: uniqueChannel("reload")}
	at := now
	tick := func() time.Time { return at }
	reader, _, _ := newPGPolicy(t, Options{Now: tick, Reload: time.Minute})
	writer, _, _ := newPGPolicy(t, Options{Now: tick})
	if d := mustDecide(t, reader, key, ""); d.Stage != Autonomous {
		t.Fatalf("before: %s", d.Stage)
	}
	if _, err := writer.Set(ctx, SetRequest{Key: key, Stage: Assist, Reason: "pause", By: "cli:ops"}); err != nil {
		t.Fatal(err)
	}
	if d := mustDecide(t, reader, key, ""); d.Stage != Autonomous {
		t.Fatalf("within the interval the reader already reloaded: %s", d.Stage)
	}
	at = at.Add(2 * time.Minute)
	if d := mustDecide(t, reader, key, ""); d.Stage != Assist || d.Rule != key {
		t.Fatalf("after the interval: %+v", d)
	}
}
