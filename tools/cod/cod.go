// Package cod holds a shop's cash-on-delivery rules for Southeast Asia and the Middle East:
// in which countries and with which carriers a customer may pay the courier, up to which
// order value, at what fee, under which restrictions, and what happens when a customer
// refuses a cash-on-delivery parcel at the door.
//
// The rules are data: cod.json (embedded, with a version) or a shop's own file read with
// Load. The figures are the shop's configuration — its carrier contracts and its own
// risk limits — not any carrier's published tariff. Every Decision carries the version of
// the rules that decided it, so a tool can record it.
//
// It is not a payment or carrier integration: it books nothing, collects nothing and
// counts no refusals (the order system does); it only says what the rules allow.
package cod

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/attache-dev/attache/internal/rulefile"

	"github.com/attache-dev/attache/tools/commerce"
)

//go:embed cod.json
var embedded []byte

// Reason codes of a Decision that does not allow cash on delivery: stable identifiers a
// tool records and the agent explains through the catalog sentence "cod_" + code.
const (
	ReasonNoRules            = "no_rules"            // the shop has no rules for the country
	ReasonCountryUnavailable = "country_unavailable" // the shop does not offer COD there
	ReasonUnknownCarrier     = "unknown_carrier"     // the carrier is not configured for the country
	ReasonCarrierUnavailable = "carrier_unavailable" // configured, but without COD
	ReasonOverLimit          = "over_limit"          // the order is above the maximum
	ReasonWrongCurrency      = "wrong_currency"      // the value is not in the country's currency
	ReasonInvalidValue       = "invalid_value"       // zero or negative
)

// Carrier is one carrier's cash-on-delivery terms in one country.
type Carrier struct {
	ID        string
	Name      string
	Aliases   []string
	Available bool
	MaxOrder  commerce.Money // zero: only the country's limit applies
	FeeFlat   commerce.Money
	FeeBP     int            // percent of the order value, in hundredths of a percent (250 = 2.5%)
	FeeMin    commerce.Money // the fee is at least this
}

// Fee is the cash-on-delivery fee for an order of value value: flat + percent, at least
// the minimum, rounded half away from zero to the minor unit.
func (c Carrier) Fee(value commerce.Money) commerce.Money {
	amount := c.FeeFlat.Amount + int64(math.Round(float64(value.Amount)*float64(c.FeeBP)/10000))
	amount = max(amount, c.FeeMin.Amount)
	return commerce.Money{Amount: amount, Currency: value.Currency}
}

// RefusalPolicy is what happens when a customer refuses a cash-on-delivery parcel.
type RefusalPolicy struct {
	// ReturnShippingCharged: the shop charges the customer the return shipping.
	ReturnShippingCharged bool
	// BlockAfter refusals within WindowDays days, cash on delivery is no longer offered to
	// the customer (prepaid only). Zero: never blocked.
	BlockAfter int
	WindowDays int
	Note       string
}

// Blocks reports whether a customer with refusals refused parcels within the window has
// lost cash on delivery.
func (p RefusalPolicy) Blocks(refusals int) bool {
	return p.BlockAfter > 0 && refusals >= p.BlockAfter
}

// Country is the cash-on-delivery rules of one country.
type Country struct {
	Code         string
	Currency     string
	Available    bool
	MaxOrder     commerce.Money // zero: no country-wide limit
	Restrictions []string
	Refusal      RefusalPolicy
	Carriers     []Carrier
}

// Decision is the answer to "may this order be paid on delivery with this carrier?".
type Decision struct {
	Allowed      bool
	Fee          commerce.Money // the COD fee when allowed
	Limit        commerce.Money // the maximum order value that applied; zero when none
	Reason       string         // one of the Reason constants when not allowed, "" when allowed
	Country      string
	Carrier      string // the carrier's ID, "" when it was not found
	RulesVersion string
}

// MessageKey is the i18n catalog key of the sentence that tells a customer the decision:
// "cod_allowed" ({0} the fee), "cod_over_limit" ({0} the limit), "cod_country_unavailable"
// or "cod_carrier_unavailable"; "" when the cause is the caller's (wrong currency, invalid
// value), which a customer cannot act on.
func (d Decision) MessageKey() string {
	switch d.Reason {
	case "":
		if d.Allowed {
			return "cod_allowed"
		}
	case ReasonOverLimit:
		return "cod_over_limit"
	case ReasonNoRules, ReasonCountryUnavailable:
		return "cod_country_unavailable"
	case ReasonUnknownCarrier, ReasonCarrierUnavailable:
		return "cod_carrier_unavailable"
	}
	return ""
}

// Rules are the cash-on-delivery rules of one version of a cod file. They are read-only
// after Load and safe for concurrent use.
type Rules struct {
	version   string
	note      string
	countries map[string]Country
}

// Version is the version string of the rules file, to record with every decision.
func (r *Rules) Version() string { return r.version }

// Note is the file's statement of what its figures are (the shop's configuration).
func (r *Rules) Note() string { return r.note }

// Country returns one country's rules; ok is false when the file has none.
func (r *Rules) Country(code string) (Country, bool) {
	c, ok := r.countries[strings.ToUpper(strings.TrimSpace(code))]
	return c, ok
}

// Carriers returns the carriers configured for a country, in the file's order, including
// those without cash on delivery (Available false). Nil when the country has no rules.
func (r *Rules) Carriers(country string) []Carrier {
	c, _ := r.Country(country)
	return c.Carriers
}

// RefusalPolicy returns the refused-parcel rules of a country; ok is false when the file
// has none.
func (r *Rules) RefusalPolicy(country string) (RefusalPolicy, bool) {
	c, ok := r.Country(country)
	return c.Refusal, ok
}

// carrierKey folds a carrier name for matching: "J&T Express", "j&t express" and
// "JT-Express" are the same carrier.
func carrierKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// Carrier finds a country's carrier by ID, name or alias, ignoring case, spaces and
// punctuation.
func (r *Rules) Carrier(country, carrier string) (Carrier, bool) {
	key := carrierKey(carrier)
	for _, c := range r.Carriers(country) {
		if key == carrierKey(c.ID) || key == carrierKey(c.Name) {
			return c, true
		}
		for _, a := range c.Aliases {
			if key == carrierKey(a) {
				return c, true
			}
		}
	}
	return Carrier{}, false
}

// Check decides whether an order of value value to country may be paid on delivery with
// carrier, and at what fee. value must be in the country's currency.
func (r *Rules) Check(country, carrier string, value commerce.Money) Decision {
	d := Decision{Country: strings.ToUpper(strings.TrimSpace(country)), RulesVersion: r.version}
	c, ok := r.Country(country)
	switch {
	case !ok:
		d.Reason = ReasonNoRules
		return d
	case !c.Available:
		d.Reason = ReasonCountryUnavailable
		return d
	}
	cr, ok := r.Carrier(country, carrier)
	if !ok {
		d.Reason = ReasonUnknownCarrier
		return d
	}
	d.Carrier = cr.ID
	switch {
	case !cr.Available:
		d.Reason = ReasonCarrierUnavailable
		return d
	case value.Currency != c.Currency:
		d.Reason = ReasonWrongCurrency
		return d
	case value.Amount <= 0:
		d.Reason = ReasonInvalidValue
		return d
	}
	d.Limit = c.MaxOrder
	if cr.MaxOrder.Amount > 0 && (d.Limit.Amount == 0 || cr.MaxOrder.Amount < d.Limit.Amount) {
		d.Limit = cr.MaxOrder
	}
	if d.Limit.Amount > 0 && value.Amount > d.Limit.Amount {
		d.Reason = ReasonOverLimit
		return d
	}
	d.Allowed = true
	d.Fee = cr.Fee(value)
	return d
}

// Default returns the rules embedded in the binary. It panics if the embedded file is
// invalid, which the package's tests rule out.
func Default() *Rules { return defaultRules() }

var defaultRules = rulefile.Embedded(embedded, Load)

type fileJSON struct {
	Version   string        `json:"version"`
	Note      string        `json:"note"`
	Countries []countryJSON `json:"countries"`
}

type countryJSON struct {
	Country      string   `json:"country"`
	Currency     string   `json:"currency"`
	Available    bool     `json:"available"`
	MaxOrder     string   `json:"max_order"`
	Restrictions []string `json:"restrictions"`
	Refusal      *struct {
		ReturnShippingCharged bool   `json:"return_shipping_charged"`
		BlockAfter            int    `json:"block_after"`
		WindowDays            int    `json:"window_days"`
		Note                  string `json:"note"`
	} `json:"refusal"`
	Carriers []carrierJSON `json:"carriers"`
}

type carrierJSON struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Aliases    []string `json:"aliases"`
	Available  bool     `json:"available"`
	MaxOrder   string   `json:"max_order"`
	FeeFlat    string   `json:"fee_flat"`
	FeePercent string   `json:"fee_percent"`
	FeeMin     string   `json:"fee_min"`
}

// Load reads a cod file (the format of the embedded cod.json) and checks it. Errors name
// the entry and field at fault: `countries[0] (TH): carriers[1] (kerry): fee_percent: ...`.
// Amounts are decimal strings in the country's currency ("1.500" Kuwaiti dinars).
func Load(rd io.Reader) (*Rules, error) {
	var f fileJSON
	if err := rulefile.Decode(rd, "cod rules file", &f); err != nil {
		return nil, fmt.Errorf("cod: %w", err)
	}
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	r := &Rules{version: strings.TrimSpace(f.Version), note: strings.TrimSpace(f.Note), countries: make(map[string]Country)}
	if r.version == "" {
		bad("version: missing")
	}
	if r.note == "" {
		bad("note: missing (say that the figures are the shop's configuration)")
	}
	for i, cj := range f.Countries {
		where := fmt.Sprintf("countries[%d] (%s)", i, cj.Country)
		c, errs := cj.country()
		for _, e := range errs {
			bad("%s: %w", where, e)
		}
		if _, dup := r.countries[c.Code]; dup {
			bad("%s: listed twice", where)
		}
		r.countries[c.Code] = c
	}
	if err := errors.Join(problems...); err != nil {
		return nil, fmt.Errorf("cod: rules file %q: %w", r.version, err)
	}
	return r, nil
}

func (cj countryJSON) country() (Country, []error) {
	var errs []error
	c := Country{
		Code:         strings.ToUpper(strings.TrimSpace(cj.Country)),
		Currency:     strings.ToUpper(strings.TrimSpace(cj.Currency)),
		Available:    cj.Available,
		Restrictions: cj.Restrictions,
	}
	if len(c.Code) != 2 || !isUpper(c.Code) {
		errs = append(errs, fmt.Errorf("country: %q is not a two-letter country code", cj.Country))
	}
	if _, err := commerce.Scale(c.Currency); err != nil {
		errs = append(errs, fmt.Errorf("currency: %w", err))
		return c, errs
	}
	amount := func(field, s string) commerce.Money {
		if s == "" {
			return commerce.Money{Currency: c.Currency}
		}
		m, err := parseAmount(s, c.Currency)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
		}
		return m
	}
	c.MaxOrder = amount("max_order", cj.MaxOrder)
	if cj.Refusal == nil {
		errs = append(errs, errors.New("refusal: missing (what happens when a customer refuses the parcel)"))
	} else {
		c.Refusal = RefusalPolicy{
			ReturnShippingCharged: cj.Refusal.ReturnShippingCharged,
			BlockAfter:            cj.Refusal.BlockAfter,
			WindowDays:            cj.Refusal.WindowDays,
			Note:                  cj.Refusal.Note,
		}
		if c.Refusal.BlockAfter < 0 {
			errs = append(errs, fmt.Errorf("refusal.block_after: %d is negative", c.Refusal.BlockAfter))
		}
		if c.Refusal.BlockAfter > 0 && c.Refusal.WindowDays <= 0 {
			errs = append(errs, errors.New("refusal.window_days: must be positive when block_after is set"))
		}
	}
	if len(cj.Carriers) == 0 {
		errs = append(errs, errors.New("carriers: none"))
	}
	anyAvailable := false
	seen := make(map[string]int) // folded name → index+1 of the carrier it names
	for j, kj := range cj.Carriers {
		where := fmt.Sprintf("carriers[%d] (%s)", j, kj.ID)
		k := Carrier{ID: strings.TrimSpace(kj.ID), Name: strings.TrimSpace(kj.Name), Aliases: kj.Aliases, Available: kj.Available}
		if k.ID == "" || k.Name == "" {
			errs = append(errs, fmt.Errorf("%s: id and name are required", where))
		}
		for _, key := range append([]string{k.ID, k.Name}, k.Aliases...) {
			if other := seen[carrierKey(key)]; other != 0 && other != j+1 {
				errs = append(errs, fmt.Errorf("%s: %q also names carriers[%d]", where, key, other-1))
			}
			seen[carrierKey(key)] = j + 1
		}
		k.MaxOrder = amount(where+": max_order", kj.MaxOrder)
		k.FeeFlat = amount(where+": fee_flat", kj.FeeFlat)
		k.FeeMin = amount(where+": fee_min", kj.FeeMin)
		if kj.FeePercent != "" {
			bp, err := parseAmount(kj.FeePercent, "EUR") // two decimals: hundredths of a percent
			if err != nil || bp.Amount > 10000 {
				errs = append(errs, fmt.Errorf("%s: fee_percent: %q is not a percentage between 0 and 100 with at most two decimals", where, kj.FeePercent))
			}
			k.FeeBP = int(bp.Amount)
		}
		if k.Available {
			anyAvailable = true
			if k.MaxOrder.Amount == 0 && c.MaxOrder.Amount == 0 {
				errs = append(errs, fmt.Errorf("%s: no max_order, and the country has none: set a limit", where))
			}
		}
		c.Carriers = append(c.Carriers, k)
	}
	if c.Available && !anyAvailable {
		errs = append(errs, errors.New("available: true, but no carrier offers cash on delivery"))
	}
	return c, errs
}

func isUpper(s string) bool { return strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" }

// parseAmount reads a decimal amount in major units exactly, refusing more decimals than
// the currency has.
func parseAmount(s, cur string) (commerce.Money, error) {
	scale, err := commerce.Scale(cur)
	if err != nil {
		return commerce.Money{}, err
	}
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" || len(frac) > scale || strings.Trim(whole+frac, "0123456789") != "" {
		return commerce.Money{}, fmt.Errorf("%q is not a decimal amount with at most %d decimals for %s", s, scale, cur)
	}
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", scale-len(frac)), 10, 64)
	if err != nil {
		return commerce.Money{}, fmt.Errorf("%q: %w", s, err)
	}
	return commerce.Money{Amount: n, Currency: cur}, nil
}
