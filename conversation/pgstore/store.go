// Package pgstore keeps conversations, participants and messages in PostgreSQL.
//
// Every write is a single atomic statement, so the store is correct under real concurrency
// and on PGlite's single serialized session alike. It knows nothing of Temporal.
package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/conversation"
)

// Store is the PostgreSQL conversation store.
type Store struct {
	db *pgxpool.Pool
}

// New returns a store on a migrated pool.
func New(db *pgxpool.Pool) *Store { return &Store{db: db} }

// Create stores a new conversation with its customer and AI participants.
func (s *Store) Create(ctx context.Context, nc conversation.NewConversation) (conversation.Conversation, error) {
	id := uuid.Must(uuid.NewV7()).String()
	if nc.Channel == "" {
		nc.Channel = "web"
	}
	row := s.db.QueryRow(ctx, `
		WITH c AS (
			INSERT INTO conversations (id, channel, locale, market, identity) VALUES ($1, $2, $3, $4, $7)
			RETURNING id, channel, locale, market, status, handoff_reason, created_at, updated_at, identity
		), p AS (
			INSERT INTO participants (id, conversation_id, kind)
			SELECT x.id, c.id, x.kind FROM c, (VALUES ($5::uuid, 'customer'), ($6::uuid, 'ai')) AS x (id, kind)
		)
		SELECT id, channel, locale, market, status, handoff_reason, created_at, updated_at, identity FROM c`,
		id, nc.Channel, nc.Locale, nc.Market, uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), nc.Identity)
	c, err := scanConversation(row)
	if err != nil {
		return conversation.Conversation{}, fmt.Errorf("create conversation: %w", err)
	}
	return c, nil
}

// Get returns a conversation, or conversation.ErrNotFound. A malformed ID is not found.
func (s *Store) Get(ctx context.Context, id string) (conversation.Conversation, error) {
	if _, err := uuid.Parse(id); err != nil {
		return conversation.Conversation{}, conversation.ErrNotFound
	}
	c, err := scanConversation(s.db.QueryRow(ctx, `
		SELECT id, channel, locale, market, status, handoff_reason, created_at, updated_at, identity
		FROM conversations WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return conversation.Conversation{}, conversation.ErrNotFound
	}
	if err != nil {
		return conversation.Conversation{}, fmt.Errorf("get conversation %s: %w", id, err)
	}
	return c, nil
}

// Messages returns up to limit messages with seq > afterSeq, in order.
func (s *Store) Messages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]conversation.Message, error) {
	if _, err := uuid.Parse(conversationID); err != nil {
		return nil, conversation.ErrNotFound
	}
	rows, err := s.db.Query(ctx, `
		SELECT `+messageColumns+` FROM messages
		WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, conversationID, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("list messages of %s: %w", conversationID, err)
	}
	return collectMessages(rows)
}

// TurnMessages returns the messages of one turn, in order.
func (s *Store) TurnMessages(ctx context.Context, conversationID, turnID string) ([]conversation.Message, error) {
	rows, err := s.db.Query(ctx, `
		SELECT `+messageColumns+` FROM messages
		WHERE conversation_id = $1 AND turn_id = $2 ORDER BY seq`, conversationID, turnID)
	if err != nil {
		return nil, fmt.Errorf("list messages of turn %s: %w", turnID, err)
	}
	return collectMessages(rows)
}

// Append stores a message and returns it with its seq, and whether this call created it.
// Appending the same (conversation, turn, author, part) again returns the stored message
// unchanged: activities are at-least-once, transcripts are exactly-once.
func (s *Store) Append(ctx context.Context, nm conversation.NewMessage) (conversation.Message, bool, error) {
	// The seq comes from a row-locked counter on the conversation, in the same statement.
	// A conflicting insert consumes a seq number; gaps are harmless, order is what counts.
	m, err := scanMessage(s.db.QueryRow(ctx, `
		WITH existing AS (
			SELECT `+messageColumns+`, false AS created FROM messages
			WHERE conversation_id = $1 AND turn_id = $2 AND author = $3 AND part = $4
		), next AS (
			UPDATE conversations SET last_seq = last_seq + 1, updated_at = now()
			WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM existing)
			RETURNING last_seq
		), ins AS (
			INSERT INTO messages (id, conversation_id, seq, turn_id, part, participant_id, author, body, lang, intent, ai_generated, handoff, meta)
			SELECT $5, $1, next.last_seq, $2, $4, p.id, $3, $6, $7, $8, $3 = 'ai', $9, $10
			FROM next, (SELECT id FROM participants WHERE conversation_id = $1 AND kind = $3 AND ($11 = '' OR display_name = $11)
				ORDER BY created_at LIMIT 1) p
			ON CONFLICT DO NOTHING
			RETURNING `+messageColumns+`, true AS created
		)
		SELECT * FROM ins UNION ALL SELECT * FROM existing`,
		nm.ConversationID, nm.TurnID, string(nm.Author), nm.Part, uuid.Must(uuid.NewV7()), nm.Text, nm.Lang, nm.Intent, nm.Handoff, metaOrEmpty(nm.Meta), nm.Participant))
	if errors.Is(err, pgx.ErrNoRows) {
		// Either the conversation does not exist, or a concurrent duplicate won the race
		// between our existence check and insert: look again.
		m, err := scanMessage(s.db.QueryRow(ctx, `SELECT `+messageColumns+`, false FROM messages
			WHERE conversation_id = $1 AND turn_id = $2 AND author = $3 AND part = $4`,
			nm.ConversationID, nm.TurnID, string(nm.Author), nm.Part))
		if err == nil {
			return m.Message, false, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return conversation.Message{}, false, fmt.Errorf("append message to %s: %w", nm.ConversationID, err)
		}
		if _, err := s.Get(ctx, nm.ConversationID); err != nil {
			return conversation.Message{}, false, err
		}
		return conversation.Message{}, false, fmt.Errorf("append message to %s: no participant of kind %s", nm.ConversationID, nm.Author)
	}
	if err != nil {
		return conversation.Message{}, false, fmt.Errorf("append message to %s: %w", nm.ConversationID, err)
	}
	return m.Message, m.created, nil
}

// AddParticipant adds a participant of kind (a person who joins: a human agent) by display
// name; adding the same one again changes nothing.
func (s *Store) AddParticipant(ctx context.Context, conversationID string, kind conversation.Author, displayName string) error {
	_, err := s.db.Exec(ctx, `INSERT INTO participants (id, conversation_id, kind, display_name) VALUES ($1, $2, $3, $4)
		ON CONFLICT (conversation_id, kind, display_name) DO NOTHING`, uuid.Must(uuid.NewV7()), conversationID, string(kind), displayName)
	if err != nil {
		return fmt.Errorf("add participant to %s: %w", conversationID, err)
	}
	return nil
}

// SetStatus records where a conversation stands (and why, for a handoff).
func (s *Store) SetStatus(ctx context.Context, id string, st conversation.Status, reason string) error {
	tag, err := s.db.Exec(ctx, `UPDATE conversations SET status = $2, handoff_reason = $3, updated_at = now() WHERE id = $1`, id, string(st), reason)
	if err != nil {
		return fmt.Errorf("set status of %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return conversation.ErrNotFound
	}
	return nil
}

// SetLocale records the customer's locale once it is known.
func (s *Store) SetLocale(ctx context.Context, id, locale string) error {
	_, err := s.db.Exec(ctx, `UPDATE conversations SET locale = $2, updated_at = now() WHERE id = $1 AND locale IS DISTINCT FROM $2`, id, locale)
	if err != nil {
		return fmt.Errorf("set locale of %s: %w", id, err)
	}
	return nil
}

// CountAI returns how many AI messages the conversation has with seq below beforeSeq
// (0 = all). The workflow uses it to decide whether the AI disclosure is still due.
func (s *Store) CountAI(ctx context.Context, conversationID string, beforeSeq int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND author = 'ai' AND ($2 = 0 OR seq < $2)`,
		conversationID, beforeSeq).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count AI messages of %s: %w", conversationID, err)
	}
	return n, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

const messageColumns = `id::text, conversation_id::text, seq, turn_id, author, body, lang, intent, ai_generated, handoff, meta, created_at`

type messageRow struct {
	conversation.Message
	created bool
}

// scanMessage reads messageColumns followed by a boolean "created".
func scanMessage(row pgx.Row) (messageRow, error) {
	var m messageRow
	var author string
	err := row.Scan(&m.ID, &m.ConversationID, &m.Seq, &m.TurnID, &author, &m.Text, &m.Lang, &m.Intent,
		&m.AIGenerated, &m.Handoff, &m.Meta, &m.CreatedAt, &m.created)
	m.Author = conversation.Author(author)
	return m, err
}

// collectMessages reads rows of messageColumns (with no "created" column).
func collectMessages(rows pgx.Rows) ([]conversation.Message, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (conversation.Message, error) {
		var m conversation.Message
		var author string
		err := row.Scan(&m.ID, &m.ConversationID, &m.Seq, &m.TurnID, &author, &m.Text, &m.Lang, &m.Intent,
			&m.AIGenerated, &m.Handoff, &m.Meta, &m.CreatedAt)
		m.Author = conversation.Author(author)
		return m, err
	})
}

func scanConversation(row pgx.Row) (conversation.Conversation, error) {
	var c conversation.Conversation
	var st string
	err := row.Scan(&c.ID, &c.Channel, &c.Locale, &c.Market, &st, &c.HandoffReason, &c.CreatedAt, &c.UpdatedAt, &c.Identity)
	c.Status = conversation.Status(st)
	return c, err
}

func metaOrEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// DisclosureDue says whether the next AI message on channel must disclose that it comes from
// an AI, and why: nothing was disclosed in the conversation yet, not on this channel, or a
// person wrote in the conversation since the last disclosure (the AI takes over again).
func (s *Store) DisclosureDue(ctx context.Context, conversationID, channel string) (reason string, err error) {
	var any, onChannel, humanSince bool
	err = s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ai_disclosures WHERE conversation_id = $1),
		EXISTS (SELECT 1 FROM ai_disclosures WHERE conversation_id = $1 AND channel = $2),
		EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = $1 AND m.author = 'human_agent'
			AND m.seq > (SELECT coalesce(max(dm.seq), 0) FROM ai_disclosures d JOIN messages dm ON dm.id = d.message_id
				WHERE d.conversation_id = $1))`, conversationID, channel).Scan(&any, &onChannel, &humanSince)
	switch {
	case err != nil:
		return "", fmt.Errorf("read disclosures of %s: %w", conversationID, err)
	case !any:
		return conversation.DisclosureFirst, nil
	case !onChannel:
		return conversation.DisclosureChannelChange, nil
	case humanSince:
		return conversation.DisclosureHandback, nil
	}
	return "", nil
}

// RecordDisclosure stores the evidence of a disclosure; recording the same message again
// changes nothing.
func (s *Store) RecordDisclosure(ctx context.Context, d conversation.Disclosure) error {
	_, err := s.db.Exec(ctx, `INSERT INTO ai_disclosures (message_id, conversation_id, channel, locale, text, reason)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING`,
		d.MessageID, d.ConversationID, d.Channel, d.Locale, d.Text, d.Reason)
	if err != nil {
		return fmt.Errorf("record disclosure: %w", err)
	}
	return nil
}

// Disclosures returns a conversation's disclosure evidence, oldest first.
func (s *Store) Disclosures(ctx context.Context, conversationID string) ([]conversation.Disclosure, error) {
	if _, err := uuid.Parse(conversationID); err != nil {
		return nil, conversation.ErrNotFound
	}
	rows, err := s.db.Query(ctx, `SELECT conversation_id::text, message_id::text, channel, locale, text, reason, disclosed_at
		FROM ai_disclosures WHERE conversation_id = $1 ORDER BY disclosed_at, message_id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("list disclosures of %s: %w", conversationID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (conversation.Disclosure, error) {
		var d conversation.Disclosure
		err := r.Scan(&d.ConversationID, &d.MessageID, &d.Channel, &d.Locale, &d.Text, &d.Reason, &d.At)
		return d, err
	})
}
