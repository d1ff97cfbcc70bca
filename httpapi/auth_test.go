package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/staff"
)

// fakeStaff authenticates the bearer token "role:<role>" as a member of that role; the real
// store is tested in package staff and through the whole stack in cmd/attache.
type fakeStaff struct{ staffStore }

func (fakeStaff) Authenticate(_ context.Context, token string) (staff.Principal, error) {
	role, ok := strings.CutPrefix(token, "role:")
	if r, err := staff.ParseRole(role); ok && err == nil {
		return staff.Principal{AccountID: "id-" + role, Email: role + "@shop.example", Role: r, Via: staff.ViaAPIKey}, nil
	}
	return staff.Principal{}, staff.ErrUnauthenticated
}

// newAdminAPI is New with fakeStaff, sending every request without credentials as an admin.
func newAdminAPI(cfg Config) http.Handler {
	cfg.Staff = fakeStaff{}
	api := New(cfg)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			r.Header.Set("Authorization", "Bearer role:admin")
		}
		api.ServeHTTP(w, r)
	})
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestStaffRoutesRefuseWithoutCredentialsAndWrongRoles(t *testing.T) {
	api := New(Config{Logger: quietLogger(), Staff: fakeStaff{}})
	cases := []struct {
		name, auth, cookie, site string
		method, path             string
		want                     int
		problem                  string
	}{
		{"no credentials", "", "", "", "POST", "/v1/guard/redact", 401, typeUnauthenticated},
		{"unknown key", "Bearer atk_nope", "", "", "POST", "/v1/guard/redact", 401, typeUnauthenticated},
		{"not a bearer", "Basic YTpi", "", "", "POST", "/v1/guard/redact", 401, typeUnauthenticated},
		{"agent on the staff list", "Bearer role:agent", "", "", "GET", "/v1/staff", 403, typeForbidden},
		{"any staff may redact", "Bearer role:evaluator", "", "", "POST", "/v1/guard/redact", 400, typeBadJSON},
		{"a bad key on a customer route", "Bearer atk_nope", "", "", "GET", "/v1/conversations/x", 401, typeUnauthenticated},
		{"a session cookie", "", "role:admin", "", "POST", "/v1/guard/redact", 400, typeBadJSON},
		{"a session cookie from another site", "", "role:admin", "cross-site", "POST", "/v1/guard/redact", 403, typeForbidden},
		{"a cross-site read is harmless", "", "role:admin", "cross-site", "GET", "/v1/auth/me", 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tc.cookie})
			}
			if tc.site != "" {
				req.Header.Set("Sec-Fetch-Site", tc.site)
			}
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			var p Problem
			_ = json.Unmarshal(rec.Body.Bytes(), &p)
			if p.Type != tc.problem && tc.problem != "" {
				t.Errorf("problem type %q, want %q", p.Type, tc.problem)
			}
			if tc.want == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestRateLimitsAnswer429WithRetryAfter(t *testing.T) {
	api := New(Config{Logger: quietLogger(), Staff: fakeStaff{}, IPLimit: Limit{PerSecond: 0.5, Burst: 3}})
	codes := []int{}
	var last *httptest.ResponseRecorder
	for range 5 {
		req := httptest.NewRequest("POST", "/v1/guard/redact", strings.NewReader(`{"text":"hi"}`))
		req.Header.Set("Authorization", "Bearer role:agent")
		req.RemoteAddr = "203.0.113.7:4000"
		last = httptest.NewRecorder()
		api.ServeHTTP(last, req)
		codes = append(codes, last.Code)
	}
	if codes[0] != 200 || codes[2] != 200 || codes[3] != 429 || codes[4] != 429 {
		t.Fatalf("codes %v, want three 200 then 429", codes)
	}
	if ra := last.Header().Get("Retry-After"); ra != "2" {
		t.Errorf("Retry-After %q, want 2 (one token every 2 s)", ra)
	}
	// Another client is not held back, and X-Forwarded-For from an untrusted peer is ignored.
	req := httptest.NewRequest("POST", "/v1/guard/redact", strings.NewReader(`{"text":"hi"}`))
	req.Header.Set("Authorization", "Bearer role:agent")
	req.RemoteAddr = "198.51.100.9:4000"
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("another IP: %d, want 200", rec.Code)
	}
	req = httptest.NewRequest("POST", "/v1/guard/redact", strings.NewReader(`{"text":"hi"}`))
	req.Header.Set("Authorization", "Bearer role:agent")
	req.Header.Set("X-Forwarded-For", "192.0.2.44")
	req.RemoteAddr = "203.0.113.7:4000"
	rec = httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if rec.Code != 429 {
		t.Errorf("spoofed X-Forwarded-For: %d, want 429 (the peer's budget)", rec.Code)
	}
}

func TestCustomerMessagesAreLimitedPerConversation(t *testing.T) {
	api := New(Config{Logger: quietLogger(), ConversationLimit: Limit{PerSecond: 1.0 / 60, Burst: 2}, IPLimit: Limit{PerSecond: -1}})
	post := func(conv string) int {
		req := httptest.NewRequest("POST", "/v1/conversations/"+conv+"/messages", strings.NewReader(`{}`))
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		return rec.Code
	}
	a, b := "0196a0a0-0000-7000-8000-00000000000a", "0196a0a0-0000-7000-8000-00000000000b"
	if c := post(a); c == 429 {
		t.Fatal("first message limited")
	}
	post(a)
	if c := post(a); c != 429 {
		t.Errorf("third message in a minute: %d, want 429", c)
	}
	if c := post(b); c == 429 {
		t.Error("another conversation was limited")
	}
}

func TestLimitsTakeDefaultsForZeroFieldsAndNeverPanic(t *testing.T) {
	def := Limit{PerSecond: 1, Burst: 2}
	for _, tc := range []struct {
		limit Limit
		off   bool
		burst int // requests allowed at once
	}{
		{Limit{}, false, 2},
		{Limit{Burst: 3}, false, 3},
		{Limit{PerSecond: 2}, false, 2},
		{Limit{PerSecond: -1, Burst: 3}, true, 0},
		{Limit{PerSecond: math.NaN()}, true, 0},
		{Limit{PerSecond: math.Inf(1)}, true, 0},
	} {
		lim := newLimiter(tc.limit, def)
		if (lim == nil) != tc.off {
			t.Errorf("%+v: limiter %v, want off=%v", tc.limit, lim, tc.off)
			continue
		}
		if lim == nil {
			continue
		}
		n := 0
		for ok, _ := lim.Allow("k"); ok && n < 10; ok, _ = lim.Allow("k") {
			n++
		}
		if n != tc.burst {
			t.Errorf("%+v: %d requests at once, want %d", tc.limit, n, tc.burst)
		}
	}
}

// Login of fakeStaff refuses every password: the sign-in limit is counted before it.
func (fakeStaff) Login(context.Context, string, string, time.Duration) (staff.Session, error) {
	return staff.Session{}, staff.ErrInvalidCredentials
}

func TestSignInsAreLimitedPerIP(t *testing.T) {
	api := New(Config{Logger: quietLogger(), Staff: fakeStaff{}, LoginLimit: Limit{PerSecond: 1.0 / 60, Burst: 2}, IPLimit: Limit{PerSecond: -1}})
	login := func(ip string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/v1/auth/login", strings.NewReader(`{"email":"a@shop.example","password":"guess"}`))
		req.RemoteAddr = ip + ":4000"
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		return rec
	}
	for i, want := range []int{401, 401, 429} {
		if rec := login("203.0.113.9"); rec.Code != want {
			t.Fatalf("sign-in %d: %d %s, want %d", i+1, rec.Code, rec.Body, want)
		} else if want == 429 && rec.Header().Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if rec := login("198.51.100.4"); rec.Code != 401 {
		t.Errorf("another IP: %d, want its own budget (401)", rec.Code)
	}
}
