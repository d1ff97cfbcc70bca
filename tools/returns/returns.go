// Package returns holds the return and withdrawal rules of each market a shop sells into:
// how long after delivery a customer may send goods back (the statutory right of
// withdrawal in the EU/EEA, the UK and Brazil, and the shop's own policy everywhere),
// which product categories are excluded, how soon the refund is due, and where the money
// may go back to.
//
// The rules are data: returns.json (embedded, with a version) or a shop's own file read
// with Load. Statutory windows carry their legal basis; everything else is marked as the
// shop's configuration. Every answer carries the rules version, so a tool can record it.
//
// It is not a returns workflow and not legal advice: it books no return and moves no
// money, it does not know public holidays (a statutory deadline falling on a weekend is
// moved to Monday where the market says so, nothing more), and it cannot see whether a
// seal was broken — a conditional exclusion is reported for the agent to ask about.
package returns

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/attache-dev/attache/internal/rulefile"
)

//go:embed returns.json
var embedded []byte

// Reason codes of an Eligibility: stable identifiers a tool records and the agent explains
// through the catalog sentence "returns_" + code.
const (
	ReasonStatutory     = "statutory"      // within the legal right of withdrawal
	ReasonShopPolicy    = "shop_policy"    // past the legal window (or none), within the shop's
	ReasonNotDelivered  = "not_delivered"  // not delivered yet: the window has not started
	ReasonWindowClosed  = "window_closed"  // too late
	ReasonExcluded      = "excluded"       // the category cannot be returned in this market
	ReasonUnknownMarket = "unknown_market" // the file has no rules for the market
)

// Conditions under which a category that is otherwise returnable is excluded.
const (
	ConditionSealBroken = "seal_broken" // excluded once the customer has broken the seal
)

// Refund destinations.
const (
	ToOriginalPayment = "original_payment_method"
	ToStoreCredit     = "store_credit"
	ToBankTransfer    = "bank_transfer"
	ToGiftCard        = "gift_card"
	ToEWallet         = "ewallet"
)

var destinations = []string{ToOriginalPayment, ToStoreCredit, ToBankTransfer, ToGiftCard, ToEWallet}

// Exclusion is a product category a market excludes from returns.
type Exclusion struct {
	Category  string
	Condition string // "" = always excluded; ConditionSealBroken = only once unsealed
	Basis     string // the legal provision, where there is one
}

// Market is the return rules of a group of countries.
type Market struct {
	ID                 string
	Countries          []string
	StatutoryDays      int    // 0: no statutory right of withdrawal
	LegalBasis         string // the law behind StatutoryDays or the market's rule
	ShopDays           int
	ExtendToWorkingDay bool // a deadline on Saturday or Sunday moves to Monday
	RefundWithinDays   int  // refund due within this many days of the withdrawal
	Excluded           []Exclusion
	refundDestinations map[string][]string
}

// Days is the effective window: the longer of the statutory and the shop's.
func (m Market) Days() int { return max(m.StatutoryDays, m.ShopDays) }

// Eligibility is the answer to "may this item still be returned?".
type Eligibility struct {
	OK bool
	// Deadline is the instant the window closes: midnight after its last day, in the time
	// zone of deliveredAt. Zero when not delivered or not eligible at all.
	Deadline time.Time
	// Statutory: the return is (still) within the legal right of withdrawal, not a
	// goodwill policy of the shop.
	Statutory bool
	// Condition, when OK: the return is allowed only if it does not hold (ConditionSealBroken:
	// the agent must ask whether the seal is intact).
	Condition    string
	Reason       string // one of the Reason constants
	Market       string // the market's ID
	RulesVersion string
}

// LastDay is the last calendar day on which the item may be returned (the day before
// Deadline), the date to tell a customer; zero when Deadline is.
func (e Eligibility) LastDay() time.Time {
	if e.Deadline.IsZero() {
		return time.Time{}
	}
	return e.Deadline.AddDate(0, 0, -1)
}

// MessageKey is the i18n catalog key of the sentence that tells a customer the answer:
// "returns_statutory" or "returns_shop_policy" ({0} the LastDay, formatted for the
// locale), "returns_window_closed", "returns_excluded"; "" when there is no such
// sentence (not delivered yet, unknown market). When Condition is ConditionSealBroken,
// "returns_seal_condition" is said as well.
func (e Eligibility) MessageKey() string {
	switch e.Reason {
	case ReasonStatutory, ReasonShopPolicy, ReasonWindowClosed, ReasonExcluded:
		return "returns_" + e.Reason
	}
	return ""
}

// KeySealCondition is the catalog key of the sentence about an unbroken seal.
const KeySealCondition = "returns_seal_condition"

// Rules are the return rules of one version of a returns file. They are read-only after
// Load and safe for concurrent use.
type Rules struct {
	version      string
	note         string
	markets      []Market
	byCountry    map[string]int // country → index in markets
	destinations map[string][]string
}

// Version is the version string of the rules file, to record with every decision.
func (r *Rules) Version() string { return r.version }

// Note is the file's statement of what is law and what is the shop's configuration.
func (r *Rules) Note() string { return r.note }

// Market returns the rules that apply to a country (ISO 3166-1 alpha-2; UK is read as GB).
func (r *Rules) Market(country string) (Market, bool) {
	c := strings.ToUpper(strings.TrimSpace(country))
	if c == "UK" {
		c = "GB"
	}
	i, ok := r.byCountry[c]
	if !ok {
		return Market{}, false
	}
	return r.markets[i], true
}

// Eligible says whether an item of category delivered at deliveredAt (zero: not yet
// delivered) to a customer in market (a country code) may be returned at now.
func (r *Rules) Eligible(market string, deliveredAt, now time.Time, category string) Eligibility {
	e := Eligibility{RulesVersion: r.version}
	m, ok := r.Market(market)
	if !ok {
		e.Reason = ReasonUnknownMarket
		return e
	}
	e.Market = m.ID
	category = strings.ToLower(strings.TrimSpace(category))
	for _, x := range m.Excluded {
		if x.Category != category {
			continue
		}
		if x.Condition == "" {
			e.Reason = ReasonExcluded
			return e
		}
		e.Condition = x.Condition
	}
	if deliveredAt.IsZero() {
		e.OK, e.Reason, e.Statutory = true, ReasonNotDelivered, m.StatutoryDays > 0
		return e
	}
	e.Deadline = m.deadline(deliveredAt, m.Days())
	switch {
	case m.StatutoryDays > 0 && now.Before(m.deadline(deliveredAt, m.StatutoryDays)):
		e.OK, e.Statutory, e.Reason = true, true, ReasonStatutory
	case now.Before(e.Deadline):
		e.OK, e.Reason = true, ReasonShopPolicy
	default:
		e.Reason = ReasonWindowClosed
		e.Condition = ""
	}
	return e
}

// deadline is midnight after the last day of a window of days days that starts the day
// after delivery, the last day moved past a weekend where the market says so (the EU's
// rule on periods, Regulation 1182/71).
func (m Market) deadline(deliveredAt time.Time, days int) time.Time {
	y, mo, d := deliveredAt.Date()
	last := time.Date(y, mo, d+days, 0, 0, 0, 0, deliveredAt.Location())
	if m.ExtendToWorkingDay {
		switch last.Weekday() {
		case time.Saturday:
			last = last.AddDate(0, 0, 2)
		case time.Sunday:
			last = last.AddDate(0, 0, 1)
		}
	}
	return last.AddDate(0, 0, 1)
}

// RefundDue is the latest time the refund of a withdrawal made at withdrawnAt is due in
// market; ok is false when the market is unknown. (In the EU a trader may hold the
// refund until the goods, or proof of their dispatch, are back.)
func (r *Rules) RefundDue(market string, withdrawnAt time.Time) (due time.Time, ok bool) {
	m, ok := r.Market(market)
	if !ok {
		return time.Time{}, false
	}
	return withdrawnAt.AddDate(0, 0, m.RefundWithinDays), true
}

// RefundDestinations lists where a refund of an order paid with paymentKind (a
// commerce.PaymentMethod kind: "credit_card", "paypal", "cod", "gift_card", ...) may go in
// market, the default first: the original payment method unless the order was paid on
// delivery (then a bank transfer) — store credit only where the customer chooses it.
func (r *Rules) RefundDestinations(market, paymentKind string) []string {
	kind := strings.ToLower(strings.TrimSpace(paymentKind))
	m, _ := r.Market(market)
	for _, d := range [][]string{m.refundDestinations[kind], r.destinations[kind], m.refundDestinations["default"]} {
		if len(d) > 0 {
			return slices.Clone(d)
		}
	}
	return slices.Clone(r.destinations["default"])
}

// Default returns the rules embedded in the binary. It panics if the embedded file is
// invalid, which the package's tests rule out.
func Default() *Rules { return defaultRules() }

var defaultRules = rulefile.Embedded(embedded, Load)

type fileJSON struct {
	Version             string              `json:"version"`
	Note                string              `json:"note"`
	DefaultDestinations map[string][]string `json:"default_refund_destinations"`
	Markets             []marketJSON        `json:"markets"`
}

type marketJSON struct {
	ID                 string              `json:"id"`
	Countries          []string            `json:"countries"`
	StatutoryDays      int                 `json:"statutory_days"`
	LegalBasis         string              `json:"legal_basis"`
	ShopDays           int                 `json:"shop_days"`
	ExtendToWorkingDay bool                `json:"extend_to_working_day"`
	RefundWithinDays   int                 `json:"refund_within_days"`
	Excluded           []exclusionJSON     `json:"excluded"`
	RefundDestinations map[string][]string `json:"refund_destinations"`
}

type exclusionJSON struct {
	Category  string `json:"category"`
	Condition string `json:"condition"`
	Basis     string `json:"basis"`
}

// Load reads a returns file (the format of the embedded returns.json) and checks it.
// Errors name the entry and field at fault: `markets[1] (uk): statutory_days: ...`.
func Load(rd io.Reader) (*Rules, error) {
	var f fileJSON
	if err := rulefile.Decode(rd, "returns rules file", &f); err != nil {
		return nil, fmt.Errorf("returns: %w", err)
	}
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	r := &Rules{
		version:      strings.TrimSpace(f.Version),
		note:         strings.TrimSpace(f.Note),
		byCountry:    make(map[string]int),
		destinations: f.DefaultDestinations,
	}
	if r.version == "" {
		bad("version: missing")
	}
	if r.note == "" {
		bad("note: missing (say what is law and what is the shop's configuration)")
	}
	if len(f.DefaultDestinations["default"]) == 0 {
		bad(`default_refund_destinations: no "default" list`)
	}
	for _, err := range checkDestinations("default_refund_destinations", f.DefaultDestinations) {
		bad("%w", err)
	}
	if d := f.DefaultDestinations["cod"]; len(d) > 0 && d[0] == ToOriginalPayment {
		bad("default_refund_destinations.cod: cash paid on delivery cannot go back to the original payment method")
	}
	ids := make(map[string]bool)
	for i, mj := range f.Markets {
		where := fmt.Sprintf("markets[%d] (%s)", i, mj.ID)
		m := Market{
			ID: strings.TrimSpace(mj.ID), StatutoryDays: mj.StatutoryDays, LegalBasis: mj.LegalBasis,
			ShopDays: mj.ShopDays, ExtendToWorkingDay: mj.ExtendToWorkingDay, RefundWithinDays: mj.RefundWithinDays,
			refundDestinations: mj.RefundDestinations,
		}
		if m.ID == "" || ids[m.ID] {
			bad("%s: id missing or used twice", where)
		}
		ids[m.ID] = true
		if m.StatutoryDays < 0 || m.ShopDays < 0 || m.Days() == 0 {
			bad("%s: statutory_days %d, shop_days %d: at least one window must be positive", where, m.StatutoryDays, m.ShopDays)
		}
		if m.StatutoryDays > 0 && strings.TrimSpace(m.LegalBasis) == "" {
			bad("%s: legal_basis: a statutory window needs its legal basis", where)
		}
		if m.RefundWithinDays <= 0 {
			bad("%s: refund_within_days: must be positive", where)
		}
		if len(mj.Countries) == 0 {
			bad("%s: countries: none", where)
		}
		for _, c := range mj.Countries {
			c = strings.ToUpper(strings.TrimSpace(c))
			if len(c) != 2 {
				bad("%s: countries: %q is not a two-letter country code", where, c)
			}
			if j, dup := r.byCountry[c]; dup {
				bad("%s: countries: %s is already in markets[%d]", where, c, j)
			}
			r.byCountry[c] = i
			m.Countries = append(m.Countries, c)
		}
		for j, xj := range mj.Excluded {
			x := Exclusion{Category: strings.ToLower(strings.TrimSpace(xj.Category)), Condition: xj.Condition, Basis: xj.Basis}
			if x.Category == "" {
				bad("%s: excluded[%d]: category missing", where, j)
			}
			if x.Condition != "" && x.Condition != ConditionSealBroken {
				bad("%s: excluded[%d] (%s): condition %q is not %q", where, j, x.Category, x.Condition, ConditionSealBroken)
			}
			m.Excluded = append(m.Excluded, x)
		}
		for _, err := range checkDestinations(where+": refund_destinations", mj.RefundDestinations) {
			bad("%w", err)
		}
		if d := mj.RefundDestinations["cod"]; len(d) > 0 && d[0] == ToOriginalPayment {
			bad("%s: refund_destinations.cod: cash paid on delivery cannot go back to the original payment method", where)
		}
		r.markets = append(r.markets, m)
	}
	if err := errors.Join(problems...); err != nil {
		return nil, fmt.Errorf("returns: rules file %q: %w", r.version, err)
	}
	return r, nil
}

func checkDestinations(where string, m map[string][]string) []error {
	var errs []error
	for _, kind := range sortedKeys(m) {
		if len(m[kind]) == 0 {
			errs = append(errs, fmt.Errorf("%s.%s: empty list", where, kind))
		}
		for _, d := range m[kind] {
			if !slices.Contains(destinations, d) {
				errs = append(errs, fmt.Errorf("%s.%s: %q is not one of %s", where, kind, d, strings.Join(destinations, ", ")))
			}
		}
	}
	return errs
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
