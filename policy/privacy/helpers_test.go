package privacy

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
)

// The tests share one database; each seeds customers with identifiers of its own, and none
// runs in parallel with another (the sweep deletes by age across the whole table).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var testKey = []byte("privacy-test-hmac-key-0123456789abcdef")

func workflowID(conversationID string) string { return "conversation/" + conversationID }

// fakeShredder records the workflow IDs it was asked to shred.
type fakeShredder struct {
	mu  sync.Mutex
	ids []string
	err error
}

func (f *fakeShredder) Shred(_ context.Context, ids ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.ids = append(f.ids, ids...)
	return nil
}

func (f *fakeShredder) shredded() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(slices.Values(f.ids))
}

// fakeTerminator records the conversations whose workflows it ended.
type fakeTerminator struct {
	mu  sync.Mutex
	ids []string
}

func (f *fakeTerminator) Terminate(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids = append(f.ids, id)
	return nil
}

func newPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return pgtest.Pool(t)
}

func newStore(t testing.TB, cfg Config) (*Store, *pgxpool.Pool) {
	t.Helper()
	pool := newPool(t)
	cfg.DB = pool
	if cfg.HashKey == nil {
		cfg.HashKey = testKey
	}
	if cfg.WorkflowID == nil {
		cfg.WorkflowID = workflowID
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("new store: %v", err)
	}
	return s, pool
}

// customer is a test person whose identifiers are unique to one test run.
type customer struct {
	Name, Email, Phone, PhoneShown, PhoneNational, CustomerID string
}

func newCustomer(t testing.TB, first string) customer {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	sub := fmt.Sprintf("%08d", n%100_000_000)
	tag := fmt.Sprintf("%x", b)
	return customer{
		Name:          first + " Quellbrunn" + tag,
		Email:         fmt.Sprintf("%s.%s@example.com", first, tag),
		Phone:         "+49151" + sub,                       // E.164, as identity tokens carry it
		PhoneShown:    "+49 151 " + sub[:4] + " " + sub[4:], // as a customer types it
		PhoneNational: "0151 " + sub,                        // national format, in a question
		CustomerID:    "cust-" + first + "-" + tag,
	}
}

// conv is what seedConversation created.
type conv struct {
	ID       string
	Messages int
}

// seedConversation stores a conversation of c with identity (nil: none), a customer and an
// AI participant, messages quoting c's name, e-mail and phone, an AI disclosure, a consent
// and a knowledge gap.
func seedConversation(t testing.TB, pool *pgxpool.Pool, c customer, identity map[string]string, market string, updated time.Time) conv {
	t.Helper()
	ctx := context.Background()
	id := uuid.Must(uuid.NewV7()).String()
	var ident any
	if identity != nil {
		raw, _ := json.Marshal(identity)
		ident = string(raw)
	}
	cust, ai := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	bodies := []struct{ author, part, body string }{
		{"customer", cust, "Hi, I am " + c.Name + ", my e-mail is " + c.Email},
		{"ai", ai, "Thank you " + c.Name + ". I am an AI assistant."},
		{"customer", cust, "Call me on " + c.PhoneShown + " please"},
		{"ai", ai, "We will call " + c.Phone + "."},
	}
	type stmt struct {
		sql  string
		args []any
	}
	stmts := []stmt{
		{`INSERT INTO conversations (id, market, locale, identity, created_at, updated_at) VALUES ($1, $2, 'en', $3::jsonb, $4, $4)`,
			[]any{id, market, ident, updated}},
		{`INSERT INTO participants (id, conversation_id, kind, display_name) VALUES ($1, $2, 'customer', $3)`, []any{cust, id, c.Name}},
		{`INSERT INTO participants (id, conversation_id, kind) VALUES ($1, $2, 'ai')`, []any{ai, id}},
	}
	var firstAI string
	for i, m := range bodies {
		mid := uuid.Must(uuid.NewV7()).String()
		if m.author == "ai" && firstAI == "" {
			firstAI = mid
		}
		stmts = append(stmts, stmt{`INSERT INTO messages (id, conversation_id, seq, turn_id, participant_id, author, body, ai_generated, meta)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
			[]any{mid, id, i + 1, fmt.Sprintf("t%d", i/2), m.part, m.author, m.body, m.author == "ai",
				fmt.Sprintf(`{"note": "customer %s"}`, c.Email)}})
	}
	stmts = append(stmts,
		stmt{`INSERT INTO ai_disclosures (message_id, conversation_id, channel, locale, text, reason)
			VALUES ($1, $2, 'web', 'en', 'You are talking to an AI assistant.', 'first_ai_message')`, []any{firstAI, id}},
		stmt{`INSERT INTO consents (id, conversation_id, purpose, granted, policy_version, locale, channel)
			VALUES ($1, $2, 'ai_processing', true, '2026-01', 'en', 'web')`, []any{uuid.Must(uuid.NewV7()).String(), id}},
		stmt{`INSERT INTO kb_gaps (conversation_id, question, norm, locale, market, reason, created_at)
			VALUES ($1, $2, $2, 'en', $3, 'no_passage', $4)`, []any{id, "does " + c.Name + " get free returns?", market, updated}},
	)
	for _, s := range stmts {
		if _, err := pool.Exec(ctx, s.sql, s.args...); err != nil {
			t.Fatalf("seed conversation: %v", err)
		}
	}
	return conv{ID: id, Messages: len(bodies)}
}

// seedGap stores a knowledge gap without a conversation.
func seedGap(t testing.TB, pool *pgxpool.Pool, question string, created time.Time) {
	t.Helper()
	_, err := pool.Exec(context.Background(), `INSERT INTO kb_gaps (question, norm, locale, reason, created_at)
		VALUES ($1, lower($1), 'en', 'no_passage', $2)`, question, created)
	if err != nil {
		t.Fatalf("seed gap: %v", err)
	}
}

// exists says whether a conversation is stored.
func exists(t testing.TB, pool *pgxpool.Pool, id string) bool {
	t.Helper()
	var ok bool
	if err := pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM conversations WHERE id = $1)`, id).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}
