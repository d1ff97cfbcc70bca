package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	realpg.Stop()
	os.Exit(code)
}

func usd(cents int64) commerce.Money { return commerce.Money{Amount: cents, Currency: "USD"} }

// fixture is a small shop whose IDs carry a random prefix, so that tests sharing the one
// test database never see each other's rows.
//
//	shirt: S 20.00, M 22.00, L 25.00 (sold out); mug: 10.00
//	customer: card (original payer), paypal, gift card "poor" (1.00), gift card "rich" (100.00), cod
//	orders: pending, pending2, delivered, processed, cancelled — each shirt S + shirt M + mug = 52.00 paid by card —
//	        pending-gift (paid by the rich gift card), pending-cod (cash on delivery, nothing paid yet)
type fixture struct {
	p string // the prefix
}

func (f fixture) id(name string) string { return f.p + "-" + name }

const fixtureTotal = 5200

func newFixture(t testing.TB, s *pgstore.Store) fixture {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	f := fixture{p: hex.EncodeToString(b[:])}
	shirt := commerce.Product{ID: f.id("shirt"), Name: "T-Shirt", Variants: []commerce.Variant{
		{ItemID: f.id("S"), Options: map[string]string{"size": "S"}, Available: true, Price: usd(2000)},
		{ItemID: f.id("M"), Options: map[string]string{"size": "M"}, Available: true, Price: usd(2200)},
		{ItemID: f.id("L"), Options: map[string]string{"size": "L"}, Available: false, Price: usd(2500)},
	}}
	mug := commerce.Product{ID: f.id("mug"), Name: "Mug", Variants: []commerce.Variant{
		{ItemID: f.id("mug1"), Options: map[string]string{"color": "white"}, Available: true, Price: usd(1000)},
	}}
	poor, rich := usd(100), usd(10000)
	addr := commerce.Address{Line1: "1 Main St", City: "Austin", State: "TX", Zip: "78701", Country: "US"}
	cust := commerce.Customer{ID: f.id("cust"), FirstName: "Ada", LastName: "Lovelace" + f.p, Email: f.p + "@example.com",
		Phone: "+1512555" + f.p[:4], Locale: "en-US", Market: "US", Address: addr,
		PaymentMethods: []commerce.PaymentMethod{
			{ID: f.id("card"), Kind: "credit_card", Brand: "visa", Last4: "4242"},
			{ID: f.id("paypal"), Kind: "paypal"},
			{ID: f.id("poor"), Kind: "gift_card", Balance: &poor},
			{ID: f.id("rich"), Kind: "gift_card", Balance: &rich},
			{ID: f.id("cod"), Kind: "cod"},
		}}
	other := commerce.Customer{ID: f.id("other"), FirstName: "Bob", LastName: "Other", Email: f.p + "-other@example.com",
		Market: "US", Address: addr, PaymentMethods: []commerce.PaymentMethod{{ID: f.id("other-card"), Kind: "credit_card"}}}
	items := func() []commerce.Item {
		return []commerce.Item{
			{ItemID: f.id("S"), ProductID: shirt.ID, Name: "T-Shirt", Options: map[string]string{"size": "S"}, Price: usd(2000)},
			{ItemID: f.id("M"), ProductID: shirt.ID, Name: "T-Shirt", Options: map[string]string{"size": "M"}, Price: usd(2200)},
			{ItemID: f.id("mug1"), ProductID: mug.ID, Name: "Mug", Options: map[string]string{"color": "white"}, Price: usd(1000)},
		}
	}
	placed := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	order := func(name, status, method string) commerce.Order {
		o := commerce.Order{ID: f.id(name), CustomerID: cust.ID, Market: "US", Status: status, Address: addr, Items: items(),
			PlacedAt: placed, Payments: []commerce.Transaction{{Kind: "payment", Amount: usd(fixtureTotal), PaymentMethodID: method}}}
		if status != commerce.StatusPending {
			o.Fulfillments = []commerce.Fulfillment{{Carrier: "UPS", TrackingIDs: []string{f.id("trk-" + name)},
				ItemIDs: []string{f.id("S"), f.id("M"), f.id("mug1")}}}
		}
		return o
	}
	cancelled := order("cancelled", commerce.StatusCancelled, f.id("card"))
	cancelled.Payments = append(cancelled.Payments, commerce.Transaction{Kind: "refund", Amount: usd(fixtureTotal), PaymentMethodID: f.id("card")})
	cod := order("pending-cod", commerce.StatusPending, "")
	cod.Payments, cod.CashOnDelivery = nil, true
	orders := []commerce.Order{
		order("pending", commerce.StatusPending, f.id("card")),
		order("pending2", commerce.StatusPending, f.id("card")),
		order("delivered", commerce.StatusDelivered, f.id("card")),
		order("processed", commerce.StatusProcessed, f.id("card")),
		cancelled,
		order("pending-gift", commerce.StatusPending, f.id("rich")),
		cod,
	}
	for _, o := range orders {
		cust.OrderIDs = append(cust.OrderIDs, o.ID)
	}
	err := s.Put(context.Background(), pgstore.Data{
		Products:  []commerce.Product{shirt, mug},
		Customers: []commerce.Customer{cust, other},
		Orders:    orders,
		Parcels: []commerce.Parcel{{TrackingID: f.id("trk-processed"), Carrier: "UPS", ETA: placed.Add(96 * time.Hour),
			Events: []commerce.CarrierEvent{
				{At: placed.Add(24 * time.Hour), Code: "Label Created", Location: "Austin, TX"},
				{At: placed.Add(30 * time.Hour), Code: "In Transit", Location: "Dallas, TX"},
			}}},
	})
	if err != nil {
		t.Fatalf("put fixture: %v", err)
	}
	return f
}

// newStore is a store on the shared test database.
func newStore(t testing.TB) *pgstore.Store {
	t.Helper()
	return pgstore.New(pgtest.Pool(t), pgtest.Logger())
}

func balance(t testing.TB, s *pgstore.Store, customerID, methodID string) int64 {
	t.Helper()
	c, err := s.Customer(context.Background(), customerID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.PaymentMethods {
		if m.ID == methodID {
			if m.Balance == nil {
				t.Fatalf("%s has no balance", methodID)
			}
			return m.Balance.Amount
		}
	}
	t.Fatalf("customer %s has no method %s", customerID, methodID)
	return 0
}
