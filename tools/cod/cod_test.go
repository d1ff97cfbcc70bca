package cod

import (
	"bytes"
	"strings"
	"testing"

	"github.com/attache-dev/attache/tools/commerce"
)

func money(amount int64, cur string) commerce.Money {
	return commerce.Money{Amount: amount, Currency: cur}
}

// TestEmbeddedRules loads the shipped file and checks that it covers the markets the
// product promises, with a refusal policy and at least one COD carrier where COD is on.
func TestEmbeddedRules(t *testing.T) {
	t.Parallel()
	r, err := Load(bytes.NewReader(embedded))
	if err != nil {
		t.Fatalf("embedded cod.json: %v", err)
	}
	if r.Version() == "" || !strings.Contains(r.Note(), "configuration") {
		t.Errorf("version %q, note %q: the file must be versioned and say it is the shop's configuration", r.Version(), r.Note())
	}
	for _, code := range []string{"TH", "VN", "ID", "MY", "PH", "SG", "SA", "AE", "QA", "KW", "BH", "OM", "EG", "JO"} {
		c, ok := r.Country(code)
		if !ok {
			t.Errorf("%s: no rules", code)
			continue
		}
		scale, _ := commerce.Scale(c.Currency)
		for _, k := range c.Carriers {
			for _, m := range []commerce.Money{k.MaxOrder, k.FeeFlat, k.FeeMin} {
				if m.Currency != c.Currency {
					t.Errorf("%s %s: amount in %s, country currency %s", code, k.ID, m.Currency, c.Currency)
				}
			}
			if k.Available {
				// A fee above a tenth of the smallest sensible order (10 major units) is a typo.
				if fee := k.Fee(money(pow10(scale)*100, c.Currency)); fee.Amount > pow10(scale)*100/10+k.FeeFlat.Amount+k.FeeMin.Amount {
					t.Errorf("%s %s: fee %v on an order of 100 is implausible", code, k.ID, fee)
				}
			}
		}
	}
	if c, _ := r.Country("SG"); c.Available {
		t.Errorf("SG: cash on delivery should be off (uncommon there)")
	}
	if Default().Version() != r.Version() {
		t.Errorf("Default() is not the embedded file")
	}
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func TestCheck(t *testing.T) {
	t.Parallel()
	r := Default()
	tests := []struct {
		name             string
		country, carrier string
		value            commerce.Money
		allowed          bool
		fee              commerce.Money
		reason           string
	}{
		{"Flash, 3% of 1,000 baht", "TH", "Flash Express", money(100000, "THB"), true, money(3000, "THB"), ""},
		{"Flash minimum fee", "th", "flash", money(10000, "THB"), true, money(1500, "THB"), ""},
		{"Kerry by its old name", "TH", "Kerry Express", money(100000, "THB"), true, money(3000, "THB"), ""},
		{"Thailand Post flat fee", "TH", "Thailand Post", money(500000, "THB"), true, money(2000, "THB"), ""},
		{"Thailand Post above its 20,000 limit", "TH", "Thailand Post", money(2000001, "THB"), false, commerce.Money{}, ReasonOverLimit},
		{"Kerry capped by the country's 30,000", "TH", "KEX", money(3500000, "THB"), false, commerce.Money{}, ReasonOverLimit},
		{"J&T by a spelling of its name", "VN", "J&T", money(500000, "VND"), true, money(10000, "VND"), ""},
		{"GHN percent of dong, no minor unit", "VN", "GHN", money(3000000, "VND"), true, money(15000, "VND"), ""},
		{"LBC flat plus percent", "PH", "LBC", money(200000, "PHP"), true, money(6000, "PHP"), ""},
		{"Kuwaiti dinar, three decimals", "KW", "Aramex", money(25000, "KWD"), true, money(1000, "KWD"), ""},
		{"Aramex UAE flat plus 1%", "AE", "aramex", money(50000, "AED"), true, money(1500, "AED"), ""},
		{"Singapore: off", "SG", "Ninja Van", money(5000, "SGD"), false, commerce.Money{}, ReasonCountryUnavailable},
		{"Pos Laju without COD", "MY", "Pos Laju", money(5000, "MYR"), false, commerce.Money{}, ReasonCarrierUnavailable},
		{"carrier not serving the country", "SA", "Thailand Post", money(5000, "SAR"), false, commerce.Money{}, ReasonUnknownCarrier},
		{"price in dollars", "SA", "SMSA", money(5000, "USD"), false, commerce.Money{}, ReasonWrongCurrency},
		{"zero value", "SA", "SMSA", money(0, "SAR"), false, commerce.Money{}, ReasonInvalidValue},
		{"no rules for Germany", "DE", "DHL", money(5000, "EUR"), false, commerce.Money{}, ReasonNoRules},
	}
	for _, tt := range tests {
		d := r.Check(tt.country, tt.carrier, tt.value)
		if d.Allowed != tt.allowed || d.Fee != tt.fee || d.Reason != tt.reason || d.RulesVersion != r.Version() {
			t.Errorf("%s: Check(%s, %s, %v) = %+v; want allowed=%v fee=%v reason=%q", tt.name, tt.country, tt.carrier, tt.value, d, tt.allowed, tt.fee, tt.reason)
		}
	}
}

func TestCarriersAndRefusal(t *testing.T) {
	t.Parallel()
	r := Default()
	var ids []string
	for _, c := range r.Carriers("TH") {
		ids = append(ids, c.ID)
	}
	if got := strings.Join(ids, ","); got != "thailand_post,kerry,flash,jnt" {
		t.Errorf("Carriers(TH) = %s", got)
	}
	if got := r.Carriers("US"); got != nil {
		t.Errorf("Carriers(US) = %v, want nil", got)
	}
	p, ok := r.RefusalPolicy("TH")
	if !ok || !p.ReturnShippingCharged || p.Blocks(1) || !p.Blocks(2) {
		t.Errorf("RefusalPolicy(TH) = %+v, %v: want return shipping charged, blocked at the second refusal", p, ok)
	}
	if p, ok := r.RefusalPolicy("VN"); !ok || p.ReturnShippingCharged {
		t.Errorf("RefusalPolicy(VN) = %+v: want no return shipping charged", p)
	}
	if _, ok := r.RefusalPolicy("FR"); ok {
		t.Errorf("RefusalPolicy(FR): want no policy")
	}
	if (RefusalPolicy{}).Blocks(100) {
		t.Errorf("a policy without block_after blocks")
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	valid := string(embedded)
	tests := []struct{ name, from, to, want string }{
		{"no version", `"version": "2026-11-shop.1"`, `"version": " "`, "version: missing"},
		{"too many decimals for dong", `"fee_flat": "10000"}`, `"fee_flat": "10000.5"}`, `countries[1] (VN): carriers[2] (jnt): fee_flat: "10000.5" is not a decimal amount with at most 0 decimals for VND`},
		{"percent above 100", `"fee_percent": "0.5", "fee_min": "5000"}`, `"fee_percent": "150", "fee_min": "5000"}`, `countries[1] (VN): carriers[0] (ghn): fee_percent`},
		{"bad currency", `"currency": "THB"`, `"currency": "BAHT"`, `countries[0] (TH): currency`},
		{"duplicate carrier name", `"id": "flash", "name": "Flash Express"`, `"id": "flash", "name": "Thailand Post"`, `countries[0] (TH): carriers[2] (flash): "Thailand Post" also names carriers[0]`},
		{"refusal missing", `"refusal": {"return_shipping_charged": true, "block_after": 2, "window_days": 180, "note": "Return shipping of a refused parcel is added to the customer's next order."},`, ``, `countries[0] (TH): refusal: missing`},
		{"unknown field", `"available": true, "max_order": "30000"`, `"available": true, "max_ordr": "30000"`, `unknown field "max_ordr"`},
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
