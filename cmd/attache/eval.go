package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/evals/live"
	"github.com/attache-dev/attache/evals/tau2"
	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/policy/historycodec"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
	"github.com/attache-dev/attache/tools/identity"
)

const evalUsage = `Usage:
  attache eval run [flags] SET...     run regression sets (files or directories of .yaml)
  attache eval compare BASE HEAD      compare two runs' run.json; exits 1 on regressions
  attache eval check SET...           read the sets and report problems, without running

Run flags:
  --repeat k        attempts per case, for pass^k (default 1)
  --parallel n      attempts at once (default 4)
  --out DIR         where run.json, junit.xml and report.html go (default eval-reports/<run id>)
  --case PATTERN    only cases whose set/id matches the pattern (path.Match: orders/*)
  --label k=v       a label kept with the run (repeatable): git revision, CI job
  --data-dir DIR    keep the embedded stack's data there (default: a temporary directory)
  --min-pass-rate r exit 1 when the pass rate is below r (0..1; default 0: never)
  --verbose         show the embedded stack's logs

The sets run on the real conversation path — the workflow, tools and guardrails — of an
embedded Attaché (PGlite + Temporal) started for the run, with the configured model
(ATTACHE_LLM_PROVIDER) or the offline engine.
`

var errRegressions = errors.New("regressions")

// evalTeams is the human side of an eval's own stack: one team, always on shift.
//
//go:embed evalteams.json
var evalTeams []byte

func runEval(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, evalUsage)
		return errUsage
	}
	switch args[0] {
	case "run":
		return evalRun(ctx, args[1:], lookup, stdout, stderr)
	case "compare":
		return evalCompare(args[1:], stdout, stderr)
	case "check":
		if len(args) < 2 {
			fmt.Fprint(stderr, evalUsage)
			return errUsage
		}
		sets, err := evals.LoadSets(args[1:])
		if err != nil {
			return err
		}
		n := 0
		for _, s := range sets {
			n += len(s.Cases)
		}
		fmt.Fprintf(stdout, "%d sets, %d cases: no problems found\n", len(sets), n)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, evalUsage)
		return nil
	}
	fmt.Fprintf(stderr, "attache eval: unknown command %q\n\n%s", args[0], evalUsage)
	return errUsage
}

type labels map[string]string

func (l labels) String() string { return fmt.Sprint(map[string]string(l)) }
func (l labels) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	l[k] = val
	return nil
}

func evalRun(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repeat := fs.Int("repeat", 1, "attempts per case (pass^k)")
	parallel := fs.Int("parallel", 4, "attempts at once")
	out := fs.String("out", "", "report directory")
	only := fs.String("case", "", "only cases whose set/id matches this pattern")
	dataDir := fs.String("data-dir", "", "the embedded stack's data directory")
	minPass := fs.Float64("min-pass-rate", 0, "exit 1 below this pass rate")
	verbose := fs.Bool("verbose", false, "show the stack's logs")
	lbls := labels{}
	fs.Var(lbls, "label", "key=value kept with the run")
	fs.Usage = func() { fmt.Fprint(stderr, evalUsage) }
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	switch {
	case fs.NArg() == 0:
		fmt.Fprintln(stderr, "attache eval run: name at least one set file or directory")
		return errUsage
	case *repeat < 1 || *repeat > 20:
		return fmt.Errorf("--repeat: %d is outside 1..20", *repeat)
	case *parallel < 1 || *parallel > 64:
		return fmt.Errorf("--parallel: %d is outside 1..64", *parallel)
	case *minPass < 0 || *minPass > 1:
		return fmt.Errorf("--min-pass-rate: %v is outside 0..1", *minPass)
	}
	if *only != "" {
		if _, err := path.Match(*only, "x"); err != nil {
			return fmt.Errorf("--case: %q is not a pattern: %w", *only, err)
		}
	}
	sets, err := evals.LoadSets(fs.Args())
	if err != nil {
		return err
	}

	dir := *dataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "attache-eval-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	if err := os.WriteFile(filepath.Join(dir, "eval-teams.json"), evalTeams, 0o600); err != nil {
		return fmt.Errorf("--data-dir: %w", err)
	}
	cfg, err := config.Load(evalEnv(lookup, dir), config.ModeDev)
	if err != nil {
		return err
	}
	if _, err := loadTeams(cfg); err != nil {
		return err
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	fmt.Fprintln(stderr, "starting an embedded Attaché for the run...")
	st, err := startDev(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer st.stop()
	if _, err := seedKnowledge(ctx, st.kb, logger); err != nil {
		return err
	}
	drv := newEvalDriver(st, cfg, logger)
	runner := &evals.Runner{Driver: drv, Engine: engineName(cfg), Repeat: *repeat,
		Parallel: *parallel, Progress: stderr, Labels: lbls}
	// The configured model plays the customer of τ²-retail sets.
	if sim, err := newModel(cfg); err != nil {
		return err
	} else if sim != nil {
		runner.Tau2 = tau2.Player{Simulator: sim, Shop: drv.Shop, Logger: logger}
	}
	if *only != "" {
		runner.Filter = func(set, id string) bool { ok, _ := path.Match(*only, set+"/"+id); return ok }
	}
	run, err := runner.Run(ctx, sets)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join("eval-reports", run.ID)
	}
	files, err := writeReports(*out, run)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	if err := evals.WriteTable(stdout, run); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\npass rate %.1f%%, pass^%d %.1f%%, guardrail violations %d\nreports: %s\n",
		100*run.Summary.PassRate, run.Repeat, 100*run.Summary.PassK, run.Summary.GuardrailViolations, strings.Join(files, ", "))
	if run.Summary.PassRate < *minPass {
		return fmt.Errorf("pass rate %.3f is below --min-pass-rate %.3f", run.Summary.PassRate, *minPass)
	}
	return nil
}

// evalEnv is the environment with what an eval's own embedded stack needs over it: a
// private data directory, a free port, no rate limits, and an identity secret for cases
// with a verified customer.
func evalEnv(lookup func(string) (string, bool), dataDir string) func(string) (string, bool) {
	over := map[string]string{
		"ATTACHE_DATA_DIR":                dataDir,
		"ATTACHE_HTTP_ADDR":               "127.0.0.1:0",
		"ATTACHE_RATE_LIMIT_IP":           "0",
		"ATTACHE_RATE_LIMIT_CONVERSATION": "0",
		"ATTACHE_SEED":                    "false",
	}
	if v, ok := lookup("ATTACHE_TEAMS_FILE"); !ok || v == "" {
		// One team always on shift: a case's replies do not depend on the time of day (an
		// off-hours notice). A shop's own teams file is used when it is set.
		over["ATTACHE_TEAMS_FILE"] = filepath.Join(dataDir, "eval-teams.json")
	}
	if v, ok := lookup("ATTACHE_IDENTITY_SECRET"); !ok || v == "" {
		over["ATTACHE_IDENTITY_SECRET"] = "eval-identity-secret-" + fmt.Sprint(time.Now().UnixNano()) + "-0123456789"
	}
	return func(k string) (string, bool) {
		if v, ok := over[k]; ok {
			return v, true
		}
		return lookup(k)
	}
}

// newEvalDriver drives cases through the stack's own API and stores.
func newEvalDriver(st *devStack, cfg config.Config, logger *slog.Logger) *live.Driver {
	d := &live.Driver{
		HTTP: &http.Client{Timeout: cfg.TurnWait + 30*time.Second}, Base: st.http.URL(),
		Conversations: st.stores.convs, Shop: pgstore.New(st.pool, logger), Tools: st.acts.Tools, Temporal: st.tc,
		Converter: historycodec.DataConverter(st.codec), Logger: logger,
	}
	if cfg.IdentitySecret != "" {
		if v, err := identity.NewVerifier([]byte(cfg.IdentitySecret)); err == nil {
			d.SignIdentity = func(email string) (string, error) {
				return v.Sign(identity.Claims{Email: email, Expiry: time.Now().Add(time.Hour)})
			}
		}
	}
	return d
}

// engineName names what answers in a run: "offline" or "<provider>:<model>".
func engineName(cfg config.Config) string {
	if cfg.LLM.Provider == "" || cfg.LLM.Provider == "offline" {
		return "offline"
	}
	return cfg.LLM.Provider + ":" + cfg.LLM.Model
}

// writeReports writes run.json, junit.xml and report.html into dir.
func writeReports(dir string, run *evals.Run) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	var files []string
	for name, write := range map[string]func(io.Writer, *evals.Run) error{
		"run.json": evals.WriteJSON, "junit.xml": evals.WriteJUnit, "report.html": evals.WriteHTML,
	} {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			return nil, err
		}
		err = write(f, run)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
		files = append(files, p)
	}
	return files, nil
}

func evalCompare(args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 {
		fmt.Fprintln(stderr, "attache eval compare: give two run.json files: BASE HEAD")
		return errUsage
	}
	base, err := evals.ReadRunFile(args[0])
	if err != nil {
		return fmt.Errorf("base: %w", err)
	}
	head, err := evals.ReadRunFile(args[1])
	if err != nil {
		return fmt.Errorf("head: %w", err)
	}
	c := evals.Compare(base, head)
	if err := c.WriteText(stdout); err != nil {
		return err
	}
	if c.HasRegressions() {
		return fmt.Errorf("%d cases regressed: %w", len(c.Regressions), errRegressions)
	}
	return nil
}
