package evals

import (
	"strings"
	"testing"
	"time"
)

// TestEachAttemptGetsItsOwnShop: the demo market's customer and orders are copied under the
// attempt's tag, and the case's turns and expectations are rewritten the same way — so two
// attempts never share an order, and a case still reads as the demo's names.
func TestEachAttemptGetsItsOwnShop(t *testing.T) {
	days := 40.0
	f := Fixtures{Demo: []string{"DE"}, Orders: []OrderFixture{{ID: "DE-20001", Like: "DE-10002", DeliveredDaysAgo: &days}}}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	shop, err := f.Build(now, "Q123456")
	if err != nil {
		t.Fatal(err)
	}
	if len(shop.Data.Customers) != 1 || shop.Data.Customers[0].Email != "lena.schmidt+Q123456@example.com" {
		t.Fatalf("customers %+v: want Lena under the attempt's e-mail", shop.Data.Customers)
	}
	ids := map[string]bool{}
	for _, o := range shop.Data.Orders {
		ids[o.ID] = true
		if !strings.HasSuffix(o.CustomerID, "-Q123456") {
			t.Errorf("order %s belongs to %s, not the attempt's customer", o.ID, o.CustomerID)
		}
		for _, p := range o.Payments {
			if p.PaymentMethodID != "" && !strings.HasSuffix(p.PaymentMethodID, "-Q123456") {
				t.Errorf("order %s paid with %s, not the attempt's method", o.ID, p.PaymentMethodID)
			}
		}
	}
	for _, want := range []string{"DE-10001-Q123456", "DE-10004-Q123456", "DE-20001-Q123456"} {
		if !ids[want] {
			t.Errorf("orders %v lack %s", ids, want)
		}
	}
	for _, o := range shop.Data.Orders {
		if o.ID == "DE-20001-Q123456" && !o.DeliveredAt.Equal(now.Add(-40*24*time.Hour)) {
			t.Errorf("the copy was delivered %v, want 40 days ago", o.DeliveredAt)
		}
	}
	seen := map[string]bool{}
	for _, p := range shop.Data.Parcels {
		if seen[p.TrackingID] || !strings.HasSuffix(p.TrackingID, "123456") {
			t.Errorf("parcel %s: want a tracking ID of the attempt's own", p.TrackingID)
		}
		seen[p.TrackingID] = true
	}

	c := Case{Customer: Customer{Email: "lena.schmidt@example.com"},
		Turns:  []Turn{{Text: "Wo ist DE-10001? Und DE-100011 gibt es nicht."}},
		Expect: Expect{Tools: []ToolExpect{{Name: "track_order", Args: map[string]any{"order_id": "DE-10001"}}}, ReplyContains: []Needle{{"DE-10001"}}, Orders: []OrderExpect{{ID: "DE-20001"}}}}
	rc := c.rewrite(shop.Rewrite)
	if rc.Turns[0].Text != "Wo ist DE-10001-Q123456? Und DE-100011 gibt es nicht." {
		t.Errorf("turn %q: want the attempt's order ID, and a longer number left alone", rc.Turns[0].Text)
	}
	if rc.Expect.Tools[0].Args["order_id"] != "DE-10001-Q123456" || rc.Expect.ReplyContains[0][0] != "DE-10001-Q123456" ||
		rc.Expect.Orders[0].ID != "DE-20001-Q123456" || rc.Customer.Email != "lena.schmidt+Q123456@example.com" {
		t.Errorf("expectations %+v: want the attempt's names", rc.Expect)
	}
	if got := shop.Rewrite.Replace("注文番号DE-10001の状況"); got != "注文番号DE-10001-Q123456の状況" {
		t.Errorf("%q: want the name renamed where a Japanese letter follows it", got)
	}
	if c.Turns[0].Text != "Wo ist DE-10001? Und DE-100011 gibt es nicht." || c.Expect.Tools[0].Args["order_id"] != "DE-10001" {
		t.Error("rewriting changed the set's own case")
	}
	other, _ := f.Build(now, "Q654321")
	if other.Data.Orders[0].ID == shop.Data.Orders[0].ID {
		t.Error("two attempts share an order ID")
	}
	for _, bad := range []string{"123456", "q123", "Q12a"} {
		if _, err := f.Build(now, bad); err == nil {
			t.Errorf("tag %q was accepted", bad)
		}
	}
}
