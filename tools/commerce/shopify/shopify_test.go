package shopify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/testutil/shopifystub"
	"github.com/attache-dev/attache/internal/testutil/syncbuf"
	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/shopify"
)

// shop is a seeded stub with the IDs of what it holds.
type shop struct {
	stub                                    *shopifystub.Server
	customer, product, red, blue            string
	pending, shipped, delivered, cancelled  string // order GIDs
	cod                                     string
	pendingName, shippedName, deliveredName string
}

var placed = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

func newShop(t testing.TB, opts ...shopifystub.Option) *shop {
	t.Helper()
	s := &shop{stub: shopifystub.New(t, opts...)}
	st := s.stub
	s.customer = st.AddCustomer(shopifystub.Customer{
		FirstName: "Lena", LastName: "Vogel", Email: "lena.vogel@example.de", Phone: "+4915112345678", Locale: "de",
		Address: &shopifystub.MailingAddress{Address1: "Hauptstr. 5", City: "Berlin", Zip: "10115", CountryCode: "DE"},
	})
	s.product = st.AddProduct(shopifystub.Product{Title: "Linen shirt", Variants: []shopifystub.Variant{
		{Price: "30.00", Available: true, Options: []shopifystub.SelectedOption{{Name: "Color", Value: "Red"}}},
		{Price: "20.00", Available: false, Options: []shopifystub.SelectedOption{{Name: "Color", Value: "Blue"}}},
	}})
	p, _ := st.Product(s.product)
	s.red, s.blue = p.Variants[0].ID, p.Variants[1].ID
	berlin := &shopifystub.MailingAddress{Address1: "Hauptstr. 5", City: "Berlin", Zip: "10115", CountryCode: "DE"}
	lines := func() []shopifystub.LineItem {
		return []shopifystub.LineItem{
			{Name: "Linen shirt - Red", ProductID: s.product, VariantID: s.red, Quantity: 1, UnitPrice: "30.00",
				Options: []shopifystub.SelectedOption{{Name: "Color", Value: "Red"}}},
			{Name: "Linen shirt - Blue", ProductID: s.product, VariantID: s.blue, Quantity: 2, UnitPrice: "20.00",
				Options: []shopifystub.SelectedOption{{Name: "Color", Value: "Blue"}}},
		}
	}
	sale := func() []shopifystub.Transaction {
		return []shopifystub.Transaction{{Kind: "SALE", Gateway: "shopify_payments", Amount: "70.00"}}
	}
	s.pending = st.AddOrder(shopifystub.Order{CustomerID: s.customer, Currency: "EUR", CreatedAt: placed,
		ShippingAddress: berlin, LineItems: lines(), Transactions: sale()})
	s.shipped = st.AddOrder(shopifystub.Order{CustomerID: s.customer, Currency: "EUR", CreatedAt: placed,
		ShippingAddress: berlin, LineItems: lines(), Transactions: sale(),
		Fulfillments: []shopifystub.Fulfillment{{DisplayStatus: "IN_TRANSIT", TrackingCompany: "DHL Express",
			TrackingNumbers: []string{"JD014600006281230704"}, InTransitAt: placed.Add(30 * time.Hour),
			EstimatedDeliveryAt: placed.Add(72 * time.Hour)}}})
	s.delivered = st.AddOrder(shopifystub.Order{CustomerID: s.customer, Currency: "EUR", CreatedAt: placed,
		ShippingAddress: berlin, LineItems: lines(), Transactions: sale(),
		Fulfillments: []shopifystub.Fulfillment{{DisplayStatus: "DELIVERED", TrackingCompany: "DHL Express",
			TrackingNumbers: []string{"JD014600006281230799"}, DeliveredAt: placed.Add(50 * time.Hour)}}})
	s.cancelled = st.AddOrder(shopifystub.Order{CustomerID: s.customer, Currency: "EUR", CreatedAt: placed,
		ShippingAddress: berlin, LineItems: lines(), CancelledAt: placed.Add(time.Hour), CancelReason: "CUSTOMER"})
	s.cod = st.AddOrder(shopifystub.Order{Currency: "JPY", CreatedAt: placed, Gateways: []string{"Cash on Delivery (COD)"},
		ShippingAddress: &shopifystub.MailingAddress{Address1: "1-1 Marunouchi", City: "Chiyoda", Zip: "100-0005", CountryCode: "JP"},
		LineItems:       []shopifystub.LineItem{{Name: "Tenugui", VariantID: "gid://shopify/ProductVariant/77", Quantity: 1, UnitPrice: "4500"}}})
	for _, o := range []struct {
		gid  string
		name *string
	}{{s.pending, &s.pendingName}, {s.shipped, &s.shippedName}, {s.delivered, &s.deliveredName}} {
		so, _ := st.Order(o.gid)
		*o.name = so.Name
	}
	return s
}

func (s *shop) client(t testing.TB, mod ...func(*shopify.Config)) *shopify.Client {
	t.Helper()
	cfg := shopify.Config{
		Shop: s.stub.URL(), Token: s.stub.Token(), APIVersion: s.stub.Version(),
		BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := shopify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func eur(cents int64) commerce.Money { return commerce.Money{Amount: cents, Currency: "EUR"} }

func TestOrderReads(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t)
	legacy := s.pending[strings.LastIndex(s.pending, "/")+1:]
	tests := []struct {
		name, id     string
		status       string
		paid         commerce.Money
		fulfillments int
		cod          bool
	}{
		{"by name", s.pendingName, commerce.StatusPending, eur(7000), 0, false},
		{"by numeric id", legacy, commerce.StatusPending, eur(7000), 0, false},
		{"by global id", s.pending, commerce.StatusPending, eur(7000), 0, false},
		{"in transit", s.shippedName, commerce.StatusProcessed, eur(7000), 1, false},
		{"delivered", s.deliveredName, commerce.StatusDelivered, eur(7000), 1, false},
		{"cancelled", s.cancelled, commerce.StatusCancelled, eur(0), 0, false},
		{"cash on delivery in yen", s.cod, commerce.StatusPending, commerce.Money{Currency: "JPY"}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := c.Order(t.Context(), tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != tt.status || o.Paid() != tt.paid || len(o.Fulfillments) != tt.fulfillments || o.CashOnDelivery != tt.cod {
				t.Errorf("got status %q paid %v fulfillments %d cod %v; want %q %v %d %v",
					o.Status, o.Paid(), len(o.Fulfillments), o.CashOnDelivery, tt.status, tt.paid, tt.fulfillments, tt.cod)
			}
		})
	}

	o, err := c.Order(t.Context(), s.deliveredName)
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != s.deliveredName || o.CustomerID != s.customer || o.Market != "DE" || o.Address.City != "Berlin" {
		t.Errorf("order header = %+v", o)
	}
	if len(o.Items) != 3 || o.Items[0].ItemID != s.red || o.Items[0].Price != eur(3000) || o.Items[1].Options["Color"] != "Blue" {
		t.Errorf("items = %+v, want red 30.00 then two blue", o.Items)
	}
	f := o.Fulfillments[0]
	if f.Carrier != "DHL Express" || len(f.TrackingIDs) != 1 || f.TrackingIDs[0] != "JD014600006281230799" || len(f.ItemIDs) != 3 {
		t.Errorf("fulfillment = %+v", f)
	}
	if !o.DeliveredAt.Equal(placed.Add(50 * time.Hour)) {
		t.Errorf("DeliveredAt = %v", o.DeliveredAt)
	}
	jp, err := c.Order(t.Context(), s.cod)
	if err != nil {
		t.Fatal(err)
	}
	if jp.Items[0].Price != (commerce.Money{Amount: 4500, Currency: "JPY"}) {
		t.Errorf("yen price = %v, want 4500 JPY", jp.Items[0].Price)
	}
}

func TestOrderWithManyLineItems(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	var lines []shopifystub.LineItem
	for i := range 130 {
		lines = append(lines, shopifystub.LineItem{Name: "Pin", VariantID: s.red, Quantity: 1 + i%2, UnitPrice: "1.00"})
	}
	id := s.stub.AddOrder(shopifystub.Order{Currency: "EUR", LineItems: lines})
	o, err := s.client(t).Order(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Items) != 195 || s.stub.Count("OrderLineItems") != 1 {
		t.Errorf("%d items after %d extra pages, want 195 units after 1", len(o.Items), s.stub.Count("OrderLineItems"))
	}
}

func TestCustomerAndProductReads(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t)
	tests := []struct {
		name string
		q    commerce.CustomerQuery
		err  error
	}{
		{"email", commerce.CustomerQuery{Email: "LENA.VOGEL@example.de"}, nil},
		{"phone", commerce.CustomerQuery{Phone: "+4915112345678"}, nil},
		{"name and zip", commerce.CustomerQuery{FirstName: "Lena", LastName: "Vogel", Zip: "10115"}, nil},
		{"name, wrong zip", commerce.CustomerQuery{FirstName: "Lena", LastName: "Vogel", Zip: "80331"}, commerce.ErrNotFound},
		{"unknown email", commerce.CustomerQuery{Email: "nobody@example.com"}, commerce.ErrNotFound},
		{"phone written differently", commerce.CustomerQuery{Phone: "+49 151 12345678"}, commerce.ErrNotFound},
		{"nothing to search by", commerce.CustomerQuery{Zip: "10115"}, commerce.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cu, err := c.FindCustomer(t.Context(), tt.q)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err == nil && (cu.ID != s.customer || cu.Locale != "de" || cu.Market != "DE" || len(cu.OrderIDs) != 4) {
				t.Errorf("customer = %+v", cu)
			}
		})
	}
	cu, err := c.Customer(t.Context(), s.customer)
	if err != nil || cu.Email != "lena.vogel@example.de" || cu.Address.Zip != "10115" {
		t.Errorf("Customer = %+v, %v", cu, err)
	}
	p, err := c.Product(t.Context(), s.product)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Linen shirt" || len(p.Variants) != 2 || p.Variants[0].Price != (commerce.Money{Amount: 3000, Currency: "USD"}) ||
		!p.Variants[0].Available || p.Variants[1].Available || p.Variants[1].Options["Color"] != "Blue" {
		t.Errorf("product = %+v", p)
	}
}

func TestParcel(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t)
	if _, err := c.Parcel(t.Context(), "JD014600006281230704"); !errors.Is(err, commerce.ErrNotFound) {
		t.Fatalf("Parcel before any order read: err = %v, want ErrNotFound", err)
	}
	if _, err := c.Order(t.Context(), s.shippedName); err != nil {
		t.Fatal(err)
	}
	p, err := c.Parcel(t.Context(), "JD014600006281230704")
	if err != nil {
		t.Fatal(err)
	}
	want := commerce.CarrierEvent{At: placed.Add(30 * time.Hour), Carrier: "DHL Express", Code: "IN_TRANSIT"}
	if p.Carrier != "DHL Express" || len(p.Events) != 1 || p.Events[0] != want || !p.ETA.Equal(placed.Add(72*time.Hour)) {
		t.Errorf("parcel = %+v", p)
	}
	if _, err := c.OrderParcel(t.Context(), s.shippedName, "NOPE"); !errors.Is(err, commerce.ErrNotFound) {
		t.Errorf("unknown tracking number: err = %v", err)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t)
	calls := map[string]func() error{
		"order name":      func() error { _, err := c.Order(t.Context(), "#9999"); return err },
		"order global id": func() error { _, err := c.Order(t.Context(), "gid://shopify/Order/999999"); return err },
		"customer":        func() error { _, err := c.Customer(t.Context(), "424242"); return err },
		"customer junk":   func() error { _, err := c.Customer(t.Context(), "not an id"); return err },
		"product":         func() error { _, err := c.Product(t.Context(), "gid://shopify/Product/1"); return err },
		"refund": func() error {
			_, err := c.RefundOrder(t.Context(), "k", commerce.Refund{OrderID: "#9999", Amount: eur(1)})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, commerce.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}

func TestCancelOrder(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t)
	o, err := c.CancelOrder(t.Context(), "wf-1/turn-1/0", s.pendingName, "no longer needed")
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != commerce.StatusCancelled || o.CancelReason != "no longer needed" || o.Paid() != eur(0) || o.Refunded() != eur(7000) {
		t.Errorf("after cancel: status %q reason %q paid %v refunded %v", o.Status, o.CancelReason, o.Paid(), o.Refunded())
	}
	stored, _ := s.stub.Order(s.pending)
	if stored.CancelReason != "CUSTOMER" || !stored.Restocked || !strings.Contains(stored.CancelStaffNote, "no longer needed") {
		t.Errorf("Shopify saw reason %q note %q", stored.CancelReason, stored.CancelStaffNote)
	}

	again, err := c.CancelOrder(t.Context(), "wf-1/turn-1/0", s.pendingName, "no longer needed")
	if err != nil || again.Status != commerce.StatusCancelled {
		t.Errorf("same key again: %v, %v", again.Status, err)
	}
	if n := s.stub.Count("OrderCancel"); n != 1 {
		t.Errorf("orderCancel sent %d times, want 1", n)
	}
	tests := []struct {
		name, key, order, reason string
		want                     error
	}{
		{"same key, other reason", "wf-1/turn-1/0", s.pendingName, "ordered by mistake", commerce.ErrKeyReused},
		{"other key, already cancelled", "wf-2/turn-1/0", s.pendingName, "no longer needed", commerce.ErrConflict},
		{"cancelled by staff", "wf-3/turn-1/0", s.cancelled, "no longer needed", commerce.ErrConflict},
		{"shipped", "wf-4/turn-1/0", s.shippedName, "no longer needed", commerce.ErrConflict},
		{"unknown", "wf-5/turn-1/0", "#9999", "no longer needed", commerce.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.CancelOrder(t.Context(), tt.key, tt.order, tt.reason); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if n := s.stub.Count("OrderCancel"); n != 1 {
		t.Errorf("orderCancel sent %d times in all, want 1", n)
	}
}

func TestCancelOrderLostResponse(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t)
	s.stub.DropResponses("OrderCancel", 1)
	o, err := c.CancelOrder(t.Context(), "wf-9/turn-2/0", s.pendingName, "no longer needed")
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.stub.Order(s.pending)
	if o.Status != commerce.StatusCancelled || len(stored.Refunds) != 1 || o.Refunded() != eur(7000) {
		t.Errorf("status %q, %d refunds, refunded %v; want cancelled once with one refund of 70.00", o.Status, len(stored.Refunds), o.Refunded())
	}
}

func TestModifyOrderAddress(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t)
	munich := commerce.Address{Line1: "Marienplatz 1", City: "München", State: "BY", Zip: "80331", Country: "de"}
	o, err := c.ModifyOrderAddress(t.Context(), "wf-1/turn-3/0", s.pendingName, munich)
	if err != nil {
		t.Fatal(err)
	}
	want := munich
	want.Country = "DE"
	if o.Address != want {
		t.Errorf("address = %+v, want %+v", o.Address, want)
	}
	stored, _ := s.stub.Order(s.pending)
	if stored.ShippingAddress.City != "München" || stored.ShippingAddress.CountryCode != "DE" {
		t.Errorf("Shopify holds %+v", stored.ShippingAddress)
	}
	tests := []struct {
		name, order string
		a           commerce.Address
		want        error
	}{
		{"shipped", s.shippedName, munich, commerce.ErrConflict},
		{"cancelled", s.cancelled, munich, commerce.ErrConflict},
		{"no street", s.pendingName, commerce.Address{City: "München", Country: "DE"}, commerce.ErrInvalid},
		{"bad country", s.pendingName, commerce.Address{Line1: "x", City: "y", Country: "Germany"}, commerce.ErrInvalid},
		{"unknown order", "#9999", munich, commerce.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.ModifyOrderAddress(t.Context(), "k-"+tt.name, tt.order, tt.a); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRefundOrder(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t)
	o, err := c.RefundOrder(t.Context(), "wf-1/turn-4/0", commerce.Refund{OrderID: s.pendingName, ItemIDs: []string{s.blue}, Reason: "damaged"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Paid() != eur(5000) || o.Refunded() != eur(2000) {
		t.Errorf("paid %v refunded %v, want 50.00 and 20.00", o.Paid(), o.Refunded())
	}
	var refund commerce.Transaction
	for _, p := range o.Payments {
		if p.Kind == "refund" {
			refund = p
		}
	}
	if refund.Key != "wf-1/turn-4/0" || refund.PaymentMethodID != "shopify_payments" {
		t.Errorf("refund transaction = %+v, want our key and the original gateway", refund)
	}
	stored, _ := s.stub.Order(s.pending)
	r := stored.Refunds[0]
	if len(r.Lines) != 1 || r.Lines[0].Quantity != 1 || !strings.HasPrefix(r.Note, "damaged [attache key=") {
		t.Errorf("Shopify refund = %+v", r)
	}

	tests := []struct {
		name, key string
		r         commerce.Refund
		want      error
	}{
		{"above refundable", "k-above", commerce.Refund{OrderID: s.pendingName, Amount: eur(6000)}, commerce.ErrInvalid},
		{"item not in order", "k-item", commerce.Refund{OrderID: s.pendingName, ItemIDs: []string{"gid://shopify/ProductVariant/1"}}, commerce.ErrInvalid},
		{"nothing", "k-nothing", commerce.Refund{OrderID: s.pendingName}, commerce.ErrInvalid},
		{"wrong currency", "k-cur", commerce.Refund{OrderID: s.pendingName, Amount: commerce.Money{Amount: 100, Currency: "USD"}}, commerce.ErrInvalid},
		{"other payment method", "k-pm", commerce.Refund{OrderID: s.pendingName, Amount: eur(100), PaymentMethodID: "paypal"}, commerce.ErrInvalid},
		{"unpaid order", "k-unpaid", commerce.Refund{OrderID: s.cod, Amount: commerce.Money{Amount: 100, Currency: "JPY"}}, commerce.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.RefundOrder(t.Context(), tt.key, tt.r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	// The amount check is Shopify's: its userError text reaches the caller.
	_, err = c.RefundOrder(t.Context(), "k-above-2", commerce.Refund{OrderID: s.pendingName, Amount: eur(6000)})
	if err == nil || !strings.Contains(err.Error(), "greater than") {
		t.Errorf("above refundable: err = %v, want Shopify's message", err)
	}
	if stored, _ := s.stub.Order(s.pending); len(stored.Refunds) != 1 {
		t.Errorf("%d refunds, want 1", len(stored.Refunds))
	}
}

func TestRefundExactlyOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// before sets up faults before the first call.
		before func(s *shop)
		// calls is how many times RefundOrder is called with the same key.
		calls int
		// expire makes Shopify forget idempotency keys between calls.
		expire bool
		// sent is how many refundCreate requests must reach Shopify.
		sent int
	}{
		{name: "lost response then retry", before: func(s *shop) { s.stub.DropResponses("RefundCreate", 1) }, calls: 1, sent: 2},
		{name: "same key twice", calls: 2, sent: 1},
		{name: "same key after Shopify forgot it", calls: 2, expire: true, sent: 1},
		{name: "5xx then success", before: func(s *shop) { s.stub.FailNext(2, http.StatusServiceUnavailable) }, calls: 1, sent: 1},
		{name: "rate limited then success", before: func(s *shop) { s.stub.RateLimitNext(1, "0.01") }, calls: 1, sent: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			c := s.client(t)
			if tt.before != nil {
				tt.before(s)
			}
			req := commerce.Refund{OrderID: s.pendingName, Amount: eur(1250), Reason: "late"}
			for i := range tt.calls {
				if i > 0 && tt.expire {
					s.stub.ExpireIdempotencyKeys()
				}
				o, err := c.RefundOrder(t.Context(), "wf-7/turn-1/2", req)
				if err != nil {
					t.Fatalf("call %d: %v", i+1, err)
				}
				if o.Refunded() != eur(1250) {
					t.Fatalf("call %d: refunded %v, want 12.50", i+1, o.Refunded())
				}
			}
			stored, _ := s.stub.Order(s.pending)
			if len(stored.Refunds) != 1 {
				t.Errorf("Shopify holds %d refunds, want exactly 1", len(stored.Refunds))
			}
			var keys []string
			for _, r := range s.stub.Requests() {
				if r.Operation == "RefundCreate" && r.Status != http.StatusServiceUnavailable && r.Status != http.StatusTooManyRequests {
					keys = append(keys, r.IdempotencyKey)
				}
			}
			if len(keys) != tt.sent {
				t.Errorf("%d refundCreate requests reached the shop, want %d", len(keys), tt.sent)
			}
			for _, k := range keys {
				if k == "" || k != keys[0] {
					t.Errorf("idempotency keys sent = %q, want one non-empty key", keys)
				}
			}
		})
	}
}

func TestRefundKeyReused(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t)
	if _, err := c.RefundOrder(t.Context(), "k", commerce.Refund{OrderID: s.pendingName, Amount: eur(500)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.RefundOrder(t.Context(), "k", commerce.Refund{OrderID: s.pendingName, Amount: eur(900)})
	if !errors.Is(err, commerce.ErrKeyReused) {
		t.Errorf("err = %v, want ErrKeyReused", err)
	}
}

// A reply lost after Shopify refunded, with the attempts used up: the
// activity fails, is retried later when Shopify has forgotten the key, and
// still finds the first refund.
func TestRefundRetriedLaterAfterLostReply(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	impatient := s.client(t, func(c *shopify.Config) { c.MaxAttempts = 1 })
	s.stub.DropResponses("RefundCreate", 1)
	req := commerce.Refund{OrderID: s.pendingName, Amount: eur(1000)}
	if _, err := impatient.RefundOrder(t.Context(), "wf-8/turn-1/0", req); err == nil {
		t.Fatal("want an error when the only attempt lost its reply")
	}
	s.stub.ExpireIdempotencyKeys()
	o, err := s.client(t).RefundOrder(t.Context(), "wf-8/turn-1/0", req)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.stub.Order(s.pending)
	if len(stored.Refunds) != 1 || o.Refunded() != eur(1000) {
		t.Errorf("%d refunds, refunded %v; want one of 10.00", len(stored.Refunds), o.Refunded())
	}
}

func TestRateLimitHonoured(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		setup     func(s *shopifystub.Server)
		atLeast   time.Duration
		fromSetup bool
	}{
		{"429 Retry-After", func(s *shopifystub.Server) { s.RateLimitNext(1, "0.3") }, 300 * time.Millisecond, false},
		// 10 points wanted, 0 available, 100 restored per second: 100 ms after emptying.
		{"THROTTLED cost bucket", func(s *shopifystub.Server) { s.SetAvailable(0) }, 100 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			c := s.client(t)
			set := time.Now()
			tt.setup(s.stub)
			if _, err := c.Order(t.Context(), s.pending); err != nil {
				t.Fatal(err)
			}
			var at []time.Time
			for _, r := range s.stub.Requests() {
				if r.Operation == "Order" {
					at = append(at, r.At)
				}
			}
			if len(at) != 2 {
				t.Fatalf("%d Order requests, want 2 (limited, then served)", len(at))
			}
			// A Retry-After counts from the limited response; an empty bucket refills from the
			// moment it was emptied, even while the first request was still being answered.
			from := at[0]
			if tt.fromSetup {
				from = set
			}
			if gap := at[1].Sub(from); gap < tt.atLeast {
				t.Errorf("retried after %v, want at least %v", gap, tt.atLeast)
			}
		})
	}
}

func TestRetryStopsWithContext(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t)
	s.stub.RateLimitNext(1, "30")
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Order(ctx, s.pending)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("err = %v after %v, want the context's deadline promptly", err, time.Since(start))
	}
}

func TestRetriesGiveUp(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t, func(c *shopify.Config) { c.MaxAttempts = 3 })
	s.stub.FailNext(5, http.StatusBadGateway)
	_, err := c.Order(t.Context(), s.pending)
	var apiErr *shopify.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadGateway || s.stub.Count("Order") != 3 {
		t.Errorf("err = %v after %d requests, want a 502 APIError after 3", err, s.stub.Count("Order"))
	}
}

func TestBadTokenIsClear(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const token = "shpat_0123456789abcdef_wrong"
	c := s.client(t, func(c *shopify.Config) { c.Token = token })
	_, err := c.Order(t.Context(), s.pendingName)
	if !errors.Is(err, shopify.ErrUnauthorized) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("err = %v, want ErrUnauthorized naming HTTP 401", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Error("the access token leaked into the error")
	}
	if n := len(s.stub.Requests()); n != 1 {
		t.Errorf("%d requests, want 1: a rejected token is not retried", n)
	}
}

func TestTokenNeverLogged(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	var logs syncbuf.Buffer
	c := s.client(t, func(c *shopify.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	s.stub.FailNext(1, http.StatusInternalServerError)
	s.stub.DropResponses("RefundCreate", 1)
	if _, err := c.RefundOrder(t.Context(), "k", commerce.Refund{OrderID: s.pendingName, Amount: eur(100)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "shopify request retry") {
		t.Error("the retries were not logged")
	}
	if strings.Contains(logs.String(), s.stub.Token()) || strings.Contains(logs.String(), "lena") {
		t.Errorf("a log line holds the token or customer data:\n%s", logs.String())
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var sawToken bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawToken = r.Header.Get("X-Shopify-Access-Token") != ""
	}))
	defer elsewhere.Close()
	redirecting := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	defer redirecting.Close()
	c, err := shopify.New(shopify.Config{Shop: redirecting.URL, Token: "shpat_secret"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Order(t.Context(), "1"); err == nil || !strings.Contains(err.Error(), "307") {
		t.Errorf("err = %v, want the 307 reported", err)
	}
	if sawToken {
		t.Error("the token followed the redirect to another host")
	}
}

func TestUnsupportedWrites(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	c := s.client(t)
	ctx := t.Context()
	calls := map[string]func() error{
		"items":            func() error { _, err := c.ModifyOrderItems(ctx, "k", s.pendingName, nil, ""); return err },
		"payment":          func() error { _, err := c.ModifyOrderPayment(ctx, "k", s.pendingName, "x"); return err },
		"return":           func() error { _, err := c.ReturnItems(ctx, "k", s.pendingName, nil, ""); return err },
		"exchange":         func() error { _, err := c.ExchangeItems(ctx, "k", s.pendingName, nil, ""); return err },
		"customer address": func() error { _, err := c.ModifyCustomerAddress(ctx, "k", s.customer, commerce.Address{}); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, shopify.ErrUnsupported) {
			t.Errorf("%s: err = %v, want ErrUnsupported", name, err)
		}
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  shopify.Config
		ok   bool
	}{
		{"domain", shopify.Config{Shop: "example.myshopify.com", Token: "t"}, true},
		{"base URL", shopify.Config{Shop: "http://127.0.0.1:9", Token: "t", APIVersion: "2026-07"}, true},
		{"no token", shopify.Config{Shop: "example.myshopify.com"}, false},
		{"no shop", shopify.Config{Token: "t"}, false},
		{"path in domain", shopify.Config{Shop: "example.myshopify.com/admin", Token: "t"}, false},
		{"bad version", shopify.Config{Shop: "example.myshopify.com", Token: "t", APIVersion: "v2"}, false},
		{"ftp", shopify.Config{Shop: "ftp://example.com", Token: "t"}, false},
	}
	for _, tt := range tests {
		_, err := shopify.New(tt.cfg)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// BenchmarkOrderLookup reads one order through the connector and reports the
// cost of the same request as a bare HTTP POST to the stub (the GraphQL
// endpoint takes POST only) measured in the same run, and the ratio.
func BenchmarkOrderLookup(b *testing.B) {
	s := newShop(b, shopifystub.WithThrottle(1e12, 1e12)) // no throttling in a benchmark
	c := s.client(b)
	ctx := context.Background()
	body := []byte(`{"query":"query Order($id: ID!) { order(id: $id) { id } }","variables":{"id":"` + s.pending + `"}}`)
	bare := func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.stub.GraphQLURL(), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Shopify-Access-Token", s.stub.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("bare request: %d", resp.StatusCode)
		}
	}
	n := 0
	start := time.Now()
	for b.Loop() {
		if _, err := c.Order(ctx, s.pending); err != nil {
			b.Fatal(err)
		}
		n++
	}
	connector := time.Since(start)
	b.StopTimer()
	start = time.Now()
	for range n {
		bare()
	}
	baseline := time.Since(start)
	b.ReportMetric(float64(baseline.Nanoseconds())/float64(n), "bare-ns/op")
	b.ReportMetric(float64(connector)/float64(baseline), "x-bare")
}
