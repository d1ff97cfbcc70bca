package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/handoff"
	"github.com/attache-dev/attache/handoff/packet"
	"github.com/attache-dev/attache/handoff/queue"
	"github.com/attache-dev/attache/handoff/translate"
)

// handoffQueue is what the agent console needs of the handoff queue.
type handoffQueue interface {
	Queue(ctx context.Context, f queue.Filter) ([]queue.Handoff, error)
	Get(ctx context.Context, id string) (queue.Handoff, error)
	Claim(ctx context.Context, id, agentID string) (queue.Handoff, error)
	Release(ctx context.Context, id, agentID string) (queue.Handoff, error)
	Resolve(ctx context.Context, id, agentID string) (queue.Handoff, error)
	HandBack(ctx context.Context, id, agentID string) (queue.Handoff, error)
	AddNote(ctx context.Context, id, author, body string) (queue.Note, error)
	Head(ctx context.Context) (int64, error)
	Since(ctx context.Context, cursor int64) ([]queue.Handoff, int64, error)
}

// handoffDesk shows a handoff to an agent in the agent's language.
type handoffDesk interface {
	View(ctx context.Context, handoffID, agentLang string) (handoff.View, error)
}

// humanSide delivers agents' messages and hand-backs to the conversation workflow.
type humanSide interface {
	SendAgentMessage(ctx context.Context, conversationID string, m agents.AgentMessage) (agents.TurnResult, error)
	HandBackToAI(ctx context.Context, conversationID, by string) error
}

// Handoffs is the agent console's backing: the queue, the desk and the workflow.
type Handoffs struct {
	Queue handoffQueue
	Desk  handoffDesk
	Human humanSide
	// Staff names the agents holding handoffs (account ID → name); optional.
	Names func(ctx context.Context, accountID string) string
}

type handoffJSON struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Reason         string    `json:"reason"`
	ReasonText     string    `json:"reason_text"`
	Team           string    `json:"team"`
	Language       string    `json:"language"`
	Market         string    `json:"market"`
	Priority       int       `json:"priority"`
	Status         string    `json:"status"`
	ClaimedBy      string    `json:"claimed_by"`
	ClaimedByName  string    `json:"claimed_by_name,omitempty"`
	SLADueAt       time.Time `json:"sla_due_at"`
	Escalated      bool      `json:"escalated"`
	CreatedAt      time.Time `json:"created_at"`
	Summary        string    `json:"summary,omitempty"`
}

// names returns a lookup of staff names for one request: each account is read once.
func (h *handlers) names(c *gin.Context) func(id string) string {
	seen := map[string]string{}
	return func(id string) string {
		if h.cfg.Handoffs.Names == nil || id == "" {
			return id
		}
		if n, ok := seen[id]; ok {
			return n
		}
		seen[id] = h.cfg.Handoffs.Names(c.Request.Context(), id)
		return seen[id]
	}
}

func (h *handlers) toHandoffJSON(c *gin.Context, x queue.Handoff, name func(string) string) handoffJSON {
	out := handoffJSON{ID: x.ID, ConversationID: x.ConversationID, Reason: string(x.Reason), ReasonText: packet.Reason(x.Reason).Description(),
		Team: x.Team, Language: x.Language, Market: x.Market, Priority: x.Priority, Status: string(x.Status), ClaimedBy: x.ClaimedBy,
		SLADueAt: x.SLADueAt.UTC(), Escalated: !x.EscalatedAt.IsZero(), CreatedAt: x.CreatedAt.UTC()}
	if x.ClaimedBy != "" {
		out.ClaimedByName = name(x.ClaimedBy)
	}
	return out
}

// listHandoffs answers the open handoffs, the ones in the agent's languages first.
func (h *handlers) listHandoffs(c *gin.Context) {
	f := queue.Filter{Limit: 200}
	switch st := c.Query("status"); st {
	case "", "open":
	case "queued", "claimed", "resolved", "handed_back":
		f.Status = queue.Status(st)
	default:
		invalid(c, "The queue was not read.", FieldError{"status", "open, queued, claimed, resolved or handed_back"})
		return
	}
	hs, err := h.cfg.Handoffs.Queue.Queue(c.Request.Context(), f)
	if err != nil {
		h.fail(c, "handoff queue", err)
		return
	}
	out := make([]handoffJSON, 0, len(hs))
	name := h.names(c)
	for _, x := range hs {
		out = append(out, h.toHandoffJSON(c, x, name))
	}
	c.JSON(http.StatusOK, gin.H{"handoffs": out})
}

// handoffEvents streams changes of the queue as server-sent events ("handoff", one per
// changed handoff), from now on.
func (h *handlers) handoffEvents(c *gin.Context) {
	ctx := c.Request.Context()
	cursor, err := h.cfg.Handoffs.Queue.Head(ctx)
	if err != nil {
		h.fail(c, "handoff events", err)
		return
	}
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-store")
	c.Header("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	c.Writer.Flush()
	name := h.names(c) // a stream's staff names are read once
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	keep := time.NewTicker(h.cfg.KeepAlive)
	defer keep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-keep.C:
			fmt.Fprint(c.Writer, ": keep-alive\n\n")
			c.Writer.Flush()
		case <-tick.C:
			changed, next, err := h.cfg.Handoffs.Queue.Since(ctx, cursor)
			if err != nil {
				if ctx.Err() == nil {
					h.cfg.Logger.Warn("handoff events", "err", err)
				}
				continue
			}
			cursor = next
			for _, x := range changed {
				c.SSEvent("handoff", h.toHandoffJSON(c, x, name))
			}
			if len(changed) > 0 {
				c.Writer.Flush()
			}
		}
	}
}

// handoffError answers a queue error.
func (h *handlers) handoffError(c *gin.Context, err error) {
	var held *queue.ClaimedError
	switch {
	case errors.As(err, &held):
		writeProblem(c, Problem{Type: typeConflict, Title: "Conflict", Status: http.StatusConflict, Detail: "Claimed by " + h.names(c)(held.By) + "."})
	case errors.Is(err, queue.ErrNotHolder):
		writeProblem(c, Problem{Type: typeConflict, Title: "Conflict", Status: http.StatusConflict, Detail: "Claim the conversation first."})
	case errors.Is(err, queue.ErrClosed):
		writeProblem(c, Problem{Type: typeConflict, Title: "Conflict", Status: http.StatusConflict, Detail: "The handoff is closed."})
	case errors.Is(err, queue.ErrNotFound):
		notFound(c, "The handoff "+c.Param("id"))
	case errors.Is(err, queue.ErrInvalid):
		invalid(c, "The request was not accepted.")
	default:
		h.fail(c, "handoff", err)
	}
}

// handoffMove claims, releases or resolves a handoff as the signed-in agent; action is
// "claimed", "released" or "resolved".
func (h *handlers) handoffMove(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, _ := principal(c)
		ctx, q, id := c.Request.Context(), h.cfg.Handoffs.Queue, c.Param("id")
		var x queue.Handoff
		var err error
		switch action {
		case "claimed":
			x, err = q.Claim(ctx, id, p.AccountID)
		case "released":
			x, err = q.Release(ctx, id, p.AccountID)
		default:
			x, err = q.Resolve(ctx, id, p.AccountID)
		}
		if err != nil {
			h.handoffError(c, err)
			return
		}
		h.audit(c, actor(c), "handoff."+action, "conversation:"+x.ConversationID, map[string]any{"handoff": x.ID})
		c.JSON(http.StatusOK, h.toHandoffJSON(c, x, h.names(c)))
	}
}

// handBackHandoff gives the conversation back to the AI: the workflow first (the AI may
// answer again, and will disclose again), then the queue.
func (h *handlers) handBackHandoff(c *gin.Context) {
	p, _ := principal(c)
	ctx := c.Request.Context()
	x, err := h.cfg.Handoffs.Queue.Get(ctx, c.Param("id"))
	if err != nil {
		h.handoffError(c, err)
		return
	}
	if x.Status != queue.StatusClaimed || x.ClaimedBy != p.AccountID {
		writeProblem(c, Problem{Type: typeConflict, Title: "Conflict", Status: http.StatusConflict, Detail: "Claim the conversation first."})
		return
	}
	if err := h.cfg.Handoffs.Human.HandBackToAI(ctx, x.ConversationID, p.Email); err != nil && !errors.Is(err, agents.ErrNotRunning) {
		h.cfg.Logger.Error("hand back", "conversation", x.ConversationID, "err", err, "request_id", c.GetString("request_id"))
		unavailableBecause(c, "The conversation could not be handed back. Retry.")
		return
	}
	if x, err = h.cfg.Handoffs.Queue.HandBack(ctx, x.ID, p.AccountID); err != nil {
		h.handoffError(c, err)
		return
	}
	h.audit(c, actor(c), "handoff.handed_back", "conversation:"+x.ConversationID, map[string]any{"handoff": x.ID})
	c.JSON(http.StatusOK, h.toHandoffJSON(c, x, h.names(c)))
}

type lineJSON struct {
	ID          string    `json:"id"`
	Author      string    `json:"author"`
	AuthorID    string    `json:"author_id,omitempty"`   // a human agent's staff account
	AuthorName  string    `json:"author_name,omitempty"` // a human agent's name
	Text        string    `json:"text"`
	Lang        string    `json:"lang"`
	Translation string    `json:"translation"`
	Translated  bool      `json:"translated"`
	Untranslate bool      `json:"untranslated,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

type noteJSON struct {
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// getHandoff answers a handoff as the agent reads it: the packet in the agent's language,
// the transcript with translations beside the originals, and the notes.
func (h *handlers) getHandoff(c *gin.Context) {
	p, _ := principal(c)
	lang := "en"
	if len(p.Languages) > 0 {
		lang = p.Languages[0]
	}
	v, err := h.cfg.Handoffs.Desk.View(c.Request.Context(), c.Param("id"), lang)
	if err != nil {
		h.handoffError(c, err)
		return
	}
	lines := make([]lineJSON, 0, len(v.Transcript))
	for _, l := range v.Transcript {
		lines = append(lines, lineJSON{ID: l.Message.ID, Author: string(l.Message.Author), AuthorID: l.Message.Meta["agent_id"],
			AuthorName: l.Message.Meta["agent_name"], Text: l.Message.Text, Lang: l.Message.Lang,
			Translation: l.Translation, Translated: l.Translated, CreatedAt: l.Message.CreatedAt.UTC()})
	}
	name := h.names(c)
	notes := make([]noteJSON, 0, len(v.Notes))
	for _, n := range v.Notes {
		notes = append(notes, noteJSON{Author: name(n.Author), Body: n.Body, CreatedAt: n.CreatedAt.UTC()})
	}
	out := gin.H{"handoff": h.toHandoffJSON(c, v.Handoff, name), "packet": toPacketView(v.Packet), "transcript": lines, "notes": notes}
	if v.Draft != nil {
		out["draft"] = draftJSON{MessageID: v.Draft.MessageID, Text: v.Draft.Text, Lang: v.Draft.Lang,
			Translation: v.Draft.Translation, Translated: v.Draft.Translated}
	}
	c.JSON(http.StatusOK, out)
}

// draftJSON is an AI-drafted reply (the assist stage) for the agent to edit and send.
type draftJSON struct {
	MessageID   string `json:"message_id"`
	Text        string `json:"text"`
	Lang        string `json:"lang"`
	Translation string `json:"translation,omitempty"`
	Translated  bool   `json:"translated"`
}

type agentMessageRequest struct {
	Text   string `json:"text"`
	TurnID string `json:"turn_id"`
}

// postAgentMessage sends the agent's reply, translated into the customer's language. Only
// the agent holding the conversation may; the message is stored as theirs, never the AI's.
func (h *handlers) postAgentMessage(c *gin.Context) {
	var req agentMessageRequest
	if !h.decode(c, &req, false) {
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		invalid(c, "The message was not sent.", FieldError{"text", "required"})
		return
	}
	if req.TurnID == "" {
		req.TurnID = uuid.NewString()
	}
	p, _ := principal(c)
	ctx := c.Request.Context()
	x, err := h.cfg.Handoffs.Queue.Get(ctx, c.Param("id"))
	if err != nil {
		h.handoffError(c, err)
		return
	}
	if x.Status != queue.StatusClaimed || x.ClaimedBy != p.AccountID {
		writeProblem(c, Problem{Type: typeConflict, Title: "Conflict", Status: http.StatusConflict, Detail: "Claim the conversation before replying."})
		return
	}
	lang := ""
	if len(p.Languages) > 0 {
		lang = p.Languages[0]
	}
	name := p.Name
	if name == "" {
		name = p.Email
	}
	res, err := h.cfg.Handoffs.Human.SendAgentMessage(ctx, x.ConversationID, agents.AgentMessage{TurnID: "agent-" + req.TurnID,
		AgentID: p.AccountID, AgentName: name, AgentLang: lang, Text: req.Text})
	var bad *agents.InvalidTurnError
	switch {
	case errors.As(err, &bad):
		field, reason, _ := strings.Cut(bad.Reason, ": ")
		invalid(c, "The message was not sent.", FieldError{field, reason})
		return
	case errors.Is(err, agents.ErrNotRunning):
		writeProblem(c, Problem{Type: typeConflict, Title: "Conflict", Status: http.StatusConflict,
			Detail: "The conversation has ended; the customer can no longer receive messages here."})
		return
	case err != nil:
		h.cfg.Logger.Error("agent message", "conversation", x.ConversationID, "err", err, "request_id", c.GetString("request_id"))
		unavailableBecause(c, "The message could not be sent. Send it again with the same turn_id: it is delivered once.")
		return
	}
	msgs, err := h.cfg.Conversations.TurnMessages(ctx, x.ConversationID, "agent-"+req.TurnID)
	if err != nil || len(msgs) == 0 {
		c.JSON(http.StatusOK, gin.H{"message": gin.H{"id": res.MessageIDs[0]}})
		return
	}
	m := msgs[len(msgs)-1]
	h.audit(c, actor(c), "handoff.agent_message", "conversation:"+x.ConversationID, map[string]any{"message": m.ID})
	c.JSON(http.StatusOK, gin.H{"message": agentMessageJSON(m)})
}

func agentMessageJSON(m conversation.Message) gin.H {
	return gin.H{"id": m.ID, "text": m.Text, "lang": m.Lang, "original": m.Meta["original"], "translated": m.Meta["translated"] == "true",
		"author": m.Author}
}

type noteRequest struct {
	Body string `json:"body"`
}

// addHandoffNote adds an internal note, for staff only.
func (h *handlers) addHandoffNote(c *gin.Context) {
	var req noteRequest
	if !h.decode(c, &req, false) {
		return
	}
	if strings.TrimSpace(req.Body) == "" || len(req.Body) > 4000 {
		invalid(c, "The note was not added.", FieldError{"body", "required, up to 4000 bytes"})
		return
	}
	p, _ := principal(c)
	n, err := h.cfg.Handoffs.Queue.AddNote(c.Request.Context(), c.Param("id"), p.AccountID, req.Body)
	if err != nil {
		h.handoffError(c, err)
		return
	}
	name := p.Name
	if name == "" {
		name = p.Email
	}
	c.JSON(http.StatusCreated, noteJSON{Author: name, Body: n.Body, CreatedAt: n.CreatedAt.UTC()})
}

// agentConsole serves the agent console page.
func (h *handlers) agentConsole(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.FileFromFS("/agent.html", http.FS(h.cfg.Assets))
}

// packetView is the packet as the console shows it: the summary in the agent's language
// when it was translated, the facts flattened.
type packetView struct {
	Reason            string         `json:"reason"`
	ReasonText        string         `json:"reason_text"`
	ReasonDetail      string         `json:"reason_detail,omitempty"`
	Customer          map[string]any `json:"customer"`
	Market            string         `json:"market"`
	Locale            string         `json:"locale"`
	Language          string         `json:"language"`
	Summary           string         `json:"summary"`
	SummaryTranslated bool           `json:"summary_translated"`
	Untranslated      bool           `json:"untranslated"`
	Facts             map[string]any `json:"facts"`
	Sentiment         map[string]any `json:"sentiment"`
}

func toPacketView(p packet.Packet) packetView {
	v := packetView{Reason: string(p.Reason), ReasonText: p.ReasonText, ReasonDetail: p.ReasonDetail, Market: p.Market, Locale: p.Locale,
		Language: p.Language, Summary: p.Summary.Text, Untranslated: true,
		Customer: map[string]any{"name": p.Customer.Name, "email": p.Customer.Email, "phone": p.Customer.Phone, "customer_id": p.Customer.ID}}
	if t := p.SummaryTranslated; t != nil {
		v.Summary, v.SummaryTranslated, v.Untranslated = t.Text, t.Engine == translate.EngineModel, t.Untranslated
	}
	calls := make([]map[string]any, 0, len(p.Facts.ToolCalls))
	for _, c := range p.Facts.ToolCalls {
		calls = append(calls, map[string]any{"name": c.Name, "arguments": c.Args, "outcome": c.Outcome, "key": c.Key})
	}
	approvals := make([]map[string]any, 0, len(p.Facts.PendingApprovals))
	for _, a := range p.Facts.PendingApprovals {
		approvals = append(approvals, map[string]any{"key": a.Key, "tool": a.Tool, "amount": map[string]any{"amount": a.Amount, "currency": a.Currency}})
	}
	orders := make([]map[string]any, 0, len(p.Facts.Orders))
	for _, o := range p.Facts.Orders {
		orders = append(orders, map[string]any{"id": o.ID, "status": o.Status, "total": o.Total})
	}
	v.Facts = map[string]any{"orders": orders, "tool_calls": calls, "approvals_pending": approvals, "disclosed": p.Facts.Disclosure.Disclosed}
	v.Sentiment = map[string]any{"negative": p.Sentiment.NegativeMessages > 0, "last_negative": p.Sentiment.LastNegative != nil,
		"negative_messages": p.Sentiment.NegativeMessages, "repeated": p.Sentiment.Repeated}
	return v
}
