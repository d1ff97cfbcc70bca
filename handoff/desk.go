package handoff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/handoff/packet"
	"github.com/attache-dev/attache/handoff/queue"
	"github.com/attache-dev/attache/handoff/routing"
	"github.com/attache-dev/attache/handoff/translate"
	"github.com/attache-dev/attache/i18n"
)

// conversations is what the desk reads of the conversation store.
type conversations interface {
	Get(ctx context.Context, id string) (conversation.Conversation, error)
	Messages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]conversation.Message, error)
	Disclosures(ctx context.Context, conversationID string) ([]conversation.Disclosure, error)
}

// Desk is the human side of handoffs: it routes a conversation to a team, builds the packet
// the agent reads, queues it, and shows it to an agent in the agent's language.
type Desk struct {
	Router        *routing.Router
	Queue         *queue.Store
	Conversations conversations
	// Translator localizes packets and transcripts for agents; nil passes texts through,
	// marked untranslated.
	Translator translate.Translator
	Logger     *slog.Logger
	Now        func() time.Time // nil: time.Now
}

func (d *Desk) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Desk) translator() translate.Translator {
	if d.Translator == nil {
		return translate.Passthrough{}
	}
	return d.Translator
}

// OpenRequest is a handoff to open: what the conversation workflow knows beyond the store.
type OpenRequest struct {
	ConversationID string
	Reason         string // the agents' reason code
	Claims         []packet.Claim
	ToolCalls      []packet.ToolCall
	Approvals      []packet.Approval
	Orders         []packet.Order
}

// Ticket is an opened handoff.
type Ticket struct {
	Handoff  queue.Handoff
	Created  bool
	Decision routing.Decision
	// ReplyBy is when the customer can expect an answer, in their market's time zone, when
	// no team is on shift; zero otherwise.
	ReplyBy time.Time
}

// reasonOf maps the agents' reason codes onto the handoff taxonomy.
func reasonOf(code string) (packet.Reason, string) {
	r := packet.Reason(code)
	if r.Valid() {
		return r, ""
	}
	switch code {
	case "needs_tool":
		return packet.ReasonPolicyLimit, "answering needs an order, refund or payment action the AI may not take"
	case "":
		return packet.ReasonOther, ""
	}
	return packet.ReasonOther, code
}

// Open routes the conversation, builds its packet and queues it. A conversation with an
// open handoff keeps it (Created is false).
func (d *Desk) Open(ctx context.Context, req OpenRequest) (Ticket, error) {
	conv, err := d.Conversations.Get(ctx, req.ConversationID)
	if err != nil {
		return Ticket{}, fmt.Errorf("open handoff: %w", err)
	}
	if h, err := d.Queue.OpenFor(ctx, conv.ID); err == nil {
		return Ticket{Handoff: h}, nil
	} else if !errors.Is(err, queue.ErrNotFound) {
		return Ticket{}, fmt.Errorf("open handoff: %w", err)
	}
	msgs, err := d.Conversations.Messages(ctx, conv.ID, 0, 1000)
	if err != nil {
		return Ticket{}, fmt.Errorf("open handoff: %w", err)
	}
	ds, err := d.Conversations.Disclosures(ctx, conv.ID)
	if err != nil {
		return Ticket{}, fmt.Errorf("open handoff: %w", err)
	}
	now := d.now()
	lang, topic := conversation.CustomerLanguage(conv, msgs), lastIntent(msgs)
	reason, detail := reasonOf(req.Reason)
	dec := d.Router.Route(routing.Request{Language: lang, Market: conv.Market, Topic: topic, Now: now})

	in := packet.Input{
		Conversation: packet.Conversation{ID: conv.ID, Market: conv.Market, Locale: conv.Locale, Channel: conv.Channel, Claims: claims(conv, req.Claims)},
		Messages:     packetMessages(msgs), ToolCalls: req.ToolCalls, Approvals: req.Approvals, Orders: req.Orders,
		Reason: reason, ReasonDetail: detail, At: now,
	}
	if len(ds) > 0 {
		in.Disclosure = packet.Disclosure{Disclosed: true, At: ds[0].At}
	}
	p := packet.Build(in)
	doc, err := json.Marshal(p)
	if err != nil {
		return Ticket{}, fmt.Errorf("open handoff: %w", err)
	}
	team, due := dec.TeamID, dec.DueBy
	if dec.NoTeam {
		// Nobody serves this market or topic: the queue still shows it, unrouted, so that a
		// supervisor sees it; it is due by the market's SLA.
		team, due = "unrouted", now.Add(d.Router.FirstResponseSLA(conv.Market))
	}
	h, created, err := d.Queue.Open(ctx, queue.NewHandoff{ID: handoffID(conv.ID, msgs), ConversationID: conv.ID, Reason: queue.Reason(reason),
		Team: team, Language: lang, Market: conv.Market, SLADueAt: due, Packet: doc})
	if err != nil {
		return Ticket{}, fmt.Errorf("open handoff: %w", err)
	}
	t := Ticket{Handoff: h, Created: created, Decision: dec}
	if !dec.OnShift && !dec.NoTeam {
		t.ReplyBy = routing.ExpectedReply(dec, routing.MarketZone(conv.Market))
	}
	if d.Logger != nil {
		d.Logger.Info("handoff queued", "handoff", h.ID, "conversation", conv.ID, "team", team, "reason", string(reason),
			"on_shift", dec.OnShift, "created", created)
	}
	return t, nil
}

// handoffID is a stable ID for the handoff that follows a conversation's latest message: a
// retried activity opens the same one, even after an agent closed it.
func handoffID(conversationID string, msgs []conversation.Message) string {
	var last int64
	if n := len(msgs); n > 0 {
		last = msgs[n-1].Seq
	}
	return uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "attache/handoff/%s/%d", conversationID, last)).String()
}

// Escalate records that a handoff was not claimed in time; false when it was claimed or
// closed meanwhile.
func (d *Desk) Escalate(ctx context.Context, handoffID string) (bool, error) {
	h, err := d.Queue.Get(ctx, handoffID)
	if err != nil {
		return false, err
	}
	if h.Status != queue.StatusQueued {
		return false, nil
	}
	if _, err := d.Queue.Escalate(ctx, handoffID, d.now()); err != nil {
		return false, err
	}
	if d.Logger != nil {
		d.Logger.Warn("handoff escalated: nobody claimed it before its deadline drew near", "handoff", handoffID, "team", h.Team,
			"due", h.SLADueAt)
	}
	return true, nil
}

// View is a handoff as an agent reads it: its packet localized to the agent's language,
// the transcript as it stands now with translations, and the internal notes.
type View struct {
	Handoff    queue.Handoff
	Packet     packet.Packet
	Transcript []Line
	Notes      []queue.Note
	// Draft is the AI's answer to the customer's latest message when the assist stage left
	// it to a person to send; nil when there is none or a person has written since.
	Draft *Draft
}

// Draft is an AI-drafted reply, in the customer's language with its translation for the
// agent.
type Draft struct {
	MessageID   string // the AI message that handed the turn over
	Text, Lang  string
	Translation string // in the agent's language; "" when none was needed or made
	Translated  bool
}

// Line is a transcript message with its translation for the agent.
type Line struct {
	Message     conversation.Message
	Translation string // "" when none was needed or made
	Translated  bool
}

// View reads a handoff for an agent who reads agentLang.
func (d *Desk) View(ctx context.Context, handoffID, agentLang string) (View, error) {
	h, err := d.Queue.Get(ctx, handoffID)
	if err != nil {
		return View{}, err
	}
	var p packet.Packet
	if err := json.Unmarshal(h.Packet, &p); err != nil {
		return View{}, fmt.Errorf("handoff %s: packet: %w", h.ID, err)
	}
	if agentLang == "" {
		agentLang = "en"
	}
	tr := d.translator()
	// Only the summary: the view translates the transcript as it stands now (below), so the
	// packet's copy of it at handoff time would cost the same model calls twice.
	transcript := p.Transcript
	p.Transcript = nil
	lp, err := packet.Localize(ctx, p, agentLang, tr)
	lp.Transcript = transcript
	if err != nil && ctx.Err() != nil {
		return View{}, err
	}
	if err != nil && d.Logger != nil {
		d.Logger.Warn("some of a handoff packet was not translated", "handoff", h.ID, "err", err)
	}
	msgs, err := d.Conversations.Messages(ctx, h.ConversationID, 0, 1000)
	if err != nil {
		return View{}, err
	}
	agent := i18n.BaseOf(agentLang)
	lines := make([]Line, 0, len(msgs))
	var draft *Draft
	for _, m := range msgs {
		switch {
		case m.Author == conversation.AuthorHumanAgent:
			draft = nil
		case m.Author == conversation.AuthorAI && m.Meta["draft"] != "":
			draft = &Draft{MessageID: m.ID, Text: m.Meta["draft"], Lang: m.Lang}
		}
		l := Line{Message: m}
		if m.Author == conversation.AuthorHumanAgent {
			l.Translation = m.Meta["original"] // the agent's own words
		} else if m.Lang != "" && m.Lang != agent {
			t, _ := tr.Translate(ctx, m.Text, m.Lang, agent)
			if t.Translated {
				l.Translation, l.Translated = t.Text, true
			}
		}
		lines = append(lines, l)
	}
	if draft != nil && draft.Lang != "" && draft.Lang != agent {
		if t, _ := tr.Translate(ctx, draft.Text, draft.Lang, agent); t.Translated {
			draft.Translation, draft.Translated = t.Text, true
		}
	}
	notes, err := d.Queue.Notes(ctx, h.ID)
	if err != nil {
		return View{}, err
	}
	return View{Handoff: h, Packet: lp, Transcript: lines, Notes: notes, Draft: draft}, nil
}

// lastIntent is the intent of the latest AI reply that named one: the topic for routing.
func lastIntent(msgs []conversation.Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Intent != "" {
			return msgs[i].Intent
		}
	}
	return ""
}

func claims(c conversation.Conversation, extra []packet.Claim) []packet.Claim {
	var out []packet.Claim
	if id := c.Identity; id != nil {
		if id.CustomerID != "" {
			out = append(out, packet.Claim{Kind: packet.ClaimCustomerID, Value: id.CustomerID, Verified: true, Source: "identity_token"})
		}
		if id.Email != "" {
			out = append(out, packet.Claim{Kind: packet.ClaimEmail, Value: id.Email, Verified: true, Source: "identity_token"})
		}
		if id.Phone != "" {
			out = append(out, packet.Claim{Kind: packet.ClaimPhone, Value: id.Phone, Verified: true, Source: "identity_token"})
		}
	}
	return append(out, extra...)
}

func packetMessages(msgs []conversation.Message) []packet.Message {
	out := make([]packet.Message, 0, len(msgs))
	for _, m := range msgs {
		author := string(m.Author)
		if m.Author == conversation.AuthorHumanAgent {
			author = packet.AuthorAgent
		}
		out = append(out, packet.Message{Author: author, Text: m.Text, Lang: m.Lang, CreatedAt: m.CreatedAt, Intent: m.Intent, Meta: m.Meta})
	}
	return out
}
