package i18n

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/bidi"
)

// Text directions, as used by the HTML dir attribute.
const (
	LTR = "ltr"
	RTL = "rtl"
)

// rtlScripts are the scripts written right to left that a customer of a cross-border shop
// plausibly writes in.
var rtlScripts = map[string]bool{
	"Arab": true, // Arabic, Persian, Urdu, Pashto, Sindhi, Uyghur, Sorani
	"Hebr": true, // Hebrew, Yiddish
	"Syrc": true,
	"Thaa": true, // Dhivehi
	"Nkoo": true,
	"Adlm": true,
	"Rohg": true,
}

// Direction returns "rtl" for languages written right to left by default (ar, he, fa,
// ur, ps, yi, ...) and "ltr" for everything else, including tags that do not parse. The
// script is taken from the tag when it names one (az-Arab is rtl, ku-Latn is ltr) and
// otherwise from the language's likely script.
func Direction(lang string) string {
	t, err := language.Parse(strings.ReplaceAll(strings.TrimSpace(lang), "_", "-"))
	if err != nil || t == language.Und {
		return LTR
	}
	s, conf := t.Script()
	if conf == language.No {
		return LTR
	}
	if rtlScripts[s.String()] {
		return RTL
	}
	return LTR
}

// TextDirection returns the direction of a piece of text by the rule the Unicode
// bidirectional algorithm uses for a paragraph: the first strong character decides
// (rules P2 and P3). Text without a strong character ("12345", "?") is "ltr". Use it for
// content whose language is unknown, such as a customer's message shown to an agent.
func TextDirection(text string) string {
	for i := 0; i < len(text); {
		p, size := bidi.LookupString(text[i:])
		if size == 0 {
			break
		}
		switch p.Class() {
		case bidi.L:
			return LTR
		case bidi.R, bidi.AL:
			return RTL
		}
		i += size
	}
	return LTR
}
