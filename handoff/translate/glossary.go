package translate

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/attache-dev/attache/i18n"
)

//go:embed glossary.json
var defaultGlossary []byte

// Glossary holds the product terms a translation must render in a fixed way: each
// term is one concept with its wording per language ("cash on delivery" is "Nachnahme"
// in German and "الدفع عند الاستلام" in Arabic). The zero Glossary is empty and valid.
type Glossary struct {
	terms []Term
}

// Term is one glossary concept.
type Term struct {
	// ID names the concept ("cash_on_delivery").
	ID string
	// Note explains the concept to a translator; it is not sent to the model.
	Note string
	// Text is the wording per base language ("de" → "Nachnahme"); "en" is required.
	Text map[string]string
}

// Entry is a glossary line for one translation: Source, as found in the text, is
// rendered as Target.
type Entry struct {
	ID     string
	Source string
	Target string
}

type glossaryFile struct {
	Version int `json:"version"`
	Terms   []struct {
		ID   string            `json:"id"`
		Note string            `json:"note"`
		Text map[string]string `json:"text"`
	} `json:"terms"`
}

// DefaultGlossary returns the glossary embedded in the binary (glossary.json).
func DefaultGlossary() (Glossary, error) {
	g, err := LoadGlossary(bytes.NewReader(defaultGlossary))
	if err != nil {
		return Glossary{}, fmt.Errorf("embedded glossary: %w", err)
	}
	return g, nil
}

// LoadGlossary reads a glossary in the format of glossary.json, strictly: unknown
// fields, trailing data, a version other than 1, an empty or duplicate ID, a language
// key that is not a lower-case base language, a missing "en" wording, an empty wording,
// or one wording used by two terms in the same language are errors.
func LoadGlossary(r io.Reader) (Glossary, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f glossaryFile
	if err := dec.Decode(&f); err != nil {
		return Glossary{}, fmt.Errorf("read glossary: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Glossary{}, errors.New("read glossary: data after the JSON object")
	}
	if f.Version != 1 {
		return Glossary{}, fmt.Errorf("glossary version %d: want 1", f.Version)
	}
	seenID := map[string]bool{}
	seenText := map[string]string{} // lang + "\x00" + folded wording → ID
	g := Glossary{terms: make([]Term, 0, len(f.Terms))}
	for i, t := range f.Terms {
		if strings.TrimSpace(t.ID) == "" {
			return Glossary{}, fmt.Errorf("glossary term %d: empty id", i)
		}
		if seenID[t.ID] {
			return Glossary{}, fmt.Errorf("glossary term %q: duplicate id", t.ID)
		}
		seenID[t.ID] = true
		if _, ok := t.Text["en"]; !ok {
			return Glossary{}, fmt.Errorf("glossary term %q: no \"en\" wording", t.ID)
		}
		text := make(map[string]string, len(t.Text))
		for lang, w := range t.Text {
			if i18n.BaseOf(lang) != lang {
				return Glossary{}, fmt.Errorf("glossary term %q: %q is not a lower-case base language", t.ID, lang)
			}
			w = strings.TrimSpace(w)
			if w == "" {
				return Glossary{}, fmt.Errorf("glossary term %q: empty %s wording", t.ID, lang)
			}
			key := lang + "\x00" + fold(w)
			if other, dup := seenText[key]; dup {
				return Glossary{}, fmt.Errorf("glossary term %q: %s wording %q already used by %q", t.ID, lang, w, other)
			}
			seenText[key] = t.ID
			text[lang] = w
		}
		g.terms = append(g.terms, Term{ID: t.ID, Note: t.Note, Text: text})
	}
	return g, nil
}

// Terms returns a copy of the glossary's terms, in file order.
func (g Glossary) Terms() []Term {
	out := make([]Term, len(g.terms))
	for i, t := range g.terms {
		text := make(map[string]string, len(t.Text))
		for k, v := range t.Text {
			text[k] = v
		}
		out[i] = Term{ID: t.ID, Note: t.Note, Text: text}
	}
	return out
}

// Lookup returns the entries that apply to translating text from one base language to
// another: the terms with a wording in to whose wording in from (or, when from has
// none or is empty, in any language) occurs in text. Latin-script wordings must occur
// as whole words ("avoir" is not found in "savoir"); wordings in scripts written without
// spaces, and Arabic with its attached prefixes, are found as substrings. Entries are
// in glossary order.
func (g Glossary) Lookup(text, from, to string) []Entry {
	if len(g.terms) == 0 || text == "" {
		return nil
	}
	folded := fold(text)
	var out []Entry
	for _, t := range g.terms {
		target, ok := t.Text[to]
		if !ok {
			continue
		}
		candidates := []string{t.Text[from]}
		if candidates[0] == "" {
			candidates = candidates[:0]
			langs := make([]string, 0, len(t.Text))
			for l := range t.Text {
				langs = append(langs, l)
			}
			sort.Strings(langs)
			for _, l := range langs {
				if l != to {
					candidates = append(candidates, t.Text[l])
				}
			}
		}
		for _, c := range candidates {
			if i18n.ContainsWord(folded, fold(c)) {
				out = append(out, Entry{ID: t.ID, Source: c, Target: target})
				break
			}
		}
	}
	return out
}

// fold prepares s for matching. A Caser is stateful and may not be shared between
// goroutines: one per call.
func fold(s string) string { return cases.Fold().String(norm.NFKC.String(s)) }
