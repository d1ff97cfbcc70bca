package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/httpapi"
	"github.com/attache-dev/attache/staff"
)

// matrixRoles are the columns of testdata/access.txt after the route.
var matrixRoles = []string{"anon", "agent", "knowledge_manager", "evaluator", "admin"}

// readMatrix reads testdata/access.txt: "METHOD PATH" → allowed per column.
func readMatrix(t *testing.T) map[string][]bool {
	t.Helper()
	f, err := os.Open("testdata/access.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string][]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) != 2+len(matrixRoles) {
			t.Fatalf("access.txt:%d: want method, path and %d cells, got %q", n, len(matrixRoles), line)
		}
		cells := make([]bool, len(matrixRoles))
		for i, c := range fs[2:] {
			if c != "+" && c != "-" {
				t.Fatalf("access.txt:%d: cell %q is neither + nor -", n, c)
			}
			cells[i] = c == "+"
		}
		m[fs[0]+" "+fs[1]] = cells
	}
	return m
}

// roleKeys creates one account per role, each with an API key, and returns the keys by role.
func roleKeys(t *testing.T, s *devStack) map[string]string {
	t.Helper()
	st := staff.New(s.pool, s.logger)
	keys := map[string]string{"anon": ""}
	for _, r := range staff.Roles() {
		a, err := st.CreateAccount(context.Background(), staff.NewAccount{Email: fmt.Sprintf("%s-%d@shop.example", r, time.Now().UnixNano()),
			Name: string(r), Role: r})
		if err != nil {
			t.Fatal(err)
		}
		k, _, err := st.CreateAPIKey(context.Background(), a.ID, "matrix test")
		if err != nil {
			t.Fatal(err)
		}
		keys[string(r)] = k
	}
	return keys
}

// concrete fills a route pattern's parameters with values that name nothing that exists.
func concrete(path string) string {
	r := strings.NewReplacer(":id", "0196a0a0-0000-7000-8000-00000000abcd", ":key_id", "0196a0a0-0000-7000-8000-00000000abce",
		":key", "refund_order:none", ":external_id", "no-such-article", ":locale", "en", "*filepath", "style.css")
	return r.Replace(path)
}

// TestEveryRouteAndRoleMatchesTheMatrix walks every route of the running server with no
// credentials and with an API key of each role: a denial is 401 (no credentials) or 403
// (a role that may not), anything else is an allowed call reaching its handler.
func TestEveryRouteAndRoleMatchesTheMatrix(t *testing.T) {
	s := stack(t)
	want := readMatrix(t)
	keys := roleKeys(t, s)
	seen := map[string]bool{}
	for _, rt := range httpapi.Routes(s.http.srv.Handler) {
		route := rt.Method + " " + rt.Path
		seen[route] = true
		cells, ok := want[route]
		if !ok {
			t.Errorf("%s is not in testdata/access.txt: say who may call it", route)
			continue
		}
		for i, role := range matrixRoles {
			c := apiClient{t: t, base: s.http.URL(), token: keys[role]}
			var body any
			if rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "PATCH" {
				body = "{}"
			}
			var code int
			var b []byte
			if strings.HasSuffix(rt.Path, "/events") {
				code = streamStatus(t, s.http.URL()+concrete(rt.Path), keys[role])
			} else {
				code, _, b = c.do(rt.Method, concrete(rt.Path), body)
			}
			denied := code == http.StatusUnauthorized || code == http.StatusForbidden
			switch {
			case cells[i] && denied:
				t.Errorf("%s as %s: %d, want it allowed: %s", route, role, code, b)
			case !cells[i] && !denied:
				t.Errorf("%s as %s: %d, want it denied: %.200s", route, role, code, b)
			case !cells[i] && role == "anon" && code != http.StatusUnauthorized:
				t.Errorf("%s without credentials: %d, want 401", route, code)
			case !cells[i] && role != "anon" && code != http.StatusForbidden:
				t.Errorf("%s as %s: %d, want 403", route, role, code)
			case code >= 500:
				t.Errorf("%s as %s: %d: %s", route, role, code, b)
			}
		}
	}
	for route := range want {
		if !seen[route] {
			t.Errorf("testdata/access.txt lists %s, which the server does not have", route)
		}
	}
}

// streamStatus opens an event stream and returns its status without waiting for its end.
func streamStatus(t *testing.T, url, token string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestStaffLifecycleOverTheAPI follows an agent's account from creation to being disabled,
// as an admin and the agent would see it, and finds each step in the audit log.
func TestStaffLifecycleOverTheAPI(t *testing.T) {
	s := stack(t)
	admin := staffAPI(t)
	email := fmt.Sprintf("amira-%d@shop.example", time.Now().UnixNano())
	const password = "correct horse battery staple"

	code, _, b := admin.do("POST", "/v1/staff", map[string]any{"email": email, "name": "Amira", "role": "agent",
		"password": password, "languages": []string{"ar", "en-GB"}})
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, b)
	}
	var acct struct{ ID, Email, Role string }
	mustJSON(t, b, &acct)
	if code, _, b := admin.do("POST", "/v1/staff", map[string]any{"email": email, "role": "agent"}); code != http.StatusConflict {
		t.Errorf("the same e-mail again: %d %s, want 409", code, b)
	}
	if code, _, b := admin.do("POST", "/v1/staff", map[string]any{"email": "x" + email, "role": "agent", "password": "short"}); code != 422 || !strings.Contains(string(b), "12") {
		t.Errorf("a short password: %d %s, want 422 naming the rule", code, b)
	}
	if code, _, b := admin.do("POST", "/v1/staff", map[string]any{"email": "y" + email, "role": "owner"}); code != 422 || !strings.Contains(string(b), "role") {
		t.Errorf("an unknown role: %d %s, want 422 naming the field", code, b)
	}

	// The agent signs in with the password: a session token and an HttpOnly cookie.
	anon := apiClient{t: t, base: s.http.URL()}
	if code, _, _ := anon.do("POST", "/v1/auth/login", map[string]string{"email": email, "password": "not the password"}); code != 401 {
		t.Errorf("a wrong password: %d, want 401", code)
	}
	code, h, b := anon.do("POST", "/v1/auth/login", map[string]string{"email": strings.ToUpper(email), "password": password})
	if code != 200 {
		t.Fatalf("login: %d %s", code, b)
	}
	cookie := h.Get("Set-Cookie")
	if !strings.Contains(cookie, "attache_session=ats_") || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") {
		t.Errorf("session cookie %q: want an HttpOnly, SameSite=Strict attache_session", cookie)
	}
	var sess struct{ Token string }
	mustJSON(t, b, &sess)
	agent := anon.as(sess.Token)
	if code, _, b := agent.do("GET", "/v1/auth/me", nil); code != 200 || !strings.Contains(string(b), `"role":"agent"`) || !strings.Contains(string(b), `"ar"`) {
		t.Errorf("me: %d %s", code, b)
	}
	if code, _, _ := agent.do("POST", "/v1/knowledge/import?format=csv", "a,b"); code != 403 {
		t.Errorf("an agent importing knowledge: %d, want 403", code)
	}

	// An API key for a script of hers; revoked, it stops working at once.
	code, _, b = admin.do("POST", "/v1/staff/"+acct.ID+"/api-keys", map[string]string{"name": "macro runner"})
	if code != http.StatusCreated {
		t.Fatalf("create key: %d %s", code, b)
	}
	var key struct{ ID, Key string }
	mustJSON(t, b, &key)
	if code, _, _ := anon.as(key.Key).do("GET", "/v1/auth/me", nil); code != 200 {
		t.Errorf("the new key: %d, want 200", code)
	}
	if code, _, b := admin.do("GET", "/v1/staff/"+acct.ID+"/api-keys", nil); code != 200 || strings.Contains(string(b), key.Key) || !strings.Contains(string(b), key.ID) {
		t.Errorf("list keys: %d %s: want the key's ID and never the key", code, b)
	}
	if code, _, b := admin.do("DELETE", "/v1/staff/"+acct.ID+"/api-keys/"+key.ID, nil); code != 204 {
		t.Fatalf("revoke: %d %s", code, b)
	}
	if code, _, _ := anon.as(key.Key).do("GET", "/v1/auth/me", nil); code != 401 {
		t.Errorf("a revoked key: %d, want 401", code)
	}

	// Disabled, her session ends and she cannot sign in again.
	if code, _, b := admin.do("PATCH", "/v1/staff/"+acct.ID, map[string]any{"disabled": true}); code != 200 {
		t.Fatalf("disable: %d %s", code, b)
	}
	if code, _, _ := agent.do("GET", "/v1/auth/me", nil); code != 401 {
		t.Errorf("a disabled account's session: %d, want 401", code)
	}
	if code, _, _ := anon.do("POST", "/v1/auth/login", map[string]string{"email": email, "password": password}); code != 401 {
		t.Errorf("a disabled account signing in: %d, want 401", code)
	}
	// The dev admin may not lock themselves out.
	me := struct{ ID string }{}
	_, _, b = admin.do("GET", "/v1/auth/me", nil)
	mustJSON(t, b, &me)
	if code, _, _ := admin.do("PATCH", "/v1/staff/"+me.ID, map[string]any{"role": "agent"}); code != 422 {
		t.Errorf("an admin demoting themselves: %d, want 422", code)
	}

	// Every step is in the audit log, by whom, and the chain verifies.
	code, _, b = admin.do("GET", "/v1/audit?subject=staff:"+acct.ID, nil)
	if code != 200 {
		t.Fatalf("audit: %d %s", code, b)
	}
	for _, action := range []string{"staff.account_created", "staff.signed_in", "staff.api_key_created", "staff.api_key_revoked", "staff.account_updated"} {
		if !strings.Contains(string(b), `"action":"`+action+`"`) {
			t.Errorf("the audit log has no %s for the account: %s", action, b)
		}
	}
	if !strings.Contains(string(b), `"actor":"staff:`+devAdminEmail+`"`) {
		t.Errorf("the audit log does not name the admin: %s", b)
	}
	if code, _, b := admin.do("GET", "/v1/audit/verify", nil); code != 200 || !strings.Contains(string(b), `"ok":true`) {
		t.Errorf("verify: %d %s", code, b)
	}
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}
