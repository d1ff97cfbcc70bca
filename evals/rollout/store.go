package rollout

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DB is what the store needs of a pool; *pgxpool.Pool has it.
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Store keeps the rules and their history in PostgreSQL (tables rollout_rules and
// rollout_changes). It checks versions but no gates: changes go through [Policy]. It is
// safe for concurrent use.
type Store struct {
	db DB
}

// NewStore returns a Store on db, whose schema must be migrated.
func NewStore(db DB) *Store { return &Store{db: db} }

const ruleColumns = `market, intent, locale, channel, stage, canary_percent, regression_set, version, updated_by, reason, evidence::text, updated_at`

func scanRule(r pgx.CollectableRow) (Rule, error) {
	var x Rule
	var stage, evidence string
	err := r.Scan(&x.Key.Market, &x.Key.Intent, &x.Key.Locale, &x.Key.Channel, &stage, &x.CanaryPercent, &x.RegressionSet,
		&x.Version, &x.UpdatedBy, &x.Reason, &evidence, &x.UpdatedAt)
	if err != nil {
		return x, err
	}
	x.Stage, x.UpdatedAt = Stage(stage), x.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(evidence), &x.Evidence); err != nil {
		return x, fmt.Errorf("rule %s: evidence: %w", x.Key, err)
	}
	return x, nil
}

// Rules returns every rule, by key.
func (s *Store) Rules(ctx context.Context) ([]Rule, error) {
	rows, err := s.db.Query(ctx, `SELECT `+ruleColumns+` FROM rollout_rules ORDER BY market, intent, locale, channel`)
	if err != nil {
		return nil, fmt.Errorf("list rollout rules: %w", err)
	}
	rules, err := pgx.CollectRows(rows, scanRule)
	if err != nil {
		return nil, fmt.Errorf("list rollout rules: %w", err)
	}
	return rules, nil
}

// Put stores r as the rule for its key, with the version after expect, and records ch in
// the history, in one transaction. expect is the version the change was decided on: 0
// when the key had no rule. Any other current version fails with ErrConflict. The rule's
// UpdatedAt and the change's At are r.UpdatedAt.
func (s *Store) Put(ctx context.Context, r Rule, expect int, ch Change) (Rule, Change, error) {
	r.Version = expect + 1
	ch.Key, ch.Version, ch.At = r.Key, r.Version, r.UpdatedAt
	k := r.Key
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var q string
		if expect == 0 {
			q = `INSERT INTO rollout_rules (market, intent, locale, channel, stage, canary_percent, regression_set, version, updated_by, reason, evidence, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12)
				ON CONFLICT (market, intent, locale, channel) DO NOTHING`
		} else {
			q = `UPDATE rollout_rules SET stage = $5, canary_percent = $6, regression_set = $7, version = $8, updated_by = $9,
					reason = $10, evidence = $11::jsonb, updated_at = $12
				WHERE market = $1 AND intent = $2 AND locale = $3 AND channel = $4 AND version = $8 - 1`
		}
		tag, err := tx.Exec(ctx, q, k.Market, k.Intent, k.Locale, k.Channel, string(r.Stage), r.CanaryPercent, r.RegressionSet,
			r.Version, r.UpdatedBy, r.Reason, string(r.Evidence.Marshal()), r.UpdatedAt)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("%w: the change was based on version %d", ErrConflict, expect)
		}
		return tx.QueryRow(ctx, `INSERT INTO rollout_changes (market, intent, locale, channel, action, from_stage, to_stage,
				from_canary, to_canary, regression_set, version, changed_by, reason, evidence, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15) RETURNING id`,
			k.Market, k.Intent, k.Locale, k.Channel, ch.Action, string(ch.FromStage), string(ch.ToStage), ch.FromCanary, ch.ToCanary,
			ch.RegressionSet, ch.Version, ch.By, ch.Reason, string(ch.Evidence.Marshal()), ch.At).Scan(&ch.ID)
	})
	if err != nil {
		return Rule{}, Change{}, fmt.Errorf("put rollout rule %s: %w", k, err)
	}
	return r, ch, nil
}

// ChangeFilter selects history entries. A key field filters when not empty; "*" selects the
// rules for any value of that field.
type ChangeFilter struct {
	Market, Intent, Locale, Channel string
	Before                          int64 // only entries with a lower ID; 0 for the newest
	Limit                           int   // 0 means 100; at most 1000
}

// Changes returns the history entries f selects, newest first.
func (s *Store) Changes(ctx context.Context, f ChangeFilter) ([]Change, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	wild := func(v string) string {
		if v == "*" {
			return ""
		}
		return v
	}
	rows, err := s.db.Query(ctx, `SELECT id, market, intent, locale, channel, action, from_stage, to_stage, from_canary, to_canary,
			regression_set, version, changed_by, reason, evidence::text, at
		FROM rollout_changes
		WHERE ($1::bool OR market = $2) AND ($3::bool OR intent = $4) AND ($5::bool OR locale = $6) AND ($7::bool OR channel = $8)
			AND ($9::bigint = 0 OR id < $9)
		ORDER BY id DESC LIMIT $10`,
		f.Market == "", wild(f.Market), f.Intent == "", wild(f.Intent), f.Locale == "", wild(f.Locale), f.Channel == "", wild(f.Channel),
		f.Before, limit)
	if err != nil {
		return nil, fmt.Errorf("list rollout changes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Change, error) {
		var c Change
		var from, to, evidence string
		err := r.Scan(&c.ID, &c.Key.Market, &c.Key.Intent, &c.Key.Locale, &c.Key.Channel, &c.Action, &from, &to, &c.FromCanary,
			&c.ToCanary, &c.RegressionSet, &c.Version, &c.By, &c.Reason, &evidence, &c.At)
		if err != nil {
			return c, err
		}
		c.FromStage, c.ToStage, c.At = Stage(from), Stage(to), c.At.UTC()
		if err := json.Unmarshal([]byte(evidence), &c.Evidence); err != nil {
			return c, fmt.Errorf("change %d: evidence: %w", c.ID, err)
		}
		return c, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list rollout changes: %w", err)
	}
	return out, nil
}
