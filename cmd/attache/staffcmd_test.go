package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/config"
)

// TestStaffCommandCreatesTheFirstAdminOfAProduction: `attache staff add` with a password on
// standard input and `attache staff key` give an operator a working account and API key.
func TestStaffCommandCreatesTheFirstAdminOfAProduction(t *testing.T) {
	s := stack(t)
	ctx := context.Background()
	cfg, err := config.Load(envMap(map[string]string{"DATABASE_URL": s.pg.URL(), "ATTACHE_LOG_LEVEL": "warn"}), config.ModeTool)
	if err != nil {
		t.Fatal(err)
	}
	email := "ops-" + time.Now().Format("150405.000000") + "@shop.example"
	var out, errOut bytes.Buffer
	if err := runStaff(ctx, []string{"add", "--email", email, "--role", "admin", "--name", "Ops", "--password-stdin"}, cfg, s.logger,
		strings.NewReader("a long enough password\n"), &out, &errOut); err != nil {
		t.Fatalf("staff add: %v %s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "created "+email+" (admin)") {
		t.Fatalf("staff add printed %q", out.String())
	}
	out.Reset()
	if err := runStaff(ctx, []string{"key", "--email", email, "--name", "deploy script"}, cfg, s.logger, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(out.String())
	out.Reset()
	if err := runStaff(ctx, []string{"list"}, cfg, s.logger, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"email":"`+email+`"`) || !strings.Contains(out.String(), `"role":"admin"`) {
		t.Errorf("staff list printed %q, want the new admin", out.String())
	}
	c := apiClient{t: t, base: s.http.URL(), token: key}
	if code, _, b := c.do("GET", "/v1/staff", nil); code != 200 || !strings.Contains(string(b), email) {
		t.Fatalf("the new key on /v1/staff: %d %.300s", code, b)
	}
	if code, _, b := c.do("POST", "/v1/auth/login", map[string]string{"email": email, "password": "a long enough password"}); code != 200 {
		t.Fatalf("signing in with the password: %d %s", code, b)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "--email", "x@shop.example"}, "--role is required"},
		{[]string{"add", "--email", "y@shop.example", "--role", "owner"}, "--role"},
		{[]string{"key", "--email", "nobody@shop.example", "--name", "n"}, "--email nobody@shop.example"},
	} {
		errOut.Reset()
		err := runStaff(ctx, bad.args, cfg, s.logger, strings.NewReader(""), io.Discard, &errOut)
		if err == nil || !strings.Contains(err.Error()+errOut.String(), bad.want) {
			t.Errorf("staff %v: %v %q, want an error naming %q", bad.args, err, errOut.String(), bad.want)
		}
	}
}
