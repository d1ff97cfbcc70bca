// Package conversation holds the domain types of a customer conversation — the conversation,
// its participants and its messages — and the errors its stores return.
//
// It has no storage of its own: conversation/pgstore keeps conversations in PostgreSQL. It does
// not decide who answers or what; that is the agents' workflow.
package conversation

import (
	"errors"
	"time"

	"golang.org/x/text/language"
)

// ErrNotFound is returned when a conversation does not exist.
var ErrNotFound = errors.New("conversation not found")

// Status is where a conversation stands.
type Status string

const (
	StatusOpen    Status = "open"    // the AI answers
	StatusHandoff Status = "handoff" // a human holds the floor; the AI stays silent
	StatusClosed  Status = "closed"
)

// Author is who wrote a message. A human may never write as the AI.
type Author string

const (
	AuthorCustomer   Author = "customer"
	AuthorAI         Author = "ai"
	AuthorHumanAgent Author = "human_agent"
	AuthorSystem     Author = "system"
)

// Conversation is one customer conversation on one channel.
type Conversation struct {
	ID            string
	Channel       string
	Locale        string // the customer's declared or detected locale (BCP 47)
	Market        string // ISO 3166-1 alpha-2 market code, "" when unknown
	Status        Status
	HandoffReason string
	Identity      *Claimed // who a verified identity token says the customer is; nil: nobody
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Message is one message of a transcript, in conversation order (Seq).
type Message struct {
	ID             string
	ConversationID string
	Seq            int64
	TurnID         string // the customer turn this message belongs to
	Author         Author
	Text           string
	Lang           string // BCP 47 language of Text
	Intent         string // for AI replies: the intent the reply answered
	AIGenerated    bool
	Handoff        bool // this message handed the conversation to a human
	// Meta holds the agent's annotations of an AI message: "pending_intent",
	// "handoff_reason", "confidence"... Never shown to the customer.
	Meta      map[string]string
	CreatedAt time.Time
}

// NewConversation is what creating a conversation takes.
type NewConversation struct {
	Channel  string
	Locale   string
	Market   string
	Identity *Claimed // from a verified identity token; nil when there was none
}

// Claimed is who a verified identity token says the customer is; the tools resolve it
// through the shop. At least one field is set.
type Claimed struct {
	CustomerID string `json:"customer_id,omitempty"` // the shop's customer ID
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"` // E.164, verified by the channel
}

// NewMessage is what appending a message takes. (ConversationID, TurnID, Author, Part) is
// the idempotency key: appending the same key twice returns the first message.
type NewMessage struct {
	ConversationID string
	TurnID         string
	// Participant names the author among several of one kind (the human agent who wrote);
	// "" takes the first participant of the author's kind.
	Participant string
	Part        int
	Author      Author
	Text        string
	Lang        string
	Intent      string
	Handoff     bool
	Meta        map[string]string
}

// Reasons a conversation is disclosed to be with an AI.
const (
	DisclosureFirst         = "first_ai_message" // before the first AI message
	DisclosureChannelChange = "channel_change"   // the conversation continues on another channel
	DisclosureHandback      = "handback"         // a person handed the conversation back to the AI
)

// Disclosure is the evidence that a customer was told they talk to an AI: the text, its
// language, the channel and the message that carried it.
type Disclosure struct {
	ConversationID string
	MessageID      string
	Channel        string
	Locale         string
	Text           string
	Reason         string
	At             time.Time
}

// CustomerLanguage is the language the customer writes in: that of their latest message
// with a known language — or, when the AI answered that message, the language it answered
// in (the engine weighs the conversation: an address or an e-mail in Latin letters from a
// Thai customer is no switch to Indonesian) — else the base language of the conversation's
// locale, else "".
func CustomerLanguage(c Conversation, msgs []Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Author != AuthorCustomer || m.Lang == "" {
			continue
		}
		if m.TurnID != "" {
			for _, r := range msgs[i+1:] {
				if r.Author == AuthorAI && r.TurnID == m.TurnID && r.Lang != "" {
					return r.Lang
				}
			}
		}
		return m.Lang
	}
	if t, err := language.Parse(c.Locale); err == nil {
		if b, conf := t.Base(); conf != language.No && b.String() != "und" {
			return b.String()
		}
	}
	return ""
}
