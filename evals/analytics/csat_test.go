package analytics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/policy/privacy"
)

func TestCSATRecordAndGet(t *testing.T) {
	db := pgtest.Pool(t)
	s := NewCSATStore(db)
	ctx := context.Background()
	ids := seed(t, db, conv{market: "DE", at: time.Now()}, conv{market: "DE", at: time.Now()})

	got, created, err := s.Record(ctx, CSATResponse{ConversationID: ids[0], Score: 4,
		Comment: "  Schnell geholfen, schreiben Sie mir an anna@example.de oder +49 30 123456 ",
	})
	if err != nil || !created {
		t.Fatalf("record: created %v, %v", created, err)
	}
	const redacted = "Schnell geholfen, schreiben Sie mir an [email] oder [phone]"
	if got.Score != 4 || got.Comment != redacted {
		t.Errorf("stored %d %q, want 4 %q", got.Score, got.Comment, redacted)
	}

	again, created, err := s.Record(ctx, CSATResponse{ConversationID: ids[0], Score: 4,
		Comment: "Schnell geholfen, schreiben Sie mir an anna@example.de oder +49 30 123456"})
	if err != nil || created || again != got {
		t.Errorf("the same answer again: %+v created %v, %v; want the stored answer, not created", again, created, err)
	}
	if _, _, err := s.Record(ctx, CSATResponse{ConversationID: ids[0], Score: 1}); !errors.Is(err, ErrAnswered) {
		t.Errorf("a different second answer: err = %v, want ErrAnswered", err)
	}
	if read, err := s.Get(ctx, ids[0]); err != nil || read != got {
		t.Errorf("get = %+v, %v; want %+v", read, err, got)
	}
	if _, err := s.Get(ctx, ids[1]); !errors.Is(err, ErrNotFound) {
		t.Errorf("get of an unanswered survey: err = %v, want ErrNotFound", err)
	}

	for name, r := range map[string]CSATResponse{
		"unknown conversation": {ConversationID: uuid.NewString(), Score: 3},
		"not a UUID":           {ConversationID: "conv-1", Score: 3},
	} {
		if _, _, err := s.Record(ctx, r); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
	for name, r := range map[string]CSATResponse{
		"score 0":           {ConversationID: ids[1], Score: 0},
		"score 6":           {ConversationID: ids[1], Score: 6},
		"comment too long":  {ConversationID: ids[1], Score: 3, Comment: strings.Repeat("é", MaxCommentChars+1)},
		"comment not UTF-8": {ConversationID: ids[1], Score: 3, Comment: "\xff"},
	} {
		if _, _, err := s.Record(ctx, r); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestCSATGoesWithTheConversation(t *testing.T) {
	db := pgtest.Pool(t)
	s := NewCSATStore(db)
	ctx := context.Background()
	ids := seed(t, db, conv{market: "DE", at: time.Now()})
	if _, _, err := s.Record(ctx, CSATResponse{ConversationID: ids[0], Score: 5, Comment: "Top"}); err != nil {
		t.Fatal(err)
	}
	exec(t, db, `DELETE FROM conversations WHERE id = $1`, ids[0])
	if _, err := s.Get(ctx, ids[0]); !errors.Is(err, ErrNotFound) {
		t.Errorf("after the conversation's deletion: err = %v, want ErrNotFound", err)
	}
}

// The survey's answer is personal data: a data-subject export carries it, and an erasure
// deletes it with the conversation.
func TestCSATIsExportedAndErasedWithTheCustomer(t *testing.T) {
	db := pgtest.Pool(t)
	ctx := context.Background()
	ids := seed(t, db, conv{market: "NL", at: time.Now(), msgs: []msg{{author: "customer", body: "Hoi", lang: "nl"}}})
	if _, _, err := NewCSATStore(db).Record(ctx, CSATResponse{ConversationID: ids[0], Score: 2, Comment: "Te traag"}); err != nil {
		t.Fatal(err)
	}
	p, err := privacy.New(privacy.Config{DB: db, HashKey: []byte("analytics-test-hmac-key-0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	subject := privacy.Subject{ConversationIDs: ids}
	b, err := p.Export(ctx, subject, "staff:dpo@shop.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.CSAT) != 1 || b.CSAT[0].ConversationID != ids[0] || b.CSAT[0].Score != 2 || b.CSAT[0].Comment != "Te traag" {
		t.Errorf("exported CSAT = %+v, want the answer 2 \"Te traag\"", b.CSAT)
	}
	if _, err := p.Erase(ctx, subject, "staff:dpo@shop.example"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM csat_responses WHERE conversation_id = $1`, ids[0]).Scan(&n); err != nil || n != 0 {
		t.Errorf("after the erasure %d answers are left (%v), want none", n, err)
	}
}

func TestRegionalCSATUsesTheConversationsRegion(t *testing.T) {
	db := pgtest.Pool(t)
	ctx := context.Background()
	ids := seed(t, db, conv{market: "FR", at: time.Now()})
	regions := map[string]string{ids[0]: "eu"}
	r := RegionalCSAT{
		Region: func(_ context.Context, id string) (string, error) {
			if name, ok := regions[id]; ok {
				return name, nil
			}
			return "", fmt.Errorf("look up: %w", conversation.ErrNotFound)
		},
		Stores: map[string]*CSATStore{"eu": NewCSATStore(db)},
	}
	if _, created, err := r.Record(ctx, CSATResponse{ConversationID: ids[0], Score: 5}); err != nil || !created {
		t.Fatalf("record in eu: created %v, %v", created, err)
	}
	if got, err := r.Get(ctx, ids[0]); err != nil || got.Score != 5 {
		t.Errorf("get from eu: %+v, %v", got, err)
	}
	if _, _, err := r.Record(ctx, CSATResponse{ConversationID: uuid.NewString(), Score: 5}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a conversation in no region: err = %v, want ErrNotFound", err)
	}
	regions[ids[0]] = "us"
	if _, err := r.Get(ctx, ids[0]); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("a region without a store: err = %v, want an error other than ErrNotFound", err)
	}
}
