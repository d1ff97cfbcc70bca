package privacy

import (
	"errors"
	"slices"
	"testing"
)

func TestSubjectNormalize(t *testing.T) {
	const id1, id2 = "0193f5e2-7c1a-7def-8a00-000000000001", "0193F5E2-7C1A-7DEF-8A00-000000000002"
	tests := []struct {
		name string
		in   Subject
		want Subject
		bad  bool
	}{
		{name: "email lower-cased and trimmed", in: Subject{Email: "  Ana.Silva@Example.COM "}, want: Subject{Email: "ana.silva@example.com"}},
		{name: "phone with spaces to E.164", in: Subject{Phone: "+49 151 2345 6789"}, want: Subject{Phone: "+4915123456789"}},
		{name: "phone with 00 prefix and punctuation", in: Subject{Phone: "0033 (6) 12-34-56-78"}, want: Subject{Phone: "+33612345678"}},
		{name: "Brazilian mobile", in: Subject{Phone: "+55 11 91234-5678"}, want: Subject{Phone: "+5511912345678"}},
		{name: "customer ID trimmed", in: Subject{IdentitySubject: " cust-42 "}, want: Subject{IdentitySubject: "cust-42"}},
		{name: "conversation IDs canonical, sorted, unique", in: Subject{ConversationIDs: []string{id2, id1, id1}},
			want: Subject{ConversationIDs: []string{id1, "0193f5e2-7c1a-7def-8a00-000000000002"}}},
		{name: "everything", in: Subject{Email: "a@b.example", Phone: "+81 90-1234-5678", IdentitySubject: "c1"},
			want: Subject{Email: "a@b.example", Phone: "+819012345678", IdentitySubject: "c1"}},
		{name: "empty", in: Subject{}, bad: true},
		{name: "only spaces", in: Subject{Email: " ", Phone: " ", IdentitySubject: " "}, bad: true},
		{name: "email without domain", in: Subject{Email: "ana"}, bad: true},
		{name: "email with display name", in: Subject{Email: "Ana <ana@example.com>"}, bad: true},
		{name: "two e-mails", in: Subject{Email: "a@example.com, b@example.com"}, bad: true},
		{name: "phone without country code", in: Subject{Phone: "0151 23456789"}, bad: true},
		{name: "phone too short", in: Subject{Phone: "+1 555 12"}, bad: true},
		{name: "phone letters", in: Subject{Phone: "+49 call me"}, bad: true},
		{name: "conversation ID not a UUID", in: Subject{ConversationIDs: []string{"42"}}, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.Normalize()
			if tt.bad {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("Normalize(%+v) = %+v, %v; want ErrInvalid", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize(%+v): %v", tt.in, err)
			}
			if got.Email != tt.want.Email || got.Phone != tt.want.Phone || got.IdentitySubject != tt.want.IdentitySubject ||
				!slices.Equal(got.ConversationIDs, tt.want.ConversationIDs) {
				t.Errorf("Normalize(%+v) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestSubjectHashesHideAndLink(t *testing.T) {
	a, err := Subject{Email: "Ana@Example.com", Phone: "+49 151 2345 6789"}.normalize()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Subject{Email: "ana@example.com"}.normalize()
	if err != nil {
		t.Fatal(err)
	}
	wholeA, eachA := a.hashes(testKey)
	wholeB, eachB := b.hashes(testKey)
	if wholeA == wholeB {
		t.Error("different subjects have the same subject hash")
	}
	if !slices.Contains(eachA, eachB[0]) {
		t.Error("the same e-mail, written differently, does not give the same identifier hash")
	}
	other, _ := b.hashes([]byte("another deployment's key, 32 bytes long"))
	if other == wholeB {
		t.Error("the hash does not depend on the key")
	}
	if len(wholeA) != 64 {
		t.Errorf("hash %q is not 64 hex digits", wholeA)
	}
}
