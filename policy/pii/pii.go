package pii

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is the category of a detected span.
type Kind string

// Kinds of personal data the package finds.
const (
	KindCard       Kind = "card"
	KindIBAN       Kind = "iban"
	KindEmail      Kind = "email"
	KindPhone      Kind = "phone"
	KindNationalID Kind = "national_id"
)

// Span is one detected item. Start and End are byte offsets into the text
// given to Detect or Redact (End exclusive). Scheme names the card brand
// ("visa"), the IBAN country ("DE-IBAN"), the national-ID scheme ("BR-CPF")
// or the phone region ("DE-PHONE"); it is empty for e-mail addresses.
type Span struct {
	Kind       Kind
	Start, End int
	Scheme     string
}

// Options tunes detection.
type Options struct {
	// Regions are CLDR region codes of the conversation's market, most
	// likely first (e.g. "DE"). They are the default regions for phone
	// numbers written without a country code (without any region only
	// numbers with +CC or 00CC are found). They also enable the
	// national-ID forms whose checksum is weak or absent: unformatted
	// SA-NID, TH-NID, ID-NIK, MY-NRIC, NL-BSN and SE-PIN, spaced US-SSN,
	// MX-RFC, and IN-AADHAAR in every layout (a spaced or dashed Aadhaar is
	// also found when the text says "Aadhaar" or "आधार"). Formatted IDs with
	// a checksum (123.456.789-09, 784-1990-1234567-6, 811218-9876 ...) are
	// found in every region.
	Regions []string
	// Kinds restricts detection to these kinds; nil means all kinds.
	Kinds []Kind
}

func (o Options) wants(k Kind) bool {
	return o.Kinds == nil || slices.Contains(o.Kinds, k)
}

func (o Options) inRegion(r string) bool {
	for _, x := range o.Regions {
		if strings.EqualFold(x, r) {
			return true
		}
	}
	return false
}

// Placeholder returns the text Redact puts in place of s.
func Placeholder(s Span) string {
	if s.Kind == KindNationalID {
		return "[id:" + s.Scheme + "]"
	}
	return "[" + string(s.Kind) + "]"
}

// Detect returns the personal data found in text as non-overlapping spans
// sorted by Start.
func Detect(text string, opts Options) []Span {
	if text == "" {
		return nil
	}
	t := normalize(text)
	var c collector
	if opts.wants(KindEmail) {
		findEmails(t, &c)
	}
	if opts.wants(KindIBAN) {
		findIBANs(t, &c)
	}
	if opts.wants(KindCard) || opts.wants(KindNationalID) {
		findNumeric(t, opts, &c)
	}
	if opts.wants(KindNationalID) {
		findAlnumIDs(t, opts, &c)
	}
	if opts.wants(KindPhone) {
		findPhones(t, opts, &c, c.mask(len(t.r), prioPhone))
	}
	return c.resolve(t)
}

// Redact replaces every span Detect finds by its Placeholder. The returned
// spans refer to the original text.
func Redact(text string, opts Options) (string, []Span) {
	spans := Detect(text, opts)
	if len(spans) == 0 {
		return text, nil
	}
	var b strings.Builder
	b.Grow(len(text))
	prev := 0
	for _, s := range spans {
		b.WriteString(text[prev:s.Start])
		b.WriteString(Placeholder(s))
		prev = s.End
	}
	b.WriteString(text[prev:])
	return b.String(), spans
}

// ntext is the normalised view of a text: one entry per rune, with digits of
// every script mapped to ASCII, full-width ASCII mapped to ASCII and
// unusual spaces and dashes mapped to ' ' and '-'. off[i] is the byte offset
// of rune i in the original; off[len(r)] is len(original).
type ntext struct {
	r   []rune
	off []int
}

// digitZeros are the code points of zero in the decimal digit blocks that
// customers of Attaché's markets write.
var digitZeros = []rune{0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6,
	0xC66, 0xCE6, 0xD66, 0xE50, 0xED0, 0xF20, 0x1040, 0x17E0, 0x1810, 0xFF10}

func normRune(r rune) rune {
	switch {
	case r < 0x80:
		return r
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0xA0 || r == 0x2007 || r == 0x202F || r == 0x3000 || r == 0x2009:
		return ' '
	case r >= 0x2010 && r <= 0x2015 || r == 0x2212:
		return '-'
	}
	for _, z := range digitZeros {
		if r >= z && r <= z+9 {
			return '0' + (r - z)
		}
	}
	return r
}

func normalize(s string) ntext {
	n := utf8.RuneCountInString(s)
	t := ntext{r: make([]rune, 0, n), off: make([]int, 0, n+1)}
	for i, r := range s {
		t.r = append(t.r, normRune(r))
		t.off = append(t.off, i)
	}
	t.off = append(t.off, len(s))
	return t
}

func (t ntext) at(i int) rune {
	if i < 0 || i >= len(t.r) {
		return 0
	}
	return t.r[i]
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isASCIILetter(r rune) bool { return r|0x20 >= 'a' && r|0x20 <= 'z' }

func isAlnum(r rune) bool { return isDigit(r) || isASCIILetter(r) }

// noSpaceScript reports whether r belongs to a script whose writers attach
// numbers directly to words (Thai, Chinese, Japanese, Korean particles).
func noSpaceScript(r rune) bool {
	return unicode.In(r, unicode.Thai, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Lao, unicode.Khmer)
}

// wordy reports whether r glued to a number makes the number part of a word
// (a product code such as DE10001 or A4111...).
func wordy(r rune) bool {
	if isAlnum(r) {
		return true
	}
	return r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) && !noSpaceScript(r)
}

type cand struct {
	start, end int // rune indices
	kind       Kind
	scheme     string
	prio       int
}

// Priorities: a longer, checksum-backed match wins over a weaker one.
const (
	prioWeakID = iota + 1
	prioPhone
	prioID
	prioCard
	prioIBAN
	prioEmail
)

type collector struct{ c []cand }

func (c *collector) add(start, end int, k Kind, scheme string, prio int) {
	c.c = append(c.c, cand{start, end, k, scheme, prio})
}

// mask marks the runes covered by candidates of priority above prio, so that
// costlier detectors can skip them.
func (c *collector) mask(n, prio int) []bool {
	m := make([]bool, n)
	for _, x := range c.c {
		if x.prio > prio {
			for i := x.start; i < x.end; i++ {
				m[i] = true
			}
		}
	}
	return m
}

func (c *collector) resolve(t ntext) []Span {
	if len(c.c) == 0 {
		return nil
	}
	slices.SortStableFunc(c.c, func(a, b cand) int {
		if a.prio != b.prio {
			return b.prio - a.prio
		}
		if la, lb := a.end-a.start, b.end-b.start; la != lb {
			return lb - la
		}
		return a.start - b.start
	})
	taken := make([]bool, len(t.r))
	var out []Span
next:
	for _, x := range c.c {
		for i := x.start; i < x.end; i++ {
			if taken[i] {
				continue next
			}
		}
		for i := x.start; i < x.end; i++ {
			taken[i] = true
		}
		out = append(out, Span{Kind: x.kind, Start: t.off[x.start], End: t.off[x.end], Scheme: x.scheme})
	}
	slices.SortFunc(out, func(a, b Span) int { return a.Start - b.Start })
	return out
}
