package pgstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/knowledge/hashembed"
)

// TestSearchFiltersByChannelAndAudience: a note for the human team never reaches a
// customer's search, a WhatsApp-only article is found on WhatsApp and not on the web, and an
// article for every channel is found everywhere — while both rankings still fill the results.
func TestSearchFiltersByChannelAndAudience(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, hashembed.New(64))
	all, wa, internal := unique(t, "cod-all"), unique(t, "cod-whatsapp"), unique(t, "cod-internal")
	seed(t, s,
		knowledge.Record{ExternalID: all, Locale: "en", Title: "Cash on delivery zebrafinch", Body: "Cash on delivery zebrafinch is available in Thailand up to 30,000 THB."},
		knowledge.Record{ExternalID: wa, Locale: "en", Title: "Cash on delivery zebrafinch on WhatsApp", Channels: []string{"whatsapp"},
			Body: "Cash on delivery zebrafinch orders placed on WhatsApp are confirmed by a reply in the chat."},
		knowledge.Record{ExternalID: internal, Locale: "en", Title: "Cash on delivery zebrafinch refusals (staff)", Audience: knowledge.AudienceAgents,
			Body: "Cash on delivery zebrafinch refusals: block the customer after two refusals in 180 days."},
	)
	found := func(q knowledge.Query) []string {
		t.Helper()
		q.Text, q.Locale, q.K = "cash on delivery zebrafinch", "en", 10
		ps, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range ps {
			if slices.Contains([]string{all, wa, internal}, p.ExternalID) {
				ids = append(ids, p.ExternalID)
			}
		}
		slices.Sort(ids)
		return ids
	}
	for _, tc := range []struct {
		name string
		q    knowledge.Query
		want []string
	}{
		{"a customer on the web", knowledge.Query{Channel: "web"}, []string{all}},
		{"a customer on WhatsApp", knowledge.Query{Channel: "whatsapp"}, []string{all, wa}},
		{"any channel, a customer", knowledge.Query{}, []string{all, wa}},
		{"an agent on the web", knowledge.Query{Channel: "web", Audience: knowledge.AudienceAgents}, []string{all, internal}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if got := found(tc.q); !slices.Equal(got, want) {
				t.Fatalf("found %v, want %v", got, want)
			}
		})
	}
	// Changing who may read a variant is a change: re-importing it as internal hides it.
	seed(t, s, knowledge.Record{ExternalID: all, Locale: "en", Title: "Cash on delivery zebrafinch", Audience: knowledge.AudienceAgents,
		Body: "Cash on delivery zebrafinch is available in Thailand up to 30,000 THB."})
	if got := found(knowledge.Query{Channel: "web"}); len(got) != 0 {
		t.Fatalf("after the article became internal a customer still finds %v", got)
	}
}
