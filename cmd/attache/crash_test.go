package main

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/testutil/openaistub"
)

// TestKillMidTurnLosesNothingAndRunsTheTurnOnce runs `attache dev` as a real process, kills
// it with SIGKILL while a turn waits on the model, starts it again on the same data and
// checks that the accepted message is there, the turn completes, and it was stored once.
func TestKillMidTurnLosesNothingAndRunsTheTurnOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and restarts the binary")
	}
	bin := filepath.Join(t.TempDir(), "attache")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("build attache: %v", err)
	}

	stub := openaistub.New(t)
	// The first model call stalls after one streamed piece: the turn is in flight when we kill.
	stub.Enqueue(openaistub.Reply{Text: "Estoy revisando su pedido ahora mismo.", Cut: &openaistub.Cut{After: 1, Mode: openaistub.CutStall}})
	stub.Always(openaistub.Reply{Text: "Su pedido está en camino."})

	dataDir := t.TempDir()
	addr := freeAddr(t)
	env := append(os.Environ(),
		"ATTACHE_HTTP_ADDR="+addr, "ATTACHE_DATA_DIR="+dataDir, "ATTACHE_SEED=false",
		"ATTACHE_LLM_PROVIDER=openai", "ATTACHE_LLM_BASE_URL="+stub.URL(), "ATTACHE_LLM_MODEL=stub-model",
		"ATTACHE_TURN_WAIT=60s", "ATTACHE_LOG_LEVEL=warn")
	base := "http://" + addr

	first := startBinary(t, bin, env, base)
	c := apiClient{t: t, base: base}
	conv := c.newConversation("es-MX")

	// Send the turn; it blocks on the stalled model.
	posted := make(chan int, 1)
	go func() {
		body := `{"text":"¿Dónde está mi pedido W1234567?","turn_id":"crash-turn","locale":"es-MX"}`
		resp, err := http.Post(base+"/v1/conversations/"+conv+"/messages", "application/json", strings.NewReader(body))
		if err != nil {
			posted <- -1
			return
		}
		resp.Body.Close()
		posted <- resp.StatusCode
	}()
	waitFor(t, 60*time.Second, "the model call", func() bool { return len(stub.Requests()) >= 1 })

	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	if code := <-posted; code == http.StatusOK {
		t.Fatal("the turn completed before the kill; the test proves nothing")
	}

	second := startBinary(t, bin, env, base)
	defer stopBinary(t, second)

	// The accepted message survived the kill.
	msgs := c.transcript(conv)
	if len(msgs) < 1 || msgs[0].Author != "customer" || msgs[0].TurnID != "crash-turn" {
		t.Fatalf("after restart the transcript is %+v, want the accepted customer message", msgs)
	}
	// The client retries the same turn and gets the reply once the turn resumes.
	tr := c.send(conv, "crash-turn", "¿Dónde está mi pedido W1234567?", "es-MX")
	if len(tr.Messages) != 2 || tr.Messages[1].Author != "ai" || !strings.Contains(tr.Messages[1].Text, "Su pedido está en camino.") {
		t.Fatalf("retried turn: %+v", tr.Messages)
	}
	again := c.send(conv, "crash-turn", "¿Dónde está mi pedido W1234567?", "es-MX")
	if again.Messages[1].ID != tr.Messages[1].ID {
		t.Fatal("a second retry got another reply")
	}
	all := c.transcript(conv)
	if len(all) != 2 {
		t.Fatalf("transcript has %d messages, want exactly 2 (the turn stored once): %+v", len(all), all)
	}
	t.Logf("model calls: %d (the killed attempt, then the retry); transcript: %d messages", len(stub.Requests()), len(all))
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startBinary runs `attache dev` and waits until /readyz answers 200.
func startBinary(t *testing.T, bin string, env []string, base string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "dev")
	cmd.Env = env
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = &prefixWriter{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			_ = sc.Text()
		}
	}()
	waitFor(t, 3*time.Minute, "attache dev to be ready", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return cmd
}

func stopBinary(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("attache dev did not exit cleanly on interrupt: %v", err)
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Error("attache dev did not stop within 60s of an interrupt")
	}
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// prefixWriter forwards a child's log lines to the test log.
type prefixWriter struct{ t *testing.T }

func (w *prefixWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.t.Log("attache:", line)
	}
	return len(p), nil
}
