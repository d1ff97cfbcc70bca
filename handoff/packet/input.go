package packet

import (
	"encoding/json"
	"time"
)

// Input is everything Build needs, mapped by the caller from the conversation, the
// agent turn and the tool log. Build does not modify it.
type Input struct {
	Conversation Conversation
	// Messages is the transcript, oldest first.
	Messages  []Message
	ToolCalls []ToolCall
	// Approvals are the staff approvals still pending.
	Approvals  []Approval
	Disclosure Disclosure
	// Signals are sentiment judgements made upstream (a classifier, a model); for a
	// customer message without a signal, Build scores the text with Sentiment.
	Signals []SentimentSignal
	Reason  Reason
	// ReasonDetail is a short free-text detail of the trigger, shown as is
	// ("refund 1450.00 SAR above the 500.00 SAR limit"). No PII.
	ReasonDetail string
	// Orders are the orders the AI looked up, in lookup order.
	Orders []Order
	// At is when the handoff happened; Build keeps it (it reads no clock).
	At time.Time
}

// Conversation identifies the conversation and its customer.
type Conversation struct {
	ID      string
	Market  string // ISO country code, "SA"
	Locale  string // BCP 47, "ar-SA"
	Channel string // "web", "whatsapp", ...
	// Claims are what is known about the customer's identity.
	Claims []Claim
}

// Claim kinds.
const (
	ClaimCustomerID = "customer_id"
	ClaimName       = "name"
	ClaimEmail      = "email"
	ClaimPhone      = "phone"
)

// Claim is one piece of the customer's identity.
type Claim struct {
	Kind  string // ClaimCustomerID, ClaimName, ClaimEmail, ClaimPhone, or another kind
	Value string
	// Verified is true when a system confirmed the claim (login, order match, OTP);
	// false for what the customer merely typed.
	Verified bool
	Source   string // "login", "order_lookup", "chat", ...
}

// Authors of messages.
const (
	AuthorCustomer = "customer"
	AuthorAI       = "ai"
	AuthorAgent    = "agent"
	AuthorSystem   = "system"
)

// Message is one transcript message.
type Message struct {
	Author    string // AuthorCustomer, AuthorAI, AuthorAgent, AuthorSystem
	Text      string // as stored: PII already redacted where policy requires
	Lang      string // base language; "" when unknown
	CreatedAt time.Time
	Intent    string // the intent recognised for a customer message ("refund_request")
	Meta      map[string]string
}

// Outcomes of a tool call.
const (
	OutcomeOK       = "ok"
	OutcomeFailed   = "failed"
	OutcomeDeclined = "declined" // the customer did not confirm, or policy refused
	OutcomePending  = "pending"  // waiting for a confirmation or an approval
)

// ToolCall is one tool call the AI made.
type ToolCall struct {
	Name    string
	Args    json.RawMessage // JSON object
	Outcome string          // OutcomeOK, OutcomeFailed, OutcomeDeclined, OutcomePending
	Result  json.RawMessage // JSON; empty when none
	Error   string          // short, no provider body
	Key     string          // idempotency key
	At      time.Time
}

// Money is an amount in minor units of an ISO 4217 currency (cents, halalas; yen have
// none).
type Money struct {
	Minor    int64
	Currency string
}

// Approval is a pending staff approval.
type Approval struct {
	Key         string // the idempotency key of the action waiting for approval
	Tool        string
	Amount      Money
	OrderID     string
	RequestedAt time.Time
}

// Disclosure is the state of the AI disclosure.
type Disclosure struct {
	Disclosed bool
	At        time.Time
}

// SentimentSignal is a sentiment judgement of one message.
type SentimentSignal struct {
	Message  int // index into Input.Messages
	Negative bool
	Score    float64 // in [0, 1]; higher is more negative
	Source   string  // "keywords", "model", ...
}

// Order is an order the AI looked up.
type Order struct {
	ID       string
	Status   string
	Total    Money
	PlacedAt time.Time
	Tracking string
}
