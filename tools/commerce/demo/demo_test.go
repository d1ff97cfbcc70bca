package demo_test

import (
	"context"
	"errors"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/demo"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// codLimits are the maximum cash-on-delivery order values of the demo help centre's
// article on cash on delivery (knowledge/demo/*/cod.md), in minor units.
var codLimits = map[string]commerce.Money{
	"AE": {Amount: 200000, Currency: "AED"}, "SA": {Amount: 200000, Currency: "SAR"},
	"TH": {Amount: 1000000, Currency: "THB"}, "VN": {Amount: 5000000, Currency: "VND"},
	"ID": {Amount: 3000000, Currency: "IDR"}, "MY": {Amount: 100000, Currency: "MYR"},
	"PH": {Amount: 1000000, Currency: "PHP"},
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

func TestSeed(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.Pool(t)
	s := pgstore.New(pool, pgtest.Logger())
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM commerce_orders) + (SELECT count(*) FROM commerce_transactions)
			+ (SELECT count(*) FROM commerce_parcel_events) + (SELECT count(*) FROM commerce_customers)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatalf("second seed: %v", err)
	}
	if after := count(); after != before {
		t.Errorf("seeding twice: %d rows, then %d", before, after)
	}

	d := demo.Data(time.Now())
	currencies := map[string]bool{}
	statuses := map[string]bool{}
	codMarkets := map[string]bool{}
	for _, want := range d.Customers {
		c, err := s.FindCustomer(ctx, commerce.CustomerQuery{Email: want.Email})
		if err != nil {
			t.Fatalf("find %s: %v", want.Email, err)
		}
		if !e164.MatchString(c.Phone) || c.Locale == "" || c.Address.Country != c.Market || len(c.OrderIDs) < 2 {
			t.Errorf("customer %s: phone %q locale %q country %s market %s orders %v", c.ID, c.Phone, c.Locale, c.Address.Country, c.Market, c.OrderIDs)
		}
		if byPhone, err := s.FindCustomer(ctx, commerce.CustomerQuery{Phone: c.Phone}); err != nil || byPhone.ID != c.ID {
			t.Errorf("find by phone %s: %s, %v", c.Phone, byPhone.ID, err)
		}
		for _, id := range c.OrderIDs {
			o, err := s.Order(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`^[A-Z]{2}-1000[0-9]$`).MatchString(o.ID) || o.Market != c.Market {
				t.Errorf("order ID %s in market %s", o.ID, o.Market)
			}
			cur := o.Items[0].Price.Currency
			currencies[cur] = true
			statuses[o.Status] = true
			var total int64
			for _, it := range o.Items {
				total += it.Price.Amount
			}
			if o.CashOnDelivery {
				codMarkets[o.Market] = true
				if limit, ok := codLimits[o.Market]; !ok || limit.Currency != cur || total > limit.Amount {
					t.Errorf("%s: cash on delivery of %v, the limit in %s is %v", o.ID, commerce.Money{Amount: total, Currency: cur}, o.Market, limit)
				}
			}
			paidInFull := !o.CashOnDelivery || o.Status == commerce.StatusDelivered
			if got := o.Paid().Amount + o.Refunded().Amount; paidInFull && o.Status != commerce.StatusCancelled && got != total {
				t.Errorf("%s: payments of %d for items of %d", o.ID, got, total)
			}
			for _, f := range o.Fulfillments {
				for _, tr := range f.TrackingIDs {
					p, err := s.Parcel(ctx, tr)
					if err != nil || len(p.Events) == 0 || p.Carrier == "" {
						t.Errorf("%s parcel %s: %+v, %v", o.ID, tr, p, err)
					}
					if o.Status == commerce.StatusProcessed && p.ETA.IsZero() {
						t.Errorf("%s: a parcel on its way without an ETA", o.ID)
					}
					if !slices.IsSortedFunc(p.Events, func(a, b commerce.CarrierEvent) int { return a.At.Compare(b.At) }) {
						t.Errorf("%s: events out of order", tr)
					}
				}
			}
		}
	}
	for _, cur := range []string{"EUR", "GBP", "USD", "SAR", "AED", "THB", "VND", "IDR", "MYR", "PHP", "JPY", "BRL", "MXN"} {
		if !currencies[cur] {
			t.Errorf("no order in %s", cur)
		}
	}
	for _, st := range []string{commerce.StatusPending, commerce.StatusPendingModified, commerce.StatusProcessed, commerce.StatusDelivered,
		commerce.StatusCancelled, commerce.StatusReturnRequested, commerce.StatusExchangeRequested} {
		if !statuses[st] {
			t.Errorf("no order %s", st)
		}
	}
	for m := range codLimits {
		if !codMarkets[m] {
			t.Errorf("no cash-on-delivery order in %s", m)
		}
	}

	// Names as a customer types them on a keyboard without accents.
	for _, q := range []commerce.CustomerQuery{
		{FirstName: "Joao", LastName: "Pereira da Silva", Zip: "01304-001"},
		{FirstName: "sofia", LastName: "hernandez ramirez", Zip: "06700"},
		{FirstName: "美咲", LastName: "佐藤", Zip: "150-0041"},
	} {
		if _, err := s.FindCustomer(ctx, q); err != nil {
			t.Errorf("FindCustomer(%+v): %v", q, err)
		}
	}

	// The parcels a demo is about: a customs hold and a failed delivery attempt.
	for tr, want := range map[string]string{"1234567890": "HP", "LB123456789DE": "Aguardando pagamento", "EF582936155TH": "401", "4567-8901-2345": "持戻（ご不在）"} {
		p, err := s.Parcel(ctx, tr)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(p.Events, func(e commerce.CarrierEvent) bool { return e.Code == want }) {
			t.Errorf("parcel %s has no %q event: %+v", tr, want, p.Events)
		}
	}
}

// The demo's stories work through the connector: a cash-on-delivery order cancelled before
// it ships, a delivered one refunded by bank transfer, a return refused for a pending order.
func TestDemoStories(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.Pool(t)
	if err := demo.Seed(ctx, pgstore.New(pool, pgtest.Logger())); err != nil {
		t.Fatal(err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	s := pgstore.New(tx, pgtest.Logger())

	o, err := s.CancelOrder(ctx, "demo/1", "AE-10002", "no longer needed")
	if err != nil || o.Status != commerce.StatusCancelled || len(o.Payments) != 0 {
		t.Errorf("cancel AE-10002: %v, %+v", err, o)
	}
	if _, err := s.ReturnItems(ctx, "demo/2", "AE-10001", []string{"AE-BTL-500"}, ""); !errors.Is(err, commerce.ErrInvalid) {
		t.Errorf("return of a cash-on-delivery order to cash: %v, want ErrInvalid", err)
	}
	o, err = s.ReturnItems(ctx, "demo/3", "AE-10001", []string{"AE-BTL-500"}, "pm_ae_bank")
	if err != nil || o.Refunded() != (commerce.Money{Amount: 9000, Currency: "AED"}) {
		t.Errorf("return AE-10001 by bank transfer: %v, refunded %v", err, o.Refunded())
	}
	if _, err := s.ReturnItems(ctx, "demo/4", "DE-10003", []string{"DE-HPN-BLK"}, ""); !errors.Is(err, commerce.ErrConflict) {
		t.Errorf("return of pending DE-10003: %v, want ErrConflict", err)
	}
	o, err = s.ModifyOrderItems(ctx, "demo/5", "BR-10002", []commerce.ItemSwap{{From: "BR-SNK-42B", To: "BR-SNK-42W"}}, "")
	if err != nil || o.Status != commerce.StatusPendingModified {
		t.Errorf("modify BR-10002: %v, %+v", err, o)
	}
}
