package vat

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

// ToolName is the name of the agent's VAT tool.
const ToolName = "vat_info"

// InfoArgs are the arguments of vat_info.
type InfoArgs struct {
	Country   string  `json:"country" desc:"ISO 3166-1 alpha-2 code of the destination country (GR or EL for Greece)"`
	Amount    float64 `json:"amount,omitempty" desc:"the goods' value without shipping, in major units; omit when the customer gave none"`
	Currency  string  `json:"currency,omitempty" desc:"ISO 4217 code of amount; the €150 IOSS test needs EUR"`
	VATNumber string  `json:"vat_number,omitempty" desc:"the customer's EU VAT identification number, as written"`
	B2B       bool    `json:"b2b,omitempty" desc:"the customer buys as a business"`
}

// Tool is vat_info: a read tool that tells the VAT rates of an EU member state, whether a
// consignment of a given value goes through IOSS (≤ €150) or pays import VAT on delivery,
// whether a VAT number is well formed and passes its check digits, and whether the reverse
// charge applies. It needs no verified customer.
type Tool struct {
	Rules *Rules // nil: Default()
}

// Info is the data vat_info returns (Result.Data).
type Info struct {
	Country       string   `json:"country"` // ISO 3166-1 alpha-2, upper case
	EU            bool     `json:"eu"`      // a member state in the rules; false: nothing below applies
	StandardRate  string   `json:"standard_rate,omitempty"`
	ReducedRates  []string `json:"reduced_rates,omitempty"`
	SuperReduced  string   `json:"super_reduced_rate,omitempty"`
	Parking       string   `json:"parking_rate,omitempty"`
	IOSSThreshold Amount   `json:"ioss_threshold"`
	// Assessment is present when an amount was given, or a business buyer asked.
	Assessment *AssessmentInfo `json:"assessment,omitempty"`
	VATNumber  *NumberInfo     `json:"vat_number,omitempty"`
	Rules      string          `json:"rules_version"`
}

// AssessmentInfo is the treatment of the consignment the call described.
type AssessmentInfo struct {
	Decided       bool    `json:"decided"` // false: the value is not in euros
	IOSS          bool    `json:"ioss"`
	ReverseCharge bool    `json:"reverse_charge"`
	VAT           *Amount `json:"vat,omitempty"`
	DutyPerItem   *Amount `json:"duty_per_item,omitempty"`
	Reason        string  `json:"reason"`
	// MessageKey is the catalog sentence that explains it ("vat_ioss", "vat_import",
	// "vat_reverse_charge", "vat_b2b_no_number"), "" when there is none.
	MessageKey string `json:"message_key,omitempty"`
}

// NumberInfo is what an offline check says about a VAT number.
type NumberInfo struct {
	Number     string `json:"number"`      // as VIES expects it when well formed, else as given
	WellFormed bool   `json:"well_formed"` // the member state's format
	// ChecksumValid: the check digits were verified; false with WellFormed true means the
	// state has no documented check digits for that shape (format only).
	ChecksumValid bool   `json:"checksum_valid"`
	Country       string `json:"country,omitempty"` // issuing member state
	Problem       string `json:"problem,omitempty"` // in English, for logs and models
}

// Amount is money on the wire: exact minor units, with the decimal form for models.
type Amount struct {
	Minor    int64  `json:"minor"`
	Decimal  string `json:"amount"`
	Currency string `json:"currency"`
}

func amountOf(m commerce.Money) Amount {
	s := m.String()
	dec, _, _ := strings.Cut(s, " ")
	return Amount{Minor: m.Amount, Decimal: dec, Currency: m.Currency}
}

// Money is the amount as commerce.Money.
func (a Amount) Money() commerce.Money { return commerce.Money{Amount: a.Minor, Currency: a.Currency} }

func (t Tool) rules() *Rules {
	if t.Rules != nil {
		return t.Rules
	}
	return Default()
}

// Spec implements tools.Tool.
func (t Tool) Spec() tools.Spec {
	return tools.Spec{Name: ToolName, Effect: tools.Read, Parameters: tools.Schema[InfoArgs](),
		Description: "EU VAT for a destination country: standard and reduced rates; with an amount in EUR, whether the order " +
			"is at most €150 (IOSS: VAT charged at checkout, nothing to pay on delivery) or pays import VAT on delivery; " +
			"with a VAT number, whether it is well formed and its check digits are valid; for a business buyer with a valid " +
			"number, the reverse charge. Offline rules, not a VIES registration lookup and not tax advice."}
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
		return tools.Result{}, fmt.Errorf("vat_info: encode: %w", err)
	}
	r := tools.Result{Outcome: tools.OK, Data: b, Rules: info.Rules}
	if info.Assessment != nil && info.Assessment.VAT != nil {
		m := info.Assessment.VAT.Money()
		r.Amount = &m
	}
	return r, nil
}

// Info answers a vat_info call; the error is the caller's (no such country code, an amount
// without a valid currency).
func (t Tool) Info(a InfoArgs) (Info, error) {
	rules := t.rules()
	code := strings.ToUpper(strings.TrimSpace(a.Country))
	if code != "EL" {
		reg, err := language.ParseRegion(code)
		if err != nil || !reg.IsCountry() {
			return Info{}, fmt.Errorf("country: %q is not an ISO 3166-1 country code", a.Country)
		}
		code = reg.String()
	}
	info := Info{Country: code, IOSSThreshold: amountOf(rules.IOSSThreshold()), Rules: rules.Version()}
	var value *commerce.Money
	if a.Amount != 0 || a.Currency != "" {
		if a.Amount < 0 {
			return Info{}, errors.New("amount: must be positive")
		}
		m, err := commerce.FromDecimal(a.Amount, a.Currency)
		if err != nil {
			return Info{}, fmt.Errorf("currency: %w", err)
		}
		value = &m
	}
	validNumber := false
	if n := strings.TrimSpace(a.VATNumber); n != "" {
		ni := &NumberInfo{Number: n}
		num, err := ValidateNumber(n)
		if err == nil {
			ni.Number, ni.WellFormed, ni.ChecksumValid, ni.Country = num.String(), true, num.Checked, num.Country()
			validNumber = true
		} else {
			ni.Problem = strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrInvalidNumber.Error()), ": ")
			// A number of the right shape whose check digits fail is well formed but invalid.
			ni.WellFormed = strings.Contains(ni.Problem, "check-digit") || strings.Contains(ni.Problem, "check digit")
		}
		info.VATNumber = ni
	}
	c, err := rules.Country(code)
	if err != nil {
		return info, nil // not a member state: the rules say nothing more
	}
	info.Country, info.EU = c.Code, true
	info.StandardRate = c.Standard.String()
	for _, r := range c.Reduced {
		info.ReducedRates = append(info.ReducedRates, r.String())
	}
	if c.SuperReduced != 0 {
		info.SuperReduced = c.SuperReduced.String()
	}
	if c.Parking != 0 {
		info.Parking = c.Parking.String()
	}
	b2b := a.B2B || a.VATNumber != ""
	if value == nil && !b2b {
		return info, nil
	}
	v := commerce.Money{Currency: rules.IOSSThreshold().Currency}
	if value != nil {
		v = *value
	}
	as := rules.ForConsignment(c.Code, v, b2b, validNumber)
	ai := &AssessmentInfo{Decided: as.Decided, IOSS: as.IOSS, ReverseCharge: as.ReverseCharge, Reason: as.Reason, MessageKey: as.MessageKey()}
	if value == nil && !as.ReverseCharge {
		// A business without a value: only whether the reverse charge applies is known.
		ai.Decided, ai.IOSS = false, false
		ai.Reason, ai.MessageKey = ReasonB2BNoNumber, "vat_"+ReasonB2BNoNumber
	}
	if as.Decided && value != nil {
		vat := amountOf(as.VAT)
		ai.VAT = &vat
		if as.DutyPerItem.Amount > 0 {
			d := amountOf(as.DutyPerItem)
			ai.DutyPerItem = &d
		}
	}
	info.Assessment = ai
	return info, nil
}
