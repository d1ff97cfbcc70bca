package queue

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Reason is why the AI handed a conversation to people: a fixed taxonomy, checked by the
// database too.
type Reason string

// The reasons for a handoff.
const (
	ReasonCustomerRequest   Reason = "customer_request"   // the customer asked for a person
	ReasonLowConfidence     Reason = "low_confidence"     // the AI was not sure enough to answer
	ReasonMissingKnowledge  Reason = "missing_knowledge"  // the knowledge base has no answer
	ReasonToolFailure       Reason = "tool_failure"       // an order, parcel or refund system failed
	ReasonPolicyLimit       Reason = "policy_limit"       // beyond what the AI may do (amount, action)
	ReasonApprovalNeeded    Reason = "approval_needed"    // a write needs a staff decision
	ReasonNegativeSentiment Reason = "negative_sentiment" // the customer is upset
	ReasonComplaint         Reason = "complaint"          // a formal complaint
	ReasonRolloutStage      Reason = "rollout_stage"      // the rollout stage leaves this to people
	ReasonTabooBlock        Reason = "taboo_block"        // the AI's reply was blocked by taboo screening
	ReasonModelNoAnswer     Reason = "model_no_answer"    // the model gave no usable answer
	ReasonOther             Reason = "other"
)

// Reasons lists every valid reason, in the order above.
func Reasons() []Reason {
	return []Reason{ReasonCustomerRequest, ReasonLowConfidence, ReasonMissingKnowledge,
		ReasonToolFailure, ReasonPolicyLimit, ReasonApprovalNeeded, ReasonNegativeSentiment,
		ReasonComplaint, ReasonRolloutStage, ReasonTabooBlock, ReasonModelNoAnswer, ReasonOther}
}

// Valid reports whether r is one of the defined reasons.
func (r Reason) Valid() bool {
	for _, v := range Reasons() {
		if r == v {
			return true
		}
	}
	return false
}

// Status is where a handoff stands.
type Status string

// The statuses of a handoff. Queued and claimed handoffs are open; a conversation has at most
// one open handoff.
const (
	StatusQueued     Status = "queued"      // waiting for an agent
	StatusClaimed    Status = "claimed"     // an agent holds it
	StatusResolved   Status = "resolved"    // the agent finished it
	StatusHandedBack Status = "handed_back" // the agent gave the conversation back to the AI
)

// Open reports whether s is queued or claimed.
func (s Status) Open() bool { return s == StatusQueued || s == StatusClaimed }

func (s Status) valid() bool {
	return s == StatusQueued || s == StatusClaimed || s == StatusResolved || s == StatusHandedBack
}

// Priorities run from 1, the most urgent, to 5; the queue serves lower numbers first.
const (
	PriorityUrgent = 1
	PriorityHigh   = 2
	PriorityNormal = 3 // what Open stores for a zero Priority
	PriorityLow    = 4
	PriorityLowest = 5
)

// Size limits on what Open and the agent operations accept.
const (
	maxPacketBytes  = 256 << 10
	maxTeamBytes    = 200
	maxAgentIDBytes = 200
)

// MaxNoteBytes bounds the body of an internal note.
const MaxNoteBytes = 16 << 10

// NewHandoff is what the workflow passes to [Store.Open].
type NewHandoff struct {
	// ID, a UUID, is optional: the caller's stable key for this handoff (a workflow derives
	// it from its workflow ID and turn, e.g. with uuid.NewSHA1), so that a retry finds the
	// handoff it opened even after it was closed. Empty: Open picks a new one.
	ID             string
	ConversationID string
	Reason         Reason
	Team           string // decided by handoff/routing
	Language       string // the customer's language, BCP 47; may be empty
	Market         string // may be empty
	Priority       int    // 1 (most urgent) to 5; 0 means PriorityNormal
	SLADueAt       time.Time
	// Packet is the escalation packet, any JSON value; stored as jsonb, so it comes back
	// with insignificant whitespace and object key order normalized.
	Packet json.RawMessage
}

// Handoff is a stored handoff. Zero times are unset.
type Handoff struct {
	ID             string
	ConversationID string
	Reason         Reason
	Team           string
	Language       string
	Market         string
	Priority       int
	Status         Status
	ClaimedBy      string // the staff account that holds or last held it
	ClaimedAt      time.Time
	SLADueAt       time.Time
	EscalatedAt    time.Time
	Packet         json.RawMessage
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ResolvedAt     time.Time // when it was resolved or handed back
	// Version grows with every change of the handoff (all handoffs share one counter). Of
	// two copies of a handoff, the one with the higher Version is the newer.
	Version int64
}

// Note is an internal note on a handoff, for staff only.
type Note struct {
	ID        string
	HandoffID string
	Author    string // staff account ID
	Body      string
	CreatedAt time.Time
}

// Filter selects handoffs for [Store.Queue]. Zero fields do not filter.
type Filter struct {
	Teams []string
	// Languages keeps handoffs whose language is one of these BCP 47 tags or more specific
	// ("pt" keeps "pt-BR"; case-insensitive). Handoffs with no language match no filter.
	Languages []string
	Status    Status // "" means open: queued and claimed
	Limit     int    // 0 means 100; at most 1000
}

// Errors. Match them with errors.Is.
var (
	ErrNotFound = errors.New("handoff not found")
	// ErrNoConversation: Open was given a conversation that does not exist.
	ErrNoConversation = errors.New("no such conversation")
	ErrInvalid        = errors.New("invalid handoff request")
	// ErrAlreadyClaimed: another agent holds the handoff; the error is a *ClaimedError.
	ErrAlreadyClaimed = errors.New("handoff already claimed")
	// ErrNotHolder: the agent does not hold the handoff it tried to release, resolve or
	// hand back; the error is a *ClaimedError when someone else holds it.
	ErrNotHolder = errors.New("agent does not hold the handoff")
	// ErrClosed: the handoff was resolved or handed back and cannot change any more.
	ErrClosed = errors.New("handoff is closed")
)

// ClaimedError says who holds a handoff that an agent could not claim or act on.
type ClaimedError struct {
	HandoffID string
	By        string // staff account ID of the holder
	At        time.Time
	sentinel  error
}

func (e *ClaimedError) Error() string {
	return fmt.Sprintf("handoff %s: %v: held by %s since %s", e.HandoffID, e.sentinel, e.By, e.At.UTC().Format(time.RFC3339))
}

// Unwrap returns ErrAlreadyClaimed or ErrNotHolder.
func (e *ClaimedError) Unwrap() error { return e.sentinel }
