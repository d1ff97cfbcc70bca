package faulttest

// The worker process: the test binary started again with TestWorkerProcess selected and the
// environment below. It runs the conversation workflow and its activities as `attache worker`
// does — real conversation store, built-in shop on PostgreSQL, the offline engine — with the
// shop wrapped in a fault injector, until its stdin closes or it is killed.

import (
	"bufio"
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/agents/offline"
	convpg "github.com/attache-dev/attache/conversation/pgstore"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/internal/testutil/faultyshop"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/knowledge/hashembed"
	"github.com/attache-dev/attache/stream"
	"github.com/attache-dev/attache/tools"
	shop "github.com/attache-dev/attache/tools/commerce/pgstore"
	"github.com/attache-dev/attache/tools/orders"
)

// Environment of a worker process.
const (
	envWorker    = "ATTACHE_FAULTTEST_WORKER" // "1" in a worker process
	envTemporal  = "ATTACHE_FAULTTEST_TEMPORAL"
	envNamespace = "ATTACHE_FAULTTEST_NAMESPACE"
	envDatabase  = "ATTACHE_FAULTTEST_DATABASE_URL"
	envQueue     = "ATTACHE_FAULTTEST_QUEUE"
	envSeed      = "ATTACHE_FAULTTEST_WORKER_SEED"
)

// Lines a worker process writes on stdout for the test to count.
const (
	lineReady = "faulttest: ready"
	lineFault = "faulttest: fault " // + kind + " " + operation
)

// Fault rates of the shop, per call.
var shopFaults = faultyshop.Options{
	ReadError:    0.04,
	BeforeWrite:  0.12,
	LostResponse: 0.20,
	Crash:        0.02,
	MaxLatency:   15 * time.Millisecond,
	MaxPerTarget: 3,
}

// asksTwice reports whether the conversation's responder asks for every write twice in one
// reply, as a model sometimes does. The test and the workers agree on it without talking.
func asksTwice(conversationID string) bool {
	h := fnv.New32a()
	h.Write([]byte(conversationID))
	return h.Sum32()%4 == 0
}

// twice is a responder that, in the conversations asksTwice picks, repeats every write call
// of a reply with another call ID — the same request twice in one round.
type twice struct{ next agents.Responder }

func (r twice) Respond(ctx context.Context, tc agents.TurnContext, onText func(string)) (agents.Reply, error) {
	reply, err := r.next.Respond(ctx, tc, onText)
	if err != nil || !asksTwice(tc.ConversationID) || len(reply.Calls) == 0 {
		return reply, err
	}
	writes := map[string]bool{}
	for _, s := range tc.Tools {
		writes[s.Name] = s.Effect != tools.Read
	}
	calls := make([]tools.Call, 0, 2*len(reply.Calls))
	for _, c := range reply.Calls {
		calls = append(calls, c)
		if writes[c.Name] {
			again := c
			again.ID = c.ID + "-again"
			calls = append(calls, again)
		}
	}
	reply.Calls = calls
	return reply, nil
}

// TestWorkerProcess is not a test: it is the worker process that
// TestRefundsExactlyOnceUnderFaults starts, kills and restarts.
func TestWorkerProcess(t *testing.T) {
	if os.Getenv(envWorker) != "1" {
		t.Skip("runs only as a worker process of TestRefundsExactlyOnceUnderFaults")
	}
	if err := runWorker(); err != nil {
		fmt.Fprintln(os.Stderr, "faulttest worker:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

// runWorker serves the task queue until stdin closes (the test ended or died).
func runWorker() error {
	ctx := context.Background()
	seed, err := strconv.ParseUint(os.Getenv(envSeed), 10, 64)
	if err != nil {
		return fmt.Errorf("%s: %w", envSeed, err)
	}
	logger := pgtest.Logger()
	pool, err := openPool(ctx, os.Getenv(envDatabase))
	if err != nil {
		return err
	}
	c, err := client.DialContext(ctx, client.Options{
		HostPort: os.Getenv(envTemporal), Namespace: os.Getenv(envNamespace),
		Logger: tlog.NewStructuredLogger(logger),
	})
	if err != nil {
		return fmt.Errorf("dial temporal: %w", err)
	}
	// Lines from concurrent activities must not interleave; a crash line must be out before
	// the process dies (os.Stdout is unbuffered).
	var outMu sync.Mutex
	say := func(line string) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintln(os.Stdout, line)
	}
	opts := shopFaults
	opts.Seed = seed
	opts.OnFault = func(f faultyshop.Fault, op string) { say(lineFault + string(f) + " " + op) }
	opts.OnCrash = func() {
		// The worker dies right after the shop committed the write: the activity is retried
		// elsewhere, after its start-to-close timeout.
		p, err := os.FindProcess(os.Getpid())
		if err == nil {
			outMu.Lock() // nothing more is written
			_ = p.Kill()
		}
		select {} // Kill is asynchronous; never return into the activity
	}
	faulty := faultyshop.New(shop.New(pool, logger), opts)
	reg, err := tools.NewRegistry(orders.Tools{Shop: faulty}.All()...)
	if err != nil {
		return err
	}
	cat, err := i18n.NewCatalog()
	if err != nil {
		return err
	}
	engine, err := offline.New(cat, hashembed.New(hashembed.DefaultDims))
	if err != nil {
		return err
	}
	acts := &agents.Activities{
		Store: convpg.New(pool), Events: stream.NewHub(), Tools: reg, Logger: logger,
		Responder: twice{next: agents.OfflineResponder{Engine: engine, Catalog: cat}},
	}
	w := agents.NewWorker(c, os.Getenv(envQueue), acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	say(lineReady)
	in := bufio.NewReader(os.Stdin)
	for {
		if _, err := in.ReadByte(); err != nil {
			return nil // stdin closed: exit without cleanup, as a crash would
		}
	}
}
