// Package orders holds the agent's shop tools — identifying the customer, looking up orders,
// products and parcels, cancelling, changing addresses and items, returns, exchanges and
// refunds — on any commerce.Connector.
//
// The tools carry the τ² retail tool names where τ² has the same action, so that its tasks
// replay through them unchanged. Each write tool checks, inside the tool and not in any
// prompt, that the order belongs to the verified customer; previews what it would do (the
// customer confirms that, and the amount is what the approval limit sees); and after the
// change reads the shop again to verify the effect (Result.Verified), so that no reply
// claims an action that did not happen.
//
// It is not where policy beyond the shop's own state lives: return windows come from package
// returns, parcel statuses from package tracking; confirmation, approval, idempotency and
// budgets are enforced by the workflow from the specs.
package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/commerce"
)

// Limits are the per-market amounts above which a money-moving call waits for a person.
type Limits map[string]commerce.Money

// DefaultLimits: what a shop starts with; a shop sets its own in configuration.
var DefaultLimits = Limits{
	"DE": {Amount: 20000, Currency: "EUR"}, "FR": {Amount: 20000, Currency: "EUR"}, "ES": {Amount: 20000, Currency: "EUR"},
	"IT": {Amount: 20000, Currency: "EUR"}, "NL": {Amount: 20000, Currency: "EUR"}, "AT": {Amount: 20000, Currency: "EUR"},
	"GB": {Amount: 17500, Currency: "GBP"}, "US": {Amount: 100000, Currency: "USD"},
	"SA": {Amount: 75000, Currency: "SAR"}, "AE": {Amount: 75000, Currency: "AED"},
	"TH": {Amount: 700000, Currency: "THB"}, "VN": {Amount: 500000000, Currency: "VND"},
	"ID": {Amount: 300000000, Currency: "IDR"}, "MY": {Amount: 90000, Currency: "MYR"},
	"PH": {Amount: 1100000, Currency: "PHP"}, "JP": {Amount: 30000, Currency: "JPY"},
	"BR": {Amount: 100000, Currency: "BRL"}, "MX": {Amount: 350000, Currency: "MXN"},
}

// Returns decides whether a delivered order may still be returned in its market.
type Returns interface {
	// Window returns "" when a return is allowed now, else a reason code.
	Window(market string, o commerce.Order) string
}

// Parcels normalises carrier data for the customer.
type Parcels interface {
	Describe(p commerce.Parcel, locale string) json.RawMessage
}

// Tools builds the shop tools on a connector.
type Tools struct {
	Shop    commerce.Connector
	Limits  Limits
	Returns Returns // nil: no window beyond the shop's own state
	Parcels Parcels // nil: raw carrier events
}

// All returns every tool.
func (t Tools) All() []tools.Tool {
	if t.Limits == nil {
		t.Limits = DefaultLimits
	}
	return []tools.Tool{
		findByEmail{t}, findByNameZip{t}, verifyCustomer{t}, userDetails{t}, orderDetails{t}, productDetails{t},
		trackOrder{t}, t.cancel(), t.modifyAddress(), t.modifyPayment(), t.returnItems(), t.refund(), t.modifyUserAddress(),
		t.swapTool("modify_pending_order_items", commerce.StatusPending,
			"Swap items of a pending order for other variants of the same products, all at once (only once per order); the price difference is paid or refunded with the given payment method.",
			t.Shop.ModifyOrderItems, commerce.StatusPendingModified),
		t.swapTool("exchange_delivered_order_items", commerce.StatusDelivered,
			"Exchange items of a delivered order for other variants of the same products, all at once; the price difference is paid or refunded with the given payment method.",
			t.Shop.ExchangeItems, commerce.StatusExchangeRequested),
		calculate{}, transferToHuman{},
	}
}

// result turns a connector error into a result a responder can explain, or passes on an
// error worth retrying.
func result(err error) (tools.Result, error) {
	switch {
	case errors.Is(err, commerce.ErrNotFound):
		return tools.Result{Outcome: tools.NotFound, Reason: "not_found", Detail: err.Error()}, nil
	case errors.Is(err, commerce.ErrConflict):
		return tools.Refusal("state", err.Error()), nil
	case errors.Is(err, commerce.ErrInsufficientBalance):
		return tools.Result{Outcome: tools.Invalid, Reason: "insufficient_balance", Detail: err.Error()}, nil
	case errors.Is(err, commerce.ErrInvalid), errors.Is(err, commerce.ErrKeyReused):
		return tools.Result{Outcome: tools.Invalid, Reason: "invalid", Detail: err.Error()}, nil
	}
	return tools.Result{}, err
}

func data(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // views are plain structs
	}
	return b
}

func ok(v any) tools.Result { return tools.Result{Outcome: tools.OK, Data: data(v)} }

func invalid(err error) tools.Result {
	return tools.Result{Outcome: tools.Invalid, Reason: "bad_arguments", Detail: err.Error()}
}

// ownOrder reads an order of the verified customer; someone else's order is reported as not
// found, so that its existence is not revealed.
func (t Tools) ownOrder(ctx context.Context, inv tools.Invocation, id string) (commerce.Order, *tools.Result, error) {
	o, err := t.Shop.Order(ctx, id)
	if err != nil {
		r, err := result(err)
		return o, &r, err
	}
	if o.CustomerID != inv.Identity.CustomerID {
		return o, &tools.Result{Outcome: tools.NotFound, Reason: "not_found", Detail: "no such order for this customer"}, nil
	}
	return o, nil, nil
}

// moneyView is money on the wire: "45.00" and "EUR", exact.
type moneyView struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

func viewMoney(m commerce.Money) moneyView {
	s := m.String()
	amount, _, _ := strings.Cut(s, " ")
	return moneyView{Amount: amount, Currency: m.Currency}
}

type itemView struct {
	ItemID    string            `json:"item_id"`
	ProductID string            `json:"product_id"`
	Name      string            `json:"name"`
	Options   map[string]string `json:"options,omitempty"`
	Price     moneyView         `json:"price"`
}

type orderView struct {
	OrderID        string           `json:"order_id"`
	Status         string           `json:"status"`
	Market         string           `json:"market,omitempty"`
	Items          []itemView       `json:"items"`
	Total          moneyView        `json:"total"`
	Paid           moneyView        `json:"paid"`
	Refunded       moneyView        `json:"refunded"`
	TrackingIDs    []string         `json:"tracking_ids,omitempty"`
	ShipTo         commerce.Address `json:"ship_to"`
	CashOnDelivery bool             `json:"cash_on_delivery,omitempty"`
	PaymentMethods []string         `json:"payment_method_ids"`
	PlacedAt       string           `json:"placed_at,omitempty"`
	DeliveredAt    string           `json:"delivered_at,omitempty"`
}

func viewOrder(o commerce.Order) orderView {
	v := orderView{OrderID: o.ID, Status: o.Status, Market: o.Market, ShipTo: o.Address, CashOnDelivery: o.CashOnDelivery,
		Paid: viewMoney(o.Paid()), Refunded: viewMoney(o.Refunded()), Total: viewMoney(total(o.Items, o.Paid().Currency))}
	for _, it := range o.Items {
		v.Items = append(v.Items, itemView{ItemID: it.ItemID, ProductID: it.ProductID, Name: it.Name, Options: it.Options, Price: viewMoney(it.Price)})
	}
	for _, f := range o.Fulfillments {
		v.TrackingIDs = append(v.TrackingIDs, f.TrackingIDs...)
	}
	for _, p := range o.Payments {
		if p.Kind == "payment" && !slices.Contains(v.PaymentMethods, p.PaymentMethodID) {
			v.PaymentMethods = append(v.PaymentMethods, p.PaymentMethodID)
		}
	}
	if !o.PlacedAt.IsZero() {
		v.PlacedAt = o.PlacedAt.Format("2006-01-02")
	}
	if !o.DeliveredAt.IsZero() {
		v.DeliveredAt = o.DeliveredAt.Format("2006-01-02")
	}
	return v
}

func total(items []commerce.Item, currency string) commerce.Money {
	m := commerce.Money{Currency: currency}
	for _, it := range items {
		m.Amount += it.Price.Amount
		m.Currency = it.Price.Currency
	}
	return m
}

// itemsTotal is the price of the listed items of an order; an item not in the order is an
// error naming it. An item listed twice counts twice only if the order has it twice.
func itemsTotal(o commerce.Order, ids []string) (commerce.Money, error) {
	left := slices.Clone(o.Items)
	m := commerce.Money{Currency: o.Paid().Currency}
	for _, id := range ids {
		i := slices.IndexFunc(left, func(it commerce.Item) bool { return it.ItemID == id })
		if i < 0 {
			return m, fmt.Errorf("item_ids: %s is not in order %s", id, o.ID)
		}
		m.Amount += left[i].Price.Amount
		m.Currency = left[i].Price.Currency
		left = slices.Delete(left, i, i+1)
	}
	return m, nil
}
