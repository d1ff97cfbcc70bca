package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/attache-dev/attache/tools/commerce"
)

// Data is a shop's content to seed the store with: the demo data, test fixtures, an import.
type Data struct {
	Products  []commerce.Product
	Customers []commerce.Customer // with their payment methods; OrderIDs sets the orders' listing order
	Orders    []commerce.Order    // with items, fulfillments (carrier, tracking IDs) and transaction history
	Parcels   []commerce.Parcel   // events and ETA of tracking numbers named in Orders' fulfillments
}

// Put inserts d, each top-level object in its own short transaction. It is idempotent: an
// object whose key is already stored is left as it is (with its children), so seeding
// twice adds nothing and does not undo changes made through the Writer since.
func (s *Store) Put(ctx context.Context, d Data) error {
	positions := map[string]int{}
	for _, c := range d.Customers {
		for i, id := range c.OrderIDs {
			positions[id] = i
		}
	}
	run := func(what string, queue func(b *pgx.Batch) error) error {
		b := &pgx.Batch{}
		if err := queue(b); err != nil {
			return fmt.Errorf("put %s: %w", what, err)
		}
		if err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error { return tx.SendBatch(ctx, b).Close() }); err != nil {
			return fmt.Errorf("put %s: %w", what, err)
		}
		return nil
	}
	for _, p := range d.Products {
		if err := run("product "+p.ID, func(b *pgx.Batch) error { return queueProduct(b, p) }); err != nil {
			return err
		}
	}
	for _, c := range d.Customers {
		if err := run("customer "+c.ID, func(b *pgx.Batch) error { return queueCustomer(b, c) }); err != nil {
			return err
		}
	}
	for _, o := range d.Orders {
		if err := run("order "+o.ID, func(b *pgx.Batch) error { return queueOrder(b, o, positions[o.ID]) }); err != nil {
			return err
		}
	}
	for _, p := range d.Parcels {
		if err := run("parcel "+p.TrackingID, func(b *pgx.Batch) error { return queueParcel(b, p) }); err != nil {
			return err
		}
	}
	return nil
}

func queueProduct(b *pgx.Batch, p commerce.Product) error {
	b.Queue(`INSERT INTO commerce_products (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING`, p.ID, p.Name)
	for i, v := range p.Variants {
		if _, err := commerce.Scale(v.Price.Currency); err != nil {
			return fmt.Errorf("variant %s: %w", v.ItemID, err)
		}
		b.Queue(`INSERT INTO commerce_variants (item_id, product_id, position, options, available, price, currency)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
			v.ItemID, p.ID, i, jsonOptions(v.Options), v.Available, v.Price.Amount, v.Price.Currency)
	}
	return nil
}

func queueCustomer(b *pgx.Batch, c commerce.Customer) error {
	a := normalizeAddress(c.Address)
	b.Queue(`INSERT INTO commerce_customers (id, first_name, last_name, email, phone, locale, market, line1, line2, city, state, zip, country)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
		c.ID, c.FirstName, c.LastName, c.Email, c.Phone, c.Locale, c.Market, a.Line1, a.Line2, a.City, a.State, a.Zip, a.Country)
	for i, m := range c.PaymentMethods {
		var (
			balance  *int64
			currency string
		)
		if m.Balance != nil {
			balance, currency = &m.Balance.Amount, m.Balance.Currency
		}
		b.Queue(`INSERT INTO commerce_payment_methods (id, customer_id, position, kind, brand, last4, balance, currency)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
			m.ID, c.ID, i, m.Kind, m.Brand, m.Last4, balance, currency)
	}
	return nil
}

func queueOrder(b *pgx.Batch, o commerce.Order, position int) error {
	currency := ""
	for _, it := range o.Items {
		if currency == "" {
			currency = it.Price.Currency
		}
		if it.Price.Currency != currency {
			return fmt.Errorf("items in %s and %s: %w", currency, it.Price.Currency, commerce.ErrInvalid)
		}
	}
	if _, err := commerce.Scale(currency); err != nil {
		return err
	}
	a := normalizeAddress(o.Address)
	b.Queue(`INSERT INTO commerce_orders (id, customer_id, position, market, currency, status, line1, line2, city, state, zip, country,
			placed_at, delivered_at, cash_on_delivery, cancel_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING`,
		o.ID, o.CustomerID, position, o.Market, currency, o.Status, a.Line1, a.Line2, a.City, a.State, a.Zip, a.Country,
		nullTime(o.PlacedAt), nullTime(o.DeliveredAt), o.CashOnDelivery, o.CancelReason)
	returned := map[string]int{}
	for _, id := range o.ReturnItemIDs {
		returned[id]++
	}
	for i, it := range o.Items {
		var exchangeTo *string
		if to, ok := o.ExchangeItemIDs[it.ItemID]; ok {
			exchangeTo = &to
		}
		ret := returned[it.ItemID] > 0
		if ret {
			returned[it.ItemID]--
		}
		b.Queue(`INSERT INTO commerce_order_items (order_id, line, item_id, product_id, name, options, price, currency, returned, exchange_to)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
			o.ID, i+1, it.ItemID, it.ProductID, it.Name, jsonOptions(it.Options), it.Price.Amount, currency, ret, exchangeTo)
	}
	for i, f := range o.Fulfillments {
		itemIDs := f.ItemIDs
		if itemIDs == nil {
			itemIDs = []string{}
		}
		b.Queue(`INSERT INTO commerce_fulfillments (order_id, line, carrier, item_ids) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			o.ID, i+1, f.Carrier, itemIDs)
		for j, t := range f.TrackingIDs {
			b.Queue(`INSERT INTO commerce_parcels (tracking_id, order_id, fulfillment_line, position, carrier) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT DO NOTHING`, t, o.ID, i+1, j, f.Carrier)
		}
	}
	for i, t := range o.Payments {
		cur := t.Amount.Currency
		if cur == "" {
			cur = currency
		}
		b.Queue(`INSERT INTO commerce_transactions (order_id, line, kind, amount, currency, payment_method_id, key, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
			o.ID, i+1, t.Kind, t.Amount.Amount, cur, t.PaymentMethodID, t.Key, nullTime(t.At))
	}
	return nil
}

// queueParcel adds a parcel's carrier history to a tracking number an order already names.
func queueParcel(b *pgx.Batch, p commerce.Parcel) error {
	b.Queue(`UPDATE commerce_parcels SET eta = $2, carrier = CASE WHEN $3 = '' THEN carrier ELSE $3 END WHERE tracking_id = $1`,
		p.TrackingID, nullTime(p.ETA), p.Carrier).Exec(func(tag pgconn.CommandTag) error {
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("no order ships tracking number %s: %w", p.TrackingID, commerce.ErrInvalid)
		}
		return nil
	})
	for i, e := range p.Events {
		carrier := e.Carrier
		if carrier == "" {
			carrier = p.Carrier
		}
		b.Queue(`INSERT INTO commerce_parcel_events (tracking_id, seq, at, carrier, code, location) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT DO NOTHING`, p.TrackingID, i+1, e.At, carrier, e.Code, e.Location)
	}
	return nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
