package shopify

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/attache-dev/attache/tools/commerce"
)

var (
	_ commerce.Connector = (*Client)(nil)

	digitsRe = regexp.MustCompile(`^[0-9]+$`)
	gidRe    = regexp.MustCompile(`^gid://shopify/([A-Za-z]+)/[0-9]+$`)
)

// gid turns a numeric ID or a global ID of the given kind into a global ID;
// "" when id is neither.
func gid(kind, id string) string {
	id = strings.TrimSpace(id)
	if digitsRe.MatchString(id) {
		return "gid://shopify/" + kind + "/" + id
	}
	if m := gidRe.FindStringSubmatch(id); m != nil && m[1] == kind {
		return id
	}
	return ""
}

// searchValue quotes a value for Shopify's search syntax, dropping the
// characters that would end the quoted term.
func searchValue(v string) string {
	v = strings.NewReplacer(`"`, "", `\`, "").Replace(strings.TrimSpace(v))
	return `"` + v + `"`
}

// FindCustomer finds a customer by email, by phone, or by first and last
// name and postal code (Shopify's customer search has no postal-code term;
// the code is compared with the default address here). Only exact matches
// count; when several match, the first Shopify returns wins.
func (c *Client) FindCustomer(ctx context.Context, q commerce.CustomerQuery) (commerce.Customer, error) {
	var terms []string
	switch {
	case q.Email != "":
		terms = append(terms, "email:"+searchValue(q.Email))
	case q.Phone != "":
		terms = append(terms, "phone:"+searchValue(q.Phone))
	case q.FirstName != "" && q.LastName != "":
		terms = append(terms, "first_name:"+searchValue(q.FirstName), "last_name:"+searchValue(q.LastName))
	default:
		return commerce.Customer{}, fmt.Errorf("find customer: need an email, a phone, or a first and last name: %w", commerce.ErrInvalid)
	}
	var data struct {
		Customers struct {
			Nodes []customerNode `json:"nodes"`
		} `json:"customers"`
	}
	if err := c.do(ctx, "FindCustomers", queryFindCustomers, map[string]any{"query": strings.Join(terms, " ")}, &data); err != nil {
		return commerce.Customer{}, fmt.Errorf("find customer: %w", err)
	}
	// Shopify's search is loose (prefixes, tokens); only an exact match counts.
	for _, n := range data.Customers.Nodes {
		cu := toCustomer(n)
		switch {
		case q.Email != "":
			if !strings.EqualFold(strings.TrimSpace(cu.Email), strings.TrimSpace(q.Email)) {
				continue
			}
		case q.Phone != "":
			if digits(cu.Phone) == "" || digits(cu.Phone) != digits(q.Phone) {
				continue
			}
		default:
			if !strings.EqualFold(cu.FirstName, strings.TrimSpace(q.FirstName)) || !strings.EqualFold(cu.LastName, strings.TrimSpace(q.LastName)) {
				continue
			}
			if q.Zip != "" && !sameZip(n.DefaultAddress, q.Zip) {
				continue
			}
		}
		return cu, nil
	}
	return commerce.Customer{}, fmt.Errorf("find customer: %w", commerce.ErrNotFound)
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func sameZip(a *mailingAddress, zip string) bool {
	norm := func(s string) string { return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", "")) }
	return a != nil && norm(a.Zip) == norm(zip)
}

// Customer reads a customer by numeric or global ID.
func (c *Client) Customer(ctx context.Context, id string) (commerce.Customer, error) {
	g := gid("Customer", id)
	if g == "" {
		return commerce.Customer{}, fmt.Errorf("customer %q: %w", id, commerce.ErrNotFound)
	}
	var data struct {
		Customer *customerNode `json:"customer"`
	}
	if err := c.do(ctx, "Customer", queryCustomer, map[string]any{"id": g}, &data); err != nil {
		return commerce.Customer{}, fmt.Errorf("customer %s: %w", id, err)
	}
	if data.Customer == nil {
		return commerce.Customer{}, fmt.Errorf("customer %s: %w", id, commerce.ErrNotFound)
	}
	return toCustomer(*data.Customer), nil
}

// Order reads an order by its name ("#1001", what the customer sees and
// what Order.ID holds), its numeric ID or its global ID.
func (c *Client) Order(ctx context.Context, id string) (commerce.Order, error) {
	n, err := c.fetchOrder(ctx, id)
	if err != nil {
		return commerce.Order{}, err
	}
	o, err := toOrder(n)
	if err != nil {
		return commerce.Order{}, fmt.Errorf("order %s: %w", id, err)
	}
	return o, nil
}

// fetchOrder reads the order with all its line items and remembers its
// tracking numbers for Parcel.
func (c *Client) fetchOrder(ctx context.Context, id string) (orderNode, error) {
	var n *orderNode
	if g := gid("Order", id); g != "" {
		var data struct {
			Order *orderNode `json:"order"`
		}
		if err := c.do(ctx, "Order", queryOrder, map[string]any{"id": g}, &data); err != nil {
			return orderNode{}, fmt.Errorf("order %s: %w", id, err)
		}
		n = data.Order
	} else {
		name := strings.TrimSpace(id)
		if name == "" {
			return orderNode{}, fmt.Errorf("order: empty ID: %w", commerce.ErrNotFound)
		}
		var data struct {
			Orders struct {
				Nodes []orderNode `json:"nodes"`
			} `json:"orders"`
		}
		if err := c.do(ctx, "OrderByName", queryOrderByName, map[string]any{"query": "name:" + searchValue(name)}, &data); err != nil {
			return orderNode{}, fmt.Errorf("order %s: %w", id, err)
		}
		for i := range data.Orders.Nodes {
			if strings.EqualFold(data.Orders.Nodes[i].Name, name) {
				n = &data.Orders.Nodes[i]
				break
			}
		}
	}
	if n == nil {
		return orderNode{}, fmt.Errorf("order %s: %w", id, commerce.ErrNotFound)
	}
	if err := c.moreLineItems(ctx, n); err != nil {
		return orderNode{}, err
	}
	c.remember(*n)
	return *n, nil
}

// moreLineItems follows the lineItems connection past its first page.
func (c *Client) moreLineItems(ctx context.Context, n *orderNode) error {
	for page := n.LineItems.PageInfo; page.HasNextPage; {
		var data struct {
			Order *struct {
				LineItems lineItemConnection `json:"lineItems"`
			} `json:"order"`
		}
		if err := c.do(ctx, "OrderLineItems", queryOrderLineItems, map[string]any{"id": n.ID, "after": page.EndCursor}, &data); err != nil {
			return fmt.Errorf("order %s line items: %w", n.Name, err)
		}
		if data.Order == nil {
			return fmt.Errorf("order %s line items: %w", n.Name, commerce.ErrNotFound)
		}
		n.LineItems.Nodes = append(n.LineItems.Nodes, data.Order.LineItems.Nodes...)
		if data.Order.LineItems.PageInfo.EndCursor == page.EndCursor {
			break // no progress: do not loop forever on a broken cursor
		}
		page = data.Order.LineItems.PageInfo
	}
	return nil
}

// maxTracked bounds the tracking-number memory.
const maxTracked = 10000

func (c *Client) remember(n orderNode) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range n.Fulfillments {
		for _, t := range f.TrackingInfo {
			if t.Number == "" {
				continue
			}
			if len(c.tracking) >= maxTracked {
				clear(c.tracking)
			}
			c.tracking[t.Number] = n.ID
		}
	}
}

// Product reads a product and its variants, priced in the shop currency.
func (c *Client) Product(ctx context.Context, id string) (commerce.Product, error) {
	g := gid("Product", id)
	if g == "" {
		return commerce.Product{}, fmt.Errorf("product %q: %w", id, commerce.ErrNotFound)
	}
	var data struct {
		Shop struct {
			CurrencyCode string `json:"currencyCode"`
		} `json:"shop"`
		Product *productNode `json:"product"`
	}
	if err := c.do(ctx, "Product", queryProduct, map[string]any{"id": g}, &data); err != nil {
		return commerce.Product{}, fmt.Errorf("product %s: %w", id, err)
	}
	if data.Product == nil {
		return commerce.Product{}, fmt.Errorf("product %s: %w", id, commerce.ErrNotFound)
	}
	p := commerce.Product{ID: data.Product.ID, Name: data.Product.Title}
	for _, v := range data.Product.Variants.Nodes {
		price, err := money(moneyV2{Amount: v.Price, CurrencyCode: data.Shop.CurrencyCode})
		if err != nil {
			return commerce.Product{}, fmt.Errorf("product %s variant %s: %w", id, v.ID, err)
		}
		p.Variants = append(p.Variants, commerce.Variant{
			ItemID: v.ID, Options: options(v.SelectedOptions), Available: v.AvailableForSale, Price: price,
		})
	}
	return p, nil
}

// Parcel is what Shopify knows of a tracking number: the carrier, the
// estimated delivery, and one event holding the fulfillment's latest
// displayStatus (Shopify does not pass on the carrier's scan history).
//
// Shopify cannot look a fulfillment up by tracking number, so Parcel knows
// the tracking numbers of orders this Client has read; for others it
// returns ErrNotFound. OrderParcel takes the order too and always works.
func (c *Client) Parcel(ctx context.Context, trackingID string) (commerce.Parcel, error) {
	c.mu.Lock()
	orderID := c.tracking[trackingID]
	c.mu.Unlock()
	if orderID == "" {
		return commerce.Parcel{}, fmt.Errorf("parcel %s: not on an order read through this connector: %w", trackingID, commerce.ErrNotFound)
	}
	return c.OrderParcel(ctx, orderID, trackingID)
}

// OrderParcel is Parcel for a tracking number of a known order.
func (c *Client) OrderParcel(ctx context.Context, orderID, trackingID string) (commerce.Parcel, error) {
	n, err := c.fetchOrder(ctx, orderID)
	if err != nil {
		return commerce.Parcel{}, fmt.Errorf("parcel %s: %w", trackingID, err)
	}
	for _, f := range n.Fulfillments {
		for _, t := range f.TrackingInfo {
			if t.Number == trackingID {
				return toParcel(f, t.Company, t.Number), nil
			}
		}
	}
	return commerce.Parcel{}, fmt.Errorf("parcel %s on order %s: %w", trackingID, orderID, commerce.ErrNotFound)
}

func toParcel(f fulfillmentNode, company, number string) commerce.Parcel {
	p := commerce.Parcel{TrackingID: number, Carrier: company, ETA: f.EstimatedDeliveryAt}
	at := f.UpdatedAt
	switch {
	case f.DisplayStatus == "DELIVERED" && !f.DeliveredAt.IsZero():
		at = f.DeliveredAt
	case f.DisplayStatus == "IN_TRANSIT" && !f.InTransitAt.IsZero():
		at = f.InTransitAt
	case at.IsZero():
		at = f.CreatedAt
	}
	if f.DisplayStatus != "" {
		p.Events = []commerce.CarrierEvent{{At: at, Carrier: company, Code: f.DisplayStatus}}
	}
	if f.DisplayStatus == "DELIVERED" {
		p.ETA = time.Time{}
	}
	return p
}
