package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/attache-dev/attache/tools/commerce"
)

// Cancellation reasons the τ² policy accepts.
const (
	ReasonNoLongerNeeded   = "no longer needed"
	ReasonOrderedByMistake = "ordered by mistake"
)

// CancelOrder cancels a pending order and refunds what was paid to the methods that paid
// it; gift card and store credit balances are restored at once. Only "pending" orders can
// be cancelled (not one whose items were modified), for one of the two accepted reasons.
func (s *Store) CancelOrder(ctx context.Context, key, orderID, reason string) (commerce.Order, error) {
	req := struct{ Reason string }{reason}
	return operation(ctx, s, key, "cancel order", orderID, req, func(tx pgx.Tx) error {
		if reason != ReasonNoLongerNeeded && reason != ReasonOrderedByMistake {
			return invalid("the reason must be %q or %q, not %q", ReasonNoLongerNeeded, ReasonOrderedByMistake, reason)
		}
		st, err := readOrder(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		if st.Status != commerce.StatusPending {
			return conflict(st, commerce.StatusPending)
		}
		methods, err := customerMethods(ctx, tx, st.CustomerID)
		if err != nil {
			return err
		}
		for _, r := range st.refundAllocation() {
			if err := s.refund(ctx, tx, &st, methods[r.method], r.amount, key, reason); err != nil {
				return err
			}
		}
		return setStatus(ctx, tx, st.ID, commerce.StatusCancelled, reason)
	}, readOrderResult)
}

// ModifyOrderAddress changes the shipping address of a pending order.
func (s *Store) ModifyOrderAddress(ctx context.Context, key, orderID string, a commerce.Address) (commerce.Order, error) {
	a = normalizeAddress(a)
	return operation(ctx, s, key, "modify order address", orderID, a, func(tx pgx.Tx) error {
		if err := validateAddress(a); err != nil {
			return err
		}
		st, err := readOrder(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		if st.Status != commerce.StatusPending {
			return conflict(st, commerce.StatusPending)
		}
		_, err = tx.Exec(ctx, `UPDATE commerce_orders SET line1 = $2, line2 = $3, city = $4, state = $5, zip = $6, country = $7,
			updated_at = now() WHERE id = $1`, st.ID, a.Line1, a.Line2, a.City, a.State, a.Zip, a.Country)
		return err
	}, readOrderResult)
}

// ModifyOrderPayment moves the payment of a pending order to another of the customer's
// methods: the new method is charged the total (a gift card must hold it) and the old one
// refunded (a gift card at once). The order must have exactly one payment.
func (s *Store) ModifyOrderPayment(ctx context.Context, key, orderID, paymentMethodID string) (commerce.Order, error) {
	req := struct{ PaymentMethodID string }{paymentMethodID}
	return operation(ctx, s, key, "modify order payment", orderID, req, func(tx pgx.Tx) error {
		st, err := readOrder(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		if st.Status != commerce.StatusPending {
			return conflict(st, commerce.StatusPending)
		}
		if st.CashOnDelivery {
			return fmt.Errorf("order %s is paid cash on delivery, nothing was paid to move: %w", st.ID, commerce.ErrConflict)
		}
		if len(st.txs) != 1 || st.txs[0].Kind != "payment" {
			return fmt.Errorf("order %s has %d payment transactions, not one: %w", st.ID, len(st.txs), commerce.ErrConflict)
		}
		old := st.txs[0]
		if paymentMethodID == old.Method {
			return invalid("order %s is already paid with %s", st.ID, old.Method)
		}
		methods, err := customerMethods(ctx, tx, st.CustomerID)
		if err != nil {
			return err
		}
		m, err := st.ownMethod(methods, paymentMethodID)
		if err != nil {
			return err
		}
		if err := s.charge(ctx, tx, &st, m, old.Amount, key, "payment method changed"); err != nil {
			return err
		}
		return s.refund(ctx, tx, &st, methods[old.Method], old.Amount, key, "payment method changed")
	}, readOrderResult)
}

// ModifyOrderItems swaps items of a pending order for other available variants of the same
// products, once per order: the order becomes "pending (item modified)" and cannot be
// modified or cancelled any more. The price difference is charged to, or refunded to,
// paymentMethodID ("" = the method that paid the order; a gift card must hold the
// difference). For a cash-on-delivery order the difference is collected on delivery.
func (s *Store) ModifyOrderItems(ctx context.Context, key, orderID string, swaps []commerce.ItemSwap, paymentMethodID string) (commerce.Order, error) {
	req := struct {
		Swaps           []commerce.ItemSwap
		PaymentMethodID string
	}{swaps, paymentMethodID}
	return operation(ctx, s, key, "modify order items", orderID, req, func(tx pgx.Tx) error {
		st, err := readOrder(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		if st.Status != commerce.StatusPending {
			return conflict(st, commerce.StatusPending)
		}
		lines, variants, diff, err := st.planSwaps(ctx, tx, swaps)
		if err != nil {
			return err
		}
		if err := s.settleDifference(ctx, tx, &st, paymentMethodID, diff, key, "items modified"); err != nil {
			return err
		}
		for i, l := range lines {
			v := variants[i]
			if _, err := tx.Exec(ctx, `UPDATE commerce_order_items SET item_id = $3, options = $4, price = $5
				WHERE order_id = $1 AND line = $2`, st.ID, l.Line, v.ItemID, jsonOptions(v.Options), v.Price); err != nil {
				return err
			}
		}
		return setStatus(ctx, tx, st.ID, commerce.StatusPendingModified, "")
	}, readOrderResult)
}

// ReturnItems asks to return items of a delivered order, once per order: the order becomes
// "return requested" and the items' price is refunded (never more than is still refundable)
// to paymentMethodID, which must be a method that paid the order or one of the customer's
// gift cards or store credits ("" = the method that paid it).
func (s *Store) ReturnItems(ctx context.Context, key, orderID string, itemIDs []string, paymentMethodID string) (commerce.Order, error) {
	req := struct {
		ItemIDs         []string
		PaymentMethodID string
	}{itemIDs, paymentMethodID}
	return operation(ctx, s, key, "return items", orderID, req, func(tx pgx.Tx) error {
		st, err := readOrder(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		if st.Status != commerce.StatusDelivered {
			return conflict(st, commerce.StatusDelivered)
		}
		if len(itemIDs) == 0 {
			return invalid("no items to return")
		}
		lines, err := st.matchLines(itemIDs)
		if err != nil {
			return err
		}
		methods, err := customerMethods(ctx, tx, st.CustomerID)
		if err != nil {
			return err
		}
		m, err := st.refundMethod(methods, paymentMethodID)
		if err != nil {
			return err
		}
		var amount int64
		for _, l := range lines {
			amount += l.Price
		}
		amount = min(amount, st.Paid().Amount)
		if amount > 0 {
			if err := s.refund(ctx, tx, &st, m, amount, key, "items returned"); err != nil {
				return err
			}
		}
		for _, l := range lines {
			if _, err := tx.Exec(ctx, `UPDATE commerce_order_items SET returned = true WHERE order_id = $1 AND line = $2`, st.ID, l.Line); err != nil {
				return err
			}
		}
		return setStatus(ctx, tx, st.ID, commerce.StatusReturnRequested, "")
	}, readOrderResult)
}

// ExchangeItems asks to exchange items of a delivered order for other available variants
// of the same products, once per order: the order becomes "exchange requested" and the
// price difference is charged to, or refunded to, paymentMethodID ("" = the method that
// paid the order; a gift card must hold the difference).
func (s *Store) ExchangeItems(ctx context.Context, key, orderID string, swaps []commerce.ItemSwap, paymentMethodID string) (commerce.Order, error) {
	req := struct {
		Swaps           []commerce.ItemSwap
		PaymentMethodID string
	}{swaps, paymentMethodID}
	return operation(ctx, s, key, "exchange items", orderID, req, func(tx pgx.Tx) error {
		st, err := readOrder(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		if st.Status != commerce.StatusDelivered {
			return conflict(st, commerce.StatusDelivered)
		}
		lines, variants, diff, err := st.planSwaps(ctx, tx, swaps)
		if err != nil {
			return err
		}
		if err := s.settleDifference(ctx, tx, &st, paymentMethodID, diff, key, "items exchanged"); err != nil {
			return err
		}
		for i, l := range lines {
			if _, err := tx.Exec(ctx, `UPDATE commerce_order_items SET exchange_to = $3 WHERE order_id = $1 AND line = $2`,
				st.ID, l.Line, variants[i].ItemID); err != nil {
				return err
			}
		}
		return setStatus(ctx, tx, st.ID, commerce.StatusExchangeRequested, "")
	}, readOrderResult)
}

// RefundOrder gives money back on an order without a return (a lost parcel, a late
// delivery, a goodwill gesture). Amount zero refunds the total of ItemIDs, or of the whole
// order when no items are named; the amount may not exceed what is still refundable (paid
// minus refunded). The money goes to PaymentMethodID under the same rule as ReturnItems.
// The order's status does not change.
func (s *Store) RefundOrder(ctx context.Context, key string, r commerce.Refund) (commerce.Order, error) {
	return operation(ctx, s, key, "refund order", r.OrderID, r, func(tx pgx.Tx) error {
		if r.Amount.Amount < 0 {
			return invalid("a refund cannot be negative")
		}
		st, err := readOrder(ctx, tx, r.OrderID, true)
		if err != nil {
			return err
		}
		if r.Amount.Currency != "" && !strings.EqualFold(r.Amount.Currency, st.currency) {
			return invalid("order %s is in %s, not %s", st.ID, st.currency, r.Amount.Currency)
		}
		amount := r.Amount.Amount
		if len(r.ItemIDs) > 0 || amount == 0 {
			lines := st.lines
			if len(r.ItemIDs) > 0 {
				if lines, err = st.matchLines(r.ItemIDs); err != nil {
					return err
				}
			}
			if amount == 0 {
				for _, l := range lines {
					amount += l.Price
				}
			}
		}
		remaining := st.Paid()
		if amount == 0 {
			return invalid("nothing to refund on order %s", st.ID)
		}
		if amount > remaining.Amount {
			return invalid("a refund of %s exceeds the %s still refundable on order %s",
				commerce.Money{Amount: amount, Currency: st.currency}, remaining, st.ID)
		}
		methods, err := customerMethods(ctx, tx, st.CustomerID)
		if err != nil {
			return err
		}
		m, err := st.refundMethod(methods, r.PaymentMethodID)
		if err != nil {
			return err
		}
		reason := r.Reason
		if reason == "" {
			reason = "refund"
		}
		return s.refund(ctx, tx, &st, m, amount, key, reason)
	}, readOrderResult)
}

// ModifyCustomerAddress changes a customer's default address. Orders keep theirs.
func (s *Store) ModifyCustomerAddress(ctx context.Context, key, customerID string, a commerce.Address) (commerce.Customer, error) {
	a = normalizeAddress(a)
	return operation(ctx, s, key, "modify customer address", customerID, a, func(tx pgx.Tx) error {
		if err := validateAddress(a); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE commerce_customers SET line1 = $2, line2 = $3, city = $4, state = $5, zip = $6, country = $7,
			updated_at = now() WHERE id = $1`, customerID, a.Line1, a.Line2, a.City, a.State, a.Zip, a.Country)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("customer %s: %w", customerID, commerce.ErrNotFound)
		}
		return nil
	}, readCustomer)
}

func normalizeAddress(a commerce.Address) commerce.Address {
	a.Line1, a.Line2, a.City = strings.TrimSpace(a.Line1), strings.TrimSpace(a.Line2), strings.TrimSpace(a.City)
	a.State, a.Zip = strings.TrimSpace(a.State), strings.TrimSpace(a.Zip)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	return a
}

// validateAddress asks for a street, a city and an ISO country code; postal codes are not
// universal (the UAE has none).
func validateAddress(a commerce.Address) error {
	if a.Line1 == "" || a.City == "" {
		return invalid("an address needs a street line and a city")
	}
	if len(a.Country) != 2 || a.Country[0] < 'A' || a.Country[0] > 'Z' || a.Country[1] < 'A' || a.Country[1] > 'Z' {
		return invalid("country %q is not an ISO 3166-1 alpha-2 code", a.Country)
	}
	return nil
}

func setStatus(ctx context.Context, tx pgx.Tx, orderID, status, cancelReason string) error {
	_, err := tx.Exec(ctx, `UPDATE commerce_orders SET status = $2, cancel_reason = $3, updated_at = now() WHERE id = $1`,
		orderID, status, cancelReason)
	return err
}

// customerMethods returns a customer's payment methods by ID.
func customerMethods(ctx context.Context, tx pgx.Tx, customerID string) (map[string]methodRow, error) {
	rows, err := tx.Query(ctx, `SELECT id, kind, brand, last4, balance, currency FROM commerce_payment_methods WHERE customer_id = $1`, customerID)
	if err != nil {
		return nil, fmt.Errorf("payment methods: %w", err)
	}
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (methodRow, error) {
		var m methodRow
		err := r.Scan(&m.ID, &m.Kind, &m.Brand, &m.Last4, &m.Balance, &m.Currency)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("payment methods: %w", err)
	}
	byID := make(map[string]methodRow, len(ms))
	for _, m := range ms {
		byID[m.ID] = m
	}
	return byID, nil
}

// holdsBalance: the method is money the shop keeps for the customer.
func holdsBalance(kind string) bool { return kind == "gift_card" || kind == "store_credit" }

// ownMethod is one of the order's customer's methods that can pay or be refunded.
func (st *orderState) ownMethod(methods map[string]methodRow, id string) (methodRow, error) {
	m, ok := methods[id]
	if !ok {
		return methodRow{}, invalid("payment method %q is not one of the customer's", id)
	}
	if m.Kind == "cod" {
		return methodRow{}, invalid("cash on delivery cannot pay or receive a change to order %s: choose a card, a gift card or store credit", st.ID)
	}
	return m, nil
}

// netByMethod is what each method has paid on the order, net of refunds to it, in the order
// the methods first appear.
func (st *orderState) netByMethod() ([]string, map[string]int64) {
	var order []string
	net := map[string]int64{}
	for _, t := range st.txs {
		if _, seen := net[t.Method]; !seen {
			order = append(order, t.Method)
		}
		switch t.Kind {
		case "payment":
			net[t.Method] += t.Amount
		case "refund":
			net[t.Method] -= t.Amount
		}
	}
	return order, net
}

// originalMethod is the method that paid most of what is still paid ("" if nothing is).
func (st *orderState) originalMethod() string {
	order, net := st.netByMethod()
	best := ""
	for _, id := range order {
		if net[id] > 0 && (best == "" || net[id] > net[best]) {
			best = id
		}
	}
	return best
}

// refundMethod resolves where a refund goes: a method that paid the order, a gift card or
// store credit of the customer, or for a cash-on-delivery order a bank account; "" is the
// original method.
func (st *orderState) refundMethod(methods map[string]methodRow, id string) (methodRow, error) {
	if id == "" {
		if id = st.originalMethod(); id == "" {
			return methodRow{}, invalid("nothing was paid on order %s", st.ID)
		}
	}
	m, ok := methods[id]
	if !ok {
		return methodRow{}, invalid("payment method %q is not one of the customer's", id)
	}
	if m.Kind == "cod" {
		return methodRow{}, invalid("order %s was paid cash on delivery: refund it by bank transfer, to a gift card or store credit", st.ID)
	}
	_, net := st.netByMethod()
	switch {
	case net[id] > 0, holdsBalance(m.Kind):
	case st.CashOnDelivery && m.Kind == "bank_transfer":
		// Cash cannot be sent back: cash-on-delivery orders are refunded by bank transfer.
	default:
		return methodRow{}, invalid("refunds go to the method that paid order %s or to a gift card, not to %s", st.ID, id)
	}
	return m, nil
}

type refundShare struct {
	method string
	amount int64
}

// refundAllocation spreads what is still paid over the methods that paid it.
func (st *orderState) refundAllocation() []refundShare {
	order, net := st.netByMethod()
	left := st.Paid().Amount
	var shares []refundShare
	for _, id := range order {
		if a := min(net[id], left); a > 0 {
			shares = append(shares, refundShare{id, a})
			left -= a
		}
	}
	return shares
}

// matchLines finds a distinct order line for each item ID (an order may hold a variant
// twice, and so may the request).
func (st *orderState) matchLines(itemIDs []string) ([]lineRow, error) {
	used := make([]bool, len(st.lines))
	out := make([]lineRow, 0, len(itemIDs))
	for _, id := range itemIDs {
		j := -1
		for k, l := range st.lines {
			if l.ItemID == id && !used[k] {
				j = k
				break
			}
		}
		if j < 0 {
			return nil, invalid("item %s is not in order %s (or not that many times)", id, st.ID)
		}
		used[j] = true
		out = append(out, st.lines[j])
	}
	return out, nil
}

// planSwaps checks swaps against the order and the catalogue and returns, for each swap,
// the order line and the new variant, and the total price difference (new minus old).
func (st *orderState) planSwaps(ctx context.Context, tx pgx.Tx, swaps []commerce.ItemSwap) ([]lineRow, []variantOf, int64, error) {
	if len(swaps) == 0 {
		return nil, nil, 0, invalid("no items to change")
	}
	from := make([]string, len(swaps))
	to := make([]string, len(swaps))
	for i, sw := range swaps {
		if sw.From == sw.To {
			return nil, nil, 0, invalid("item %s would be swapped for itself", sw.From)
		}
		from[i], to[i] = sw.From, sw.To
	}
	lines, err := st.matchLines(from)
	if err != nil {
		return nil, nil, 0, err
	}
	variants, err := variantsByID(ctx, tx, to)
	if err != nil {
		return nil, nil, 0, err
	}
	var diff int64
	out := make([]variantOf, len(swaps))
	for i, l := range lines {
		v, ok := variants[to[i]]
		switch {
		case !ok:
			return nil, nil, 0, invalid("item %s does not exist", to[i])
		case v.ProductID != l.ProductID:
			return nil, nil, 0, invalid("item %s is a %s, not a %s: an item can only change to another option of the same product", to[i], v.ProductName, l.Name)
		case !v.Available:
			return nil, nil, 0, invalid("item %s (%s) is not available", to[i], l.Name)
		case v.Currency != st.currency:
			return nil, nil, 0, invalid("item %s is priced in %s, the order in %s", to[i], v.Currency, st.currency)
		}
		out[i] = v
		diff += v.Price - l.Price
	}
	return lines, out, diff, nil
}

type variantOf struct {
	variantRow
	ProductID   string
	ProductName string
}

func variantsByID(ctx context.Context, tx pgx.Tx, ids []string) (map[string]variantOf, error) {
	rows, err := tx.Query(ctx, `SELECT v.item_id, v.options, v.available, v.price, v.currency, v.product_id, p.name
		FROM commerce_variants v JOIN commerce_products p ON p.id = v.product_id WHERE v.item_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("variants: %w", err)
	}
	vs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (variantOf, error) {
		var v variantOf
		err := r.Scan(&v.ItemID, &v.Options, &v.Available, &v.Price, &v.Currency, &v.ProductID, &v.ProductName)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("variants: %w", err)
	}
	byID := make(map[string]variantOf, len(vs))
	for _, v := range vs {
		byID[v.ItemID] = v
	}
	return byID, nil
}

// settleDifference charges (diff > 0) or refunds (diff < 0) a price difference.
func (s *Store) settleDifference(ctx context.Context, tx pgx.Tx, st *orderState, methodID string, diff int64, key, reason string) error {
	if st.CashOnDelivery && len(st.txs) == 0 {
		return nil // nothing paid yet: the courier collects the new total
	}
	if methodID == "" {
		if methodID = st.originalMethod(); methodID == "" {
			return invalid("name a payment method for the price difference on order %s", st.ID)
		}
	}
	methods, err := customerMethods(ctx, tx, st.CustomerID)
	if err != nil {
		return err
	}
	m, err := st.ownMethod(methods, methodID)
	if err != nil {
		return err
	}
	switch {
	case diff > 0:
		return s.charge(ctx, tx, st, m, diff, key, reason)
	case diff < 0:
		return s.refund(ctx, tx, st, m, -diff, key, reason)
	}
	return nil
}

// charge records a payment from m, taking it from the balance of a gift card.
func (s *Store) charge(ctx context.Context, tx pgx.Tx, st *orderState, m methodRow, amount int64, key, reason string) error {
	if holdsBalance(m.Kind) {
		if err := moveBalance(ctx, tx, st, m, -amount); err != nil {
			return err
		}
	}
	return s.addTransaction(ctx, tx, st, "payment", m.ID, amount, key, reason)
}

// refund records a refund to m, adding it to the balance of a gift card at once.
func (s *Store) refund(ctx context.Context, tx pgx.Tx, st *orderState, m methodRow, amount int64, key, reason string) error {
	if m.ID == "" {
		return invalid("order %s: refund to an unknown payment method", st.ID)
	}
	if holdsBalance(m.Kind) {
		if err := moveBalance(ctx, tx, st, m, amount); err != nil {
			return err
		}
	}
	return s.addTransaction(ctx, tx, st, "refund", m.ID, amount, key, reason)
}

func (s *Store) addTransaction(ctx context.Context, tx pgx.Tx, st *orderState, kind, methodID string, amount int64, key, reason string) error {
	line := 1
	if n := len(st.txs); n > 0 {
		line = st.txs[n-1].Line + 1
	}
	now := s.now().UTC()
	if _, err := tx.Exec(ctx, `INSERT INTO commerce_transactions (order_id, line, kind, amount, currency, payment_method_id, key, reason, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, st.ID, line, kind, amount, st.currency, methodID, key, reason, now); err != nil {
		return fmt.Errorf("record %s: %w", kind, err)
	}
	st.txs = append(st.txs, txRow{Line: line, Kind: kind, Amount: amount, Currency: st.currency, Method: methodID, Key: key, At: &now})
	st.Payments = append(st.Payments, commerce.Transaction{Kind: kind, Amount: commerce.Money{Amount: amount, Currency: st.currency},
		PaymentMethodID: methodID, Key: key, At: now})
	return nil
}

// moveBalance adds delta to a gift card's balance in one statement, which refuses to take it
// below zero even when another order spends the same card at the same moment.
func moveBalance(ctx context.Context, tx pgx.Tx, st *orderState, m methodRow, delta int64) error {
	if m.Currency != st.currency {
		return invalid("%s holds %s, order %s is in %s", m.ID, m.Currency, st.ID, st.currency)
	}
	var balance int64
	err := tx.QueryRow(ctx, `UPDATE commerce_payment_methods SET balance = balance + $2
		WHERE id = $1 AND balance IS NOT NULL AND balance + $2 >= 0 RETURNING balance`, m.ID, delta).Scan(&balance)
	if errors.Is(err, pgx.ErrNoRows) {
		var have *int64
		if err := tx.QueryRow(ctx, `SELECT balance FROM commerce_payment_methods WHERE id = $1`, m.ID).Scan(&have); err != nil {
			return fmt.Errorf("read balance of %s: %w", m.ID, err)
		}
		var h int64
		if have != nil {
			h = *have
		}
		return fmt.Errorf("%s holds %s, not enough for %s: %w", m.ID,
			commerce.Money{Amount: h, Currency: m.Currency}, commerce.Money{Amount: -delta, Currency: st.currency},
			commerce.ErrInsufficientBalance)
	}
	if err != nil {
		return fmt.Errorf("move balance of %s: %w", m.ID, err)
	}
	return nil
}
