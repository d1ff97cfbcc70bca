// Package shopify is the commerce connector for Shopify's GraphQL Admin API:
// it reads customers, orders (with fulfillments, tracking numbers,
// transactions and refunds) and products, and cancels orders, changes
// shipping addresses and creates refunds, mapping Shopify's objects onto the
// commerce domain types.
//
// Writes are applied at most once per idempotency key. A refund is exactly
// once in two ways at the same time: a UUID derived from the key goes to
// Shopify in refundCreate's @idempotent directive, so a retry after a lost
// reply returns the first refund; and the refund's note carries a marker
// with the key and a fingerprint of the request, which the connector looks
// for before creating anything, so the same key asked again after Shopify's
// idempotency window still finds the first refund, and a key reused for a
// different refund is refused with commerce.ErrKeyReused. Cancellation
// carries the same marker in its staff note.
//
// Requests are retried with exponential backoff on transport errors, 429
// (honouring Retry-After), 5xx and GraphQL THROTTLED answers (waiting for the
// cost bucket to refill), within the caller's context. The access token is
// sent only in the X-Shopify-Access-Token header and never appears in logs
// or errors.
//
// It is not a general Shopify client: it asks for the fields the commerce
// types need and nothing else, does not handle webhooks, and does not do
// order editing, returns, exchanges or customer address changes (those
// return ErrUnsupported). Policy (who may cancel or refund what) belongs to
// the tools, not here.
package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultAPIVersion is the Admin API version used when Config.APIVersion is
// empty: the stable version current when this connector was written.
const DefaultAPIVersion = "2026-10"

var (
	// ErrUnsupported: Shopify's Admin API has no way to do this (or the
	// connector does not do it yet); the wrapped message says what.
	ErrUnsupported = errors.New("not supported by the Shopify connector")
	// ErrUnauthorized: Shopify rejected the access token (401) or the app
	// lacks an access scope (403).
	ErrUnauthorized = errors.New("shopify rejected the credentials")
)

// Config configures a Client.
type Config struct {
	// Shop is the shop's domain ("example.myshopify.com"), or a base URL
	// with a scheme ("http://127.0.0.1:8080") for a local stand-in.
	Shop string
	// Token is the Admin API access token (shpat_...).
	Token string
	// APIVersion is the dated Admin API version; default DefaultAPIVersion.
	APIVersion string
	// HTTPClient defaults to a client with a 30 s timeout.
	HTTPClient *http.Client
	// Logger defaults to a logger that discards.
	Logger *slog.Logger
	// MaxAttempts is how many times one request is tried; default 6.
	MaxAttempts int
	// BaseBackoff is the first retry wait, doubled each retry up to
	// MaxBackoff; defaults 250 ms and 10 s. Retry-After and the throttle
	// state override it.
	BaseBackoff, MaxBackoff time.Duration
	// MaxWait caps a single wait asked for by Retry-After or throttling;
	// default 60 s.
	MaxWait time.Duration
}

// Client is a Shopify shop as a commerce.Connector. It is safe for
// concurrent use.
type Client struct {
	endpoint    string
	token       string
	http        *http.Client
	log         *slog.Logger
	maxAttempts int
	base, max   time.Duration
	maxWait     time.Duration

	mu       sync.Mutex
	tracking map[string]string // tracking number → order GID, learned from reads
}

// New checks cfg and returns a Client. It makes no request.
func New(cfg Config) (*Client, error) {
	if cfg.Token == "" {
		return nil, errors.New("shopify: access token is empty")
	}
	base, err := shopURL(cfg.Shop)
	if err != nil {
		return nil, err
	}
	version := cfg.APIVersion
	if version == "" {
		version = DefaultAPIVersion
	}
	if !validVersion(version) {
		return nil, fmt.Errorf("shopify: API version %q is not YYYY-MM or unstable", version)
	}
	c := &Client{
		endpoint:    base + "/admin/api/" + version + "/graphql.json",
		token:       cfg.Token,
		http:        cfg.HTTPClient,
		log:         cfg.Logger,
		maxAttempts: cfg.MaxAttempts,
		base:        cfg.BaseBackoff,
		max:         cfg.MaxBackoff,
		maxWait:     cfg.MaxWait,
		tracking:    map[string]string{},
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	} else {
		hc := *c.http
		c.http = &hc
	}
	// Never follow a redirect: the token header would go along to wherever
	// it points. A 3xx comes back as an APIError.
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.maxAttempts <= 0 {
		c.maxAttempts = 6
	}
	if c.base <= 0 {
		c.base = 250 * time.Millisecond
	}
	if c.max <= 0 {
		c.max = 10 * time.Second
	}
	if c.maxWait <= 0 {
		c.maxWait = 60 * time.Second
	}
	return c, nil
}

func shopURL(shop string) (string, error) {
	shop = strings.TrimSpace(strings.TrimSuffix(shop, "/"))
	if shop == "" {
		return "", errors.New("shopify: shop domain is empty")
	}
	if strings.Contains(shop, "://") {
		u, err := url.Parse(shop)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
			return "", fmt.Errorf("shopify: shop URL %q is not an http(s) base URL", shop)
		}
		return u.Scheme + "://" + u.Host, nil
	}
	if strings.ContainsAny(shop, "/?#@ ") || !strings.Contains(shop, ".") {
		return "", fmt.Errorf("shopify: shop domain %q is not a domain like example.myshopify.com", shop)
	}
	return "https://" + shop, nil
}

func validVersion(v string) bool {
	if v == "unstable" {
		return true
	}
	if len(v) != 7 || v[4] != '-' {
		return false
	}
	y, err1 := strconv.Atoi(v[:4])
	m, err2 := strconv.Atoi(v[5:])
	return err1 == nil && err2 == nil && y >= 2019 && m >= 1 && m <= 12
}

// APIError is an answer from Shopify that is not a success and not one of
// the expected cases: top-level GraphQL errors or an unexpected HTTP status.
type APIError struct {
	Operation string
	Status    int      // HTTP status
	Codes     []string // GraphQL extensions.code values
	Messages  []string
}

func (e *APIError) Error() string {
	msg := strings.Join(e.Messages, "; ")
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	if len(e.Codes) > 0 {
		return fmt.Sprintf("shopify %s: %s (%s)", e.Operation, msg, strings.Join(e.Codes, ", "))
	}
	return fmt.Sprintf("shopify %s: HTTP %d: %s", e.Operation, e.Status, msg)
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

type gqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Cost *struct {
			RequestedQueryCost float64 `json:"requestedQueryCost"`
			ThrottleStatus     struct {
				CurrentlyAvailable float64 `json:"currentlyAvailable"`
				RestoreRate        float64 `json:"restoreRate"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
}

// retry marks a failed attempt that may be tried again, after wait if set.
type retry struct {
	err    error
	wait   time.Duration
	reason string
}

func (r *retry) Error() string { return r.err.Error() }
func (r *retry) Unwrap() error { return r.err }

// do sends one GraphQL operation, retrying what may be retried, and decodes
// data into out.
func (c *Client) do(ctx context.Context, op, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return fmt.Errorf("shopify %s: encode request: %w", op, err)
	}
	for attempt := 1; ; attempt++ {
		err := c.once(ctx, op, body, out)
		var r *retry
		if err == nil || !errors.As(err, &r) {
			return err
		}
		if attempt >= c.maxAttempts {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, r.err)
		}
		wait := r.wait
		if wait <= 0 {
			wait = c.backoff(attempt)
		}
		wait = min(wait, c.maxWait)
		c.log.DebugContext(ctx, "shopify request retry", "op", op, "attempt", attempt, "reason", r.reason, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("shopify %s: %w (last error: %v)", op, ctx.Err(), r.err)
		case <-t.C:
		}
	}
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.base << (attempt - 1)
	if d <= 0 || d > c.max {
		d = c.max
	}
	// Equal jitter: half fixed, half random, so retries of many workers spread out.
	return d/2 + rand.N(d/2+1)
}

func (c *Client) once(ctx context.Context, op string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("shopify %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Shopify-Access-Token", c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("shopify %s: %w", op, ctx.Err())
		}
		return &retry{err: fmt.Errorf("shopify %s: %w", op, err), reason: "transport"}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return &retry{err: fmt.Errorf("shopify %s: read response: %w", op, err), reason: "transport"}
	}

	switch s := resp.StatusCode; {
	case s == http.StatusOK:
	case s == http.StatusUnauthorized:
		return fmt.Errorf("shopify %s: the access token was rejected (HTTP 401): %w", op, ErrUnauthorized)
	case s == http.StatusForbidden:
		return fmt.Errorf("shopify %s: access denied, the app may lack an access scope (HTTP 403): %w", op, ErrUnauthorized)
	case s == http.StatusTooManyRequests:
		return &retry{err: apiStatusError(op, s, raw), wait: retryAfter(resp.Header.Get("Retry-After")), reason: "429"}
	case s >= 500:
		return &retry{err: apiStatusError(op, s, raw), wait: retryAfter(resp.Header.Get("Retry-After")), reason: strconv.Itoa(s)}
	case s == http.StatusNotFound:
		return fmt.Errorf("shopify %s: endpoint not found (HTTP 404): check the shop domain and API version", op)
	default:
		return apiStatusError(op, s, raw)
	}

	var g gqlResponse
	if err := json.Unmarshal(raw, &g); err != nil {
		return fmt.Errorf("shopify %s: decode response: %w", op, err)
	}
	if len(g.Errors) > 0 {
		e := &APIError{Operation: op, Status: resp.StatusCode}
		throttled := false
		for _, ge := range g.Errors {
			e.Messages = append(e.Messages, ge.Message)
			if ge.Extensions.Code != "" {
				e.Codes = append(e.Codes, ge.Extensions.Code)
			}
			throttled = throttled || ge.Extensions.Code == "THROTTLED"
		}
		if throttled {
			return &retry{err: e, wait: throttleWait(g), reason: "throttled"}
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(g.Data, out); err != nil {
			return fmt.Errorf("shopify %s: decode data: %w", op, err)
		}
	}
	return nil
}

func apiStatusError(op string, status int, raw []byte) error {
	e := &APIError{Operation: op, Status: status}
	var body struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(raw, &body) == nil && len(body.Errors) > 0 {
		var s string
		if json.Unmarshal(body.Errors, &s) == nil {
			e.Messages = []string{s}
		} else {
			e.Messages = []string{string(body.Errors)}
		}
	} else {
		e.Messages = []string{http.StatusText(status)}
	}
	return e
}

// retryAfter reads a Retry-After value in seconds ("2", "2.0"); zero when
// absent or unreadable.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f > 0 {
		return time.Duration(f * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// throttleWait is how long until the cost bucket holds the points the
// throttled query asked for.
func throttleWait(g gqlResponse) time.Duration {
	cost := g.Extensions.Cost
	if cost == nil || cost.ThrottleStatus.RestoreRate <= 0 {
		return 0
	}
	missing := cost.RequestedQueryCost - cost.ThrottleStatus.CurrentlyAvailable
	if missing <= 0 {
		return 0
	}
	return time.Duration(missing / cost.ThrottleStatus.RestoreRate * float64(time.Second))
}
