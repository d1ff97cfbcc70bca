// Package commerce is the shop as the agent's tools see it: customers, orders, products,
// parcels and payments, and the Connector interface through which a shop system is read and
// changed.
//
// Two connectors implement it: the built-in store (commerce/pgstore, tables in the service's
// own Postgres, seeded with multi-market demo data or the τ² retail database) and Shopify's
// Admin API (commerce/shopify). Every write takes an idempotency key and is applied at most
// once per key: asking again with the same key returns the first result. That is what makes
// a refund happen exactly once when an activity is retried after its worker died.
//
// It is not where policy lives (who may cancel what, return windows, approval limits: the
// tools and their rule files decide) nor where identity is verified (package identity).
package commerce

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Errors a connector returns for expected cases; tools turn them into answers.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict: the object is not in a state that allows the change (a delivered order
	// cannot be cancelled). The wrapped message says which state.
	ErrConflict = errors.New("not allowed in the current state")
	// ErrInvalid: the request itself is wrong (an item not in the order, an amount larger
	// than what is refundable).
	ErrInvalid = errors.New("invalid request")
	// ErrInsufficientBalance: a gift card or store credit cannot cover the amount. It is an
	// ErrInvalid too.
	ErrInsufficientBalance = fmt.Errorf("insufficient balance: %w", ErrInvalid)
	// ErrKeyReused: an idempotency key was used before for a different request.
	ErrKeyReused = errors.New("idempotency key reused for a different request")
)

// Money is an amount in the minor units of its currency (cents; yen and dong have none).
type Money struct {
	Amount   int64  // minor units
	Currency string // ISO 4217
}

// Address is a postal address.
type Address struct {
	Line1, Line2, City, State, Zip string
	Country                        string // ISO 3166-1 alpha-2
}

// PaymentMethod is one way a customer pays.
type PaymentMethod struct {
	ID      string
	Kind    string // "credit_card", "paypal", "gift_card", "cod", "bank_transfer", "store_credit"
	Brand   string // card brand
	Last4   string
	Balance *Money // gift cards and store credit
}

// Customer is a shop's customer.
type Customer struct {
	ID             string
	FirstName      string
	LastName       string
	Email          string
	Phone          string // E.164
	Locale         string // BCP 47
	Market         string // ISO 3166-1 alpha-2
	Address        Address
	PaymentMethods []PaymentMethod
	OrderIDs       []string
}

// Order statuses. The τ² retail data uses the same words.
const (
	StatusPending           = "pending" // placed, not yet handed to the warehouse
	StatusPendingModified   = "pending (item modified)"
	StatusProcessed         = "processed" // fulfilled: shipped or about to be
	StatusDelivered         = "delivered"
	StatusCancelled         = "cancelled"
	StatusReturnRequested   = "return requested"
	StatusExchangeRequested = "exchange requested"
)

// Item is one line of an order (one unit of a product variant).
type Item struct {
	ItemID    string // the variant's ID
	ProductID string
	Name      string
	Options   map[string]string
	Price     Money
}

// Fulfillment is a parcel: which items travel under which tracking numbers.
type Fulfillment struct {
	Carrier     string
	TrackingIDs []string
	ItemIDs     []string
}

// Transaction is a movement of money on an order.
type Transaction struct {
	Kind            string // "payment" or "refund"
	Amount          Money
	PaymentMethodID string
	Key             string // the idempotency key that created it, "" for imported history
	At              time.Time
}

// Order is a customer's order.
type Order struct {
	ID              string
	CustomerID      string
	Market          string
	Status          string
	Address         Address
	Items           []Item
	Fulfillments    []Fulfillment
	Payments        []Transaction
	PlacedAt        time.Time
	DeliveredAt     time.Time // zero until delivered
	CashOnDelivery  bool
	CancelReason    string
	ReturnItemIDs   []string
	ExchangeItemIDs map[string]string // old item ID → new item ID
}

// Paid is the sum of payments minus refunds.
func (o Order) Paid() Money {
	m := Money{Currency: o.currency()}
	for _, t := range o.Payments {
		switch t.Kind {
		case "payment":
			m.Amount += t.Amount.Amount
		case "refund":
			m.Amount -= t.Amount.Amount
		}
	}
	return m
}

// Refunded is the sum of refunds.
func (o Order) Refunded() Money {
	m := Money{Currency: o.currency()}
	for _, t := range o.Payments {
		if t.Kind == "refund" {
			m.Amount += t.Amount.Amount
		}
	}
	return m
}

func (o Order) currency() string {
	if len(o.Items) > 0 {
		return o.Items[0].Price.Currency
	}
	for _, t := range o.Payments {
		return t.Amount.Currency
	}
	return ""
}

// Variant is a purchasable option of a product.
type Variant struct {
	ItemID    string
	Options   map[string]string
	Available bool
	Price     Money
}

// Product is a product type with its variants.
type Product struct {
	ID       string
	Name     string
	Variants []Variant
}

// CarrierEvent is one scan of a parcel as the carrier reports it; package tracking
// normalises the carrier's status codes into one taxonomy.
type CarrierEvent struct {
	At       time.Time
	Carrier  string
	Code     string // the carrier's own status code or text
	Location string
}

// Parcel is what a carrier knows about one tracking number.
type Parcel struct {
	TrackingID string
	Carrier    string
	Events     []CarrierEvent // oldest first
	ETA        time.Time      // zero when unknown
}

// CustomerQuery finds a customer: by email, by name and postal code, or by phone.
type CustomerQuery struct {
	Email               string
	FirstName, LastName string
	Zip                 string
	Phone               string // E.164
}

// ItemSwap replaces one item of an order by another variant of the same product.
type ItemSwap struct{ From, To string }

// Refund asks for money back on an order.
type Refund struct {
	OrderID         string
	Amount          Money // zero: the items' total
	ItemIDs         []string
	PaymentMethodID string // "" = the original payment method
	Reason          string
}

// Reader is the read side of a shop.
type Reader interface {
	FindCustomer(ctx context.Context, q CustomerQuery) (Customer, error)
	Customer(ctx context.Context, id string) (Customer, error)
	Order(ctx context.Context, id string) (Order, error)
	Product(ctx context.Context, id string) (Product, error)
	Parcel(ctx context.Context, trackingID string) (Parcel, error)
}

// Writer is the write side. Each method applies its change at most once per key and returns
// the order (or customer) as it is after the change; a repeated key with the same request
// returns that result again without changing anything.
type Writer interface {
	CancelOrder(ctx context.Context, key, orderID, reason string) (Order, error)
	ModifyOrderAddress(ctx context.Context, key, orderID string, a Address) (Order, error)
	ModifyOrderItems(ctx context.Context, key, orderID string, swaps []ItemSwap, paymentMethodID string) (Order, error)
	ModifyOrderPayment(ctx context.Context, key, orderID, paymentMethodID string) (Order, error)
	ReturnItems(ctx context.Context, key, orderID string, itemIDs []string, paymentMethodID string) (Order, error)
	ExchangeItems(ctx context.Context, key, orderID string, swaps []ItemSwap, paymentMethodID string) (Order, error)
	RefundOrder(ctx context.Context, key string, r Refund) (Order, error)
	ModifyCustomerAddress(ctx context.Context, key, customerID string, a Address) (Customer, error)
}

// Connector is a shop system.
type Connector interface {
	Reader
	Writer
}
