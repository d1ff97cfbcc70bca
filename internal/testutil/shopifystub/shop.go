package shopifystub

import (
	"fmt"
	"math/big"
	"strings"
	"time"
)

// MailingAddress is a postal address as Shopify stores it.
type MailingAddress struct {
	Address1, Address2, City, ProvinceCode, Zip string
	CountryCode                                 string // ISO 3166-1 alpha-2, Shopify's countryCodeV2
}

// Customer is a shop customer. ID is assigned when empty.
type Customer struct {
	ID        string // gid://shopify/Customer/<n>
	FirstName string
	LastName  string
	Email     string
	Phone     string
	Locale    string
	Address   *MailingAddress // the default address
}

// SelectedOption is one selected product option ("Color" = "Red").
type SelectedOption struct{ Name, Value string }

// Variant is a purchasable product variant.
type Variant struct {
	ID        string // gid://shopify/ProductVariant/<n>
	Price     string // decimal in the shop currency, "49.99"
	Available bool
	Options   []SelectedOption
}

// Product is a product with its variants.
type Product struct {
	ID       string // gid://shopify/Product/<n>
	Title    string
	Variants []Variant
}

// LineItem is one line of an order.
type LineItem struct {
	ID        string // gid://shopify/LineItem/<n>
	Name      string
	ProductID string
	VariantID string
	Options   []SelectedOption
	Quantity  int
	UnitPrice string // decimal, after discounts
}

// FulfillmentLine says how many units of a line item a fulfillment carries.
type FulfillmentLine struct {
	LineItemID string
	Quantity   int
}

// Fulfillment is a shipment of some of an order's line items.
type Fulfillment struct {
	ID     string // gid://shopify/Fulfillment/<n>
	Status string // FulfillmentStatus: SUCCESS (default), CANCELLED, ...
	// DisplayStatus is FulfillmentDisplayStatus: IN_TRANSIT, DELIVERED,
	// OUT_FOR_DELIVERY, FULFILLED, ...; default FULFILLED.
	DisplayStatus       string
	TrackingCompany     string
	TrackingNumbers     []string
	CreatedAt           time.Time
	UpdatedAt           time.Time
	InTransitAt         time.Time
	DeliveredAt         time.Time
	EstimatedDeliveryAt time.Time
	Lines               []FulfillmentLine // empty: every line item in full
}

// Transaction is a movement of money on an order.
type Transaction struct {
	ID          string // gid://shopify/OrderTransaction/<n>
	Kind        string // OrderTransactionKind: SALE, CAPTURE, AUTHORIZATION, REFUND, ...
	Status      string // OrderTransactionStatus: SUCCESS (default), PENDING, FAILURE, ...
	Gateway     string
	Amount      string // decimal in the shop currency
	ParentID    string
	ProcessedAt time.Time
}

// RefundLine is one refunded line item quantity.
type RefundLine struct {
	LineItemID string
	Quantity   int
}

// Refund is a refund on an order.
type Refund struct {
	ID             string // gid://shopify/Refund/<n>
	Note           string
	CreatedAt      time.Time
	TransactionIDs []string
	Lines          []RefundLine
}

// Order is an order. Its financial and fulfillment display statuses are
// derived from its transactions and fulfillments, as Shopify derives them,
// unless FulfillmentStatus is set.
type Order struct {
	ID         string // gid://shopify/Order/<n>
	Name       string // "#1001"; assigned when empty
	CustomerID string
	Currency   string // shop currency; presentment is the same unless PresentmentCurrency is set
	// PresentmentCurrency is the currency the customer saw, when it differs.
	PresentmentCurrency string
	CreatedAt           time.Time
	CancelledAt         time.Time
	CancelReason        string // OrderCancelReason
	CancelStaffNote     string
	Restocked           bool // the cancellation asked to restock
	// FulfillmentStatus overrides the derived displayFulfillmentStatus
	// (ON_HOLD, IN_PROGRESS, ...).
	FulfillmentStatus string
	ReturnStatus      string // OrderReturnStatus; default NO_RETURN
	ShippingAddress   *MailingAddress
	LineItems         []LineItem
	Fulfillments      []Fulfillment
	Transactions      []Transaction
	Refunds           []Refund
	Gateways          []string // paymentGatewayNames; derived from transactions when empty
}

// AddCustomer stores c and returns its ID.
func (s *Server) AddCustomer(c Customer) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == "" {
		c.ID = s.gid("Customer")
	}
	if c.Address != nil {
		a := *c.Address
		c.Address = &a
	}
	s.customers[c.ID] = &c
	s.customerOrder = append(s.customerOrder, c.ID)
	return c.ID
}

// AddProduct stores p and returns its ID; empty variant IDs are assigned.
func (s *Server) AddProduct(p Product) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == "" {
		p.ID = s.gid("Product")
	}
	p.Variants = append([]Variant(nil), p.Variants...)
	for i := range p.Variants {
		if p.Variants[i].ID == "" {
			p.Variants[i].ID = s.gid("ProductVariant")
		}
	}
	s.products[p.ID] = &p
	return p.ID
}

// AddOrder stores o and returns its ID; empty IDs of the order and of its
// line items, fulfillments, transactions and refunds are assigned.
func (s *Server) AddOrder(o Order) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o = cloneOrder(o)
	if o.ID == "" {
		o.ID = s.gid("Order")
	}
	if o.Name == "" {
		s.orderNumber++
		o.Name = fmt.Sprintf("#%d", s.orderNumber)
	}
	if o.Currency == "" {
		o.Currency = s.currency
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.now()
	}
	for i := range o.LineItems {
		if o.LineItems[i].ID == "" {
			o.LineItems[i].ID = s.gid("LineItem")
		}
	}
	for i := range o.Fulfillments {
		f := &o.Fulfillments[i]
		if f.ID == "" {
			f.ID = s.gid("Fulfillment")
		}
		if f.Status == "" {
			f.Status = "SUCCESS"
		}
		if f.DisplayStatus == "" {
			f.DisplayStatus = "FULFILLED"
		}
		if f.CreatedAt.IsZero() {
			f.CreatedAt = o.CreatedAt
		}
		if f.UpdatedAt.IsZero() {
			f.UpdatedAt = f.CreatedAt
		}
		if len(f.Lines) == 0 {
			for _, li := range o.LineItems {
				f.Lines = append(f.Lines, FulfillmentLine{LineItemID: li.ID, Quantity: li.Quantity})
			}
		}
	}
	for i := range o.Transactions {
		t := &o.Transactions[i]
		if t.ID == "" {
			t.ID = s.gid("OrderTransaction")
		}
		if t.Status == "" {
			t.Status = "SUCCESS"
		}
		if t.ProcessedAt.IsZero() {
			t.ProcessedAt = o.CreatedAt
		}
	}
	for i := range o.Refunds {
		if o.Refunds[i].ID == "" {
			o.Refunds[i].ID = s.gid("Refund")
		}
	}
	s.orders[o.ID] = &o
	s.orderSeq = append(s.orderSeq, o.ID)
	return o.ID
}

// Order returns a copy of the stored order with that ID or name ("#1001").
func (s *Server) Order(idOrName string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.findOrder(idOrName)
	if o == nil {
		return Order{}, false
	}
	return cloneOrder(*o), true
}

// Customer returns a copy of the stored customer.
func (s *Server) Customer(id string) (Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[id]
	if !ok {
		return Customer{}, false
	}
	cp := *c
	return cp, true
}

func (s *Server) findOrder(idOrName string) *Order {
	if o, ok := s.orders[idOrName]; ok {
		return o
	}
	for _, id := range s.orderSeq {
		if o := s.orders[id]; o.Name == idOrName {
			return o
		}
	}
	return nil
}

func (s *Server) gid(kind string) string {
	s.seq++
	return fmt.Sprintf("gid://shopify/%s/%d", kind, 1000+s.seq)
}

func cloneOrder(o Order) Order {
	if o.ShippingAddress != nil {
		a := *o.ShippingAddress
		o.ShippingAddress = &a
	}
	o.LineItems = append([]LineItem(nil), o.LineItems...)
	o.Fulfillments = append([]Fulfillment(nil), o.Fulfillments...)
	for i := range o.Fulfillments {
		o.Fulfillments[i].Lines = append([]FulfillmentLine(nil), o.Fulfillments[i].Lines...)
		o.Fulfillments[i].TrackingNumbers = append([]string(nil), o.Fulfillments[i].TrackingNumbers...)
	}
	o.Transactions = append([]Transaction(nil), o.Transactions...)
	o.Refunds = append([]Refund(nil), o.Refunds...)
	for i := range o.Refunds {
		o.Refunds[i].Lines = append([]RefundLine(nil), o.Refunds[i].Lines...)
		o.Refunds[i].TransactionIDs = append([]string(nil), o.Refunds[i].TransactionIDs...)
	}
	o.Gateways = append([]string(nil), o.Gateways...)
	return o
}

// dec parses a Shopify decimal string; an unparsable one counts as zero.
func dec(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		return new(big.Rat)
	}
	return r
}

func fmtDec(r *big.Rat) string { return r.FloatString(2) }

// money sums the order's successful transactions of the given kinds.
func (o *Order) sum(kinds ...string) *big.Rat {
	total := new(big.Rat)
	for _, t := range o.Transactions {
		if t.Status != "SUCCESS" {
			continue
		}
		for _, k := range kinds {
			if t.Kind == k {
				total.Add(total, dec(t.Amount))
			}
		}
	}
	return total
}

func (o *Order) total() *big.Rat {
	total := new(big.Rat)
	for _, li := range o.LineItems {
		total.Add(total, new(big.Rat).Mul(dec(li.UnitPrice), big.NewRat(int64(li.Quantity), 1)))
	}
	return total
}

// financialStatus derives OrderDisplayFinancialStatus.
func (o *Order) financialStatus() string {
	paid := o.sum("SALE", "CAPTURE")
	refunded := o.sum("REFUND")
	zero := new(big.Rat)
	switch {
	case paid.Cmp(zero) > 0 && refunded.Cmp(paid) >= 0:
		return "REFUNDED"
	case refunded.Cmp(zero) > 0:
		return "PARTIALLY_REFUNDED"
	case paid.Cmp(zero) > 0 && paid.Cmp(o.total()) >= 0:
		return "PAID"
	case paid.Cmp(zero) > 0:
		return "PARTIALLY_PAID"
	case o.sum("AUTHORIZATION").Cmp(zero) > 0:
		return "AUTHORIZED"
	}
	return "PENDING"
}

// fulfillmentStatus derives OrderDisplayFulfillmentStatus.
func (o *Order) fulfillmentStatus() string {
	if o.FulfillmentStatus != "" {
		return o.FulfillmentStatus
	}
	shipped := map[string]int{}
	for _, f := range o.Fulfillments {
		if f.Status == "CANCELLED" {
			continue
		}
		for _, l := range f.Lines {
			shipped[l.LineItemID] += l.Quantity
		}
	}
	if len(shipped) == 0 {
		return "UNFULFILLED"
	}
	for _, li := range o.LineItems {
		if shipped[li.ID] < li.Quantity {
			return "PARTIALLY_FULFILLED"
		}
	}
	return "FULFILLED"
}

func (o *Order) refundedQuantity(lineItemID string) int {
	n := 0
	for _, r := range o.Refunds {
		for _, l := range r.Lines {
			if l.LineItemID == lineItemID {
				n += l.Quantity
			}
		}
	}
	return n
}

func (o *Order) gateways() []string {
	if len(o.Gateways) > 0 {
		return o.Gateways
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range o.Transactions {
		if t.Gateway != "" && !seen[t.Gateway] {
			seen[t.Gateway] = true
			out = append(out, t.Gateway)
		}
	}
	return out
}

func (o *Order) transaction(id string) *Transaction {
	for i := range o.Transactions {
		if o.Transactions[i].ID == id {
			return &o.Transactions[i]
		}
	}
	return nil
}

// Product returns a copy of the stored product.
func (s *Server) Product(id string) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[id]
	if !ok {
		return Product{}, false
	}
	cp := *p
	cp.Variants = append([]Variant(nil), p.Variants...)
	return cp, true
}
