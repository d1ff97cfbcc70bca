package vat

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/attache-dev/attache/tools"
)

func runInfo(t *testing.T, args string) (tools.Result, Info) {
	t.Helper()
	r, err := Tool{}.Run(context.Background(), tools.Invocation{Call: tools.Call{Name: ToolName, Args: json.RawMessage(args)}})
	if err != nil {
		t.Fatalf("vat_info %s: %v", args, err)
	}
	var info Info
	if r.Outcome == tools.OK {
		if err := json.Unmarshal(r.Data, &info); err != nil {
			t.Fatalf("vat_info %s: data %s: %v", args, r.Data, err)
		}
	}
	return r, info
}

// TestInfoTool asks what customers ask: the rate of a country, whether an order under
// €150 pays VAT on delivery, whether a VAT number is right, whether a business pays VAT.
func TestInfoTool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, args string
		outcome    tools.Outcome
		eu         bool
		standard   string
		reduced    []string
		key        string // the assessment's message key, "" = no assessment
		vat        string // the VAT of the assessment
		number     *NumberInfo
	}{
		{name: "Germany", args: `{"country":"DE"}`, outcome: tools.OK, eu: true, standard: "19%", reduced: []string{"7%"}},
		{name: "Greece by its VAT prefix", args: `{"country":"EL"}`, outcome: tools.OK, eu: true, standard: "24%"},
		{name: "under €150: IOSS", args: `{"country":"fr","amount":100,"currency":"EUR"}`, outcome: tools.OK, eu: true,
			standard: "20%", key: "vat_ioss", vat: "20.00"},
		{name: "exactly €150: still IOSS", args: `{"country":"DE","amount":150,"currency":"EUR"}`, outcome: tools.OK, eu: true,
			standard: "19%", reduced: []string{"7%"}, key: "vat_ioss", vat: "28.50"},
		{name: "above €150: import VAT", args: `{"country":"DE","amount":150.01,"currency":"EUR"}`, outcome: tools.OK, eu: true,
			standard: "19%", reduced: []string{"7%"}, key: "vat_import", vat: "28.50"},
		{name: "a value in dollars cannot be tested offline", args: `{"country":"DE","amount":100,"currency":"USD"}`,
			outcome: tools.OK, eu: true, standard: "19%", reduced: []string{"7%"}},
		{name: "business with a valid number: reverse charge", args: `{"country":"DE","vat_number":"DE 136 695 976","b2b":true}`,
			outcome: tools.OK, eu: true, standard: "19%", reduced: []string{"7%"}, key: "vat_reverse_charge",
			number: &NumberInfo{Number: "DE136695976", WellFormed: true, ChecksumValid: true, Country: "DE"}},
		{name: "a mistyped number: well formed, check digit wrong", args: `{"country":"DE","vat_number":"DE136695977"}`,
			outcome: tools.OK, eu: true, standard: "19%", reduced: []string{"7%"}, key: "vat_b2b_no_number",
			number: &NumberInfo{Number: "DE136695977", WellFormed: true}},
		{name: "a number of the wrong shape", args: `{"country":"DE","vat_number":"DE12345"}`,
			outcome: tools.OK, eu: true, standard: "19%", reduced: []string{"7%"}, key: "vat_b2b_no_number",
			number: &NumberInfo{Number: "DE12345"}},
		{name: "Switzerland is not in the EU", args: `{"country":"CH","amount":100,"currency":"EUR"}`, outcome: tools.OK},
		{name: "not a country", args: `{"country":"Germany"}`, outcome: tools.Invalid},
		{name: "unknown currency", args: `{"country":"DE","amount":5,"currency":"XYZ"}`, outcome: tools.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, info := runInfo(t, tt.args)
			if r.Outcome != tt.outcome {
				t.Fatalf("outcome %s (%s), want %s", r.Outcome, r.Detail, tt.outcome)
			}
			if r.Outcome != tools.OK {
				return
			}
			if info.EU != tt.eu || info.StandardRate != tt.standard || (tt.reduced != nil && !slices.Equal(info.ReducedRates, tt.reduced)) {
				t.Errorf("eu %v standard %q reduced %v; want %v %q %v", info.EU, info.StandardRate, info.ReducedRates, tt.eu, tt.standard, tt.reduced)
			}
			if info.IOSSThreshold.Decimal != "150.00" || info.IOSSThreshold.Currency != "EUR" {
				t.Errorf("IOSS threshold %+v, want 150.00 EUR", info.IOSSThreshold)
			}
			key, vat := "", ""
			if a := info.Assessment; a != nil {
				key = a.MessageKey
				if a.VAT != nil {
					vat = a.VAT.Decimal
				}
			}
			if key != tt.key || vat != tt.vat {
				t.Errorf("assessment %+v: key %q VAT %q, want %q %q", info.Assessment, key, vat, tt.key, tt.vat)
			}
			if tt.number != nil {
				n := info.VATNumber
				if n == nil || n.Number != tt.number.Number || n.WellFormed != tt.number.WellFormed ||
					n.ChecksumValid != tt.number.ChecksumValid || n.Country != tt.number.Country {
					t.Errorf("VAT number %+v, want %+v", n, tt.number)
				}
				if n != nil && !n.WellFormed && n.Problem == "" {
					t.Errorf("an invalid number without a problem stated: %+v", n)
				}
			}
		})
	}
}

func TestInfoSpecIsARead(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(Tool{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := reg.Spec(ToolName)
	if s.Effect != tools.Read || s.Confirm || s.Identity {
		t.Errorf("spec %+v: want a read tool without confirmation or identity", s)
	}
}
