// Package vat holds the EU VAT rules the agent's tools apply to a cross-border order: the
// rates of the 27 member states, the €150 threshold of the Import One-Stop Shop (IOSS),
// the €10,000 EU-wide distance-selling threshold, the treatment of a consignment sent to
// a buyer in the EU, and the format and check-digit validation of VAT identification
// numbers.
//
// The rules are data, not code: rates.json (embedded, with a version, an effective date
// and its sources) or a shop's own file read with Load. Every answer carries the version
// of the rules that decided it, so a tool can record it.
//
// It is not a tax engine and not tax advice. It does not know which rate a product
// category takes in a member state (the caller asks for the rate category it means), it
// holds no exchange rates (the €150 test needs the value in euros), and ValidateNumber
// checks only what can be checked offline: a number that passes may still be unregistered
// — a VIES lookup, which needs the network, confirms registration.
package vat

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attache-dev/attache/internal/rulefile"

	"github.com/attache-dev/attache/tools/commerce"
)

//go:embed rates.json
var embedded []byte

// Errors for expected cases.
var (
	// ErrUnknownCountry: the country is not an EU member state in the rules.
	ErrUnknownCountry = errors.New("not an EU member state")
	// ErrNoSuchRate: the member state does not apply a rate of that category (Denmark has
	// no reduced rate).
	ErrNoSuchRate = errors.New("no such rate in this member state")
	// ErrInvalidNumber: a VAT number fails its format or check-digit test.
	ErrInvalidNumber = errors.New("invalid VAT number")
)

// Rate categories, as the European Commission's rate tables name them.
const (
	Standard     = "standard"
	Reduced      = "reduced"   // the lowest reduced rate (Annex III, at least 5%)
	Reduced2     = "reduced_2" // the second reduced rate, where a state has two
	SuperReduced = "super_reduced"
	Parking      = "parking"
)

// Rate is a VAT rate in hundredths of a percent: 2550 is 25.5%.
type Rate int

// String writes the rate as a percentage: "25.5%", "19%".
func (r Rate) String() string {
	return strconv.FormatFloat(float64(r)/100, 'f', -1, 64) + "%"
}

// Of returns the VAT on a net amount at rate r, rounded half away from zero to the minor
// unit.
func (r Rate) Of(net commerce.Money) commerce.Money {
	return commerce.Money{Amount: mulRound(net.Amount, int64(r), 10000), Currency: net.Currency}
}

// mulRound returns a*num/den rounded half away from zero, without overflow for amounts
// far above any consignment.
func mulRound(a, num, den int64) int64 {
	return int64(math.Round(float64(a) * float64(num) / float64(den)))
}

// Country is one member state's rates.
type Country struct {
	Code         string // ISO 3166-1 alpha-2: GR for Greece
	Name         string
	VATPrefix    string // the prefix of its VAT numbers: EL for Greece
	Currency     string
	Standard     Rate
	Reduced      []Rate // ascending
	SuperReduced Rate   // 0: none
	Parking      Rate   // 0: none
	Note         string
}

// Rules are the VAT rules of one version of a rates file. They are read-only after Load
// and safe for concurrent use.
type Rules struct {
	version        string
	effective      time.Time
	source         string
	iossThreshold  commerce.Money
	distanceSales  commerce.Money
	dutyPerItem    commerce.Money
	dutyFrom       time.Time
	dutyUntil      time.Time
	countries      map[string]Country
	countryByAlias map[string]string // EL → GR
}

// Version is the version string of the rules file, to record with every decision.
func (r *Rules) Version() string { return r.version }

// Effective is the date from which the file describes the law.
func (r *Rules) Effective() time.Time { return r.effective }

// Source names where the figures come from.
func (r *Rules) Source() string { return r.source }

// IOSSThreshold is the largest intrinsic value of a consignment that may use IOSS (€150).
func (r *Rules) IOSSThreshold() commerce.Money { return r.iossThreshold }

// DistanceSellingThreshold is the EU-wide yearly total of intra-EU distance sales (€10,000)
// above which a seller charges the VAT of the buyer's member state.
func (r *Rules) DistanceSellingThreshold() commerce.Money { return r.distanceSales }

// DestinationVAT reports whether intra-EU distance sales of a seller established in one
// member state are taxed in the buyer's member state: when its cross-border B2C sales
// exceeded the threshold in the previous calendar year or exceed it in the current one.
// Both amounts must be in euros; ok is false when they are not.
func (r *Rules) DestinationVAT(thisYear, lastYear commerce.Money) (destination, ok bool) {
	if thisYear.Currency != "EUR" || lastYear.Currency != "EUR" {
		return false, false
	}
	return thisYear.Amount > r.distanceSales.Amount || lastYear.Amount > r.distanceSales.Amount, true
}

// Countries returns the member states, sorted by code.
func (r *Rules) Countries() []Country {
	out := make([]Country, 0, len(r.countries))
	for _, c := range r.countries {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Country) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// Country returns one member state's rates; code may be the ISO code or the VAT prefix
// (GR or EL), in any case.
func (r *Rules) Country(code string) (Country, error) {
	c, ok := r.countries[r.canonical(code)]
	if !ok {
		return Country{}, fmt.Errorf("vat: %q: %w", code, ErrUnknownCountry)
	}
	return c, nil
}

func (r *Rules) canonical(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if iso, ok := r.countryByAlias[code]; ok {
		return iso
	}
	return code
}

// Rate returns the rate of a category (Standard, Reduced, Reduced2, SuperReduced, Parking)
// in a member state.
func (r *Rules) Rate(country, category string) (Rate, error) {
	c, err := r.Country(country)
	if err != nil {
		return 0, err
	}
	var rate Rate
	switch category {
	case Standard:
		rate = c.Standard
	case Reduced:
		if len(c.Reduced) > 0 {
			rate = c.Reduced[0]
		}
	case Reduced2:
		if len(c.Reduced) > 1 {
			rate = c.Reduced[1]
		}
	case SuperReduced:
		rate = c.SuperReduced
	case Parking:
		rate = c.Parking
	default:
		return 0, fmt.Errorf("vat: unknown rate category %q (want standard, reduced, reduced_2, super_reduced or parking)", category)
	}
	if rate == 0 {
		return 0, fmt.Errorf("vat: %s %s rate: %w", c.Code, category, ErrNoSuchRate)
	}
	return rate, nil
}

// Reason codes of an Assessment: stable identifiers a tool records and the agent explains
// through the catalog sentence of the same name ("vat_" + code).
const (
	ReasonIOSS          = "ioss"           // ≤ €150: VAT of the buyer's state charged at checkout, none at import
	ReasonImport        = "import"         // > €150: import VAT and customs duty collected at import
	ReasonReverseCharge = "reverse_charge" // B2B with a valid VAT number: the buyer accounts for the VAT
	ReasonB2BNoNumber   = "b2b_no_number"  // B2B without a valid number: treated as a consumer sale
	ReasonNotEU         = "not_eu"         // destination outside the EU VAT area: these rules say nothing
	ReasonNeedsEUR      = "needs_eur"      // value not in euros: the €150 test cannot be made offline
)

// Assessment is how a consignment to a buyer in the EU is taxed.
type Assessment struct {
	Country string // ISO code of the destination member state
	// Decided is false when the rules cannot say (not an EU destination, value not in euros).
	Decided bool
	// IOSS: the consignment may go through the Import One-Stop Shop; VAT is charged at
	// checkout and the parcel clears customs without VAT to pay on delivery.
	IOSS bool
	// ReverseCharge: no VAT on the invoice; the business buyer accounts for it (import VAT
	// paid and deducted by the importer, or the reverse charge on an intra-EU supply).
	ReverseCharge bool
	Rate          Rate           // the destination's standard rate
	VAT           commerce.Money // the VAT on the value at Rate; zero under reverse charge
	// DutyPerItem is the interim flat customs duty per distinct tariff item of a
	// consignment up to €150 (zero when none applies); above €150 normal tariffs apply.
	DutyPerItem  commerce.Money
	Reason       string // one of the Reason constants
	RulesVersion string
}

// ForConsignment assesses a consignment shipped from outside the EU to a buyer in
// destCountry, of intrinsic value value (the goods' price without transport, insurance and
// taxes, in euros). b2b says the buyer buys as a business; validVATNumber that its VAT
// number was validated (ValidateNumber, and VIES where available).
//
// The VAT figure uses the standard rate; goods taxed at a reduced rate need Rate with the
// right category. Import VAT on consignments above €150 is computed by customs on a base
// that includes transport and duty, so VAT is then an estimate.
func (r *Rules) ForConsignment(destCountry string, value commerce.Money, b2b bool, validVATNumber bool) Assessment {
	a := Assessment{RulesVersion: r.version, Country: strings.ToUpper(strings.TrimSpace(destCountry))}
	c, err := r.Country(destCountry)
	if err != nil {
		a.Reason = ReasonNotEU
		return a
	}
	a.Country = c.Code
	a.Rate = c.Standard
	if b2b && validVATNumber {
		a.Decided, a.ReverseCharge, a.Reason = true, true, ReasonReverseCharge
		a.VAT = commerce.Money{Currency: value.Currency}
		return a
	}
	if value.Currency != r.iossThreshold.Currency {
		a.Reason = ReasonNeedsEUR
		return a
	}
	a.Decided = true
	a.VAT = c.Standard.Of(value)
	if value.Amount <= r.iossThreshold.Amount {
		a.IOSS, a.Reason = true, ReasonIOSS
		if r.dutyPerItem.Amount > 0 {
			a.DutyPerItem = r.dutyPerItem
		}
	} else {
		a.Reason = ReasonImport
	}
	if b2b {
		// A business without a validated number cannot use the reverse charge: it is
		// invoiced like a consumer, and the reason says so.
		a.Reason = ReasonB2BNoNumber
	}
	return a
}

// MessageKey is the i18n catalog key of the sentence that explains the assessment to a
// customer ("vat_ioss", with the VAT amount as {0}), or "" when there is nothing to tell
// a customer (not an EU destination, value not in euros).
func (a Assessment) MessageKey() string {
	switch a.Reason {
	case ReasonIOSS, ReasonImport, ReasonReverseCharge, ReasonB2BNoNumber:
		return "vat_" + a.Reason
	}
	return ""
}

// Default returns the rules embedded in the binary. It panics if the embedded file is
// invalid, which the package's tests rule out.
func Default() *Rules { return defaultRules() }

var defaultRules = rulefile.Embedded(embedded, Load)

// file is the JSON form of a rates file.
type file struct {
	Version                  string     `json:"version"`
	Effective                string     `json:"effective"`
	Source                   string     `json:"source"`
	IOSSThreshold            *moneyJSON `json:"ioss_threshold"`
	DistanceSellingThreshold *moneyJSON `json:"distance_selling_threshold"`
	LowValueDuty             *struct {
		PerTariffItem *moneyJSON `json:"per_tariff_item"`
		From          string     `json:"from"`
		Until         string     `json:"until"`
		Note          string     `json:"note"`
	} `json:"low_value_duty"`
	Countries []countryJSON `json:"countries"`
}

type moneyJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type countryJSON struct {
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	VATPrefix    string    `json:"vat_prefix"`
	Currency     string    `json:"currency"`
	Standard     float64   `json:"standard"`
	Reduced      []float64 `json:"reduced"`
	SuperReduced float64   `json:"super_reduced"`
	Parking      float64   `json:"parking"`
	Note         string    `json:"note"`
}

// Load reads a rates file (the format of the embedded rates.json) and checks it. Errors
// name the field and the entry at fault: `countries[3] (CY): standard 14 is below the EU
// minimum of 15%`.
func Load(rd io.Reader) (*Rules, error) {
	var f file
	if err := rulefile.Decode(rd, "vat rates file", &f); err != nil {
		return nil, fmt.Errorf("vat: %w", err)
	}
	r, err := build(f)
	if err != nil {
		return nil, fmt.Errorf("vat: rates file %q: %w", f.Version, err)
	}
	return r, nil
}

func build(f file) (*Rules, error) {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	r := &Rules{
		version:        strings.TrimSpace(f.Version),
		source:         strings.TrimSpace(f.Source),
		countries:      make(map[string]Country),
		countryByAlias: make(map[string]string),
	}
	if r.version == "" {
		bad("version: missing")
	}
	if r.source == "" {
		bad("source: missing (say where the rates come from)")
	}
	var err error
	if r.effective, err = time.Parse(time.DateOnly, f.Effective); err != nil {
		bad("effective: %q is not a date (YYYY-MM-DD)", f.Effective)
	}
	if r.iossThreshold, err = f.IOSSThreshold.money("ioss_threshold"); err != nil {
		bad("%w", err)
	} else if r.iossThreshold.Currency != "EUR" {
		bad("ioss_threshold: currency %s, want EUR", r.iossThreshold.Currency)
	}
	if r.distanceSales, err = f.DistanceSellingThreshold.money("distance_selling_threshold"); err != nil {
		bad("%w", err)
	}
	if d := f.LowValueDuty; d != nil {
		if r.dutyPerItem, err = d.PerTariffItem.money("low_value_duty.per_tariff_item"); err != nil {
			bad("%w", err)
		}
		if r.dutyFrom, err = time.Parse(time.DateOnly, d.From); err != nil {
			bad("low_value_duty.from: %q is not a date", d.From)
		}
		if d.Until != "" {
			if r.dutyUntil, err = time.Parse(time.DateOnly, d.Until); err != nil {
				bad("low_value_duty.until: %q is not a date", d.Until)
			}
		}
		// The file describes the law on its effective date: a duty not yet (or no longer)
		// in force then is not applied.
		if r.effective.Before(r.dutyFrom) || (!r.dutyUntil.IsZero() && !r.effective.Before(r.dutyUntil)) {
			r.dutyPerItem = commerce.Money{}
		}
	}
	if len(f.Countries) == 0 {
		bad("countries: none")
	}
	for i, cj := range f.Countries {
		c, errs := cj.country()
		for _, e := range errs {
			bad("countries[%d] (%s): %w", i, cj.Code, e)
		}
		if _, dup := r.countries[c.Code]; dup {
			bad("countries[%d] (%s): listed twice", i, cj.Code)
		}
		r.countries[c.Code] = c
		if c.VATPrefix != c.Code {
			r.countryByAlias[c.VATPrefix] = c.Code
		}
	}
	return r, errors.Join(problems...)
}

func (m *moneyJSON) money(field string) (commerce.Money, error) {
	if m == nil {
		return commerce.Money{}, fmt.Errorf("%s: missing", field)
	}
	v, err := parseAmount(m.Amount, m.Currency)
	if err != nil {
		return commerce.Money{}, fmt.Errorf("%s: %w", field, err)
	}
	return v, nil
}

// parseAmount reads a decimal amount in major units ("150.00") exactly, refusing more
// decimals than the currency has.
func parseAmount(s, cur string) (commerce.Money, error) {
	cur = strings.ToUpper(strings.TrimSpace(cur))
	scale, err := commerce.Scale(cur)
	if err != nil {
		return commerce.Money{}, err
	}
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" || len(frac) > scale || strings.Trim(whole+frac, "0123456789") != "" {
		return commerce.Money{}, fmt.Errorf("amount %q is not a decimal number with at most %d decimals", s, scale)
	}
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", scale-len(frac)), 10, 64)
	if err != nil {
		return commerce.Money{}, fmt.Errorf("amount %q: %w", s, err)
	}
	return commerce.Money{Amount: n, Currency: cur}, nil
}

func (cj countryJSON) country() (Country, []error) {
	var errs []error
	c := Country{
		Code:      strings.ToUpper(strings.TrimSpace(cj.Code)),
		Name:      strings.TrimSpace(cj.Name),
		VATPrefix: strings.ToUpper(strings.TrimSpace(cj.VATPrefix)),
		Currency:  strings.ToUpper(strings.TrimSpace(cj.Currency)),
		Note:      cj.Note,
	}
	if len(c.Code) != 2 {
		errs = append(errs, fmt.Errorf("code: %q is not a two-letter country code", cj.Code))
	}
	if c.Name == "" {
		errs = append(errs, errors.New("name: missing"))
	}
	if len(c.VATPrefix) != 2 {
		errs = append(errs, fmt.Errorf("vat_prefix: %q is not two letters", cj.VATPrefix))
	}
	if _, err := commerce.Scale(c.Currency); err != nil {
		errs = append(errs, fmt.Errorf("currency: %w", err))
	}
	rate := func(field string, v float64) Rate {
		bp := math.Round(v * 100)
		if v < 0 || v >= 100 || math.Abs(bp-v*100) > 1e-6 {
			errs = append(errs, fmt.Errorf("%s: %v is not a percentage with at most two decimals", field, v))
		}
		return Rate(bp)
	}
	c.Standard = rate("standard", cj.Standard)
	if cj.Standard < 15 {
		errs = append(errs, fmt.Errorf("standard: %v is below the EU minimum of 15%%", cj.Standard))
	}
	for i, v := range cj.Reduced {
		rr := rate(fmt.Sprintf("reduced[%d]", i), v)
		switch {
		case v < 5:
			errs = append(errs, fmt.Errorf("reduced[%d]: %v is below 5%% (a lower rate is super_reduced)", i, v))
		case rr >= c.Standard:
			errs = append(errs, fmt.Errorf("reduced[%d]: %v is not below the standard rate", i, v))
		case i > 0 && rr <= c.Reduced[i-1]:
			errs = append(errs, fmt.Errorf("reduced[%d]: %v is not above reduced[%d]", i, v, i-1))
		}
		c.Reduced = append(c.Reduced, rr)
	}
	if len(c.Reduced) > 2 {
		errs = append(errs, fmt.Errorf("reduced: %d rates; the VAT Directive allows two", len(c.Reduced)))
	}
	c.SuperReduced = rate("super_reduced", cj.SuperReduced)
	if cj.SuperReduced >= 5 {
		errs = append(errs, fmt.Errorf("super_reduced: %v is not below 5%%", cj.SuperReduced))
	}
	c.Parking = rate("parking", cj.Parking)
	if cj.Parking != 0 && (cj.Parking < 12 || c.Parking >= c.Standard) {
		errs = append(errs, fmt.Errorf("parking: %v is not between 12%% and the standard rate", cj.Parking))
	}
	return c, errs
}
