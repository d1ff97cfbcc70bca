package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/policy/audit"
)

const auditUsage = `Usage: attache audit verify
       attache audit list [--subject S] [--action A] [--after SEQ] [--limit N]

verify walks the append-only audit log, recomputes every entry's hash and checks the chain:
it ends with "audit log intact: N entries, head <hash>" or names the first entry that is
missing, unlinked or changed, and then exits with an error. list prints entries as JSON
lines, oldest first.

The database is DATABASE_URL, or the embedded one of a running ` + "`attache dev`" + ` (found
through $ATTACHE_DATA_DIR).
`

func runAudit(ctx context.Context, args []string, cfg config.Config, logger *slog.Logger, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "list") {
		fmt.Fprint(stderr, auditUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("audit "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	subject := fs.String("subject", "", "only entries about this subject")
	action := fs.String("action", "", "only entries of this action")
	after := fs.Int64("after", 0, "only entries after this sequence number")
	limit := fs.Int("limit", 100, "at most this many entries (up to 1000)")
	fs.Usage = func() { fmt.Fprint(stderr, auditUsage) }
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "attache audit %s: unexpected %q\n\n%s", args[0], fs.Args(), auditUsage)
		return errUsage
	}
	pool, err := openToolDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	log := audit.New(pool)
	if args[0] == "list" {
		recs, err := log.Entries(ctx, audit.Filter{Subject: *subject, Action: *action, After: *after, Limit: *limit})
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		for _, r := range recs {
			if err := enc.Encode(map[string]any{"seq": r.Seq, "at": r.At, "actor": r.Actor, "action": r.Action,
				"subject": r.Subject, "details": r.Details, "hash": hex.EncodeToString(r.Hash)}); err != nil {
				return err
			}
		}
		return nil
	}
	prog := newProgress(stderr)
	rep, err := log.Verify(ctx, func(n int) { prog.line(fmt.Sprintf("verifying… %d entries", n)) })
	if err != nil {
		return err
	}
	if !rep.OK {
		fmt.Fprintf(stdout, "audit log broken at entry %d: %s\n", rep.BrokenAt, rep.Reason)
		return fmt.Errorf("audit log broken at entry %d", rep.BrokenAt)
	}
	fmt.Fprintf(stdout, "audit log intact: %d entries, head %s\n", rep.Entries, hex.EncodeToString(rep.Head))
	return nil
}
