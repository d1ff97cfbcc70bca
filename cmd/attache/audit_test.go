package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/attache-dev/attache/policy/audit"
)

func TestAuditVerifyAndListCommands(t *testing.T) {
	s := stack(t)
	ctx := context.Background()
	log := audit.New(s.pool)
	for i, action := range []string{"approval.decided", "knowledge.variant_saved", "approval.decided"} {
		if _, err := log.Append(ctx, audit.Entry{Actor: "staff:lead@shop.example", Action: action, Subject: "audit-cli-test",
			Details: map[string]any{"n": i}}); err != nil {
			t.Fatal(err)
		}
	}
	env := envMap(map[string]string{"DATABASE_URL": s.pg.URL(), "ATTACHE_LOG_LEVEL": "warn"})
	var out bytes.Buffer
	if err := run(ctx, []string{"audit", "verify"}, env, &out, io.Discard); err != nil {
		t.Fatalf("attache audit verify: %v\n%s", err, out.String())
	}
	if !strings.HasPrefix(out.String(), "audit log intact: ") || !strings.Contains(out.String(), " entries, head ") {
		t.Fatalf("verify printed %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"audit", "list", "--subject", "audit-cli-test", "--action", "approval.decided"}, env, &out, io.Discard); err != nil {
		t.Fatalf("attache audit list: %v", err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 2 || !strings.Contains(lines[0], `"action":"approval.decided"`) {
		t.Fatalf("list printed %q", out.String())
	}
	if err := run(ctx, []string{"audit", "shred"}, env, io.Discard, io.Discard); err == nil {
		t.Fatal("an unknown subcommand was accepted")
	}
}
