package shopifystub

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// keyRecord is what Shopify keeps for an @idempotent key.
type keyRecord struct {
	fingerprint string
	refundID    string
	orderID     string
	failed      bool
	at          time.Time
}

type job struct {
	id, orderID, reason, staffNote string
	refund, restock                bool
	remaining                      int
	done                           bool
}

// lineItemPage is how many line items one page of an order's lineItems
// connection holds.
const lineItemPage = 100

var gidRe = regexp.MustCompile(`^gid://shopify/([A-Za-z]+)/[0-9]+$`)

// execute runs one operation with s.mu held and returns data and top-level errors.
func (s *Server) execute(op, key string, req gqlRequest) (map[string]any, []map[string]any) {
	v := req.Variables
	str := func(name string) string { x, _ := v[name].(string); return x }
	checkID := func(name, kind string) []map[string]any {
		m := gidRe.FindStringSubmatch(str(name))
		if m == nil || m[1] != kind {
			return []map[string]any{gqlError(fmt.Sprintf("Variable $%s of type ID! was provided invalid value", name), "INVALID_VARIABLE")}
		}
		return nil
	}
	switch op {
	case "FindCustomers":
		var nodes []any
		for _, id := range s.customerOrder {
			if c := s.customers[id]; matchCustomer(c, str("query")) {
				nodes = append(nodes, s.renderCustomer(c))
			}
		}
		return map[string]any{"customers": map[string]any{"nodes": orEmpty(nodes)}}, nil
	case "Customer":
		if e := checkID("id", "Customer"); e != nil {
			return nil, e
		}
		var out any
		if c, ok := s.customers[str("id")]; ok {
			out = s.renderCustomer(c)
		}
		return map[string]any{"customer": out}, nil
	case "Order":
		if e := checkID("id", "Order"); e != nil {
			return nil, e
		}
		var out any
		if o, ok := s.orders[str("id")]; ok {
			out = s.renderOrder(o)
		}
		return map[string]any{"order": out}, nil
	case "OrderByName":
		name := searchTerms(str("query"))["name"]
		var nodes []any
		for _, id := range s.orderSeq {
			if o := s.orders[id]; name != "" && strings.EqualFold(o.Name, name) {
				nodes = append(nodes, s.renderOrder(o))
			}
		}
		return map[string]any{"orders": map[string]any{"nodes": orEmpty(nodes)}}, nil
	case "OrderLineItems":
		if e := checkID("id", "Order"); e != nil {
			return nil, e
		}
		var out any
		if o, ok := s.orders[str("id")]; ok {
			out = map[string]any{"id": o.ID, "lineItems": s.renderLineItems(o, str("after"))}
		}
		return map[string]any{"order": out}, nil
	case "Product":
		if e := checkID("id", "Product"); e != nil {
			return nil, e
		}
		var out any
		if p, ok := s.products[str("id")]; ok {
			out = renderProduct(p)
		}
		return map[string]any{"shop": map[string]any{"currencyCode": s.currency}, "product": out}, nil
	case "RefundCreate":
		return s.refundCreate(key, v)
	case "OrderCancel":
		return s.orderCancel(v)
	case "Job":
		var out any
		if j, ok := s.jobs[str("id")]; ok {
			out = map[string]any{"id": j.id, "done": j.done}
		}
		return map[string]any{"job": out}, nil
	case "OrderUpdate":
		return s.orderUpdate(v)
	}
	return nil, []map[string]any{gqlError(fmt.Sprintf("shopifystub: operation %q is not supported", op), "")}
}

func orEmpty(nodes []any) []any {
	if nodes == nil {
		return []any{}
	}
	return nodes
}

// searchTerms parses Shopify search syntax as far as the connector uses it:
// space-separated field:value terms, values optionally double-quoted.
func searchTerms(q string) map[string]string {
	out := map[string]string{}
	for q = strings.TrimSpace(q); q != ""; q = strings.TrimSpace(q) {
		field, rest, ok := strings.Cut(q, ":")
		if !ok {
			break
		}
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			if end < 0 {
				val, rest = rest[1:], ""
			} else {
				val, rest = rest[1:1+end], rest[2+end:]
			}
		} else {
			val, rest, _ = strings.Cut(rest, " ")
		}
		out[strings.ToLower(strings.TrimSpace(field))] = val
		q = rest
	}
	return out
}

func matchCustomer(c *Customer, q string) bool {
	terms := searchTerms(q)
	if len(terms) == 0 {
		return false
	}
	for f, v := range terms {
		var have string
		switch f {
		case "email":
			have = c.Email
		case "phone":
			have = c.Phone
		case "first_name":
			have = c.FirstName
		case "last_name":
			have = c.LastName
		default:
			continue
		}
		if !strings.EqualFold(have, v) {
			return false
		}
	}
	return true
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func moneyBag(amount *big.Rat, currency string) map[string]any {
	m := map[string]any{"amount": fmtDec(amount), "currencyCode": currency}
	return map[string]any{"shopMoney": m, "presentmentMoney": m}
}

func renderAddress(a *MailingAddress) any {
	if a == nil {
		return nil
	}
	return map[string]any{
		"address1": a.Address1, "address2": a.Address2, "city": a.City,
		"provinceCode": a.ProvinceCode, "zip": a.Zip, "countryCodeV2": a.CountryCode,
	}
}

func renderOptions(opts []SelectedOption) []any {
	out := []any{}
	for _, o := range opts {
		out = append(out, map[string]any{"name": o.Name, "value": o.Value})
	}
	return out
}

func (s *Server) renderCustomer(c *Customer) map[string]any {
	var email, phone any
	if c.Email != "" {
		email = map[string]any{"emailAddress": c.Email}
	}
	if c.Phone != "" {
		phone = map[string]any{"phoneNumber": c.Phone}
	}
	orders := []any{}
	for _, id := range s.orderSeq {
		if o := s.orders[id]; o.CustomerID == c.ID {
			orders = append(orders, map[string]any{"id": o.ID, "name": o.Name})
		}
	}
	return map[string]any{
		"id": c.ID, "firstName": c.FirstName, "lastName": c.LastName,
		"defaultEmailAddress": email, "defaultPhoneNumber": phone,
		"locale": c.Locale, "defaultAddress": renderAddress(c.Address),
		"orders": map[string]any{"nodes": orders},
	}
}

func renderProduct(p *Product) map[string]any {
	vs := []any{}
	for _, v := range p.Variants {
		vs = append(vs, map[string]any{
			"id": v.ID, "price": fmtDec(dec(v.Price)), "availableForSale": v.Available,
			"selectedOptions": renderOptions(v.Options),
		})
	}
	return map[string]any{"id": p.ID, "title": p.Title, "variants": map[string]any{"nodes": vs}}
}

func (s *Server) renderLineItems(o *Order, after string) map[string]any {
	start := 0
	if after != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(after, "li:"))
		if err == nil {
			start = n
		}
	}
	start = min(start, len(o.LineItems))
	end := min(start+lineItemPage, len(o.LineItems))
	nodes := []any{}
	for _, li := range o.LineItems[start:end] {
		price := moneyBag(dec(li.UnitPrice), o.Currency)
		nodes = append(nodes, map[string]any{
			"id": li.ID, "name": li.Name, "quantity": li.Quantity,
			"currentQuantity":      li.Quantity,
			"refundableQuantity":   li.Quantity - o.refundedQuantity(li.ID),
			"variant":              map[string]any{"id": li.VariantID, "selectedOptions": renderOptions(li.Options)},
			"product":              map[string]any{"id": li.ProductID},
			"originalUnitPriceSet": price,
			"discountedUnitPriceAfterAllDiscountsSet": price,
		})
	}
	var endCursor any
	if end > start {
		endCursor = "li:" + strconv.Itoa(end)
	}
	return map[string]any{
		"pageInfo": map[string]any{"hasNextPage": end < len(o.LineItems), "endCursor": endCursor},
		"nodes":    nodes,
	}
}

func (s *Server) renderOrder(o *Order) map[string]any {
	var customer, cancellation any
	if o.CustomerID != "" {
		customer = map[string]any{"id": o.CustomerID}
	}
	if !o.CancelledAt.IsZero() {
		cancellation = map[string]any{"staffNote": o.CancelStaffNote}
	}
	var cancelReason any
	if o.CancelReason != "" {
		cancelReason = o.CancelReason
	}
	returnStatus := o.ReturnStatus
	if returnStatus == "" {
		returnStatus = "NO_RETURN"
	}
	presentment := o.PresentmentCurrency
	if presentment == "" {
		presentment = o.Currency
	}
	fs := []any{}
	for _, f := range o.Fulfillments {
		tracking := []any{}
		for _, n := range f.TrackingNumbers {
			tracking = append(tracking, map[string]any{"company": f.TrackingCompany, "number": n, "url": nil})
		}
		lines := []any{}
		for _, l := range f.Lines {
			lines = append(lines, map[string]any{"quantity": l.Quantity, "lineItem": map[string]any{"id": l.LineItemID}})
		}
		fs = append(fs, map[string]any{
			"id": f.ID, "status": f.Status, "displayStatus": f.DisplayStatus,
			"createdAt": ts(f.CreatedAt), "updatedAt": ts(f.UpdatedAt), "inTransitAt": ts(f.InTransitAt),
			"deliveredAt": ts(f.DeliveredAt), "estimatedDeliveryAt": ts(f.EstimatedDeliveryAt),
			"trackingInfo":         tracking,
			"fulfillmentLineItems": map[string]any{"nodes": lines},
		})
	}
	txs := []any{}
	for _, t := range o.Transactions {
		var parent any
		if t.ParentID != "" {
			parent = map[string]any{"id": t.ParentID}
		}
		txs = append(txs, map[string]any{
			"id": t.ID, "kind": t.Kind, "status": t.Status, "gateway": t.Gateway,
			"processedAt": ts(t.ProcessedAt), "createdAt": ts(t.ProcessedAt),
			"parentTransaction": parent, "amountSet": moneyBag(dec(t.Amount), o.Currency),
		})
	}
	refunds := []any{}
	for _, r := range o.Refunds {
		total := new(big.Rat)
		ids := []any{}
		for _, id := range r.TransactionIDs {
			ids = append(ids, map[string]any{"id": id})
			if t := o.transaction(id); t != nil && t.Status == "SUCCESS" {
				total.Add(total, dec(t.Amount))
			}
		}
		lines := []any{}
		for _, l := range r.Lines {
			lines = append(lines, map[string]any{"quantity": l.Quantity, "lineItem": map[string]any{"id": l.LineItemID}})
		}
		refunds = append(refunds, map[string]any{
			"id": r.ID, "note": r.Note, "createdAt": ts(r.CreatedAt),
			"totalRefundedSet": moneyBag(total, o.Currency),
			"transactions":     map[string]any{"nodes": ids},
			"refundLineItems":  map[string]any{"nodes": lines},
		})
	}
	return map[string]any{
		"id": o.ID, "legacyResourceId": strings.TrimPrefix(o.ID[strings.LastIndex(o.ID, "/"):], "/"),
		"name": o.Name, "createdAt": ts(o.CreatedAt), "cancelledAt": ts(o.CancelledAt),
		"cancelReason": cancelReason, "cancellation": cancellation,
		"displayFinancialStatus":   o.financialStatus(),
		"displayFulfillmentStatus": o.fulfillmentStatus(),
		"returnStatus":             returnStatus,
		"currencyCode":             o.Currency, "presentmentCurrencyCode": presentment,
		"paymentGatewayNames": orEmptyStrings(o.gateways()),
		"customer":            customer,
		"shippingAddress":     renderAddress(o.ShippingAddress),
		"totalRefundedSet":    moneyBag(o.sum("REFUND"), o.Currency),
		"lineItems":           s.renderLineItems(o, ""),
		"fulfillments":        fs,
		"transactions":        txs,
		"refunds":             refunds,
	}
}

func orEmptyStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func userError(msg string, field ...string) map[string]any {
	var f any
	if len(field) > 0 {
		f = field
	}
	return map[string]any{"field": f, "message": msg}
}

// Messages of the @idempotent directive's errors, as Shopify documents them.
const (
	MsgKeyMismatch    = "The same idempotency key cannot be used with different operation parameters."
	MsgPreviousFailed = "A previous request with this idempotency key failed. Retry with a new idempotency key."
)

func (s *Server) refundCreate(key string, v map[string]any) (map[string]any, []map[string]any) {
	payload := func(refund *Refund, o *Order, errs ...map[string]any) (map[string]any, []map[string]any) {
		p := map[string]any{"refund": nil, "order": nil, "userErrors": orEmptyMaps(errs)}
		if refund != nil {
			total := new(big.Rat)
			for _, id := range refund.TransactionIDs {
				if t := o.transaction(id); t != nil {
					total.Add(total, dec(t.Amount))
				}
			}
			p["refund"] = map[string]any{"id": refund.ID, "note": refund.Note, "createdAt": ts(refund.CreatedAt),
				"totalRefundedSet": moneyBag(total, o.Currency)}
			p["order"] = s.renderOrder(o)
		}
		return map[string]any{"refundCreate": p}, nil
	}
	if key == "" && s.version >= "2026-04" {
		return map[string]any{"refundCreate": nil}, []map[string]any{gqlError("The @idempotent directive is required for this mutation.", "BAD_REQUEST")}
	}
	input, _ := v["input"].(map[string]any)
	fpBytes, _ := json.Marshal(input) // map keys are sorted: a canonical form
	fp := string(fpBytes)
	if rec, ok := s.keys[key]; ok && key != "" && s.now().Sub(rec.at) < s.keyRetention {
		switch {
		case rec.fingerprint != fp:
			return payload(nil, nil, userError(MsgKeyMismatch))
		case rec.failed:
			return payload(nil, nil, userError(MsgPreviousFailed))
		}
		o := s.orders[rec.orderID]
		for i := range o.Refunds {
			if o.Refunds[i].ID == rec.refundID {
				return payload(&o.Refunds[i], o)
			}
		}
	}
	fail := func(e map[string]any) (map[string]any, []map[string]any) {
		if key != "" {
			s.keys[key] = &keyRecord{fingerprint: fp, failed: true, at: s.now()}
		}
		return payload(nil, nil, e)
	}

	orderID, _ := input["orderId"].(string)
	o, ok := s.orders[orderID]
	if !ok {
		return fail(userError("Order does not exist", "orderId"))
	}
	note, _ := input["note"].(string)
	var lines []RefundLine
	rawLines, _ := input["refundLineItems"].([]any)
	for i, rl := range rawLines {
		m, _ := rl.(map[string]any)
		id, _ := m["lineItemId"].(string)
		q, _ := m["quantity"].(float64)
		idx := slices.IndexFunc(o.LineItems, func(li LineItem) bool { return li.ID == id })
		if idx < 0 {
			return fail(userError("Line item does not exist", "refundLineItems", strconv.Itoa(i), "lineItemId"))
		}
		refundable := o.LineItems[idx].Quantity - o.refundedQuantity(id)
		for _, l := range lines {
			if l.LineItemID == id {
				refundable -= l.Quantity
			}
		}
		if q < 1 || int(q) > refundable {
			return fail(userError(fmt.Sprintf("Quantity cannot refund more items than were purchased (%d refundable)", max(refundable, 0)),
				"refundLineItems", strconv.Itoa(i), "quantity"))
		}
		lines = append(lines, RefundLine{LineItemID: id, Quantity: int(q)})
	}
	var txs []Transaction
	total := new(big.Rat)
	perParent := map[string]*big.Rat{}
	rawTx, _ := input["transactions"].([]any)
	for i, rt := range rawTx {
		m, _ := rt.(map[string]any)
		field := func(name string) []string { return []string{"transactions", strconv.Itoa(i), name} }
		kind, _ := m["kind"].(string)
		gateway, _ := m["gateway"].(string)
		parentID, _ := m["parentId"].(string)
		amountText := fmt.Sprint(m["amount"])
		amount, ok := new(big.Rat).SetString(amountText)
		if kind != "REFUND" {
			return fail(userError("Kind must be refund", field("kind")...))
		}
		if !ok || amount.Sign() <= 0 {
			return fail(userError("Amount must be greater than zero", field("amount")...))
		}
		if gateway == "" {
			return fail(userError("Gateway can't be blank", field("gateway")...))
		}
		if parentID != "" {
			p := o.transaction(parentID)
			if p == nil || p.Status != "SUCCESS" || (p.Kind != "SALE" && p.Kind != "CAPTURE") {
				return fail(userError("Parent transaction is invalid", field("parentId")...))
			}
			if p.Gateway != gateway {
				return fail(userError("Gateway must match the parent transaction's gateway", field("gateway")...))
			}
			left := dec(p.Amount)
			for _, t := range o.Transactions {
				if t.Kind == "REFUND" && t.Status == "SUCCESS" && t.ParentID == parentID {
					left.Sub(left, dec(t.Amount))
				}
			}
			if perParent[parentID] == nil {
				perParent[parentID] = new(big.Rat)
			}
			perParent[parentID].Add(perParent[parentID], amount)
			if perParent[parentID].Cmp(left) > 0 {
				return fail(userError(fmt.Sprintf("Refund amount %s is greater than the refundable amount %s of the parent transaction", fmtDec(perParent[parentID]), fmtDec(left)), field("amount")...))
			}
		}
		total.Add(total, amount)
		txs = append(txs, Transaction{Kind: "REFUND", Status: "SUCCESS", Gateway: gateway, Amount: fmtDec(amount), ParentID: parentID, ProcessedAt: s.now()})
	}
	refundable := new(big.Rat).Sub(o.sum("SALE", "CAPTURE"), o.sum("REFUND"))
	if total.Cmp(refundable) > 0 {
		return fail(userError(fmt.Sprintf("Refund amount %s is greater than net payment received %s", fmtDec(total), fmtDec(refundable)), "transactions"))
	}
	if len(lines) == 0 && len(txs) == 0 {
		return fail(userError("Refund must include line items or transactions"))
	}
	r := Refund{ID: s.gid("Refund"), Note: note, CreatedAt: s.now(), Lines: lines}
	for _, t := range txs {
		t.ID = s.gid("OrderTransaction")
		o.Transactions = append(o.Transactions, t)
		r.TransactionIDs = append(r.TransactionIDs, t.ID)
	}
	o.Refunds = append(o.Refunds, r)
	if key != "" {
		s.keys[key] = &keyRecord{fingerprint: fp, refundID: r.ID, orderID: o.ID, at: s.now()}
	}
	return payload(&o.Refunds[len(o.Refunds)-1], o)
}

func orEmptyMaps(m []map[string]any) []map[string]any {
	if m == nil {
		return []map[string]any{}
	}
	return m
}

func (s *Server) orderCancel(v map[string]any) (map[string]any, []map[string]any) {
	answer := func(j *job, errs ...map[string]any) (map[string]any, []map[string]any) {
		var jv any
		if j != nil {
			jv = map[string]any{"id": j.id, "done": j.done}
		}
		return map[string]any{"orderCancel": map[string]any{
			"job": jv, "orderCancelUserErrors": orEmptyMaps(errs), "userErrors": orEmptyMaps(nil),
		}}, nil
	}
	cancelError := func(code, msg string, field ...string) map[string]any {
		e := userError(msg, field...)
		e["code"] = code
		return e
	}
	orderID, _ := v["orderId"].(string)
	o, ok := s.orders[orderID]
	if !ok {
		return answer(nil, cancelError("NOT_FOUND", "Order does not exist", "orderId"))
	}
	reason, _ := v["reason"].(string)
	switch reason {
	case "CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF":
	default:
		return nil, []map[string]any{gqlError("Variable $reason of type OrderCancelReason! was provided invalid value", "INVALID_VARIABLE")}
	}
	if _, ok := v["restock"].(bool); !ok {
		return nil, []map[string]any{gqlError("Variable $restock of type Boolean! was provided invalid value", "INVALID_VARIABLE")}
	}
	if !o.CancelledAt.IsZero() {
		return answer(nil, cancelError("INVALID", "Order has already been cancelled", "orderId"))
	}
	for _, j := range s.jobs {
		if j.orderID == o.ID && !j.done {
			return answer(nil, cancelError("INVALID", "Order cancellation is already in progress", "orderId"))
		}
	}
	if st := o.fulfillmentStatus(); st == "FULFILLED" || st == "PARTIALLY_FULFILLED" {
		return answer(nil, cancelError("INVALID", "Cannot cancel an order that has fulfillments", "orderId"))
	}
	refund := false
	if rm, ok := v["refundMethod"].(map[string]any); ok {
		refund, _ = rm["originalPaymentMethodsRefund"].(bool)
	}
	note, _ := v["staffNote"].(string)
	restock, _ := v["restock"].(bool)
	j := &job{id: s.gid("Job"), orderID: o.ID, reason: reason, staffNote: note, refund: refund, restock: restock, remaining: s.jobDelay}
	s.jobs[j.id] = j
	if j.remaining <= 0 {
		s.runJob(j)
	}
	return answer(j)
}

// runJobs advances the asynchronous jobs by one request.
func (s *Server) runJobs() {
	for _, j := range s.jobs {
		if j.done {
			continue
		}
		j.remaining--
		if j.remaining <= 0 {
			s.runJob(j)
		}
	}
}

func (s *Server) runJob(j *job) {
	j.done = true
	o := s.orders[j.orderID]
	o.CancelledAt, o.CancelReason, o.CancelStaffNote, o.Restocked = s.now(), j.reason, j.staffNote, j.restock
	if !j.refund {
		return
	}
	r := Refund{ID: s.gid("Refund"), CreatedAt: s.now()}
	for _, p := range slices.Clone(o.Transactions) {
		if p.Status != "SUCCESS" || (p.Kind != "SALE" && p.Kind != "CAPTURE") {
			continue
		}
		left := dec(p.Amount)
		for _, t := range o.Transactions {
			if t.Kind == "REFUND" && t.Status == "SUCCESS" && t.ParentID == p.ID {
				left.Sub(left, dec(t.Amount))
			}
		}
		if left.Sign() <= 0 {
			continue
		}
		t := Transaction{ID: s.gid("OrderTransaction"), Kind: "REFUND", Status: "SUCCESS", Gateway: p.Gateway,
			Amount: fmtDec(left), ParentID: p.ID, ProcessedAt: s.now()}
		o.Transactions = append(o.Transactions, t)
		r.TransactionIDs = append(r.TransactionIDs, t.ID)
	}
	if len(r.TransactionIDs) > 0 {
		o.Refunds = append(o.Refunds, r)
	}
}

var countryRe = regexp.MustCompile(`^[A-Z]{2}$`)

func (s *Server) orderUpdate(v map[string]any) (map[string]any, []map[string]any) {
	answer := func(o *Order, errs ...map[string]any) (map[string]any, []map[string]any) {
		var ov any
		if o != nil {
			ov = s.renderOrder(o)
		}
		return map[string]any{"orderUpdate": map[string]any{"order": ov, "userErrors": orEmptyMaps(errs)}}, nil
	}
	input, _ := v["input"].(map[string]any)
	id, _ := input["id"].(string)
	o, ok := s.orders[id]
	if !ok {
		return answer(nil, userError("Order does not exist", "id"))
	}
	if sa, ok := input["shippingAddress"].(map[string]any); ok {
		get := func(k string) string { x, _ := sa[k].(string); return x }
		if !countryRe.MatchString(get("countryCode")) {
			return answer(nil, userError("Country is invalid", "shippingAddress", "countryCode"))
		}
		o.ShippingAddress = &MailingAddress{
			Address1: get("address1"), Address2: get("address2"), City: get("city"),
			ProvinceCode: get("provinceCode"), Zip: get("zip"), CountryCode: get("countryCode"),
		}
	}
	return answer(o)
}
