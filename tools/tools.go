// Package tools is the framework of the agent's tools: what a tool declares about itself
// (its JSON-schema arguments, its side effects, whether the customer must confirm it and
// whether staff must approve it above a per-market amount), the registry the worker runs
// tools from, the idempotency key every call carries, and the per-turn budget.
//
// The conversation workflow enforces the declarations the same way for every tool and for
// every engine — offline or model: a write runs only after its preview was shown and the
// customer said yes, a money-moving call above the market's limit waits for a person, and
// each call is its own activity whose key makes a retry harmless. What a tool returns is
// data for the reply, never instructions.
//
// It is not where any shop, carrier or tax rule lives: the tools in the sub-packages apply
// those, reading the commerce connector and the rule files.
package tools

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/attache-dev/attache/tools/commerce"
)

// Effect is a tool's side-effect class.
type Effect string

const (
	Read      Effect = "read"       // looks things up; runs whenever the budget allows
	Write     Effect = "write"      // changes the shop in a way that can be undone (cancel, address)
	MoveMoney Effect = "move_money" // refunds and anything else that moves money
)

// Spec is what a tool declares.
type Spec struct {
	Name        string
	Description string          // for a model, in English
	Parameters  json.RawMessage // JSON Schema of the arguments (an object)
	Effect      Effect
	// Confirm: the customer must say yes to the call's preview before it runs. Every write
	// and money-moving tool confirms; read tools never do.
	Confirm bool
	// Identity: the call needs a verified customer; the tool itself checks that what it
	// touches belongs to that customer.
	Identity bool
	// ApproveAbove is, per market (ISO 3166-1 alpha-2, "*" for the others), the amount above
	// which a person must approve the call first. A money-moving tool must set it; an amount
	// in another currency than the market's limit needs approval.
	ApproveAbove map[string]commerce.Money
}

// NeedsApproval reports whether a call of s moving amount in market waits for a person.
func (s Spec) NeedsApproval(market string, amount *commerce.Money) bool {
	if s.ApproveAbove == nil || amount == nil {
		return false
	}
	limit, ok := s.ApproveAbove[market]
	if !ok {
		limit, ok = s.ApproveAbove["*"]
	}
	if !ok || limit.Currency != amount.Currency {
		return true
	}
	return amount.Amount > limit.Amount
}

// Call is one request to run a tool, from the offline engine or a model.
type Call struct {
	ID   string // the model's call ID, or one the engine makes up
	Name string
	Args json.RawMessage // a JSON object
}

// Identity is a verified customer.
type Identity struct {
	CustomerID string
	Method     string // "token", "email_order", "name_zip", "phone"
}

// Verified reports whether a customer was verified.
func (id Identity) Verified() bool { return id.CustomerID != "" }

// Invocation is a call as a tool runs it.
type Invocation struct {
	Call           Call
	Key            string // the idempotency key, derived in workflow code (Key)
	ConversationID string
	Market         string // ISO 3166-1 alpha-2 of the conversation
	Locale         string // the customer's language
	Identity       Identity
}

// Outcome is how a call ended.
type Outcome string

const (
	OK       Outcome = "ok"
	Refused  Outcome = "refused"   // a rule or the shop's state says no; Reason says which
	NotFound Outcome = "not_found" // the order, customer or parcel does not exist (or is not theirs)
	Invalid  Outcome = "invalid"   // the arguments are wrong
	Failed   Outcome = "failed"    // the shop or carrier kept failing; nothing may be claimed
	// Pending outcomes the workflow sets, never a tool.
	NeedsConfirmation Outcome = "needs_confirmation"
	NeedsApproval     Outcome = "needs_approval"
	Denied            Outcome = "denied" // the customer said no, or staff denied the approval
)

// Result is what a call returned.
type Result struct {
	Outcome Outcome
	Reason  string          // a code for a refusal: "order_not_pending", "identity_required", ...
	Detail  string          // a short English explanation for logs and models
	Data    json.RawMessage // the tool's output, a JSON object: data for the reply, never instructions
	Amount  *commerce.Money // the money the call moves (or, in a preview, would move)
	// Verified: a write's effect was read back from the shop after the change. A reply may
	// claim an action only when its result is OK and Verified.
	Verified bool
	Identity *Identity // set by identification tools when they verified a customer
	Rules    string    // the version of the rule file that decided, when one did
}

// Refusal builds a refused result.
func Refusal(reason, detail string) Result {
	return Result{Outcome: Refused, Reason: reason, Detail: detail}
}

// Tool is something the agent can do.
type Tool interface {
	Spec() Spec
	Run(ctx context.Context, inv Invocation) (Result, error)
}

// Previewer is implemented by tools that confirm: Preview says what Run would do — the
// details the customer confirms and the amount the approval limit is checked against —
// without doing it. A preview that finds the call cannot succeed returns the refusal.
type Previewer interface {
	Preview(ctx context.Context, inv Invocation) (Result, error)
}

// Registry holds the tools a worker runs, with their specs read once.
type Registry struct {
	byName map[string]Tool
	specs  map[string]Spec
	names  []string
}

var toolName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// NewRegistry checks the tools' specs and indexes them by name: names are unique
// snake_case, parameters are a JSON object schema, a write confirms and has a preview, a read
// neither confirms nor asks for approval.
func NewRegistry(ts ...Tool) (*Registry, error) {
	r := &Registry{byName: make(map[string]Tool, len(ts)), specs: make(map[string]Spec, len(ts))}
	for _, t := range ts {
		s := t.Spec()
		if err := checkSpec(s); err != nil {
			return nil, fmt.Errorf("tool %q: %w", s.Name, err)
		}
		if _, dup := r.byName[s.Name]; dup {
			return nil, fmt.Errorf("tool %q registered twice", s.Name)
		}
		if _, ok := t.(Previewer); s.Confirm && !ok {
			return nil, fmt.Errorf("tool %q confirms but has no Preview", s.Name)
		}
		r.byName[s.Name] = t
		r.specs[s.Name] = s
		r.names = append(r.names, s.Name)
	}
	slices.Sort(r.names)
	return r, nil
}

func checkSpec(s Spec) error {
	if !toolName.MatchString(s.Name) {
		return errors.New("name must be snake_case, at most 64 characters")
	}
	if s.Description == "" {
		return errors.New("description is empty")
	}
	var schema struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(s.Parameters, &schema); err != nil || schema.Type != "object" {
		return errors.New(`parameters must be a JSON schema of "type": "object"`)
	}
	switch s.Effect {
	case Read:
		if s.Confirm || s.ApproveAbove != nil {
			return errors.New("a read tool neither confirms nor needs approval")
		}
	case Write, MoveMoney:
		if !s.Confirm {
			return errors.New("a tool that changes the shop must confirm")
		}
		if s.Effect == MoveMoney && len(s.ApproveAbove) == 0 {
			return errors.New("a money-moving tool must set its approval limits")
		}
	default:
		return fmt.Errorf("unknown effect %q", s.Effect)
	}
	return nil
}

// Tool returns the named tool.
func (r *Registry) Tool(name string) (Tool, bool) {
	t, ok := r.byName[name]
	return t, ok
}

// Spec returns the named tool's spec.
func (r *Registry) Spec(name string) (Spec, bool) {
	s, ok := r.specs[name]
	return s, ok
}

// Specs lists the specs in name order.
func (r *Registry) Specs() []Spec {
	out := make([]Spec, len(r.names))
	for i, n := range r.names {
		out[i] = r.specs[n]
	}
	return out
}

// Key is the idempotency key of a call in a conversation: the same tool with the same
// arguments (whatever their order or spacing) in the same conversation has the same key, so
// a retried activity, a model calling a tool twice and a customer repeating the request all
// reach the shop as one operation. It is computed in workflow code.
func Key(conversationID string, c Call) (string, error) {
	canon, err := Canonical(c.Args)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(conversationID), []byte(c.Name), canon} {
		h.Write(part)
		h.Write([]byte{0})
	}
	return c.Name + ":" + hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// Canonical re-encodes a JSON object with sorted keys and no insignificant space; numbers
// are kept as written.
func Canonical(args json.RawMessage) ([]byte, error) {
	if len(bytes.TrimSpace(args)) == 0 {
		return []byte("{}"), nil
	}
	d := json.NewDecoder(bytes.NewReader(args))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("arguments are not a JSON object: %w", err)
	}
	return json.Marshal(v)
}

// Budget bounds the tool calls of one turn: in all, and with the same key (a model looping
// on one call).
type Budget struct {
	MaxCalls     int
	MaxIdentical int
}

// DefaultBudget is the budget of a turn unless configured otherwise.
var DefaultBudget = Budget{MaxCalls: 8, MaxIdentical: 2}

// Ledger counts one turn's calls against a Budget.
type Ledger struct {
	calls int
	byKey map[string]int
}

// Spend records a call and reports whether the budget allowed it; when it did not, the
// reason is "budget_calls" or "budget_identical".
func (b Budget) Spend(l *Ledger, key string) (ok bool, reason string) {
	if l.byKey == nil {
		l.byKey = make(map[string]int)
	}
	if b.MaxCalls > 0 && l.calls >= b.MaxCalls {
		return false, "budget_calls"
	}
	if b.MaxIdentical > 0 && l.byKey[key] >= b.MaxIdentical {
		return false, "budget_identical"
	}
	l.calls++
	l.byKey[key]++
	return true, ""
}
