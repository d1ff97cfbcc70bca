package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/attache-dev/attache/tools/commerce"
)

// Counts is what a load read: rows of each kind in the input (rows already in the database
// are left as they are and still counted).
type Counts struct {
	Products, Variants, Customers, PaymentMethods, Orders int
}

// The τ² retail database is a US shop priced in dollars (the loader's SQL says so too).
const tau2Currency = "USD"

// loadChunk is how many top-level objects one loading transaction writes: short
// transactions keep PGlite's single session free for others.
const loadChunk = 250

// LoadTau2 loads the τ² retail database (its db.json: products, then users, then orders)
// from r, decoding one object at a time and writing them in short transactions, one
// set-based INSERT per table each. It is idempotent: rows whose key is already present are
// left unchanged, so loading twice adds nothing and does not undo changes made since.
func (s *Store) LoadTau2(ctx context.Context, r io.Reader) (Counts, error) {
	var c Counts
	positions := map[string]int{} // order ID → its place in its customer's list
	rows := &tau2Rows{}
	pending := 0
	flush := func() error {
		if pending == 0 {
			return nil
		}
		err := pgx.BeginFunc(ctx, s.db, rows.insert(ctx))
		rows, pending = &tau2Rows{}, 0
		return err
	}
	added := func() error {
		if pending++; pending >= loadChunk {
			return flush()
		}
		return nil
	}
	dec := json.NewDecoder(r)
	err := eachMember(dec, func(section string) error {
		switch section {
		case "products":
			return eachMember(dec, func(string) error {
				var p tau2Product
				if err := dec.Decode(&p); err != nil {
					return err
				}
				if err := rows.addProduct(p, &c); err != nil {
					return err
				}
				return added()
			})
		case "users":
			if c.Products == 0 {
				return fmt.Errorf("users before products: %w", commerce.ErrInvalid)
			}
			if err := flush(); err != nil {
				return err
			}
			return eachMember(dec, func(string) error {
				var u tau2User
				if err := dec.Decode(&u); err != nil {
					return err
				}
				for i, id := range u.Orders {
					positions[id] = i
				}
				if err := rows.addUser(u, &c); err != nil {
					return err
				}
				return added()
			})
		case "orders":
			if c.Customers == 0 {
				return fmt.Errorf("orders before users: %w", commerce.ErrInvalid)
			}
			if err := flush(); err != nil {
				return err
			}
			return eachMember(dec, func(string) error {
				var o tau2Order
				if err := dec.Decode(&o); err != nil {
					return err
				}
				pos, ok := positions[o.OrderID]
				if !ok {
					pos = len(positions)
				}
				rows.addOrder(o, pos, &c)
				return added()
			})
		default:
			var skip json.RawMessage
			return dec.Decode(&skip)
		}
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return c, fmt.Errorf("load τ² retail database: %w", err)
	}
	s.logger.InfoContext(ctx, "loaded τ² retail database", "products", c.Products, "customers", c.Customers, "orders", c.Orders)
	return c, nil
}

// tau2Rows holds a chunk's rows column by column, for INSERT … SELECT FROM unnest(…).
type tau2Rows struct {
	productID, productName                                    []string
	varItem, varProduct, varOptions                           []string
	varPos                                                    []int32
	varAvail                                                  []bool
	varPrice                                                  []int64
	custID, custFirst, custLast, custEmail                    []string
	custL1, custL2, custCity, custState, custZip, custCountry []string
	pmID, pmCustomer, pmKind, pmBrand, pmLast4                []string
	pmPos                                                     []int32
	pmBalance                                                 []*int64
	ordID, ordCustomer, ordStatus                             []string
	ordL1, ordL2, ordCity, ordState, ordZip, ordCountry       []string
	ordPos                                                    []int32
	itOrder, itItem, itProduct, itName, itOptions             []string
	itLine                                                    []int32
	itPrice                                                   []int64
	fuOrder, fuItems                                          []string
	fuLine                                                    []int32
	paTracking, paOrder                                       []string
	paLine, paPos                                             []int32
	txOrder, txKind, txMethod                                 []string
	txLine                                                    []int32
	txAmount                                                  []int64
}

// insert writes the chunk, parents first; a row whose key exists is skipped.
func (r *tau2Rows) insert(ctx context.Context) func(pgx.Tx) error {
	return func(tx pgx.Tx) error {
		steps := []struct {
			n    int
			sql  string
			args []any
		}{
			{len(r.productID), `INSERT INTO commerce_products (id, name) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
				[]any{r.productID, r.productName}},
			{len(r.varItem), `INSERT INTO commerce_variants (item_id, product_id, position, options, available, price, currency)
				SELECT i, p, n, o::jsonb, a, pr, 'USD' FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bool[], $6::bigint[]) AS x (i, p, n, o, a, pr)
				ON CONFLICT DO NOTHING`, []any{r.varItem, r.varProduct, r.varPos, r.varOptions, r.varAvail, r.varPrice}},
			{len(r.custID), `INSERT INTO commerce_customers (id, first_name, last_name, email, locale, market, line1, line2, city, state, zip, country)
				SELECT i, f, l, e, 'en-US', 'US', a1, a2, c, s, z, co
				FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
					AS x (i, f, l, e, a1, a2, c, s, z, co)
				ON CONFLICT DO NOTHING`, []any{r.custID, r.custFirst, r.custLast, r.custEmail, r.custL1, r.custL2, r.custCity, r.custState, r.custZip, r.custCountry}},
			{len(r.pmID), `INSERT INTO commerce_payment_methods (id, customer_id, position, kind, brand, last4, balance, currency)
				SELECT i, c, n, k, b, l, bal, 'USD' FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[])
					AS x (i, c, n, k, b, l, bal)
				ON CONFLICT DO NOTHING`, []any{r.pmID, r.pmCustomer, r.pmPos, r.pmKind, r.pmBrand, r.pmLast4, r.pmBalance}},
			{len(r.ordID), `INSERT INTO commerce_orders (id, customer_id, position, market, currency, status, line1, line2, city, state, zip, country)
				SELECT i, c, n, 'US', 'USD', st, a1, a2, ci, s, z, co
				FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
					AS x (i, c, n, st, a1, a2, ci, s, z, co)
				ON CONFLICT DO NOTHING`, []any{r.ordID, r.ordCustomer, r.ordPos, r.ordStatus, r.ordL1, r.ordL2, r.ordCity, r.ordState, r.ordZip, r.ordCountry}},
			{len(r.itOrder), `INSERT INTO commerce_order_items (order_id, line, item_id, product_id, name, options, price, currency)
				SELECT o, n, i, p, nm, op::jsonb, pr, 'USD' FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
					AS x (o, n, i, p, nm, op, pr)
				ON CONFLICT DO NOTHING`, []any{r.itOrder, r.itLine, r.itItem, r.itProduct, r.itName, r.itOptions, r.itPrice}},
			{len(r.fuOrder), `INSERT INTO commerce_fulfillments (order_id, line, item_ids)
				SELECT o, n, ARRAY(SELECT jsonb_array_elements_text(it::jsonb)) FROM unnest($1::text[], $2::int[], $3::text[]) AS x (o, n, it)
				ON CONFLICT DO NOTHING`, []any{r.fuOrder, r.fuLine, r.fuItems}},
			{len(r.paTracking), `INSERT INTO commerce_parcels (tracking_id, order_id, fulfillment_line, position)
				SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) ON CONFLICT DO NOTHING`,
				[]any{r.paTracking, r.paOrder, r.paLine, r.paPos}},
			{len(r.txOrder), `INSERT INTO commerce_transactions (order_id, line, kind, amount, currency, payment_method_id)
				SELECT o, n, k, a, 'USD', m FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::text[]) AS x (o, n, k, a, m)
				ON CONFLICT DO NOTHING`, []any{r.txOrder, r.txLine, r.txKind, r.txAmount, r.txMethod}},
		}
		for _, st := range steps {
			if st.n == 0 {
				continue
			}
			if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
				return err
			}
		}
		return nil
	}
}

// eachMember calls fn for each member of the JSON object that dec is at, in document order;
// fn must consume the member's value.
func eachMember(dec *json.Decoder, fn func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("want a JSON object, got %v", tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("want an object key, got %v", tok)
		}
		if err := fn(key); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	_, err = dec.Token() // the closing brace
	return err
}

// orderedMembers decodes a JSON object's members in document order.
func orderedMembers[T any](raw json.RawMessage) ([]T, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var out []T
	err := eachMember(dec, func(string) error {
		var v T
		err := dec.Decode(&v)
		out = append(out, v)
		return err
	})
	return out, err
}

func usd(amount float64) int64 {
	m, _ := commerce.FromDecimal(amount, tau2Currency) // USD is a known currency
	return m.Amount
}

type tau2Product struct {
	Name      string          `json:"name"`
	ProductID string          `json:"product_id"`
	Variants  json.RawMessage `json:"variants"`
}

type tau2Variant struct {
	ItemID    string            `json:"item_id"`
	Options   map[string]string `json:"options"`
	Available bool              `json:"available"`
	Price     float64           `json:"price"`
}

func (r *tau2Rows) addProduct(p tau2Product, c *Counts) error {
	variants, err := orderedMembers[tau2Variant](p.Variants)
	if err != nil {
		return fmt.Errorf("product %s variants: %w", p.ProductID, err)
	}
	r.productID, r.productName = append(r.productID, p.ProductID), append(r.productName, p.Name)
	for i, v := range variants {
		r.varItem = append(r.varItem, v.ItemID)
		r.varProduct = append(r.varProduct, p.ProductID)
		r.varPos = append(r.varPos, int32(i))
		r.varOptions = append(r.varOptions, string(jsonOptions(v.Options)))
		r.varAvail = append(r.varAvail, v.Available)
		r.varPrice = append(r.varPrice, usd(v.Price))
	}
	c.Products++
	c.Variants += len(variants)
	return nil
}

type tau2Address struct {
	Address1 string `json:"address1"`
	Address2 string `json:"address2"`
	City     string `json:"city"`
	Country  string `json:"country"`
	State    string `json:"state"`
	Zip      string `json:"zip"`
}

func (a tau2Address) address() commerce.Address {
	country := a.Country
	if strings.EqualFold(country, "USA") {
		country = "US"
	}
	return commerce.Address{Line1: a.Address1, Line2: a.Address2, City: a.City, State: a.State, Zip: a.Zip, Country: country}
}

type tau2User struct {
	UserID string `json:"user_id"`
	Name   struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	} `json:"name"`
	Address        tau2Address     `json:"address"`
	Email          string          `json:"email"`
	PaymentMethods json.RawMessage `json:"payment_methods"`
	Orders         []string        `json:"orders"`
}

type tau2Method struct {
	Source   string   `json:"source"`
	ID       string   `json:"id"`
	Brand    string   `json:"brand"`
	LastFour string   `json:"last_four"`
	Balance  *float64 `json:"balance"`
}

func (r *tau2Rows) addUser(u tau2User, c *Counts) error {
	methods, err := orderedMembers[tau2Method](u.PaymentMethods)
	if err != nil {
		return fmt.Errorf("user %s payment methods: %w", u.UserID, err)
	}
	a := u.Address.address()
	r.custID, r.custFirst, r.custLast, r.custEmail = append(r.custID, u.UserID), append(r.custFirst, u.Name.FirstName),
		append(r.custLast, u.Name.LastName), append(r.custEmail, u.Email)
	r.custL1, r.custL2, r.custCity = append(r.custL1, a.Line1), append(r.custL2, a.Line2), append(r.custCity, a.City)
	r.custState, r.custZip, r.custCountry = append(r.custState, a.State), append(r.custZip, a.Zip), append(r.custCountry, a.Country)
	for i, m := range methods {
		var balance *int64
		if m.Balance != nil {
			v := usd(*m.Balance)
			balance = &v
		}
		r.pmID, r.pmCustomer, r.pmPos = append(r.pmID, m.ID), append(r.pmCustomer, u.UserID), append(r.pmPos, int32(i))
		r.pmKind, r.pmBrand, r.pmLast4 = append(r.pmKind, m.Source), append(r.pmBrand, m.Brand), append(r.pmLast4, m.LastFour)
		r.pmBalance = append(r.pmBalance, balance)
	}
	c.Customers++
	c.PaymentMethods += len(methods)
	return nil
}

type tau2Order struct {
	OrderID string      `json:"order_id"`
	UserID  string      `json:"user_id"`
	Address tau2Address `json:"address"`
	Items   []struct {
		Name      string            `json:"name"`
		ProductID string            `json:"product_id"`
		ItemID    string            `json:"item_id"`
		Price     float64           `json:"price"`
		Options   map[string]string `json:"options"`
	} `json:"items"`
	Status       string `json:"status"`
	Fulfillments []struct {
		TrackingID []string `json:"tracking_id"`
		ItemIDs    []string `json:"item_ids"`
	} `json:"fulfillments"`
	PaymentHistory []struct {
		TransactionType string  `json:"transaction_type"`
		Amount          float64 `json:"amount"`
		PaymentMethodID string  `json:"payment_method_id"`
	} `json:"payment_history"`
}

func (r *tau2Rows) addOrder(o tau2Order, position int, c *Counts) {
	a := o.Address.address()
	r.ordID, r.ordCustomer, r.ordPos, r.ordStatus = append(r.ordID, o.OrderID), append(r.ordCustomer, o.UserID),
		append(r.ordPos, int32(position)), append(r.ordStatus, o.Status)
	r.ordL1, r.ordL2, r.ordCity = append(r.ordL1, a.Line1), append(r.ordL2, a.Line2), append(r.ordCity, a.City)
	r.ordState, r.ordZip, r.ordCountry = append(r.ordState, a.State), append(r.ordZip, a.Zip), append(r.ordCountry, a.Country)
	for i, it := range o.Items {
		r.itOrder, r.itLine, r.itItem = append(r.itOrder, o.OrderID), append(r.itLine, int32(i+1)), append(r.itItem, it.ItemID)
		r.itProduct, r.itName = append(r.itProduct, it.ProductID), append(r.itName, it.Name)
		r.itOptions, r.itPrice = append(r.itOptions, string(jsonOptions(it.Options))), append(r.itPrice, usd(it.Price))
	}
	for i, f := range o.Fulfillments {
		ids := f.ItemIDs
		if ids == nil {
			ids = []string{}
		}
		b, _ := json.Marshal(ids) // strings always encode
		r.fuOrder, r.fuLine, r.fuItems = append(r.fuOrder, o.OrderID), append(r.fuLine, int32(i+1)), append(r.fuItems, string(b))
		for j, t := range f.TrackingID {
			r.paTracking, r.paOrder = append(r.paTracking, t), append(r.paOrder, o.OrderID)
			r.paLine, r.paPos = append(r.paLine, int32(i+1)), append(r.paPos, int32(j))
		}
	}
	for i, p := range o.PaymentHistory {
		r.txOrder, r.txLine, r.txKind = append(r.txOrder, o.OrderID), append(r.txLine, int32(i+1)), append(r.txKind, p.TransactionType)
		r.txAmount, r.txMethod = append(r.txAmount, usd(p.Amount)), append(r.txMethod, p.PaymentMethodID)
	}
	c.Orders++
}
