package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

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

func TestCreateGetAndTranscriptOrder(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(pgtest.Pool(t))
	c, err := s.Create(ctx, conversation.NewConversation{Locale: "es-MX", Market: "MX"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != conversation.StatusOpen || c.Channel != "web" || c.Locale != "es-MX" {
		t.Fatalf("created %+v", c)
	}
	got, err := s.Get(ctx, c.ID)
	if err != nil || got.ID != c.ID {
		t.Fatalf("get: %+v, %v", got, err)
	}
	for i, a := range []conversation.Author{conversation.AuthorCustomer, conversation.AuthorAI, conversation.AuthorCustomer} {
		_, created, err := s.Append(ctx, conversation.NewMessage{ConversationID: c.ID, TurnID: fmt.Sprint("t", i/2), Author: a, Text: fmt.Sprint("m", i), Lang: "es"})
		if err != nil || !created {
			t.Fatalf("append %d: created=%v err=%v", i, created, err)
		}
	}
	msgs, err := s.Messages(ctx, c.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 || msgs[0].Text != "m0" || msgs[2].Text != "m2" || msgs[1].Author != conversation.AuthorAI || !msgs[1].AIGenerated || msgs[0].AIGenerated {
		t.Fatalf("transcript %+v", msgs)
	}
	if !(msgs[0].Seq < msgs[1].Seq && msgs[1].Seq < msgs[2].Seq) {
		t.Fatalf("seqs not increasing: %d %d %d", msgs[0].Seq, msgs[1].Seq, msgs[2].Seq)
	}
	after, _ := s.Messages(ctx, c.ID, msgs[0].Seq, 10)
	if len(after) != 2 {
		t.Fatalf("after seq %d: %d messages", msgs[0].Seq, len(after))
	}
}

func TestAppendIsIdempotentPerTurnAuthorAndPart(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(pgtest.Pool(t))
	c, _ := s.Create(ctx, conversation.NewConversation{})
	nm := conversation.NewMessage{ConversationID: c.ID, TurnID: "turn-1", Author: conversation.AuthorAI, Text: "hola", Meta: map[string]string{"pending_intent": "track_order"}}
	first, created, err := s.Append(ctx, nm)
	if err != nil || !created {
		t.Fatalf("first append: %v %v", created, err)
	}
	nm.Text = "a retried activity may compose a different text"
	again, created, err := s.Append(ctx, nm)
	if err != nil || created || again.ID != first.ID || again.Text != "hola" || again.Meta["pending_intent"] != "track_order" {
		t.Fatalf("second append: %+v created=%v err=%v", again, created, err)
	}
	msgs, _ := s.TurnMessages(ctx, c.ID, "turn-1")
	if len(msgs) != 1 {
		t.Fatalf("%d messages stored for one turn", len(msgs))
	}
}

func TestConcurrentDuplicateAppendsStoreOneMessage(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(pgtest.Pool(t))
	c, _ := s.Create(ctx, conversation.NewConversation{})
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, _, err := s.Append(ctx, conversation.NewMessage{ConversationID: c.ID, TurnID: "t", Author: conversation.AuthorCustomer, Text: "x"})
			if err != nil {
				t.Error(err)
			}
			ids[i] = m.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("different messages for one turn: %v", ids)
		}
	}
}

func TestNotFound(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(pgtest.Pool(t))
	for _, id := range []string{"00000000-0000-0000-0000-000000000000", "not-a-uuid", ""} {
		if _, err := s.Get(ctx, id); !errors.Is(err, conversation.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", id, err)
		}
	}
	_, _, err := s.Append(ctx, conversation.NewMessage{ConversationID: "00000000-0000-0000-0000-000000000000", TurnID: "t", Author: conversation.AuthorCustomer, Text: "x"})
	if !errors.Is(err, conversation.ErrNotFound) {
		t.Fatalf("append to missing conversation: %v", err)
	}
	if err := s.SetStatus(ctx, "00000000-0000-0000-0000-000000000000", conversation.StatusHandoff, "x"); !errors.Is(err, conversation.ErrNotFound) {
		t.Fatalf("set status: %v", err)
	}
}
