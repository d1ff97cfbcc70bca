package orders

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/commerce"
	"golang.org/x/text/language"
)

// A write tool is three things: its spec, what it would do (checked against the shop's
// current state), and doing it followed by reading the shop back.
type write[A any] struct {
	spec tools.Spec
	// check reads what the call needs and returns the preview (Data for the customer to
	// confirm, Amount moved), or a refusal.
	check func(ctx context.Context, inv tools.Invocation, a A) (tools.Result, error)
	// apply performs the change under inv.Key and reports whether reading back shows it.
	apply func(ctx context.Context, inv tools.Invocation, a A) (tools.Result, error)
	// keyed, when set, returns the money the shop already moved under inv.Key: a retry after
	// the first attempt's change went through and its answer was lost. Run then applies again
	// — the connector answers a used key with its first result and changes nothing — instead
	// of refusing on the state the first attempt left behind.
	keyed func(ctx context.Context, inv tools.Invocation, a A) (*commerce.Money, error)
}

func (w write[A]) Spec() tools.Spec { return w.spec }

func (w write[A]) Preview(ctx context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[A](inv.Call.Args)
	if err != nil {
		return invalid(err), nil
	}
	return w.check(ctx, inv, a)
}

// Run checks again (the shop may have changed since the preview) and applies.
func (w write[A]) Run(ctx context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[A](inv.Call.Args)
	if err != nil {
		return invalid(err), nil
	}
	p, err := w.check(ctx, inv, a)
	if err != nil {
		return p, err
	}
	if p.Outcome != tools.OK {
		if w.keyed == nil {
			return p, nil
		}
		moved, err := w.keyed(ctx, inv, a)
		if err != nil || moved == nil {
			return p, err
		}
		p = tools.Result{Outcome: tools.OK, Amount: moved}
	}
	r, err := w.apply(ctx, inv, a)
	if err != nil || r.Outcome != tools.OK {
		return r, err
	}
	if r.Amount == nil {
		r.Amount = p.Amount
	}
	return r, nil
}

// applied is the result of a write whose effect was read back: verified says whether the
// shop shows it.
func applied(o commerce.Order, verified bool, amount *commerce.Money) tools.Result {
	r := ok(viewOrder(o))
	r.Verified, r.Amount = verified, amount
	if !verified {
		r.Outcome, r.Reason, r.Detail = tools.Failed, "not_verified", "the shop does not show the change"
	}
	return r
}

type preview struct {
	Action  string     `json:"action"`
	Order   orderView  `json:"order"`
	Amount  *moneyView `json:"amount,omitempty"`
	Details any        `json:"details,omitempty"`
}

func previewOf(action string, o commerce.Order, amount *commerce.Money, details any) tools.Result {
	p := preview{Action: action, Order: viewOrder(o), Details: details}
	if amount != nil {
		m := viewMoney(*amount)
		p.Amount = &m
	}
	r := ok(p)
	r.Amount = amount
	return r
}

// orderIn reads an order of the verified customer that must be in status want; otherwise
// the refusal names its status.
func (t Tools) orderIn(ctx context.Context, inv tools.Invocation, id, want string) (commerce.Order, *tools.Result, error) {
	o, refusal, err := t.ownOrder(ctx, inv, normalizeOrderID(id))
	if refusal != nil || err != nil {
		return o, refusal, err
	}
	return o, needStatus(o, want), nil
}

// readBack reads an order again after a change, to verify the change is there.
func (t Tools) readBack(ctx context.Context, id string) (commerce.Order, error) {
	o, err := t.Shop.Order(ctx, id)
	if err != nil {
		return o, fmt.Errorf("read back %s: %w", id, err)
	}
	return o, nil
}

// movedUnder returns what the verified customer's order moved under key (the sum of its
// transactions carrying the key), or nil when nothing did.
func (t Tools) movedUnder(ctx context.Context, inv tools.Invocation, orderID string) (*commerce.Money, error) {
	o, err := t.Shop.Order(ctx, normalizeOrderID(orderID))
	if err != nil {
		if _, err := result(err); err != nil {
			return nil, err
		}
		return nil, nil // not found: nothing moved
	}
	return keyedAmount(o, inv.Key, inv.Identity.CustomerID), nil
}

// keyedAmount is the sum of the order's transactions under key, nil when there are none or
// the order is not the customer's.
func keyedAmount(o commerce.Order, key, customerID string) *commerce.Money {
	if key == "" || o.CustomerID != customerID {
		return nil
	}
	var m *commerce.Money
	for _, tx := range o.Payments {
		if tx.Key != key {
			continue
		}
		if m == nil {
			m = &commerce.Money{Currency: tx.Amount.Currency}
		}
		m.Amount += tx.Amount.Amount
	}
	return m
}

func needStatus(o commerce.Order, want string) *tools.Result {
	if o.Status == want {
		return nil
	}
	reason := "order_not_" + want
	r := tools.Refusal(reason, fmt.Sprintf("order %s is %s, not %s", o.ID, o.Status, want))
	r.Data = data(map[string]string{"order_id": o.ID, "status": o.Status})
	return &r
}

type cancelArgs struct {
	OrderID string `json:"order_id"`
	Reason  string `json:"reason" enum:"no longer needed,ordered by mistake"`
}

func (t Tools) cancel() tools.Tool {
	return write[cancelArgs]{
		spec: tools.Spec{Name: "cancel_pending_order", Effect: tools.MoveMoney, Confirm: true, Identity: true, ApproveAbove: t.Limits,
			Parameters:  tools.Schema[cancelArgs](),
			Description: "Cancel one of the verified customer's pending orders; what was paid is refunded to the original payment methods."},
		check: func(ctx context.Context, inv tools.Invocation, a cancelArgs) (tools.Result, error) {
			o, refusal, err := t.orderIn(ctx, inv, a.OrderID, commerce.StatusPending)
			if refusal != nil || err != nil {
				return deref(refusal), err
			}
			paid := o.Paid()
			return previewOf("cancel", o, &paid, map[string]string{"reason": a.Reason}), nil
		},
		apply: func(ctx context.Context, inv tools.Invocation, a cancelArgs) (tools.Result, error) {
			o, err := t.Shop.CancelOrder(ctx, inv.Key, normalizeOrderID(a.OrderID), a.Reason)
			if err != nil {
				return result(err)
			}
			back, err := t.readBack(ctx, o.ID)
			if err != nil {
				return tools.Result{}, err
			}
			return applied(back, back.Status == commerce.StatusCancelled, nil), nil
		},
		keyed: func(ctx context.Context, inv tools.Invocation, a cancelArgs) (*commerce.Money, error) {
			return t.movedUnder(ctx, inv, a.OrderID)
		},
	}
}

type addressArgs struct {
	Address1 string `json:"address1"`
	Address2 string `json:"address2,omitempty"`
	City     string `json:"city"`
	State    string `json:"state,omitempty"`
	Country  string `json:"country" desc:"ISO 3166-1 code, alpha-2 (US) or alpha-3 (USA)"`
	Zip      string `json:"zip"`
}

// address is the shop's form of the arguments: the country as an alpha-2 code, whichever
// ISO form the caller used.
func (a addressArgs) address() (commerce.Address, error) {
	r, err := language.ParseRegion(strings.TrimSpace(a.Country))
	if err != nil || !r.IsCountry() {
		return commerce.Address{}, fmt.Errorf("country: %q is not an ISO 3166-1 country code", a.Country)
	}
	return commerce.Address{Line1: a.Address1, Line2: a.Address2, City: a.City, State: a.State, Country: r.String(), Zip: a.Zip}, nil
}

type orderAddressArgs struct {
	OrderID string `json:"order_id"`
	addressArgs
}

func (t Tools) modifyAddress() tools.Tool {
	return write[orderAddressArgs]{
		spec: tools.Spec{Name: "modify_pending_order_address", Effect: tools.Write, Confirm: true, Identity: true,
			Parameters:  tools.Schema[orderAddressArgs](),
			Description: "Change the shipping address of one of the verified customer's orders before it is fulfilled (pending)."},
		check: func(ctx context.Context, inv tools.Invocation, a orderAddressArgs) (tools.Result, error) {
			o, refusal, err := t.orderIn(ctx, inv, a.OrderID, commerce.StatusPending)
			if refusal != nil || err != nil {
				return deref(refusal), err
			}
			addr, err := a.address()
			if err != nil {
				return invalid(err), nil
			}
			return previewOf("modify_address", o, nil, addr), nil
		},
		apply: func(ctx context.Context, inv tools.Invocation, a orderAddressArgs) (tools.Result, error) {
			addr, err := a.address()
			if err != nil {
				return invalid(err), nil
			}
			o, err := t.Shop.ModifyOrderAddress(ctx, inv.Key, normalizeOrderID(a.OrderID), addr)
			if err != nil {
				return result(err)
			}
			back, err := t.readBack(ctx, o.ID)
			if err != nil {
				return tools.Result{}, err
			}
			return applied(back, back.Address.Line1 == a.Address1 && back.Address.Zip == a.Zip, nil), nil
		},
	}
}

type swapArgs struct {
	OrderID         string   `json:"order_id"`
	ItemIDs         []string `json:"item_ids" desc:"the items to change, all at once"`
	NewItemIDs      []string `json:"new_item_ids" desc:"the new variants, in the same order"`
	PaymentMethodID string   `json:"payment_method_id" desc:"pays or receives the price difference"`
}

// swapDifference is what the customer pays (positive) or gets back (negative) for swaps.
func (t Tools) swapDifference(ctx context.Context, o commerce.Order, a swapArgs) (commerce.Money, *tools.Result, error) {
	if len(a.ItemIDs) == 0 || len(a.ItemIDs) != len(a.NewItemIDs) {
		r := invalid(fmt.Errorf("item_ids and new_item_ids must be non-empty and of the same length"))
		return commerce.Money{}, &r, nil
	}
	old, err := itemsTotal(o, a.ItemIDs)
	if err != nil {
		r := invalid(err)
		return commerce.Money{}, &r, nil
	}
	diff := commerce.Money{Amount: -old.Amount, Currency: old.Currency}
	for i, id := range a.ItemIDs {
		it := o.Items[slices.IndexFunc(o.Items, func(x commerce.Item) bool { return x.ItemID == id })]
		p, err := t.Shop.Product(ctx, it.ProductID)
		if err != nil {
			r, err := result(err)
			return diff, &r, err
		}
		j := slices.IndexFunc(p.Variants, func(v commerce.Variant) bool { return v.ItemID == a.NewItemIDs[i] })
		if j < 0 {
			r := tools.Refusal("different_product", fmt.Sprintf("%s is not a variant of %s", a.NewItemIDs[i], p.Name))
			return diff, &r, nil
		}
		if !p.Variants[j].Available {
			r := tools.Refusal("not_available", fmt.Sprintf("%s is not available", a.NewItemIDs[i]))
			return diff, &r, nil
		}
		diff.Amount += p.Variants[j].Price.Amount
	}
	return diff, nil, nil
}

func abs(m commerce.Money) *commerce.Money {
	if m.Amount < 0 {
		m.Amount = -m.Amount
	}
	return &m
}

func (t Tools) swapTool(name, status, desc string, do func(ctx context.Context, key, orderID string, swaps []commerce.ItemSwap, pm string) (commerce.Order, error), after string) tools.Tool {
	return write[swapArgs]{
		spec: tools.Spec{Name: name, Effect: tools.MoveMoney, Confirm: true, Identity: true, ApproveAbove: t.Limits,
			Parameters: tools.Schema[swapArgs](), Description: desc},
		check: func(ctx context.Context, inv tools.Invocation, a swapArgs) (tools.Result, error) {
			o, refusal, err := t.orderIn(ctx, inv, a.OrderID, status)
			if refusal != nil || err != nil {
				return deref(refusal), err
			}
			if status == commerce.StatusDelivered && t.Returns != nil {
				if reason := t.Returns.Window(inv.Market, o); reason != "" {
					return tools.Refusal(reason, "outside the return window"), nil
				}
			}
			diff, refusal, err := t.swapDifference(ctx, o, a)
			if refusal != nil || err != nil {
				return deref(refusal), err
			}
			return previewOf(name, o, abs(diff), map[string]any{"price_difference": viewMoney(diff), "payment_method_id": a.PaymentMethodID}), nil
		},
		apply: func(ctx context.Context, inv tools.Invocation, a swapArgs) (tools.Result, error) {
			swaps := make([]commerce.ItemSwap, len(a.ItemIDs))
			for i := range a.ItemIDs {
				swaps[i] = commerce.ItemSwap{From: a.ItemIDs[i], To: a.NewItemIDs[i]}
			}
			o, err := do(ctx, inv.Key, normalizeOrderID(a.OrderID), swaps, a.PaymentMethodID)
			if err != nil {
				return result(err)
			}
			back, err := t.readBack(ctx, o.ID)
			if err != nil {
				return tools.Result{}, err
			}
			return applied(back, back.Status == after, nil), nil
		},
	}
}

type paymentArgs struct {
	OrderID         string `json:"order_id"`
	PaymentMethodID string `json:"payment_method_id"`
}

func (t Tools) modifyPayment() tools.Tool {
	return write[paymentArgs]{
		spec: tools.Spec{Name: "modify_pending_order_payment", Effect: tools.MoveMoney, Confirm: true, Identity: true, ApproveAbove: t.Limits,
			Parameters:  tools.Schema[paymentArgs](),
			Description: "Pay a pending order with another of the customer's payment methods; the original one is refunded."},
		check: func(ctx context.Context, inv tools.Invocation, a paymentArgs) (tools.Result, error) {
			o, refusal, err := t.orderIn(ctx, inv, a.OrderID, commerce.StatusPending)
			if refusal != nil || err != nil {
				return deref(refusal), err
			}
			paid := o.Paid()
			return previewOf("modify_payment", o, &paid, map[string]string{"payment_method_id": a.PaymentMethodID}), nil
		},
		apply: func(ctx context.Context, inv tools.Invocation, a paymentArgs) (tools.Result, error) {
			o, err := t.Shop.ModifyOrderPayment(ctx, inv.Key, normalizeOrderID(a.OrderID), a.PaymentMethodID)
			if err != nil {
				return result(err)
			}
			back, err := t.readBack(ctx, o.ID)
			if err != nil {
				return tools.Result{}, err
			}
			uses := slices.ContainsFunc(back.Payments, func(p commerce.Transaction) bool {
				return p.Kind == "payment" && p.PaymentMethodID == a.PaymentMethodID
			})
			return applied(back, uses, nil), nil
		},
	}
}

type returnArgs struct {
	OrderID         string   `json:"order_id"`
	ItemIDs         []string `json:"item_ids"`
	PaymentMethodID string   `json:"payment_method_id" desc:"receives the refund: the original payment method or a gift card"`
}

func (t Tools) returnItems() tools.Tool {
	return write[returnArgs]{
		spec: tools.Spec{Name: "return_delivered_order_items", Effect: tools.MoveMoney, Confirm: true, Identity: true, ApproveAbove: t.Limits,
			Parameters:  tools.Schema[returnArgs](),
			Description: "Return items of one of the verified customer's delivered orders; their price is refunded to the given payment method."},
		check: func(ctx context.Context, inv tools.Invocation, a returnArgs) (tools.Result, error) {
			o, refusal, err := t.orderIn(ctx, inv, a.OrderID, commerce.StatusDelivered)
			if refusal != nil || err != nil {
				return deref(refusal), err
			}
			if t.Returns != nil {
				if reason := t.Returns.Window(inv.Market, o); reason != "" {
					return tools.Refusal(reason, "outside the return window"), nil
				}
			}
			if len(a.ItemIDs) == 0 {
				return invalid(fmt.Errorf("item_ids: at least one item")), nil
			}
			amount, err := itemsTotal(o, a.ItemIDs)
			if err != nil {
				return invalid(err), nil
			}
			return previewOf("return", o, &amount, map[string]any{"item_ids": a.ItemIDs, "payment_method_id": a.PaymentMethodID}), nil
		},
		apply: func(ctx context.Context, inv tools.Invocation, a returnArgs) (tools.Result, error) {
			o, err := t.Shop.ReturnItems(ctx, inv.Key, normalizeOrderID(a.OrderID), a.ItemIDs, a.PaymentMethodID)
			if err != nil {
				return result(err)
			}
			back, err := t.readBack(ctx, o.ID)
			if err != nil {
				return tools.Result{}, err
			}
			return applied(back, back.Status == commerce.StatusReturnRequested, nil), nil
		},
		keyed: func(ctx context.Context, inv tools.Invocation, a returnArgs) (*commerce.Money, error) {
			return t.movedUnder(ctx, inv, a.OrderID)
		},
	}
}

type refundArgs struct {
	OrderID         string  `json:"order_id"`
	Amount          float64 `json:"amount,omitempty" desc:"in the order's currency; omit for everything still refundable"`
	Reason          string  `json:"reason"`
	PaymentMethodID string  `json:"payment_method_id,omitempty" desc:"omit for the original payment method"`
}

func (t Tools) refund() tools.Tool {
	amountOf := func(o commerce.Order, a refundArgs) (commerce.Money, error) {
		left := o.Paid()
		if a.Amount == 0 {
			return left, nil
		}
		m, err := commerce.FromDecimal(a.Amount, left.Currency)
		if err != nil {
			return m, err
		}
		if m.Amount <= 0 || m.Amount > left.Amount {
			return m, fmt.Errorf("amount: %s is more than the %s still refundable", m, left)
		}
		return m, nil
	}
	return write[refundArgs]{
		spec: tools.Spec{Name: "refund_order", Effect: tools.MoveMoney, Confirm: true, Identity: true, ApproveAbove: t.Limits,
			Parameters:  tools.Schema[refundArgs](),
			Description: "Refund all or part of what the verified customer paid for an order (a goodwill or partial refund), to the original payment method unless another is given."},
		check: func(ctx context.Context, inv tools.Invocation, a refundArgs) (tools.Result, error) {
			o, refusal, err := t.ownOrder(ctx, inv, normalizeOrderID(a.OrderID))
			if refusal != nil || err != nil {
				return deref(refusal), err
			}
			m, err := amountOf(o, a)
			if err != nil {
				r := invalid(err)
				r.Reason = "above_refundable"
				return r, nil
			}
			if m.Amount == 0 {
				return tools.Refusal("nothing_to_refund", "nothing is left to refund"), nil
			}
			return previewOf("refund", o, &m, map[string]string{"reason": a.Reason, "payment_method_id": a.PaymentMethodID}), nil
		},
		apply: func(ctx context.Context, inv tools.Invocation, a refundArgs) (tools.Result, error) {
			o, err := t.Shop.Order(ctx, normalizeOrderID(a.OrderID))
			if err != nil {
				return result(err)
			}
			m, err := amountOf(o, a)
			if done := keyedAmount(o, inv.Key, inv.Identity.CustomerID); done != nil {
				m, err = *done, nil // a retry: the same request as the attempt that went through
			}
			if err != nil {
				return invalid(err), nil
			}
			if _, err := t.Shop.RefundOrder(ctx, inv.Key, commerce.Refund{OrderID: o.ID, Amount: m, PaymentMethodID: a.PaymentMethodID, Reason: a.Reason}); err != nil {
				return result(err)
			}
			back, err := t.readBack(ctx, o.ID)
			if err != nil {
				return tools.Result{}, err
			}
			seen := slices.ContainsFunc(back.Payments, func(p commerce.Transaction) bool { return p.Kind == "refund" && p.Key == inv.Key })
			return applied(back, seen, &m), nil
		},
		keyed: func(ctx context.Context, inv tools.Invocation, a refundArgs) (*commerce.Money, error) {
			return t.movedUnder(ctx, inv, a.OrderID)
		},
	}
}

type userAddressArgs struct {
	UserID string `json:"user_id"`
	addressArgs
}

func (t Tools) modifyUserAddress() tools.Tool {
	return write[userAddressArgs]{
		spec: tools.Spec{Name: "modify_user_address", Effect: tools.Write, Confirm: true, Identity: true,
			Parameters: tools.Schema[userAddressArgs](), Description: "Change the verified customer's default address."},
		check: func(ctx context.Context, inv tools.Invocation, a userAddressArgs) (tools.Result, error) {
			if a.UserID != inv.Identity.CustomerID {
				return tools.Result{Outcome: tools.NotFound, Reason: "not_found", Detail: "only the verified customer's address can change"}, nil
			}
			addr, err := a.address()
			if err != nil {
				return invalid(err), nil
			}
			r := ok(map[string]any{"action": "modify_user_address", "address": addr})
			return r, nil
		},
		apply: func(ctx context.Context, inv tools.Invocation, a userAddressArgs) (tools.Result, error) {
			addr, err := a.address()
			if err != nil {
				return invalid(err), nil
			}
			if _, err := t.Shop.ModifyCustomerAddress(ctx, inv.Key, a.UserID, addr); err != nil {
				return result(err)
			}
			c, err := t.Shop.Customer(ctx, a.UserID)
			if err != nil {
				return tools.Result{}, fmt.Errorf("read back: %w", err)
			}
			r := ok(map[string]any{"user_id": c.ID, "address": c.Address})
			r.Verified = c.Address.Line1 == a.Address1 && c.Address.Zip == a.Zip
			if !r.Verified {
				r.Outcome, r.Reason = tools.Failed, "not_verified"
			}
			return r, nil
		},
	}
}
