package taboo

import (
	"strings"
	"testing"
)

// validPack is a minimal valid file; the cases below break one field each.
const validPack = `{"version": "t1", "note": "test", "packs": [
 {"id": "x", "version": "1", "name": "X", "note": "", "markets": ["DE"], "locales": ["de"],
  "windows": [{"from": "2026-02-17", "to": "2026-03-21", "note": ""}],
  "rules": [{"id": "x.r", "category": "register", "severity": "low", "action": "replace",
   "note": "n", "match": {"terms": {"de": ["du"]}}, "replacement": {"de": "Sie", "en": "you"}}]}]}`

func TestValidate(t *testing.T) {
	if err := Validate([]byte(validPack)); err != nil {
		t.Fatalf("valid pack: %v", err)
	}
	cases := []struct {
		name, from, to, want string
	}{
		{"unknown field", `"note": "n",`, `"note": "n", "notes": "",`, `unknown field "notes"`},
		{"file version", `"version": "t1"`, `"version": ""`, "version: missing"},
		{"pack version", `"version": "1"`, `"version": " "`, "packs[0] (x): version: missing"},
		{"market EU", `["DE"]`, `["EU"]`, `packs[0] (x): markets: [0]: market "EU" is not a country`},
		{"market lower case ok but bogus", `["DE"]`, `["XX"]`, `"XX" is not an ISO 3166-1`},
		{"locale", `["de"]`, `["not a tag!"]`, `locales[0]: "not a tag!" is not a BCP 47 tag`},
		{"window date", `"2026-02-17"`, `"17/02/2026"`, `windows[0]: from: "17/02/2026" is not a YYYY-MM-DD date`},
		{"window order", `"2026-03-21"`, `"2026-01-01"`, "windows[0]: to: 2026-01-01 is before from"},
		{"action", `"action": "replace"`, `"action": "delete"`, `rules[0] (x.r): action: "delete" is not one of replace, rewrite, block`},
		{"category", `"register"`, `"rude"`, `rules[0] (x.r): category: "rude" is not one of`},
		{"severity", `"low"`, `"urgent"`, `rules[0] (x.r): severity: "urgent"`},
		{"rule note", `"note": "n"`, `"note": ""`, "rules[0] (x.r): note: missing"},
		{"no match", `"match": {"terms": {"de": ["du"]}}`, `"match": {}`, "rules[0] (x.r): match: no terms, emoji or regex"},
		{"language key", `{"de": ["du"]}`, `{"german": ["du"]}`, `match.terms: "german" is not a language`},
		{"empty term", `["du"]`, `["du", " "]`, "match.terms.de[1]: empty"},
		{"regex", `"match": {"terms": {"de": ["du"]}}`, `"match": {"regex": ["(du"]}`, "rules[0] (x.r): match.regex[0]: error parsing regexp"},
		{"replacement missing", `, "replacement": {"de": "Sie", "en": "you"}`, ``, "replacement: missing for a replace rule"},
		{"replacement language", `{"de": "Sie", "en": "you"}`, `{"en": "you"}`, `replacement: no "de" entry`},
		{"replacement on rewrite", `"action": "replace"`, `"action": "rewrite"`, "replacement: only for replace rules"},
		{"rule market outside pack", `"note": "n",`, `"note": "n", "markets": ["FR"],`, "markets: FR is not among the pack's markets"},
		{"context scope", `"note": "n",`, `"note": "n", "context_scope": "paragraph",`, `context_scope: "paragraph" is not sentence or message`},
		{"duplicate rule", `"replacement": {"de": "Sie", "en": "you"}}]`, `"replacement": {"de": "Sie", "en": "you"}}, {"id": "x.r", "category": "register", "severity": "low", "action": "block", "note": "n", "match": {"emoji": ["👋"]}}]`, "rules[1] (x.r): id: used by another rule"},
		{"pack id", `"id": "x",`, `"id": "X Pack",`, `id: "X Pack" must be lower-case`},
		{"not json", validPack, `{"version": `, "parse taboo pack file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := strings.Replace(validPack, c.from, c.to, 1)
			if data == validPack {
				t.Fatalf("case does not change the file: %q not found", c.from)
			}
			err := Validate([]byte(data))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate: %v\nwant an error containing %q", err, c.want)
			}
		})
	}
}

func TestNewFromParsed(t *testing.T) {
	packs, err := Parse([]byte(validPack))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(packs)
	if err != nil {
		t.Fatal(err)
	}
	at := mustDate("2026-03-01")
	cases := []struct {
		ctx  Context
		text string
		want string
	}{
		{Context{Market: "DE", Locale: "de", At: at}, "Danke, du bist toll.", "Danke, Sie bist toll."},
		{Context{Market: "DE", Locale: "de", At: mustDate("2026-05-01")}, "Danke, du bist toll.", "Danke, du bist toll."}, // outside the window
		{Context{Market: "AT", Locale: "de", At: at}, "Danke, du bist toll.", "Danke, du bist toll."},                     // other market
		{Context{Market: "DE", Locale: "fr", At: at}, "Danke, du bist toll.", "Danke, du bist toll."},                     // other locale
		{Context{Market: "DE", Locale: "de-DE", At: at}, "DU!", "Sie!"},
	}
	for _, c := range cases {
		if got := s.Screen(c.text, c.ctx).Text; got != c.want {
			t.Errorf("Screen(%q, %+v).Text = %q, want %q", c.text, c.ctx, got, c.want)
		}
	}
}
