// Package audit keeps Attaché's audit log: an append-only, hash-chained record of who did
// what to which subject (a staff member deciding an approval, an import saving a knowledge
// variant, an identity token being used), and checks that the record was not changed.
//
// Each entry has a sequence number (1, 2, 3... without gaps) and the SHA-256 of a canonical
// encoding of its fields and of the previous entry's hash, so changing, inserting or removing
// an entry in the middle breaks the chain and [Log.Verify] names the first entry where it
// breaks. The table refuses UPDATE, DELETE and TRUNCATE by trigger; the chain is what catches
// someone who disabled the trigger or edited the files underneath.
//
// It is not for:
//   - customer message text or other personal data: Details is small, structured metadata
//     (IDs, decisions, counts). Erasing a customer's data will need a redaction scheme that
//     keeps the chain verifiable; none exists yet.
//   - application logs or metrics: use log/slog.
//   - proof against someone who can rewrite the whole table: removing the newest entries, or
//     rewriting every hash from some entry on, leaves a valid chain. Record the head hash
//     that Verify reports somewhere else (a ticket, a signed note) to anchor it.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// MaxDetailsBytes bounds the canonical JSON of an entry's details.
const MaxDetailsBytes = 4096

// lockKey is the transaction-scoped advisory lock that serializes appenders ("audit").
const lockKey = 0x6175646974

// hashVersion is the domain tag that starts every hashed encoding.
const hashVersion = "attache.audit.v1"

// ErrInvalid is returned for an entry that cannot be appended (empty actor or action,
// details too large or not representable as JSON).
var ErrInvalid = errors.New("invalid audit entry")

// Entry is what a caller records.
type Entry struct {
	Actor   string         // who: "staff:lena@shop", "system", "api"
	Action  string         // what happened: "approval.decided", "knowledge.variant_saved"
	Subject string         // to what: a conversation ID, "article:<external_id>/<locale>"
	Details map[string]any // small metadata, never customer message text; may be nil
}

// Record is a stored entry. Numbers in Details are json.Number, exactly as stored.
type Record struct {
	Seq      int64
	At       time.Time // UTC, microsecond precision
	Actor    string
	Action   string
	Subject  string
	Details  map[string]any
	PrevHash []byte
	Hash     []byte
}

// Filter selects entries for [Log.Entries]. Zero fields do not filter.
type Filter struct {
	Subject string
	Action  string
	After   int64 // only entries with a higher seq
	Limit   int   // at most this many; 0 means 100, capped at 1000
}

// Report is the outcome of [Log.Verify].
type Report struct {
	OK       bool
	Entries  int64  // entries checked (all of them when OK)
	Head     []byte // hash of the last entry when OK; nil for an empty log
	BrokenAt int64  // seq of the first entry that is wrong (or missing) when not OK
	Reason   string // what is wrong with it
}

// Log appends to and verifies the audit_log table.
type Log struct {
	pool     *pgxpool.Pool
	now      func() time.Time
	pageSize int
}

// New returns a Log on pool; the schema must be migrated.
func New(pool *pgxpool.Pool) *Log {
	return &Log{pool: pool, now: time.Now, pageSize: 1000}
}

// Append records e as the next entry. Concurrent appenders, in this process or others, are
// serialized by an advisory lock held for the transaction, so the chain never forks.
func (l *Log) Append(ctx context.Context, e Entry) (Record, error) {
	if strings.TrimSpace(e.Actor) == "" || strings.TrimSpace(e.Action) == "" {
		return Record{}, fmt.Errorf("%w: actor and action are required", ErrInvalid)
	}
	raw, err := marshal(e.Details)
	if err != nil {
		return Record{}, fmt.Errorf("%w: details: %v", ErrInvalid, err)
	}
	var rec Record
	err = pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		// jsonb normalizes what it stores (key order, numbers such as 1e2); hash what
		// Verify will read back, not what the caller passed.
		var stored string
		if err := tx.QueryRow(ctx, `SELECT $1::jsonb::text`, string(raw)).Scan(&stored); err != nil {
			return fmt.Errorf("normalize details: %w", err)
		}
		details, canon, err := canonical([]byte(stored))
		if err != nil {
			return err
		}
		if len(canon) > MaxDetailsBytes {
			return fmt.Errorf("%w: details are %d bytes, at most %d", ErrInvalid, len(canon), MaxDetailsBytes)
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(lockKey)); err != nil {
			return fmt.Errorf("take audit lock: %w", err)
		}
		var seq int64
		prev := make([]byte, sha256.Size)
		err = tx.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("read audit head: %w", err)
		}
		rec = Record{
			Seq: seq + 1, At: l.now().UTC().Truncate(time.Microsecond),
			Actor: e.Actor, Action: e.Action, Subject: e.Subject, Details: details, PrevHash: prev,
		}
		rec.Hash = hashOf(rec, canon)
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
			rec.Seq, rec.At, rec.Actor, rec.Action, rec.Subject, stored, rec.PrevHash, rec.Hash)
		if err != nil {
			return fmt.Errorf("insert entry %d: %w", rec.Seq, err)
		}
		return nil
	})
	if err != nil {
		return Record{}, fmt.Errorf("append audit entry: %w", err)
	}
	return rec, nil
}

// Verify walks the whole log in seq order, a page at a time, recomputing every hash and
// checking that seq runs 1, 2, 3... and that each entry links to the one before. progress,
// if not nil, is called after each page with the number of entries checked so far. A broken
// chain is a Report with OK false, not an error; errors are failures to read.
func (l *Log) Verify(ctx context.Context, progress func(n int)) (Report, error) {
	var (
		rep  Report
		prev = make([]byte, sha256.Size)
		want = int64(1)
	)
	for {
		rows, err := l.pool.Query(ctx, `SELECT seq, at, actor, action, subject, details::text, prev_hash, hash
			FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2`, want, l.pageSize)
		if err != nil {
			return Report{}, fmt.Errorf("read audit log: %w", err)
		}
		n := 0
		for rows.Next() {
			n++
			var r Record
			var details string
			if err := rows.Scan(&r.Seq, &r.At, &r.Actor, &r.Action, &r.Subject, &details, &r.PrevHash, &r.Hash); err != nil {
				rows.Close()
				return Report{}, fmt.Errorf("read audit log: %w", err)
			}
			if reason := check(r, details, want, prev); reason != "" {
				rows.Close()
				return Report{Entries: rep.Entries, BrokenAt: want, Reason: reason}, nil
			}
			rep.Entries++
			prev, want = r.Hash, want+1
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Report{}, fmt.Errorf("read audit log: %w", err)
		}
		if progress != nil && n > 0 {
			progress(int(rep.Entries))
		}
		if n < l.pageSize {
			break
		}
	}
	// A row below 1 cannot exist (CHECK seq > 0), but a missing first row shows as a gap above.
	rep.OK = true
	if rep.Entries > 0 {
		rep.Head = prev
	}
	return rep, nil
}

// check returns what is wrong with r, expected to be entry want following a hash of prev.
func check(r Record, details string, want int64, prev []byte) string {
	if r.Seq != want {
		if want == r.Seq-1 {
			return fmt.Sprintf("entry %d is missing (the next stored entry is %d)", want, r.Seq)
		}
		return fmt.Sprintf("entries %d to %d are missing (the next stored entry is %d)", want, r.Seq-1, r.Seq)
	}
	_, canon, err := canonical([]byte(details))
	if err != nil {
		return fmt.Sprintf("details cannot be read: %v", err)
	}
	if !bytes.Equal(r.PrevHash, prev) {
		return fmt.Sprintf("prev_hash %s does not match the hash of the entry before (%s)", short(r.PrevHash), short(prev))
	}
	if got := hashOf(r, canon); !bytes.Equal(got, r.Hash) {
		return fmt.Sprintf("contents changed: stored hash %s, computed %s", short(r.Hash), short(got))
	}
	return ""
}

// Entries returns the entries that match f in seq order.
func (l *Log) Entries(ctx context.Context, f Filter) ([]Record, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	rows, err := l.pool.Query(ctx, `SELECT seq, at, actor, action, subject, details::text, prev_hash, hash
		FROM audit_log
		WHERE seq > $1 AND ($2::text = '' OR subject = $2) AND ($3::text = '' OR action = $3)
		ORDER BY seq LIMIT $4`, f.After, f.Subject, f.Action, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var details string
		if err := rows.Scan(&r.Seq, &r.At, &r.Actor, &r.Action, &r.Subject, &details, &r.PrevHash, &r.Hash); err != nil {
			return nil, fmt.Errorf("list audit entries: %w", err)
		}
		r.At = r.At.UTC()
		if r.Details, _, err = canonical([]byte(details)); err != nil {
			return nil, fmt.Errorf("list audit entries: entry %d: %w", r.Seq, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	return out, nil
}

// hashOf is SHA-256 over the version tag and the length-prefixed fields of r, with at in
// RFC 3339 UTC with nanoseconds and details in canonical JSON.
func hashOf(r Record, canonDetails []byte) []byte {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte(hashVersion))
	binary.BigEndian.PutUint64(n[:], uint64(r.Seq))
	field(n[:])
	field([]byte(r.At.UTC().Format(time.RFC3339Nano)))
	field([]byte(r.Actor))
	field([]byte(r.Action))
	field([]byte(r.Subject))
	field(canonDetails)
	field(r.PrevHash)
	return h.Sum(nil)
}

// canonical decodes JSON text (numbers kept exact) and re-encodes it with sorted keys,
// no insignificant space and no HTML escaping.
func canonical(text []byte) (map[string]any, []byte, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, nil, fmt.Errorf("decode details: %w", err)
	}
	if m == nil {
		m = map[string]any{}
	}
	b, err := marshal(m)
	return m, b, err
}

func marshal(m map[string]any) ([]byte, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func short(b []byte) string {
	s := hex.EncodeToString(b)
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}
