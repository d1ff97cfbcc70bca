package privacy

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
)

// ResponseDeadline is the stated time to answer a request: one month, as GDPR art. 12(3)
// allows. Requests are carried out when they are made; due_at records the promise.
const ResponseDeadline = 30 * 24 * time.Hour

// Request kinds and statuses as stored.
const (
	KindExport  = "export"
	KindErasure = "erasure"

	StatusReceived = "received"
	StatusDone     = "done"
	StatusFailed   = "failed"
)

// errStartedMeanwhile aborts an erasure's transaction when the customer started a
// conversation after its workflows were terminated and shredded.
var errStartedMeanwhile = errors.New("a conversation of the subject started during the erasure")

// ErrNotFound is returned when a consent names a conversation that does not exist.
var ErrNotFound = errors.New("conversation not found")

// DB is what the store needs of a PostgreSQL pool (*pgxpool.Pool has it).
type DB interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Terminator ends the workflow of a conversation before its data is erased. A workflow that
// does not exist or already ended is not an error.
type Terminator interface {
	Terminate(ctx context.Context, conversationID string) error
}

// Shredder destroys the keys that encrypt the Temporal histories of workflows, so that what
// the histories still hold cannot be read. Shredding a workflow without a key, or again,
// is not an error.
type Shredder interface {
	Shred(ctx context.Context, workflowIDs ...string) error
}

// Config is what [New] takes.
type Config struct {
	DB DB
	// HashKey keys the HMAC digests that name a request's subject; at least 32 bytes, kept
	// secret and stable (a new key no longer links new requests to old ones).
	HashKey []byte
	// WorkflowID maps a conversation ID to its workflow ID (the agents' is
	// "conversation/"+id). Required when Shredder is set.
	WorkflowID func(conversationID string) string
	Terminator Terminator // optional: without it, workflows are not terminated
	Shredder   Shredder   // optional: without it, history keys are not shredded
	// Retention is the per-market retention policy; zero means the embedded defaults.
	Retention Retention
	// BatchSize is how many conversations the retention sweep deletes per transaction;
	// 0 means 500.
	BatchSize int
	Logger    *slog.Logger     // nil discards
	Now       func() time.Time // nil means time.Now
}

// Store carries out requests and keeps their records and consents in PostgreSQL.
type Store struct {
	db         DB
	key        []byte
	workflowID func(string) string
	terminator Terminator
	shredder   Shredder
	retention  Retention
	batch      int
	log        *slog.Logger
	now        func() time.Time
}

// New returns a store on a migrated database.
func New(cfg Config) (*Store, error) {
	if cfg.DB == nil {
		return nil, fmt.Errorf("%w: config: DB is required", ErrInvalid)
	}
	if len(cfg.HashKey) < 32 {
		return nil, fmt.Errorf("%w: config: HashKey must be at least 32 bytes, got %d", ErrInvalid, len(cfg.HashKey))
	}
	if cfg.Shredder != nil && cfg.WorkflowID == nil {
		return nil, fmt.Errorf("%w: config: WorkflowID is required with a Shredder", ErrInvalid)
	}
	s := &Store{
		db: cfg.DB, key: append([]byte(nil), cfg.HashKey...), workflowID: cfg.WorkflowID,
		terminator: cfg.Terminator, shredder: cfg.Shredder, retention: cfg.Retention,
		batch: cfg.BatchSize, log: cfg.Logger, now: cfg.Now,
	}
	if s.retention.DefaultDays == 0 {
		r, err := DefaultRetention()
		if err != nil {
			return nil, err
		}
		s.retention = r
	}
	if s.batch <= 0 {
		s.batch = 500
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Request is the record of an export or erasure. It is part of the export format.
type Request struct {
	ID          string           `json:"id"`
	Kind        string           `json:"kind"`
	SubjectHash string           `json:"subject_hash"`
	Status      string           `json:"status"`
	RequestedBy string           `json:"requested_by"`
	RequestedAt time.Time        `json:"requested_at"`
	DueAt       time.Time        `json:"due_at"`
	CompletedAt *time.Time       `json:"completed_at,omitempty"`
	Summary     map[string]int64 `json:"summary"`
	Failure     string           `json:"failure,omitempty"`
}

// Summary is what an erasure or a retention sweep did.
type Summary struct {
	RequestID  string           // the request recorded; "" for a sweep
	Deleted    map[string]int64 // rows deleted per table, every table named (0 when none)
	Terminated int              // workflows terminated
	Shredded   int              // workflows whose history keys were shredded
}

// deletedTables are the tables an erasure or sweep reports on.
var deletedTables = []string{"conversations", "participants", "messages", "ai_disclosures", "consents", "kb_gaps"}

func emptyCounts() map[string]int64 {
	m := make(map[string]int64, len(deletedTables))
	for _, t := range deletedTables {
		m[t] = 0
	}
	return m
}

// begin records a received request and returns its ID and timestamps.
func (s *Store) begin(ctx context.Context, kind string, n subject, requestedBy string) (string, error) {
	whole, each := n.hashes(s.key)
	now := s.now().UTC()
	id := uuid.Must(uuid.NewV7()).String()
	_, err := s.db.Exec(ctx, `INSERT INTO privacy_requests
		(id, kind, subject_hash, identifier_hashes, status, requested_by, requested_at, due_at)
		VALUES ($1, $2, $3, $4, 'received', $5, $6, $7)`,
		id, kind, whole, each, requestedBy, now, now.Add(ResponseDeadline))
	if err != nil {
		return "", fmt.Errorf("record %s request: %w", kind, err)
	}
	return id, nil
}

// finish marks a request done or failed; q is the pool or the transaction that did the work.
func (s *Store) finish(ctx context.Context, q interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, id, status, failure string, counts map[string]int64) error {
	if counts == nil {
		counts = map[string]int64{}
	}
	raw, err := json.Marshal(counts)
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	_, err = q.Exec(ctx, `UPDATE privacy_requests SET status = $2, failure = $3, summary = $4::jsonb, completed_at = $5
		WHERE id = $1`, id, status, failure, string(raw), s.now().UTC())
	if err != nil {
		return fmt.Errorf("complete request %s: %w", id, err)
	}
	return nil
}

// fail records a failed request; the caller returns cause.
func (s *Store) fail(ctx context.Context, id, step string, cause error) error {
	// The request must be marked even when ctx was cancelled.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.finish(ctx, s.db, id, StatusFailed, step, nil); err != nil {
		s.log.ErrorContext(ctx, "privacy request not marked failed", "request", id, "step", step, "err", err)
	}
	return cause
}

func validRequester(requestedBy string) error {
	if requestedBy == "" {
		return fmt.Errorf("%w: requested by whom? a staff account ID is required", ErrInvalid)
	}
	return nil
}

// conversationIDs returns the IDs of the subject's conversations, oldest first.
func conversationIDs(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, n subject) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT id::text FROM conversations
		WHERE ($1 <> '' AND identity IS NOT NULL AND lower(identity ->> 'email') = $1)
		   OR ($2 <> '' AND identity IS NOT NULL AND identity ->> 'phone' = $2)
		   OR ($3 <> '' AND identity IS NOT NULL AND identity ->> 'customer_id' = $3)
		   OR id = ANY ($4::uuid[])
		ORDER BY created_at, id`, n.email, n.phone, n.customerID, n.convIDs)
	if err != nil {
		return nil, fmt.Errorf("find conversations: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("find conversations: %w", err)
	}
	return ids, nil
}

// gapsWhere selects the knowledge gaps about a subject: those of its conversations ($1)
// and those whose question names its e-mail ($2) or phone number ($3, national digits).
const gapsWhere = `conversation_id = ANY ($1::uuid[])
	OR ($2 <> '' AND (strpos(lower(question), $2) > 0 OR strpos(lower(norm), $2) > 0))
	OR ($3 <> '' AND strpos(regexp_replace(question, '[^0-9]', '', 'g'), $3) > 0)`

// Erase deletes everything the service holds about the subject: it terminates the
// conversations' workflows, shreds their history keys, then deletes in one transaction the
// conversations (with their participants, messages, disclosures and consents) and the
// knowledge gaps that are theirs or quote the e-mail or phone. It returns counts per table
// and records the request. Erasing a subject with no data is a done request with zero counts.
//
// Keys are shredded before the rows are deleted: if shredding fails nothing is deleted and
// the request is recorded failed, so repeating the erasure finds the same conversations.
// The transaction looks for the subject's conversations again; one started after the
// shredding (the customer kept chatting) makes the erasure start over, up to three times.
func (s *Store) Erase(ctx context.Context, sub Subject, requestedBy string) (Summary, error) {
	n, err := sub.normalize()
	if err != nil {
		return Summary{}, err
	}
	if err := validRequester(requestedBy); err != nil {
		return Summary{}, err
	}
	id, err := s.begin(ctx, KindErasure, n, requestedBy)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{RequestID: id, Deleted: emptyCounts()}
	// Workflows already terminated and shredded; a conversation the customer starts while
	// the erasure runs is found by the check inside the transaction, which then starts over.
	done := map[string]bool{}
	for attempt := 1; ; attempt++ {
		convs, err := conversationIDs(ctx, s.db, n)
		if err != nil {
			return Summary{}, s.fail(ctx, id, "read", fmt.Errorf("erase: %w", err))
		}
		var fresh []string
		for _, c := range convs {
			if !done[c] {
				fresh = append(fresh, c)
			}
		}
		if s.terminator != nil {
			for _, c := range fresh {
				if err := s.terminator.Terminate(ctx, c); err != nil {
					return Summary{}, s.fail(ctx, id, "terminate", fmt.Errorf("erase: terminate workflow of %s: %w", c, err))
				}
				sum.Terminated++
			}
		}
		shredded, err := s.shred(ctx, fresh)
		if err != nil {
			return Summary{}, s.fail(ctx, id, "shred", fmt.Errorf("erase: %w", err))
		}
		sum.Shredded += shredded
		for _, c := range fresh {
			done[c] = true
		}
		counts := emptyCounts()
		err = pgx.BeginTxFunc(ctx, s.db, pgx.TxOptions{}, func(tx pgx.Tx) error {
			now, err := conversationIDs(ctx, tx, n)
			if err != nil {
				return err
			}
			for _, c := range now {
				if !done[c] {
					return errStartedMeanwhile
				}
			}
			if err := deleteConversations(ctx, tx, now, counts); err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `DELETE FROM kb_gaps WHERE `+gapsWhere, now, n.email, n.phoneDigits)
			if err != nil {
				return fmt.Errorf("delete knowledge gaps: %w", err)
			}
			counts["kb_gaps"] += tag.RowsAffected()
			return s.finish(ctx, tx, id, StatusDone, "", counts)
		})
		if errors.Is(err, errStartedMeanwhile) && attempt < 3 {
			continue
		}
		if err != nil {
			return Summary{}, s.fail(ctx, id, "delete", fmt.Errorf("erase: %w", err))
		}
		sum.Deleted = counts
		break
	}
	s.log.InfoContext(ctx, "privacy erasure done", "request", id, "conversations", sum.Deleted["conversations"],
		"messages", sum.Deleted["messages"], "kb_gaps", sum.Deleted["kb_gaps"], "shredded", sum.Shredded)
	return sum, nil
}

// shred destroys the history keys of the conversations' workflows.
func (s *Store) shred(ctx context.Context, convs []string) (int, error) {
	if s.shredder == nil || len(convs) == 0 {
		return 0, nil
	}
	wf := make([]string, len(convs))
	for i, c := range convs {
		wf[i] = s.workflowID(c)
	}
	if err := s.shredder.Shred(ctx, wf...); err != nil {
		return 0, fmt.Errorf("shred history keys of %d workflows: %w", len(wf), err)
	}
	return len(wf), nil
}

// deleteConversations deletes conversations and every row of theirs, table by table so
// that the counts are exact, adding the counts per table to counts.
func deleteConversations(ctx context.Context, tx pgx.Tx, ids []string, counts map[string]int64) error {
	if len(ids) == 0 {
		return nil
	}
	// Children before parents: messages reference participants without a cascade.
	for _, table := range []string{"kb_gaps", "ai_disclosures", "consents", "messages", "participants"} {
		tag, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE conversation_id = ANY ($1::uuid[])`, ids)
		if err != nil {
			return fmt.Errorf("delete %s of %d conversations: %w", table, len(ids), err)
		}
		counts[table] += tag.RowsAffected()
	}
	tag, err := tx.Exec(ctx, `DELETE FROM conversations WHERE id = ANY ($1::uuid[])`, ids)
	if err != nil {
		return fmt.Errorf("delete %d conversations: %w", len(ids), err)
	}
	counts["conversations"] += tag.RowsAffected()
	return nil
}
