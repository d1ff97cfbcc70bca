package rollout

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-dev/attache/evals"
)

// memStore keeps rules in memory with the version rule of the PostgreSQL store, for the
// tests of deciding and gating; the store itself is tested on PostgreSQL in store_test.go.
type memStore struct {
	mu      sync.Mutex
	rules   map[Key]Rule
	changes []Change
}

func newMemStore(rules ...Rule) *memStore {
	m := &memStore{rules: map[Key]Rule{}}
	for _, r := range rules {
		if r.Version == 0 {
			r.Version = 1
		}
		m.rules[r.Key] = r
	}
	return m
}

func (m *memStore) Rules(context.Context) ([]Rule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Rule, 0, len(m.rules))
	for _, r := range m.rules {
		out = append(out, r)
	}
	return out, nil
}

func (m *memStore) Put(_ context.Context, r Rule, expect int, ch Change) (Rule, Change, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rules[r.Key].Version != expect {
		return Rule{}, Change{}, ErrConflict
	}
	r.Version = expect + 1
	ch.Key, ch.Version, ch.At, ch.ID = r.Key, r.Version, r.UpdatedAt, int64(len(m.changes)+1)
	m.rules[r.Key] = r
	m.changes = append(m.changes, ch)
	return r, ch, nil
}

func (m *memStore) Changes(context.Context, ChangeFilter) ([]Change, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Change(nil), m.changes...), nil
}

var now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

func mustDecide(t *testing.T, p *Policy, k Key, conv string) Decision {
	t.Helper()
	d, err := p.Decide(context.Background(), k, conv)
	if err != nil {
		t.Fatalf("decide %s: %v", k, err)
	}
	return d
}

func TestTheMostSpecificRuleWins(t *testing.T) {
	p := New(newMemStore(
		Rule{Key: Key{}, Stage: Standard},
		Rule{Key: Key{Market: "DE"}, Stage: Autonomous},
		Rule{Key: Key{Intent: "track_order"}, Stage: Assist},
		Rule{Key: Key{Market: "DE", Intent: "get_refund"}, Stage: Assist},
		Rule{Key: Key{Market: "DE", Intent: "get_refund", Channel: "whatsapp"}, Stage: Standard},
		Rule{Key: Key{Locale: "pt"}, Stage: Assist},
		Rule{Key: Key{Locale: "pt-BR"}, Stage: Autonomous},
		Rule{Key: Key{Channel: "email"}, Stage: Autonomous},
	), Options{Now: clock})
	for _, tc := range []struct {
		name string
		key  Key
		want Stage
		rule Key
	}{
		{"market and intent beat market", Key{"DE", "get_refund", "de-DE", "web"}, Assist, Key{Market: "DE", Intent: "get_refund"}},
		{"three fields beat two", Key{"DE", "get_refund", "de", "whatsapp"}, Standard, Key{Market: "DE", Intent: "get_refund", Channel: "whatsapp"}},
		{"market beats intent on a tie", Key{"DE", "track_order", "de", "web"}, Autonomous, Key{Market: "DE"}},
		{"intent beats locale on a tie", Key{"BR", "track_order", "pt-BR", "web"}, Assist, Key{Intent: "track_order"}},
		{"locale beats channel on a tie", Key{"PT", "cancel_order", "pt", "email"}, Assist, Key{Locale: "pt"}},
		{"the longer locale wins", Key{"BR", "cancel_order", "pt-BR", "web"}, Autonomous, Key{Locale: "pt-BR"}},
		{"a locale covers the tags under it", Key{"PT", "cancel_order", "pt_PT", "web"}, Assist, Key{Locale: "pt"}},
		{"case does not matter", Key{"de", "TRACK_ORDER", "DE", "Web"}, Autonomous, Key{Market: "DE"}},
		{"a prefix that is not a subtag does not cover", Key{"FR", "cancel_order", "ptx", "web"}, Standard, Key{}},
		{"the catch-all rule", Key{"FR", "cancel_order", "fr", "web"}, Standard, Key{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustDecide(t, p, tc.key, "")
			if d.Stage != tc.want || d.Rule != tc.rule || !d.Matched {
				t.Fatalf("decided %s by rule %s (matched %v), want %s by rule %s", d.Stage, d.Rule, d.Matched, tc.want, tc.rule)
			}
		})
	}
}

func TestTheDefaultStageAppliesWhereNoRuleMatches(t *testing.T) {
	for _, tc := range []struct {
		def, want Stage
	}{{"", Autonomous}, {Assist, Assist}, {Standard, Standard}} {
		p := New(newMemStore(Rule{Key: Key{Market: "DE"}, Stage: Assist}), Options{DefaultStage: tc.def, Now: clock})
		d := mustDecide(t, p, Key{Market: "FR", Intent: "track_order"}, "c1")
		if d.Stage != tc.want || d.Matched || d.Canary {
			t.Errorf("default %q: decided %+v, want %s unmatched", tc.def, d, tc.want)
		}
	}
}

func TestCanaryArmsAreStableAndTheRightShare(t *testing.T) {
	store := newMemStore(Rule{Key: Key{Market: "DE", Intent: "track_order"}, Stage: Standard, CanaryPercent: 10})
	p := New(store, Options{Now: clock})
	key := Key{"DE", "track_order", "de", "web"}
	ids := make([]string, 10000)
	inArm := map[string]bool{}
	for i := range ids {
		ids[i] = fmt.Sprintf("0193a6f2-%04x-7c3e-9d%02x-%012x", i%65536, i%251, i*7919)
		d := mustDecide(t, p, key, ids[i])
		if d.Base != Standard || (d.Canary && d.Stage != Autonomous) || (!d.Canary && d.Stage != Standard) {
			t.Fatalf("decision %+v: the canary arm must get the next stage, the rest the base", d)
		}
		inArm[ids[i]] = d.Canary
	}
	share := func() float64 {
		n := 0
		for _, v := range inArm {
			if v {
				n++
			}
		}
		return float64(n) / float64(len(ids))
	}
	if s := share(); math.Abs(s-0.10) > 0.01 {
		t.Fatalf("canary share %.4f of 10 000 conversations, want 0.10 ± 0.01", s)
	}
	for _, id := range ids[:500] {
		if d := mustDecide(t, p, key, id); d.Canary != inArm[id] {
			t.Fatalf("conversation %s changed arm between two turns", id)
		}
	}
	// Raising the canary keeps every conversation already in it.
	store.rules[Key{Market: "DE", Intent: "track_order"}] = Rule{Key: Key{Market: "DE", Intent: "track_order"}, Stage: Standard, CanaryPercent: 30, Version: 2}
	if err := p.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		d := mustDecide(t, p, key, id)
		if inArm[id] && !d.Canary {
			t.Fatalf("conversation %s left the canary when it grew from 10%% to 30%%", id)
		}
		inArm[id] = d.Canary
	}
	if s := share(); math.Abs(s-0.30) > 0.015 {
		t.Fatalf("canary share %.4f at 30%%", s)
	}
	if d := mustDecide(t, p, key, ""); d.Canary {
		t.Fatal("a turn without a conversation ID took the canary")
	}
}

func TestWhatTheAIMayResolve(t *testing.T) {
	store := newMemStore(
		Rule{Key: Key{Market: "DE"}, Stage: Assist},
		Rule{Key: Key{Market: "FR"}, Stage: Standard},
		Rule{Key: Key{Market: "ES"}, Stage: Autonomous},
	)
	for _, tc := range []struct {
		market, intent string
		allow          []string
		want           bool
	}{
		{"DE", "track_order", nil, false},
		{"FR", "track_order", nil, true},
		{"FR", "get_refund", nil, false},
		{"FR", "cancel_order", nil, false},
		{"FR", "cancel_order", []string{"cancel_order"}, true},
		{"FR", "track_order", []string{"cancel_order"}, false},
		{"ES", "get_refund", nil, true},
	} {
		p := New(store, Options{StandardIntents: tc.allow, Now: clock})
		d := mustDecide(t, p, Key{Market: tc.market, Intent: tc.intent}, "")
		if got := d.AIMayResolve(tc.intent); got != tc.want {
			t.Errorf("%s %s at %s (allow %v): AIMayResolve %v, want %v", tc.market, tc.intent, d.Stage, tc.allow, got, tc.want)
		}
	}
}

// fakeRuns answers the latest run of each set from a map.
type fakeRuns map[string]*evals.Run

func (f fakeRuns) LatestRun(_ context.Context, set string) (*evals.Run, error) {
	if set == "broken" {
		return nil, errors.New("run store down")
	}
	return f[set], nil
}

// runOf builds a run of set with cases cases of repeat attempts: passedAttempts attempts
// passed in all, spread from the first case on, and guardrail violations on the last case.
func runOf(id, set string, finished time.Time, repeat, cases, passedAttempts, guardrail int) *evals.Run {
	r := &evals.Run{ID: id, FinishedAt: finished, Repeat: repeat, Engine: "offline",
		Sets: []evals.SetRun{{Name: set, Path: "sets/" + set + ".yaml", Cases: cases, Runnable: true}}}
	left := passedAttempts
	for i := range cases {
		c := evals.CaseResult{Set: set, ID: fmt.Sprintf("c%d", i), Status: evals.StatusPassed}
		for a := range repeat {
			ok := left > 0
			left--
			c.Attempts = append(c.Attempts, evals.Attempt{N: a + 1, Passed: ok})
			if ok {
				c.Passed++
			} else {
				c.Status = evals.StatusFailed
			}
		}
		r.Cases = append(r.Cases, c)
	}
	r.Cases[len(r.Cases)-1].GuardrailViolations = guardrail
	// A case of another set, failing, must not count.
	r.Cases = append(r.Cases, evals.CaseResult{Set: "other", ID: "x", Status: evals.StatusFailed, Attempts: []evals.Attempt{{N: 1}}, GuardrailViolations: 5})
	return r
}

func TestPromotionNeedsTheGate(t *testing.T) {
	key := Key{Market: "DE", Intent: "track_order"}
	fresh := now.Add(-time.Hour)
	for _, tc := range []struct {
		name string
		run  *evals.Run
		set  string
		gate Gate
		want string // a failure, or "" for a promotion that goes through
	}{
		{"a passing recent run", runOf("r1", "orders", fresh, 1, 20, 20, 0), "orders", Gate{}, ""},
		{"named by its path", runOf("r1", "orders", fresh, 1, 20, 20, 0), "sets/orders.yaml", Gate{}, ""},
		{"pass rate", runOf("r2", "orders", fresh, 1, 100, 91, 0), "orders", Gate{}, "pass rate 0.91 < 0.95 on run r2 of set orders"},
		{"pass^k", runOf("r3", "orders", fresh, 2, 10, 19, 0), "orders", Gate{MinPassRate: 0.9, MinPassK: 0.95, MaxAge: 24 * time.Hour, MinRepeat: 1},
			"pass^k 0.9 < 0.95 on run r3 of set orders"},
		{"guardrail violations", runOf("r4", "orders", fresh, 1, 20, 20, 1), "orders", Gate{}, "guardrail violations 1 > 0 on run r4 of set orders"},
		{"a stale run", runOf("r5", "orders", now.Add(-8*24*time.Hour), 1, 20, 20, 0), "orders", Gate{}, "run r5 of set orders finished 8d ago, more than 7d"},
		{"too few repeats", runOf("r6", "orders", fresh, 1, 20, 20, 0), "orders", Gate{MinPassRate: 0.95, MinPassK: 0.9, MaxAge: 24 * time.Hour, MinRepeat: 3},
			"repeat 1 < 3 on run r6 of set orders"},
		{"no run", nil, "orders", Gate{}, "set orders has no recorded run"},
		{"no set", nil, "", Gate{}, "no regression set gates this key"},
		{"the set is not in the run", runOf("r7", "returns", fresh, 1, 20, 20, 0), "orders", Gate{}, "run r7 has no runnable case of set orders"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newMemStore(Rule{Key: key, Stage: Assist, RegressionSet: tc.set})
			p := New(store, Options{Gate: tc.gate, Runs: fakeRuns{tc.set: tc.run}, Now: clock})
			ch, err := p.Set(context.Background(), SetRequest{Key: key, Stage: Standard, RegressionSet: tc.set, Reason: "orders set is green", By: "staff:lena@shop.example"})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("promotion refused: %v", err)
				}
				if ch.Evidence.Run == nil || ch.Evidence.Run.RunID != tc.run.ID || ch.Evidence.Run.PassRate != 1 || ch.Evidence.Run.Cases != 20 {
					t.Fatalf("evidence %+v, want the run's figures", ch.Evidence.Run)
				}
				if d := mustDecide(t, p, key, ""); d.Stage != Standard {
					t.Fatalf("after the promotion Decide says %s", d.Stage)
				}
				return
			}
			var ge *GateError
			if !errors.As(err, &ge) || !errors.Is(err, ErrGateFailed) {
				t.Fatalf("err %v, want a gate failure", err)
			}
			if !strings.Contains(strings.Join(ge.Status.Failures, "\n"), tc.want) {
				t.Fatalf("failures %q, want %q", ge.Status.Failures, tc.want)
			}
			if len(store.changes) != 0 || store.rules[key].Stage != Assist {
				t.Fatalf("a refused promotion changed the rule: %+v", store.rules[key])
			}
		})
	}
}

func TestCanaryIncreasesAreGatedAndDemotionsAreNot(t *testing.T) {
	key := Key{Market: "FR", Intent: "get_refund"}
	bad := runOf("bad", "refunds", now.Add(-time.Hour), 1, 10, 5, 0)
	store := newMemStore(Rule{Key: key, Stage: Standard, CanaryPercent: 10, RegressionSet: "refunds"})
	p := New(store, Options{Runs: fakeRuns{"refunds": bad}, Now: clock})
	ctx := context.Background()
	req := func(stage Stage, canary int) SetRequest {
		return SetRequest{Key: key, Stage: stage, CanaryPercent: canary, RegressionSet: "refunds", Reason: "test", By: "cli:ops"}
	}
	if _, err := p.Set(ctx, req(Standard, 20)); !errors.Is(err, ErrGateFailed) {
		t.Fatalf("raising the canary on a failing set: %v, want a gate failure", err)
	}
	for _, r := range []SetRequest{req(Standard, 5), req(Standard, 0), req(Assist, 0)} {
		ch, err := p.Set(ctx, r)
		if err != nil {
			t.Fatalf("demotion to %s %d%%: %v", r.Stage, r.CanaryPercent, err)
		}
		if ch.Promotion() || ch.Evidence.Run != nil {
			t.Fatalf("change %+v", ch)
		}
	}
	// A key without a rule inherits its stage: a new rule below the default is a demotion.
	ch, err := p.Set(ctx, SetRequest{Key: Key{Market: "JP"}, Stage: Assist, Reason: "launch in Japan", By: "cli:ops"})
	if err != nil || ch.FromStage != Autonomous || ch.ToStage != Assist {
		t.Fatalf("new rule: %+v %v", ch, err)
	}
}

func TestSetRefusesBadRequests(t *testing.T) {
	p := New(newMemStore(Rule{Key: Key{Market: "DE"}, Stage: Assist, Version: 3}), Options{Now: clock})
	two := 2
	for _, tc := range []struct {
		name  string
		req   SetRequest
		field string
		err   error
	}{
		{"bad stage", SetRequest{Key: Key{Market: "DE"}, Stage: "yolo", Reason: "r", By: "b"}, "stage", ErrInvalid},
		{"canary over 100", SetRequest{Key: Key{Market: "DE"}, Stage: Standard, CanaryPercent: 150, Reason: "r", By: "b"}, "canary_percent", ErrInvalid},
		{"canary at autonomous", SetRequest{Key: Key{Market: "DE"}, Stage: Autonomous, CanaryPercent: 5, Reason: "r", By: "b"}, "canary_percent", ErrInvalid},
		{"no reason", SetRequest{Key: Key{Market: "DE"}, Stage: Assist, CanaryPercent: 1, By: "b"}, "reason", ErrInvalid},
		{"bad market", SetRequest{Key: Key{Market: "Germany"}, Stage: Assist, Reason: "r", By: "b"}, "key.market", ErrInvalid},
		{"bad locale", SetRequest{Key: Key{Locale: "not a tag"}, Stage: Assist, Reason: "r", By: "b"}, "key.locale", ErrInvalid},
		{"nothing changes", SetRequest{Key: Key{Market: "de"}, Stage: Assist, Reason: "r", By: "b"}, "stage", ErrInvalid},
		{"stale version", SetRequest{Key: Key{Market: "DE"}, Stage: Standard, Reason: "r", By: "b", IfVersion: &two}, "", ErrStale},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Set(context.Background(), tc.req)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			var v *ValidationError
			if tc.field != "" && (!errors.As(err, &v) || v.Problems[0].Field != tc.field) {
				t.Fatalf("err %v, want a problem with field %s", err, tc.field)
			}
		})
	}
}

func TestThresholds(t *testing.T) {
	th := DefaultThresholds()
	for _, tc := range []struct {
		name string
		live Live
		want []string
	}{
		{"healthy", Live{Conversations: 100, HandoffRate: 0.2, CSAT: 4.4, CSATResponses: 30, ToolCalls: 50, ToolFailures: 2}, nil},
		{"handoff spike", Live{Conversations: 100, HandoffRate: 0.6}, []string{"handoff rate 0.60 > 0.35 over 100 conversations"}},
		{"CSAT drop", Live{Conversations: 100, CSAT: 2.9, CSATResponses: 12}, []string{"CSAT 2.90 < 3.50 over 12 responses"}},
		{"CSAT on too few responses", Live{Conversations: 100, CSAT: 1, CSATResponses: 3}, nil},
		{"guardrail hits", Live{Conversations: 100, GuardrailHits: 4}, []string{"guardrail hits 4 > 3"}},
		{"tool failures", Live{Conversations: 100, ToolCalls: 20, ToolFailures: 6}, []string{"tool failure rate 0.30 > 0.20 (6 of 20 calls)"}},
		{"too few conversations to judge", Live{Conversations: 19, HandoffRate: 1, GuardrailHits: 50}, nil},
		{"several at once", Live{Conversations: 40, HandoffRate: 0.5, GuardrailHits: 9}, []string{"handoff rate 0.50 > 0.35 over 40 conversations", "guardrail hits 9 > 3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := th.judge(tc.live); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("broken %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	k, err := ParseKey("de/TRACK_ORDER/pt-br/*")
	if err != nil || k != (Key{Market: "DE", Intent: "track_order", Locale: "pt-BR"}) || k.String() != "DE/track_order/pt-BR/*" {
		t.Fatalf("ParseKey: %+v %v", k, err)
	}
	if _, err := ParseKey("DE/track_order"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a key of two fields: %v", err)
	}
}

// liveFor answers the same figures for every key.
type liveFor Live

func (l liveFor) Live(context.Context, Key, time.Time) (Live, error) { return Live(l), nil }

func TestMonitorDemotesOnItsOwnAndStopsWithItsContext(t *testing.T) {
	key := Key{Market: "DE", Intent: "track_order"}
	store := newMemStore(Rule{Key: key, Stage: Autonomous, UpdatedAt: now.Add(-72 * time.Hour)})
	p := New(store, Options{Metrics: liveFor{Conversations: 40, ToolCalls: 10, ToolFailures: 5}, Now: clock})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewMonitor(p, nil).Run(ctx, 10*time.Millisecond) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		store.mu.Lock()
		stage := store.rules[key].Stage
		store.mu.Unlock()
		if stage == Assist {
			break // autonomous → standard → assist, one stage per check
		}
		if time.Now().After(deadline) {
			t.Fatalf("the monitor left %s at %s", key, stage)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if len(store.changes) != 2 || store.changes[0].ToStage != Standard || store.changes[1].ToStage != Assist ||
		!strings.Contains(store.changes[0].Reason, "tool failure rate 0.50 > 0.20 (5 of 10 calls)") {
		t.Fatalf("changes %+v", store.changes)
	}
}
