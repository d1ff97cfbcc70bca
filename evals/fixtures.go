package evals

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/demo"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
)

// Fixtures is the shop a case starts from. Every attempt gets its own copy: order IDs,
// e-mail addresses, phone numbers, customer, payment-method and tracking IDs get the
// attempt's tag, and the same rewrite is applied to the case's turns and expectations —
// so "DE-10004" in a case is "DE-10004-Q482913" in its attempt, attempts run in parallel,
// and a refund in one never shows in another. Products are shared.
type Fixtures struct {
	// Demo copies the demo shop's customer and orders of these markets ("all": every market).
	Demo []string `yaml:"demo"`
	// Orders adds orders made like a demo order, with changes.
	Orders []OrderFixture `yaml:"orders"`
}

// OrderFixture is an order copied from a demo order with some fields changed.
type OrderFixture struct {
	ID   string `yaml:"id"`   // the new order's ID (before the attempt's tag)
	Like string `yaml:"like"` // the demo order it copies (its customer comes along)
	// Status replaces the copy's status.
	Status string `yaml:"status"`
	// PlacedDaysAgo and DeliveredDaysAgo move its dates (a return window closes, say).
	PlacedDaysAgo    *float64 `yaml:"placed_days_ago"`
	DeliveredDaysAgo *float64 `yaml:"delivered_days_ago"`
	// CashOnDelivery replaces whether it is paid at the door.
	CashOnDelivery *bool `yaml:"cash_on_delivery"`
}

var orderStatuses = []string{commerce.StatusPending, commerce.StatusPendingModified, commerce.StatusProcessed,
	commerce.StatusDelivered, commerce.StatusCancelled, commerce.StatusReturnRequested, commerce.StatusExchangeRequested}

func (f Fixtures) check() error {
	known := demoMarkets()
	for _, m := range f.Demo {
		if m != "all" && !slices.Contains(known, m) {
			return fmt.Errorf("demo: %q is not a demo market (%s, or all)", m, strings.Join(known, " "))
		}
	}
	orders := demoOrders(time.Now())
	for i, o := range f.Orders {
		switch {
		case !idRE.MatchString(o.ID):
			return fmt.Errorf("orders[%d].id: %q: letters, digits and '-' required", i+1, o.ID)
		case o.Like == "":
			return fmt.Errorf("orders[%d].like: the demo order to copy is required", i+1)
		case orders[o.Like] == nil:
			return fmt.Errorf("orders[%d].like: %q is not a demo order", i+1, o.Like)
		case o.Status != "" && !slices.Contains(orderStatuses, o.Status):
			return fmt.Errorf("orders[%d].status: %q: want one of %s", i+1, o.Status, strings.Join(orderStatuses, ", "))
		}
	}
	return nil
}

// merge is the set's fixtures with the case's added.
func (f Fixtures) merge(g Fixtures) Fixtures {
	return Fixtures{Demo: append(slices.Clone(f.Demo), g.Demo...), Orders: append(slices.Clone(f.Orders), g.Orders...)}
}

func (f Fixtures) empty() bool { return len(f.Demo) == 0 && len(f.Orders) == 0 }

func demoMarkets() []string {
	var out []string
	for _, c := range demo.Data(time.Now()).Customers {
		out = append(out, c.Market)
	}
	return out
}

func demoOrders(now time.Time) map[string]*commerce.Order {
	d := demo.Data(now)
	out := map[string]*commerce.Order{}
	for i := range d.Orders {
		out[d.Orders[i].ID] = &d.Orders[i]
	}
	return out
}

// Shop is an attempt's copy of the fixtures and the rewrite that goes with it.
type Shop struct {
	Data pgstore.Data
	// Rewrite maps the fixtures' names (order IDs, e-mails...) to the attempt's.
	Rewrite *Rewriter
	// OrderIDs are the attempt's order IDs, for reading the final state.
	OrderIDs []string
}

// Build makes the attempt's copy of the fixtures; tag, unique to the attempt, is an
// upper-case letter and digits: with the letter, "FR-10002-Q274214" reads as no French VAT
// number. Phone and tracking numbers take its digits.
func (f Fixtures) Build(now time.Time, tag string) (Shop, error) {
	if f.empty() {
		return Shop{Rewrite: &Rewriter{}}, nil
	}
	if !tagRE.MatchString(tag) {
		return Shop{}, errors.New("fixtures: the attempt tag must be an upper-case letter and digits")
	}
	num := tag[1:]
	full := demo.Data(now)
	markets := map[string]bool{}
	for _, m := range f.Demo {
		markets[m] = true
	}
	byID := map[string]commerce.Order{}
	for _, o := range full.Orders {
		byID[o.ID] = o
	}
	var extra []commerce.Order
	for _, of := range f.Orders {
		base, ok := byID[of.Like]
		if !ok {
			return Shop{}, fmt.Errorf("fixtures: %q is not a demo order", of.Like)
		}
		markets[base.Market] = true
		extra = append(extra, of.apply(base, now))
	}

	var d pgstore.Data
	d.Products = full.Products
	var pairs []string
	pair := func(from, to string) { pairs = append(pairs, from, to) }
	suffix := "-" + tag
	for _, c := range full.Customers {
		if !markets["all"] && !markets[c.Market] {
			continue
		}
		nc := c
		nc.ID = c.ID + suffix
		pair(c.ID, nc.ID)
		if at := strings.LastIndexByte(c.Email, '@'); at > 0 {
			nc.Email = c.Email[:at] + "+" + tag + c.Email[at:]
			pair(c.Email, nc.Email)
		}
		if len(c.Phone) > len(num)+4 {
			nc.Phone = c.Phone[:len(c.Phone)-len(num)] + num
			pair(c.Phone, nc.Phone)
		}
		nc.PaymentMethods = slices.Clone(c.PaymentMethods)
		for i, pm := range nc.PaymentMethods {
			nc.PaymentMethods[i].ID = pm.ID + suffix
			pair(pm.ID, nc.PaymentMethods[i].ID)
		}
		nc.OrderIDs = nil
		for _, id := range c.OrderIDs {
			nc.OrderIDs = append(nc.OrderIDs, id+suffix)
		}
		for _, o := range extra {
			if o.CustomerID == c.ID {
				nc.OrderIDs = append(nc.OrderIDs, o.ID+suffix)
			}
		}
		d.Customers = append(d.Customers, nc)
	}
	parcels := map[string]commerce.Parcel{}
	for _, p := range full.Parcels {
		parcels[p.TrackingID] = p
	}
	var shop Shop
	copyOrder := func(o commerce.Order, trackingSuffix string) {
		no := o
		no.ID = o.ID + suffix
		no.CustomerID = o.CustomerID + suffix
		shop.OrderIDs = append(shop.OrderIDs, no.ID)
		pair(o.ID, no.ID)
		no.Payments = slices.Clone(o.Payments)
		for i := range no.Payments {
			if no.Payments[i].PaymentMethodID != "" {
				no.Payments[i].PaymentMethodID += suffix
			}
		}
		no.Fulfillments = slices.Clone(o.Fulfillments)
		for i, fl := range no.Fulfillments {
			ids := make([]string, len(fl.TrackingIDs))
			for j, t := range fl.TrackingIDs {
				ids[j] = t + trackingSuffix + num
				pair(t+trackingSuffix, ids[j])
				if p, ok := parcels[t]; ok {
					p.TrackingID = ids[j]
					d.Parcels = append(d.Parcels, p)
				}
			}
			no.Fulfillments[i].TrackingIDs = ids
		}
		d.Orders = append(d.Orders, no)
	}
	for _, o := range full.Orders {
		if markets["all"] || markets[o.Market] {
			copyOrder(o, "")
		}
	}
	for _, o := range extra {
		// A copied order's parcels get tracking IDs of their own: the order's digits.
		copyOrder(o, digits(o.ID))
	}
	shop.Data = d
	shop.Rewrite = newRewriter(pairs)
	return shop, nil
}

// apply makes the fixture's order from the demo order it copies.
func (of OrderFixture) apply(base commerce.Order, now time.Time) commerce.Order {
	o := base
	o.ID = of.ID
	if of.Status != "" {
		o.Status = of.Status
	}
	if of.PlacedDaysAgo != nil {
		o.PlacedAt = now.Add(-time.Duration(*of.PlacedDaysAgo * float64(24*time.Hour))).Truncate(time.Minute)
		for i := range o.Payments {
			if o.Payments[i].Kind == "payment" {
				o.Payments[i].At = o.PlacedAt
			}
		}
	}
	if of.DeliveredDaysAgo != nil {
		o.DeliveredAt = now.Add(-time.Duration(*of.DeliveredDaysAgo * float64(24*time.Hour))).Truncate(time.Minute)
	}
	if of.CashOnDelivery != nil {
		o.CashOnDelivery = *of.CashOnDelivery
	}
	// Tracking IDs are rewritten by Build; the copy keeps the demo's until then.
	o.Fulfillments = slices.Clone(base.Fulfillments)
	for i := range o.Fulfillments {
		o.Fulfillments[i].TrackingIDs = slices.Clone(base.Fulfillments[i].TrackingIDs)
	}
	return o
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

var tagRE = regexp.MustCompile(`^[A-Z][0-9]{3,}$`)

// Rewriter renames the fixtures' names in a text: whole names only, so "DE-100011" is not
// "DE-10001" with a "1" after it; longer names win.
type Rewriter struct {
	re *regexp.Regexp
	to map[string]string
}

func newRewriter(pairs []string) *Rewriter {
	to := map[string]string{}
	var names []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if _, ok := to[pairs[i]]; !ok && pairs[i] != "" {
			to[pairs[i]] = pairs[i+1]
			names = append(names, pairs[i])
		}
	}
	if len(names) == 0 {
		return &Rewriter{}
	}
	slices.SortStableFunc(names, func(a, b string) int { return len(b) - len(a) })
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return &Rewriter{re: regexp.MustCompile(strings.Join(quoted, "|")), to: to}
}

// Replace returns s with every whole name renamed.
func (r *Rewriter) Replace(s string) string {
	if r == nil || r.re == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range r.re.FindAllStringIndex(s, -1) {
		before, _ := utf8.DecodeLastRuneInString(s[:m[0]])
		after, _ := utf8.DecodeRuneInString(s[m[1]:])
		if m[0] > 0 && isNameRune(before) || m[1] < len(s) && isNameRune(after) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(r.to[s[m[0]:m[1]]])
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// isNameRune: a rune that would continue a name. Names are Latin letters and digits; a
// Japanese or Thai letter right after one ("JP-10002の") does not continue it.
func isNameRune(r rune) bool { return unicode.Is(unicode.Latin, r) || unicode.IsDigit(r) }

// parseMajor parses an amount in major units ("12.50") into minor units with scale digits.
func parseMajor(s string, scale int) (int64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q: an amount like 12.50 is required", s)
	}
	return int64(math.Round(v * math.Pow10(scale))), nil
}

// rewrite applies the attempt's names to a case.
func (c Case) rewrite(r *Rewriter) Case {
	out := c
	out.Customer.Email = r.Replace(c.Customer.Email)
	out.Turns = make([]Turn, len(c.Turns))
	for i, t := range c.Turns {
		out.Turns[i] = t
		out.Turns[i].Text = r.Replace(t.Text)
		if t.Expect != nil {
			e := t.Expect.rewrite(r)
			out.Turns[i].Expect = &e
		}
	}
	out.Expect = c.Expect.rewrite(r)
	return out
}

func (e Expect) rewrite(r *Rewriter) Expect {
	out := e
	out.Tools = make([]ToolExpect, len(e.Tools))
	for i, t := range e.Tools {
		out.Tools[i] = t
		out.Tools[i].Args = rewriteAny(t.Args, r).(map[string]any)
	}
	out.Orders = make([]OrderExpect, len(e.Orders))
	for i, o := range e.Orders {
		out.Orders[i] = o
		out.Orders[i].ID = r.Replace(o.ID)
	}
	out.ReplyContains = make([]Needle, len(e.ReplyContains))
	for i, n := range e.ReplyContains {
		out.ReplyContains[i] = make(Needle, len(n))
		for j, s := range n {
			out.ReplyContains[i][j] = r.Replace(s)
		}
	}
	out.ReplyNotContains = make([]string, len(e.ReplyNotContains))
	for i, s := range e.ReplyNotContains {
		out.ReplyNotContains[i] = r.Replace(s)
	}
	return out
}

func rewriteAny(v any, r *Rewriter) any {
	switch x := v.(type) {
	case nil:
		return map[string]any(nil)
	case string:
		return r.Replace(x)
	case map[string]any:
		if x == nil {
			return x
		}
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = rewriteAny(val, r)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = rewriteAny(val, r)
		}
		return out
	}
	return v
}
