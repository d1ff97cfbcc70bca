package agents

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/attache-dev/attache/tools"
)

// Names shared by the workflow, its worker and its clients.
const (
	WorkflowName      = "Conversation"
	UpdateSendMessage = "send-message"
	UpdateDecide      = "decide-approval"
	QueryState        = "state"
)

// WorkflowID is the ID of a conversation's workflow.
func WorkflowID(conversationID string) string { return "conversation/" + conversationID }

// Limits enforced by the Update validator (and earlier, for clearer errors, by the API).
const (
	DefaultMaxMessageChars = 4000
	MaxTurnIDLen           = 128
	// keepCompletedTurns bounds the completed-turn IDs carried across continue-as-new; older
	// retries are still answered from the store, which is idempotent per turn.
	keepCompletedTurns = 500
)

// RespondHeartbeatTimeout is how soon a Respond activity whose worker died is retried.
const RespondHeartbeatTimeout = 10 * time.Second

// WorkflowInput is the state a conversation workflow starts (or continues as new) with.
type WorkflowInput struct {
	ConversationID  string
	MaxMessageChars int // 0 = DefaultMaxMessageChars
	// MaxTurnsPerRun continues as new after this many turns even if the server has not
	// suggested it yet; 0 = only when the server suggests it.
	MaxTurnsPerRun int
	// IdleTimeout completes the workflow after this long without a message (a later message
	// starts a new run through Update-With-Start); 0 = 24 hours.
	IdleTimeout time.Duration

	ToolBudget tools.Budget // per turn; zero = tools.DefaultBudget

	Completed     []CompletedTurn   // oldest first
	PendingIntent string            // the intent still waiting for a slot from the customer
	Memory        map[string]string // slots the customer gave in earlier turns (order number, email)
	Handoff       bool              // a human holds the floor: the AI stays silent
	HandoffID     string            // the open handoff at the desk, if one was queued
	Sentiment     []bool            // whether each of the customer's last messages was negative
	Orders        []OrderSeen       // orders the tools looked up, latest last
	Runs          int               // how many runs came before this one

	Identity  tools.Identity  // the verified customer, if any
	Pending   *PendingAction  // a write waiting for the customer's yes
	Approvals []PendingAction // writes waiting for a person's approval, oldest first
	Done      []DoneCall      // completed writes, oldest first
}

// TurnRequest is the argument of the send-message Update.
type TurnRequest struct {
	TurnID string
	Text   string
	Locale string // the client's locale hint (BCP 47), optional
}

// TurnResult is what a turn produced: the stored messages' IDs, customer's first.
type TurnResult struct {
	TurnID     string
	MessageIDs []string
	Handoff    bool
	// Coalesced: more of the customer's messages were waiting, so this one is answered
	// together with them, by the reply of the last (a burst gets one answer, not one each).
	Coalesced bool
}

// CompletedTurn remembers a turn's result so that a retry is answered, not re-run.
type CompletedTurn struct {
	TurnID string
	Result TurnResult
}

// State is what the state query returns.
type State struct {
	ConversationID string
	CompletedTurns int
	PendingIntent  string
	Handoff        bool
	Runs           int
	TurnsThisRun   int
	Identity       tools.Identity
	Pending        *PendingAction
	Approvals      []PendingAction
}

// ValidateTurn checks a turn request. It is the Update validator and is also used by the API
// so that bad input is refused before it reaches Temporal. The returned error says why.
func ValidateTurn(req TurnRequest, maxChars int) error {
	if maxChars <= 0 {
		maxChars = DefaultMaxMessageChars
	}
	switch {
	case req.TurnID == "":
		return errors.New("turn_id: required")
	case len(req.TurnID) > MaxTurnIDLen:
		return fmt.Errorf("turn_id: longer than %d bytes", MaxTurnIDLen)
	case !utf8.ValidString(req.TurnID) || strings.ContainsFunc(req.TurnID, isControl):
		return errors.New("turn_id: must be printable UTF-8")
	case !utf8.ValidString(req.Text):
		return errors.New("text: not valid UTF-8")
	case strings.ContainsRune(req.Text, 0):
		return errors.New("text: contains a NUL character")
	case strings.TrimSpace(req.Text) == "":
		return errors.New("text: empty")
	case utf8.RuneCountInString(req.Text) > maxChars:
		return fmt.Errorf("text: longer than %d characters", maxChars)
	case len(req.Locale) > 35:
		return errors.New("locale: not a BCP 47 tag")
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// ConversationWorkflow is the durable loop of one conversation. Turns run one at a time in
// arrival order; the workflow continues as new when Temporal suggests it (or after
// MaxTurnsPerRun turns) once no turn is in flight, and completes after IdleTimeout.
func ConversationWorkflow(ctx workflow.Context, in WorkflowInput) error {
	w := newConversation(ctx, in)
	if err := workflow.SetQueryHandler(ctx, QueryState, w.state); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSendMessage, w.handleTurn,
		workflow.UpdateHandlerOptions{Validator: w.validate}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateDecide, w.handleDecision,
		workflow.UpdateHandlerOptions{Validator: w.validateDecision}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAgentMessage, w.handleAgentMessage,
		workflow.UpdateHandlerOptions{Validator: w.validateAgentMessage}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateHandBack, w.handleHandBack); err != nil {
		return err
	}
	idle := in.IdleTimeout
	if idle <= 0 {
		idle = 24 * time.Hour
	}
	for {
		seen := w.turnsThisRun
		ok, err := workflow.AwaitWithTimeout(ctx, idle, func() bool {
			return w.turnsThisRun != seen || (w.shouldContinueAsNew(ctx) && workflow.AllHandlersFinished(ctx))
		})
		if err != nil {
			return err
		}
		if w.shouldContinueAsNew(ctx) {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			return workflow.NewContinueAsNewError(ctx, WorkflowName, w.nextInput())
		}
		if !ok && workflow.AllHandlersFinished(ctx) {
			workflow.GetLogger(ctx).Info("conversation idle; workflow completes", "conversation", in.ConversationID)
			return nil
		}
	}
}

type conversationWF struct {
	in           WorkflowInput
	completed    map[string]TurnResult
	order        []string
	mu           workflow.Mutex
	turnsThisRun int
	waiting      map[string]int // turn ID → its handlers waiting for the turn lock
	coalesced    []string       // texts of a burst answered by the burst's last turn
}

func newConversation(ctx workflow.Context, in WorkflowInput) *conversationWF {
	w := &conversationWF{in: in, completed: make(map[string]TurnResult), mu: workflow.NewMutex(ctx), waiting: map[string]int{}}
	for _, c := range in.Completed {
		w.remember(c.TurnID, c.Result)
	}
	return w
}

func (w *conversationWF) remember(turnID string, r TurnResult) {
	if _, ok := w.completed[turnID]; !ok {
		w.order = append(w.order, turnID)
	}
	w.completed[turnID] = r
	for len(w.order) > keepCompletedTurns {
		delete(w.completed, w.order[0])
		w.order = w.order[1:]
	}
}

func (w *conversationWF) validate(ctx workflow.Context, req TurnRequest) error {
	return ValidateTurn(req, w.in.MaxMessageChars)
}

func (w *conversationWF) state() (State, error) {
	return State{
		ConversationID: w.in.ConversationID, CompletedTurns: len(w.completed), PendingIntent: w.in.PendingIntent,
		Handoff: w.in.Handoff, Runs: w.in.Runs, TurnsThisRun: w.turnsThisRun,
		Identity: w.in.Identity, Pending: w.in.Pending, Approvals: w.in.Approvals,
	}, nil
}

func (w *conversationWF) shouldContinueAsNew(ctx workflow.Context) bool {
	if w.in.MaxTurnsPerRun > 0 && w.turnsThisRun >= w.in.MaxTurnsPerRun {
		return true
	}
	return workflow.GetInfo(ctx).GetContinueAsNewSuggested()
}

func (w *conversationWF) nextInput() WorkflowInput {
	next := w.in
	next.Completed = make([]CompletedTurn, 0, len(w.order))
	for _, id := range w.order {
		next.Completed = append(next.Completed, CompletedTurn{TurnID: id, Result: w.completed[id]})
	}
	next.Runs++
	return next
}

// handleTurn runs one customer turn: persist the message, let the AI answer unless a human
// holds the floor, and remember the result for retries.
func (w *conversationWF) handleTurn(ctx workflow.Context, req TurnRequest) (TurnResult, error) {
	if r, ok := w.completed[req.TurnID]; ok {
		return r, nil
	}
	w.waiting[req.TurnID]++
	err := w.mu.Lock(ctx)
	if w.waiting[req.TurnID]--; w.waiting[req.TurnID] == 0 {
		delete(w.waiting, req.TurnID)
	}
	if err != nil {
		return TurnResult{}, err
	}
	defer w.mu.Unlock()
	if r, ok := w.completed[req.TurnID]; ok { // a duplicate queued behind the original
		return r, nil
	}

	retry := &temporal.RetryPolicy{
		InitialInterval:        200 * time.Millisecond,
		BackoffCoefficient:     2,
		MaximumInterval:        10 * time.Second,
		MaximumAttempts:        20,
		NonRetryableErrorTypes: []string{ErrTypeInvalid},
	}
	saveCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second, RetryPolicy: retry})
	// A reply may take a while (a model streaming); the heartbeat lets a retry start within
	// seconds when the worker running it dies, instead of after the whole timeout.
	respondCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 3 * time.Minute, HeartbeatTimeout: RespondHeartbeatTimeout, RetryPolicy: retry,
	})
	var a *Activities // method references only; the worker registers the real struct

	var saved SavedMessage
	if err := workflow.ExecuteActivity(saveCtx, a.SaveInbound, SaveInboundInput{
		ConversationID: w.in.ConversationID, TurnID: req.TurnID, Text: req.Text, Locale: req.Locale,
	}).Get(ctx, &saved); err != nil {
		return TurnResult{}, fmt.Errorf("save message: %w", err)
	}
	res := TurnResult{TurnID: req.TurnID, MessageIDs: []string{saved.ID}, Handoff: w.in.Handoff}

	// A customer upset in two of their last three messages gets a person, not another AI
	// answer. (Conversations recorded before this replay without it.)
	if !w.in.Handoff && workflow.GetVersion(ctx, "sentiment-handoff", workflow.DefaultVersion, 1) == 1 && w.upsetTooOften(saved.Negative) {
		var said SavedMessage
		if err := workflow.ExecuteActivity(saveCtx, a.HandOffNow, HandOffNowInput{ConversationID: w.in.ConversationID, TurnID: req.TurnID,
			Reason: ReasonNegativeSentiment}).Get(ctx, &said); err != nil {
			return TurnResult{}, fmt.Errorf("hand off: %w", err)
		}
		w.in.Handoff, w.in.PendingIntent = true, ""
		res.MessageIDs, res.Handoff = append(res.MessageIDs, said.ID), true
		if workflow.GetVersion(ctx, "desk-handoff", workflow.DefaultVersion, 1) == 1 {
			w.openHandoff(ctx, req.TurnID, ReasonNegativeSentiment)
		}
	}

	// A burst: other messages of the customer's wait behind this one. The last of them
	// answers them all. (Conversations recorded before this replay without it.)
	if !w.in.Handoff && w.othersWaiting(req.TurnID) && workflow.GetVersion(ctx, "coalesce-bursts", workflow.DefaultVersion, 1) == 1 {
		w.coalesced = append(w.coalesced, req.Text)
		res.Coalesced = true
		w.remember(req.TurnID, res)
		w.turnsThisRun++
		return res, nil
	}
	text := req.Text
	if len(w.coalesced) > 0 {
		text, w.coalesced = strings.Join(append(w.coalesced, req.Text), "\n"), nil
	}

	if !w.in.Handoff {
		out, err := w.respond(ctx, respondCtx, RespondInput{
			ConversationID: w.in.ConversationID, TurnID: req.TurnID, Text: text, Locale: req.Locale,
		})
		if err != nil {
			return TurnResult{}, err
		}
		res.MessageIDs = append(res.MessageIDs, out.MessageIDs...)
		res.Handoff = out.Handoff
		// Conversations that handed off before the desk existed replay without it.
		if out.Handoff && workflow.GetVersion(ctx, "desk-handoff", workflow.DefaultVersion, 1) == 1 {
			w.openHandoff(ctx, req.TurnID, out.HandoffReason)
		}
	}

	w.remember(req.TurnID, res)
	w.turnsThisRun++
	return res, nil
}

// othersWaiting reports whether another turn than turnID waits for the turn lock (a
// duplicate of turnID itself does not count: it gets this turn's result).
func (w *conversationWF) othersWaiting(turnID string) bool {
	for id := range w.waiting {
		if id != turnID {
			return true
		}
	}
	return false
}

// respond lets the responder answer a turn (or an event without a customer message, such
// as a decided approval), running the tool calls it asks for between rounds.
func (w *conversationWF) respond(ctx, respondCtx workflow.Context, in RespondInput) (RespondResult, error) {
	var a *Activities
	var ledger tools.Ledger
	var out RespondResult
	for round := 0; ; round++ {
		in.PendingIntent, in.Memory, in.Identity, in.Pending = w.in.PendingIntent, w.in.Memory, w.in.Identity, w.in.Pending
		in.NoMoreTools = in.Event != "" || round >= MaxToolRounds
		// A fresh result each round: decoding into the last one would overwrite, in place, the
		// call arguments the steps still hold.
		out = RespondResult{}
		if err := workflow.ExecuteActivity(respondCtx, a.Respond, in).Get(ctx, &out); err != nil {
			return RespondResult{}, fmt.Errorf("respond: %w", err)
		}
		if !out.Replayed || out.Memory != nil { // an old reply rebuilt from the store carries none
			w.in.Memory = out.Memory
		}
		if out.Identity.Verified() && !w.in.Identity.Verified() {
			w.in.Identity = out.Identity // the conversation's identity token, resolved by the shop
		}
		if round == 0 && out.Confirmation != "" {
			if denied := w.confirm(out.Confirmation); denied != nil {
				in.Steps = append(in.Steps, *denied)
			}
		}
		if len(out.Calls) == 0 || in.NoMoreTools {
			break
		}
		steps := w.runCalls(ctx, in.TurnID, out.Market, out.Locale, out.Calls, &ledger)
		for i := range steps {
			steps[i].Round = round
		}
		in.Steps = append(in.Steps, steps...)
	}
	w.in.Handoff = out.Handoff
	w.in.PendingIntent = out.PendingIntent
	return out, nil
}

var workflowOptions = workflow.RegisterOptions{Name: WorkflowName}
