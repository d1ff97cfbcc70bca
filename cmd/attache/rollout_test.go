package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/evals/rollout"
	"github.com/attache-dev/attache/internal/config"
)

// TestRolloutCommandNamesTheBadFlag: a mistake is named before the database is opened.
func TestRolloutCommandNamesTheBadFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "Usage: attache rollout list"},
		{[]string{"promote"}, "Usage: attache rollout list"},
		{[]string{"set", "--market", "DE", "--reason", "r"}, "--stage is required"},
		{[]string{"set", "--market", "DE", "--stage", "yolo", "--reason", "r"}, `--stage: "yolo" is not one of`},
		{[]string{"set", "--market", "DE", "--stage", "standard", "--canary", "150", "--reason", "r"}, "--canary: 150"},
		{[]string{"set", "--market", "DE", "--stage", "standard"}, "--reason is required"},
		{[]string{"set", "--market", "Germany", "--stage", "assist", "--reason", "r"}, "--market: an ISO 3166-1 alpha-2 code"},
		{[]string{"history", "--locale", "not a tag"}, "--locale: a BCP 47 tag"},
		{[]string{"history", "--limit", "0"}, "--limit: 0"},
		{[]string{"list", "extra"}, `unexpected ["extra"]`},
	} {
		var errOut bytes.Buffer
		err := runRollout(context.Background(), tc.args, config.Config{}, newLogger(config.Config{}, io.Discard), rollout.Options{}, io.Discard, &errOut)
		if err != errUsage || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("rollout %q: %v, printed %q, want usage naming %q", tc.args, err, errOut.String(), tc.want)
		}
	}
}

// TestRolloutCommandSetsListsAndRefuses runs the command on a database: a demotion goes
// through and is listed and in the history; a promotion without any recorded run is refused
// with the gate's reason.
func TestRolloutCommandSetsListsAndRefuses(t *testing.T) {
	s := stack(t)
	ctx := context.Background()
	cfg, err := config.Load(envMap(map[string]string{"DATABASE_URL": s.pg.URL(), "ATTACHE_LOG_LEVEL": "warn"}), config.ModeTool)
	if err != nil {
		t.Fatal(err)
	}
	channel := fmt.Sprintf("cli-%d", time.Now().UnixNano())
	cmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := runRollout(ctx, args, cfg, s.logger, rollout.Options{}, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	out, err := cmd("set", "--market", "de", "--intent", "track_order", "--channel", channel, "--stage", "assist", "--set", "orders",
		"--reason", "new carrier in Germany", "--by", "ops")
	if err != nil || !strings.Contains(out, "DE/track_order/*/"+channel+": autonomous → assist, version 1") {
		t.Fatalf("set: %v %q", err, out)
	}
	out, err = cmd("set", "--market", "DE", "--intent", "track_order", "--channel", channel, "--stage", "standard", "--set", "orders",
		"--reason", "looks good", "--by", "ops", "--version", "1")
	if err == nil || !strings.Contains(err.Error(), "set orders has no recorded run") {
		t.Fatalf("promotion without a run: %v %q", err, out)
	}
	out, err = cmd("list")
	if err != nil || !strings.Contains(out, "DE/track_order/*/"+channel) || !strings.Contains(out, "fail: set orders has no recorded run") {
		t.Fatalf("list: %v %q", err, out)
	}
	out, err = cmd("history", "--channel", channel)
	if err != nil || !strings.Contains(out, "cli:ops") || !strings.Contains(out, "autonomous → assist") || strings.Count(out, "\n") != 2 {
		t.Fatalf("history: %v %q", err, out)
	}
	// The live figures come from the analytics: this key has no conversations, so nothing
	// is judged and nothing moves.
	if out, err := cmd("check"); err != nil || strings.Contains(out, "→") {
		t.Fatalf("check: %v %q, want no change", err, out)
	}
}
