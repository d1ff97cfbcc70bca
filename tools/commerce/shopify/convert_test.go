package shopify

import (
	"testing"
	"time"

	"github.com/attache-dev/attache/tools/commerce"
)

func TestOrderStatus(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ful := func(status, display string) fulfillmentNode {
		return fulfillmentNode{Status: status, DisplayStatus: display}
	}
	tests := []struct {
		name string
		o    orderNode
		want string
	}{
		{"unfulfilled", orderNode{DisplayFulfillmentStatus: "UNFULFILLED"}, commerce.StatusPending},
		{"on hold", orderNode{DisplayFulfillmentStatus: "ON_HOLD"}, commerce.StatusPending},
		{"scheduled", orderNode{DisplayFulfillmentStatus: "SCHEDULED"}, commerce.StatusPending},
		{"in progress", orderNode{DisplayFulfillmentStatus: "IN_PROGRESS"}, commerce.StatusProcessed},
		{"partially fulfilled", orderNode{DisplayFulfillmentStatus: "PARTIALLY_FULFILLED",
			Fulfillments: []fulfillmentNode{ful("SUCCESS", "DELIVERED")}}, commerce.StatusProcessed},
		{"fulfilled, in transit", orderNode{DisplayFulfillmentStatus: "FULFILLED",
			Fulfillments: []fulfillmentNode{ful("SUCCESS", "IN_TRANSIT")}}, commerce.StatusProcessed},
		{"fulfilled, one of two delivered", orderNode{DisplayFulfillmentStatus: "FULFILLED",
			Fulfillments: []fulfillmentNode{ful("SUCCESS", "DELIVERED"), ful("SUCCESS", "OUT_FOR_DELIVERY")}}, commerce.StatusProcessed},
		{"fulfilled, all delivered, one cancelled", orderNode{DisplayFulfillmentStatus: "FULFILLED",
			Fulfillments: []fulfillmentNode{ful("SUCCESS", "DELIVERED"), ful("CANCELLED", "CANCELED")}}, commerce.StatusDelivered},
		{"return requested", orderNode{DisplayFulfillmentStatus: "FULFILLED", ReturnStatus: "RETURN_REQUESTED",
			Fulfillments: []fulfillmentNode{ful("SUCCESS", "DELIVERED")}}, commerce.StatusReturnRequested},
		{"returned", orderNode{DisplayFulfillmentStatus: "FULFILLED", ReturnStatus: "RETURNED",
			Fulfillments: []fulfillmentNode{ful("SUCCESS", "DELIVERED")}}, commerce.StatusDelivered},
		{"cancelled wins", orderNode{CancelledAt: at, DisplayFulfillmentStatus: "UNFULFILLED", ReturnStatus: "RETURN_REQUESTED"}, commerce.StatusCancelled},
	}
	for _, tt := range tests {
		if got := orderStatus(tt.o); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestMoneyBothWays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text, currency string
		minor          int64
		back           string
	}{
		{"49.99", "EUR", 4999, "49.99"},
		{"4500.0", "JPY", 4500, "4500"},
		{"0.5", "USD", 50, "0.50"},
		{"12.345", "KWD", 12345, "12.345"},
		{"0.01", "EUR", 1, "0.01"},
	}
	for _, tt := range tests {
		m, err := money(moneyV2{Amount: tt.text, CurrencyCode: tt.currency})
		if err != nil || m.Amount != tt.minor {
			t.Errorf("money(%s %s) = %v, %v; want %d", tt.text, tt.currency, m, err, tt.minor)
			continue
		}
		if d, err := decimal(m); err != nil || d != tt.back {
			t.Errorf("decimal(%v) = %q, %v; want %q", m, d, err, tt.back)
		}
	}
	if _, err := money(moneyV2{Amount: "abc", CurrencyCode: "EUR"}); err == nil {
		t.Error("an unreadable amount must be an error")
	}
}

func TestMarker(t *testing.T) {
	t.Parallel()
	key := "conversation/7f3a/turn 2]/1"
	note := "damaged " + marker(key, "0123456789abcdef")
	if found, same := findMarker(note, key, "0123456789abcdef"); !found || !same {
		t.Errorf("own marker not found in %q", note)
	}
	if found, same := findMarker(note, key, "ffffffffffffffff"); !found || same {
		t.Error("a different request under the same key must be told apart")
	}
	if found, _ := findMarker(note, "conversation/7f3a/turn 2]/2", "0123456789abcdef"); found {
		t.Error("another key matched")
	}
	if k, _, _ := parseMarker(note); k != key {
		t.Errorf("parsed key %q, want %q", k, key)
	}
	first, again := shopifyKey(key), shopifyKey(key)
	if first != again || first == shopifyKey(key+"x") || len(first) != 36 {
		t.Error("shopifyKey must be a stable UUID per key")
	}
}
