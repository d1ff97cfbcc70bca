package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestExportBundle(t *testing.T) {
	ctx := context.Background()
	s, pool := newStore(t, Config{})
	d, other := newCustomer(t, "dara"), newCustomer(t, "emil")
	now := time.Now()
	c1 := seedConversation(t, pool, d, map[string]string{"email": d.Email, "phone": d.Phone}, "NL", now.Add(-time.Hour))
	c2 := seedConversation(t, pool, d, map[string]string{"customer_id": d.CustomerID}, "NL", now)
	seedGap(t, pool, "my number is "+d.PhoneNational, now)
	seedConversation(t, pool, other, map[string]string{"email": other.Email}, "NL", now)
	if _, err := s.RecordConsent(ctx, Consent{ConversationID: c2.ID, Purpose: PurposeMarketing, Granted: false, PolicyVersion: "2026-02", Locale: "nl", Channel: "whatsapp"}); err != nil {
		t.Fatal(err)
	}

	b, err := s.Export(ctx, Subject{Phone: d.PhoneShown, IdentitySubject: d.CustomerID}, "staff-9")
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if b.SchemaVersion != ExportSchemaVersion || b.GeneratedAt.IsZero() || b.RequestID == "" {
		t.Errorf("header: %q %v %q", b.SchemaVersion, b.GeneratedAt, b.RequestID)
	}
	var ids []string
	for _, c := range b.Conversations {
		ids = append(ids, c.ID)
	}
	if want := []string{c1.ID, c2.ID}; !slices.Equal(ids, want) {
		t.Fatalf("conversations %v, want %v (oldest first, not emil's)", ids, want)
	}
	if !strings.Contains(string(b.Conversations[0].Identity), d.Email) || b.Conversations[0].Market != "NL" {
		t.Errorf("first conversation: %+v", b.Conversations[0])
	}
	if len(b.Messages) != c1.Messages+c2.Messages || len(b.Participants) != 4 || len(b.Disclosures) != 2 {
		t.Errorf("%d messages, %d participants, %d disclosures; want 8, 4, 2", len(b.Messages), len(b.Participants), len(b.Disclosures))
	}
	m := b.Messages[0]
	if m.ConversationID != c1.ID || m.Seq != 1 || m.Author != "customer" || !strings.Contains(m.Body, d.Email) || m.Meta["note"] != "customer "+d.Email {
		t.Errorf("first message: %+v", m)
	}
	if len(b.Consents) != 3 || !slices.ContainsFunc(b.Consents, func(c Consent) bool {
		return c.Purpose == PurposeMarketing && !c.Granted && c.Channel == "whatsapp" && c.PolicyVersion == "2026-02"
	}) {
		t.Errorf("consents: %+v", b.Consents)
	}
	// The gaps of both conversations and the one quoting the phone number.
	if len(b.KnowledgeGaps) != 3 || !slices.ContainsFunc(b.KnowledgeGaps, func(g ExportedGap) bool {
		return g.ConversationID == nil && strings.Contains(g.Question, d.PhoneNational)
	}) {
		t.Errorf("knowledge gaps: %+v", b.KnowledgeGaps)
	}
	if len(b.Requests) != 1 || b.Requests[0].ID != b.RequestID || b.Requests[0].Status != StatusDone ||
		b.Requests[0].Kind != KindExport || b.Requests[0].Summary["messages"] != 8 {
		t.Errorf("requests: %+v", b.Requests)
	}

	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"schema_version"`, `"conversations"`, `"participants"`, `"messages"`, `"ai_disclosures"`, `"consents"`, `"kb_gaps"`, `"privacy_requests"`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("bundle JSON has no %s", key)
		}
	}
	if strings.Contains(string(raw), other.Email) {
		t.Error("the bundle holds another customer's e-mail")
	}

	// A customer with nothing stored gets an empty bundle with empty lists, not nulls.
	empty, err := s.Export(ctx, Subject{Email: "nobody-" + uuid.NewString() + "@example.com"}, "staff-9")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(empty)
	if strings.Contains(string(raw), "null") || len(empty.Requests) != 1 {
		t.Errorf("empty bundle: %s", raw)
	}
}

func TestConsents(t *testing.T) {
	ctx := context.Background()
	s, pool := newStore(t, Config{})
	c := seedConversation(t, pool, newCustomer(t, "fumiko"), nil, "JP", time.Now())
	for _, granted := range []bool{true, false} {
		if _, err := s.RecordConsent(ctx, Consent{ConversationID: c.ID, Purpose: PurposeTranscriptRetention, Granted: granted, PolicyVersion: "v3", Locale: "ja", Channel: "line"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Consents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The seed's ai_processing consent, then the two answers in order: the last one counts.
	if len(got) != 3 || got[1].Purpose != PurposeTranscriptRetention || !got[1].Granted || got[2].Granted || got[2].Locale != "ja" {
		t.Errorf("consents: %+v", got)
	}

	bad := []struct {
		name string
		c    Consent
		want error
	}{
		{"unknown purpose", Consent{ConversationID: c.ID, Purpose: "profiling", PolicyVersion: "v3"}, ErrInvalid},
		{"no policy version", Consent{ConversationID: c.ID, Purpose: PurposeMarketing}, ErrInvalid},
		{"conversation ID not a UUID", Consent{ConversationID: "c-1", Purpose: PurposeMarketing, PolicyVersion: "v3"}, ErrInvalid},
		{"unknown conversation", Consent{ConversationID: uuid.NewString(), Purpose: PurposeMarketing, PolicyVersion: "v3"}, ErrNotFound},
	}
	for _, tt := range bad {
		if _, err := s.RecordConsent(ctx, tt.c); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}
