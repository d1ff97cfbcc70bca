package regional

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/conversation/pgstore"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	realpg.Stop()
	os.Exit(code)
}

// twoDatabases returns the default database (embedded PGlite) and an EU database (a real
// PostgreSQL cluster), each with the conversation schema.
func twoDatabases(t *testing.T) (def, eu *pgxpool.Pool) {
	t.Helper()
	u := realpg.NewDatabase(t)
	realpg.ApplyMigrations(t, u, "conversations", "conversation_identity", "ai_disclosures")
	eu, err := pgxpool.New(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eu.Close)
	return pgtest.Pool(t), eu
}

func count(t *testing.T, pool *pgxpool.Pool, table, id string) int {
	t.Helper()
	col := "conversation_id"
	if table == "conversations" {
		col = "id"
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table+` WHERE `+col+` = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAConversationLivesInItsMarketsRegionOnly: a German customer's conversation, its
// messages and its disclosure evidence are written to the EU database and nowhere else; an
// American customer's stay in the default one; a second process, knowing nothing yet, finds
// each where it is.
func TestAConversationLivesInItsMarketsRegionOnly(t *testing.T) {
	ctx := context.Background()
	defPool, euPool := twoDatabases(t)
	regions := []Region{{Name: "eu", Markets: []string{"DE", "FR"}, Store: pgstore.New(euPool)}}
	s, err := New(pgstore.New(defPool), regions...)
	if err != nil {
		t.Fatal(err)
	}
	de, err := s.Create(ctx, conversation.NewConversation{Market: "de", Locale: "de-DE", Identity: &conversation.Claimed{Email: "lena@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	us, err := s.Create(ctx, conversation.NewConversation{Market: "US", Locale: "en-US"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []conversation.Conversation{de, us} {
		if _, _, err := s.Append(ctx, conversation.NewMessage{ConversationID: c.ID, TurnID: "t1", Author: conversation.AuthorCustomer, Text: "Hallo"}); err != nil {
			t.Fatal(err)
		}
		ai, _, err := s.Append(ctx, conversation.NewMessage{ConversationID: c.ID, TurnID: "t1", Author: conversation.AuthorAI, Text: "Hi, I am an AI."})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RecordDisclosure(ctx, conversation.Disclosure{MessageID: ai.ID, ConversationID: c.ID, Channel: "web", Locale: "de",
			Text: "I am an AI.", Reason: conversation.DisclosureFirst}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		table    string
		id       string
		def, eu  int
		customer string
	}{
		{"conversations", de.ID, 0, 1, "DE"}, {"messages", de.ID, 0, 2, "DE"}, {"participants", de.ID, 0, 2, "DE"}, {"ai_disclosures", de.ID, 0, 1, "DE"},
		{"conversations", us.ID, 1, 0, "US"}, {"messages", us.ID, 2, 0, "US"}, {"ai_disclosures", us.ID, 1, 0, "US"},
	} {
		if d, e := count(t, defPool, tc.table, tc.id), count(t, euPool, tc.table, tc.id); d != tc.def || e != tc.eu {
			t.Errorf("%s customer's %s: %d rows in the default database, %d in the EU one; want %d and %d", tc.customer, tc.table, d, e, tc.def, tc.eu)
		}
	}

	// Another process starts with nothing remembered.
	fresh, err := New(pgstore.New(defPool), Region{Name: "eu", Markets: []string{"DE", "FR"}, Store: pgstore.New(euPool)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []conversation.Conversation{de, us} {
		got, err := fresh.Get(ctx, c.ID)
		if err != nil || got.Market != c.Market {
			t.Fatalf("get %s: %+v %v", c.Market, got, err)
		}
		msgs, err := fresh.Messages(ctx, c.ID, 0, 10)
		if err != nil || len(msgs) != 2 {
			t.Fatalf("%s messages: %d %v", c.Market, len(msgs), err)
		}
		if due, err := fresh.DisclosureDue(ctx, c.ID, "web"); err != nil || due != "" {
			t.Errorf("%s disclosure due %q %v, want none: the evidence is found in its region", c.Market, due, err)
		}
	}
	if _, err := fresh.Get(ctx, "0196a0a0-0000-7000-8000-000000000001"); !errors.Is(err, conversation.ErrNotFound) {
		t.Errorf("an unknown conversation: %v, want ErrNotFound", err)
	}
	if _, _, err := fresh.Append(ctx, conversation.NewMessage{ConversationID: "0196a0a0-0000-7000-8000-000000000001", TurnID: "x",
		Author: conversation.AuthorCustomer, Text: "x"}); !errors.Is(err, conversation.ErrNotFound) {
		t.Errorf("a message to an unknown conversation: %v, want ErrNotFound", err)
	}
	if err := fresh.Ping(ctx); err != nil {
		t.Error(err)
	}
}

func TestRegionsRefuseAmbiguousConfiguration(t *testing.T) {
	def := pgstore.New(pgtest.Pool(t))
	other := pgstore.New(pgtest.Pool(t))
	for name, rs := range map[string][]Region{
		"a market in two regions":     {{Name: "eu", Markets: []string{"DE"}, Store: other}, {Name: "dach", Markets: []string{"DE"}, Store: other}},
		"a region named default":      {{Name: Default, Markets: []string{"DE"}, Store: other}},
		"a region twice":              {{Name: "eu", Markets: []string{"DE"}, Store: other}, {Name: "eu", Markets: []string{"FR"}, Store: other}},
		"a region without markets":    {{Name: "eu", Store: other}},
		"a region without a database": {{Name: "eu", Markets: []string{"DE"}}},
	} {
		if _, err := New(def, rs...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
