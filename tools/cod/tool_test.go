package cod

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/attache-dev/attache/tools"
)

func runInfo(t *testing.T, args string) (tools.Result, Info) {
	t.Helper()
	r, err := Tool{}.Run(context.Background(), tools.Invocation{Call: tools.Call{Name: ToolName, Args: json.RawMessage(args)}})
	if err != nil {
		t.Fatalf("cod_info %s: %v", args, err)
	}
	var info Info
	if r.Outcome == tools.OK {
		if err := json.Unmarshal(r.Data, &info); err != nil {
			t.Fatalf("cod_info %s: data %s: %v", args, r.Data, err)
		}
	}
	return r, info
}

// TestInfoTool asks what a customer would ask: is COD offered here, with whom, up to
// what, at what fee, and what if I refuse the parcel.
func TestInfoTool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, args   string
		outcome      tools.Outcome
		available    bool
		carriers     int
		maxOrder     string // decimal, "" = none
		decisionKey  string // "" = no decision
		fee, limit   string // of the decision
		blockAfter   int
		chargeReturn bool
	}{
		{name: "Thailand, no amount", args: `{"country":"TH"}`, outcome: tools.OK, available: true, carriers: 4,
			maxOrder: "30000.00", blockAfter: 2, chargeReturn: true},
		{name: "Thailand, small order: the cheapest carrier", args: `{"country":"th","amount":1000}`, outcome: tools.OK,
			available: true, carriers: 4, maxOrder: "30000.00", decisionKey: "cod_allowed", fee: "20.00", blockAfter: 2, chargeReturn: true},
		{name: "Thailand, above every limit", args: `{"country":"TH","amount":40000,"currency":"THB"}`, outcome: tools.OK,
			available: true, carriers: 4, maxOrder: "30000.00", decisionKey: "cod_over_limit", limit: "30000.00", blockAfter: 2, chargeReturn: true},
		{name: "Thailand Post above its own limit", args: `{"country":"TH","carrier":"thailand post","amount":25000}`, outcome: tools.OK,
			available: true, carriers: 4, maxOrder: "30000.00", decisionKey: "cod_over_limit", limit: "20000.00", blockAfter: 2, chargeReturn: true},
		{name: "Vietnam: refusals block, return not charged", args: `{"country":"VN"}`, outcome: tools.OK, available: true, carriers: 4,
			maxOrder: "20000000", blockAfter: 2},
		{name: "Singapore: not offered", args: `{"country":"SG","amount":50}`, outcome: tools.OK, decisionKey: "cod_country_unavailable"},
		{name: "Germany: no rules", args: `{"country":"DE"}`, outcome: tools.OK},
		{name: "not a country", args: `{"country":"XX"}`, outcome: tools.Invalid},
		{name: "negative amount", args: `{"country":"TH","amount":-5}`, outcome: tools.Invalid},
		{name: "unknown currency", args: `{"country":"TH","amount":5,"currency":"ABC"}`, outcome: tools.Invalid},
		{name: "unknown field", args: `{"country":"TH","cod":true}`, outcome: tools.Invalid},
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
			if info.Available != tt.available || len(info.Carriers) != tt.carriers {
				t.Errorf("available %v with %d carriers, want %v with %d", info.Available, len(info.Carriers), tt.available, tt.carriers)
			}
			max := ""
			if info.MaxOrder != nil {
				max = info.MaxOrder.Decimal
			}
			if max != tt.maxOrder {
				t.Errorf("max order %q, want %q", max, tt.maxOrder)
			}
			if tt.available && (info.Refusal == nil || info.Refusal.BlockAfter != tt.blockAfter || info.Refusal.ReturnShippingCharged != tt.chargeReturn) {
				t.Errorf("refusal rule %+v, want block after %d, return charged %v", info.Refusal, tt.blockAfter, tt.chargeReturn)
			}
			d := info.Decision
			if (d == nil) != (tt.decisionKey == "") {
				t.Fatalf("decision %+v, want key %q", d, tt.decisionKey)
			}
			if d == nil {
				return
			}
			if d.MessageKey != tt.decisionKey {
				t.Errorf("decision key %q, want %q", d.MessageKey, tt.decisionKey)
			}
			if tt.fee != "" && (d.Fee == nil || d.Fee.Decimal != tt.fee || r.Amount == nil || r.Amount.Amount != d.Fee.Minor) {
				t.Errorf("fee %+v (result amount %v), want %s", d.Fee, r.Amount, tt.fee)
			}
			if tt.limit != "" && (d.Limit == nil || d.Limit.Decimal != tt.limit) {
				t.Errorf("limit %+v, want %s", d.Limit, tt.limit)
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
