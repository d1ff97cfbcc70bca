package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/temporal/devserver"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
)

// TestProductionPartsRunSeparately runs `attache migrate`, `attache worker` and
// `attache serve` as separate parts — as in production — against a real Postgres (PGlite)
// and a Temporal server reached over the network, and sends a message through them.
func TestProductionPartsRunSeparately(t *testing.T) {
	base := startParts(t, nil)
	c := apiClient{t: t, base: base}
	conv := c.newConversation("id-ID")
	r := reply(t, c.send(conv, "p-1", "Halo, di mana pesanan saya?", "id-ID"))
	if r.Lang != "id" || r.Intent != "track_order" {
		t.Fatalf("reply through serve + worker: %+v", r)
	}
}

// testMasterKey is the production parts' ATTACHE_MASTER_KEY in tests.
const testMasterKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// startParts migrates, then runs `attache worker` and `attache serve` on the package's
// PGlite and an embedded Temporal server reached over the network, with extra settings;
// they stop when the test ends. It returns the API's base URL.
func startParts(t *testing.T, extra map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	ts, err := devserver.Start(ctx, devserver.Options{Logger: pgtest.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ts.Stop() })
	addr := freeAddr(t)
	settings := map[string]string{
		"DATABASE_URL":      pgtest.URL(t),
		"TEMPORAL_ADDRESS":  ts.HostPort(),
		"ATTACHE_HTTP_ADDR": addr,
		// PGlite shares one session between connections, so NOTIFY cannot cross them; the
		// API still answers every message in its response.
		"ATTACHE_EVENTS":     "memory",
		"ATTACHE_MASTER_KEY": testMasterKey,
		"ATTACHE_LOG_LEVEL":  "warn",
	}
	for k, v := range extra {
		settings[k] = v
	}
	env := envMap(settings)
	if err := run(ctx, []string{"migrate"}, env, io.Discard, io.Discard); err != nil {
		t.Fatalf("attache migrate: %v", err)
	}
	partCtx, stopParts := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, part := range []string{"worker", "serve"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(partCtx, []string{part}, env, io.Discard, io.Discard); err != nil {
				errs <- err
			}
		}()
	}
	t.Cleanup(func() {
		stopParts()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("a part stopped with an error: %v", err)
		}
	})
	base := "http://" + addr
	waitFor(t, time.Minute, "attache serve", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return base
}

func TestMisconfigurationNamesTheSetting(t *testing.T) {
	badTeams := filepath.Join(t.TempDir(), "teams.json")
	if err := os.WriteFile(badTeams, []byte(`{"teams":[{"id":"x","name":"X","languages":["en"],"time_zone":"Mars/Olympus","priority":1,"shifts":{"mon":["09:00-17:00"]}}],"sla":{"default":"4h"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"serve"}, nil, "DATABASE_URL"},
		{[]string{"worker"}, map[string]string{"DATABASE_URL": "postgres://h/db", "TEMPORAL_ADDRESS": "nohost"}, "TEMPORAL_ADDRESS"},
		{[]string{"dev"}, map[string]string{"ATTACHE_LLM_PROVIDER": "gpt"}, "ATTACHE_LLM_PROVIDER"},
		{[]string{"migrate"}, map[string]string{"DATABASE_URL": "postgres://127.0.0.1:1/none?connect_timeout=2"}, "connect for migrations"},
		{[]string{"dev"}, map[string]string{"ATTACHE_TEAMS_FILE": "no-such-teams.json"}, "ATTACHE_TEAMS_FILE"},
		{[]string{"dev"}, map[string]string{"ATTACHE_TEAMS_FILE": badTeams}, "time_zone"},
	}
	for _, tt := range tests {
		err := run(context.Background(), tt.args, envMap(tt.env), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("attache %v with %v: error %v, want one naming %s", tt.args, tt.env, err, tt.want)
		}
	}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, envMap(nil), io.Discard, &stderr); err == nil || !strings.Contains(stderr.String(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %v, %q", err, stderr.String())
	}
}

func TestDevFailsAtOnceWhenItsPortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	start := time.Now()
	err = run(context.Background(), []string{"dev"}, envMap(map[string]string{
		"ATTACHE_HTTP_ADDR": ln.Addr().String(), "ATTACHE_DATA_DIR": t.TempDir(),
	}), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ATTACHE_HTTP_ADDR") {
		t.Fatalf("dev on a taken port: %v, want an error naming ATTACHE_HTTP_ADDR", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v: the port must be checked before the databases start", d)
	}
}
