package vat

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/attache-dev/attache/tools/commerce"
)

func eur(cents int64) commerce.Money { return commerce.Money{Amount: cents, Currency: "EUR"} }

// TestEmbeddedRules loads the shipped file and checks it against facts a shop would notice
// if they were wrong.
func TestEmbeddedRules(t *testing.T) {
	t.Parallel()
	r, err := Load(bytes.NewReader(embedded))
	if err != nil {
		t.Fatalf("embedded rates.json: %v", err)
	}
	if r.Version() == "" || r.Effective().IsZero() || r.Source() == "" {
		t.Errorf("version %q, effective %v, source %q: all must be set", r.Version(), r.Effective(), r.Source())
	}
	if got := len(r.Countries()); got != 27 {
		t.Errorf("%d member states, want 27", got)
	}
	if got := r.IOSSThreshold(); got != eur(15000) {
		t.Errorf("IOSS threshold %v, want 150.00 EUR", got)
	}
	if got := r.DistanceSellingThreshold(); got != eur(1000000) {
		t.Errorf("distance-selling threshold %v, want 10000.00 EUR", got)
	}
	for _, c := range r.Countries() {
		if _, err := ValidateNumber(c.VATPrefix + "0"); errors.Is(err, ErrInvalidNumber) && strings.Contains(err.Error(), "is not the prefix") {
			t.Errorf("%s: VAT prefix %s has no number rule", c.Code, c.VATPrefix)
		}
	}
	if Default().Version() != r.Version() {
		t.Errorf("Default() is not the embedded file")
	}
}

func TestRate(t *testing.T) {
	t.Parallel()
	r := Default()
	tests := []struct {
		country, category string
		want              string // "" when an error is expected
		err               error
	}{
		{"DE", Standard, "19%", nil},
		{"de", Reduced, "7%", nil},
		{"EE", Standard, "24%", nil},
		{"FI", Standard, "25.5%", nil},
		{"FI", Reduced2, "13.5%", nil},
		{"RO", Standard, "21%", nil},
		{"RO", Reduced, "11%", nil},
		{"SK", Standard, "23%", nil},
		{"LT", Reduced2, "12%", nil},
		{"HU", Standard, "27%", nil},
		{"LU", Standard, "17%", nil},
		{"LU", Parking, "14%", nil},
		{"FR", SuperReduced, "2.1%", nil},
		{"IE", SuperReduced, "4.8%", nil},
		{"EL", Standard, "24%", nil},
		{"GR", Reduced, "6%", nil},
		{"DK", Reduced, "", ErrNoSuchRate},
		{"DE", SuperReduced, "", ErrNoSuchRate},
		{"GB", Standard, "", ErrUnknownCountry},
		{"CH", Standard, "", ErrUnknownCountry},
		{"DE", "luxury", "", nil},
	}
	for _, tt := range tests {
		got, err := r.Rate(tt.country, tt.category)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("Rate(%s, %s) = %v, want an error", tt.country, tt.category, got)
		case tt.want == "" && tt.err != nil && !errors.Is(err, tt.err):
			t.Errorf("Rate(%s, %s) error %v, want %v", tt.country, tt.category, err, tt.err)
		case tt.want != "" && (err != nil || got.String() != tt.want):
			t.Errorf("Rate(%s, %s) = %v, %v; want %s", tt.country, tt.category, got, err, tt.want)
		}
	}
}

func TestForConsignment(t *testing.T) {
	t.Parallel()
	r := Default()
	tests := []struct {
		name       string
		country    string
		value      commerce.Money
		b2b, valid bool
		want       Assessment
	}{
		{"IOSS, Germany", "DE", eur(10000), false, false,
			Assessment{Country: "DE", Decided: true, IOSS: true, Rate: 1900, VAT: eur(1900), DutyPerItem: eur(300), Reason: ReasonIOSS}},
		{"exactly 150 is still IOSS", "FR", eur(15000), false, false,
			Assessment{Country: "FR", Decided: true, IOSS: true, Rate: 2000, VAT: eur(3000), DutyPerItem: eur(300), Reason: ReasonIOSS}},
		{"one cent over 150: import VAT", "FR", eur(15001), false, false,
			Assessment{Country: "FR", Decided: true, Rate: 2000, VAT: eur(3000), Reason: ReasonImport}},
		{"Finland rounds half away from zero", "FI", eur(1234), false, false,
			Assessment{Country: "FI", Decided: true, IOSS: true, Rate: 2550, VAT: eur(315), DutyPerItem: eur(300), Reason: ReasonIOSS}},
		{"Greek destination given as EL", "el", eur(5000), false, false,
			Assessment{Country: "GR", Decided: true, IOSS: true, Rate: 2400, VAT: eur(1200), DutyPerItem: eur(300), Reason: ReasonIOSS}},
		{"B2B with a valid number: reverse charge", "NL", eur(50000), true, true,
			Assessment{Country: "NL", Decided: true, ReverseCharge: true, Rate: 2100, VAT: eur(0), Reason: ReasonReverseCharge}},
		{"B2B without a valid number is taxed like a consumer", "NL", eur(5000), true, false,
			Assessment{Country: "NL", Decided: true, IOSS: true, Rate: 2100, VAT: eur(1050), DutyPerItem: eur(300), Reason: ReasonB2BNoNumber}},
		{"value in zloty cannot be tested against 150 EUR", "PL", commerce.Money{Amount: 20000, Currency: "PLN"}, false, false,
			Assessment{Country: "PL", Rate: 2300, Reason: ReasonNeedsEUR}},
		{"outside the EU", "CH", eur(5000), false, false,
			Assessment{Country: "CH", Reason: ReasonNotEU}},
		{"UK is not in the EU", "GB", eur(5000), false, false,
			Assessment{Country: "GB", Reason: ReasonNotEU}},
	}
	for _, tt := range tests {
		got := r.ForConsignment(tt.country, tt.value, tt.b2b, tt.valid)
		tt.want.RulesVersion = r.Version()
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestDestinationVAT(t *testing.T) {
	t.Parallel()
	r := Default()
	tests := []struct {
		this, last commerce.Money
		dest, ok   bool
	}{
		{eur(900000), eur(500000), false, true},
		{eur(1000000), eur(0), false, true}, // reaching the threshold is not exceeding it
		{eur(1000001), eur(0), true, true},
		{eur(0), eur(1200000), true, true}, // exceeded last year
		{commerce.Money{Amount: 1, Currency: "SEK"}, eur(0), false, false},
	}
	for _, tt := range tests {
		dest, ok := r.DestinationVAT(tt.this, tt.last)
		if dest != tt.dest || ok != tt.ok {
			t.Errorf("DestinationVAT(%v, %v) = %v, %v; want %v, %v", tt.this, tt.last, dest, ok, tt.dest, tt.ok)
		}
	}
}

// TestLoadErrors feeds broken files: each error must name the field and the entry.
func TestLoadErrors(t *testing.T) {
	t.Parallel()
	valid := string(embedded)
	tests := []struct {
		name, from, to, want string
	}{
		{"no version", `"version": "2026-07-01.1"`, `"version": ""`, "version: missing"},
		{"bad date", `"effective": "2026-07-01"`, `"effective": "1 July 2026"`, `effective: "1 July 2026" is not a date`},
		{"standard too low", `"code": "CY", "name": "Cyprus", "vat_prefix": "CY", "currency": "EUR", "standard": 19`,
			`"code": "CY", "name": "Cyprus", "vat_prefix": "CY", "currency": "EUR", "standard": 14`, "countries[4] (CY): standard: 14 is below the EU minimum"},
		{"reduced not ascending", `"reduced": [5, 18]`, `"reduced": [18, 5]`, "(HU): reduced[1]"},
		{"reduced above standard", `"standard": 19, "reduced": [7]`, `"standard": 19, "reduced": [21]`, "(DE): reduced[0]: 21 is not below the standard rate"},
		{"three decimals", `"standard": 25.5`, `"standard": 25.55`, ""},
		{"unknown currency", `"currency": "DKK"`, `"currency": "DKX"`, "(DK): currency"},
		{"duplicate country", `{"code": "SE"`, `{"code": "DE"`, "(DE): listed twice"},
		{"threshold too precise", `"amount": "150.00"`, `"amount": "150.001"`, "ioss_threshold: amount \"150.001\""},
		{"unknown field", `"source":`, `"sauce": "x", "source":`, `unknown field "sauce"`},
	}
	for _, tt := range tests {
		if !strings.Contains(valid, tt.from) {
			t.Fatalf("%s: the embedded file no longer contains %q", tt.name, tt.from)
		}
		_, err := Load(strings.NewReader(strings.Replace(valid, tt.from, tt.to, 1)))
		if tt.want == "" {
			// 25.55 has two decimals: it must load.
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
	if _, err := Load(strings.NewReader(strings.Replace(valid, `"standard": 25.5`, `"standard": 25.555`, 1))); err == nil ||
		!strings.Contains(err.Error(), "(FI): standard: 25.555 is not a percentage with at most two decimals") {
		t.Errorf("three-decimal rate: err = %v", err)
	}
}
