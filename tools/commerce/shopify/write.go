package shopify

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/attache-dev/attache/tools/commerce"
)

// Messages of the @idempotent directive's errors. refundCreate reports them
// as userErrors without a code, so they are recognised by their text.
const (
	msgKeyMismatch    = "same idempotency key cannot be used with different operation parameters"
	msgPreviousFailed = "previous request with this idempotency key failed"
)

func userErrorText(errs []userError) string {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Message
		if len(e.Field) > 0 {
			msgs[i] = strings.Join(e.Field, ".") + ": " + e.Message
		}
	}
	return strings.Join(msgs, "; ")
}

// RefundOrder refunds r on the order, exactly once per key. See the package
// documentation for how. The amount goes back to the order's payments
// (SALE and CAPTURE transactions) of r.PaymentMethodID, a gateway name such
// as "shopify_payments" ("" = any), the earliest first. Refunded items are
// recorded without restocking. Shopify rejects an amount above what is
// refundable; that comes back as commerce.ErrInvalid.
func (c *Client) RefundOrder(ctx context.Context, key string, r commerce.Refund) (commerce.Order, error) {
	if key == "" {
		return commerce.Order{}, fmt.Errorf("refund order %s: empty idempotency key: %w", r.OrderID, commerce.ErrInvalid)
	}
	n, err := c.fetchOrder(ctx, r.OrderID)
	if err != nil {
		return commerce.Order{}, fmt.Errorf("refund: %w", err)
	}
	fp := refundFingerprint(n.ID, r)
	for _, ref := range n.Refunds {
		if found, same := findMarker(ref.Note, key, fp); found {
			if !same {
				return commerce.Order{}, fmt.Errorf("refund order %s: %w", r.OrderID, commerce.ErrKeyReused)
			}
			c.log.InfoContext(ctx, "shopify refund already applied", "refund", ref.ID)
			return c.convert(n)
		}
	}
	if n.PresentmentCurrencyCode != "" && n.PresentmentCurrencyCode != n.CurrencyCode {
		return commerce.Order{}, fmt.Errorf("refund order %s: the order was paid in %s and the shop currency is %s: %w",
			r.OrderID, n.PresentmentCurrencyCode, n.CurrencyCode, ErrUnsupported)
	}
	input, err := refundInput(n, r)
	if err != nil {
		return commerce.Order{}, fmt.Errorf("refund order %s: %w", r.OrderID, err)
	}
	input["note"] = strings.TrimSpace(r.Reason + " " + marker(key, fp))
	var data struct {
		RefundCreate *struct {
			Refund *struct {
				ID string `json:"id"`
			} `json:"refund"`
			Order      *orderNode  `json:"order"`
			UserErrors []userError `json:"userErrors"`
		} `json:"refundCreate"`
	}
	vars := map[string]any{"input": input, "idempotencyKey": shopifyKey(key)}
	if err := c.do(ctx, "RefundCreate", mutationRefundCreate, vars, &data); err != nil {
		return commerce.Order{}, fmt.Errorf("refund order %s: %w", r.OrderID, err)
	}
	p := data.RefundCreate
	if p == nil {
		return commerce.Order{}, fmt.Errorf("refund order %s: empty refundCreate payload", r.OrderID)
	}
	if len(p.UserErrors) > 0 {
		text := userErrorText(p.UserErrors)
		low := strings.ToLower(text)
		switch {
		case strings.Contains(low, msgKeyMismatch):
			return commerce.Order{}, fmt.Errorf("refund order %s: %s: %w", r.OrderID, text, commerce.ErrKeyReused)
		case strings.Contains(low, msgPreviousFailed):
			return commerce.Order{}, fmt.Errorf("refund order %s: an earlier attempt with this key was refused: %s: %w", r.OrderID, text, commerce.ErrInvalid)
		}
		return commerce.Order{}, fmt.Errorf("refund order %s: %s: %w", r.OrderID, text, commerce.ErrInvalid)
	}
	if p.Refund != nil {
		c.log.InfoContext(ctx, "shopify refund created", "refund", p.Refund.ID)
	}
	if p.Order == nil {
		return c.Order(ctx, n.ID)
	}
	if err := c.moreLineItems(ctx, p.Order); err != nil {
		return commerce.Order{}, err
	}
	return c.convert(*p.Order)
}

func (c *Client) convert(n orderNode) (commerce.Order, error) {
	o, err := toOrder(n)
	if err != nil {
		return commerce.Order{}, fmt.Errorf("order %s: %w", n.Name, err)
	}
	return o, nil
}

// refundInput builds refundCreate's RefundInput, less the note.
func refundInput(n orderNode, r commerce.Refund) (map[string]any, error) {
	// Items → refund line items, unit by unit, onto line items that still
	// have refundable units.
	left := map[string]int{}
	for _, li := range n.LineItems.Nodes {
		left[li.ID] = li.RefundableQuantity
	}
	qty := map[string]int{}
	var order []string
	items := commerce.Money{}
	for _, id := range r.ItemIDs {
		placed := false
		for _, li := range n.LineItems.Nodes {
			if itemID(li) != id || left[li.ID] == 0 {
				continue
			}
			left[li.ID]--
			if qty[li.ID] == 0 {
				order = append(order, li.ID)
			}
			qty[li.ID]++
			price, err := money(li.UnitPrice.ShopMoney)
			if err != nil {
				return nil, err
			}
			items.Amount += price.Amount
			items.Currency = price.Currency
			placed = true
			break
		}
		if !placed {
			return nil, fmt.Errorf("item %s is not in the order or already refunded: %w", id, commerce.ErrInvalid)
		}
	}
	amount := r.Amount
	if amount.Amount == 0 {
		amount = items
	}
	if amount.Amount <= 0 {
		return nil, fmt.Errorf("nothing to refund: no amount and no items: %w", commerce.ErrInvalid)
	}
	if amount.Currency != n.CurrencyCode {
		return nil, fmt.Errorf("amount in %s, order in %s: %w", amount.Currency, n.CurrencyCode, commerce.ErrInvalid)
	}

	// Amount → refund transactions against the payments, earliest first.
	type parent struct {
		id, gateway string
		left        int64
	}
	var parents []parent
	for _, t := range n.Transactions {
		if t.Status != "SUCCESS" || (t.Kind != "SALE" && t.Kind != "CAPTURE") {
			continue
		}
		if r.PaymentMethodID != "" && t.Gateway != r.PaymentMethodID {
			continue
		}
		m, err := money(t.AmountSet.ShopMoney)
		if err != nil {
			return nil, err
		}
		p := parent{id: t.ID, gateway: t.Gateway, left: m.Amount}
		for _, rt := range n.Transactions {
			if rt.Kind == "REFUND" && rt.Status == "SUCCESS" && rt.ParentTransaction != nil && rt.ParentTransaction.ID == t.ID {
				rm, err := money(rt.AmountSet.ShopMoney)
				if err != nil {
					return nil, err
				}
				p.left -= rm.Amount
			}
		}
		parents = append(parents, p)
	}
	if len(parents) == 0 {
		if r.PaymentMethodID != "" {
			return nil, fmt.Errorf("no payment with %q on this order: %w", r.PaymentMethodID, commerce.ErrInvalid)
		}
		return nil, fmt.Errorf("the order has no captured payment to refund: %w", commerce.ErrConflict)
	}
	var txs []map[string]any
	rest := amount.Amount
	for i, p := range parents {
		take := min(rest, max(p.left, 0))
		if i == len(parents)-1 {
			take = rest // let Shopify judge anything above what is refundable
		}
		if take <= 0 {
			continue
		}
		dec, err := decimal(commerce.Money{Amount: take, Currency: amount.Currency})
		if err != nil {
			return nil, err
		}
		txs = append(txs, map[string]any{
			"orderId": n.ID, "parentId": p.id, "gateway": p.gateway, "kind": "REFUND", "amount": dec,
		})
		rest -= take
		if rest == 0 {
			break
		}
	}
	lines := []map[string]any{}
	for _, id := range order {
		lines = append(lines, map[string]any{"lineItemId": id, "quantity": qty[id], "restockType": "NO_RESTOCK"})
	}
	return map[string]any{
		"orderId":         n.ID,
		"notify":          false,
		"refundLineItems": lines,
		"transactions":    txs,
	}, nil
}

// CancelOrder cancels the order, refunding its payments to the original
// payment methods and restocking, at most once per key: the key's marker
// goes into the cancellation's staff note, after the reason. A cancel that
// Shopify refuses (fulfilled, already cancelled by someone else) is
// commerce.ErrConflict.
func (c *Client) CancelOrder(ctx context.Context, key, orderID, reason string) (commerce.Order, error) {
	if key == "" {
		return commerce.Order{}, fmt.Errorf("cancel order %s: empty idempotency key: %w", orderID, commerce.ErrInvalid)
	}
	n, err := c.fetchOrder(ctx, orderID)
	if err != nil {
		return commerce.Order{}, fmt.Errorf("cancel: %w", err)
	}
	fp := fingerprint("cancel", n.ID, reason)
	if done, err := cancelledBy(n, key, fp); done || err != nil {
		if err != nil {
			return commerce.Order{}, fmt.Errorf("cancel order %s: %w", orderID, err)
		}
		return c.convert(n)
	}
	switch st := orderStatus(n); st {
	case commerce.StatusProcessed, commerce.StatusDelivered, commerce.StatusReturnRequested:
		return commerce.Order{}, fmt.Errorf("cancel order %s: the order is %s: %w", orderID, st, commerce.ErrConflict)
	}
	vars := map[string]any{
		"orderId":        n.ID,
		"reason":         cancelReasonCode(reason),
		"refundMethod":   map[string]any{"originalPaymentMethodsRefund": true},
		"restock":        true,
		"notifyCustomer": false,
		"staffNote":      strings.TrimSpace(reason + " " + marker(key, fp)),
	}
	var data struct {
		OrderCancel *struct {
			Job *struct {
				ID   string `json:"id"`
				Done bool   `json:"done"`
			} `json:"job"`
			UserErrors []userError `json:"orderCancelUserErrors"`
		} `json:"orderCancel"`
	}
	if err := c.do(ctx, "OrderCancel", mutationOrderCancel, vars, &data); err != nil {
		return commerce.Order{}, fmt.Errorf("cancel order %s: %w", orderID, err)
	}
	p := data.OrderCancel
	if p == nil {
		return commerce.Order{}, fmt.Errorf("cancel order %s: empty orderCancel payload", orderID)
	}
	if len(p.UserErrors) > 0 {
		// A retry after a lost reply lands here ("already cancelled", "in
		// progress"): look whether our own cancellation is (about to be) done.
		if o, ok := c.awaitCancelled(ctx, n.ID, key, fp); ok {
			return o, nil
		}
		for _, e := range p.UserErrors {
			if e.Code == "NOT_FOUND" {
				return commerce.Order{}, fmt.Errorf("cancel order %s: %s: %w", orderID, userErrorText(p.UserErrors), commerce.ErrNotFound)
			}
		}
		return commerce.Order{}, fmt.Errorf("cancel order %s: %s: %w", orderID, userErrorText(p.UserErrors), commerce.ErrConflict)
	}
	if p.Job != nil && !p.Job.Done {
		if err := c.awaitJob(ctx, p.Job.ID); err != nil {
			return commerce.Order{}, fmt.Errorf("cancel order %s: %w", orderID, err)
		}
	}
	if o, ok := c.awaitCancelled(ctx, n.ID, key, fp); ok {
		return o, nil
	}
	return commerce.Order{}, fmt.Errorf("cancel order %s: Shopify's cancel job finished but the order is not cancelled: %w", orderID, commerce.ErrConflict)
}

// cancelledBy reports whether the order is already cancelled by this key
// (true), cancelled otherwise (ErrConflict), or cancelled by this key for a
// different request (ErrKeyReused).
func cancelledBy(n orderNode, key, fp string) (bool, error) {
	if n.CancelledAt.IsZero() {
		return false, nil
	}
	if n.Cancellation != nil {
		if found, same := findMarker(n.Cancellation.StaffNote, key, fp); found {
			if !same {
				return false, commerce.ErrKeyReused
			}
			return true, nil
		}
	}
	return false, fmt.Errorf("the order is already cancelled: %w", commerce.ErrConflict)
}

// awaitCancelled reads the order a few times, for the cancel job to land.
func (c *Client) awaitCancelled(ctx context.Context, gid, key, fp string) (commerce.Order, bool) {
	wait := 100 * time.Millisecond
	for i := range 4 {
		n, err := c.fetchOrder(ctx, gid)
		if err != nil {
			return commerce.Order{}, false
		}
		done, err := cancelledBy(n, key, fp)
		if done {
			o, err := c.convert(n)
			return o, err == nil
		}
		if err != nil || i == 3 {
			return commerce.Order{}, false // cancelled, but not by us; or not at all
		}
		if !sleep(ctx, wait) {
			return commerce.Order{}, false
		}
		wait *= 2
	}
	return commerce.Order{}, false
}

// awaitJob polls an asynchronous job until it is done or ctx ends (at most
// two minutes).
func (c *Client) awaitJob(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	wait := 50 * time.Millisecond
	for {
		var data struct {
			Job *struct {
				Done bool `json:"done"`
			} `json:"job"`
		}
		if err := c.do(ctx, "Job", queryJob, map[string]any{"id": id}, &data); err != nil {
			return fmt.Errorf("wait for job: %w", err)
		}
		if data.Job == nil {
			return errors.New("wait for job: Shopify does not know the job")
		}
		if data.Job.Done {
			return nil
		}
		if !sleep(ctx, wait) {
			return fmt.Errorf("wait for job: %w", ctx.Err())
		}
		wait = min(2*wait, 2*time.Second)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// cancelReasonCode maps a free-text reason onto OrderCancelReason.
func cancelReasonCode(reason string) string {
	r := strings.ToLower(reason)
	switch {
	case strings.Contains(r, "fraud"):
		return "FRAUD"
	case strings.Contains(r, "inventory"), strings.Contains(r, "out of stock"):
		return "INVENTORY"
	case strings.Contains(r, "declined"):
		return "DECLINED"
	case strings.Contains(r, "staff"):
		return "STAFF"
	}
	return "CUSTOMER"
}

var countryRe = regexp.MustCompile(`^[A-Za-z]{2}$`)

// ModifyOrderAddress sets the order's shipping address. Setting an address
// is idempotent by nature, so a retry repeats it harmlessly; the key is
// not recorded at Shopify, so a key reused for a different address is not
// detected (a gap). An order that is cancelled or already shipped is
// commerce.ErrConflict.
func (c *Client) ModifyOrderAddress(ctx context.Context, key, orderID string, a commerce.Address) (commerce.Order, error) {
	if key == "" {
		return commerce.Order{}, fmt.Errorf("modify address of order %s: empty idempotency key: %w", orderID, commerce.ErrInvalid)
	}
	if a.Line1 == "" || a.City == "" || !countryRe.MatchString(a.Country) {
		return commerce.Order{}, fmt.Errorf("modify address of order %s: need street, city and a two-letter country: %w", orderID, commerce.ErrInvalid)
	}
	n, err := c.fetchOrder(ctx, orderID)
	if err != nil {
		return commerce.Order{}, fmt.Errorf("modify address: %w", err)
	}
	switch st := orderStatus(n); st {
	case commerce.StatusCancelled, commerce.StatusProcessed, commerce.StatusDelivered, commerce.StatusReturnRequested:
		return commerce.Order{}, fmt.Errorf("modify address of order %s: the order is %s: %w", orderID, st, commerce.ErrConflict)
	}
	vars := map[string]any{"input": map[string]any{
		"id": n.ID,
		"shippingAddress": map[string]any{
			"address1": a.Line1, "address2": a.Line2, "city": a.City, "provinceCode": a.State,
			"zip": a.Zip, "countryCode": strings.ToUpper(a.Country),
		},
	}}
	var data struct {
		OrderUpdate *struct {
			Order      *orderNode  `json:"order"`
			UserErrors []userError `json:"userErrors"`
		} `json:"orderUpdate"`
	}
	if err := c.do(ctx, "OrderUpdate", mutationOrderUpdate, vars, &data); err != nil {
		return commerce.Order{}, fmt.Errorf("modify address of order %s: %w", orderID, err)
	}
	p := data.OrderUpdate
	if p == nil {
		return commerce.Order{}, fmt.Errorf("modify address of order %s: empty orderUpdate payload", orderID)
	}
	if len(p.UserErrors) > 0 {
		return commerce.Order{}, fmt.Errorf("modify address of order %s: %s: %w", orderID, userErrorText(p.UserErrors), commerce.ErrInvalid)
	}
	if p.Order == nil {
		return c.Order(ctx, n.ID)
	}
	if err := c.moreLineItems(ctx, p.Order); err != nil {
		return commerce.Order{}, err
	}
	return c.convert(*p.Order)
}

// ModifyOrderItems is not supported: Shopify changes items through a
// multi-step order edit (orderEditBegin … orderEditCommit), not done here.
func (c *Client) ModifyOrderItems(ctx context.Context, key, orderID string, swaps []commerce.ItemSwap, paymentMethodID string) (commerce.Order, error) {
	return commerce.Order{}, fmt.Errorf("modify items of order %s: order editing: %w", orderID, ErrUnsupported)
}

// ModifyOrderPayment is not supported: Shopify cannot change the payment
// method of a placed order.
func (c *Client) ModifyOrderPayment(ctx context.Context, key, orderID, paymentMethodID string) (commerce.Order, error) {
	return commerce.Order{}, fmt.Errorf("modify payment of order %s: %w", orderID, ErrUnsupported)
}

// ReturnItems is not supported yet: Shopify's returns (returnCreate,
// returnProcess) are not mapped.
func (c *Client) ReturnItems(ctx context.Context, key, orderID string, itemIDs []string, paymentMethodID string) (commerce.Order, error) {
	return commerce.Order{}, fmt.Errorf("return items of order %s: returns: %w", orderID, ErrUnsupported)
}

// ExchangeItems is not supported yet (Shopify exchanges go through returns).
func (c *Client) ExchangeItems(ctx context.Context, key, orderID string, swaps []commerce.ItemSwap, paymentMethodID string) (commerce.Order, error) {
	return commerce.Order{}, fmt.Errorf("exchange items of order %s: exchanges: %w", orderID, ErrUnsupported)
}

// ModifyCustomerAddress is not supported yet (customerAddressUpdate is not
// mapped).
func (c *Client) ModifyCustomerAddress(ctx context.Context, key, customerID string, a commerce.Address) (commerce.Customer, error) {
	return commerce.Customer{}, fmt.Errorf("modify address of customer %s: %w", customerID, ErrUnsupported)
}
