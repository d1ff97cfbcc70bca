package handoff

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/conversation/pgstore"
	"github.com/attache-dev/attache/handoff/packet"
	"github.com/attache-dev/attache/handoff/queue"
	"github.com/attache-dev/attache/handoff/routing"
	"github.com/attache-dev/attache/handoff/translate"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// countingTranslator "translates" by tagging the text, and counts its calls.
type countingTranslator struct{ calls int }

func (c *countingTranslator) Translate(_ context.Context, text, from, to string) (translate.Translation, error) {
	c.calls++
	return translate.Translation{Text: "[" + to + "] " + text, From: from, To: to, Translated: true, Engine: translate.EngineModel}, nil
}

// arabicConversation stores a Saudi customer's conversation ending in a request for a person.
func arabicConversation(t *testing.T, st *pgstore.Store) conversation.Conversation {
	t.Helper()
	ctx := context.Background()
	c, err := st.Create(ctx, conversation.NewConversation{Locale: "ar-SA", Market: "SA", Identity: &conversation.Claimed{Email: "noor@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []conversation.NewMessage{
		{TurnID: "t1", Author: conversation.AuthorCustomer, Text: "أين طلبي 784512؟", Lang: "ar"},
		{TurnID: "t1", Author: conversation.AuthorAI, Text: "أنا مساعد ذكاء اصطناعي. طلبك في الطريق.", Lang: "ar", Intent: "track_order"},
		{TurnID: "t2", Author: conversation.AuthorCustomer, Text: "أريد التحدث مع موظف", Lang: "ar"},
		{TurnID: "t2", Author: conversation.AuthorAI, Text: "سأوصلك بأحد زملائي.", Lang: "ar", Intent: "contact_human_agent", Handoff: true},
	} {
		m.ConversationID = c.ID
		if _, _, err := st.Append(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func newDesk(t *testing.T, now time.Time) (*Desk, *pgstore.Store) {
	t.Helper()
	pool := pgtest.Pool(t)
	router, err := routing.Demo()
	if err != nil {
		t.Fatal(err)
	}
	st := pgstore.New(pool)
	return &Desk{Router: router, Queue: queue.New(pool, pgtest.Logger()), Conversations: st, Now: func() time.Time { return now }}, st
}

// TestAnArabicCustomerGoesToTheArabicSpeakingDeskOnShift: on a Tuesday morning in Dubai the
// Gulf desk takes a Saudi customer's request, due within the Gulf's first-response SLA; the
// packet carries the reason, the customer and the transcript; opening again returns the
// same handoff.
func TestAnArabicCustomerGoesToTheArabicSpeakingDeskOnShift(t *testing.T) {
	now := time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC) // Tuesday 10:00 in Dubai
	d, st := newDesk(t, now)
	c := arabicConversation(t, st)
	tk, err := d.Open(context.Background(), OpenRequest{ConversationID: c.ID, Reason: "customer_request"})
	if err != nil {
		t.Fatal(err)
	}
	if !tk.Created || tk.Handoff.Team != "gulf-ar" || !tk.Decision.OnShift || tk.Decision.Translate || !tk.ReplyBy.IsZero() {
		t.Fatalf("ticket %+v, want the Gulf desk, on shift, no translation needed", tk)
	}
	if due := tk.Handoff.SLADueAt.Sub(now); due != d.Router.FirstResponseSLA("SA") {
		t.Errorf("due in %s, want the SA first-response SLA %s", due, d.Router.FirstResponseSLA("SA"))
	}
	var p packet.Packet
	if err := json.Unmarshal(tk.Handoff.Packet, &p); err != nil {
		t.Fatal(err)
	}
	if p.Reason != packet.ReasonCustomerRequest || p.Customer.Email != "noor@example.com" || len(p.Transcript) != 4 || p.Language != "ar" {
		t.Errorf("packet %+v", p)
	}
	again, err := d.Open(context.Background(), OpenRequest{ConversationID: c.ID, Reason: "customer_request"})
	if err != nil || again.Created || again.Handoff.ID != tk.Handoff.ID {
		t.Errorf("opening again: %+v %v, want the same handoff", again, err)
	}

	// An English-reading agent's view: without a translator, the texts are shown as
	// written and the summary is marked untranslated.
	v, err := d.View(context.Background(), tk.Handoff.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Transcript) != 4 || v.Transcript[0].Translated || v.Packet.SummaryTranslated == nil || !v.Packet.SummaryTranslated.Untranslated {
		t.Errorf("view %+v, want the transcript untranslated and marked so", v.Packet.SummaryTranslated)
	}

	// With a translator: the summary and each of the four Arabic messages once — five
	// calls, not the packet's copy of the transcript as well.
	counter := &countingTranslator{}
	d.Translator = counter
	v, err = d.View(context.Background(), tk.Handoff.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	if counter.calls != 5 || !v.Transcript[0].Translated || v.Packet.SummaryTranslated.Untranslated || len(v.Packet.Transcript) != 4 {
		t.Errorf("%d translations, view %+v; want 5, the transcript translated, the packet's transcript kept", counter.calls, v.Packet.SummaryTranslated)
	}
}

// TestOffHoursTheCustomerLearnsWhenInTheirZone: at 03:00 on a Saturday in Dubai nobody is on
// shift; the handoff is queued for the desk that opens first and speaks Arabic, due an SLA
// after it opens, and the reply time is in the customer's zone (Riyadh).
func TestOffHoursTheCustomerLearnsWhenInTheirZone(t *testing.T) {
	now := time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC) // Saturday 03:00 in Dubai
	d, st := newDesk(t, now)
	c := arabicConversation(t, st)
	tk, err := d.Open(context.Background(), OpenRequest{ConversationID: c.ID, Reason: "customer_request"})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Decision.OnShift || tk.Handoff.Team != "gulf-ar" || tk.ReplyBy.IsZero() {
		t.Fatalf("ticket %+v, want the Gulf desk, off shift, with a reply time", tk)
	}
	if loc := tk.ReplyBy.Location().String(); loc != "Asia/Riyadh" {
		t.Errorf("reply time in %s, want the customer's zone Asia/Riyadh", loc)
	}
	if !tk.ReplyBy.After(now) || !tk.Handoff.SLADueAt.After(tk.Decision.OpensAt) {
		t.Errorf("reply by %s, due %s, opens %s: want all after now and due after the opening", tk.ReplyBy, tk.Handoff.SLADueAt, tk.Decision.OpensAt)
	}
}

// TestEscalationOnlyWhileNobodyHasIt: an unclaimed handoff is escalated; a claimed one is not.
func TestEscalationOnlyWhileNobodyHasIt(t *testing.T) {
	now := time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)
	d, st := newDesk(t, now)
	ctx := context.Background()
	a, b := arabicConversation(t, st), arabicConversation(t, st)
	ta, err := d.Open(ctx, OpenRequest{ConversationID: a.ID, Reason: "customer_request"})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := d.Open(ctx, OpenRequest{ConversationID: b.ID, Reason: "needs_tool"})
	if err != nil {
		t.Fatal(err)
	}
	if tb.Handoff.Reason != queue.Reason(packet.ReasonPolicyLimit) {
		t.Errorf("reason %q for needs_tool, want policy_limit", tb.Handoff.Reason)
	}
	if _, err := d.Queue.Claim(ctx, tb.Handoff.ID, "0196a0a0-0000-7000-8000-0000000000aa"); err != nil {
		t.Fatal(err)
	}
	if esc, err := d.Escalate(ctx, ta.Handoff.ID); err != nil || !esc {
		t.Errorf("escalating the unclaimed one: %v %v", esc, err)
	}
	if esc, err := d.Escalate(ctx, tb.Handoff.ID); err != nil || esc {
		t.Errorf("escalating the claimed one: %v %v, want no escalation", esc, err)
	}
}
