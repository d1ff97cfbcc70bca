package orders_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
	"github.com/attache-dev/attache/tools/orders"
)

var retryFixtures atomic.Int64

// TestARetryAfterALostResponseIsTheFirstResult: the shop made the change but its answer
// was lost, so the activity runs the same call (same key) again. The retry must report the
// change that happened — not refuse because the order is no longer in the state the first
// attempt found — and change nothing more.
func TestARetryAfterALostResponseIsTheFirstResult(t *testing.T) {
	ctx := context.Background()
	shop := pgstore.New(pgtest.Pool(t), pgtest.Logger())
	n := retryFixtures.Add(1)
	cust := fmt.Sprintf("retry-%d-%d", time.Now().UnixNano(), n)
	eur := func(c int64) commerce.Money { return commerce.Money{Amount: c, Currency: "EUR"} }
	card := "card-" + cust
	order := func(id, status string) commerce.Order {
		return commerce.Order{ID: id, CustomerID: cust, Market: "DE", Status: status, PlacedAt: time.Now().Add(-72 * time.Hour),
			DeliveredAt: time.Now().Add(-48 * time.Hour),
			Items:       []commerce.Item{{ItemID: "i-" + cust, ProductID: "p-" + cust, Name: "Lamp", Price: eur(4900)}},
			Payments:    []commerce.Transaction{{Kind: "payment", Amount: eur(4900), PaymentMethodID: card, At: time.Now().Add(-72 * time.Hour)}}}
	}
	base := fmt.Sprintf("RT-%d%d", time.Now().UnixNano()%1_000_000_000, n) // order numbers are upper case
	ids := map[string]string{"cancel": base + "P", "return": base + "D", "refund": base + "R"}
	err := shop.Put(ctx, pgstore.Data{
		Products: []commerce.Product{{ID: "p-" + cust, Name: "Lamp", Variants: []commerce.Variant{{ItemID: "i-" + cust, Available: true, Price: eur(4900)}}}},
		Customers: []commerce.Customer{{ID: cust, FirstName: "Anna", LastName: "Retry", Email: cust + "@example.com", Market: "DE",
			PaymentMethods: []commerce.PaymentMethod{{ID: card, Kind: "credit_card"}}, OrderIDs: []string{ids["cancel"], ids["return"], ids["refund"]}}},
		Orders: []commerce.Order{order(ids["cancel"], commerce.StatusPending), order(ids["return"], commerce.StatusDelivered),
			order(ids["refund"], commerce.StatusDelivered)},
	})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := tools.NewRegistry(orders.Tools{Shop: shop}.All()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"cancel_pending_order", map[string]any{"order_id": ids["cancel"], "reason": "no longer needed"}},
		{"return_delivered_order_items", map[string]any{"order_id": ids["return"], "item_ids": []string{"i-" + cust}, "payment_method_id": card}},
		{"refund_order", map[string]any{"order_id": ids["refund"], "reason": "damaged", "amount": 20}},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			tl, _ := reg.Tool(tc.tool)
			args, _ := json.Marshal(tc.args)
			inv := tools.Invocation{Call: tools.Call{Name: tc.tool, Args: args}, Key: tc.tool + ":" + cust, Market: "DE",
				Identity: tools.Identity{CustomerID: cust, Method: "email"}}
			first, err := tl.Run(ctx, inv)
			if err != nil || first.Outcome != tools.OK || !first.Verified {
				t.Fatalf("first attempt: %+v, %v", first, err)
			}
			// The answer is lost; the activity runs again with the same key.
			again, err := tl.Run(ctx, inv)
			if err != nil || again.Outcome != tools.OK || !again.Verified || again.Amount == nil || first.Amount == nil ||
				*again.Amount != *first.Amount {
				t.Fatalf("retry: %+v, %v; want the first result %+v", again, err, first)
			}
			o, err := shop.Order(ctx, tc.args["order_id"].(string))
			if err != nil {
				t.Fatal(err)
			}
			refunds := 0
			for _, p := range o.Payments {
				if p.Kind == "refund" {
					refunds++
				}
			}
			if refunds != 1 {
				t.Fatalf("%d refunds on the order, want 1", refunds)
			}
			// A new request (another key) on the changed order is still refused.
			inv.Key += "-other"
			if tc.tool != "refund_order" {
				if r, _ := tl.Run(ctx, inv); r.Outcome != tools.Refused {
					t.Fatalf("a new request after the change: %+v, want a refusal", r)
				}
			}
		})
	}
}
