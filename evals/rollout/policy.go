package rollout

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/attache-dev/attache/policy/audit"
)

// SystemActor is who the live monitor's demotions are recorded as.
const SystemActor = "system:rollout-monitor"

// Audit log actions of a change.
const (
	AuditStageChanged = "rollout.stage_changed"
	AuditDemoted      = "rollout.demoted"
)

// DefaultReload is how old the in-memory rules may get before Decide reloads them.
const DefaultReload = 5 * time.Second

// MaxReasonChars bounds the reason of a change.
const MaxReasonChars = 500

// DefaultStandardIntents are the intents the AI resolves at the standard stage when
// Options.StandardIntents is nil: greetings and questions answered from orders, policies and
// the knowledge base, none of which changes an order or moves money. Confirmations ("yes",
// "no") are not intents of their own here: the caller decides on the intent of the task
// they answer.
var DefaultStandardIntents = []string{
	"greeting", "goodbye", "thanks", "track_order", "track_refund", "delivery_period", "delivery_options",
	"check_refund_policy", "check_cancellation_fee", "check_payment_methods", "cod_question",
	"contact_customer_service", "place_order", "knowledge_answer",
}

// auditLog records changes; *audit.Log has it.
type auditLog interface {
	Append(ctx context.Context, e audit.Entry) (audit.Record, error)
}

// RuleStore is what a Policy needs of the rules' storage: *Store, or a fake in tests.
type RuleStore interface {
	Rules(ctx context.Context) ([]Rule, error)
	Put(ctx context.Context, r Rule, expect int, ch Change) (Rule, Change, error)
	Changes(ctx context.Context, f ChangeFilter) ([]Change, error)
}

// Options configure a Policy. Zero values take the defaults.
type Options struct {
	// DefaultStage is the stage of a key no rule matches; Autonomous when empty.
	DefaultStage Stage
	// StandardIntents are the intents the AI resolves at the standard stage;
	// DefaultStandardIntents when nil.
	StandardIntents []string
	// Gate is what promotions need; DefaultGate() when zero.
	Gate Gate
	// Thresholds are the live limits; DefaultThresholds() when zero.
	Thresholds Thresholds
	// Reload is how old the in-memory rules may get; DefaultReload when zero.
	Reload time.Duration
	// Runs finds eval runs for the gate; nil means no run is recorded, so no promotion
	// passes.
	Runs Runs
	// Metrics reads live figures for CheckLive; nil makes CheckLive fail with ErrNoMetrics.
	Metrics Metrics
	// Audit records every change; nil records none.
	Audit  auditLog
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Policy decides stages from the rules and changes them. It is safe for concurrent use.
type Policy struct {
	store     RuleStore
	opts      Options
	allow     map[string]struct{}
	snap      atomic.Pointer[snapshot]
	reloading sync.Mutex
}

// snapshot is the rules in memory, most specific first: all of them, and per market the
// ones that can match it (its own and the market-wide ones), so that Decide scans a few.
type snapshot struct {
	rules    []Rule
	byMarket map[string][]Rule // upper-case market → its rules and those for any market
	anyMkt   []Rule            // the rules for any market
	loaded   time.Time
}

// candidates returns the rules that may match a conversation in market, most specific first.
func (s *snapshot) candidates(market string) []Rule {
	if len(market) == 2 {
		var up [2]byte
		for i := range 2 {
			c := market[i]
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			up[i] = c
		}
		if rs, ok := s.byMarket[string(up[:])]; ok {
			return rs
		}
	}
	return s.anyMkt
}

// New returns a Policy over store (a *Store).
func New(store RuleStore, opts Options) *Policy {
	if opts.DefaultStage.Rank() < 0 {
		opts.DefaultStage = Autonomous
	}
	if opts.StandardIntents == nil {
		opts.StandardIntents = DefaultStandardIntents
	}
	if opts.Gate == (Gate{}) {
		opts.Gate = DefaultGate()
	}
	if opts.Thresholds == (Thresholds{}) {
		opts.Thresholds = DefaultThresholds()
	}
	if opts.Thresholds.Window <= 0 {
		opts.Thresholds.Window = DefaultThresholds().Window
	}
	if opts.Reload <= 0 {
		opts.Reload = DefaultReload
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	allow := make(map[string]struct{}, len(opts.StandardIntents))
	for _, in := range opts.StandardIntents {
		allow[strings.ToLower(strings.TrimSpace(in))] = struct{}{}
	}
	opts.StandardIntents = slices.Sorted(func(yield func(string) bool) {
		for in := range allow {
			if !yield(in) {
				return
			}
		}
	})
	return &Policy{store: store, opts: opts, allow: allow}
}

// DefaultStage is the stage of keys no rule matches.
func (p *Policy) DefaultStage() Stage { return p.opts.DefaultStage }

// StandardIntents are the intents the AI resolves at the standard stage, sorted.
func (p *Policy) StandardIntents() []string { return slices.Clone(p.opts.StandardIntents) }

// Gate is the gate promotions need.
func (p *Policy) Gate() Gate { return p.opts.Gate }

// Thresholds are the live limits CheckLive applies.
func (p *Policy) Thresholds() Thresholds { return p.opts.Thresholds }

// Reload reads the rules from the store into memory now.
func (p *Policy) Reload(ctx context.Context) error {
	rules, err := p.store.Rules(ctx)
	if err != nil {
		return err
	}
	p.snap.Store(newSnapshot(rules, p.opts.Now()))
	return nil
}

func newSnapshot(rules []Rule, at time.Time) *snapshot {
	sorted := slices.Clone(rules)
	slices.SortStableFunc(sorted, func(a, b Rule) int { return cmp.Compare(b.Key.specificity(), a.Key.specificity()) })
	s := &snapshot{rules: sorted, byMarket: map[string][]Rule{}, loaded: at}
	for _, r := range sorted {
		if r.Key.Market == "" {
			s.anyMkt = append(s.anyMkt, r)
		} else {
			s.byMarket[strings.ToUpper(r.Key.Market)] = nil
		}
	}
	for m := range s.byMarket {
		for _, r := range sorted {
			if r.Key.Market == "" || strings.EqualFold(r.Key.Market, m) {
				s.byMarket[m] = append(s.byMarket[m], r)
			}
		}
	}
	return s
}

// rules returns the in-memory rules, reloading them when older than Options.Reload: the
// first caller to find them old reloads while the others go on with the copy they have. A
// failed reload keeps the old copy until the next interval; only a first load that fails
// is an error.
func (p *Policy) rules(ctx context.Context) (*snapshot, error) {
	s := p.snap.Load()
	if s != nil && p.opts.Now().Sub(s.loaded) < p.opts.Reload {
		return s, nil
	}
	if s == nil {
		p.reloading.Lock()
		defer p.reloading.Unlock()
		if s = p.snap.Load(); s != nil {
			return s, nil
		}
		if err := p.Reload(ctx); err != nil {
			return nil, fmt.Errorf("load rollout rules: %w", err)
		}
		return p.snap.Load(), nil
	}
	if !p.reloading.TryLock() {
		return s, nil
	}
	defer p.reloading.Unlock()
	if err := p.Reload(ctx); err != nil {
		p.opts.Logger.Warn("reload rollout rules; keeping the rules in memory", "err", err)
		retry := *s
		retry.loaded = p.opts.Now()
		p.snap.Store(&retry)
		return s, nil
	}
	return p.snap.Load(), nil
}

// Decision is the stage a conversation turn gets.
type Decision struct {
	// Stage is the stage in effect: Base, or the next stage up in the canary arm.
	Stage Stage
	// Base is the stage of the rule (or the default when no rule matched).
	Base   Stage
	Canary bool // the conversation is in the canary arm
	// Matched is false when no rule matched and Base is the default stage.
	Matched       bool
	Rule          Key // the matching rule's key
	CanaryPercent int // the matching rule's
	allow         map[string]struct{}
}

// AIMayResolve reports whether the AI may resolve a request with intent at the decided
// stage: never at assist (it drafts for a person), for the allow-listed intents at standard,
// always at autonomous.
func (d Decision) AIMayResolve(intent string) bool {
	switch d.Stage {
	case Autonomous:
		return true
	case Standard:
		_, ok := d.allow[intent]
		return ok
	}
	return false
}

// Decide returns the stage for a conversation with key (its market, intent, locale and
// channel; empty when unknown) and conversationID (the canary arm; empty never takes the
// canary). It fails only when the rules were never loaded and cannot be.
func (p *Policy) Decide(ctx context.Context, key Key, conversationID string) (Decision, error) {
	s, err := p.rules(ctx)
	if err != nil {
		return Decision{}, err
	}
	return decide(s.candidates(key.Market), key, conversationID, p.opts.DefaultStage, p.allow), nil
}

// decide matches key against rules, most specific first.
func decide(rules []Rule, key Key, conversationID string, def Stage, allow map[string]struct{}) Decision {
	for i := range rules {
		r := &rules[i]
		if !r.Key.matches(key) {
			continue
		}
		d := Decision{Stage: r.Stage, Base: r.Stage, Matched: true, Rule: r.Key, CanaryPercent: r.CanaryPercent, allow: allow}
		if next, ok := r.Stage.Next(); ok && conversationID != "" && r.CanaryPercent > 0 && bucket(r.Key, conversationID) < r.CanaryPercent {
			d.Stage, d.Canary = next, true
		}
		return d
	}
	return Decision{Stage: def, Base: def, allow: allow}
}

// bucket places a conversation in 0..99 for a rule: FNV-1a over the rule's key and the
// conversation ID, then a finalising mix so that the low digits are uniform. It is stable
// across processes and releases; changing it moves conversations between arms.
func bucket(k Key, conversationID string) int {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= prime
		}
		h ^= 0xff // separator: no byte of a key is 0xff
		h *= prime
	}
	add(k.Market)
	add(k.Intent)
	add(k.Locale)
	add(k.Channel)
	add(conversationID)
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return int(h % 100)
}

// RuleStatus is a rule with its gate's verdict on the latest run of its regression set.
type RuleStatus struct {
	Rule Rule
	Gate GateStatus
	// Next is the stage a promotion would move to; empty at autonomous.
	Next Stage
}

// Status returns every rule, read from the store, with its gate's verdict now.
func (p *Policy) Status(ctx context.Context) ([]RuleStatus, error) {
	rules, err := p.store.Rules(ctx)
	if err != nil {
		return nil, err
	}
	now := p.opts.Now()
	verdicts := map[string]GateStatus{}
	out := make([]RuleStatus, len(rules))
	for i, r := range rules {
		st, ok := verdicts[r.RegressionSet]
		if !ok {
			if st, err = p.gate(ctx, r.RegressionSet, now); err != nil {
				return nil, err
			}
			verdicts[r.RegressionSet] = st
		}
		out[i] = RuleStatus{Rule: r, Gate: st}
		if next, ok := r.Stage.Next(); ok {
			out[i].Next = next
		}
	}
	return out, nil
}

// gate judges the latest run of set.
func (p *Policy) gate(ctx context.Context, set string, now time.Time) (GateStatus, error) {
	if set == "" || p.opts.Runs == nil {
		return p.opts.Gate.judge(nil, set, now), nil
	}
	run, err := p.opts.Runs.LatestRun(ctx, set)
	if err != nil {
		return GateStatus{}, fmt.Errorf("latest run of set %s: %w", set, err)
	}
	return p.opts.Gate.judge(run, set, now), nil
}

// Changes returns the history entries f selects, newest first.
func (p *Policy) Changes(ctx context.Context, f ChangeFilter) ([]Change, error) {
	return p.store.Changes(ctx, f)
}

// SetRequest is a change of the rule for a key.
type SetRequest struct {
	Key           Key
	Stage         Stage
	CanaryPercent int
	RegressionSet string
	Reason        string
	// By is the actor: "staff:<email>", "cli:<user>".
	By string
	// IfVersion, when not nil, is the rule version the change was made against (0: the key
	// had no rule); another current version fails with ErrStale.
	IfVersion *int
}

func (r SetRequest) validate() (SetRequest, error) {
	var v ValidationError
	key, err := r.Key.Normalize()
	var kv *ValidationError
	if errors.As(err, &kv) {
		v.Problems = append(v.Problems, kv.Problems...)
	}
	r.Key = key
	r.Reason = strings.TrimSpace(r.Reason)
	r.RegressionSet = strings.TrimSpace(r.RegressionSet)
	switch {
	case r.Stage.Rank() < 0:
		v.add("stage", "one of assist, standard, autonomous")
	case r.CanaryPercent < 0 || r.CanaryPercent > 100:
		v.add("canary_percent", "a whole number from 0 to 100")
	case r.Stage == Autonomous && r.CanaryPercent != 0:
		v.add("canary_percent", "0 at autonomous: there is no stage above it")
	}
	switch {
	case r.Reason == "":
		v.add("reason", "required: why the stage changes")
	case utf8.RuneCountInString(r.Reason) > MaxReasonChars:
		v.add("reason", fmt.Sprintf("at most %d characters", MaxReasonChars))
	}
	if len(r.RegressionSet) > 200 || strings.IndexFunc(r.RegressionSet, unicode.IsControl) >= 0 {
		v.add("regression_set", "an eval set name or path of at most 200 characters")
	}
	if strings.TrimSpace(r.By) == "" {
		v.add("by", "required: who makes the change")
	}
	if r.IfVersion != nil && *r.IfVersion < 0 {
		v.add("if_version", "a rule version, 0 or more")
	}
	if len(v.Problems) > 0 {
		return r, &v
	}
	return r, nil
}

// Set changes the rule for req.Key, creating it when the key has none. A promotion needs
// the latest run of req.RegressionSet to pass the gate (else a *GateError); a demotion
// always goes through. The change is stored with the rule, reloaded into memory and
// audited as "rollout.stage_changed". Errors: ErrInvalid (*ValidationError), ErrGateFailed
// (*GateError), ErrStale, ErrConflict.
func (p *Policy) Set(ctx context.Context, req SetRequest) (Change, error) {
	req, err := req.validate()
	if err != nil {
		return Change{}, err
	}
	rules, err := p.store.Rules(ctx)
	if err != nil {
		return Change{}, err
	}
	var cur *Rule
	for i := range rules {
		if rules[i].Key == req.Key {
			cur = &rules[i]
		}
	}
	curVersion := 0
	ch := Change{Key: req.Key, Action: ActionSet, ToStage: req.Stage, ToCanary: req.CanaryPercent, RegressionSet: req.RegressionSet,
		By: req.By, Reason: req.Reason}
	if cur != nil {
		curVersion, ch.FromStage, ch.FromCanary = cur.Version, cur.Stage, cur.CanaryPercent
	} else {
		// The stage the key inherits now: what Decide answers for it without a canary.
		d := decide(newSnapshot(rules, time.Time{}).rules, req.Key, "", p.opts.DefaultStage, p.allow)
		ch.FromStage, ch.FromCanary = d.Base, d.CanaryPercent
	}
	if req.IfVersion != nil && *req.IfVersion != curVersion {
		return Change{}, fmt.Errorf("%w: rule %s is at version %d, the change was made against %d", ErrStale, req.Key, curVersion, *req.IfVersion)
	}
	if cur != nil && cur.Stage == req.Stage && cur.CanaryPercent == req.CanaryPercent && cur.RegressionSet == req.RegressionSet {
		return Change{}, &ValidationError{Problems: []FieldProblem{{"stage", "the rule already has this stage, canary and regression set"}}}
	}
	now := p.opts.Now()
	if ch.Promotion() {
		st, err := p.gate(ctx, req.RegressionSet, now)
		if err != nil {
			return Change{}, err
		}
		if !st.Passed {
			return Change{}, &GateError{Key: req.Key, Status: st}
		}
		ch.Evidence.Run = st.Run
	}
	rule := Rule{Key: req.Key, Stage: req.Stage, CanaryPercent: req.CanaryPercent, RegressionSet: req.RegressionSet,
		UpdatedBy: req.By, Reason: req.Reason, Evidence: ch.Evidence, UpdatedAt: now.UTC().Truncate(time.Microsecond)}
	if _, ch, err = p.store.Put(ctx, rule, curVersion, ch); err != nil {
		return Change{}, err
	}
	p.changed(ctx, ch, AuditStageChanged)
	return ch, nil
}

// changed reloads the rules and audits ch. Neither failure undoes the change: the reload
// is retried by Decide, and a failed audit append is logged.
func (p *Policy) changed(ctx context.Context, ch Change, action string) {
	if err := p.Reload(ctx); err != nil {
		p.opts.Logger.Warn("reload rollout rules after a change", "key", ch.Key.String(), "err", err)
	}
	if p.opts.Audit == nil {
		return
	}
	details := map[string]any{
		"change_id": ch.ID, "version": ch.Version, "from_stage": string(ch.FromStage), "to_stage": string(ch.ToStage),
		"from_canary": ch.FromCanary, "to_canary": ch.ToCanary, "regression_set": ch.RegressionSet, "reason": ch.Reason,
	}
	if !ch.Evidence.IsZero() {
		var ev map[string]any
		if err := json.Unmarshal(ch.Evidence.Marshal(), &ev); err == nil {
			details["evidence"] = ev
		}
	}
	_, err := p.opts.Audit.Append(ctx, audit.Entry{Actor: ch.By, Action: action, Subject: "rollout:" + ch.Key.String(), Details: details})
	if err != nil {
		p.opts.Logger.Error("append a rollout change to the audit log", "key", ch.Key.String(), "change", ch.ID, "err", err)
	}
}

// CheckLive judges the live figures of every rule that lets the AI do more than draft (a
// stage above assist, or a canary) since the later of now minus the window and the rule's
// last change. A rule that breaks a threshold is demoted one stage, its canary dropped (a
// rule at assist only loses its canary), recorded as done by SystemActor with the broken
// thresholds as the reason and the figures as evidence, and audited as "rollout.demoted".
// A rule changed meanwhile by someone else is left for the next check. It returns the
// demotions made; an error for one rule does not stop the others.
func (p *Policy) CheckLive(ctx context.Context, now time.Time) ([]Change, error) {
	if p.opts.Metrics == nil {
		return nil, ErrNoMetrics
	}
	rules, err := p.store.Rules(ctx)
	if err != nil {
		return nil, err
	}
	t := p.opts.Thresholds
	var (
		changes []Change
		errs    []error
	)
	for _, r := range rules {
		if r.Stage == Assist && r.CanaryPercent == 0 {
			continue
		}
		since := now.Add(-t.Window)
		if r.UpdatedAt.After(since) {
			since = r.UpdatedAt
		}
		l, err := p.opts.Metrics.Live(ctx, r.Key, since)
		if err != nil {
			errs = append(errs, fmt.Errorf("live metrics of %s: %w", r.Key, err))
			continue
		}
		broken := t.judge(l)
		if len(broken) == 0 {
			continue
		}
		to, _ := r.Stage.Prev()
		ch := Change{Key: r.Key, Action: ActionDemoted, FromStage: r.Stage, ToStage: to, FromCanary: r.CanaryPercent,
			RegressionSet: r.RegressionSet, By: SystemActor,
			Reason:   "live metrics broke thresholds since " + since.UTC().Format(time.RFC3339) + ": " + strings.Join(broken, "; "),
			Evidence: Evidence{Live: liveEvidence(l, since, now), Broken: broken}}
		rule := Rule{Key: r.Key, Stage: to, RegressionSet: r.RegressionSet, UpdatedBy: SystemActor, Reason: ch.Reason,
			Evidence: ch.Evidence, UpdatedAt: now.UTC().Truncate(time.Microsecond)}
		_, ch, err = p.store.Put(ctx, rule, r.Version, ch)
		switch {
		case errors.Is(err, ErrConflict):
			p.opts.Logger.Info("rollout rule changed during the live check; judged again next time", "key", r.Key.String())
			continue
		case err != nil:
			errs = append(errs, err)
			continue
		}
		p.opts.Logger.Warn("rollout key demoted", "key", r.Key.String(), "from", string(ch.FromStage), "to", string(ch.ToStage),
			"broken", strings.Join(broken, "; "))
		p.changed(ctx, ch, AuditDemoted)
		changes = append(changes, ch)
	}
	return changes, errors.Join(errs...)
}
