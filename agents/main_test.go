package agents

// Shared fixtures of the package's tests: a real, migrated PostgreSQL (pgtest), the real
// conversation store, and the offline engine built as the service builds it.

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/attache-dev/attache/agents/offline"
	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/conversation/pgstore"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/knowledge/hashembed"
	"github.com/attache-dev/attache/stream"
	"github.com/attache-dev/attache/tools"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testEngine is the offline engine, built once: loading its language models takes about a
// second.
var testEngine = sync.OnceValues(func() (*offline.Engine, error) {
	cat, err := i18n.NewCatalog()
	if err != nil {
		return nil, err
	}
	return offline.New(cat, hashembed.New(hashembed.DefaultDims))
})

// fixture is one conversation in the test database and the activities that serve it.
type fixture struct {
	store *pgstore.Store
	hub   *stream.Hub
	acts  *Activities
	conv  string
}

// newFixture creates a conversation (locale as the client declared it, may be "") and the
// real activities: the Postgres store, an in-process event hub and the offline responder.
func newFixture(t testing.TB, locale string) *fixture {
	t.Helper()
	engine, err := testEngine()
	if err != nil {
		t.Fatalf("build offline engine: %v", err)
	}
	st := pgstore.New(pgtest.Pool(t))
	c, err := st.Create(context.Background(), conversation.NewConversation{Locale: locale})
	if err != nil {
		t.Fatalf("create conversation: %v", err)
	}
	f := &fixture{store: st, hub: stream.NewHub(), conv: c.ID}
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	f.acts = &Activities{Store: st, Events: f.hub, Responder: OfflineResponder{Engine: engine}, Catalog: cat, Logger: pgtest.Logger()}
	return f
}

// withTools gives the fixture's offline responder these tools and the message catalog
// (returned), as the service builds it.
func (f *fixture) withTools(t testing.TB, ts ...tools.Tool) *i18n.Catalog {
	t.Helper()
	reg, err := tools.NewRegistry(ts...)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	f.acts.Tools = reg
	f.acts.Responder = OfflineResponder{Engine: f.acts.Responder.(OfflineResponder).Engine, Catalog: cat}
	return cat
}

// transcript returns every stored message of the conversation, in order.
func (f *fixture) transcript(t testing.TB) []conversation.Message {
	t.Helper()
	msgs, err := f.store.Messages(context.Background(), f.conv, 0, 1000)
	if err != nil {
		t.Fatalf("read transcript: %v", err)
	}
	return msgs
}

// conversation returns the stored conversation.
func (f *fixture) conversation(t testing.TB) conversation.Conversation {
	t.Helper()
	c, err := f.store.Get(context.Background(), f.conv)
	if err != nil {
		t.Fatalf("get conversation: %v", err)
	}
	return c
}
