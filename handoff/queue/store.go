package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DB is what the store needs of a connection pool; *pgxpool.Pool has it.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Store is the PostgreSQL handoff queue.
type Store struct {
	db     DB
	logger *slog.Logger
}

// New returns a store on a migrated database.
func New(db DB, logger *slog.Logger) *Store {
	return &Store{db: db, logger: logger}
}

const columns = `id, conversation_id, reason, team, language, market, priority, status,
	claimed_by, claimed_at, sla_due_at, escalated_at, packet, created_at, updated_at, resolved_at, version`

// openStatuses is the predicate of the handoffs_one_open index; ON CONFLICT must name it.
const openStatuses = `status IN ('queued', 'claimed')`

// openAttempts bounds Open's insert-or-find loop: each retry means the open handoff it
// conflicted with was closed in between, which a human does not do many times a millisecond.
const openAttempts = 5

// Open puts a conversation in the queue and returns its handoff and true, or, when the
// conversation already has an open handoff, returns that one, unchanged, and false. Calling
// it again (a retried activity) is harmless; with NewHandoff.ID set, even a retry that comes
// after the handoff was closed returns it rather than opening another.
func (s *Store) Open(ctx context.Context, nh NewHandoff) (Handoff, bool, error) {
	if err := validateNew(&nh); err != nil {
		return Handoff{}, false, err
	}
	var sla *time.Time
	if !nh.SLADueAt.IsZero() {
		sla = &nh.SLADueAt
	}
	id := nh.ID
	if id == "" {
		id = uuid.Must(uuid.NewV7()).String()
	}
	for range openAttempts {
		// DO NOTHING without a target covers both the primary key (a retry with the same
		// ID) and handoffs_one_open (another handoff of the conversation is open).
		h, err := scanHandoff(s.db.QueryRow(ctx, `
			INSERT INTO handoffs (id, conversation_id, reason, team, language, market, priority, sla_due_at, packet)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
			ON CONFLICT DO NOTHING
			RETURNING `+columns,
			id, nh.ConversationID, string(nh.Reason), nh.Team, nh.Language,
			nh.Market, nh.Priority, sla, string(nh.Packet)))
		if err == nil {
			s.logger.Info("handoff opened", "handoff", h.ID, "conversation", h.ConversationID,
				"reason", string(h.Reason), "team", h.Team, "priority", h.Priority)
			return h, true, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23503" {
				return Handoff{}, false, fmt.Errorf("open handoff for %s: %w", nh.ConversationID, ErrNoConversation)
			}
			return Handoff{}, false, fmt.Errorf("open handoff for %s: %w", nh.ConversationID, err)
		}
		// The handoff exists, or another one is open. Read it in a new statement, whose
		// snapshot sees the row the insert conflicted with even when it was committed while
		// we waited on it.
		if nh.ID != "" {
			h, err := s.Get(ctx, nh.ID)
			if err == nil {
				if h.ConversationID != nh.ConversationID {
					return Handoff{}, false, fmt.Errorf("%w: handoff %s belongs to another conversation", ErrInvalid, nh.ID)
				}
				return h, false, nil
			}
			if !errors.Is(err, ErrNotFound) {
				return Handoff{}, false, err
			}
		}
		h, err = s.OpenFor(ctx, nh.ConversationID)
		if err == nil {
			return h, false, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return Handoff{}, false, err
		}
		// It was closed in between: try the insert again.
	}
	return Handoff{}, false, fmt.Errorf("open handoff for %s: the open handoff kept changing, gave up after %d attempts", nh.ConversationID, openAttempts)
}

// Claim gives an agent a queued handoff. Of many agents claiming at once exactly one wins;
// the others get a *ClaimedError (errors.Is ErrAlreadyClaimed) that names the holder,
// together with the handoff as it stands. Claiming a handoff the agent already holds returns
// it unchanged; a closed one gives ErrClosed.
func (s *Store) Claim(ctx context.Context, handoffID, agentID string) (Handoff, error) {
	if err := validateAgent(agentID); err != nil {
		return Handoff{}, err
	}
	if !isUUID(handoffID) {
		return Handoff{}, fmt.Errorf("claim handoff %q: %w", handoffID, ErrNotFound)
	}
	// A handoff released between our update and our read is queued again: try again.
	for range openAttempts {
		h, err := scanHandoff(s.db.QueryRow(ctx, `
			UPDATE handoffs SET status = 'claimed', claimed_by = $2, claimed_at = now()
			WHERE id = $1 AND status = 'queued'
			RETURNING `+columns, handoffID, agentID))
		if err == nil {
			s.logger.Info("handoff claimed", "handoff", h.ID, "agent", agentID)
			return h, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return Handoff{}, fmt.Errorf("claim handoff %s: %w", handoffID, err)
		}
		h, err = s.Get(ctx, handoffID)
		if err != nil {
			return Handoff{}, fmt.Errorf("claim: %w", err)
		}
		switch h.Status {
		case StatusClaimed:
			if h.ClaimedBy == agentID {
				return h, nil
			}
			return h, &ClaimedError{HandoffID: h.ID, By: h.ClaimedBy, At: h.ClaimedAt, sentinel: ErrAlreadyClaimed}
		case StatusResolved, StatusHandedBack:
			return h, fmt.Errorf("claim handoff %s: %w", handoffID, ErrClosed)
		}
	}
	return Handoff{}, fmt.Errorf("claim handoff %s: it kept changing, gave up after %d attempts", handoffID, openAttempts)
}

// Release puts a handoff the agent holds back in the queue. Releasing a queued handoff
// returns it unchanged.
func (s *Store) Release(ctx context.Context, handoffID, agentID string) (Handoff, error) {
	return s.holderMove(ctx, "release", handoffID, agentID, StatusQueued, `
		UPDATE handoffs SET status = 'queued', claimed_by = NULL, claimed_at = NULL
		WHERE id = $1 AND status = 'claimed' AND claimed_by = $2
		RETURNING `+columns)
}

// Resolve closes a handoff the agent holds: the person dealt with the conversation. Resolving
// it again, by the same agent, returns it unchanged.
func (s *Store) Resolve(ctx context.Context, handoffID, agentID string) (Handoff, error) {
	return s.holderMove(ctx, "resolve", handoffID, agentID, StatusResolved, `
		UPDATE handoffs SET status = 'resolved', resolved_at = now()
		WHERE id = $1 AND status = 'claimed' AND claimed_by = $2
		RETURNING `+columns)
}

// Settle resolves a handoff that is still queued because what it waited for was done
// elsewhere (an approval decided through the API). A claimed handoff stays with its agent,
// and a closed one stays as it is: both are returned unchanged, without an error.
func (s *Store) Settle(ctx context.Context, handoffID string) (Handoff, error) {
	if !isUUID(handoffID) {
		return Handoff{}, fmt.Errorf("settle handoff %q: %w", handoffID, ErrNotFound)
	}
	h, err := scanHandoff(s.db.QueryRow(ctx, `
		UPDATE handoffs SET status = 'resolved', resolved_at = now()
		WHERE id = $1 AND status = 'queued'
		RETURNING `+columns, handoffID))
	if errors.Is(err, pgx.ErrNoRows) {
		return s.Get(ctx, handoffID)
	}
	if err != nil {
		return Handoff{}, fmt.Errorf("settle handoff %s: %w", handoffID, err)
	}
	s.logger.Info("handoff settled", "handoff", h.ID)
	return h, nil
}

// HandBack closes a handoff the agent holds by giving the conversation back to the AI.
// Handing it back again, by the same agent, returns it unchanged.
func (s *Store) HandBack(ctx context.Context, handoffID, agentID string) (Handoff, error) {
	return s.holderMove(ctx, "hand back", handoffID, agentID, StatusHandedBack, `
		UPDATE handoffs SET status = 'handed_back', resolved_at = now()
		WHERE id = $1 AND status = 'claimed' AND claimed_by = $2
		RETURNING `+columns)
}

// holderMove runs an update that only the holder of a claimed handoff may make, and explains
// why it changed nothing when it did not.
func (s *Store) holderMove(ctx context.Context, op, handoffID, agentID string, to Status, sql string) (Handoff, error) {
	if err := validateAgent(agentID); err != nil {
		return Handoff{}, err
	}
	if !isUUID(handoffID) {
		return Handoff{}, fmt.Errorf("%s handoff %q: %w", op, handoffID, ErrNotFound)
	}
	h, err := scanHandoff(s.db.QueryRow(ctx, sql, handoffID, agentID))
	if err == nil {
		s.logger.Info("handoff updated", "op", op, "handoff", h.ID, "status", string(h.Status), "agent", agentID)
		return h, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Handoff{}, fmt.Errorf("%s handoff %s: %w", op, handoffID, err)
	}
	h, err = s.Get(ctx, handoffID)
	if err != nil {
		return Handoff{}, fmt.Errorf("%s: %w", op, err)
	}
	switch {
	case h.Status == to && (to == StatusQueued || h.ClaimedBy == agentID):
		return h, nil // done already: a retry
	case h.Status == StatusClaimed:
		return h, &ClaimedError{HandoffID: h.ID, By: h.ClaimedBy, At: h.ClaimedAt, sentinel: ErrNotHolder}
	case h.Status == StatusQueued:
		return h, fmt.Errorf("%s handoff %s: %w: it is queued", op, handoffID, ErrNotHolder)
	default:
		return h, fmt.Errorf("%s handoff %s: %w", op, handoffID, ErrClosed)
	}
}

// Escalate records that an open handoff breached its SLA at the given time. Only the first
// call records; later ones, and calls on a closed handoff (a timer that fired after the agent
// finished), return the handoff unchanged without an error: check EscalatedAt.
func (s *Store) Escalate(ctx context.Context, handoffID string, at time.Time) (Handoff, error) {
	if at.IsZero() {
		return Handoff{}, fmt.Errorf("escalate handoff %s: %w: no time", handoffID, ErrInvalid)
	}
	if !isUUID(handoffID) {
		return Handoff{}, fmt.Errorf("escalate handoff %q: %w", handoffID, ErrNotFound)
	}
	h, err := scanHandoff(s.db.QueryRow(ctx, `
		UPDATE handoffs SET escalated_at = $2
		WHERE id = $1 AND escalated_at IS NULL AND `+openStatuses+`
		RETURNING `+columns, handoffID, at))
	if err == nil {
		s.logger.Info("handoff escalated", "handoff", h.ID, "team", h.Team)
		return h, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Handoff{}, fmt.Errorf("escalate handoff %s: %w", handoffID, err)
	}
	h, err = s.Get(ctx, handoffID)
	if err != nil {
		return Handoff{}, fmt.Errorf("escalate: %w", err)
	}
	return h, nil
}

// Reassign moves an open handoff to another team and back into the queue: an agent who held
// it loses it, since they belong to the old team. Reassigning to the team it is in returns it
// unchanged; a closed handoff gives ErrClosed.
func (s *Store) Reassign(ctx context.Context, handoffID, team string) (Handoff, error) {
	if err := validateTeam(team); err != nil {
		return Handoff{}, err
	}
	if !isUUID(handoffID) {
		return Handoff{}, fmt.Errorf("reassign handoff %q: %w", handoffID, ErrNotFound)
	}
	h, err := scanHandoff(s.db.QueryRow(ctx, `
		UPDATE handoffs SET team = $2, status = 'queued', claimed_by = NULL, claimed_at = NULL
		WHERE id = $1 AND `+openStatuses+` AND team <> $2
		RETURNING `+columns, handoffID, team))
	if err == nil {
		s.logger.Info("handoff reassigned", "handoff", h.ID, "team", team)
		return h, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Handoff{}, fmt.Errorf("reassign handoff %s: %w", handoffID, err)
	}
	h, err = s.Get(ctx, handoffID)
	if err != nil {
		return Handoff{}, fmt.Errorf("reassign: %w", err)
	}
	if !h.Status.Open() {
		return h, fmt.Errorf("reassign handoff %s: %w", handoffID, ErrClosed)
	}
	return h, nil
}

// Get returns a handoff, or ErrNotFound.
func (s *Store) Get(ctx context.Context, handoffID string) (Handoff, error) {
	if !isUUID(handoffID) {
		return Handoff{}, fmt.Errorf("get handoff %q: %w", handoffID, ErrNotFound)
	}
	h, err := scanHandoff(s.db.QueryRow(ctx, `SELECT `+columns+` FROM handoffs WHERE id = $1`, handoffID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Handoff{}, fmt.Errorf("get handoff %s: %w", handoffID, ErrNotFound)
	}
	if err != nil {
		return Handoff{}, fmt.Errorf("get handoff %s: %w", handoffID, err)
	}
	return h, nil
}

// OpenFor returns the open (queued or claimed) handoff of a conversation, or ErrNotFound.
func (s *Store) OpenFor(ctx context.Context, conversationID string) (Handoff, error) {
	if !isUUID(conversationID) {
		return Handoff{}, fmt.Errorf("open handoff of conversation %q: %w", conversationID, ErrNotFound)
	}
	h, err := scanHandoff(s.db.QueryRow(ctx, `SELECT `+columns+` FROM handoffs
		WHERE conversation_id = $1 AND `+openStatuses, conversationID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Handoff{}, fmt.Errorf("open handoff of conversation %s: %w", conversationID, ErrNotFound)
	}
	if err != nil {
		return Handoff{}, fmt.Errorf("open handoff of conversation %s: %w", conversationID, err)
	}
	return h, nil
}

// Queue lists handoffs in serving order: priority (1 first), then the earliest SLA deadline
// (none last), then the oldest.
func (s *Store) Queue(ctx context.Context, f Filter) ([]Handoff, error) {
	statuses := []string{string(StatusQueued), string(StatusClaimed)}
	if f.Status != "" {
		if !f.Status.valid() {
			return nil, fmt.Errorf("%w: unknown status %q", ErrInvalid, f.Status)
		}
		statuses = []string{string(f.Status)}
	}
	var teams, langs []string // nil: no filter
	if len(f.Teams) > 0 {
		teams = f.Teams
	}
	for _, l := range f.Languages {
		if !validTag(l) {
			return nil, fmt.Errorf("%w: language %q is not a BCP 47 tag", ErrInvalid, l)
		}
		langs = append(langs, strings.ToLower(l))
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 100
	case limit > 1000:
		limit = 1000
	}
	// Tags hold letters, digits and hyphens only (validTag), so f || '-%' has no wildcard
	// but its own.
	rows, err := s.db.Query(ctx, `SELECT `+columns+` FROM handoffs
		WHERE status = ANY($1::text[])
		  AND ($2::text[] IS NULL OR team = ANY($2::text[]))
		  AND ($3::text[] IS NULL OR EXISTS (
			SELECT 1 FROM unnest($3::text[]) AS f (tag)
			WHERE lower(language) = f.tag OR lower(language) LIKE f.tag || '-%'))
		ORDER BY priority, sla_due_at NULLS LAST, created_at, id
		LIMIT $4`, statuses, teams, langs, limit)
	if err != nil {
		return nil, fmt.Errorf("list handoff queue: %w", err)
	}
	hs, err := collect(rows)
	if err != nil {
		return nil, fmt.Errorf("list handoff queue: %w", err)
	}
	return hs, nil
}

// AddNote adds an internal note to a handoff. Notes are for staff and never reach the
// customer; they may be added to closed handoffs too.
func (s *Store) AddNote(ctx context.Context, handoffID, author, body string) (Note, error) {
	if err := validateAgent(author); err != nil {
		return Note{}, err
	}
	if strings.TrimSpace(body) == "" || len(body) > MaxNoteBytes {
		return Note{}, fmt.Errorf("%w: a note has 1 to %d bytes", ErrInvalid, MaxNoteBytes)
	}
	if !isUUID(handoffID) {
		return Note{}, fmt.Errorf("add note to handoff %q: %w", handoffID, ErrNotFound)
	}
	n := Note{ID: uuid.Must(uuid.NewV7()).String(), HandoffID: handoffID, Author: author, Body: body}
	err := s.db.QueryRow(ctx, `INSERT INTO handoff_notes (id, handoff_id, author, body)
		VALUES ($1, $2, $3, $4) RETURNING created_at`, n.ID, handoffID, author, body).Scan(&n.CreatedAt)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			return Note{}, fmt.Errorf("add note to handoff %s: %w", handoffID, ErrNotFound)
		}
		return Note{}, fmt.Errorf("add note to handoff %s: %w", handoffID, err)
	}
	return n, nil
}

// Notes returns the notes of a handoff, oldest first, or ErrNotFound when there is no such
// handoff.
func (s *Store) Notes(ctx context.Context, handoffID string) ([]Note, error) {
	if !isUUID(handoffID) {
		return nil, fmt.Errorf("notes of handoff %q: %w", handoffID, ErrNotFound)
	}
	rows, err := s.db.Query(ctx, `SELECT id, handoff_id, author, body, created_at FROM handoff_notes
		WHERE handoff_id = $1 ORDER BY created_at, id`, handoffID)
	if err != nil {
		return nil, fmt.Errorf("notes of handoff %s: %w", handoffID, err)
	}
	notes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Note, error) {
		var n Note
		err := r.Scan(&n.ID, &n.HandoffID, &n.Author, &n.Body, &n.CreatedAt)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("notes of handoff %s: %w", handoffID, err)
	}
	if len(notes) == 0 {
		// No notes, or no such handoff: tell them apart.
		if _, err := s.Get(ctx, handoffID); err != nil {
			return nil, fmt.Errorf("notes: %w", err)
		}
	}
	return notes, nil
}

func validateNew(nh *NewHandoff) error {
	if nh.ID != "" && !isUUID(nh.ID) {
		return fmt.Errorf("%w: handoff ID %q is not a UUID", ErrInvalid, nh.ID)
	}
	if !isUUID(nh.ConversationID) {
		return fmt.Errorf("%w: conversation ID %q is not a UUID", ErrInvalid, nh.ConversationID)
	}
	if !nh.Reason.Valid() {
		return fmt.Errorf("%w: unknown reason %q", ErrInvalid, nh.Reason)
	}
	if err := validateTeam(nh.Team); err != nil {
		return err
	}
	if nh.Language != "" && !validTag(nh.Language) {
		return fmt.Errorf("%w: language %q is not a BCP 47 tag", ErrInvalid, nh.Language)
	}
	if nh.Priority == 0 {
		nh.Priority = PriorityNormal
	}
	if nh.Priority < PriorityUrgent || nh.Priority > PriorityLowest {
		return fmt.Errorf("%w: priority %d is not between %d and %d", ErrInvalid, nh.Priority, PriorityUrgent, PriorityLowest)
	}
	if len(nh.Packet) == 0 || len(nh.Packet) > maxPacketBytes || !json.Valid(nh.Packet) {
		return fmt.Errorf("%w: the packet must be JSON of at most %d bytes", ErrInvalid, maxPacketBytes)
	}
	return nil
}

func validateTeam(team string) error {
	if strings.TrimSpace(team) == "" || len(team) > maxTeamBytes {
		return fmt.Errorf("%w: a team is 1 to %d bytes", ErrInvalid, maxTeamBytes)
	}
	return nil
}

func validateAgent(id string) error {
	if strings.TrimSpace(id) == "" || len(id) > maxAgentIDBytes {
		return fmt.Errorf("%w: a staff account ID is 1 to %d bytes", ErrInvalid, maxAgentIDBytes)
	}
	return nil
}

// validTag accepts the shape of a BCP 47 tag: subtags of 1 to 8 letters or digits joined by
// hyphens. It does not check the registry; handoff/routing chose the tag.
func validTag(tag string) bool {
	if len(tag) == 0 || len(tag) > 64 {
		return false
	}
	for sub := range strings.SplitSeq(tag, "-") {
		if len(sub) == 0 || len(sub) > 8 {
			return false
		}
		for _, r := range sub {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil
}

func scanHandoff(row pgx.Row) (Handoff, error) {
	var (
		h                                          Handoff
		reason, status                             string
		claimedBy                                  *string
		claimedAt, slaDue, escalatedAt, resolvedAt *time.Time
		packet                                     []byte
	)
	err := row.Scan(&h.ID, &h.ConversationID, &reason, &h.Team, &h.Language, &h.Market, &h.Priority, &status,
		&claimedBy, &claimedAt, &slaDue, &escalatedAt, &packet, &h.CreatedAt, &h.UpdatedAt, &resolvedAt, &h.Version)
	if err != nil {
		return Handoff{}, err
	}
	h.Reason, h.Status, h.Packet = Reason(reason), Status(status), json.RawMessage(packet)
	if claimedBy != nil {
		h.ClaimedBy = *claimedBy
	}
	h.ClaimedAt, h.SLADueAt, h.EscalatedAt, h.ResolvedAt = deref(claimedAt), deref(slaDue), deref(escalatedAt), deref(resolvedAt)
	return h, nil
}

func collect(rows pgx.Rows) ([]Handoff, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Handoff, error) { return scanHandoff(r) })
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
