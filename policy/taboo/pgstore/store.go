// Package pgstore keeps the taboo packs that admins edit in PostgreSQL (tables taboo_packs
// and taboo_pack_versions) and builds the screener in effect from them: the packs embedded
// in the binary are the defaults, a stored pack with the same ID replaces one, a stored
// pack with a new ID adds one, and a disabled stored pack switches one off.
//
// Every edit is validated with the taboo package's own rules before it is stored, carries
// the version it was based on (optimistic concurrency: a stale edit fails with
// ErrConflict rather than undoing someone else's), and is kept in a history. [Store.Watch]
// lets a worker process pick up an edit within its poll interval; a stored pack that
// cannot be used (written around the API) never replaces a working screener.
//
// It is not the screening itself (policy/taboo), nor authorisation or auditing of edits
// (httpapi does both).
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/attache-dev/attache/policy/taboo"
)

// DefaultInterval is how often Watch polls when given no interval.
const DefaultInterval = 10 * time.Second

// Sources of a pack in effect.
const (
	SourceBuiltin  = "builtin"  // embedded in the binary, not edited
	SourceOverride = "override" // stored here
)

// lockKey serialises edits ("taboo"), so that two packs saved at once cannot take the same
// rule ID unnoticed.
const lockKey = 0x7461626f6f

var (
	// ErrNotFound: no pack, embedded or stored, has the ID.
	ErrNotFound = errors.New("taboo pack not found")
	// ErrConflict: the edit was based on a version that is no longer current.
	ErrConflict = errors.New("taboo pack version conflict")
	// ErrInvalid: the packs cannot be used; the error also holds *taboo.PackError values.
	ErrInvalid = errors.New("taboo pack invalid")
)

// DB is what the store needs of a pool; *pgxpool.Pool has it.
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Store reads and writes the stored packs. It is safe for concurrent use.
type Store struct {
	db     DB
	live   *taboo.Live
	logger *slog.Logger
}

// New returns a Store on db, whose schema must be migrated. When live is not nil, every
// edit made through this Store reloads it at once (the API process); other processes
// pick edits up with Watch.
func New(db DB, live *taboo.Live, logger *slog.Logger) *Store {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Store{db: db, live: live, logger: logger}
}

// Pack is one pack as listed: in effect (or disabled) with where it comes from.
type Pack struct {
	ID          string
	Name        string
	PackVersion string // the document's own "version", reported with every hit
	Markets     []string
	Locales     []string
	Rules       int
	Source      string // SourceBuiltin or SourceOverride
	// Version counts the stored edits: 0 for an embedded pack never edited. An edit must
	// name it (PutOptions.IfVersion).
	Version   int
	Disabled  bool
	UpdatedBy string    // empty for an embedded pack
	UpdatedAt time.Time // zero for an embedded pack
	Document  []byte    // the pack's JSON (Get only; nil in List)
	// Problem is set when the stored document cannot be used (it was written around the
	// API); the pack is then not in effect and the screener keeps the previous packs.
	Problem string
}

// Revision is one stored edit of a pack.
type Revision struct {
	Version   int
	Document  []byte
	Disabled  bool
	UpdatedBy string
	UpdatedAt time.Time
}

type row struct {
	id        string
	document  []byte
	disabled  bool
	version   int
	updatedBy string
	updatedAt time.Time
}

const selectRows = `SELECT id, document, disabled, version, updated_by, updated_at FROM taboo_packs`

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func readRows(ctx context.Context, q querier, sql string, args ...any) ([]row, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		var doc string
		err := r.Scan(&x.id, &doc, &x.disabled, &x.version, &x.updatedBy, &x.updatedAt)
		x.document = []byte(doc)
		return x, err
	})
}

func overridesOf(rows []row) []taboo.Override {
	out := make([]taboo.Override, len(rows))
	for i, r := range rows {
		out[i] = taboo.Override{ID: r.id, Document: r.document, Disabled: r.disabled}
	}
	return out
}

// List returns every pack: the embedded ones in file order, each as stored when edited,
// then the packs that only exist as stored ones, by ID. Disabled packs are listed.
func (s *Store) List(ctx context.Context) ([]Pack, error) {
	rows, err := readRows(ctx, s.db, selectRows+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list taboo packs: %w", err)
	}
	stored := map[string]row{}
	for _, r := range rows {
		stored[r.id] = r
	}
	var out []Pack
	for _, d := range taboo.BuiltinDocuments() {
		if r, ok := stored[d.ID]; ok {
			out = append(out, packOf(r))
			delete(stored, d.ID)
			continue
		}
		out = append(out, builtinPack(d))
	}
	for _, r := range rows {
		if _, ok := stored[r.id]; ok {
			out = append(out, packOf(r))
		}
	}
	for i := range out {
		out[i].Document = nil
	}
	return out, nil
}

// Get returns the pack with id, with its document: the stored one when edited, else the
// embedded one.
func (s *Store) Get(ctx context.Context, id string) (Pack, error) {
	rows, err := readRows(ctx, s.db, selectRows+` WHERE id = $1`, id)
	if err != nil {
		return Pack{}, fmt.Errorf("get taboo pack %s: %w", id, err)
	}
	if len(rows) == 1 {
		return packOf(rows[0]), nil
	}
	for _, d := range taboo.BuiltinDocuments() {
		if d.ID == id {
			return builtinPack(d), nil
		}
	}
	return Pack{}, fmt.Errorf("get taboo pack %s: %w", id, ErrNotFound)
}

func builtinPack(d taboo.Document) Pack {
	p := describe(d.ID, d.JSON)
	p.Source = SourceBuiltin
	return p
}

func packOf(r row) Pack {
	p := describe(r.id, r.document)
	p.Source, p.Version, p.Disabled, p.UpdatedBy, p.UpdatedAt = SourceOverride, r.version, r.disabled, r.updatedBy, r.updatedAt
	return p
}

func describe(id string, doc []byte) Pack {
	out := Pack{ID: id, Document: doc}
	p, err := taboo.ParsePack(id, doc)
	if err != nil {
		out.Problem = err.Error()
		return out
	}
	out.Name, out.PackVersion, out.Markets, out.Locales, out.Rules = p.Name, p.Version, p.Markets, p.Locales, len(p.Rules)
	return out
}

// History returns the stored edits of the pack with id, newest first; none for an
// embedded pack never edited, ErrNotFound for an ID no pack has.
func (s *Store) History(ctx context.Context, id string) ([]Revision, error) {
	rows, err := s.db.Query(ctx, `SELECT version, document, disabled, updated_by, updated_at
		FROM taboo_pack_versions WHERE id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("taboo pack %s history: %w", id, err)
	}
	revs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Revision, error) {
		var v Revision
		var doc string
		err := r.Scan(&v.Version, &doc, &v.Disabled, &v.UpdatedBy, &v.UpdatedAt)
		v.Document = []byte(doc)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("taboo pack %s history: %w", id, err)
	}
	if len(revs) == 0 && !isBuiltin(id) {
		return nil, fmt.Errorf("taboo pack %s history: %w", id, ErrNotFound)
	}
	return revs, nil
}

func isBuiltin(id string) bool {
	for _, d := range taboo.BuiltinDocuments() {
		if d.ID == id {
			return true
		}
	}
	return false
}

// Put stores doc as the pack with id, replacing the embedded pack with that ID or adding
// a pack. ifVersion is the version the edit is based on: 0 when the pack was never stored
// (an embedded pack, or a new one), else the stored version; any other value fails with
// ErrConflict. A document that cannot be used, alone or with the other packs in effect,
// fails with ErrInvalid and a *taboo.PackError naming the fields. A disabled pack stays
// disabled. by names the editor.
func (s *Store) Put(ctx context.Context, id string, doc []byte, by string, ifVersion int) (Pack, error) {
	if _, err := taboo.ParsePack(id, doc); err != nil {
		return Pack{}, fmt.Errorf("put taboo pack %s: %w: %w", id, ErrInvalid, err)
	}
	return s.write(ctx, id, by, ifVersion, func(cur *row) (row, error) {
		next := row{id: id, document: doc}
		if cur != nil {
			next.disabled = cur.disabled
		}
		return next, nil
	})
}

// SetDisabled switches the pack with id off or back on, as a stored edit based on
// ifVersion (see Put). Switching off an embedded pack stores its embedded document.
func (s *Store) SetDisabled(ctx context.Context, id string, disabled bool, by string, ifVersion int) (Pack, error) {
	return s.write(ctx, id, by, ifVersion, func(cur *row) (row, error) {
		if cur != nil {
			return row{id: id, document: cur.document, disabled: disabled}, nil
		}
		for _, d := range taboo.BuiltinDocuments() {
			if d.ID == id {
				return row{id: id, document: d.JSON, disabled: disabled}, nil
			}
		}
		return row{}, ErrNotFound
	})
}

// write stores the row edit makes of the current one (nil when none is stored), after
// checking the version and that the packs in effect still compose.
func (s *Store) write(ctx context.Context, id, by string, ifVersion int, edit func(cur *row) (row, error)) (Pack, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		return Pack{}, fmt.Errorf("put taboo pack %s: no editor named", id)
	}
	var saved row
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(lockKey)); err != nil {
			return err
		}
		rows, err := readRows(ctx, tx, selectRows+` ORDER BY id`)
		if err != nil {
			return err
		}
		var cur *row
		for i := range rows {
			if rows[i].id == id {
				cur = &rows[i]
			}
		}
		current := 0
		if cur != nil {
			current = cur.version
		}
		if ifVersion != current {
			return fmt.Errorf("%w: version %d is current, the edit was based on %d", ErrConflict, current, ifVersion)
		}
		next, err := edit(cur)
		if err != nil {
			return err
		}
		next.version = current + 1
		overrides := overridesOf(rows)
		replaced := false
		for i := range overrides {
			if overrides[i].ID == id {
				overrides[i] = taboo.Override{ID: id, Document: next.document, Disabled: next.disabled}
				replaced = true
			}
		}
		if !replaced {
			overrides = append(overrides, taboo.Override{ID: id, Document: next.document, Disabled: next.disabled})
		}
		if _, err := taboo.Compose(overrides); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		err = tx.QueryRow(ctx, `INSERT INTO taboo_packs (id, document, disabled, version, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, now())
			ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document, disabled = EXCLUDED.disabled,
				version = EXCLUDED.version, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
			RETURNING updated_at`,
			id, string(next.document), next.disabled, next.version, by).Scan(&next.updatedAt)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO taboo_pack_versions (id, version, document, disabled, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, next.version, string(next.document), next.disabled, by, next.updatedAt); err != nil {
			return err
		}
		next.updatedBy = by
		saved = next
		return nil
	})
	if err != nil {
		return Pack{}, fmt.Errorf("put taboo pack %s: %w", id, err)
	}
	if s.live != nil {
		if err := s.Reload(ctx, s.live); err != nil {
			// Stored and valid; the watcher retries.
			s.logger.Warn("reload taboo packs after an edit", "pack", id, "err", err)
		}
	}
	return packOf(saved), nil
}

// Screener builds a screener over the packs in effect now. It fails with ErrInvalid when
// a stored pack cannot be used.
func (s *Store) Screener(ctx context.Context) (*taboo.Screener, error) {
	return s.screener(ctx, nil)
}

// Check screens text as the packs in effect would, or, with a candidate document, as they
// would once doc is stored as the pack with id: for trying a pack before saving it.
func (s *Store) Check(ctx context.Context, text string, tctx taboo.Context, id string, doc []byte) (taboo.Verdict, error) {
	var cand *taboo.Override
	if doc != nil {
		if _, err := taboo.ParsePack(id, doc); err != nil {
			return taboo.Verdict{}, fmt.Errorf("check taboo pack %s: %w: %w", id, ErrInvalid, err)
		}
		cand = &taboo.Override{ID: id, Document: doc}
	}
	sc, err := s.screener(ctx, cand)
	if err != nil {
		return taboo.Verdict{}, err
	}
	return sc.Screen(text, tctx), nil
}

func (s *Store) screener(ctx context.Context, cand *taboo.Override) (*taboo.Screener, error) {
	rows, err := readRows(ctx, s.db, selectRows+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read taboo packs: %w", err)
	}
	overrides := overridesOf(rows)
	if cand != nil {
		overrides = append(overrides, *cand) // Compose keeps the last override of an ID
	}
	packs, err := taboo.Compose(overrides)
	if err != nil {
		return nil, fmt.Errorf("compose taboo packs: %w: %w", ErrInvalid, err)
	}
	sc, err := taboo.New(packs)
	if err != nil {
		return nil, fmt.Errorf("compose taboo packs: %w: %w", ErrInvalid, err)
	}
	return sc, nil
}

// Reload builds the screener in effect now and installs it in live. On failure live keeps
// its screener.
func (s *Store) Reload(ctx context.Context, live *taboo.Live) error {
	sc, err := s.Screener(ctx)
	if err != nil {
		return err
	}
	live.Set(sc)
	return nil
}

type fingerprint struct {
	count, versions int64
	latest          time.Time
}

func (s *Store) fingerprint(ctx context.Context) (fingerprint, error) {
	var f fingerprint
	err := s.db.QueryRow(ctx, `SELECT count(*), coalesce(sum(version), 0), coalesce(max(updated_at), 'epoch')
		FROM taboo_packs`).Scan(&f.count, &f.versions, &f.latest)
	return f, err
}

// Watch reloads live at once and then whenever the stored packs change, polling every
// interval (DefaultInterval when zero or less), until ctx ends; it then returns nil. A
// stored pack that cannot be used is logged once per change and live keeps the screener
// it has; a database error is logged and retried at the next poll.
func (s *Store) Watch(ctx context.Context, interval time.Duration, live *taboo.Live) error {
	if interval <= 0 {
		interval = DefaultInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var (
		last  fingerprint
		known bool
	)
	for {
		if f, err := s.fingerprint(ctx); err != nil {
			if ctx.Err() == nil {
				s.logger.Warn("poll taboo packs", "err", err)
			}
		} else if !known || f != last {
			switch err := s.Reload(ctx, live); {
			case err == nil:
				last, known = f, true
				s.logger.Info("taboo packs loaded", "stored", f.count)
			case errors.Is(err, ErrInvalid):
				last, known = f, true
				s.logger.Error("stored taboo packs cannot be used; the previous packs stay in effect", "err", err)
			case ctx.Err() == nil:
				s.logger.Warn("reload taboo packs", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
