// Package shopifystub is a local HTTP server that speaks the subset of
// Shopify's GraphQL Admin API that the commerce/shopify connector uses, over
// the same wire format: POST /admin/api/<version>/graphql.json with a
// {"query", "variables"} body, the X-Shopify-Access-Token header, 401 with
// {"errors": "..."} for a bad token, 200 with top-level "errors" for GraphQL
// errors and THROTTLED cost-based rate limiting, "userErrors" in mutation
// payloads, extensions.cost on every answer, the X-Shopify-API-Version
// response header, and refundCreate's @idempotent(key:) directive.
//
// It holds an in-memory shop (customers, products, orders with line items,
// fulfillments, transactions and refunds) that a test seeds with AddCustomer,
// AddProduct and AddOrder and inspects with Order, Customer and Requests.
// Faults can be injected: FailNext answers the next requests with a 5xx
// before touching the shop, RateLimitNext with 429 and Retry-After, and
// DropResponses applies a request and then cuts the connection without an
// answer (a reply lost after the refund went through).
//
// Limits, on purpose: it is not a GraphQL engine. It finds the operation by
// its name (the connector's operation names: FindCustomers, Customer,
// Order, OrderByName, OrderLineItems, Product, RefundCreate, OrderCancel,
// Job, OrderUpdate) and reads the variables; it answers with every field the
// connector may select, whatever the selection set says. Search queries
// understand only the field:value terms the connector sends. Amounts are
// in a single currency per order. Link-header pagination does not apply
// (that is the REST API's); GraphQL connections page with cursors, which the
// stub implements for order line items. It is for tests only.
package shopifystub

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"
)

// DefaultVersion is the API version the stub serves unless told otherwise.
const DefaultVersion = "2026-10"

// InvalidTokenMessage is Shopify's 401 error text.
const InvalidTokenMessage = "[API] Invalid API key or access token (unrecognized login or wrong password)"

// Request is one request the stub received, as a test may assert on it.
type Request struct {
	At             time.Time
	Path           string
	Operation      string         // GraphQL operation name
	Variables      map[string]any // decoded JSON variables
	IdempotencyKey string         // from @idempotent(key:), "" when absent
	Status         int            // HTTP status answered; 0 when the response was dropped
	Dropped        bool
	Throttled      bool
	HasToken       bool // an X-Shopify-Access-Token header was sent (its value is not kept)
}

// Server is a running stub. Its methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu            sync.Mutex
	token         string
	version       string
	currency      string
	now           func() time.Time
	seq           int
	orderNumber   int
	customers     map[string]*Customer
	customerOrder []string
	products      map[string]*Product
	orders        map[string]*Order
	orderSeq      []string
	jobs          map[string]*job
	keys          map[string]*keyRecord
	keyRetention  time.Duration
	requests      []Request

	failNext     int
	failStatus   int
	rateLimited  int
	retryAfter   string
	drops        map[string]int // operation ("" = any) → responses to drop
	jobDelay     int
	bucketMax    float64
	bucketAvail  float64
	restoreRate  float64
	bucketAt     time.Time
	queryCost    float64
	mutationCost float64
}

// Option configures a Server.
type Option func(*Server)

// WithToken sets the access token the stub accepts (default "shpat_stub").
func WithToken(t string) Option { return func(s *Server) { s.token = t } }

// WithVersion sets the API version in the path the stub serves.
func WithVersion(v string) Option { return func(s *Server) { s.version = v } }

// WithCurrency sets the shop currency (default "USD").
func WithCurrency(c string) Option { return func(s *Server) { s.currency = c } }

// WithThrottle sets the cost bucket: its size and restore rate in points per
// second (Shopify's standard plan: 2000 and 100). Each query costs 10
// points, each mutation 10.
func WithThrottle(max, restorePerSecond float64) Option {
	return func(s *Server) { s.bucketMax, s.bucketAvail, s.restoreRate = max, max, restorePerSecond }
}

// WithJobDelay sets how many later requests pass before an asynchronous job
// (orderCancel) runs; default 1.
func WithJobDelay(n int) Option { return func(s *Server) { s.jobDelay = n } }

// New starts a stub and stops it when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		token:        "shpat_stub",
		version:      DefaultVersion,
		currency:     "USD",
		now:          time.Now,
		orderNumber:  1000,
		customers:    map[string]*Customer{},
		products:     map[string]*Product{},
		orders:       map[string]*Order{},
		jobs:         map[string]*job{},
		keys:         map[string]*keyRecord{},
		keyRetention: 24 * time.Hour,
		drops:        map[string]int{},
		jobDelay:     1,
		bucketMax:    2000,
		bucketAvail:  2000,
		restoreRate:  100,
		queryCost:    10,
		mutationCost: 10,
	}
	for _, o := range opts {
		o(s)
	}
	s.bucketAt = s.now()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/api/{version}/graphql.json", s.handleGraphQL)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": "Not Found"})
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the shop's base URL ("http://127.0.0.1:port"), what the connector
// takes in place of "https://<shop>.myshopify.com".
func (s *Server) URL() string { return s.srv.URL }

// Token is the access token the stub accepts.
func (s *Server) Token() string { return s.token }

// Version is the API version the stub serves.
func (s *Server) Version() string { return s.version }

// GraphQLURL is the full endpoint URL.
func (s *Server) GraphQLURL() string {
	return s.srv.URL + "/admin/api/" + s.version + "/graphql.json"
}

// FailNext answers the next n requests with status (a 5xx) and Shopify's
// error body, before they reach the shop: nothing is applied.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext, s.failStatus = n, status
}

// RateLimitNext answers the next n requests with 429 Too Many Requests and
// the given Retry-After header value in seconds ("2.0", "0.2").
func (s *Server) RateLimitNext(n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimited, s.retryAfter = n, retryAfter
}

// DropResponses applies the next n requests of the named operation ("" for
// any) and then closes the connection without answering.
func (s *Server) DropResponses(operation string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drops[operation] = n
}

// ExpireIdempotencyKeys forgets every idempotency key, as Shopify does once
// its retention window has passed.
func (s *Server) ExpireIdempotencyKeys() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.keys)
}

// SetAvailable sets the points currently left in the cost bucket.
func (s *Server) SetAvailable(points float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucketAvail, s.bucketAt = points, s.now()
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests of the named operation were received.
func (s *Server) Count(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Operation == operation {
			n++
		}
	}
	return n
}

type gqlRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

var (
	opRe         = regexp.MustCompile(`(?m)^\s*(query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)`)
	idempotentRe = regexp.MustCompile(`@idempotent\(\s*key:\s*(?:"((?:[^"\\]|\\.)*)"|\$([_A-Za-z][_0-9A-Za-z]*))\s*\)`)
)

func (s *Server) handleGraphQL(w http.ResponseWriter, r *http.Request) {
	var req gqlRequest
	decodeErr := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req)
	kind, op := "", req.OperationName
	if m := opRe.FindStringSubmatch(req.Query); m != nil {
		kind = m[1]
		if op == "" {
			op = m[2]
		}
	}
	key := ""
	if m := idempotentRe.FindStringSubmatch(req.Query); m != nil {
		key = m[1]
		if m[2] != "" {
			key, _ = req.Variables[m[2]].(string)
		}
	}

	s.mu.Lock()
	rec := Request{
		At: s.now(), Path: r.URL.Path, Operation: op, Variables: req.Variables,
		IdempotencyKey: key, HasToken: r.Header.Get("X-Shopify-Access-Token") != "",
	}
	status, body, header := s.serve(r, &rec, decodeErr, kind, op, key, req)
	drop := false
	if status == http.StatusOK && !rec.Throttled {
		for _, name := range []string{op, ""} {
			if s.drops[name] > 0 {
				s.drops[name]--
				drop = true
				break
			}
		}
	}
	if drop {
		rec.Dropped = true
	} else {
		rec.Status = status
	}
	s.requests = append(s.requests, rec)
	s.mu.Unlock()

	if drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	writeJSON(w, status, body)
}

// serve runs with s.mu held and returns the response to write.
func (s *Server) serve(r *http.Request, rec *Request, decodeErr error, kind, op, key string, req gqlRequest) (int, any, http.Header) {
	h := http.Header{}
	if r.PathValue("version") != s.version {
		return http.StatusNotFound, map[string]any{"errors": "Not Found"}, h
	}
	h.Set("X-Shopify-API-Version", s.version)
	if r.Header.Get("X-Shopify-Access-Token") != s.token {
		return http.StatusUnauthorized, map[string]any{"errors": InvalidTokenMessage}, h
	}
	if s.rateLimited > 0 {
		s.rateLimited--
		h.Set("Retry-After", s.retryAfter)
		return http.StatusTooManyRequests, map[string]any{
			"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
		}, h
	}
	if s.failNext > 0 {
		s.failNext--
		return s.failStatus, map[string]any{"errors": http.StatusText(s.failStatus)}, h
	}
	if decodeErr != nil || req.Query == "" {
		return http.StatusBadRequest, map[string]any{"errors": map[string]any{"query": "Required parameter missing or invalid"}}, h
	}

	cost := s.queryCost
	if kind == "mutation" {
		cost = s.mutationCost
	}
	now := s.now()
	s.bucketAvail = min(s.bucketMax, s.bucketAvail+now.Sub(s.bucketAt).Seconds()*s.restoreRate)
	s.bucketAt = now
	if s.bucketAvail < cost {
		rec.Throttled = true
		return http.StatusOK, map[string]any{
			"errors": []any{map[string]any{
				"message":    "Throttled",
				"extensions": map[string]any{"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
			}},
			"extensions": s.costExtension(cost, nil),
		}, h
	}
	s.bucketAvail -= cost
	s.runJobs()

	data, errs := s.execute(op, key, req)
	out := map[string]any{"extensions": s.costExtension(cost, cost)}
	if data != nil {
		out["data"] = data
	}
	if len(errs) > 0 {
		list := make([]any, len(errs))
		for i, e := range errs {
			list[i] = e
		}
		out["errors"] = list
	}
	return http.StatusOK, out, h
}

func (s *Server) costExtension(requested float64, actual any) map[string]any {
	return map[string]any{"cost": map[string]any{
		"requestedQueryCost": requested,
		"actualQueryCost":    actual,
		"throttleStatus": map[string]any{
			"maximumAvailable":   s.bucketMax,
			"currentlyAvailable": s.bucketAvail,
			"restoreRate":        s.restoreRate,
		},
	}}
}

func gqlError(msg, code string) map[string]any {
	e := map[string]any{"message": msg}
	if code != "" {
		e["extensions"] = map[string]any{"code": code}
	}
	return e
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
