package cod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/language"

	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/commerce"
)

// ToolName is the name of the agent's cash-on-delivery tool.
const ToolName = "cod_info"

// InfoArgs are the arguments of cod_info.
type InfoArgs struct {
	Country  string  `json:"country" desc:"ISO 3166-1 alpha-2 code of the delivery country"`
	Carrier  string  `json:"carrier,omitempty" desc:"the carrier's name or ID, as the customer wrote it; omit for every carrier"`
	Amount   float64 `json:"amount,omitempty" desc:"the order value in major units of the country's currency; omit when unknown"`
	Currency string  `json:"currency,omitempty" desc:"ISO 4217 code of amount; omit for the country's currency"`
}

// Tool is cod_info: a read tool that tells whether cash on delivery is offered in a
// country (and with which carriers), up to which order value, at what fee, and what happens
// when a customer refuses a cash-on-delivery parcel. It needs no verified customer.
type Tool struct {
	Rules *Rules // nil: Default()
}

// Info is the data cod_info returns (Result.Data).
type Info struct {
	Country      string        `json:"country"`
	HasRules     bool          `json:"has_rules"` // false: the shop does not sell cash on delivery there
	Available    bool          `json:"available"` // some carrier offers it in the country
	Currency     string        `json:"currency,omitempty"`
	MaxOrder     *Amount       `json:"max_order,omitempty"` // the highest limit any carrier allows
	Carriers     []CarrierInfo `json:"carriers,omitempty"`  // the carriers with cash on delivery
	Restrictions []string      `json:"restrictions,omitempty"`
	Refusal      *RefusalInfo  `json:"refusal,omitempty"`
	// Decision is present when an amount or a carrier was given: the best carrier's answer
	// (the cheapest that allows the order), or why none does.
	Decision *DecisionInfo `json:"decision,omitempty"`
	Rules    string        `json:"rules_version"`
}

// CarrierInfo is one carrier's cash-on-delivery terms.
type CarrierInfo struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	MaxOrder *Amount `json:"max_order,omitempty"`
	Fee      *Amount `json:"fee,omitempty"` // for the given amount, when one was given
}

// RefusalInfo is the refused-parcel rule.
type RefusalInfo struct {
	ReturnShippingCharged bool   `json:"return_shipping_charged"`
	BlockAfter            int    `json:"block_after"` // refusals within WindowDays that end COD; 0: never
	WindowDays            int    `json:"window_days"`
	Note                  string `json:"note,omitempty"`
}

// DecisionInfo is a Decision on the wire.
type DecisionInfo struct {
	Allowed bool    `json:"allowed"`
	Carrier string  `json:"carrier,omitempty"`
	Fee     *Amount `json:"fee,omitempty"`
	Limit   *Amount `json:"limit,omitempty"`
	Reason  string  `json:"reason,omitempty"`
	// MessageKey is the catalog sentence for the customer ("cod_allowed" with the fee,
	// "cod_over_limit" with the limit, ...), "" when there is none.
	MessageKey string `json:"message_key,omitempty"`
}

// Amount is money on the wire: exact minor units, with the decimal form for models.
type Amount struct {
	Minor    int64  `json:"minor"`
	Decimal  string `json:"amount"`
	Currency string `json:"currency"`
}

// Money is the amount as commerce.Money.
func (a Amount) Money() commerce.Money { return commerce.Money{Amount: a.Minor, Currency: a.Currency} }

func amountOf(m commerce.Money) *Amount {
	if m.Amount == 0 {
		return nil
	}
	dec, _, _ := strings.Cut(m.String(), " ")
	return &Amount{Minor: m.Amount, Decimal: dec, Currency: m.Currency}
}

func (t Tool) rules() *Rules {
	if t.Rules != nil {
		return t.Rules
	}
	return Default()
}

// Spec implements tools.Tool.
func (t Tool) Spec() tools.Spec {
	return tools.Spec{Name: ToolName, Effect: tools.Read, Parameters: tools.Schema[InfoArgs](),
		Description: "Cash on delivery in a country: whether the shop offers it and with which carriers, the order-value " +
			"limits and fees, the restrictions, and what happens when a customer refuses a cash-on-delivery parcel; with an " +
			"amount (and optionally a carrier), whether that order may be paid on delivery and at what fee."}
}

// Run implements tools.Tool.
func (t Tool) Run(_ context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[InfoArgs](inv.Call.Args)
	if err != nil {
		return tools.Result{Outcome: tools.Invalid, Reason: "bad_arguments", Detail: err.Error()}, nil
	}
	info, err := t.Info(a)
	if err != nil {
		return tools.Result{Outcome: tools.Invalid, Reason: "bad_arguments", Detail: err.Error()}, nil
	}
	b, err := json.Marshal(info)
	if err != nil {
		return tools.Result{}, fmt.Errorf("cod_info: encode: %w", err)
	}
	r := tools.Result{Outcome: tools.OK, Data: b, Rules: info.Rules}
	if d := info.Decision; d != nil && d.Fee != nil {
		m := d.Fee.Money()
		r.Amount = &m
	}
	return r, nil
}

// Info answers a cod_info call; the error is the caller's (no such country code, an amount
// in an unknown currency or not positive).
func (t Tool) Info(a InfoArgs) (Info, error) {
	rules := t.rules()
	reg, err := language.ParseRegion(strings.TrimSpace(a.Country))
	if err != nil || !reg.IsCountry() {
		return Info{}, fmt.Errorf("country: %q is not an ISO 3166-1 country code", a.Country)
	}
	info := Info{Country: reg.String(), Rules: rules.Version()}
	c, ok := rules.Country(info.Country)
	var value *commerce.Money
	if a.Amount != 0 || a.Currency != "" {
		cur := a.Currency
		if cur == "" {
			cur = c.Currency
		}
		if a.Amount <= 0 {
			return Info{}, errors.New("amount: must be positive")
		}
		m, err := commerce.FromDecimal(a.Amount, cur)
		if err != nil {
			return Info{}, fmt.Errorf("currency: %w", err)
		}
		value = &m
	}
	if !ok {
		if value != nil || a.Carrier != "" {
			d := rules.Check(info.Country, a.Carrier, commerce.Money{})
			info.Decision = &DecisionInfo{Reason: d.Reason, MessageKey: d.MessageKey()}
		}
		return info, nil
	}
	info.HasRules, info.Available, info.Currency, info.Restrictions = true, c.Available, c.Currency, c.Restrictions
	info.Refusal = &RefusalInfo{ReturnShippingCharged: c.Refusal.ReturnShippingCharged, BlockAfter: c.Refusal.BlockAfter,
		WindowDays: c.Refusal.WindowDays, Note: c.Refusal.Note}
	var highest commerce.Money
	for _, cr := range c.Carriers {
		if !c.Available || !cr.Available {
			continue
		}
		limit := limitOf(c, cr)
		ci := CarrierInfo{ID: cr.ID, Name: cr.Name, MaxOrder: amountOf(limit)}
		if value != nil && value.Currency == c.Currency {
			ci.Fee = amountOf(cr.Fee(*value))
		}
		info.Carriers = append(info.Carriers, ci)
		if limit.Amount > highest.Amount {
			highest = limit
		}
	}
	info.MaxOrder = amountOf(highest)
	if value == nil && a.Carrier == "" {
		return info, nil
	}
	info.Decision = t.decide(rules, c, a.Carrier, value)
	return info, nil
}

// limitOf is the order-value limit of a carrier in a country: the lower of both, where set.
func limitOf(c Country, cr Carrier) commerce.Money {
	limit := c.MaxOrder
	if cr.MaxOrder.Amount > 0 && (limit.Amount == 0 || cr.MaxOrder.Amount < limit.Amount) {
		limit = cr.MaxOrder
	}
	return limit
}

// decide checks the order with the named carrier, or with every carrier that offers cash
// on delivery (the cheapest allowing it wins; when none does, the highest limit is the
// answer).
func (t Tool) decide(rules *Rules, c Country, carrier string, value *commerce.Money) *DecisionInfo {
	v := commerce.Money{Amount: 1, Currency: c.Currency} // a carrier alone: is it offered at all?
	if value != nil {
		v = *value
	}
	info := func(d Decision) *DecisionInfo {
		di := &DecisionInfo{Allowed: d.Allowed, Carrier: d.Carrier, Reason: d.Reason, MessageKey: d.MessageKey()}
		if value != nil {
			di.Fee, di.Limit = amountOf(d.Fee), amountOf(d.Limit)
		}
		return di
	}
	if carrier != "" {
		return info(rules.Check(c.Code, carrier, v))
	}
	var best, refused *Decision
	for _, cr := range c.Carriers {
		d := rules.Check(c.Code, cr.ID, v)
		switch {
		case d.Allowed && (best == nil || d.Fee.Amount < best.Fee.Amount):
			best = &d
		case !d.Allowed && d.Reason == ReasonOverLimit && (refused == nil || d.Limit.Amount > refused.Limit.Amount):
			refused = &d
		case !d.Allowed && refused == nil:
			refused = &d
		}
	}
	switch {
	case best != nil:
		return info(*best)
	case refused != nil:
		return info(*refused)
	}
	return &DecisionInfo{Reason: ReasonCountryUnavailable, MessageKey: "cod_country_unavailable"}
}
