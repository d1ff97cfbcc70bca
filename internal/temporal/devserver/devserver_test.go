package devserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The tests run a real server; the workflow below stands in for the conversation workflow:
// it runs an activity and then waits, durably, for an Update.

const (
	taskQueue  = "devserver-test"
	updateName = "confirm"
	queryReady = "ready"
)

// confirmWorkflow shouts name through an activity, then waits for a "confirm" Update and
// returns both results.
func confirmWorkflow(ctx workflow.Context, name string) (string, error) {
	var confirmed string
	err := workflow.SetUpdateHandlerWithOptions(ctx, updateName,
		func(_ workflow.Context, by string) (string, error) {
			confirmed = by
			return "confirmed by " + by, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, by string) error {
			if by == "" {
				return errors.New("confirm needs a name")
			}
			return nil
		}},
	)
	if err != nil {
		return "", err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var shouted string
	if err := workflow.ExecuteActivity(ctx, shout, name).Get(ctx, &shouted); err != nil {
		return "", err
	}
	if err := workflow.SetQueryHandler(ctx, queryReady, func() (bool, error) { return true, nil }); err != nil {
		return "", err
	}
	if err := workflow.Await(ctx, func() bool { return confirmed != "" }); err != nil {
		return "", err
	}
	return shouted + ", confirmed by " + confirmed, nil
}

func shout(_ context.Context, s string) (string, error) { return strings.ToUpper(s) + "!", nil }

// testLogger writes warnings and errors to stderr: server goroutines may still log after a
// test ended, when t.Log would panic.
func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func startTest(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	began := time.Now()
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("server ready at %s in %v (persistent: %t)", s.HostPort(), time.Since(began).Round(time.Millisecond), opts.DataDir != "")
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return s
}

// connect dials s and runs a worker for confirmWorkflow until the test ends or disconnect is
// called.
func connect(t *testing.T, s *Server) (c client.Client, disconnect func()) {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  s.HostPort(),
		Namespace: s.Namespace(),
		Logger:    sdklog.NewStructuredLogger(testLogger()),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", s.HostPort(), err)
	}
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(confirmWorkflow)
	w.RegisterActivityWithOptions(shout, activity.RegisterOptions{Name: "shout"})
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	var once sync.Once
	disconnect = func() {
		once.Do(func() {
			w.Stop()
			c.Close()
		})
	}
	t.Cleanup(disconnect)
	return c, disconnect
}

func startWorkflow(t *testing.T, ctx context.Context, c client.Client, id string) client.WorkflowRun {
	t.Helper()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, confirmWorkflow, "hola")
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	return run
}

// waitActivityDone polls the workflow's query until its activity has completed and it waits
// for the Update.
func waitActivityDone(t *testing.T, ctx context.Context, c client.Client, id string) {
	t.Helper()
	for {
		v, err := c.QueryWorkflow(ctx, id, "", queryReady)
		if err == nil {
			var ready bool
			if err := v.Get(&ready); err == nil && ready {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("workflow %s did not reach its wait: %v (last query error: %v)", id, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func confirm(ctx context.Context, c client.Client, id, by string) (string, error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   id,
		UpdateID:     "confirm-" + by,
		UpdateName:   updateName,
		Args:         []any{by},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return "", err
	}
	var out string
	err = h.Get(ctx, &out)
	return out, err
}

func TestWorkflowWithActivityAndUpdate(t *testing.T) {
	t.Parallel()
	s := startTest(t, Options{})
	c, _ := connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	began := time.Now()
	run := startWorkflow(t, ctx, c, "wf-update")

	if _, err := confirm(ctx, c, "wf-update", ""); err == nil || !strings.Contains(err.Error(), "confirm needs a name") {
		t.Fatalf("confirm with no name: error %v, want the validator's rejection", err)
	}
	got, err := confirm(ctx, c, "wf-update", "ana")
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if want := "confirmed by ana"; got != want {
		t.Errorf("update result %q, want %q", got, want)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if want := "HOLA!, confirmed by ana"; result != want {
		t.Errorf("workflow result %q, want %q", result, want)
	}
	t.Logf("workflow with an activity and an update done in %v", time.Since(began).Round(time.Millisecond))
}

func TestStartDefaults(t *testing.T) {
	t.Parallel()
	a := startTest(t, Options{})
	b := startTest(t, Options{Namespace: "attache-test"})

	if a.HostPort() == b.HostPort() {
		t.Errorf("two servers share the address %s", a.HostPort())
	}
	if !strings.HasPrefix(a.HostPort(), "127.0.0.1:") {
		t.Errorf("HostPort %q, want 127.0.0.1:<port>", a.HostPort())
	}
	for _, tc := range []struct {
		s    *Server
		want string
	}{{a, "default"}, {b, "attache-test"}} {
		if tc.s.Namespace() != tc.want {
			t.Errorf("Namespace() = %q, want %q", tc.s.Namespace(), tc.want)
		}
		ns, err := client.NewNamespaceClient(client.Options{HostPort: tc.s.HostPort(), Logger: sdklog.NewStructuredLogger(testLogger())})
		if err != nil {
			t.Fatalf("namespace client: %v", err)
		}
		desc, err := ns.Describe(context.Background(), tc.want)
		if err != nil {
			t.Errorf("namespace %s not registered: %v", tc.want, err)
		} else if st := desc.GetNamespaceInfo().GetState(); st != enums.NAMESPACE_STATE_REGISTERED {
			t.Errorf("namespace %s state %v", tc.want, st)
		}
		ns.Close()
	}

	// The frontend's HTTP API answers too.
	resp, err := http.Get("http://" + a.HTTPHostPort() + "/api/v1/namespaces/default")
	if err != nil {
		t.Fatalf("HTTP API: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"name":"default"`) {
		t.Errorf("GET namespace over HTTP: %s %s", resp.Status, body)
	}
}

// TestQuietAtDefaultLevel: a start, a workflow and a stop log nothing at the default level,
// so `attache dev` shows only what needs attention.
func TestQuietAtDefaultLevel(t *testing.T) {
	t.Parallel()
	rec := &recordHandler{}
	s, err := Start(context.Background(), Options{Logger: slog.New(rec)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	c, disconnect := connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run := startWorkflow(t, ctx, c, "wf-quiet")
	if _, err := confirm(ctx, c, "wf-quiet", "ana"); err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	disconnect()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // stragglers from stopping goroutines
	for _, r := range rec.records() {
		if r.Level >= slog.LevelWarn {
			t.Errorf("logged %s %q", r.Level, r.Message)
		}
	}
}

// recordHandler keeps every record from the server (info and above reach it: Start and
// Stop report at info).
type recordHandler struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r)
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }
func (h *recordHandler) records() []slog.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]slog.Record(nil), h.recs...)
}

func TestStopIsIdempotent(t *testing.T) {
	t.Parallel()
	s, err := Start(context.Background(), Options{Logger: testLogger()})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	for i := range 2 {
		if err := s.Stop(); err != nil {
			t.Errorf("Stop #%d: %v", i+1, err)
		}
	}
	// The frontend no longer answers.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if c, err := client.DialContext(ctx, client.Options{HostPort: s.HostPort(), Logger: sdklog.NewStructuredLogger(testLogger())}); err == nil {
		c.Close()
		t.Errorf("frontend %s still answers after Stop", s.HostPort())
	}
}

func TestDataDirInUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := Start(context.Background(), Options{DataDir: dir, Logger: testLogger()})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	_, err = Start(context.Background(), Options{DataDir: dir, Logger: testLogger()})
	if !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("second Start on the same dir: error %v, want ErrDataDirInUse", err)
	}
	if want := fmt.Sprintf("pid %d", os.Getpid()); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the holder (%s)", err, want)
	}
	if err := first.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	again := startTest(t, Options{DataDir: dir})
	_ = again
}

func TestCancelledStartReleasesDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if s, err := Start(ctx, Options{DataDir: dir, Logger: testLogger()}); err == nil {
		_ = s.Stop()
		t.Fatal("Start with a cancelled context succeeded")
	} else if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	startTest(t, Options{DataDir: dir})
}

// TestRestartKeepsWorkflows leaves a workflow waiting for an Update, ends the server (cleanly
// in this process, or by killing a child process that ran it), starts a server on the same
// data directory and completes the workflow there.
func TestRestartKeepsWorkflows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// leaveWaiting starts workflow id on a server using dir and ends that server.
		leaveWaiting func(t *testing.T, dir, id string)
	}{
		{"stop and start again", func(t *testing.T, dir, id string) {
			s, err := Start(context.Background(), Options{DataDir: dir, Logger: testLogger()})
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			c, disconnect := connect(t, s)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			startWorkflow(t, ctx, c, id)
			waitActivityDone(t, ctx, c, id)
			disconnect()
			if err := s.Stop(); err != nil {
				t.Fatalf("Stop: %v", err)
			}
		}},
		{"process killed", func(t *testing.T, dir, id string) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childDirEnv+"="+dir, childIDEnv+"="+id)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatalf("start child: %v", err)
			}
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil || strings.TrimSpace(line) != childReady {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("child did not get ready: %q, %v", line, err)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatalf("kill child: %v", err)
			}
			_ = cmd.Wait()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			id := "wf-restart"
			tc.leaveWaiting(t, dir, id)

			s := startTest(t, Options{DataDir: dir})
			c, _ := connect(t, s)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			desc, err := c.DescribeWorkflowExecution(ctx, id, "")
			if err != nil {
				t.Fatalf("workflow gone after restart: %v", err)
			}
			if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
				t.Fatalf("workflow status after restart %v, want running", st)
			}
			if _, err := confirm(ctx, c, id, "ben"); err != nil {
				t.Fatalf("confirm after restart: %v", err)
			}
			var result string
			if err := c.GetWorkflow(ctx, id, "").Get(ctx, &result); err != nil {
				t.Fatalf("workflow after restart: %v", err)
			}
			if want := "HOLA!, confirmed by ben"; result != want {
				t.Errorf("workflow result %q, want %q", result, want)
			}
		})
	}
}

const (
	childDirEnv = "DEVSERVER_TEST_CHILD_DIR"
	childIDEnv  = "DEVSERVER_TEST_CHILD_WORKFLOW"
	childReady  = "ready"
)

// TestMain doubles as the child process of TestRestartKeepsWorkflows: with childDirEnv set,
// it starts a server on that directory, leaves a workflow waiting, says so on stdout and
// waits to be killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		if err := runChild(dir, os.Getenv(childIDEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		select {}
	}
	os.Exit(m.Run())
}

func runChild(dir, id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := Start(ctx, Options{DataDir: dir, Logger: testLogger()})
	if err != nil {
		return err
	}
	c, err := client.Dial(client.Options{HostPort: s.HostPort(), Namespace: s.Namespace(), Logger: sdklog.NewStructuredLogger(testLogger())})
	if err != nil {
		return err
	}
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(confirmWorkflow)
	w.RegisterActivityWithOptions(shout, activity.RegisterOptions{Name: "shout"})
	if err := w.Start(); err != nil {
		return err
	}
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, confirmWorkflow, "hola"); err != nil {
		return err
	}
	for {
		v, err := c.QueryWorkflow(ctx, id, "", queryReady)
		var ready bool
		if err == nil && v.Get(&ready) == nil && ready {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("workflow never waited: %w", ctx.Err())
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Println(childReady)
	return nil
}

// BenchmarkStart measures Start until the frontend answers — in memory, on a new data
// directory (schema creation included) and on one that holds a database (a restart of
// `attache dev`) — and reports the time Stop takes as stop-ms/op.
func BenchmarkStart(b *testing.B) {
	tests := []struct {
		name string
		dir  func(b *testing.B) string
	}{
		{"memory", func(*testing.B) string { return "" }},
		{"new data dir", func(b *testing.B) string { return b.TempDir() }},
		{"existing data dir", func(b *testing.B) string {
			dir := b.TempDir()
			s, err := Start(context.Background(), Options{DataDir: dir, Logger: testLogger()})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Stop(); err != nil {
				b.Fatal(err)
			}
			return dir
		}},
	}
	for _, tc := range tests {
		b.Run(tc.name, func(b *testing.B) {
			var stopping time.Duration
			existing := tc.name == "existing data dir"
			dir := ""
			if existing {
				dir = tc.dir(b)
			}
			b.ResetTimer()
			for range b.N {
				if !existing {
					b.StopTimer()
					dir = tc.dir(b)
					b.StartTimer()
				}
				s, err := Start(context.Background(), Options{DataDir: dir, Logger: testLogger()})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				began := time.Now()
				if err := s.Stop(); err != nil {
					b.Fatal(err)
				}
				stopping += time.Since(began)
				b.StartTimer()
			}
			b.ReportMetric(float64(stopping.Milliseconds())/float64(b.N), "stop-ms/op")
		})
	}
}
