package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
)

// lastTx is the order's newest transaction.
func lastTx(o commerce.Order) commerce.Transaction {
	if len(o.Payments) == 0 {
		return commerce.Transaction{}
	}
	return o.Payments[len(o.Payments)-1]
}

func TestWriters(t *testing.T) {
	type call func(ctx context.Context, s *pgstore.Store, f fixture) (any, error)
	type check func(t *testing.T, s *pgstore.Store, f fixture, got any)
	order := func(got any) commerce.Order { return got.(commerce.Order) }
	newAddr := commerce.Address{Line1: "Friedrichstraße 43", City: "Berlin", Zip: "10117", Country: "de"}
	tests := []struct {
		name    string
		do      call
		wantErr error
		errHas  string // the refusal names the state or the reason
		check   check
	}{
		// CancelOrder
		{name: "cancel pending refunds the card",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.CancelOrder(ctx, f.p+"k", f.id("pending"), "no longer needed")
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				o := order(got)
				if o.Status != commerce.StatusCancelled || o.CancelReason != "no longer needed" || o.Paid().Amount != 0 ||
					lastTx(o) != (commerce.Transaction{Kind: "refund", Amount: usd(fixtureTotal), PaymentMethodID: f.id("card"), Key: lastTx(o).Key, At: lastTx(o).At}) {
					t.Errorf("cancelled order: %+v", o)
				}
			}},
		{name: "cancel paid by gift card restores the balance at once",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.CancelOrder(ctx, f.p+"k", f.id("pending-gift"), "ordered by mistake")
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				if b := balance(t, s, f.id("cust"), f.id("rich")); b != 10000+fixtureTotal {
					t.Errorf("gift card balance %d, want %d", b, 10000+fixtureTotal)
				}
			}},
		{name: "cancel cash on delivery refunds nothing",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.CancelOrder(ctx, f.p+"k", f.id("pending-cod"), "no longer needed")
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				if o := order(got); o.Status != commerce.StatusCancelled || len(o.Payments) != 0 {
					t.Errorf("cancelled COD order: %+v", o)
				}
			}},
		{name: "cancel for another reason", wantErr: commerce.ErrInvalid, errHas: "reason",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.CancelOrder(ctx, f.p+"k", f.id("pending"), "found it cheaper")
			}},
		{name: "cancel delivered", wantErr: commerce.ErrConflict, errHas: "is delivered, not pending",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.CancelOrder(ctx, f.p+"k", f.id("delivered"), "no longer needed")
			}},
		{name: "cancel processed", wantErr: commerce.ErrConflict, errHas: "is processed, not pending",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.CancelOrder(ctx, f.p+"k", f.id("processed"), "no longer needed")
			}},
		{name: "cancel after items were modified", wantErr: commerce.ErrConflict, errHas: "is pending (item modified), not pending",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				if _, err := s.ModifyOrderItems(ctx, f.p+"k1", f.id("pending"), []commerce.ItemSwap{{From: f.id("S"), To: f.id("M")}}, f.id("card")); err != nil {
					return nil, err
				}
				return s.CancelOrder(ctx, f.p+"k2", f.id("pending"), "no longer needed")
			}},
		{name: "cancel unknown order", wantErr: commerce.ErrNotFound,
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.CancelOrder(ctx, f.p+"k", f.id("nope"), "no longer needed")
			}},
		{name: "empty key", wantErr: commerce.ErrInvalid, errHas: "idempotency key",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.CancelOrder(ctx, "", f.id("pending"), "no longer needed")
			}},

		// ModifyOrderAddress
		{name: "modify address of pending",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderAddress(ctx, f.p+"k", f.id("pending"), newAddr)
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				want := newAddr
				want.Country = "DE"
				if a := order(got).Address; a != want {
					t.Errorf("address %+v, want %+v", a, want)
				}
			}},
		{name: "modify address of processed", wantErr: commerce.ErrConflict, errHas: "is processed, not pending",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderAddress(ctx, f.p+"k", f.id("processed"), newAddr)
			}},
		{name: "modify address to no country", wantErr: commerce.ErrInvalid, errHas: "ISO 3166",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				a := newAddr
				a.Country = "Germany"
				return s.ModifyOrderAddress(ctx, f.p+"k", f.id("pending"), a)
			}},

		// ModifyOrderPayment
		{name: "modify payment to paypal",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderPayment(ctx, f.p+"k", f.id("pending"), f.id("paypal"))
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				o := order(got)
				var kinds []string
				for _, p := range o.Payments {
					kinds = append(kinds, p.Kind+" "+strings.TrimPrefix(p.PaymentMethodID, f.p+"-"))
				}
				if want := []string{"payment card", "payment paypal", "refund card"}; !slices.Equal(kinds, want) || o.Paid().Amount != fixtureTotal || o.Status != commerce.StatusPending {
					t.Errorf("payments %v paid %v status %s; want %v", kinds, o.Paid(), o.Status, want)
				}
			}},
		{name: "modify payment to a gift card takes its balance",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderPayment(ctx, f.p+"k", f.id("pending"), f.id("rich"))
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				if b := balance(t, s, f.id("cust"), f.id("rich")); b != 10000-fixtureTotal {
					t.Errorf("gift card balance %d, want %d", b, 10000-fixtureTotal)
				}
			}},
		{name: "modify payment to a gift card without balance", wantErr: commerce.ErrInvalid, errHas: "not enough",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderPayment(ctx, f.p+"k", f.id("pending"), f.id("poor"))
			}},
		{name: "modify payment to the same method", wantErr: commerce.ErrInvalid, errHas: "already paid",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderPayment(ctx, f.p+"k", f.id("pending"), f.id("card"))
			}},
		{name: "modify payment to another customer's card", wantErr: commerce.ErrInvalid, errHas: "not one of the customer's",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderPayment(ctx, f.p+"k", f.id("pending"), f.id("other-card"))
			}},
		{name: "modify payment of cash on delivery", wantErr: commerce.ErrConflict, errHas: "cash on delivery",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderPayment(ctx, f.p+"k", f.id("pending-cod"), f.id("card"))
			}},
		{name: "modify payment of delivered", wantErr: commerce.ErrConflict, errHas: "is delivered, not pending",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderPayment(ctx, f.p+"k", f.id("delivered"), f.id("paypal"))
			}},

		// ModifyOrderItems
		{name: "modify items charges the difference",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderItems(ctx, f.p+"k", f.id("pending"), []commerce.ItemSwap{{From: f.id("S"), To: f.id("M")}}, f.id("card"))
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				o := order(got)
				if o.Status != commerce.StatusPendingModified || o.Items[0].ItemID != f.id("M") || o.Items[0].Price != usd(2200) ||
					o.Items[0].Options["size"] != "M" || o.Paid() != usd(fixtureTotal+200) || lastTx(o).Kind != "payment" {
					t.Errorf("modified order: %+v", o)
				}
			}},
		{name: "modify items refunds the difference to a gift card",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderItems(ctx, f.p+"k", f.id("pending"), []commerce.ItemSwap{{From: f.id("M"), To: f.id("S")}}, f.id("poor"))
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				if o := order(got); o.Paid() != usd(fixtureTotal-200) || o.Items[1].ItemID != f.id("S") {
					t.Errorf("modified order: %+v", o)
				}
				if b := balance(t, s, f.id("cust"), f.id("poor")); b != 300 {
					t.Errorf("gift card balance %d, want 300", b)
				}
			}},
		{name: "modify items of cash on delivery moves no money",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderItems(ctx, f.p+"k", f.id("pending-cod"), []commerce.ItemSwap{{From: f.id("S"), To: f.id("M")}}, "")
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				if o := order(got); len(o.Payments) != 0 || o.Status != commerce.StatusPendingModified {
					t.Errorf("modified COD order: %+v", o)
				}
			}},
		{name: "modify items twice", wantErr: commerce.ErrConflict, errHas: "is pending (item modified), not pending",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				if _, err := s.ModifyOrderItems(ctx, f.p+"k1", f.id("pending"), []commerce.ItemSwap{{From: f.id("S"), To: f.id("M")}}, f.id("card")); err != nil {
					return nil, err
				}
				return s.ModifyOrderItems(ctx, f.p+"k2", f.id("pending"), []commerce.ItemSwap{{From: f.id("M"), To: f.id("S")}}, f.id("card"))
			}},
		{name: "modify items to a sold-out variant", wantErr: commerce.ErrInvalid, errHas: "not available",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderItems(ctx, f.p+"k", f.id("pending"), []commerce.ItemSwap{{From: f.id("S"), To: f.id("L")}}, f.id("card"))
			}},
		{name: "modify items to another product", wantErr: commerce.ErrInvalid, errHas: "same product",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderItems(ctx, f.p+"k", f.id("pending"), []commerce.ItemSwap{{From: f.id("S"), To: f.id("mug1")}}, f.id("card"))
			}},
		{name: "modify an item the order does not hold", wantErr: commerce.ErrInvalid, errHas: "not in order",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderItems(ctx, f.p+"k", f.id("pending"), []commerce.ItemSwap{{From: f.id("L"), To: f.id("M")}}, f.id("card"))
			}},
		{name: "modify the same item twice in one call", wantErr: commerce.ErrInvalid, errHas: "not that many times",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderItems(ctx, f.p+"k", f.id("pending"), []commerce.ItemSwap{{From: f.id("S"), To: f.id("M")}, {From: f.id("S"), To: f.id("M")}}, f.id("card"))
			}},
		{name: "modify items paid by a gift card without balance", wantErr: commerce.ErrInvalid, errHas: "not enough",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderItems(ctx, f.p+"k", f.id("pending"), []commerce.ItemSwap{{From: f.id("S"), To: f.id("M")}}, f.id("poor"))
			}},
		{name: "modify items of delivered", wantErr: commerce.ErrConflict, errHas: "is delivered, not pending",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyOrderItems(ctx, f.p+"k", f.id("delivered"), []commerce.ItemSwap{{From: f.id("S"), To: f.id("M")}}, f.id("card"))
			}},

		// ReturnItems
		{name: "return items to the original card",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ReturnItems(ctx, f.p+"k", f.id("delivered"), []string{f.id("M"), f.id("mug1")}, f.id("card"))
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				o := order(got)
				if o.Status != commerce.StatusReturnRequested || o.Refunded() != usd(3200) || lastTx(o).PaymentMethodID != f.id("card") ||
					!slices.Equal(o.ReturnItemIDs, []string{f.id("M"), f.id("mug1")}) {
					t.Errorf("returned order: %+v", o)
				}
			}},
		{name: "return items to a gift card",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ReturnItems(ctx, f.p+"k", f.id("delivered"), []string{f.id("S")}, f.id("poor"))
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				if b := balance(t, s, f.id("cust"), f.id("poor")); b != 2100 {
					t.Errorf("gift card balance %d, want 2100", b)
				}
			}},
		{name: "return to a method that did not pay", wantErr: commerce.ErrInvalid, errHas: "method that paid",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ReturnItems(ctx, f.p+"k", f.id("delivered"), []string{f.id("S")}, f.id("paypal"))
			}},
		{name: "return pending", wantErr: commerce.ErrConflict, errHas: "is pending, not delivered",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ReturnItems(ctx, f.p+"k", f.id("pending"), []string{f.id("S")}, f.id("card"))
			}},
		{name: "return an item the order does not hold", wantErr: commerce.ErrInvalid, errHas: "not in order",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ReturnItems(ctx, f.p+"k", f.id("delivered"), []string{f.id("L")}, f.id("card"))
			}},
		{name: "return twice", wantErr: commerce.ErrConflict, errHas: "is return requested, not delivered",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				if _, err := s.ReturnItems(ctx, f.p+"k1", f.id("delivered"), []string{f.id("S")}, f.id("card")); err != nil {
					return nil, err
				}
				return s.ReturnItems(ctx, f.p+"k2", f.id("delivered"), []string{f.id("M")}, f.id("card"))
			}},

		// ExchangeItems
		{name: "exchange refunds a cheaper option",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ExchangeItems(ctx, f.p+"k", f.id("delivered"), []commerce.ItemSwap{{From: f.id("M"), To: f.id("S")}}, f.id("card"))
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				o := order(got)
				if o.Status != commerce.StatusExchangeRequested || o.ExchangeItemIDs[f.id("M")] != f.id("S") || o.Refunded() != usd(200) ||
					o.Items[1].ItemID != f.id("M") {
					t.Errorf("exchanged order: %+v", o)
				}
			}},
		{name: "exchange charges a dearer option to another card",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ExchangeItems(ctx, f.p+"k", f.id("delivered"), []commerce.ItemSwap{{From: f.id("S"), To: f.id("M")}}, f.id("paypal"))
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				if o := order(got); lastTx(o).Kind != "payment" || lastTx(o).Amount != usd(200) || lastTx(o).PaymentMethodID != f.id("paypal") {
					t.Errorf("exchanged order: %+v", o)
				}
			}},
		{name: "exchange to another product", wantErr: commerce.ErrInvalid, errHas: "same product",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ExchangeItems(ctx, f.p+"k", f.id("delivered"), []commerce.ItemSwap{{From: f.id("mug1"), To: f.id("S")}}, f.id("card"))
			}},
		{name: "exchange to a sold-out option", wantErr: commerce.ErrInvalid, errHas: "not available",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ExchangeItems(ctx, f.p+"k", f.id("delivered"), []commerce.ItemSwap{{From: f.id("M"), To: f.id("L")}}, f.id("card"))
			}},
		{name: "exchange paid by a gift card without balance", wantErr: commerce.ErrInvalid, errHas: "not enough",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ExchangeItems(ctx, f.p+"k", f.id("delivered"), []commerce.ItemSwap{{From: f.id("S"), To: f.id("M")}}, f.id("poor"))
			}},
		{name: "exchange pending", wantErr: commerce.ErrConflict, errHas: "is pending, not delivered",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ExchangeItems(ctx, f.p+"k", f.id("pending"), []commerce.ItemSwap{{From: f.id("M"), To: f.id("S")}}, f.id("card"))
			}},

		// RefundOrder
		{name: "refund part of a delivered order",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.RefundOrder(ctx, f.p+"k-refund", commerce.Refund{OrderID: f.id("delivered"), Amount: usd(500), Reason: "late delivery"})
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				o := order(got)
				tx := lastTx(o)
				if o.Status != commerce.StatusDelivered || o.Paid() != usd(fixtureTotal-500) || tx.Key != f.p+"k-refund" || tx.PaymentMethodID != f.id("card") || tx.At.IsZero() {
					t.Errorf("refunded order: %+v", o)
				}
			}},
		{name: "refund the price of named items",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.RefundOrder(ctx, f.p+"k", commerce.Refund{OrderID: f.id("delivered"), ItemIDs: []string{f.id("mug1")}})
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				if o := order(got); o.Refunded() != usd(1000) {
					t.Errorf("refunded %v, want 10.00 USD", o.Refunded())
				}
			}},
		{name: "refund more than was paid", wantErr: commerce.ErrInvalid, errHas: "exceeds the 52.00 USD still refundable",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.RefundOrder(ctx, f.p+"k", commerce.Refund{OrderID: f.id("delivered"), Amount: usd(fixtureTotal + 1)})
			}},
		{name: "refund a cancelled order again", wantErr: commerce.ErrInvalid, errHas: "still refundable",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.RefundOrder(ctx, f.p+"k", commerce.Refund{OrderID: f.id("cancelled"), Amount: usd(100)})
			}},
		{name: "refund in another currency", wantErr: commerce.ErrInvalid, errHas: "in USD, not EUR",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.RefundOrder(ctx, f.p+"k", commerce.Refund{OrderID: f.id("delivered"), Amount: commerce.Money{Amount: 100, Currency: "EUR"}})
			}},
		{name: "refund cash on delivery that was never paid", wantErr: commerce.ErrInvalid,
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.RefundOrder(ctx, f.p+"k", commerce.Refund{OrderID: f.id("pending-cod"), Amount: usd(100), PaymentMethodID: f.id("rich")})
			}},

		// ModifyCustomerAddress
		{name: "modify the customer's address",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyCustomerAddress(ctx, f.p+"k", f.id("cust"), newAddr)
			},
			check: func(t *testing.T, s *pgstore.Store, f fixture, got any) {
				c := got.(commerce.Customer)
				if c.Address.City != "Berlin" || c.Address.Country != "DE" {
					t.Errorf("customer address %+v", c.Address)
				}
				if o, _ := s.Order(context.Background(), f.id("pending")); o.Address.City != "Austin" {
					t.Errorf("an order's address changed with the customer's: %+v", o.Address)
				}
			}},
		{name: "modify an unknown customer's address", wantErr: commerce.ErrNotFound,
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyCustomerAddress(ctx, f.p+"k", f.id("nobody"), newAddr)
			}},
		{name: "modify the customer's address to no street", wantErr: commerce.ErrInvalid, errHas: "street",
			do: func(ctx context.Context, s *pgstore.Store, f fixture) (any, error) {
				return s.ModifyCustomerAddress(ctx, f.p+"k", f.id("cust"), commerce.Address{City: "Berlin", Country: "DE"})
			}},
	}
	s := newStore(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFixture(t, s)
			got, err := tt.do(ctx, s, f) // keys carry the fixture's prefix: they are global
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("err = %q, want it to say %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, s, f, got)
			}
		})
	}
}

func TestReadsAndFind(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	f := newFixture(t, s)
	for _, q := range []commerce.CustomerQuery{
		{Email: strings.ToUpper(f.p) + "@EXAMPLE.com"},
		{FirstName: "ada", LastName: "Lovelace" + f.p, Zip: "78701"},
		{FirstName: " Áda ", LastName: "LOVELACE" + strings.ToUpper(f.p), Zip: "78701"}, // as typed without care
		{Phone: "+1512555" + f.p[:4]},
	} {
		c, err := s.FindCustomer(ctx, q)
		if err != nil || c.ID != f.id("cust") {
			t.Errorf("FindCustomer(%+v) = %s, %v", q, c.ID, err)
		}
	}
	for _, q := range []commerce.CustomerQuery{{Email: "nobody-" + f.p + "@example.com"}, {FirstName: "Ada", LastName: "Lovelace" + f.p, Zip: "00000"}} {
		if _, err := s.FindCustomer(ctx, q); !errors.Is(err, commerce.ErrNotFound) {
			t.Errorf("FindCustomer(%+v): %v, want not found", q, err)
		}
	}
	if _, err := s.FindCustomer(ctx, commerce.CustomerQuery{FirstName: "Ada"}); !errors.Is(err, commerce.ErrInvalid) {
		t.Errorf("a first name alone: %v, want invalid", err)
	}
	c, err := s.Customer(ctx, f.id("cust"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.PaymentMethods) != 5 || c.PaymentMethods[2].Balance == nil || *c.PaymentMethods[2].Balance != usd(100) ||
		len(c.OrderIDs) != 7 || c.OrderIDs[0] != f.id("pending") || c.PaymentMethods[0].Last4 != "4242" {
		t.Errorf("customer %+v", c)
	}
	o, err := s.Order(ctx, f.id("processed"))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Items) != 3 || o.Paid() != usd(fixtureTotal) || len(o.Fulfillments) != 1 || o.Fulfillments[0].Carrier != "UPS" ||
		!slices.Equal(o.Fulfillments[0].TrackingIDs, []string{f.id("trk-processed")}) || o.PlacedAt.IsZero() {
		t.Errorf("order %+v", o)
	}
	p, err := s.Parcel(ctx, f.id("trk-processed"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) != 2 || p.Events[1].Code != "In Transit" || p.Events[0].Carrier != "UPS" || p.ETA.IsZero() {
		t.Errorf("parcel %+v", p)
	}
	if _, err := s.Parcel(ctx, f.id("trk-none")); !errors.Is(err, commerce.ErrNotFound) {
		t.Errorf("unknown parcel: %v", err)
	}
	pr, err := s.ProductOfItem(ctx, f.id("L"))
	if err != nil || pr.ID != f.id("shirt") || len(pr.Variants) != 3 || pr.Variants[2].Available {
		t.Errorf("ProductOfItem = %+v, %v", pr, err)
	}
	if _, err := s.Product(ctx, f.id("none")); !errors.Is(err, commerce.ErrNotFound) {
		t.Errorf("unknown product: %v", err)
	}
	// Seeding again changes nothing.
	if err := s.Put(ctx, pgstore.Data{Customers: []commerce.Customer{c}}); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Customer(ctx, c.ID); fmt.Sprint(again) != fmt.Sprint(c) {
		t.Errorf("re-seeded customer %+v, was %+v", again, c)
	}
}
