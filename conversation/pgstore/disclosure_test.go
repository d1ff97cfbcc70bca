package pgstore_test

import (
	"context"
	"testing"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/conversation/pgstore"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
)

// TestADisclosureIsDueFirstAndOnEachNewChannel: nothing disclosed yet → due as the first AI
// message; disclosed on the web → not due on the web, due on WhatsApp; recording the same
// message twice keeps one row.
func TestADisclosureIsDueFirstAndOnEachNewChannel(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(pgtest.Pool(t))
	c, err := s.Create(ctx, conversation.NewConversation{Locale: "de"})
	if err != nil {
		t.Fatal(err)
	}
	due := func(channel, want string) {
		t.Helper()
		if got, err := s.DisclosureDue(ctx, c.ID, channel); err != nil || got != want {
			t.Fatalf("DisclosureDue(%s) = %q, %v; want %q", channel, got, err, want)
		}
	}
	due("web", conversation.DisclosureFirst)
	m, _, err := s.Append(ctx, conversation.NewMessage{ConversationID: c.ID, TurnID: "t1", Author: conversation.AuthorAI, Text: "Ich bin ein KI-Assistent."})
	if err != nil {
		t.Fatal(err)
	}
	d := conversation.Disclosure{ConversationID: c.ID, MessageID: m.ID, Channel: "web", Locale: "de", Text: "Ich bin ein KI-Assistent.", Reason: conversation.DisclosureFirst}
	for range 2 {
		if err := s.RecordDisclosure(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	due("web", "")
	due("whatsapp", conversation.DisclosureChannelChange)
	ds, err := s.Disclosures(ctx, c.ID)
	if err != nil || len(ds) != 1 || ds[0].Text != d.Text || ds[0].At.IsZero() {
		t.Fatalf("Disclosures = %+v, %v", ds, err)
	}
}

// TestADisclosureIsDueAgainAfterAPersonWrote: once a person has written in the conversation,
// the next AI message discloses again (the AI takes the conversation back); after that
// disclosure, not again.
func TestADisclosureIsDueAgainAfterAPersonWrote(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(pgtest.Pool(t))
	c, err := s.Create(ctx, conversation.NewConversation{Locale: "ar"})
	if err != nil {
		t.Fatal(err)
	}
	disclose := func(turn string) {
		t.Helper()
		m, _, err := s.Append(ctx, conversation.NewMessage{ConversationID: c.ID, TurnID: turn, Author: conversation.AuthorAI, Text: "أنا مساعد ذكاء اصطناعي."})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RecordDisclosure(ctx, conversation.Disclosure{ConversationID: c.ID, MessageID: m.ID, Channel: "web", Locale: "ar",
			Text: m.Text, Reason: conversation.DisclosureFirst}); err != nil {
			t.Fatal(err)
		}
	}
	disclose("t1")
	if got, _ := s.DisclosureDue(ctx, c.ID, "web"); got != "" {
		t.Fatalf("after the first disclosure: %q", got)
	}
	if err := s.AddParticipant(ctx, c.ID, conversation.AuthorHumanAgent, "Sara"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Append(ctx, conversation.NewMessage{ConversationID: c.ID, TurnID: "h1", Author: conversation.AuthorHumanAgent,
		Participant: "Sara", Text: "مرحبا، أنا سارة."}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.DisclosureDue(ctx, c.ID, "web"); err != nil || got != conversation.DisclosureHandback {
		t.Fatalf("after a person wrote: %q, %v; want %q", got, err, conversation.DisclosureHandback)
	}
	disclose("t2")
	if got, _ := s.DisclosureDue(ctx, c.ID, "web"); got != "" {
		t.Fatalf("after disclosing again: %q", got)
	}
}
