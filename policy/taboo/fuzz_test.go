package taboo

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParse feeds pack files to Parse: what it accepts must compile into a Screener and
// pass Validate, and what it refuses must be refused with a located error, never a
// partial list of packs.
func FuzzParse(f *testing.F) {
	f.Add([]byte(validPack))
	if b, err := os.ReadFile("packs.json"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		strings.Replace(validPack, `"du"`, `"du", "dich"`, 1),
		strings.Replace(validPack, `"terms": {"de": ["du"]}`, `"regex": ["(?i)\\bdu\\b"], "prefix": true`, 1),
		strings.Replace(validPack, `"action": "replace"`, `"action": "block"`, 1),
		`{"version": "t", "packs": []}`, `{"version": `, `null`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		packs, err := Parse(data)
		if verr := Validate(data); (verr == nil) != (err == nil) {
			t.Fatalf("Parse: %v but Validate: %v", err, verr)
		}
		if err != nil {
			if packs != nil {
				t.Fatalf("error %v came with %d packs", err, len(packs))
			}
			if !strings.HasPrefix(err.Error(), "taboo: ") || errors.Unwrap(err) == nil {
				t.Fatalf("error %q is not prefixed and wrapped", err)
			}
			return
		}
		if len(packs) == 0 {
			t.Fatal("accepted a file with no packs")
		}
		s, err := New(packs)
		if err != nil {
			t.Fatalf("parsed packs do not compile: %v", err)
		}
		// Whatever the rules, screening any text must keep its invariants.
		for _, text := range []string{"Get 20% off today!", "du bist 👍", "お祝いのギフトに4点セット"} {
			for _, p := range packs {
				for _, m := range append(slices.Clone(p.Markets), "") {
					ctx := Context{Market: m, At: fuzzAt}
					if len(p.Locales) > 0 {
						ctx.Locale = p.Locales[0]
					}
					checkVerdict(t, text, s.Screen(text, ctx))
				}
			}
		}
	})
}

// fuzzAt is a fixed moment, so that date windows do not make a fuzz run depend on the day.
var fuzzAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// FuzzScreen screens arbitrary text for arbitrary markets and locales with the default
// packs and checks the verdict's invariants.
func FuzzScreen(f *testing.F) {
	for _, c := range screenCases {
		f.Add(c.text, c.market, c.locale, int64(c.at.Sub(fuzzAt)/time.Hour))
	}
	f.Add("Thanks 👍 see you 👍", "sa", " en-US ", int64(0))
	f.Add("\xff🖕\xfe", "AE", "ar", int64(0))
	f.Add("👍👍 👍", "OM", "", int64(-24*90))
	s := Default()
	f.Fuzz(func(t *testing.T, text, market, locale string, hours int64) {
		ctx := Context{Market: market, Locale: locale, At: fuzzAt.Add(time.Duration(hours%(24*365*5)) * time.Hour)}
		v := s.Screen(text, ctx)
		checkVerdict(t, text, v)
		if again := s.Screen(text, ctx); !slices.Equal(again.Hits, v.Hits) || again.Text != v.Text {
			t.Fatalf("screening %q twice gave different verdicts", text)
		}
	})
}

// checkVerdict asserts what any verdict on text must satisfy.
func checkVerdict(t *testing.T, text string, v Verdict) {
	t.Helper()
	strongest := ActionNone
	lastStart := 0
	var applied []Hit // the replace hits replace applies: leftmost first, no overlaps
	for _, h := range v.Hits {
		if h.Start < lastStart || h.Start >= h.End || h.End > len(text) {
			t.Fatalf("hit %+v out of order or out of bounds in %d bytes", h, len(text))
		}
		lastStart = h.Start
		if h.Match != text[h.Start:h.End] {
			t.Fatalf("hit %+v: Match is not text[Start:End] = %q", h, text[h.Start:h.End])
		}
		if utf8.ValidString(text) && (!utf8.RuneStart(text[h.Start]) || h.End < len(text) && !utf8.RuneStart(text[h.End])) {
			t.Fatalf("hit %+v splits a character in %q", h, text)
		}
		if h.Action == ActionNone || h.Action > ActionBlock {
			t.Fatalf("hit %+v has no action", h)
		}
		strongest = max(strongest, h.Action)
		if h.Action == ActionReplace && (len(applied) == 0 || h.Start >= applied[len(applied)-1].End) {
			applied = append(applied, h)
		}
	}
	if v.Action != strongest {
		t.Fatalf("verdict action %v, strongest hit %v", v.Action, strongest)
	}
	if len(applied) == 0 {
		if v.Text != text {
			t.Fatalf("text changed to %q without a replace hit", v.Text)
		}
		return
	}
	if utf8.ValidString(text) && !utf8.ValidString(v.Text) {
		t.Fatalf("replacing in valid %q gave invalid UTF-8 %q", text, v.Text)
	}
	// The text around the replaced matches is kept (less at most one space that an
	// empty replacement takes with it).
	first, last := applied[0], applied[len(applied)-1]
	if keep := text[:max(first.Start-1, 0)]; !strings.HasPrefix(v.Text, keep) {
		t.Fatalf("replacing in %q lost the start %q: %q", text, keep, v.Text)
	}
	if keep := text[min(last.End+1, len(text)):]; !strings.HasSuffix(v.Text, keep) {
		t.Fatalf("replacing in %q lost the end %q: %q", text, keep, v.Text)
	}
}
