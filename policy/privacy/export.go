package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ExportSchemaVersion names the format of [Bundle]; it changes when a field changes meaning.
const ExportSchemaVersion = "attache.privacy.export.v1"

// Bundle is everything the service holds about a customer, as handed to them: JSON with
// stable field names. Lists are empty, not null, when there is nothing.
type Bundle struct {
	SchemaVersion string    `json:"schema_version"`
	GeneratedAt   time.Time `json:"generated_at"`
	RequestID     string    `json:"request_id"`

	Conversations []ExportedConversation `json:"conversations"`
	Participants  []ExportedParticipant  `json:"participants"`
	Messages      []ExportedMessage      `json:"messages"`
	Disclosures   []ExportedDisclosure   `json:"ai_disclosures"`
	Consents      []Consent              `json:"consents"`
	KnowledgeGaps []ExportedGap          `json:"kb_gaps"`
	Handoffs      []ExportedHandoff      `json:"handoffs"`
	CSAT          []ExportedCSAT         `json:"csat_responses"`
	Requests      []Request              `json:"privacy_requests"`
}

// ExportedCSAT is the customer's answer to the post-chat satisfaction survey.
type ExportedCSAT struct {
	ConversationID string    `json:"conversation_id"`
	Score          int       `json:"score"`
	Comment        string    `json:"comment,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// ExportedConversation is a conversation with the identity a verified token recorded.
type ExportedConversation struct {
	ID            string          `json:"id"`
	Channel       string          `json:"channel"`
	Locale        string          `json:"locale"`
	Market        string          `json:"market"`
	Status        string          `json:"status"`
	HandoffReason string          `json:"handoff_reason,omitempty"`
	Identity      json.RawMessage `json:"identity,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// ExportedParticipant is a party to a conversation.
type ExportedParticipant struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Kind           string    `json:"kind"`
	DisplayName    string    `json:"display_name,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// ExportedMessage is one message of a transcript, with the agent's annotations.
type ExportedMessage struct {
	ID             string            `json:"id"`
	ConversationID string            `json:"conversation_id"`
	Seq            int64             `json:"seq"`
	Author         string            `json:"author"`
	Body           string            `json:"body"`
	Lang           string            `json:"lang,omitempty"`
	Intent         string            `json:"intent,omitempty"`
	AIGenerated    bool              `json:"ai_generated"`
	Handoff        bool              `json:"handoff"`
	Meta           map[string]string `json:"meta,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
}

// ExportedDisclosure is the evidence that the customer was told they talk to an AI.
type ExportedDisclosure struct {
	MessageID      string    `json:"message_id"`
	ConversationID string    `json:"conversation_id"`
	Channel        string    `json:"channel"`
	Locale         string    `json:"locale"`
	Text           string    `json:"text"`
	Reason         string    `json:"reason"`
	DisclosedAt    time.Time `json:"disclosed_at"`
}

// ExportedGap is a question of the customer's that the knowledge base could not answer.
type ExportedGap struct {
	ConversationID *string   `json:"conversation_id"`
	Question       string    `json:"question"`
	Locale         string    `json:"locale"`
	Market         string    `json:"market"`
	Reason         string    `json:"reason"`
	CreatedAt      time.Time `json:"created_at"`
}

// Export returns everything the service holds about the subject, read in one consistent
// snapshot, and records the request. The bundle names earlier requests about any of the
// subject's identifiers (by their digests), including this one.
func (s *Store) Export(ctx context.Context, sub Subject, requestedBy string) (Bundle, error) {
	n, err := sub.normalize()
	if err != nil {
		return Bundle{}, err
	}
	if err := validRequester(requestedBy); err != nil {
		return Bundle{}, err
	}
	id, err := s.begin(ctx, KindExport, n, requestedBy)
	if err != nil {
		return Bundle{}, err
	}
	b := Bundle{SchemaVersion: ExportSchemaVersion, GeneratedAt: s.now().UTC(), RequestID: id}
	err = pgx.BeginTxFunc(ctx, s.db, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return readBundle(ctx, tx, n, &b)
	})
	if err != nil {
		return Bundle{}, s.fail(ctx, id, "read", fmt.Errorf("export: %w", err))
	}
	counts := map[string]int64{
		"conversations": int64(len(b.Conversations)), "participants": int64(len(b.Participants)),
		"messages": int64(len(b.Messages)), "ai_disclosures": int64(len(b.Disclosures)),
		"consents": int64(len(b.Consents)), "kb_gaps": int64(len(b.KnowledgeGaps)),
	}
	if err := s.finish(ctx, s.db, id, StatusDone, "", counts); err != nil {
		return Bundle{}, fmt.Errorf("export: %w", err)
	}
	_, each := n.hashes(s.key)
	if b.Requests, err = s.requests(ctx, `WHERE identifier_hashes && $1::text[]`, each, 1000); err != nil {
		return Bundle{}, fmt.Errorf("export: %w", err)
	}
	return b, nil
}

func readBundle(ctx context.Context, tx pgx.Tx, n subject, b *Bundle) error {
	ids, err := conversationIDs(ctx, tx, n)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT id::text, channel, locale, market, status, handoff_reason, identity, created_at, updated_at
		FROM conversations WHERE id = ANY ($1::uuid[]) ORDER BY created_at, id`, ids)
	if b.Conversations, err = collect(rows, err, "conversations", func(r pgx.CollectableRow) (ExportedConversation, error) {
		var c ExportedConversation
		var identity []byte
		err := r.Scan(&c.ID, &c.Channel, &c.Locale, &c.Market, &c.Status, &c.HandoffReason, &identity, &c.CreatedAt, &c.UpdatedAt)
		if len(identity) > 0 {
			c.Identity = identity
		}
		return c, err
	}); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT id::text, conversation_id::text, kind, display_name, created_at
		FROM participants WHERE conversation_id = ANY ($1::uuid[]) ORDER BY conversation_id, created_at, id`, ids)
	if b.Participants, err = collect(rows, err, "participants", func(r pgx.CollectableRow) (ExportedParticipant, error) {
		var p ExportedParticipant
		return p, r.Scan(&p.ID, &p.ConversationID, &p.Kind, &p.DisplayName, &p.CreatedAt)
	}); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT id::text, conversation_id::text, seq, author, body, lang, intent, ai_generated, handoff, meta, created_at
		FROM messages WHERE conversation_id = ANY ($1::uuid[]) ORDER BY conversation_id, seq`, ids)
	if b.Messages, err = collect(rows, err, "messages", func(r pgx.CollectableRow) (ExportedMessage, error) {
		var m ExportedMessage
		return m, r.Scan(&m.ID, &m.ConversationID, &m.Seq, &m.Author, &m.Body, &m.Lang, &m.Intent, &m.AIGenerated, &m.Handoff, &m.Meta, &m.CreatedAt)
	}); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT message_id::text, conversation_id::text, channel, locale, text, reason, disclosed_at
		FROM ai_disclosures WHERE conversation_id = ANY ($1::uuid[]) ORDER BY conversation_id, disclosed_at, message_id`, ids)
	if b.Disclosures, err = collect(rows, err, "ai_disclosures", func(r pgx.CollectableRow) (ExportedDisclosure, error) {
		var d ExportedDisclosure
		return d, r.Scan(&d.MessageID, &d.ConversationID, &d.Channel, &d.Locale, &d.Text, &d.Reason, &d.DisclosedAt)
	}); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT `+consentColumns+` FROM consents
		WHERE conversation_id = ANY ($1::uuid[]) ORDER BY conversation_id, recorded_at, id`, ids)
	if b.Consents, err = collect(rows, err, "consents", scanConsent); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT conversation_id::text, question, locale, market, reason, created_at
		FROM kb_gaps WHERE `+gapsWhere+` ORDER BY created_at, id`, ids, n.email, n.phoneDigits)
	b.KnowledgeGaps, err = collect(rows, err, "kb_gaps", func(r pgx.CollectableRow) (ExportedGap, error) {
		var g ExportedGap
		return g, r.Scan(&g.ConversationID, &g.Question, &g.Locale, &g.Market, &g.Reason, &g.CreatedAt)
	})
	if err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT h.id::text, h.conversation_id::text, h.reason, h.team, h.status, h.packet, h.created_at,
			coalesce((SELECT json_agg(json_build_object('body', n.body, 'created_at', n.created_at) ORDER BY n.created_at)
				FROM handoff_notes n WHERE n.handoff_id = h.id), '[]')
		FROM handoffs h WHERE h.conversation_id = ANY ($1::uuid[]) ORDER BY h.created_at, h.id`, ids)
	b.Handoffs, err = collect(rows, err, "handoffs", func(r pgx.CollectableRow) (ExportedHandoff, error) {
		var h ExportedHandoff
		return h, r.Scan(&h.ID, &h.ConversationID, &h.Reason, &h.Team, &h.Status, &h.Packet, &h.CreatedAt, &h.Notes)
	})
	if err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT conversation_id::text, score, comment, created_at
		FROM csat_responses WHERE conversation_id = ANY ($1::uuid[]) ORDER BY created_at, conversation_id`, ids)
	b.CSAT, err = collect(rows, err, "csat_responses", func(r pgx.CollectableRow) (ExportedCSAT, error) {
		var c ExportedCSAT
		return c, r.Scan(&c.ConversationID, &c.Score, &c.Comment, &c.CreatedAt)
	})
	return err
}

// ExportedHandoff is a handoff of the customer's conversation to a person: the packet the
// agent read, and the staff's internal notes about it.
type ExportedHandoff struct {
	ID             string          `json:"id"`
	ConversationID string          `json:"conversation_id"`
	Reason         string          `json:"reason"`
	Team           string          `json:"team"`
	Status         string          `json:"status"`
	Packet         json.RawMessage `json:"packet"`
	Notes          json.RawMessage `json:"notes"`
	CreatedAt      time.Time       `json:"created_at"`
}

// collect reads every row of a query, never returning a nil slice.
func collect[T any](rows pgx.Rows, err error, what string, scan pgx.RowToFunc[T]) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if out == nil {
		out = []T{}
	}
	return out, nil
}
