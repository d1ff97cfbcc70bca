// Package pgstore is the built-in commerce connector: a shop's customers, catalogue, orders,
// parcels and payments kept in Attaché's own PostgreSQL (migration 0005_commerce), for shops
// without an order system of their own, for the demo (package commerce/demo) and for the τ²
// retail evaluations (LoadTau2).
//
// Store implements commerce.Connector with the τ² retail rules: cancel and modify only
// pending orders, return and exchange only delivered ones, one item modification or
// exchange per order, refunds to the original payment method or a gift card, gift card
// balances moved at once. Every write runs in one short transaction that locks the order
// (SELECT … FOR UPDATE), checks the rules on what it read under the lock, changes the rows
// and records its idempotency key in commerce_operations; a repeated key with the same
// request returns the object as it is now and changes nothing, a repeated key with another
// request fails with commerce.ErrKeyReused. It is correct under real concurrency and holds
// one connection per call, which PGlite's single shared session needs.
//
// It is not a payment gateway: "refund" records the money movement the shop owes, and a
// shop that moves real money uses its own system through another connector (Shopify). Nor
// does it decide who may do what: identity, confirmation and approval limits belong to the
// tools and the workflow.
package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/text/unicode/norm"

	"github.com/attache-dev/attache/tools/commerce"
)

// DB is what the store needs of a database handle: a *pgxpool.Pool in production, a pgx.Tx
// in tests that roll their changes back (Begin on a transaction makes a savepoint).
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// querier is a DB or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Store is the PostgreSQL commerce connector.
type Store struct {
	db     DB
	logger *slog.Logger
	now    func() time.Time
}

var _ commerce.Connector = (*Store)(nil)

// New returns a store on a migrated database.
func New(db DB, logger *slog.Logger) *Store {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Store{db: db, logger: logger, now: time.Now}
}

// FindCustomer finds the one customer matching every criterion given: the email
// (case-insensitive), the phone, or first name, last name and postal code together (names
// compared without case and diacritics, as a customer who types "Joao" or spells a name
// aloud means João). No criterion, or an incomplete name query, is commerce.ErrInvalid;
// several matches too (ask for the email).
func (s *Store) FindCustomer(ctx context.Context, q commerce.CustomerQuery) (commerce.Customer, error) {
	var where []string
	var args []any
	arg := func(v string) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if e := strings.TrimSpace(q.Email); e != "" {
		where = append(where, "lower(c.email) = lower("+arg(e)+")")
	}
	if p := strings.TrimSpace(q.Phone); p != "" {
		where = append(where, "c.phone = "+arg(p))
	}
	first, last, zip := fold(q.FirstName), fold(q.LastName), strings.TrimSpace(q.Zip)
	byName := first != "" || last != "" || zip != ""
	if byName {
		if first == "" || last == "" || zip == "" {
			return commerce.Customer{}, fmt.Errorf("find customer: a name query needs first name, last name and postal code: %w", commerce.ErrInvalid)
		}
		where = append(where, "c.zip = "+arg(zip))
	}
	if len(where) == 0 {
		return commerce.Customer{}, fmt.Errorf("find customer: give an email, a phone, or a name and postal code: %w", commerce.ErrInvalid)
	}
	rows, err := s.db.Query(ctx, customerSelect+` WHERE `+strings.Join(where, " AND ")+` ORDER BY c.id`, args...)
	if err != nil {
		return commerce.Customer{}, fmt.Errorf("find customer: %w", err)
	}
	all, err := pgx.CollectRows(rows, scanCustomer)
	if err != nil {
		return commerce.Customer{}, fmt.Errorf("find customer: %w", err)
	}
	var found []commerce.Customer
	for _, c := range all {
		if !byName || (fold(c.FirstName) == first && fold(c.LastName) == last) {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return commerce.Customer{}, fmt.Errorf("find customer: %w", commerce.ErrNotFound)
	case 1:
		return found[0], nil
	default:
		return commerce.Customer{}, fmt.Errorf("find customer: several customers match, ask for the email: %w", commerce.ErrInvalid)
	}
}

// fold is a name as compared: trimmed, lower case, without diacritics, spaces collapsed.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(strings.TrimSpace(s))) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(norm.NFC.String(b.String())), " ")
}

// Customer returns a customer with their payment methods and order IDs.
func (s *Store) Customer(ctx context.Context, id string) (commerce.Customer, error) {
	return readCustomer(ctx, s.db, id)
}

// Order returns an order with its items, fulfillments and transactions.
func (s *Store) Order(ctx context.Context, id string) (commerce.Order, error) {
	st, err := readOrder(ctx, s.db, id, false)
	if err != nil {
		return commerce.Order{}, err
	}
	return st.Order, nil
}

// Product returns a product with its variants.
func (s *Store) Product(ctx context.Context, id string) (commerce.Product, error) {
	return readProduct(ctx, s.db, `p.id = $1`, id)
}

// ProductOfItem returns the product that has the variant itemID (τ²'s get_item_details).
func (s *Store) ProductOfItem(ctx context.Context, itemID string) (commerce.Product, error) {
	return readProduct(ctx, s.db, `p.id = (SELECT product_id FROM commerce_variants WHERE item_id = $1)`, itemID)
}

// Parcel returns what the carrier reported about a tracking number, oldest event first.
func (s *Store) Parcel(ctx context.Context, trackingID string) (commerce.Parcel, error) {
	var (
		p      commerce.Parcel
		eta    *time.Time
		events []eventRow
	)
	err := s.db.QueryRow(ctx, `
		SELECT p.tracking_id, p.carrier, p.eta,
			coalesce((SELECT jsonb_agg(jsonb_build_object('at', e.at, 'carrier', e.carrier, 'code', e.code, 'location', e.location) ORDER BY e.seq)
				FROM commerce_parcel_events e WHERE e.tracking_id = p.tracking_id), '[]')
		FROM commerce_parcels p WHERE p.tracking_id = $1`, trackingID).Scan(&p.TrackingID, &p.Carrier, &eta, &events)
	if errors.Is(err, pgx.ErrNoRows) {
		return commerce.Parcel{}, fmt.Errorf("parcel %s: %w", trackingID, commerce.ErrNotFound)
	}
	if err != nil {
		return commerce.Parcel{}, fmt.Errorf("parcel %s: %w", trackingID, err)
	}
	if eta != nil {
		p.ETA = *eta
	}
	for _, e := range events {
		p.Events = append(p.Events, commerce.CarrierEvent{At: e.At, Carrier: e.Carrier, Code: e.Code, Location: e.Location})
	}
	return p, nil
}

type eventRow struct {
	At       time.Time `json:"at"`
	Carrier  string    `json:"carrier"`
	Code     string    `json:"code"`
	Location string    `json:"location"`
}

const customerSelect = `
	SELECT c.id, c.first_name, c.last_name, c.email, c.phone, c.locale, c.market,
		c.line1, c.line2, c.city, c.state, c.zip, c.country,
		coalesce((SELECT jsonb_agg(jsonb_build_object('id', m.id, 'kind', m.kind, 'brand', m.brand, 'last4', m.last4,
				'balance', m.balance, 'currency', m.currency) ORDER BY m.position)
			FROM commerce_payment_methods m WHERE m.customer_id = c.id), '[]'),
		coalesce((SELECT array_agg(o.id ORDER BY o.position, o.placed_at NULLS FIRST, o.id) FROM commerce_orders o WHERE o.customer_id = c.id), '{}')
	FROM commerce_customers c`

type methodRow struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Brand    string `json:"brand"`
	Last4    string `json:"last4"`
	Balance  *int64 `json:"balance"`
	Currency string `json:"currency"`
}

func (m methodRow) paymentMethod() commerce.PaymentMethod {
	pm := commerce.PaymentMethod{ID: m.ID, Kind: m.Kind, Brand: m.Brand, Last4: m.Last4}
	if m.Balance != nil {
		pm.Balance = &commerce.Money{Amount: *m.Balance, Currency: m.Currency}
	}
	return pm
}

func scanCustomer(row pgx.CollectableRow) (commerce.Customer, error) {
	var (
		c       commerce.Customer
		methods []methodRow
	)
	err := row.Scan(&c.ID, &c.FirstName, &c.LastName, &c.Email, &c.Phone, &c.Locale, &c.Market,
		&c.Address.Line1, &c.Address.Line2, &c.Address.City, &c.Address.State, &c.Address.Zip, &c.Address.Country,
		&methods, &c.OrderIDs)
	for _, m := range methods {
		c.PaymentMethods = append(c.PaymentMethods, m.paymentMethod())
	}
	return c, err
}

func readCustomer(ctx context.Context, q querier, id string) (commerce.Customer, error) {
	rows, err := q.Query(ctx, customerSelect+` WHERE c.id = $1`, id)
	if err != nil {
		return commerce.Customer{}, fmt.Errorf("customer %s: %w", id, err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanCustomer)
	if errors.Is(err, pgx.ErrNoRows) {
		return commerce.Customer{}, fmt.Errorf("customer %s: %w", id, commerce.ErrNotFound)
	}
	if err != nil {
		return commerce.Customer{}, fmt.Errorf("customer %s: %w", id, err)
	}
	return c, nil
}

type variantRow struct {
	ItemID    string            `json:"item_id"`
	Options   map[string]string `json:"options"`
	Available bool              `json:"available"`
	Price     int64             `json:"price"`
	Currency  string            `json:"currency"`
}

func readProduct(ctx context.Context, q querier, where string, arg string) (commerce.Product, error) {
	var (
		p        commerce.Product
		variants []variantRow
	)
	err := q.QueryRow(ctx, `
		SELECT p.id, p.name,
			coalesce((SELECT jsonb_agg(jsonb_build_object('item_id', v.item_id, 'options', v.options, 'available', v.available,
					'price', v.price, 'currency', v.currency) ORDER BY v.position)
				FROM commerce_variants v WHERE v.product_id = p.id), '[]')
		FROM commerce_products p WHERE `+where, arg).Scan(&p.ID, &p.Name, &variants)
	if errors.Is(err, pgx.ErrNoRows) {
		return commerce.Product{}, fmt.Errorf("product %s: %w", arg, commerce.ErrNotFound)
	}
	if err != nil {
		return commerce.Product{}, fmt.Errorf("product %s: %w", arg, err)
	}
	for _, v := range variants {
		p.Variants = append(p.Variants, commerce.Variant{ItemID: v.ItemID, Options: v.Options, Available: v.Available,
			Price: commerce.Money{Amount: v.Price, Currency: v.Currency}})
	}
	return p, nil
}

// orderState is an order with what the write rules need beyond commerce.Order.
type orderState struct {
	commerce.Order
	currency string
	lines    []lineRow
	txs      []txRow
}

type lineRow struct {
	Line       int               `json:"line"`
	ItemID     string            `json:"item_id"`
	ProductID  string            `json:"product_id"`
	Name       string            `json:"name"`
	Options    map[string]string `json:"options"`
	Price      int64             `json:"price"`
	Currency   string            `json:"currency"`
	Returned   bool              `json:"returned"`
	ExchangeTo *string           `json:"exchange_to"`
}

type txRow struct {
	Line     int        `json:"line"`
	Kind     string     `json:"kind"`
	Amount   int64      `json:"amount"`
	Currency string     `json:"currency"`
	Method   string     `json:"method"`
	Key      string     `json:"key"`
	At       *time.Time `json:"at"`
}

type fulfillmentRow struct {
	Carrier     string   `json:"carrier"`
	ItemIDs     []string `json:"item_ids"`
	TrackingIDs []string `json:"tracking_ids"`
}

const orderSelect = `
	SELECT o.id, o.customer_id, o.market, o.currency, o.status,
		o.line1, o.line2, o.city, o.state, o.zip, o.country,
		o.placed_at, o.delivered_at, o.cash_on_delivery, o.cancel_reason,
		coalesce((SELECT jsonb_agg(jsonb_build_object('line', i.line, 'item_id', i.item_id, 'product_id', i.product_id,
				'name', i.name, 'options', i.options, 'price', i.price, 'currency', i.currency,
				'returned', i.returned, 'exchange_to', i.exchange_to) ORDER BY i.line)
			FROM commerce_order_items i WHERE i.order_id = o.id), '[]'),
		coalesce((SELECT jsonb_agg(jsonb_build_object('carrier', f.carrier, 'item_ids', f.item_ids,
				'tracking_ids', coalesce((SELECT jsonb_agg(p.tracking_id ORDER BY p.position) FROM commerce_parcels p
					WHERE p.order_id = f.order_id AND p.fulfillment_line = f.line), '[]')) ORDER BY f.line)
			FROM commerce_fulfillments f WHERE f.order_id = o.id), '[]'),
		coalesce((SELECT jsonb_agg(jsonb_build_object('line', t.line, 'kind', t.kind, 'amount', t.amount, 'currency', t.currency,
				'method', t.payment_method_id, 'key', t.key, 'at', t.at) ORDER BY t.line)
			FROM commerce_transactions t WHERE t.order_id = o.id), '[]')
	FROM commerce_orders o WHERE o.id = $1`

// readOrder reads an order; forUpdate first locks its row until the transaction ends.
//
// The lock is its own statement: a statement that waits for a lock still reads its
// subqueries (items, transactions) from the snapshot it started with, so reading them in
// the locking statement would miss what the previous lock holder wrote. Under READ
// COMMITTED the next statement sees it.
func readOrder(ctx context.Context, q querier, id string, forUpdate bool) (orderState, error) {
	if forUpdate {
		var locked string
		err := q.QueryRow(ctx, `SELECT id FROM commerce_orders WHERE id = $1 FOR UPDATE`, id).Scan(&locked)
		if errors.Is(err, pgx.ErrNoRows) {
			return orderState{}, fmt.Errorf("order %s: %w", id, commerce.ErrNotFound)
		}
		if err != nil {
			return orderState{}, fmt.Errorf("lock order %s: %w", id, err)
		}
	}
	var (
		st           orderState
		placed, dlvd *time.Time
		fulfillments []fulfillmentRow
		o            = &st.Order
	)
	err := q.QueryRow(ctx, orderSelect, id).Scan(&o.ID, &o.CustomerID, &o.Market, &st.currency, &o.Status,
		&o.Address.Line1, &o.Address.Line2, &o.Address.City, &o.Address.State, &o.Address.Zip, &o.Address.Country,
		&placed, &dlvd, &o.CashOnDelivery, &o.CancelReason, &st.lines, &fulfillments, &st.txs)
	if errors.Is(err, pgx.ErrNoRows) {
		return orderState{}, fmt.Errorf("order %s: %w", id, commerce.ErrNotFound)
	}
	if err != nil {
		return orderState{}, fmt.Errorf("order %s: %w", id, err)
	}
	if placed != nil {
		o.PlacedAt = *placed
	}
	if dlvd != nil {
		o.DeliveredAt = *dlvd
	}
	for _, l := range st.lines {
		o.Items = append(o.Items, commerce.Item{ItemID: l.ItemID, ProductID: l.ProductID, Name: l.Name, Options: l.Options,
			Price: commerce.Money{Amount: l.Price, Currency: l.Currency}})
		if l.Returned {
			o.ReturnItemIDs = append(o.ReturnItemIDs, l.ItemID)
		}
		if l.ExchangeTo != nil {
			if o.ExchangeItemIDs == nil {
				o.ExchangeItemIDs = map[string]string{}
			}
			o.ExchangeItemIDs[l.ItemID] = *l.ExchangeTo
		}
	}
	for _, f := range fulfillments {
		o.Fulfillments = append(o.Fulfillments, commerce.Fulfillment{Carrier: f.Carrier, TrackingIDs: f.TrackingIDs, ItemIDs: f.ItemIDs})
	}
	for _, t := range st.txs {
		tr := commerce.Transaction{Kind: t.Kind, Amount: commerce.Money{Amount: t.Amount, Currency: t.Currency},
			PaymentMethodID: t.Method, Key: t.Key}
		if t.At != nil {
			tr.At = *t.At
		}
		o.Payments = append(o.Payments, tr)
	}
	return st, nil
}

// jsonOptions encodes variant options for a jsonb column; nil is {}.
func jsonOptions(m map[string]string) []byte {
	if m == nil {
		return []byte("{}")
	}
	b, _ := json.Marshal(m) // a map of strings always encodes
	return b
}
