package translate

import (
	"strings"
	"testing"
)

// productLanguages are the languages Attaché ships catalogs for.
var productLanguages = []string{"en", "es", "de", "fr", "pt", "ar", "id", "ja", "th", "vi", "zh"}

func TestDefaultGlossaryCoversProductLanguages(t *testing.T) {
	t.Parallel()
	g, err := DefaultGlossary()
	if err != nil {
		t.Fatalf("DefaultGlossary: %v", err)
	}
	terms := g.Terms()
	if len(terms) == 0 {
		t.Fatal("embedded glossary is empty")
	}
	for _, term := range terms {
		for _, l := range productLanguages {
			if term.Text[l] == "" {
				t.Errorf("term %s has no %s wording", term.ID, l)
			}
		}
	}
}

func TestLoadGlossaryIsStrict(t *testing.T) {
	t.Parallel()
	const ok = `{"version":1,"terms":[{"id":"cod","text":{"en":"cash on delivery","de":"Nachnahme"}}]}`
	if _, err := LoadGlossary(strings.NewReader(ok)); err != nil {
		t.Fatalf("a valid glossary was rejected: %v", err)
	}
	bad := map[string]string{
		"unknown field":     `{"version":1,"terms":[{"id":"cod","text":{"en":"x"},"colour":"red"}]}`,
		"trailing data":     ok + `{}`,
		"wrong version":     `{"version":2,"terms":[]}`,
		"no version":        `{"terms":[]}`,
		"empty id":          `{"version":1,"terms":[{"id":" ","text":{"en":"x"}}]}`,
		"duplicate id":      `{"version":1,"terms":[{"id":"a","text":{"en":"x"}},{"id":"a","text":{"en":"y"}}]}`,
		"no english":        `{"version":1,"terms":[{"id":"a","text":{"de":"x"}}]}`,
		"region tag":        `{"version":1,"terms":[{"id":"a","text":{"en":"x","de-DE":"y"}}]}`,
		"upper-case tag":    `{"version":1,"terms":[{"id":"a","text":{"en":"x","DE":"y"}}]}`,
		"not a tag":         `{"version":1,"terms":[{"id":"a","text":{"en":"x","german":"y"}}]}`,
		"empty wording":     `{"version":1,"terms":[{"id":"a","text":{"en":"x","de":" "}}]}`,
		"ambiguous wording": `{"version":1,"terms":[{"id":"a","text":{"en":"refund"}},{"id":"b","text":{"en":"Refund"}}]}`,
		"not json":          `version: 1`,
	}
	for name, in := range bad {
		if _, err := LoadGlossary(strings.NewReader(in)); err == nil {
			t.Errorf("%s: LoadGlossary accepted %s", name, in)
		}
	}
}

func TestGlossaryLookup(t *testing.T) {
	t.Parallel()
	g, err := DefaultGlossary()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text, from, to string
		want                 map[string]string // source → target
	}{
		{"english to german", "Can I pay cash on delivery?", "en", "de", map[string]string{"cash on delivery": "Nachnahme"}},
		{"case-insensitive", "CASH ON DELIVERY please", "en", "de", map[string]string{"cash on delivery": "Nachnahme"}},
		{"arabic to english with a prefix", "هل يمكنني بالدفع عند الاستلام؟", "ar", "en", map[string]string{"الدفع عند الاستلام": "cash on delivery"}},
		{"chinese without spaces", "可以货到付款吗？退款多久到账？", "zh", "en", map[string]string{"货到付款": "cash on delivery", "退款": "refund"}},
		{"unknown source language", "Ich möchte eine Rückerstattung", "", "en", map[string]string{"Rückerstattung": "refund"}},
		{"whole words only", "I was refunded yesterday", "en", "de", map[string]string{}},
		{"nothing to apply", "Where is my parcel?", "en", "fr", map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := map[string]string{}
			for _, e := range g.Lookup(tt.text, tt.from, tt.to) {
				got[e.Source] = e.Target
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Lookup = %v, want %v", got, tt.want)
			}
			for s, target := range tt.want {
				if got[s] != target {
					t.Errorf("Lookup[%q] = %q, want %q", s, got[s], target)
				}
			}
		})
	}
}
