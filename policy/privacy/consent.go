package privacy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Purpose is what a consent is for. The set is fixed by the schema.
type Purpose string

const (
	PurposeAIProcessing        Purpose = "ai_processing"        // an AI reads and answers the messages
	PurposeTranscriptRetention Purpose = "transcript_retention" // the transcript is kept after the conversation
	PurposeMarketing           Purpose = "marketing"            // the shop may contact the customer with offers
)

// Purposes are the purposes a consent may be recorded for.
var Purposes = []Purpose{PurposeAIProcessing, PurposeTranscriptRetention, PurposeMarketing}

// Consent is one answer of a customer about one purpose, in one conversation. The newest
// consent of a purpose is the current answer. It is part of the export format.
type Consent struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Purpose        Purpose   `json:"purpose"`
	Granted        bool      `json:"granted"`
	PolicyVersion  string    `json:"policy_version"` // the version of the text the customer was shown
	Locale         string    `json:"locale"`         // the language it was shown in
	Channel        string    `json:"channel"`
	RecordedAt     time.Time `json:"recorded_at"`
}

const consentColumns = `id::text, conversation_id::text, purpose, granted, policy_version, locale, channel, recorded_at`

func scanConsent(r pgx.CollectableRow) (Consent, error) {
	var c Consent
	var p string
	err := r.Scan(&c.ID, &c.ConversationID, &p, &c.Granted, &c.PolicyVersion, &c.Locale, &c.Channel, &c.RecordedAt)
	c.Purpose = Purpose(p)
	return c, err
}

// RecordConsent stores c and returns it with its ID and time. ID and RecordedAt are set by
// the store. A conversation that does not exist is ErrNotFound.
func (s *Store) RecordConsent(ctx context.Context, c Consent) (Consent, error) {
	if _, err := uuid.Parse(c.ConversationID); err != nil {
		return Consent{}, fmt.Errorf("%w: conversation ID %q is not a UUID", ErrInvalid, c.ConversationID)
	}
	known := false
	for _, p := range Purposes {
		known = known || c.Purpose == p
	}
	if !known {
		return Consent{}, fmt.Errorf("%w: purpose %q is not one of ai_processing, transcript_retention, marketing", ErrInvalid, c.Purpose)
	}
	if strings.TrimSpace(c.PolicyVersion) == "" {
		return Consent{}, fmt.Errorf("%w: policy_version is required", ErrInvalid)
	}
	c.ID = uuid.Must(uuid.NewV7()).String()
	c.RecordedAt = s.now().UTC().Truncate(time.Microsecond)
	_, err := s.db.Exec(ctx, `INSERT INTO consents (id, conversation_id, purpose, granted, policy_version, locale, channel, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.ID, c.ConversationID, string(c.Purpose), c.Granted, c.PolicyVersion, c.Locale, c.Channel, c.RecordedAt)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return Consent{}, fmt.Errorf("record consent for %s: %w", c.ConversationID, ErrNotFound)
	}
	if err != nil {
		return Consent{}, fmt.Errorf("record consent for %s: %w", c.ConversationID, err)
	}
	return c, nil
}

// Consents returns the consents recorded in a conversation, oldest first.
func (s *Store) Consents(ctx context.Context, conversationID string) ([]Consent, error) {
	if _, err := uuid.Parse(conversationID); err != nil {
		return nil, fmt.Errorf("%w: conversation ID %q is not a UUID", ErrInvalid, conversationID)
	}
	rows, err := s.db.Query(ctx, `SELECT `+consentColumns+` FROM consents
		WHERE conversation_id = $1 ORDER BY recorded_at, id`, conversationID)
	out, err := collect(rows, err, "consents", scanConsent)
	if err != nil {
		return nil, fmt.Errorf("consents of %s: %w", conversationID, err)
	}
	return out, nil
}

// Requests returns the newest export and erasure requests, at most limit (1 to 1000;
// 0 means 100).
func (s *Store) Requests(ctx context.Context, limit int) ([]Request, error) {
	if limit <= 0 {
		limit = 100
	}
	out, err := s.requests(ctx, ``, nil, min(limit, 1000))
	if err != nil {
		return nil, fmt.Errorf("list privacy requests: %w", err)
	}
	return out, nil
}

// requests lists requests newest first; where is a fixed clause using $1 (or empty, with
// arg nil).
func (s *Store) requests(ctx context.Context, where string, arg []string, limit int) ([]Request, error) {
	q := `SELECT id::text, kind, subject_hash, status, requested_by, requested_at, due_at, completed_at, summary, failure
		FROM privacy_requests ` + where + ` ORDER BY requested_at DESC, id DESC LIMIT `
	var (
		rows pgx.Rows
		err  error
	)
	if where == "" {
		rows, err = s.db.Query(ctx, q+`$1`, limit)
	} else {
		rows, err = s.db.Query(ctx, q+`$2`, arg, limit)
	}
	return collect(rows, err, "privacy requests", func(r pgx.CollectableRow) (Request, error) {
		var q Request
		err := r.Scan(&q.ID, &q.Kind, &q.SubjectHash, &q.Status, &q.RequestedBy, &q.RequestedAt, &q.DueAt, &q.CompletedAt, &q.Summary, &q.Failure)
		q.RequestedAt, q.DueAt = q.RequestedAt.UTC(), q.DueAt.UTC()
		if q.CompletedAt != nil {
			t := q.CompletedAt.UTC()
			q.CompletedAt = &t
		}
		return q, err
	})
}
