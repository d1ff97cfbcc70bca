package returns

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestEmbeddedRules(t *testing.T) {
	t.Parallel()
	r, err := Load(bytes.NewReader(embedded))
	if err != nil {
		t.Fatalf("embedded returns.json: %v", err)
	}
	if r.Version() == "" || !strings.Contains(r.Note(), "configuration") {
		t.Errorf("version %q, note %q", r.Version(), r.Note())
	}
	// Every EU member state and the EEA states have the 14-day statutory right.
	for _, c := range strings.Fields("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO GB") {
		m, ok := r.Market(c)
		if !ok || m.StatutoryDays != 14 || m.RefundWithinDays > 14 || !strings.Contains(m.LegalBasis, "14 days") {
			t.Errorf("%s: market %+v: want a 14-day statutory window with its legal basis and refund within 14 days", c, m)
		}
	}
	for _, c := range strings.Fields("US SA AE TH VN ID JP BR EG") {
		if _, ok := r.Market(c); !ok {
			t.Errorf("%s: no return rules", c)
		}
	}
	if Default().Version() != r.Version() {
		t.Errorf("Default() is not the embedded file")
	}
}

func TestEligible(t *testing.T) {
	t.Parallel()
	r := Default()
	// Delivered Monday 2 November 2026, 15:00 UTC.
	delivered := day("2026-11-02 15:00")
	tests := []struct {
		name      string
		market    string
		delivered time.Time
		now       time.Time
		category  string
		want      Eligibility
	}{
		{"EU, day 14, statutory", "DE", delivered, day("2026-11-16 23:59"), "apparel",
			Eligibility{OK: true, Statutory: true, Reason: ReasonStatutory, Deadline: day("2026-12-03 00:00"), Market: "eu_eea"}},
		{"EU, day 15: past the law, within the shop's 30 days", "FR", delivered, day("2026-11-17 00:00"), "apparel",
			Eligibility{OK: true, Reason: ReasonShopPolicy, Deadline: day("2026-12-03 00:00"), Market: "eu_eea"}},
		{"EU, day 31: closed", "FR", delivered, day("2026-12-03 00:00"), "apparel",
			Eligibility{Reason: ReasonWindowClosed, Deadline: day("2026-12-03 00:00"), Market: "eu_eea"}},
		{"EU, perishables excluded", "IT", delivered, day("2026-11-03 10:00"), "perishable",
			Eligibility{Reason: ReasonExcluded, Market: "eu_eea"}},
		{"EU, personalised excluded", "ES", delivered, day("2026-11-03 10:00"), "Personalised",
			Eligibility{Reason: ReasonExcluded, Market: "eu_eea"}},
		{"EU, hygiene allowed while sealed", "NL", delivered, day("2026-11-03 10:00"), "hygiene",
			Eligibility{OK: true, Statutory: true, Condition: ConditionSealBroken, Reason: ReasonStatutory, Deadline: day("2026-12-03 00:00"), Market: "eu_eea"}},
		{"UK, reading the code UK", "UK", delivered, day("2026-11-10 10:00"), "",
			Eligibility{OK: true, Statutory: true, Reason: ReasonStatutory, Deadline: day("2026-12-03 00:00"), Market: "uk"}},
		{"Saudi Arabia, shop's 7 days, day 8", "SA", delivered, day("2026-11-10 00:00"), "",
			Eligibility{Reason: ReasonWindowClosed, Deadline: day("2026-11-10 00:00"), Market: "gulf"}},
		{"UAE, day 7", "AE", delivered, day("2026-11-09 22:00"), "",
			Eligibility{OK: true, Reason: ReasonShopPolicy, Deadline: day("2026-11-10 00:00"), Market: "gulf"}},
		{"US, 30 days", "US", delivered, day("2026-11-30 12:00"), "electronics",
			Eligibility{OK: true, Reason: ReasonShopPolicy, Deadline: day("2026-12-03 00:00"), Market: "north_america"}},
		{"Brazil, 7 statutory days", "BR", delivered, day("2026-11-09 12:00"), "",
			Eligibility{OK: true, Statutory: true, Reason: ReasonStatutory, Deadline: day("2026-11-10 00:00"), Market: "br"}},
		{"not delivered yet", "DE", time.Time{}, day("2026-11-10 12:00"), "",
			Eligibility{OK: true, Statutory: true, Reason: ReasonNotDelivered, Market: "eu_eea"}},
		{"unknown market", "KR", delivered, day("2026-11-03 12:00"), "",
			Eligibility{Reason: ReasonUnknownMarket}},
	}
	for _, tt := range tests {
		got := r.Eligible(tt.market, tt.delivered, tt.now, tt.category)
		tt.want.RulesVersion = r.Version()
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

// TestStatutoryWeekend: 14 days from a delivery on Saturday 7 November 2026 end on
// Saturday 21 November; in the EU the period runs to the end of Monday 23 November.
func TestStatutoryWeekend(t *testing.T) {
	t.Parallel()
	m, _ := Default().Market("DE")
	got := m.deadline(day("2026-11-07 09:00"), m.StatutoryDays)
	if want := day("2026-11-24 00:00"); !got.Equal(want) {
		t.Errorf("deadline = %v, want %v", got, want)
	}
	uk, _ := Default().Market("GB")
	if got, want := uk.deadline(day("2026-11-07 09:00"), 14), day("2026-11-22 00:00"); !got.Equal(want) {
		t.Errorf("UK deadline = %v, want %v (no weekend extension)", got, want)
	}
}

func TestRefundDestinations(t *testing.T) {
	t.Parallel()
	r := Default()
	tests := []struct {
		market, kind string
		want         []string
	}{
		{"DE", "credit_card", []string{ToOriginalPayment, ToStoreCredit}},
		{"DE", "paypal", []string{ToOriginalPayment, ToStoreCredit}},
		{"SA", "cod", []string{ToBankTransfer, ToStoreCredit}},
		{"TH", "cod", []string{ToBankTransfer, ToEWallet, ToStoreCredit}},
		{"TH", "credit_card", []string{ToOriginalPayment, ToStoreCredit}},
		{"US", "gift_card", []string{ToGiftCard, ToStoreCredit}},
		{"KR", "COD", []string{ToBankTransfer, ToStoreCredit}}, // unknown market: the file's defaults
	}
	for _, tt := range tests {
		got := r.RefundDestinations(tt.market, tt.kind)
		if !slices.Equal(got, tt.want) {
			t.Errorf("RefundDestinations(%s, %s) = %v, want %v", tt.market, tt.kind, got, tt.want)
		}
		if slices.Contains(got, ToOriginalPayment) && strings.EqualFold(tt.kind, "cod") {
			t.Errorf("RefundDestinations(%s, cod) offers the original payment method: cash cannot go back to a courier", tt.market)
		}
	}
	got := r.RefundDestinations("DE", "credit_card")
	got[0] = "mutated"
	if r.RefundDestinations("DE", "credit_card")[0] != ToOriginalPayment {
		t.Errorf("RefundDestinations returns the rules' own slice")
	}
}

func TestRefundDue(t *testing.T) {
	t.Parallel()
	due, ok := Default().RefundDue("AT", day("2026-11-10 08:00"))
	if !ok || !due.Equal(day("2026-11-24 08:00")) {
		t.Errorf("RefundDue(AT) = %v, %v; want 14 days later", due, ok)
	}
	if _, ok := Default().RefundDue("KR", day("2026-11-10 08:00")); ok {
		t.Errorf("RefundDue(KR): want no rules")
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	valid := string(embedded)
	tests := []struct{ name, from, to, want string }{
		{"no version", `"version": "2026-11-shop.1"`, `"version": ""`, "version: missing"},
		{"misspelt field", `"legal_basis": "Código`, `"legal_basi_": "Código`, `unknown field "legal_basi_"`},
		{"statutory without basis", `"legal_basis": "Código de Defesa do Consumidor (Lei 8.078/1990), art. 49: 7 days from receipt for purchases made outside a shop, refund without delay.",`, ``, "markets[2] (br): legal_basis: a statutory window needs its legal basis"},
		{"country in two markets", `"countries": ["GB"]`, `"countries": ["DE"]`, "markets[1] (uk): countries: DE is already in markets[0]"},
		{"cod to the card", `"cod": ["bank_transfer", "ewallet", "store_credit"]`, `"cod": ["original_payment_method"]`, "markets[6] (southeast_asia): refund_destinations.cod: cash paid on delivery"},
		{"unknown destination", `"gift_card": ["gift_card", "store_credit"]`, `"gift_card": ["voucher"]`, `default_refund_destinations.gift_card: "voucher" is not one of`},
		{"bad condition", `{"category": "hygiene", "condition": "seal_broken", "basis": "reg. 28(3)(a)"}`, `{"category": "hygiene", "condition": "opened", "basis": "reg. 28(3)(a)"}`, `markets[1] (uk): excluded[2] (hygiene): condition "opened"`},
		{"no window", `"id": "japan",
      "countries": ["JP"],
      "shop_days": 14`, `"id": "japan",
      "countries": ["JP"],
      "shop_days": 0`, "markets[7] (japan): statutory_days 0, shop_days 0"},
	}
	for _, tt := range tests {
		if !strings.Contains(valid, tt.from) {
			t.Fatalf("%s: the embedded file no longer contains %q", tt.name, tt.from)
		}
		_, err := Load(strings.NewReader(strings.Replace(valid, tt.from, tt.to, 1)))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}
