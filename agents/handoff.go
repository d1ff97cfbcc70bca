package agents

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/handoff/packet"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/stream"
	"github.com/attache-dev/attache/tools"
)

// Updates of the human side of a conversation.
const (
	// UpdateAgentMessage sends a human agent's message to the customer; the agent holds the
	// floor from then on.
	UpdateAgentMessage = "agent_message"
	// UpdateHandBack gives the conversation back to the AI, which discloses again.
	UpdateHandBack = "hand_back"
)

// HandoffDesk is the human side of a handoff: it routes the conversation to a team, builds
// the packet the agent reads and queues it. nil: a handoff stays a status on the conversation.
type HandoffDesk interface {
	Open(ctx context.Context, req HandoffRequest) (HandoffTicket, error)
	// Escalate marks a handoff nobody claimed in time; false when it was claimed or closed.
	Escalate(ctx context.Context, handoffID string) (bool, error)
	// Settle closes a handoff still waiting in the queue whose cause was dealt with.
	Settle(ctx context.Context, handoffID string) error
}

// HandoffRequest is what the workflow knows when it hands off.
type HandoffRequest struct {
	ConversationID string
	TurnID         string
	Reason         string
	Identity       tools.Identity
	Approvals      []PendingAction
	Done           []DoneCall
	Orders         []OrderSeen
}

// HandoffTicket is an opened handoff.
type HandoffTicket struct {
	ID       string
	Team     string
	Created  bool      // false: the conversation already had an open handoff
	OnShift  bool      // a team is working now
	SLADueAt time.Time // first response due
	// ReplyBy is when the customer can expect an answer, in their time zone, when nobody is
	// on shift (zero otherwise).
	ReplyBy time.Time
}

// Translator translates an agent's message into the customer's language.
type Translator interface {
	Translate(ctx context.Context, text, from, to string) (Translation, error)
}

// Translation is a translated text; Translated is false when it passed through unchanged.
type Translation struct {
	Text       string
	Translated bool
	Engine     string
}

// escalateAhead is how long before a handoff's first-response deadline an unclaimed one is
// escalated: the share of the SLA left for someone to step in.
func escalateAhead(sla time.Duration) time.Duration { return sla / 5 }

// OpenHandoffInput asks for a handoff to be opened.
type OpenHandoffInput struct {
	HandoffRequest
}

// OpenHandoff opens the handoff at the desk and, when nobody is on shift, tells the customer
// in their language when to expect an answer.
func (a *Activities) OpenHandoff(ctx context.Context, in OpenHandoffInput) (HandoffTicket, error) {
	if a.Desk == nil {
		return HandoffTicket{}, nil
	}
	t, err := a.Desk.Open(ctx, in.HandoffRequest)
	if err != nil {
		return HandoffTicket{}, fmt.Errorf("open handoff: %w", err)
	}
	// An approval's wait was explained by the AI's reply; the notice is for handoffs.
	if !t.Created || t.OnShift || t.ReplyBy.IsZero() || a.Catalog == nil || in.Reason == ReasonApprovalNeeded {
		return t, nil
	}
	conv, err := a.Store.Get(ctx, in.ConversationID)
	if err != nil {
		return t, err
	}
	lang := a.customerLanguage(ctx, conv)
	text := a.Catalog.Text(lang, i18n.KeyHandoffOffHours, t.ReplyBy.Format("2006-01-02 15:04 MST"))
	m, created, err := a.Store.Append(ctx, conversation.NewMessage{ConversationID: in.ConversationID, TurnID: in.TurnID, Part: 90,
		Author: conversation.AuthorAI, Text: text, Lang: lang, Handoff: true,
		Meta: map[string]string{"handoff_id": t.ID, "reply_by": t.ReplyBy.Format(time.RFC3339)}})
	if err != nil {
		return t, err
	}
	if created {
		a.publish(ctx, stream.MessageEvent(m))
	}
	return t, nil
}

// EscalateHandoff escalates a handoff still waiting when its deadline draws near.
func (a *Activities) EscalateHandoff(ctx context.Context, handoffID string) (bool, error) {
	if a.Desk == nil {
		return false, nil
	}
	return a.Desk.Escalate(ctx, handoffID)
}

// SettleHandoff closes a queued handoff whose cause was dealt with elsewhere.
func (a *Activities) SettleHandoff(ctx context.Context, handoffID string) error {
	if a.Desk == nil {
		return nil
	}
	return a.Desk.Settle(ctx, handoffID)
}

// AgentMessage is a human agent's message to the customer.
type AgentMessage struct {
	TurnID    string // idempotency: the same turn is sent once
	AgentID   string // the staff account
	AgentName string // shown to the customer and stored as the participant
	AgentLang string // the language the agent wrote in (BCP 47)
	Text      string
}

// SaveAgentMessageInput is an agent message to translate and store.
type SaveAgentMessageInput struct {
	ConversationID string
	AgentMessage
}

// SaveAgentMessage stores a human agent's message as the agent's — never the AI's — in the
// customer's language: translated when a translator is configured, else passed through and
// marked untranslated. Both versions are stored.
func (a *Activities) SaveAgentMessage(ctx context.Context, in SaveAgentMessageInput) (SavedMessage, error) {
	conv, err := a.Store.Get(ctx, in.ConversationID)
	if errors.Is(err, conversation.ErrNotFound) {
		return SavedMessage{}, temporal.NewNonRetryableApplicationError("conversation not found", ErrTypeInvalid, err)
	}
	if err != nil {
		return SavedMessage{}, err
	}
	customerLang := a.customerLanguage(ctx, conv)
	agentLang := i18n.BaseOf(in.AgentLang)
	if agentLang == "" {
		agentLang = i18n.Detect(in.Text, "").Lang
	}
	text, meta := in.Text, map[string]string{"agent_lang": agentLang, "agent_id": in.AgentID, "agent_name": in.AgentName}
	switch {
	case agentLang == customerLang:
	case a.Translator != nil:
		tr, err := a.Translator.Translate(ctx, in.Text, agentLang, customerLang)
		if err != nil {
			return SavedMessage{}, fmt.Errorf("translate the agent's message: %w", err)
		}
		text = tr.Text
		meta["original"], meta["translated"], meta["engine"] = in.Text, fmt.Sprint(tr.Translated), tr.Engine
	default:
		meta["original"], meta["translated"] = in.Text, "false"
	}
	if err := a.Store.AddParticipant(ctx, in.ConversationID, conversation.AuthorHumanAgent, in.AgentName); err != nil {
		return SavedMessage{}, err
	}
	lang := customerLang
	if meta["translated"] != "true" {
		lang = agentLang
	}
	m, created, err := a.Store.Append(ctx, conversation.NewMessage{ConversationID: in.ConversationID, TurnID: in.TurnID,
		Author: conversation.AuthorHumanAgent, Participant: in.AgentName, Text: text, Lang: lang, Meta: meta})
	if err != nil {
		return SavedMessage{}, err
	}
	if created {
		a.publish(ctx, stream.MessageEvent(m))
	}
	return SavedMessage{ID: m.ID, Seq: m.Seq}, nil
}

// customerLanguage is the language the customer writes in: that of their latest message,
// else the conversation's locale.
func (a *Activities) customerLanguage(ctx context.Context, conv conversation.Conversation) string {
	msgs, _ := a.Store.Messages(ctx, conv.ID, 0, 1000) // without them, the locale decides
	if lang := conversation.CustomerLanguage(conv, msgs); lang != "" {
		return lang
	}
	return "en"
}

// HandBackInput gives a conversation back to the AI.
type HandBackInput struct {
	ConversationID string
}

// HandBack reopens the conversation for the AI; its next message discloses again.
func (a *Activities) HandBack(ctx context.Context, in HandBackInput) error {
	return a.Store.SetStatus(ctx, in.ConversationID, conversation.StatusOpen, "")
}

// HandBack is the argument of the hand-back Update.
type HandBack struct {
	By string // the staff member handing back, kept in the workflow's history
}

// openHandoff runs when a turn ends in a handoff: it opens it at the desk and, while nobody
// claims it, escalates it ahead of its deadline on a durable timer.
func (w *conversationWF) openHandoff(ctx workflow.Context, turnID, reason string) {
	var a *Activities
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{MaximumInterval: 10 * time.Second, MaximumAttempts: 10}})
	var t HandoffTicket
	if err := workflow.ExecuteActivity(actx, a.OpenHandoff, OpenHandoffInput{HandoffRequest{ConversationID: w.in.ConversationID,
		TurnID: turnID, Reason: reason, Identity: w.in.Identity, Approvals: w.in.Approvals, Done: w.in.Done, Orders: w.in.Orders}}).Get(ctx, &t); err != nil {
		// The conversation is handed off whatever the desk said: the AI stays silent and
		// the status tells the staff. The desk's failure is in the workflow's history.
		workflow.GetLogger(ctx).Error("handoff not queued", "conversation", w.in.ConversationID, "err", err)
		return
	}
	if t.ID == "" || t.SLADueAt.IsZero() {
		return
	}
	w.in.HandoffID = t.ID
	now := workflow.Now(ctx)
	wait := t.SLADueAt.Sub(now) - escalateAhead(t.SLADueAt.Sub(now))
	if !t.OnShift && !t.ReplyBy.IsZero() {
		wait = t.SLADueAt.Sub(now) - escalateAhead(t.SLADueAt.Sub(t.ReplyBy))
	}
	id := t.ID
	workflow.Go(ctx, func(ctx workflow.Context) {
		if wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return
			}
		}
		if w.in.HandoffID != id {
			return // handed back or replaced
		}
		var escalated bool
		_ = workflow.ExecuteActivity(actx, a.EscalateHandoff, id).Get(ctx, &escalated)
	})
}

// handleAgentMessage sends a human agent's message; the agent holds the floor from then on.
func (w *conversationWF) handleAgentMessage(ctx workflow.Context, m AgentMessage) (TurnResult, error) {
	if r, ok := w.completed[m.TurnID]; ok {
		return r, nil
	}
	if err := w.mu.Lock(ctx); err != nil {
		return TurnResult{}, err
	}
	defer w.mu.Unlock()
	if r, ok := w.completed[m.TurnID]; ok {
		return r, nil
	}
	var a *Activities
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{MaximumInterval: 10 * time.Second, MaximumAttempts: 10, NonRetryableErrorTypes: []string{ErrTypeInvalid}}})
	var saved SavedMessage
	if err := workflow.ExecuteActivity(actx, a.SaveAgentMessage, SaveAgentMessageInput{ConversationID: w.in.ConversationID, AgentMessage: m}).Get(ctx, &saved); err != nil {
		return TurnResult{}, fmt.Errorf("agent message: %w", err)
	}
	w.in.Handoff = true
	res := TurnResult{TurnID: m.TurnID, MessageIDs: []string{saved.ID}, Handoff: true}
	w.remember(m.TurnID, res)
	w.turnsThisRun++
	return res, nil
}

func (w *conversationWF) validateAgentMessage(ctx workflow.Context, m AgentMessage) error {
	switch {
	case m.TurnID == "" || len(m.TurnID) > MaxTurnIDLen:
		return errors.New("turn_id: required, up to 128 bytes")
	case strings.TrimSpace(m.AgentName) == "":
		return errors.New("agent: required")
	}
	return ValidateTurn(TurnRequest{TurnID: m.TurnID, Text: m.Text}, w.in.MaxMessageChars)
}

// handleHandBack gives the conversation back to the AI.
func (w *conversationWF) handleHandBack(ctx workflow.Context, hb HandBack) error {
	if err := w.mu.Lock(ctx); err != nil {
		return err
	}
	defer w.mu.Unlock()
	if !w.in.Handoff {
		return nil
	}
	var a *Activities
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{MaximumInterval: 10 * time.Second, MaximumAttempts: 10}})
	if err := workflow.ExecuteActivity(actx, a.HandBack, HandBackInput{ConversationID: w.in.ConversationID}).Get(ctx, nil); err != nil {
		return fmt.Errorf("hand back: %w", err)
	}
	w.in.Handoff, w.in.HandoffID, w.in.PendingIntent = false, "", ""
	w.turnsThisRun++
	return nil
}

// ErrNotRunning is returned for an agent's message or a hand-back to a conversation whose
// workflow is not running (it ended after a long silence): nothing is waiting there.
var ErrNotRunning = errors.New("the conversation is not active")

// SendAgentMessage delivers a human agent's message and waits until it is stored (and
// translated). The same turn ID sends it once.
func (c *Client) SendAgentMessage(ctx context.Context, conversationID string, m AgentMessage) (TurnResult, error) {
	handle, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   WorkflowID(conversationID),
		UpdateID:     "agent/" + m.TurnID,
		UpdateName:   UpdateAgentMessage,
		Args:         []any{m},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var res TurnResult
	if err == nil {
		err = handle.Get(ctx, &res)
	}
	if err != nil {
		return TurnResult{}, humanSideError(err)
	}
	return res, nil
}

// HandBackToAI gives the conversation back to the AI.
func (c *Client) HandBackToAI(ctx context.Context, conversationID, by string) error {
	handle, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   WorkflowID(conversationID),
		UpdateName:   UpdateHandBack,
		Args:         []any{HandBack{By: by}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, nil)
	}
	if err != nil {
		return humanSideError(err)
	}
	return nil
}

func humanSideError(err error) error {
	var nf *serviceerror.NotFound
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &nf):
		return ErrNotRunning
	case errors.As(err, &appErr):
		return &InvalidTurnError{Reason: appErr.Message()}
	}
	return fmt.Errorf("human side: %w", err)
}

// ReasonApprovalNeeded is the reason of the handoff that puts a write waiting for a staff
// decision in the agents' queue; the AI keeps talking meanwhile.
const ReasonApprovalNeeded = "approval_needed"

// ReasonNegativeSentiment is the handoff reason when the customer was upset in several of
// their last messages.
const ReasonNegativeSentiment = "negative_sentiment"

// HandOffNowInput hands a conversation to a person without an AI answer.
type HandOffNowInput struct {
	ConversationID, TurnID, Reason string
}

// HandOffNow tells the customer, in their language, that a colleague takes over, and marks
// the conversation handed off.
func (a *Activities) HandOffNow(ctx context.Context, in HandOffNowInput) (SavedMessage, error) {
	conv, err := a.Store.Get(ctx, in.ConversationID)
	if err != nil {
		return SavedMessage{}, err
	}
	lang := a.customerLanguage(ctx, conv)
	text := "A colleague from our team will take over and reply here."
	if a.Catalog != nil {
		text = a.Catalog.Text(lang, i18n.KeyHandoff)
	}
	m, created, err := a.Store.Append(ctx, conversation.NewMessage{ConversationID: in.ConversationID, TurnID: in.TurnID,
		Author: conversation.AuthorAI, Text: text, Lang: lang, Handoff: true, Meta: map[string]string{"handoff_reason": in.Reason}})
	if err != nil {
		return SavedMessage{}, err
	}
	if err := a.Store.SetStatus(ctx, in.ConversationID, conversation.StatusHandoff, in.Reason); err != nil {
		return SavedMessage{}, err
	}
	if created {
		a.publish(ctx, stream.MessageEvent(m))
	}
	return SavedMessage{ID: m.ID, Seq: m.Seq}, nil
}

// upsetTooOften records whether the customer's latest message was negative and reports
// whether the customer has been upset often enough that a person should take over.
func (w *conversationWF) upsetTooOften(negative bool) bool {
	w.in.Sentiment = append(w.in.Sentiment, negative)
	if n := len(w.in.Sentiment); n > 3 {
		w.in.Sentiment = w.in.Sentiment[n-3:]
	}
	return packet.ShouldHandOff(w.in.Sentiment)
}
