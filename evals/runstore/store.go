// Package runstore keeps evaluation runs in PostgreSQL (tables eval_runs, eval_run_sets and
// eval_conversations): a run is begun when the runner starts it, finished with the whole
// [evals.Run] (every case, attempt, transcript and check) or failed with a reason. It answers
// the eval API and console (lists, one run, its cases), the rollout gate (the latest finished
// run of a set: *Store implements evals/rollout.Runs) and analytics (which conversations an
// evaluation created).
//
// It is not the runner, the scoring or the report formats (package evals), nor access control
// (httpapi). A run's JSON is stored as [evals.Run] marshals it, so a stored run reads back
// exactly as `attache eval run` would have written it.
package runstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/attache-dev/attache/evals"
)

// Run statuses.
const (
	StatusRunning  = "running"  // begun, not yet finished
	StatusFinished = "finished" // finished: the whole run is stored
	StatusFailed   = "failed"   // the run could not finish; Meta.Error says why
)

// List bounds.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

var (
	// ErrNotFound: no run has the ID.
	ErrNotFound = errors.New("eval run not found")
	// ErrExists: Begin was given the ID of a run already stored.
	ErrExists = errors.New("eval run already exists")
	// ErrNotRunning: the run has already failed (Finish) or is no longer running (Fail).
	ErrNotRunning = errors.New("eval run is not running")
	// ErrInvalid: the arguments cannot be stored (empty ID, repeat below 1, a conversation
	// ID that is not a UUID).
	ErrInvalid = errors.New("eval run invalid")
)

// DB is what the store needs of a pool; *pgxpool.Pool has it.
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Store reads and writes evaluation runs. It is safe for concurrent use.
type Store struct {
	db     DB
	logger *slog.Logger
}

// New returns a Store on db, whose schema must be migrated.
func New(db DB, logger *slog.Logger) *Store {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Store{db: db, logger: logger}
}

// Meta is a run as listed: who started it, when, on which engine, its status and figures.
type Meta struct {
	ID         string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Engine     string
	Repeat     int
	Status     string
	StartedBy  string
	Error      string   // why a failed run failed
	Sets       []string // the sets' names, in the run's order
	// Summary is the finished run's figures; zero while running and for a failed run.
	Summary evals.Summary
	Labels  map[string]string
}

// Begin records a run the runner is starting (status running). by names who started it
// ("staff:lena@shop.example", "cli", "ci"). A second Begin with the same ID fails with
// ErrExists.
func (s *Store) Begin(ctx context.Context, id, engine string, repeat int, by string, sets []evals.SetRun) error {
	if id == "" || repeat < 1 {
		return fmt.Errorf("begin eval run %q: %w: an ID and a repeat of at least 1 are needed", id, ErrInvalid)
	}
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin eval run %s: %w", id, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	_, err = tx.Exec(ctx, `INSERT INTO eval_runs (id, engine, repeat, started_by) VALUES ($1, $2, $3, $4)`,
		id, engine, repeat, by)
	if isCode(err, "23505") {
		return fmt.Errorf("begin eval run %s: %w", id, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("begin eval run %s: %w", id, err)
	}
	if err := writeSets(ctx, tx, id, sets); err != nil {
		return fmt.Errorf("begin eval run %s: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("begin eval run %s: %w", id, err)
	}
	return nil
}

// Finish stores the whole run and marks it finished. A run never begun is stored as well (a
// run made by the CLI, imported); finishing a finished run again replaces it. Finishing a
// failed run fails with ErrNotRunning.
func (s *Store) Finish(ctx context.Context, run *evals.Run) error {
	if run == nil || run.ID == "" || run.Repeat < 1 {
		return fmt.Errorf("finish eval run: %w: an ID and a repeat of at least 1 are needed", ErrInvalid)
	}
	report, err := json.Marshal(run)
	if err != nil {
		return fmt.Errorf("finish eval run %s: encode: %w", run.ID, err)
	}
	summary, err := json.Marshal(run.Summary)
	if err != nil {
		return fmt.Errorf("finish eval run %s: encode summary: %w", run.ID, err)
	}
	labels, err := json.Marshal(nonNilLabels(run.Labels))
	if err != nil {
		return fmt.Errorf("finish eval run %s: encode labels: %w", run.ID, err)
	}
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("finish eval run %s: %w", run.ID, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	tag, err := tx.Exec(ctx, `
		INSERT INTO eval_runs AS r (id, started_at, finished_at, engine, repeat, status, labels, summary, report)
		VALUES ($1, COALESCE($2, now()), COALESCE($3, now()), $4, $5, 'finished', $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET
			started_at  = COALESCE($2, r.started_at),
			finished_at = EXCLUDED.finished_at,
			engine      = EXCLUDED.engine,
			repeat      = EXCLUDED.repeat,
			status      = 'finished',
			labels      = EXCLUDED.labels,
			summary     = EXCLUDED.summary,
			report      = EXCLUDED.report,
			error       = ''
		WHERE r.status <> 'failed'`,
		run.ID, nullTime(run.StartedAt), nullTime(run.FinishedAt), run.Engine, run.Repeat, labels, summary, report)
	if err != nil {
		return fmt.Errorf("finish eval run %s: %w", run.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("finish eval run %s: %w: it has failed", run.ID, ErrNotRunning)
	}
	if len(run.Sets) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM eval_run_sets WHERE run_id = $1`, run.ID); err != nil {
			return fmt.Errorf("finish eval run %s: %w", run.ID, err)
		}
		if err := writeSets(ctx, tx, run.ID, run.Sets); err != nil {
			return fmt.Errorf("finish eval run %s: %w", run.ID, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("finish eval run %s: %w", run.ID, err)
	}
	return nil
}

// Fail marks a running run failed with a reason shown to evaluators (no internal error text
// that could hold personal data: say what failed). A run that is not running fails with
// ErrNotRunning, an unknown one with ErrNotFound.
func (s *Store) Fail(ctx context.Context, id, reason string) error {
	tag, err := s.db.Exec(ctx, `UPDATE eval_runs SET status = 'failed', finished_at = now(), error = $2
		WHERE id = $1 AND status = 'running'`, id, reason)
	if err != nil {
		return fmt.Errorf("fail eval run %s: %w", id, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var status string
	err = s.db.QueryRow(ctx, `SELECT status FROM eval_runs WHERE id = $1`, id).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("fail eval run %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("fail eval run %s: %w", id, err)
	}
	return fmt.Errorf("fail eval run %s: %w: it is %s", id, ErrNotRunning, status)
}

// metaColumns are the columns scanMeta reads, for a query over eval_runs r.
const metaColumns = `r.id, r.started_at, r.finished_at, r.engine, r.repeat, r.status, r.started_by, r.error,
	r.summary, r.labels, ARRAY(SELECT s.set_name FROM eval_run_sets s WHERE s.run_id = r.id ORDER BY s.position)`

func scanMeta(row pgx.Row, extra ...any) (Meta, error) {
	var (
		m        Meta
		finished *time.Time
		summary  []byte
		labels   []byte
	)
	dest := append([]any{&m.ID, &m.StartedAt, &finished, &m.Engine, &m.Repeat, &m.Status, &m.StartedBy, &m.Error,
		&summary, &labels, &m.Sets}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Meta{}, err
	}
	m.StartedAt = m.StartedAt.UTC()
	if finished != nil {
		m.FinishedAt = finished.UTC()
	}
	if len(summary) > 0 {
		if err := json.Unmarshal(summary, &m.Summary); err != nil {
			return Meta{}, fmt.Errorf("decode summary: %w", err)
		}
	}
	if len(labels) > 0 {
		if err := json.Unmarshal(labels, &m.Labels); err != nil {
			return Meta{}, fmt.Errorf("decode labels: %w", err)
		}
	}
	if m.Sets == nil {
		m.Sets = []string{}
	}
	return m, nil
}

// Get returns a run and its meta. A finished run is the whole run as finished; a running
// or failed run holds what Begin recorded (ID, start, engine, repeat, sets), no cases.
func (s *Store) Get(ctx context.Context, id string) (*evals.Run, Meta, error) {
	var report []byte
	m, err := scanMeta(s.db.QueryRow(ctx, `SELECT `+metaColumns+`, r.report FROM eval_runs r WHERE r.id = $1`, id), &report)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Meta{}, fmt.Errorf("get eval run %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, Meta{}, fmt.Errorf("get eval run %s: %w", id, err)
	}
	if len(report) > 0 {
		run, err := decodeRun(report)
		if err != nil {
			return nil, Meta{}, fmt.Errorf("get eval run %s: %w", id, err)
		}
		return run, m, nil
	}
	sets, err := s.sets(ctx, id)
	if err != nil {
		return nil, Meta{}, fmt.Errorf("get eval run %s: %w", id, err)
	}
	return &evals.Run{ID: m.ID, StartedAt: m.StartedAt, FinishedAt: m.FinishedAt, Engine: m.Engine, Repeat: m.Repeat,
		Sets: sets, Labels: m.Labels}, m, nil
}

func (s *Store) sets(ctx context.Context, id string) ([]evals.SetRun, error) {
	rows, err := s.db.Query(ctx, `SELECT set_name, path, kind, cases, runnable, reason FROM eval_run_sets
		WHERE run_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (evals.SetRun, error) {
		var sr evals.SetRun
		err := row.Scan(&sr.Name, &sr.Path, &sr.Kind, &sr.Cases, &sr.Runnable, &sr.Reason)
		return sr, err
	})
}

// List returns the newest runs first, at most limit (DefaultLimit when 0 or less, at most
// MaxLimit); with a set name, only the runs that include that set. Running and failed runs
// are listed too.
func (s *Store) List(ctx context.Context, limit int, set string) ([]Meta, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	rows, err := s.db.Query(ctx, `SELECT `+metaColumns+` FROM eval_runs r
		WHERE $1 = '' OR EXISTS (SELECT 1 FROM eval_run_sets s WHERE s.run_id = r.id AND s.set_name = $1)
		ORDER BY r.started_at DESC, r.id DESC LIMIT $2`, set, limit)
	if err != nil {
		return nil, fmt.Errorf("list eval runs: %w", err)
	}
	ms, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Meta, error) { return scanMeta(row) })
	if err != nil {
		return nil, fmt.Errorf("list eval runs: %w", err)
	}
	return ms, nil
}

// LatestRun returns the newest (by start) finished run that includes the set, named by its
// name or its path, whether or not the set was runnable in it (SetRun.Runnable says);
// running and failed runs are passed over. When there is none it returns nil and no error:
// the rollout gate (evals/rollout.Runs) reads that as "never run".
func (s *Store) LatestRun(ctx context.Context, set string) (*evals.Run, error) {
	if set == "" {
		return nil, nil
	}
	var report []byte
	err := s.db.QueryRow(ctx, `SELECT r.report FROM eval_runs r
		WHERE r.status = 'finished'
		  AND EXISTS (SELECT 1 FROM eval_run_sets s WHERE s.run_id = r.id AND (s.set_name = $1 OR s.path = $1))
		ORDER BY r.started_at DESC, r.id DESC LIMIT 1`, set).Scan(&report)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest eval run of set %s: %w", set, err)
	}
	run, err := decodeRun(report)
	if err != nil {
		return nil, fmt.Errorf("latest eval run of set %s: %w", set, err)
	}
	return run, nil
}

// RecordConversation records that the run created the conversation, so that analytics can
// leave it out. Recording it again is a no-op. An unknown run fails with ErrNotFound.
func (s *Store) RecordConversation(ctx context.Context, conversationID, runID string) error {
	cid, err := uuid.Parse(conversationID)
	if err != nil {
		return fmt.Errorf("record eval conversation: %w: the conversation ID is not a UUID", ErrInvalid)
	}
	_, err = s.db.Exec(ctx, `INSERT INTO eval_conversations (conversation_id, run_id) VALUES ($1, $2)
		ON CONFLICT (conversation_id) DO NOTHING`, cid.String(), runID)
	if isCode(err, "23503") {
		return fmt.Errorf("record eval conversation of run %s: %w", runID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("record eval conversation of run %s: %w", runID, err)
	}
	return nil
}

// IsEvalConversation reports whether an evaluation created the conversation.
func (s *Store) IsEvalConversation(ctx context.Context, conversationID string) (bool, error) {
	cid, err := uuid.Parse(conversationID)
	if err != nil {
		return false, nil
	}
	var ok bool
	err = s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM eval_conversations WHERE conversation_id = $1)`, cid.String()).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("is eval conversation: %w", err)
	}
	return ok, nil
}

func writeSets(ctx context.Context, tx pgx.Tx, id string, sets []evals.SetRun) error {
	seen := map[string]bool{}
	for i, sr := range sets {
		if sr.Name == "" || seen[sr.Name] {
			return fmt.Errorf("%w: set %d has no name or repeats one", ErrInvalid, i+1)
		}
		seen[sr.Name] = true
		if _, err := tx.Exec(ctx, `INSERT INTO eval_run_sets (run_id, set_name, position, path, kind, cases, runnable, reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, sr.Name, i, sr.Path, sr.Kind, sr.Cases, sr.Runnable, sr.Reason); err != nil {
			return fmt.Errorf("set %s: %w", sr.Name, err)
		}
	}
	return nil
}

func decodeRun(report []byte) (*evals.Run, error) {
	var run evals.Run
	if err := json.Unmarshal(report, &run); err != nil {
		return nil, fmt.Errorf("decode stored run: %w", err)
	}
	return &run, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nonNilLabels(l map[string]string) map[string]string {
	if l == nil {
		return map[string]string{}
	}
	return l
}

func isCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}
