package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/evals/rollout"
	"github.com/attache-dev/attache/staff"
)

// rolloutPolicy is what the API needs of the rollout policy (*rollout.Policy).
type rolloutPolicy interface {
	Status(ctx context.Context) ([]rollout.RuleStatus, error)
	Set(ctx context.Context, req rollout.SetRequest) (rollout.Change, error)
	Changes(ctx context.Context, f rollout.ChangeFilter) ([]rollout.Change, error)
	CheckLive(ctx context.Context, now time.Time) ([]rollout.Change, error)
	Decide(ctx context.Context, key rollout.Key, conversationID string) (rollout.Decision, error)
	DefaultStage() rollout.Stage
	StandardIntents() []string
	Gate() rollout.Gate
	Thresholds() rollout.Thresholds
}

// typeRolloutGate is a promotion the gate refused: errors lists each failed condition.
const typeRolloutGate = "urn:attache:problem:rollout-gate"

// rolloutRoutes serves /v1/rollout and the rollout console. Evaluators and admins read and
// change stages (the gate, not the role, decides whether a promotion goes through); only
// admins run the live check by hand.
func (h *handlers) rolloutRoutes(rt routes) {
	ro := rolloutAPI{h: h, policy: h.cfg.Rollout}
	team := staffOnly(staff.RoleEvaluator, staff.RoleAdmin)
	rt.add("GET", "/v1/rollout/rules", team, ro.list)
	rt.add("PUT", "/v1/rollout/rules", team, ro.put)
	rt.add("GET", "/v1/rollout/changes", team, ro.changes)
	rt.add("GET", "/v1/rollout/decide", team, ro.decide)
	rt.add("POST", "/v1/rollout/check", admins, ro.check)
	if h.cfg.Assets != nil {
		rt.add("GET", "/console/rollout", public, ro.page)
	}
}

// rolloutAPI serves /v1/rollout: the handlers with the policy.
type rolloutAPI struct {
	h      *handlers
	policy rolloutPolicy
}

// rolloutKeyJSON is a key; an empty field means any.
type rolloutKeyJSON struct {
	Market  string `json:"market"`
	Intent  string `json:"intent"`
	Locale  string `json:"locale"`
	Channel string `json:"channel"`
}

func toRolloutKeyJSON(k rollout.Key) rolloutKeyJSON {
	return rolloutKeyJSON{Market: k.Market, Intent: k.Intent, Locale: k.Locale, Channel: k.Channel}
}

func (k rolloutKeyJSON) key() rollout.Key {
	return rollout.Key{Market: k.Market, Intent: k.Intent, Locale: k.Locale, Channel: k.Channel}
}

type rolloutGateJSON struct {
	Set      string              `json:"set"`
	Passed   bool                `json:"passed"`
	Failures []string            `json:"failures"`
	Run      *rollout.RunFigures `json:"run,omitempty"`
}

type rolloutRuleJSON struct {
	Key           rolloutKeyJSON   `json:"key"`
	Stage         string           `json:"stage"`
	CanaryPercent int              `json:"canary_percent"`
	CanaryStage   string           `json:"canary_stage,omitempty"` // what the canary arm gets
	RegressionSet string           `json:"regression_set"`
	Version       int              `json:"version"`
	UpdatedBy     string           `json:"updated_by"`
	Reason        string           `json:"reason"`
	UpdatedAt     time.Time        `json:"updated_at"`
	Evidence      rollout.Evidence `json:"evidence"`
	// Gate is the gate's verdict on the latest run of the regression set now: whether a
	// promotion to NextStage would go through.
	Gate      rolloutGateJSON `json:"gate"`
	NextStage string          `json:"next_stage,omitempty"`
}

type rolloutChangeJSON struct {
	ID            int64            `json:"id"`
	Key           rolloutKeyJSON   `json:"key"`
	Action        string           `json:"action"` // "set" or "demoted"
	FromStage     string           `json:"from_stage"`
	ToStage       string           `json:"to_stage"`
	FromCanary    int              `json:"from_canary"`
	ToCanary      int              `json:"to_canary"`
	RegressionSet string           `json:"regression_set"`
	Version       int              `json:"version"`
	By            string           `json:"by"`
	Reason        string           `json:"reason"`
	Evidence      rollout.Evidence `json:"evidence"`
	At            time.Time        `json:"at"`
}

func toRolloutChangeJSON(c rollout.Change) rolloutChangeJSON {
	return rolloutChangeJSON{ID: c.ID, Key: toRolloutKeyJSON(c.Key), Action: c.Action, FromStage: string(c.FromStage), ToStage: string(c.ToStage),
		FromCanary: c.FromCanary, ToCanary: c.ToCanary, RegressionSet: c.RegressionSet, Version: c.Version, By: c.By, Reason: c.Reason,
		Evidence: c.Evidence, At: c.At.UTC()}
}

func toRolloutChangesJSON(cs []rollout.Change) []rolloutChangeJSON {
	out := make([]rolloutChangeJSON, len(cs))
	for i, c := range cs {
		out[i] = toRolloutChangeJSON(c)
	}
	return out
}

// list answers every rule with its gate status, and the settings rules are judged by.
func (ro rolloutAPI) list(c *gin.Context) {
	sts, err := ro.policy.Status(c.Request.Context())
	if err != nil {
		ro.h.fail(c, "list rollout rules", err)
		return
	}
	rules := make([]rolloutRuleJSON, len(sts))
	for i, st := range sts {
		r := st.Rule
		rules[i] = rolloutRuleJSON{Key: toRolloutKeyJSON(r.Key), Stage: string(r.Stage), CanaryPercent: r.CanaryPercent, RegressionSet: r.RegressionSet,
			Version: r.Version, UpdatedBy: r.UpdatedBy, Reason: r.Reason, UpdatedAt: r.UpdatedAt.UTC(), Evidence: r.Evidence,
			Gate: rolloutGateJSON{Set: st.Gate.Set, Passed: st.Gate.Passed, Failures: nonNil(st.Gate.Failures), Run: st.Gate.Run}, NextStage: string(st.Next)}
		if r.CanaryPercent > 0 {
			rules[i].CanaryStage = string(st.Next)
		}
	}
	g, th := ro.policy.Gate(), ro.policy.Thresholds()
	c.JSON(http.StatusOK, gin.H{
		"rules":            rules,
		"default_stage":    ro.policy.DefaultStage(),
		"standard_intents": nonNil(ro.policy.StandardIntents()),
		"gate": gin.H{"min_pass_rate": g.MinPassRate, "min_pass_k": g.MinPassK, "max_guardrail_violations": g.MaxGuardrailViolations,
			"max_age_hours": g.MaxAge.Hours(), "min_repeat": g.MinRepeat},
		"thresholds": gin.H{"window_hours": th.Window.Hours(), "min_conversations": th.MinConversations, "max_handoff_rate": th.MaxHandoffRate,
			"min_csat": th.MinCSAT, "min_csat_responses": th.MinCSATResponses, "max_guardrail_hits": th.MaxGuardrailHits,
			"max_tool_failure_rate": th.MaxToolFailureRate},
	})
}

type rolloutPutRequest struct {
	Key           rolloutKeyJSON `json:"key"`
	Stage         string         `json:"stage"`
	CanaryPercent int            `json:"canary_percent"`
	RegressionSet string         `json:"regression_set"`
	Reason        string         `json:"reason"`
}

// put sets the rule for the body's key, creating it when the key has none. If-Match (or
// ?version=) names the rule version the change was made against: 0 for a key without a
// rule. A promotion the gate refuses is 409 with each failed condition.
func (ro rolloutAPI) put(c *gin.Context) {
	ifVersion, ok := rolloutIfVersion(c)
	if !ok {
		return
	}
	var req rolloutPutRequest
	if !ro.h.decode(c, &req, false) {
		return
	}
	ch, err := ro.policy.Set(c.Request.Context(), rollout.SetRequest{Key: req.Key.key(), Stage: rollout.Stage(strings.ToLower(strings.TrimSpace(req.Stage))),
		CanaryPercent: req.CanaryPercent, RegressionSet: req.RegressionSet, Reason: req.Reason, By: actor(c), IfVersion: ifVersion})
	if !ro.savedOK(c, err) {
		return
	}
	c.Header("ETag", strconv.Quote(strconv.Itoa(ch.Version)))
	c.JSON(http.StatusOK, gin.H{"change": toRolloutChangeJSON(ch)})
}

// rolloutIfVersion reads the version a change was made against from If-Match ("3", 3 or
// W/"3") or ?version=; nil when neither was sent.
func rolloutIfVersion(c *gin.Context) (*int, bool) {
	raw, field := c.GetHeader("If-Match"), "If-Match"
	if raw == "" {
		raw, field = c.Query("version"), "version"
	}
	if raw == "" {
		return nil, true
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(strings.TrimSpace(raw), "W/"), `"`))
	if err != nil || n < 0 {
		invalid(c, "The stage was not changed.", FieldError{field, "the rule's version, a whole number such as 3 (0 for a key without a rule)"})
		return nil, false
	}
	return &n, true
}

// savedOK writes the problem for a change's error and reports whether there was none.
func (ro rolloutAPI) savedOK(c *gin.Context, err error) bool {
	var ve *rollout.ValidationError
	var ge *rollout.GateError
	switch {
	case err == nil:
		return true
	case errors.As(err, &ve):
		fes := make([]FieldError, len(ve.Problems))
		for i, p := range ve.Problems {
			fes[i] = FieldError{Field: p.Field, Reason: p.Reason}
		}
		invalid(c, "The stage was not changed.", fes...)
	case errors.As(err, &ge):
		fes := make([]FieldError, len(ge.Status.Failures))
		for i, f := range ge.Status.Failures {
			fes[i] = FieldError{Field: "gate", Reason: f}
		}
		writeProblem(c, Problem{Type: typeRolloutGate, Title: "Promotion refused", Status: http.StatusConflict,
			Detail: "The promotion of " + ge.Key.String() + " was refused: " + strings.Join(ge.Status.Failures, "; ") +
				". Run the regression set until it passes the gate, or lower the stage instead.", Errors: fes})
	case errors.Is(err, rollout.ErrStale):
		writeProblem(c, Problem{Type: typeConflict, Title: "Precondition failed", Status: http.StatusPreconditionFailed,
			Detail: "The rule changed after the version you sent. GET the rules again, redo the change and send the new version."})
	case errors.Is(err, rollout.ErrConflict):
		writeProblem(c, Problem{Type: typeConflict, Title: "Conflict", Status: http.StatusConflict,
			Detail: "Someone changed this rule while your change was being decided. GET the rules again and retry."})
	default:
		ro.h.fail(c, "change rollout stage", err)
	}
	return false
}

// changes answers the history, newest first. market, intent, locale and channel filter
// when given ("*" selects the rules for any value); before pages back by ID.
func (ro rolloutAPI) changes(c *gin.Context) {
	var errs []FieldError
	limit := limitParam(c, 100, &errs)
	var before int64
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			errs = append(errs, FieldError{"before", "a change ID, a whole number from 1"})
		}
		before = n
	}
	q := rollout.Key{Market: c.Query("market"), Intent: c.Query("intent"), Locale: c.Query("locale"), Channel: c.Query("channel")}
	norm, err := q.Normalize()
	errs = append(errs, keyFieldErrors(err)...)
	if len(errs) > 0 {
		invalid(c, "The history was not read.", errs...)
		return
	}
	// An absent field does not filter, "*" selects the rules for any value, anything else
	// is matched in its normal form.
	pick := func(raw, normal string) string {
		if raw = strings.TrimSpace(raw); raw == "" || raw == "*" {
			return raw
		}
		return normal
	}
	f := rollout.ChangeFilter{Market: pick(q.Market, norm.Market), Intent: pick(q.Intent, norm.Intent), Locale: pick(q.Locale, norm.Locale),
		Channel: pick(q.Channel, norm.Channel), Before: before, Limit: limit}
	cs, err := ro.policy.Changes(c.Request.Context(), f)
	if err != nil {
		ro.h.fail(c, "list rollout changes", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"changes": toRolloutChangesJSON(cs)})
}

// decide answers what a conversation with the query's market, intent, locale and channel
// gets, in the canary arm of ?conversation= when given.
func (ro rolloutAPI) decide(c *gin.Context) {
	key, err := rollout.Key{Market: c.Query("market"), Intent: c.Query("intent"), Locale: c.Query("locale"), Channel: c.Query("channel")}.Normalize()
	if fes := keyFieldErrors(err); len(fes) > 0 {
		invalid(c, "Nothing was decided.", fes...)
		return
	}
	d, err := ro.policy.Decide(c.Request.Context(), key, c.Query("conversation"))
	if err != nil {
		ro.h.fail(c, "decide rollout stage", err)
		return
	}
	out := gin.H{"stage": d.Stage, "base_stage": d.Base, "canary": d.Canary, "matched": d.Matched, "canary_percent": d.CanaryPercent}
	if d.Matched {
		out["rule"] = toRolloutKeyJSON(d.Rule)
	}
	if key.Intent != "" {
		out["ai_may_resolve"] = d.AIMayResolve(key.Intent)
	}
	c.JSON(http.StatusOK, out)
}

// keyFieldErrors names the bad query parameters of a key's validation error.
func keyFieldErrors(err error) []FieldError {
	var ve *rollout.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	fes := make([]FieldError, len(ve.Problems))
	for i, p := range ve.Problems {
		fes[i] = FieldError{Field: strings.TrimPrefix(p.Field, "key."), Reason: p.Reason}
	}
	return fes
}

// check runs the live check now and answers the demotions it made; complete is false when
// some keys (or, without live metrics, all) could not be judged.
func (ro rolloutAPI) check(c *gin.Context) {
	if !ro.h.decode(c, &struct{}{}, true) {
		return
	}
	cs, err := ro.policy.CheckLive(c.Request.Context(), time.Now())
	switch {
	case errors.Is(err, rollout.ErrNoMetrics):
		// Not a failure of the request: the server is configured without live metrics.
		c.JSON(http.StatusOK, gin.H{"demoted": []rolloutChangeJSON{}, "complete": false,
			"reason": "Live metrics are not available on this server, so no key was judged."})
		return
	case err != nil && len(cs) == 0:
		ro.h.fail(c, "rollout live check", err)
		return
	case err != nil:
		// Some keys were judged and demoted; the others are logged and judged next time.
		ro.h.cfg.Logger.Error("rollout live check", "err", err, "request_id", c.GetString("request_id"))
	}
	c.JSON(http.StatusOK, gin.H{"demoted": toRolloutChangesJSON(cs), "complete": err == nil})
}

// page serves the rollout console.
func (ro rolloutAPI) page(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.FileFromFS("/rollout.html", http.FS(ro.h.cfg.Assets))
}
