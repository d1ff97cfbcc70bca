package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/attache-dev/attache/tools/commerce"
)

type lookupArgs struct {
	OrderID string   `json:"order_id" desc:"the order number"`
	Reason  string   `json:"reason,omitempty" enum:"no longer needed,ordered by mistake"`
	Items   []string `json:"item_ids,omitempty"`
	Count   int      `json:"count,omitempty"`
}

func TestSchemaAndDecodeAgree(t *testing.T) {
	t.Parallel()
	var s map[string]any
	if err := json.Unmarshal(Schema[lookupArgs](), &s); err != nil {
		t.Fatal(err)
	}
	props := s["properties"].(map[string]any)
	if len(props) != 4 || s["required"].([]any)[0] != "order_id" || len(s["required"].([]any)) != 1 {
		t.Fatalf("schema = %v", s)
	}
	if props["reason"].(map[string]any)["enum"] == nil || props["item_ids"].(map[string]any)["type"] != "array" {
		t.Errorf("schema properties = %v", props)
	}
	for _, c := range []struct{ args, err string }{
		{`{"order_id":"#W1"}`, ""},
		{`{"order_id":"#W1","reason":"ordered by mistake","item_ids":["1"],"count":2}`, ""},
		{`{}`, "order_id: required"},
		{`{"order_id":null}`, "order_id: required"},
		{`{"order_id":1}`, "order_id: must be string"},
		{`{"order_id":"#W1","extra":1}`, "unknown field"},
		{`{"order_id":"#W1","reason":"changed my mind"}`, "reason: must be one of"},
		{`[1]`, "arguments"},
		{``, "order_id: required"},
	} {
		_, err := Decode[lookupArgs](json.RawMessage(c.args))
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("Decode(%s) = %v, want error containing %q", c.args, err, c.err)
		}
	}
}

func TestKeyIgnoresOrderAndSpacing(t *testing.T) {
	t.Parallel()
	k := func(conv, name, args string) string {
		key, err := Key(conv, Call{Name: name, Args: json.RawMessage(args)})
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	a := k("c1", "refund_order", `{"order_id":"DE-1","amount":12.5}`)
	if b := k("c1", "refund_order", "{ \"amount\": 12.5,\n \"order_id\": \"DE-1\" }"); a != b {
		t.Errorf("same call, different keys: %s %s", a, b)
	}
	for _, other := range []string{
		k("c2", "refund_order", `{"order_id":"DE-1","amount":12.5}`),
		k("c1", "refund_order", `{"order_id":"DE-1","amount":12.50}`), // a model's different number is a different request
		k("c1", "cancel_order", `{"order_id":"DE-1","amount":12.5}`),
	} {
		if other == a {
			t.Errorf("different calls share key %s", a)
		}
	}
	if !strings.HasPrefix(a, "refund_order:") {
		t.Errorf("key %s does not name its tool", a)
	}
	if _, err := Key("c", Call{Name: "x", Args: json.RawMessage(`"str"`)}); err == nil {
		t.Error("Key accepted non-object arguments")
	}
}

func TestBudget(t *testing.T) {
	t.Parallel()
	b := Budget{MaxCalls: 3, MaxIdentical: 2}
	var l Ledger
	var got []string
	for _, key := range []string{"a", "a", "a", "b", "c"} {
		ok, reason := b.Spend(&l, key)
		if ok {
			reason = "ok"
		}
		got = append(got, reason)
	}
	if want := "ok ok budget_identical ok budget_calls"; strings.Join(got, " ") != want {
		t.Errorf("spends = %v, want %s", got, want)
	}
}

type fakeTool struct{ spec Spec }

func (f fakeTool) Spec() Spec { return f.spec }
func (f fakeTool) Run(context.Context, Invocation) (Result, error) {
	return Result{Outcome: OK}, nil
}

type fakePreviewTool struct{ fakeTool }

func (f fakePreviewTool) Preview(context.Context, Invocation) (Result, error) {
	return Result{Outcome: OK}, nil
}

func TestRegistryChecksSpecs(t *testing.T) {
	t.Parallel()
	params := Schema[lookupArgs]()
	eur := map[string]commerce.Money{"DE": {Amount: 10000, Currency: "EUR"}}
	good := []Tool{
		fakeTool{Spec{Name: "get_order", Description: "d", Parameters: params, Effect: Read}},
		fakePreviewTool{fakeTool{Spec{Name: "refund", Description: "d", Parameters: params, Effect: MoveMoney, Confirm: true, ApproveAbove: eur}}},
	}
	r, err := NewRegistry(good...)
	if err != nil {
		t.Fatal(err)
	}
	if specs := r.Specs(); len(specs) != 2 || specs[0].Name != "get_order" {
		t.Errorf("Specs() = %v", specs)
	}
	for name, bad := range map[string]Tool{
		"bad name":            fakeTool{Spec{Name: "Get-Order", Description: "d", Parameters: params, Effect: Read}},
		"no description":      fakeTool{Spec{Name: "x", Parameters: params, Effect: Read}},
		"schema not object":   fakeTool{Spec{Name: "x", Description: "d", Parameters: json.RawMessage(`{"type":"string"}`), Effect: Read}},
		"read that confirms":  fakePreviewTool{fakeTool{Spec{Name: "x", Description: "d", Parameters: params, Effect: Read, Confirm: true}}},
		"write w/o confirm":   fakeTool{Spec{Name: "x", Description: "d", Parameters: params, Effect: Write}},
		"confirm w/o preview": fakeTool{Spec{Name: "x", Description: "d", Parameters: params, Effect: Write, Confirm: true}},
		"money w/o limits":    fakePreviewTool{fakeTool{Spec{Name: "x", Description: "d", Parameters: params, Effect: MoveMoney, Confirm: true}}},
		"unknown effect":      fakeTool{Spec{Name: "x", Description: "d", Parameters: params, Effect: "delete"}},
	} {
		if _, err := NewRegistry(bad); err == nil {
			t.Errorf("%s: registry accepted it", name)
		}
	}
	if _, err := NewRegistry(good[0], good[0]); err == nil {
		t.Error("registry accepted a duplicate name")
	}
}

func TestNeedsApproval(t *testing.T) {
	t.Parallel()
	s := Spec{ApproveAbove: map[string]commerce.Money{"DE": {Amount: 10000, Currency: "EUR"}, "*": {Amount: 5000, Currency: "USD"}}}
	for _, c := range []struct {
		market string
		amount commerce.Money
		want   bool
	}{
		{"DE", commerce.Money{Amount: 10000, Currency: "EUR"}, false},
		{"DE", commerce.Money{Amount: 10001, Currency: "EUR"}, true},
		{"US", commerce.Money{Amount: 4000, Currency: "USD"}, false},
		{"TH", commerce.Money{Amount: 100, Currency: "THB"}, true}, // no limit in baht: a person decides
	} {
		if got := s.NeedsApproval(c.market, &c.amount); got != c.want {
			t.Errorf("NeedsApproval(%s, %v) = %v, want %v", c.market, c.amount, got, c.want)
		}
	}
	if (Spec{}).NeedsApproval("DE", &commerce.Money{Amount: 1 << 40, Currency: "EUR"}) {
		t.Error("a tool without limits needed approval")
	}
}
