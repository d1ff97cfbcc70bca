package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/attache-dev/attache/evals/analytics"
	"github.com/attache-dev/attache/evals/rollout"
	"github.com/attache-dev/attache/evals/runstore"
	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/policy/audit"
)

const rolloutUsage = `Usage: attache rollout list
       attache rollout set [--market M] [--intent I] [--locale L] [--channel C] --stage S
                           [--canary PERCENT] [--set EVAL-SET] --reason WHY [--by NAME] [--version N]
       attache rollout history [--market M] [--intent I] [--locale L] [--channel C] [--limit N]
       attache rollout check

The staged rollout: how much the AI may do per market × intent (× locale × channel).
Stages: assist (the AI drafts, a person sends), standard (the AI resolves the allow-listed
intents), autonomous. A key field left out (or *) means any; the most specific rule wins.

list     prints every rule with the gate's verdict on the latest run of its regression set.
set      sets the rule for a key. --canary sends that share of conversations to the next
         stage up. A promotion (a higher stage or more canary) is refused unless the latest
         run of --set passes the gate; a rule without a set cannot be promoted. A demotion
         always goes through. --version is the rule version the change is made against
         (0 for a key without a rule), to refuse it if someone changed the rule meanwhile.
history  prints the changes, newest first; the key flags filter (* selects "any").
check    judges the live metrics now and demotes the keys that break a threshold.

Every change is stored with who, why and the evidence, and written to the audit log as done
by "cli:<NAME>": --by, else the operating-system user.

The database is DATABASE_URL, or the embedded one of a running ` + "`attache dev`" + ` (found
through $ATTACHE_DATA_DIR).
`

// flagOf names the flag of a field of a rollout change, for error messages.
var flagOf = map[string]string{
	"key.market": "--market", "key.intent": "--intent", "key.locale": "--locale", "key.channel": "--channel",
	"stage": "--stage", "canary_percent": "--canary", "regression_set": "--set", "reason": "--reason", "by": "--by", "if_version": "--version",
}

// runRollout runs `attache rollout`. opts carries what the command cannot find in the
// database itself: the eval runs for the gate (nil: none recorded, so no promotion passes),
// the live metrics for check, the default stage; the audit log and logger are added here.
func runRollout(ctx context.Context, args []string, cfg config.Config, logger *slog.Logger, opts rollout.Options, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "set" && args[0] != "history" && args[0] != "check") {
		fmt.Fprint(stderr, rolloutUsage)
		return errUsage
	}
	sub := args[0]
	usageErr := func(format string, a ...any) error {
		fmt.Fprintf(stderr, "attache rollout %s: %s\n\n%s", sub, fmt.Sprintf(format, a...), rolloutUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("rollout "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, rolloutUsage) }
	var key rollout.Key
	var stage, set, reason, by string
	var canary, version, limit int
	if sub == "set" || sub == "history" {
		fs.StringVar(&key.Market, "market", "", "ISO 3166-1 alpha-2 market, or * for any")
		fs.StringVar(&key.Intent, "intent", "", "intent name such as track_order, or * for any")
		fs.StringVar(&key.Locale, "locale", "", "BCP 47 locale such as de or pt-BR, or * for any")
		fs.StringVar(&key.Channel, "channel", "", "channel such as web or whatsapp, or * for any")
	}
	switch sub {
	case "set":
		fs.StringVar(&stage, "stage", "", "assist, standard or autonomous")
		fs.IntVar(&canary, "canary", 0, "percent of conversations that get the next stage up (0 to 100)")
		fs.StringVar(&set, "set", "", "the eval set whose latest run gates promotions of the key")
		fs.StringVar(&reason, "reason", "", "why the stage changes (recorded)")
		fs.StringVar(&by, "by", "", "who makes the change; default: the operating-system user")
		fs.IntVar(&version, "version", -1, "the rule version the change is made against (0: no rule yet)")
	case "history":
		fs.IntVar(&limit, "limit", 50, "at most this many changes (1 to 1000)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected %q", fs.Args())
	}
	var (
		req  rollout.SetRequest
		hist rollout.ChangeFilter
	)
	switch sub {
	case "set":
		st, err := rollout.ParseStage(stage)
		switch {
		case stage == "":
			return usageErr("--stage is required")
		case err != nil:
			return usageErr("--stage: %q is not one of assist, standard, autonomous", stage)
		case canary < 0 || canary > 100:
			return usageErr("--canary: %d is not a percentage from 0 to 100", canary)
		case strings.TrimSpace(reason) == "":
			return usageErr("--reason is required: say why the stage changes")
		}
		if _, err := key.Normalize(); err != nil {
			return usageErr("%s", flagErrors(err))
		}
		actor, err := cliActor(by)
		if err != nil {
			return usageErr("%v", err)
		}
		req = rollout.SetRequest{Key: key, Stage: st, CanaryPercent: canary, RegressionSet: set, Reason: reason, By: actor}
		if version >= 0 {
			req.IfVersion = &version
		}
	case "history":
		if limit < 1 || limit > 1000 {
			return usageErr("--limit: %d is not from 1 to 1000", limit)
		}
		norm, err := key.Normalize()
		if err != nil {
			return usageErr("%s", flagErrors(err))
		}
		// A flag left out does not filter, * selects the rules for any value.
		pick := func(raw, normal string) string {
			if raw = strings.TrimSpace(raw); raw == "" || raw == "*" {
				return raw
			}
			return normal
		}
		hist = rollout.ChangeFilter{Market: pick(key.Market, norm.Market), Intent: pick(key.Intent, norm.Intent),
			Locale: pick(key.Locale, norm.Locale), Channel: pick(key.Channel, norm.Channel), Limit: limit}
	}

	pool, err := openToolDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	opts.Audit, opts.Logger = audit.New(pool), logger
	if opts.Runs == nil {
		opts.Runs = runstore.New(pool, logger)
	}
	if opts.Metrics == nil {
		an, err := analytics.New(ctx, pool, analytics.Options{ExcludeEval: true, Logger: logger})
		if err != nil {
			return err
		}
		opts.Metrics = liveMetrics{an}
	}
	if opts.DefaultStage == "" {
		if opts.DefaultStage, err = rollout.ParseStage(cfg.RolloutDefaultStage); err != nil {
			return fmt.Errorf("ATTACHE_ROLLOUT_DEFAULT_STAGE: %w", err)
		}
	}
	policy := rollout.New(rollout.NewStore(pool), opts)
	switch sub {
	case "list":
		return printRolloutRules(ctx, policy, stdout)
	case "set":
		ch, err := policy.Set(ctx, req)
		var ge *rollout.GateError
		switch {
		case errors.As(err, &ge):
			return fmt.Errorf("promotion of %s refused by the gate:\n  %s", ge.Key, strings.Join(ge.Status.Failures, "\n  "))
		case errors.Is(err, rollout.ErrInvalid):
			return fmt.Errorf("%s", flagErrors(err))
		case errors.Is(err, rollout.ErrStale):
			return fmt.Errorf("--version: %w", err)
		case err != nil:
			return err
		}
		fmt.Fprintf(stdout, "%s: %s → %s, version %d\n", ch.Key, stageCanary(ch.FromStage, ch.FromCanary), stageCanary(ch.ToStage, ch.ToCanary), ch.Version)
		if r := ch.Evidence.Run; r != nil {
			fmt.Fprintf(stdout, "gate passed on run %s of set %s: pass rate %.3g, pass^k %.3g, %d guardrail violations, repeat %d\n",
				r.RunID, r.Set, r.PassRate, r.PassK, r.GuardrailViolations, r.Repeat)
		}
	case "history":
		cs, err := policy.Changes(ctx, hist)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tAT\tKEY\tACTION\tCHANGE\tBY\tREASON")
		for _, c := range cs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s → %s\t%s\t%s\n", c.ID, c.At.UTC().Format(time.RFC3339), c.Key, c.Action,
				stageCanary(c.FromStage, c.FromCanary), stageCanary(c.ToStage, c.ToCanary), c.By, oneLine(c.Reason))
		}
		return tw.Flush()
	case "check":
		cs, err := policy.CheckLive(ctx, time.Now())
		if errors.Is(err, rollout.ErrNoMetrics) {
			return errors.New("rollout check: live metrics are not available to this command")
		}
		for _, c := range cs {
			fmt.Fprintf(stdout, "demoted %s: %s → %s: %s\n", c.Key, stageCanary(c.FromStage, c.FromCanary), stageCanary(c.ToStage, c.ToCanary), c.Reason)
		}
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			fmt.Fprintln(stdout, "no key broke a threshold")
		}
	}
	return nil
}

func printRolloutRules(ctx context.Context, policy *rollout.Policy, w io.Writer) error {
	sts, err := policy.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "default stage for keys without a rule: %s\n", policy.DefaultStage())
	fmt.Fprintln(tw, "KEY\tSTAGE\tSET\tVERSION\tGATE\tUPDATED BY\tREASON")
	for _, st := range sts {
		r := st.Rule
		gate := "pass"
		if r := st.Gate.Run; r != nil {
			gate += fmt.Sprintf(" (run %s: pass rate %.3g, pass^k %.3g)", r.RunID, r.PassRate, r.PassK)
		}
		if !st.Gate.Passed {
			gate = "fail: " + strings.Join(st.Gate.Failures, "; ")
		}
		if r.Stage == rollout.Autonomous {
			gate = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.Key, stageCanary(r.Stage, r.CanaryPercent), orDash(r.RegressionSet), r.Version, gate,
			r.UpdatedBy, oneLine(r.Reason))
	}
	return tw.Flush()
}

// stageCanary writes a stage with its canary: "standard +10% autonomous".
func stageCanary(s rollout.Stage, canary int) string {
	if next, ok := s.Next(); ok && canary > 0 {
		return fmt.Sprintf("%s +%d%% %s", s, canary, next)
	}
	return string(s)
}

// cliActor is who a CLI change is recorded as: "cli:" and --by, else the OS user.
func cliActor(by string) (string, error) {
	if by = strings.TrimSpace(by); by == "" {
		if u, err := user.Current(); err == nil && u.Username != "" {
			by = u.Username
		} else {
			by = os.Getenv("USER")
		}
	}
	if by == "" {
		return "", errors.New("--by is required: the operating-system user is unknown")
	}
	return "cli:" + by, nil
}

// flagErrors writes a change's validation problems with the flags they belong to.
func flagErrors(err error) string {
	var ve *rollout.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	parts := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		name := flagOf[p.Field]
		if name == "" {
			name = p.Field
		}
		parts[i] = name + ": " + p.Reason
	}
	return strings.Join(parts, "; ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
