package analytics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/policy/pii"
)

// MaxCommentChars is the longest survey comment, in characters.
const MaxCommentChars = 1000

// Survey errors.
var (
	// ErrNotFound: no such conversation, or no answer yet.
	ErrNotFound = errors.New("not found")
	// ErrAnswered: the conversation's survey was already answered differently.
	ErrAnswered = errors.New("survey already answered")
)

// CSATResponse is a customer's answer to the post-chat survey.
type CSATResponse struct {
	ConversationID string
	Score          int    // 1 (bad) to 5 (great)
	Comment        string // personal data replaced by placeholders ("[email]"…)
	CreatedAt      time.Time
}

// CSATStore keeps the survey's answers: one per conversation.
type CSATStore struct{ db *pgxpool.Pool }

// NewCSATStore returns a store over the database that keeps the conversations.
func NewCSATStore(db *pgxpool.Pool) *CSATStore { return &CSATStore{db: db} }

// ValidateCSAT checks a score and comment as Record would; the error names the field
// ("score: …" or "comment: …") and wraps ErrInvalid.
func ValidateCSAT(score int, comment string) error {
	if score < 1 || score > 5 {
		return fmt.Errorf("%w: score: between 1 and 5", ErrInvalid)
	}
	if !utf8.ValidString(comment) {
		return fmt.Errorf("%w: comment: not valid UTF-8", ErrInvalid)
	}
	if utf8.RuneCountInString(comment) > MaxCommentChars {
		return fmt.Errorf("%w: comment: longer than %d characters", ErrInvalid, MaxCommentChars)
	}
	return nil
}

// Record stores a conversation's answer, its comment trimmed and with personal data
// (cards, IBANs, e-mail addresses, phone numbers and national IDs of the conversation's
// market) replaced by placeholders. It reports whether the answer is new: sending the same
// score and comment again returns the stored answer (a retried request), a different one
// returns ErrAnswered. ErrNotFound: no such conversation.
func (s *CSATStore) Record(ctx context.Context, r CSATResponse) (CSATResponse, bool, error) {
	r.Comment = strings.TrimSpace(r.Comment)
	if err := ValidateCSAT(r.Score, r.Comment); err != nil {
		return CSATResponse{}, false, err
	}
	if _, err := uuid.Parse(r.ConversationID); err != nil {
		return CSATResponse{}, false, ErrNotFound
	}
	var market string
	err := s.db.QueryRow(ctx, `SELECT market FROM conversations WHERE id = $1::uuid`, r.ConversationID).Scan(&market)
	if errors.Is(err, pgx.ErrNoRows) {
		return CSATResponse{}, false, ErrNotFound
	}
	if err != nil {
		return CSATResponse{}, false, fmt.Errorf("csat of %s: %w", r.ConversationID, err)
	}
	opts := pii.Options{}
	if market != "" {
		opts.Regions = []string{market}
	}
	r.Comment, _ = pii.Redact(r.Comment, opts)
	if n := utf8.RuneCountInString(r.Comment); n > MaxCommentChars {
		// A placeholder can be longer than what it replaces ("[id:BR-CPF]" for 11 digits).
		r.Comment = string([]rune(r.Comment)[:MaxCommentChars])
	}
	var out CSATResponse
	err = s.db.QueryRow(ctx, `INSERT INTO csat_responses (conversation_id, score, comment) VALUES ($1::uuid, $2, $3)
		ON CONFLICT (conversation_id) DO NOTHING
		RETURNING conversation_id::text, score, comment, created_at`, r.ConversationID, r.Score, r.Comment).
		Scan(&out.ConversationID, &out.Score, &out.Comment, &out.CreatedAt)
	switch {
	case err == nil:
		return out, true, nil
	case errors.Is(err, pgx.ErrNoRows):
		// Answered before.
	case isForeignKeyViolation(err):
		return CSATResponse{}, false, ErrNotFound // erased meanwhile
	default:
		return CSATResponse{}, false, fmt.Errorf("record csat of %s: %w", r.ConversationID, err)
	}
	prev, err := s.Get(ctx, r.ConversationID)
	if err != nil {
		return CSATResponse{}, false, err
	}
	if prev.Score != r.Score || prev.Comment != r.Comment {
		return prev, false, ErrAnswered
	}
	return prev, false, nil
}

// Get returns a conversation's answer, or ErrNotFound when there is none.
func (s *CSATStore) Get(ctx context.Context, conversationID string) (CSATResponse, error) {
	if _, err := uuid.Parse(conversationID); err != nil {
		return CSATResponse{}, ErrNotFound
	}
	var out CSATResponse
	err := s.db.QueryRow(ctx, `SELECT conversation_id::text, score, comment, created_at FROM csat_responses
		WHERE conversation_id = $1::uuid`, conversationID).Scan(&out.ConversationID, &out.Score, &out.Comment, &out.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return CSATResponse{}, ErrNotFound
	}
	if err != nil {
		return CSATResponse{}, fmt.Errorf("csat of %s: %w", conversationID, err)
	}
	return out, nil
}

func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}

// RegionalCSAT keeps each answer in the database of its conversation's region, where the
// conversation is (see conversation/regional).
type RegionalCSAT struct {
	// Region names the region that keeps a conversation, or returns an error wrapping
	// conversation.ErrNotFound (regional.Store.RegionOfConversation).
	Region func(ctx context.Context, conversationID string) (string, error)
	// Stores are the survey stores by region name.
	Stores map[string]*CSATStore
}

func (r RegionalCSAT) store(ctx context.Context, conversationID string) (*CSATStore, error) {
	name, err := r.Region(ctx, conversationID)
	if errors.Is(err, conversation.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("region of %s: %w", conversationID, err)
	}
	s, ok := r.Stores[name]
	if !ok {
		return nil, fmt.Errorf("region of %s: no survey store for region %q", conversationID, name)
	}
	return s, nil
}

// Record stores the answer in the conversation's region; see CSATStore.Record.
func (r RegionalCSAT) Record(ctx context.Context, a CSATResponse) (CSATResponse, bool, error) {
	s, err := r.store(ctx, a.ConversationID)
	if err != nil {
		return CSATResponse{}, false, err
	}
	return s.Record(ctx, a)
}

// Get reads the answer from the conversation's region; see CSATStore.Get.
func (r RegionalCSAT) Get(ctx context.Context, conversationID string) (CSATResponse, error) {
	s, err := r.store(ctx, conversationID)
	if err != nil {
		return CSATResponse{}, err
	}
	return s.Get(ctx, conversationID)
}
