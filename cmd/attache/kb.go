package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/internal/postgres"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/importer"
	kbstore "github.com/attache-dev/attache/knowledge/pgstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

const kbUsage = `Usage: attache kb import [--by NAME] [--strict] PATH...

Imports knowledge-base content from files or directories: Markdown with front matter,
HTML, CSV and JSON Lines (external_id, locale, title, body, market, tags, url, status,
source_locale). Re-importing is idempotent. Shows progress and a summary; rejected rows are
listed with their reasons and nothing already stored is lost.

The text is stored first (searchable by full text at once), then the vectors are computed
with their own progress. Interrupted during the vectors, the import is complete and the
missing vectors are filled by the next import or the next start of the service.

The database is DATABASE_URL, or the embedded one of a running ` + "`attache dev`" + ` (found
through $ATTACHE_DATA_DIR).
`

// runtimeInfo is what `attache dev` publishes about itself for the other commands.
type runtimeInfo struct {
	DatabaseURL string `json:"database_url"`
	HTTPURL     string `json:"http_url"`
	PID         int    `json:"pid"`
}

func runtimeFile(dataDir string) string { return filepath.Join(dataDir, "runtime.json") }

// databaseURL is DATABASE_URL, or the embedded database of a running `attache dev`.
func databaseURL(cfg config.Config) (string, error) {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL, nil
	}
	b, err := os.ReadFile(runtimeFile(cfg.DataDir))
	if err != nil {
		return "", errors.New("DATABASE_URL: required (or start `attache dev` with the same ATTACHE_DATA_DIR)")
	}
	var ri runtimeInfo
	if err := json.Unmarshal(b, &ri); err != nil || ri.DatabaseURL == "" {
		return "", fmt.Errorf("%s is damaged; set DATABASE_URL", runtimeFile(cfg.DataDir))
	}
	return ri.DatabaseURL, nil
}

// openToolDatabase opens, migrated, the database a command-line tool works on: DATABASE_URL
// or that of a running `attache dev`.
func openToolDatabase(ctx context.Context, cfg config.Config, logger *slog.Logger) (*pgxpool.Pool, error) {
	url, err := databaseURL(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := postgres.Migrate(ctx, url, logger); err != nil {
		return nil, err
	}
	return postgres.Open(ctx, url, logger)
}

func runKB(ctx context.Context, args []string, cfg config.Config, logger *slog.Logger, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, kbUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("kb import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	by := fs.String("by", "cli", "who is importing (recorded in the version history)")
	strict := fs.Bool("strict", false, "exit with an error when any row is rejected")
	fs.Usage = func() { fmt.Fprint(stderr, kbUsage) }
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, "attache kb import: name at least one file or directory\n\n"+kbUsage)
		return errUsage
	}
	for _, p := range fs.Args() {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("kb import: %w", err)
		}
	}
	pool, err := openToolDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	kb, err := newKnowledge(ctx, cfg, pool, logger)
	if err != nil {
		return err
	}
	prog := newProgress(stderr)
	sum, err := knowledge.Import(ctx, kb.TextOnly(), *by, func(emit func(knowledge.Record) error, reject func(knowledge.RowError)) error {
		for _, p := range fs.Args() {
			if err := importer.Walk(ctx, p, emit, reject); err != nil {
				return err
			}
		}
		return nil
	}, prog.update)
	prog.done(sum)
	printSummary(stdout, sum)
	if err != nil {
		return fmt.Errorf("import stopped: %w (what was stored stays stored; importing again is safe)", err)
	}
	if err := fillVectors(ctx, kb, stderr); err != nil {
		return err
	}
	if *strict && sum.Rejected > 0 {
		return fmt.Errorf("%d rows rejected", sum.Rejected)
	}
	return nil
}

// fillVectors computes the vectors the import left missing, showing progress.
func fillVectors(ctx context.Context, kb *kbstore.Store, stderr io.Writer) error {
	missing, err := kb.MissingVectors(ctx)
	if err != nil || missing == 0 {
		return err
	}
	prog := newProgress(stderr)
	start := time.Now()
	_, err = kb.FillVectors(ctx, func(done int) {
		prog.line(fmt.Sprintf("embedding… %d/%d chunks %.0f/s", done, missing, float64(done)/max(time.Since(start).Seconds(), 0.001)))
	})
	prog.done(knowledge.Summary{})
	if err != nil {
		return fmt.Errorf("vectors stopped: %w (the text is stored and found by full text; the next import or start fills the vectors)", err)
	}
	fmt.Fprintf(stderr, "embedded %d chunks in %s\n", missing, time.Since(start).Round(time.Millisecond))
	return nil
}

// progress prints a running count at most a few times a second.
type progress struct {
	w    io.Writer
	tty  bool
	last time.Time
}

func newProgress(w io.Writer) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, tty: tty}
}

func (p *progress) update(s knowledge.Summary) {
	rate := float64(s.Total()) / max(s.Duration.Seconds(), 0.001)
	p.line(fmt.Sprintf("importing… %d records (%s) %.0f/s", s.Total(), s, rate))
}

// line shows a progress line, at most four times a second.
func (p *progress) line(text string) {
	if time.Since(p.last) < 250*time.Millisecond {
		return
	}
	p.last = time.Now()
	end := "\n"
	if p.tty {
		end = "\r"
	}
	fmt.Fprint(p.w, text+end)
}

func (p *progress) done(knowledge.Summary) {
	if p.tty && !p.last.IsZero() {
		fmt.Fprintln(p.w)
	}
}

func printSummary(w io.Writer, s knowledge.Summary) {
	fmt.Fprintf(w, "%s in %s\n", s, s.Duration.Round(time.Millisecond))
	const show = 50
	for i, r := range s.Rejections {
		if i == show {
			fmt.Fprintf(w, "  … and %d more rejected\n", s.Rejected-show)
			break
		}
		where := r.Source
		if r.Line > 0 {
			where += fmt.Sprintf(":%d", r.Line)
		}
		if r.ExternalID != "" {
			where += " (" + r.ExternalID + ")"
		}
		fmt.Fprintf(w, "  rejected %s: %s\n", where, strings.TrimSpace(r.Reason))
	}
}
