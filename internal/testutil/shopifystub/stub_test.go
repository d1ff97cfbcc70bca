package shopifystub

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func post(t *testing.T, s *Server, url, token, query string, vars map[string]any) answer {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-Shopify-Access-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&a.body); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return a
}

// path walks decoded JSON: path(m, "data", "order", "id").
func path(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func seeded(t *testing.T, opts ...Option) (*Server, string) {
	s := New(t, opts...)
	id := s.AddOrder(Order{
		Currency:     "EUR",
		LineItems:    []LineItem{{Name: "Shirt", VariantID: "gid://shopify/ProductVariant/5", Quantity: 2, UnitPrice: "25.00"}},
		Transactions: []Transaction{{Kind: "SALE", Gateway: "shopify_payments", Amount: "50.00"}},
	})
	return s, id
}

const refundMutation = `mutation RefundCreate($input: RefundInput!, $idempotencyKey: String!) {
  refundCreate(input: $input) @idempotent(key: $idempotencyKey) { refund { id } userErrors { field message } }
}`

func refundVars(orderID, parentID, amount, key string) map[string]any {
	return map[string]any{"idempotencyKey": key, "input": map[string]any{
		"orderId": orderID,
		"transactions": []any{map[string]any{
			"orderId": orderID, "parentId": parentID, "gateway": "shopify_payments", "kind": "REFUND", "amount": amount,
		}},
	}}
}

func TestWireBasics(t *testing.T) {
	t.Parallel()
	s, id := seeded(t)
	q := `query Order($id: ID!) { order(id: $id) { id name displayFinancialStatus } }`
	tests := []struct {
		name     string
		url      string
		token    string
		status   int
		errorsIs string // the JSON "errors" value when it is a string
	}{
		{"no token", s.GraphQLURL(), "", 401, InvalidTokenMessage},
		{"wrong token", s.GraphQLURL(), "shpat_other", 401, InvalidTokenMessage},
		{"unknown version", s.URL() + "/admin/api/1999-01/graphql.json", s.Token(), 404, "Not Found"},
		{"REST path", s.URL() + "/admin/api/" + s.Version() + "/orders.json", s.Token(), 404, "Not Found"},
		{"ok", s.GraphQLURL(), s.Token(), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, s, tt.url, tt.token, q, map[string]any{"id": id})
			if a.status != tt.status {
				t.Fatalf("status %d, want %d", a.status, tt.status)
			}
			if tt.errorsIs != "" && a.body["errors"] != tt.errorsIs {
				t.Errorf("errors = %v, want %q", a.body["errors"], tt.errorsIs)
			}
			if tt.status == 200 {
				if path(a.body, "data", "order", "displayFinancialStatus") != "PAID" {
					t.Errorf("body = %v", a.body)
				}
				if path(a.body, "extensions", "cost", "throttleStatus", "maximumAvailable") != 2000.0 {
					t.Errorf("no cost extension: %v", a.body["extensions"])
				}
				if a.header.Get("X-Shopify-API-Version") != s.Version() {
					t.Errorf("X-Shopify-API-Version = %q", a.header.Get("X-Shopify-API-Version"))
				}
			}
		})
	}
	if a := post(t, s, s.GraphQLURL(), s.Token(), q, map[string]any{"id": "42"}); path(a.body, "errors") == nil {
		t.Errorf("a non-global ID must be a top-level error, got %v", a.body)
	}
	if a := post(t, s, s.GraphQLURL(), s.Token(), q, map[string]any{"id": "gid://shopify/Order/999"}); a.body["data"].(map[string]any)["order"] != nil {
		t.Errorf("an unknown order must be null, got %v", a.body)
	}
}

func TestThrottleAndFaults(t *testing.T) {
	t.Parallel()
	s, id := seeded(t, WithThrottle(100, 1))
	q := `query Order($id: ID!) { order(id: $id) { id } }`
	s.SetAvailable(5)
	a := post(t, s, s.GraphQLURL(), s.Token(), q, map[string]any{"id": id})
	errs, _ := a.body["errors"].([]any)
	if a.status != 200 || len(errs) != 1 || path(errs[0], "extensions", "code") != "THROTTLED" || a.body["data"] != nil {
		t.Errorf("throttled answer = %d %v", a.status, a.body)
	}
	if path(a.body, "extensions", "cost", "requestedQueryCost") != 10.0 {
		t.Errorf("throttled answer lacks the requested cost: %v", a.body["extensions"])
	}
	s.SetAvailable(100)

	s.RateLimitNext(1, "2.0")
	a = post(t, s, s.GraphQLURL(), s.Token(), q, map[string]any{"id": id})
	if a.status != 429 || a.header.Get("Retry-After") != "2.0" || a.body["errors"] == nil {
		t.Errorf("rate limited answer = %d %v %v", a.status, a.header, a.body)
	}
	s.FailNext(1, 503)
	if a = post(t, s, s.GraphQLURL(), s.Token(), q, map[string]any{"id": id}); a.status != 503 || a.body["errors"] == nil {
		t.Errorf("failed answer = %d %v", a.status, a.body)
	}
	if a = post(t, s, s.GraphQLURL(), s.Token(), q, map[string]any{"id": id}); a.status != 200 {
		t.Errorf("after the faults: %d", a.status)
	}
}

func TestRefundIdempotency(t *testing.T) {
	t.Parallel()
	s, id := seeded(t)
	o, _ := s.Order(id)
	sale := o.Transactions[0].ID
	refund := func(amount, key string) answer {
		return post(t, s, s.GraphQLURL(), s.Token(), refundMutation, refundVars(id, sale, amount, key))
	}
	refundID := func(a answer) any { return path(a.body, "data", "refundCreate", "refund", "id") }
	userErr := func(a answer) string {
		errs, _ := path(a.body, "data", "refundCreate", "userErrors").([]any)
		if len(errs) == 0 {
			return ""
		}
		return path(errs[0], "message").(string)
	}

	first := refund("10.00", "k1")
	if refundID(first) == nil || userErr(first) != "" {
		t.Fatalf("first refund: %v", first.body)
	}
	if again := refund("10.00", "k1"); refundID(again) != refundID(first) {
		t.Errorf("same key, same input: refund %v, want the first %v", refundID(again), refundID(first))
	}
	if other := refund("11.00", "k1"); userErr(other) != MsgKeyMismatch {
		t.Errorf("same key, other input: %q", userErr(other))
	}
	if tooMuch := refund("45.00", "k2"); !strings.Contains(userErr(tooMuch), "greater than") {
		t.Errorf("above refundable: %q", userErr(tooMuch))
	}
	if retried := refund("45.00", "k2"); userErr(retried) != MsgPreviousFailed {
		t.Errorf("retry of a failed key: %q", userErr(retried))
	}
	s.ExpireIdempotencyKeys()
	if later := refund("10.00", "k1"); refundID(later) == refundID(first) || refundID(later) == nil {
		t.Errorf("after the retention window the key is new: got %v", later.body)
	}
	noKey := post(t, s, s.GraphQLURL(), s.Token(), `mutation RefundCreate($input: RefundInput!) { refundCreate(input: $input) { refund { id } } }`,
		refundVars(id, sale, "1.00", ""))
	if noKey.body["errors"] == nil {
		t.Errorf("refundCreate without @idempotent on %s must fail: %v", s.Version(), noKey.body)
	}
	o, _ = s.Order(id)
	if len(o.Refunds) != 2 || o.financialStatus() != "PARTIALLY_REFUNDED" {
		t.Errorf("%d refunds, financial status %s; want 2 and PARTIALLY_REFUNDED", len(o.Refunds), o.financialStatus())
	}
}

func TestDroppedResponseIsApplied(t *testing.T) {
	t.Parallel()
	s, id := seeded(t)
	o, _ := s.Order(id)
	s.DropResponses("RefundCreate", 1)
	b, _ := json.Marshal(map[string]any{"query": refundMutation, "variables": refundVars(id, o.Transactions[0].ID, "5.00", "k")})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.GraphQLURL(), bytes.NewReader(b))
	req.Header.Set("X-Shopify-Access-Token", s.Token())
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("want a broken connection, got a response")
	}
	o, _ = s.Order(id)
	if len(o.Refunds) != 1 {
		t.Errorf("%d refunds, want the write applied once", len(o.Refunds))
	}
	if r := s.Requests(); len(r) != 1 || !r[0].Dropped || r[0].IdempotencyKey != "k" {
		t.Errorf("requests = %+v", r)
	}
}

func TestOrderCancelJob(t *testing.T) {
	t.Parallel()
	s, id := seeded(t)
	cancel := `mutation OrderCancel($orderId: ID!, $reason: OrderCancelReason!, $refundMethod: OrderCancelRefundMethodInput!, $restock: Boolean!, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, refundMethod: $refundMethod, restock: $restock, staffNote: $staffNote) { job { id done } orderCancelUserErrors { code message } }
}`
	vars := map[string]any{"orderId": id, "reason": "CUSTOMER", "restock": true, "staffNote": "asked by mail",
		"refundMethod": map[string]any{"originalPaymentMethodsRefund": true}}
	a := post(t, s, s.GraphQLURL(), s.Token(), cancel, vars)
	jobID := path(a.body, "data", "orderCancel", "job", "id")
	if jobID == nil || path(a.body, "data", "orderCancel", "job", "done") != false {
		t.Fatalf("orderCancel = %v", a.body)
	}
	if o, _ := s.Order(id); !o.CancelledAt.IsZero() {
		t.Error("cancelled before the job ran")
	}
	j := post(t, s, s.GraphQLURL(), s.Token(), `query Job($id: ID!) { job(id: $id) { id done } }`, map[string]any{"id": jobID})
	if path(j.body, "data", "job", "done") != true {
		t.Errorf("job = %v", j.body)
	}
	o, _ := s.Order(id)
	if o.CancelledAt.IsZero() || o.CancelStaffNote != "asked by mail" || o.financialStatus() != "REFUNDED" {
		t.Errorf("after the job: cancelled %v note %q financial %s", o.CancelledAt, o.CancelStaffNote, o.financialStatus())
	}
	a = post(t, s, s.GraphQLURL(), s.Token(), cancel, vars)
	errs, _ := path(a.body, "data", "orderCancel", "orderCancelUserErrors").([]any)
	if len(errs) != 1 || path(errs[0], "code") != "INVALID" {
		t.Errorf("cancelling twice = %v", a.body)
	}
}

func TestLineItemPages(t *testing.T) {
	t.Parallel()
	s := New(t)
	var lines []LineItem
	for range 130 {
		lines = append(lines, LineItem{Name: "Pin", VariantID: "gid://shopify/ProductVariant/9", Quantity: 1, UnitPrice: "1.00"})
	}
	id := s.AddOrder(Order{LineItems: lines})
	a := post(t, s, s.GraphQLURL(), s.Token(), `query Order($id: ID!) { order(id: $id) { id } }`, map[string]any{"id": id})
	first := path(a.body, "data", "order", "lineItems")
	if n := len(path(first, "nodes").([]any)); n != 100 || path(first, "pageInfo", "hasNextPage") != true {
		t.Fatalf("first page: %d nodes, %v", n, path(first, "pageInfo"))
	}
	a = post(t, s, s.GraphQLURL(), s.Token(), `query OrderLineItems($id: ID!, $after: String) { order(id: $id) { id } }`,
		map[string]any{"id": id, "after": path(first, "pageInfo", "endCursor")})
	second := path(a.body, "data", "order", "lineItems")
	if n := len(path(second, "nodes").([]any)); n != 30 || path(second, "pageInfo", "hasNextPage") != false {
		t.Errorf("second page: %d nodes, %v", n, path(second, "pageInfo"))
	}
}

func TestSearchTerms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q    string
		want map[string]string
	}{
		{`email:"a@b.c"`, map[string]string{"email": "a@b.c"}},
		{`first_name:"Ana María" last_name:"López"`, map[string]string{"first_name": "Ana María", "last_name": "López"}},
		{`name:#1001`, map[string]string{"name": "#1001"}},
		{`nonsense`, map[string]string{}},
	}
	for _, tt := range tests {
		got := searchTerms(tt.q)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %v, want %v", tt.q, got, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", tt.q, k, got[k], v)
			}
		}
	}
}
