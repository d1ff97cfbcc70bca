package agents

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/attache-dev/attache/tools"
)

// MaxToolRounds is how many times a turn goes back to the responder with tool results
// before the responder must answer with what it has.
const MaxToolRounds = 4

// keepDoneCalls bounds the completed writes remembered across continue-as-new.
const keepDoneCalls = 200

// PlannedCall is a tool call a responder asked for, with the spec the worker's registry
// holds for it (the zero Spec when the tool does not exist).
type PlannedCall struct {
	Call tools.Call
	Spec tools.Spec
}

// ToolStep is one tool call of a turn and what came of it.
type ToolStep struct {
	Call   tools.Call
	Key    string
	Result tools.Result
	Round  int // the responder round that asked for the call: calls of one round were parallel
}

// Action kinds a conversation can be waiting on.
const (
	AwaitConfirmation = "confirmation" // the customer must say yes or no
	AwaitApproval     = "approval"     // a person must approve
)

// PendingAction is a write waiting for the customer's yes or a person's approval. Preview is
// what the customer was shown (its Amount is what the approval limit was checked against).
type PendingAction struct {
	Kind      string
	Call      tools.Call
	Spec      tools.Spec
	Key       string
	Preview   tools.Result
	Confirmed bool      // the customer said yes
	TurnID    string    // the turn that proposed it
	Since     time.Time // workflow time it started waiting
}

// Confirmation answers a pending confirmation; Respond activities report it from the
// customer's message, classified by the offline engine — never by a model.
const (
	ConfirmYes = "yes"
	ConfirmNo  = "no"
)

// DoneCall is a completed write, remembered so that the same request is answered with its
// first result instead of reaching the shop again.
type DoneCall struct {
	Key    string
	Result tools.Result
}

// ToolHeartbeatTimeout is how soon a tool call whose worker died is retried elsewhere; tool
// activities beat four times as often.
const ToolHeartbeatTimeout = 10 * time.Second

// ToolCallTimeout bounds the attempts of one tool call, retries included. Every write carries
// its idempotency key, so the shop is retried patiently — by time rather than by a count of
// attempts, which worker deaths and a loaded machine's late heartbeats use up — before the
// customer is told it failed.
const ToolCallTimeout = 3 * time.Minute

// toolContext: each call is its own activity.
func toolContext(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second, HeartbeatTimeout: ToolHeartbeatTimeout, ScheduleToCloseTimeout: ToolCallTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second,
			NonRetryableErrorTypes: []string{ErrTypeInvalid},
		},
	})
}

// runCalls runs a round of planned calls in order and returns their steps.
func (w *conversationWF) runCalls(ctx workflow.Context, turnID, market, locale string, calls []PlannedCall, ledger *tools.Ledger) []ToolStep {
	steps := make([]ToolStep, 0, len(calls))
	for _, pc := range calls {
		steps = append(steps, w.runCall(ctx, turnID, market, locale, pc, ledger))
	}
	return steps
}

// runCall enforces a call's declarations and runs it: unknown tools, budget overruns and
// missing identity are refused; a write runs only when the customer confirmed this very call
// (same key) after seeing its preview, and — when it moves more than the market's limit —
// after a person approved it; the same write asked again returns its first result.
func (w *conversationWF) runCall(ctx workflow.Context, turnID, market, locale string, pc PlannedCall, ledger *tools.Ledger) ToolStep {
	step := ToolStep{Call: pc.Call}
	if pc.Spec.Name == "" || pc.Spec.Name != pc.Call.Name {
		step.Result = tools.Result{Outcome: tools.Invalid, Reason: "unknown_tool", Detail: fmt.Sprintf("no tool named %q", pc.Call.Name)}
		return step
	}
	key, err := tools.Key(w.in.ConversationID, pc.Call)
	if err != nil {
		step.Result = tools.Result{Outcome: tools.Invalid, Reason: "bad_arguments", Detail: err.Error()}
		return step
	}
	step.Key = key
	if ok, reason := w.budget().Spend(ledger, key); !ok {
		step.Result = tools.Refusal(reason, "the turn's tool budget is spent")
		return step
	}
	if pc.Spec.Effect != tools.Read {
		if r, ok := w.doneResult(key); ok {
			step.Result = r
			return step
		}
	}
	if pc.Spec.Identity && !w.in.Identity.Verified() {
		step.Result = tools.Refusal("identity_required", "verify the customer first")
		return step
	}
	inv := tools.Invocation{Call: pc.Call, Key: key, ConversationID: w.in.ConversationID, Market: market, Locale: locale, Identity: w.in.Identity}
	var a *Activities
	if pc.Spec.Effect != tools.Read {
		p := w.in.Pending
		if p == nil || p.Key != key || !p.Confirmed {
			var preview tools.Result
			if err := workflow.ExecuteActivity(toolContext(ctx), a.PreviewTool, inv).Get(ctx, &preview); err != nil {
				step.Result = failed(ctx, err)
				return step
			}
			if preview.Outcome != tools.OK {
				step.Result = preview
				return step
			}
			w.in.Pending = &PendingAction{Kind: AwaitConfirmation, Call: pc.Call, Spec: pc.Spec, Key: key, Preview: preview,
				TurnID: turnID, Since: workflow.Now(ctx)}
			step.Result = preview
			step.Result.Outcome = tools.NeedsConfirmation
			return step
		}
		w.in.Pending = nil
		if pc.Spec.NeedsApproval(market, p.Preview.Amount) {
			p.Kind = AwaitApproval
			p.Since = workflow.Now(ctx)
			w.in.Approvals = append(w.in.Approvals, *p)
			// The approval goes to the agents' queue; the AI keeps the floor meanwhile.
			// (Conversations recorded before this replay without it.)
			if workflow.GetVersion(ctx, "approval-desk", workflow.DefaultVersion, 1) == 1 {
				w.openHandoff(ctx, turnID, ReasonApprovalNeeded)
			}
			step.Result = p.Preview
			step.Result.Outcome = tools.NeedsApproval
			return step
		}
	}
	step.Result = w.execute(ctx, inv, pc.Spec)
	w.noteOrder(step.Result)
	return step
}

// OrderSeen is an order a tool looked up in the conversation, for the handoff packet.
type OrderSeen struct {
	ID, Status string
	Total      string // major units as the shop wrote them, "282.00"
	Currency   string
	Tracking   string
}

// keepOrdersSeen bounds the orders remembered for the packet.
const keepOrdersSeen = 5

// noteOrder remembers the order a successful tool result describes, latest last.
func (w *conversationWF) noteOrder(r tools.Result) {
	if r.Outcome != tools.OK || len(r.Data) == 0 {
		return
	}
	var v struct {
		OrderID string `json:"order_id"`
		Status  string `json:"status"`
		Total   struct {
			Amount   string `json:"amount"`
			Currency string `json:"currency"`
		} `json:"total"`
		TrackingIDs []string `json:"tracking_ids"`
	}
	if json.Unmarshal(r.Data, &v) != nil || v.OrderID == "" || v.Status == "" {
		return
	}
	o := OrderSeen{ID: v.OrderID, Status: v.Status, Total: v.Total.Amount, Currency: v.Total.Currency}
	if len(v.TrackingIDs) > 0 {
		o.Tracking = v.TrackingIDs[0]
	}
	w.in.Orders = slices.DeleteFunc(w.in.Orders, func(x OrderSeen) bool { return x.ID == o.ID })
	w.in.Orders = append(w.in.Orders, o)
	if len(w.in.Orders) > keepOrdersSeen {
		w.in.Orders = w.in.Orders[len(w.in.Orders)-keepOrdersSeen:]
	}
}

// execute runs a call as its own activity and remembers a completed write and a verified
// identity.
func (w *conversationWF) execute(ctx workflow.Context, inv tools.Invocation, spec tools.Spec) tools.Result {
	var a *Activities
	var r tools.Result
	if err := workflow.ExecuteActivity(toolContext(ctx), a.RunTool, inv).Get(ctx, &r); err != nil {
		return failed(ctx, err)
	}
	if spec.Effect != tools.Read && r.Outcome == tools.OK {
		w.in.Done = append(w.in.Done, DoneCall{Key: inv.Key, Result: r})
		if len(w.in.Done) > keepDoneCalls {
			w.in.Done = slices.Delete(w.in.Done, 0, len(w.in.Done)-keepDoneCalls)
		}
	}
	if r.Outcome == tools.OK && r.Identity != nil && r.Identity.Verified() {
		w.in.Identity = *r.Identity
	}
	return r
}

// confirm applies the customer's answer to a pending confirmation. A no drops the action
// and is reported to the responder as a denied step.
func (w *conversationWF) confirm(answer string) (denied *ToolStep) {
	p := w.in.Pending
	if p == nil || p.Kind != AwaitConfirmation {
		return nil
	}
	switch answer {
	case ConfirmYes:
		p.Confirmed = true
	case ConfirmNo:
		w.in.Pending = nil
		r := p.Preview
		r.Outcome, r.Reason = tools.Denied, "customer_declined"
		return &ToolStep{Call: p.Call, Key: p.Key, Result: r}
	}
	return nil
}

func (w *conversationWF) doneResult(key string) (tools.Result, bool) {
	for i := len(w.in.Done) - 1; i >= 0; i-- {
		if w.in.Done[i].Key == key {
			return w.in.Done[i].Result, true
		}
	}
	return tools.Result{}, false
}

func (w *conversationWF) budget() tools.Budget {
	if w.in.ToolBudget.MaxCalls > 0 {
		return w.in.ToolBudget
	}
	return tools.DefaultBudget
}

// failed is the result of a call whose activity failed for good: the responder says so and
// hands off; it never claims the action happened.
func failed(ctx workflow.Context, err error) tools.Result {
	workflow.GetLogger(ctx).Warn("tool call failed after retries", "err", err)
	return tools.Result{Outcome: tools.Failed, Reason: "tool_failed", Detail: "the tool failed after retries"}
}

// Decision is a person's answer to a pending approval (the decide-approval Update).
type Decision struct {
	Key     string // the pending call's idempotency key
	Approve bool
	By      string // who decided
	Note    string // why, for the record
}

// DecisionResult is what deciding did.
type DecisionResult struct {
	Result     tools.Result
	MessageIDs []string // the message that told the customer
}

func (w *conversationWF) validateDecision(_ workflow.Context, d Decision) error {
	if d.By == "" {
		return fmt.Errorf("by: required")
	}
	if w.approval(d.Key) < 0 {
		return fmt.Errorf("key: no approval pending under %q", d.Key)
	}
	return nil
}

func (w *conversationWF) approval(key string) int {
	return slices.IndexFunc(w.in.Approvals, func(p PendingAction) bool { return p.Key == key })
}

// handleDecision runs an approved call (or records the denial) and tells the customer.
func (w *conversationWF) handleDecision(ctx workflow.Context, d Decision) (DecisionResult, error) {
	if err := w.mu.Lock(ctx); err != nil {
		return DecisionResult{}, err
	}
	defer w.mu.Unlock()
	i := w.approval(d.Key)
	if i < 0 { // decided meanwhile by someone else
		if r, ok := w.doneResult(d.Key); ok {
			return DecisionResult{Result: r}, nil
		}
		return DecisionResult{}, temporal.NewApplicationError("no approval pending", ErrTypeInvalid)
	}
	p := w.in.Approvals[i]
	w.in.Approvals = slices.Delete(w.in.Approvals, i, i+1)
	step := ToolStep{Call: p.Call, Key: p.Key}
	var market, locale string
	var inv tools.Invocation
	if d.Approve {
		var conv ConversationInfo
		var a *Activities
		if err := workflow.ExecuteActivity(toolContext(ctx), a.ConversationInfo, w.in.ConversationID).Get(ctx, &conv); err != nil {
			return DecisionResult{}, err
		}
		market, locale = conv.Market, conv.Locale
		inv = tools.Invocation{Call: p.Call, Key: p.Key, ConversationID: w.in.ConversationID, Market: market, Locale: locale, Identity: w.in.Identity}
		step.Result = w.execute(ctx, inv, p.Spec)
	} else {
		step.Result = p.Preview
		step.Result.Outcome, step.Result.Reason, step.Result.Detail = tools.Denied, "staff_denied", d.Note
	}
	out, err := w.respond(ctx, workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 3 * time.Minute, HeartbeatTimeout: RespondHeartbeatTimeout,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 20, NonRetryableErrorTypes: []string{ErrTypeInvalid}},
	}), RespondInput{
		ConversationID: w.in.ConversationID, TurnID: "approval/" + p.Key, Event: EventApprovalDecided,
		Steps: []ToolStep{step},
	})
	if err != nil {
		return DecisionResult{}, err
	}
	// Nothing left to approve and nobody holds the conversation: the queue entry that asked
	// for the approval is done. (Conversations recorded before this replay without it.)
	if len(w.in.Approvals) == 0 && !w.in.Handoff && w.in.HandoffID != "" &&
		workflow.GetVersion(ctx, "settle-approval", workflow.DefaultVersion, 1) == 1 {
		var a *Activities
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second,
			RetryPolicy: &temporal.RetryPolicy{MaximumInterval: 10 * time.Second, MaximumAttempts: 10}})
		if err := workflow.ExecuteActivity(actx, a.SettleHandoff, w.in.HandoffID).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("approval handoff left open", "handoff", w.in.HandoffID, "err", err)
		} else {
			w.in.HandoffID = ""
		}
	}
	return DecisionResult{Result: step.Result, MessageIDs: out.MessageIDs}, nil
}

// Events a responder answers without a customer message.
const EventApprovalDecided = "approval_decided"
