// Command attache runs Attaché: AI customer-service agents for cross-border commerce.
//
//	attache dev       the whole service on the embedded default (PGlite + embedded Temporal)
//	attache serve     the HTTP API and web UI (production; DATABASE_URL, TEMPORAL_ADDRESS)
//	attache worker    the Temporal worker that runs conversations (production)
//	attache migrate   apply database migrations
//	attache version   print the version
//
// Configuration comes from the environment; see the README for every setting.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/attache-dev/attache/evals/rollout"
	"github.com/attache-dev/attache/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "attache:", err)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `Usage: attache <command>

Commands:
  dev       run the whole service on the embedded default: PGlite (Postgres + pgvector)
            and the Temporal server in-process, data under $ATTACHE_DATA_DIR (.attache)
  serve     run the HTTP API and web UI (needs DATABASE_URL and TEMPORAL_ADDRESS)
  worker    run the Temporal worker that drives conversations
  migrate   apply the database migrations to DATABASE_URL
  kb        knowledge base: attache kb import PATH... (see attache kb)
  audit     the audit log: attache audit verify | attache audit list (see attache audit)
  staff     staff accounts: attache staff add | key | list (see attache staff)
  rollout   rollout stages: attache rollout list | set | history | check (see attache rollout)
  eval      regression sets: attache eval run | compare | check (see attache eval)
  version   print the version

Settings are environment variables; see README.md.
`

func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	modes := map[string]config.Mode{
		"dev": config.ModeDev, "serve": config.ModeServe, "worker": config.ModeWorker, "migrate": config.ModeMigrate,
	}
	cmd := args[0]
	switch cmd {
	case "version", "--version":
		fmt.Fprintln(stdout, "attache", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "eval":
		return runEval(ctx, args[1:], lookup, stdout, stderr)
	case "kb", "audit", "staff", "rollout":
		cfg, err := config.Load(lookup, config.ModeTool)
		if err != nil {
			return err
		}
		if cmd == "audit" {
			return runAudit(ctx, args[1:], cfg, newLogger(cfg, stderr), stdout, stderr)
		}
		if cmd == "staff" {
			return runStaff(ctx, args[1:], cfg, newLogger(cfg, stderr), os.Stdin, stdout, stderr)
		}
		if cmd == "rollout" {
			return runRollout(ctx, args[1:], cfg, newLogger(cfg, stderr), rollout.Options{}, stdout, stderr)
		}
		return runKB(ctx, args[1:], cfg, newLogger(cfg, stderr), stdout, stderr)
	}
	mode, ok := modes[cmd]
	if !ok {
		fmt.Fprintf(stderr, "attache: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
	if len(args) > 1 {
		fmt.Fprintf(stderr, "attache %s: takes no arguments (got %q); settings are environment variables\n", cmd, args[1:])
		return errUsage
	}
	cfg, err := config.Load(lookup, mode)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	if cmd != "migrate" {
		// A shop's teams file is read before anything starts: a typo is named at once.
		if _, err := loadTeams(cfg); err != nil {
			return err
		}
	}
	switch cmd {
	case "dev":
		return runDev(ctx, cfg, logger, stdout)
	case "serve":
		return runServe(ctx, cfg, logger)
	case "worker":
		return runWorker(ctx, cfg, logger)
	case "migrate":
		return runMigrate(ctx, cfg, logger)
	}
	return nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
