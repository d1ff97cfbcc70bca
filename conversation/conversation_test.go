package conversation

import "testing"

func TestCustomerLanguageIsTheLatestCustomerMessagesElseTheLocales(t *testing.T) {
	msgs := []Message{{Author: AuthorCustomer, Lang: "es"}, {Author: AuthorAI, Lang: "en"}, {Author: AuthorCustomer, Lang: "ar"},
		{Author: AuthorHumanAgent, Lang: "en"}, {Author: AuthorCustomer}}
	for _, tc := range []struct {
		name   string
		locale string
		msgs   []Message
		want   string
	}{
		{"the latest customer message with a language", "de-DE", msgs, "ar"},
		{"the language the AI answered that message in", "th-TH", []Message{
			{Author: AuthorCustomer, TurnID: "t1", Lang: "th"}, {Author: AuthorAI, TurnID: "t1", Lang: "th"},
			// An address in Latin letters reads as Indonesian; the AI answered in Thai.
			{Author: AuthorCustomer, TurnID: "t2", Lang: "id"}, {Author: AuthorAI, TurnID: "t2", Lang: "th"}}, "th"},
		{"a message nobody answered yet", "th-TH", []Message{
			{Author: AuthorCustomer, TurnID: "t1", Lang: "th"}, {Author: AuthorAI, TurnID: "t1", Lang: "th"},
			{Author: AuthorCustomer, TurnID: "t2", Lang: "en"}}, "en"},
		{"no message: the locale's base", "pt-BR", nil, "pt"},
		{"a script subtag", "zh-Hant-TW", nil, "zh"},
		{"nothing known", "", nil, ""},
		{"a private-use locale", "x-klingon", nil, ""},
	} {
		if got := CustomerLanguage(Conversation{Locale: tc.locale}, tc.msgs); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
