package tau2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
)

// readActions are τ²'s tools that change nothing; every other ground-truth action is scored.
var readActions = map[string]bool{
	"find_user_id_by_email": true, "find_user_id_by_name_zip": true, "get_user_details": true,
	"get_order_details": true, "get_product_details": true, "get_item_details": true,
	"list_all_product_types": true, "calculate": true, "think": true,
}

// transferAction is τ²'s handoff to a person.
const transferAction = "transfer_to_human_agents"

// action is a ground-truth action under a copy's names.
type action struct {
	Name string
	Args map[string]any
}

// writeActions are a task's ground-truth actions that change the shop (and the transfer),
// under n's names.
func writeActions(t evals.Tau2Task, n *names) []action {
	var out []action
	for _, a := range t.EvaluationCriteria.Actions {
		if readActions[a.Name] {
			continue
		}
		args, _ := n.value(a.Arguments).(map[string]any)
		out = append(out, action{Name: a.Name, Args: args})
	}
	return out
}

// firstWrite names a task's first ground-truth write, "read-only" when it has none.
func firstWrite(t evals.Tau2Task) string {
	for _, a := range t.EvaluationCriteria.Actions {
		if !readActions[a.Name] {
			return a.Name
		}
	}
	return "read-only"
}

// scoreActions checks that each ground-truth write ran, with its arguments, as a call of its
// own. A transfer also counts when the conversation went to a person another way.
func scoreActions(want []action, obs evals.Observation) []evals.Check {
	used := make([]bool, len(obs.ToolCalls))
	var out []evals.Check
	for _, w := range want {
		wb, _ := json.Marshal(w.Args)
		c := evals.Check{Name: "action " + w.Name, Want: fmt.Sprintf("%s %s", w.Name, wb)}
		var got []string
		for i, tc := range obs.ToolCalls {
			if tc.Name != w.Name {
				continue
			}
			got = append(got, fmt.Sprintf("%s %s → %s", tc.Name, tc.Args, tc.Outcome))
			if used[i] || tc.Outcome != "ok" {
				continue
			}
			var args map[string]any
			if err := json.Unmarshal(tc.Args, &args); err != nil {
				continue
			}
			if w.Name == transferAction || sameArgs(w.Args, args) {
				used[i], c.Passed, c.Got = true, true, got[len(got)-1]
				break
			}
		}
		if !c.Passed && w.Name == transferAction && obs.Handoff {
			c.Passed, c.Got = true, "handed off: "+obs.HandoffReason
		}
		if !c.Passed {
			c.Got = strings.Join(got, "\n")
			if c.Got == "" {
				c.Got = "(not called)"
			}
		}
		out = append(out, c)
	}
	return out
}

// sameArgs compares a ground-truth action's arguments with a call's as the shop reads them:
// order numbers as the tools normalise them, strings without case or surrounding space,
// "USA" as "US", the items of a return in any order and an exchange's pairs in any order.
func sameArgs(want, got map[string]any) bool {
	if _, ok := want["new_item_ids"]; ok {
		if !samePairs(want, got) {
			return false
		}
	} else if !sameSet(want["item_ids"], got["item_ids"]) {
		return false
	}
	for k, w := range want {
		if k == "item_ids" || k == "new_item_ids" {
			continue
		}
		if norm(k, w) != norm(k, got[k]) {
			return false
		}
	}
	return true
}

func norm(key string, v any) string {
	s, ok := v.(string)
	if !ok {
		if v == nil {
			return ""
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	s = strings.ToUpper(strings.TrimSpace(s))
	switch key {
	case "order_id":
		if strings.HasPrefix(s, "W") && len(s) == 8 {
			s = "#" + s
		}
	case "country":
		if s == "USA" {
			s = "US"
		}
	}
	return s
}

func strs(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		s, _ := x.(string)
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

func sameSet(w, g any) bool {
	return slices.Equal(slices.Sorted(slices.Values(strs(w))), slices.Sorted(slices.Values(strs(g))))
}

func samePairs(want, got map[string]any) bool {
	pairs := func(m map[string]any) []string {
		from, to := strs(m["item_ids"]), strs(m["new_item_ids"])
		if len(from) != len(to) {
			return nil
		}
		out := make([]string, len(from))
		for i := range from {
			out[i] = from[i] + "→" + to[i]
		}
		slices.Sort(out)
		return out
	}
	w := pairs(want)
	return w != nil && slices.Equal(w, pairs(got))
}

// replay applies ground-truth writes to a copy with the shop's own writer, as τ² computes
// its expected database. A write the shop refuses (τ² refuses it too: a gift card short of
// the difference) changes nothing and is skipped.
func replay(ctx context.Context, shop *pgstore.Store, acts []action, keyPrefix string) error {
	for i, a := range acts {
		arg := func(k string) string { s, _ := a.Args[k].(string); return s }
		key := fmt.Sprintf("%s/%d", keyPrefix, i)
		addr := commerce.Address{Line1: arg("address1"), Line2: arg("address2"), City: arg("city"), State: arg("state"), Zip: arg("zip"), Country: arg("country")}
		if strings.EqualFold(addr.Country, "USA") {
			addr.Country = "US"
		}
		var swaps []commerce.ItemSwap
		from, to := strs(a.Args["item_ids"]), strs(a.Args["new_item_ids"])
		for j := range min(len(from), len(to)) {
			swaps = append(swaps, commerce.ItemSwap{From: from[j], To: to[j]})
		}
		var err error
		switch a.Name {
		case "cancel_pending_order":
			_, err = shop.CancelOrder(ctx, key, arg("order_id"), arg("reason"))
		case "modify_pending_order_address":
			_, err = shop.ModifyOrderAddress(ctx, key, arg("order_id"), addr)
		case "modify_pending_order_payment":
			_, err = shop.ModifyOrderPayment(ctx, key, arg("order_id"), arg("payment_method_id"))
		case "modify_pending_order_items":
			_, err = shop.ModifyOrderItems(ctx, key, arg("order_id"), swaps, arg("payment_method_id"))
		case "return_delivered_order_items":
			_, err = shop.ReturnItems(ctx, key, arg("order_id"), from, arg("payment_method_id"))
		case "exchange_delivered_order_items":
			_, err = shop.ExchangeItems(ctx, key, arg("order_id"), swaps, arg("payment_method_id"))
		case "modify_user_address":
			_, err = shop.ModifyCustomerAddress(ctx, key, arg("user_id"), addr)
		case transferAction:
		default:
			return fmt.Errorf("ground truth: %s is no τ² retail action", a.Name)
		}
		if err != nil && !errors.Is(err, commerce.ErrInvalid) && !errors.Is(err, commerce.ErrConflict) && !errors.Is(err, commerce.ErrNotFound) {
			return fmt.Errorf("ground truth %s: %w", a.Name, err)
		}
	}
	return nil
}

// state is a copy's users and orders with every name put back to the original, so that two
// copies compare.
type state struct {
	Users  map[string]userState
	Orders map[string]orderState
}

type userState struct {
	Address  commerce.Address
	Balances map[string]int64 // gift cards and store credit, by original payment-method ID
}

type orderState struct {
	Status       string
	Address      commerce.Address
	Items        []string // item ID @ price, sorted
	Payments     []string // kind amount method, in order
	CancelReason string
	Returns      []string
	Exchanges    map[string]string
}

// readState reads a copy's users and orders from the shop.
func readState(ctx context.Context, shop *pgstore.Store, n *names) (state, error) {
	st := state{Users: map[string]userState{}, Orders: map[string]orderState{}}
	for _, id := range n.users {
		c, err := shop.Customer(ctx, id)
		if err != nil {
			return st, fmt.Errorf("read user %s: %w", id, err)
		}
		us := userState{Address: c.Address, Balances: map[string]int64{}}
		us.Address.Zip = n.unzip(us.Address.Zip)
		for _, pm := range c.PaymentMethods {
			if pm.Balance != nil {
				us.Balances[n.original(pm.ID)] = pm.Balance.Amount
			}
		}
		st.Users[n.original(id)] = us
	}
	for _, id := range n.orders {
		o, err := shop.Order(ctx, id)
		if err != nil {
			return st, fmt.Errorf("read order %s: %w", id, err)
		}
		ost := orderState{Status: o.Status, Address: o.Address, CancelReason: o.CancelReason,
			Returns: slices.Sorted(slices.Values(o.ReturnItemIDs)), Exchanges: o.ExchangeItemIDs}
		ost.Address.Zip = n.unzip(ost.Address.Zip)
		for _, it := range o.Items {
			ost.Items = append(ost.Items, fmt.Sprintf("%s @ %d", it.ItemID, it.Price.Amount))
		}
		slices.Sort(ost.Items)
		for _, p := range o.Payments {
			pm := n.original(p.PaymentMethodID)
			if pm == "" {
				pm = p.PaymentMethodID
			}
			ost.Payments = append(ost.Payments, fmt.Sprintf("%s %d %s", p.Kind, p.Amount.Amount, pm))
		}
		st.Orders[n.original(id)] = ost
	}
	return st, nil
}

// unzip puts a copy's postal code back to the original.
func (n *names) unzip(z string) string {
	for orig, c := range n.zips {
		if z == c {
			return orig
		}
	}
	return z
}

// diff lists how got differs from want, one line per field.
func (want state) diff(got state) []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(want.Users)) {
		w, g := want.Users[id], got.Users[id]
		if w.Address != g.Address {
			out = append(out, fmt.Sprintf("user %s address: want %s, got %s", id, addrString(w.Address), addrString(g.Address)))
		}
		if !maps.Equal(w.Balances, g.Balances) {
			out = append(out, fmt.Sprintf("user %s balances: want %v, got %v", id, w.Balances, g.Balances))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(want.Orders)) {
		w, g := want.Orders[id], got.Orders[id]
		field := func(name string, a, b any) {
			if fmt.Sprint(a) != fmt.Sprint(b) {
				out = append(out, fmt.Sprintf("order %s %s: want %v, got %v", id, name, a, b))
			}
		}
		field("status", w.Status, g.Status)
		field("address", addrString(w.Address), addrString(g.Address))
		field("items", w.Items, g.Items)
		field("payments", w.Payments, g.Payments)
		field("cancel reason", w.CancelReason, g.CancelReason)
		field("returns", w.Returns, g.Returns)
		field("exchanges", w.Exchanges, g.Exchanges)
	}
	return out
}

func addrString(a commerce.Address) string {
	parts := []string{a.Line1, a.Line2, a.City, a.State, a.Zip, a.Country}
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), ", ")
}
