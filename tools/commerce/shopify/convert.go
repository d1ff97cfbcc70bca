package shopify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attache-dev/attache/tools/commerce"
	"github.com/google/uuid"
)

// orderStatus maps Shopify's order state onto the commerce status words:
//
//	cancelledAt set                                   → cancelled
//	returnStatus RETURN_REQUESTED or IN_PROGRESS      → return requested
//	fully fulfilled and every live fulfillment DELIVERED → delivered
//	displayFulfillmentStatus FULFILLED, PARTIALLY_FULFILLED or IN_PROGRESS → processed
//	anything else (UNFULFILLED, ON_HOLD, SCHEDULED, ...) → pending
//
// The financial status (paid, refunded) does not change the word: refunds
// show as transactions.
func orderStatus(o orderNode) string {
	if !o.CancelledAt.IsZero() {
		return commerce.StatusCancelled
	}
	switch o.ReturnStatus {
	case "RETURN_REQUESTED", "IN_PROGRESS":
		return commerce.StatusReturnRequested
	}
	if o.DisplayFulfillmentStatus == "FULFILLED" {
		live, delivered := 0, 0
		for _, f := range o.Fulfillments {
			if f.Status == "CANCELLED" {
				continue
			}
			live++
			if f.DisplayStatus == "DELIVERED" {
				delivered++
			}
		}
		if live > 0 && delivered == live {
			return commerce.StatusDelivered
		}
	}
	switch o.DisplayFulfillmentStatus {
	case "FULFILLED", "PARTIALLY_FULFILLED", "IN_PROGRESS":
		return commerce.StatusProcessed
	}
	return commerce.StatusPending
}

func money(m moneyV2) (commerce.Money, error) {
	f, err := strconv.ParseFloat(m.Amount, 64)
	if err != nil {
		return commerce.Money{}, fmt.Errorf("amount %q: %w", m.Amount, err)
	}
	return commerce.FromDecimal(f, m.CurrencyCode)
}

// decimal writes minor units as the decimal string Shopify's Money scalar takes.
func decimal(m commerce.Money) (string, error) {
	scale, err := commerce.Scale(m.Currency)
	if err != nil {
		return "", err
	}
	neg := m.Amount < 0
	a := m.Amount
	if neg {
		a = -a
	}
	s := strconv.FormatInt(a, 10)
	if scale > 0 {
		if len(s) <= scale {
			s = strings.Repeat("0", scale-len(s)+1) + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s, nil
}

func address(a *mailingAddress) commerce.Address {
	if a == nil {
		return commerce.Address{}
	}
	return commerce.Address{
		Line1: a.Address1, Line2: a.Address2, City: a.City, State: a.ProvinceCode,
		Zip: a.Zip, Country: a.CountryCodeV2,
	}
}

func options(opts []selectedOption) map[string]string {
	if len(opts) == 0 {
		return nil
	}
	m := make(map[string]string, len(opts))
	for _, o := range opts {
		m[o.Name] = o.Value
	}
	return m
}

// itemID is the commerce item ID of a line item: its variant, or the line
// item itself for a custom item without one.
func itemID(li lineItemNode) string {
	if li.Variant != nil && li.Variant.ID != "" {
		return li.Variant.ID
	}
	return li.ID
}

func toOrder(o orderNode) (commerce.Order, error) {
	out := commerce.Order{
		ID:           o.Name,
		Status:       orderStatus(o),
		Address:      address(o.ShippingAddress),
		PlacedAt:     o.CreatedAt,
		CancelReason: cancelReasonText(o),
	}
	if out.ID == "" {
		out.ID = o.ID
	}
	if o.Customer != nil {
		out.CustomerID = o.Customer.ID
	}
	out.Market = out.Address.Country
	for _, g := range o.PaymentGatewayNames {
		if isCOD(g) {
			out.CashOnDelivery = true
		}
	}
	byLine := map[string]string{}
	for _, li := range o.LineItems.Nodes {
		price, err := money(li.UnitPrice.ShopMoney)
		if err != nil {
			return commerce.Order{}, fmt.Errorf("order %s line item %s: %w", o.Name, li.ID, err)
		}
		byLine[li.ID] = itemID(li)
		it := commerce.Item{ItemID: itemID(li), Name: li.Name, Price: price}
		if li.Variant != nil {
			it.Options = options(li.Variant.SelectedOptions)
		}
		if li.Product != nil {
			it.ProductID = li.Product.ID
		}
		for range li.Quantity {
			it.Options = cloneMap(it.Options)
			out.Items = append(out.Items, it)
		}
	}
	for _, f := range o.Fulfillments {
		if f.Status == "CANCELLED" {
			continue
		}
		ff := commerce.Fulfillment{}
		for _, t := range f.TrackingInfo {
			if ff.Carrier == "" {
				ff.Carrier = t.Company
			}
			if t.Number != "" {
				ff.TrackingIDs = append(ff.TrackingIDs, t.Number)
			}
		}
		for _, l := range f.FulfillmentLineItems.Nodes {
			id := byLine[l.LineItem.ID]
			if id == "" {
				id = l.LineItem.ID
			}
			for range l.Quantity {
				ff.ItemIDs = append(ff.ItemIDs, id)
			}
		}
		out.Fulfillments = append(out.Fulfillments, ff)
		if f.DisplayStatus == "DELIVERED" && f.DeliveredAt.After(out.DeliveredAt) {
			out.DeliveredAt = f.DeliveredAt
		}
	}
	if out.Status != commerce.StatusDelivered {
		out.DeliveredAt = time.Time{}
	}
	keys := map[string]string{} // transaction ID → idempotency key of its refund
	for _, r := range o.Refunds {
		if k, _, ok := parseMarker(r.Note); ok {
			for _, t := range r.Transactions.Nodes {
				keys[t.ID] = k
			}
		}
	}
	for _, t := range o.Transactions {
		if t.Status != "SUCCESS" {
			continue
		}
		var kind string
		switch t.Kind {
		case "SALE", "CAPTURE":
			kind = "payment"
		case "REFUND":
			kind = "refund"
		default:
			continue
		}
		amt, err := money(t.AmountSet.ShopMoney)
		if err != nil {
			return commerce.Order{}, fmt.Errorf("order %s transaction %s: %w", o.Name, t.ID, err)
		}
		out.Payments = append(out.Payments, commerce.Transaction{
			Kind: kind, Amount: amt, PaymentMethodID: t.Gateway, Key: keys[t.ID], At: t.ProcessedAt,
		})
	}
	return out, nil
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func isCOD(gateway string) bool {
	g := strings.ToLower(gateway)
	return strings.Contains(g, "cash on delivery") || g == "cod" || strings.Contains(g, "(cod)")
}

// cancelReasonText is the reason the connector wrote into the staff note,
// or Shopify's reason code in lower case.
func cancelReasonText(o orderNode) string {
	if o.CancelledAt.IsZero() {
		return ""
	}
	if o.Cancellation != nil {
		if _, _, ok := parseMarker(o.Cancellation.StaffNote); ok {
			return strings.TrimSpace(markerRe.ReplaceAllString(o.Cancellation.StaffNote, ""))
		}
	}
	return strings.ToLower(o.CancelReason)
}

func toCustomer(c customerNode) commerce.Customer {
	out := commerce.Customer{
		ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Locale: c.Locale,
		Address: address(c.DefaultAddress),
	}
	if c.DefaultEmailAddress != nil {
		out.Email = c.DefaultEmailAddress.EmailAddress
	}
	if c.DefaultPhoneNumber != nil {
		out.Phone = c.DefaultPhoneNumber.PhoneNumber
	}
	out.Market = out.Address.Country
	for _, o := range c.Orders.Nodes {
		id := o.Name
		if id == "" {
			id = o.ID
		}
		out.OrderIDs = append(out.OrderIDs, id)
	}
	return out
}

// The marker the connector writes into refund notes and cancellation staff
// notes: our idempotency key (path-escaped, so it holds no space or bracket)
// and a fingerprint of the request. Shopify shows notes to staff; keys are
// built from workflow and turn IDs and hold no customer data.
var markerRe = regexp.MustCompile(`\[attache key=(\S+) req=([0-9a-f]{16})\]`)

// keyNamespace derives the UUIDs that stand for our idempotency keys in
// Shopify's @idempotent directive: fixed length whatever our key looks
// like, and the same on every retry and in every process.
var keyNamespace = uuid.MustParse("6f0b7c1e-5d1a-4a57-9a55-2f6b7e0c9d3a")

func shopifyKey(key string) string { return uuid.NewSHA1(keyNamespace, []byte(key)).String() }

func marker(key, fingerprint string) string {
	return "[attache key=" + url.PathEscape(key) + " req=" + fingerprint + "]"
}

func parseMarker(note string) (key, fingerprint string, ok bool) {
	m := markerRe.FindStringSubmatch(note)
	if m == nil {
		return "", "", false
	}
	k, err := url.PathUnescape(m[1])
	if err != nil {
		return "", "", false
	}
	return k, m[2], true
}

// findMarker reports whether note carries the marker of key, and whether the
// fingerprint there equals fp.
func findMarker(note, key, fp string) (found, same bool) {
	k, f, ok := parseMarker(note)
	if !ok || k != key {
		return false, false
	}
	return true, f == fp
}

func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func refundFingerprint(orderGID string, r commerce.Refund) string {
	items := slices.Clone(r.ItemIDs)
	slices.Sort(items)
	return fingerprint("refund", orderGID, strconv.FormatInt(r.Amount.Amount, 10), r.Amount.Currency,
		strings.Join(items, ","), r.PaymentMethodID)
}
