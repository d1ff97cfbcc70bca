package segment

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

const (
	// maxQueryTerms bounds the terms of one query: a pasted e-mail must not become a
	// thousand-term tsquery. Customer questions stay far below it.
	maxQueryTerms = 64
	// maxTermBytes drops "words" no one searches for (base64 blobs, long URLs without
	// separators); Postgres itself skips lexemes over 2047 bytes.
	maxTermBytes = 200
)

// ForIndex returns the text to index with to_tsvector(FTSConfig(lang), ...).
//
// For a language with its own configuration it is the text NFKC-normalised (full-width
// Latin letters and digits become ASCII), and Postgres does the rest. For every other
// language it is a space-separated stream of case-folded terms: character bigrams for
// Chinese, Japanese, Korean, Thai, Lao, Khmer and Myanmar runs, words and numbers for the
// rest, and each word with diacritics followed by its form without them.
//
// The result is valid UTF-8 without NUL bytes, which PostgreSQL text rejects.
func ForIndex(lang, text string) string {
	text = sanitize(text)
	if stemmed(lang) {
		return norm.NFKC.String(text)
	}
	s := cases.Fold().String(norm.NFKC.String(text))
	var b strings.Builder
	b.Grow(len(s) * 2)
	scan(s, true, func(t term) {
		if len(t.text) > maxIndexTermBytes {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
		if t.kind == termWord {
			if f := stripMarks(t.text); f != t.text {
				b.WriteByte(' ')
				b.WriteString(f)
			}
		}
	})
	return b.String()
}

// maxIndexTermBytes is Postgres's own lexeme limit (2047 bytes, minus margin): longer
// terms would only raise a notice.
const maxIndexTermBytes = 2000

// ForQuery returns a to_tsquery(FTSConfig(lang), ...) expression that matches text
// indexed with ForIndex: the words (or, for Chinese, Japanese, Korean and Thai, the
// bigrams) of the question, each single-quoted and joined with " | ", so that a passage
// matching any of them is found and ts_rank favours those matching more.
//
// The output contains only letters, digits, combining marks, a '.' between two digits,
// single quotes around each term, " | " between terms and ":*" after a one-character
// Chinese, Japanese, Korean or Thai term (a prefix match, because the index holds that
// character only inside bigrams). No input can make to_tsquery fail on it. It returns ""
// when the text holds no searchable term (only punctuation, emoji or spaces); callers then
// skip full-text search. Stop words are left to Postgres, which drops them from the query
// (with a notice; a query of stop words only matches nothing).
//
// lang must be the language the searched text was indexed with, which is not always the
// customer's: matching English passages for a Chinese-speaking customer takes
// ForQuery("en", ...) with FTSConfig("en"), so that both sides are cut alike.
func ForQuery(lang, text string) string {
	text = sanitize(text)
	simple := !stemmed(lang)
	var s string
	if simple {
		s = cases.Fold().String(norm.NFKC.String(text))
	} else {
		// Postgres lower-cases and stems; folding here ("ß" to "ss") would stem
		// differently from the indexed text.
		s = strings.ToLower(norm.NFKC.String(text))
	}

	terms := make([]term, 0, 16)
	seen := make(map[string]bool, 16)
	add := func(t term) {
		if len(terms) >= 2*maxQueryTerms || len(t.text) > maxTermBytes || seen[t.text] {
			return
		}
		seen[t.text] = true
		terms = append(terms, t)
	}
	scan(s, simple, func(t term) {
		add(t)
		if simple && t.kind == termWord {
			if f := stripMarks(t.text); f != t.text {
				add(term{text: f, kind: termWord})
			}
		}
	})

	// Bigrams of Hiragana alone are particles and verb endings ("ます", "でき"): they occur
	// in nearly every Japanese passage and would rank by grammar, not by topic.
	kept := terms[:0]
	for _, t := range terms {
		if !t.kana() {
			kept = append(kept, t)
		}
	}
	if len(kept) > 0 {
		terms = kept
	}
	if len(terms) > maxQueryTerms {
		terms = terms[:maxQueryTerms]
	}

	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteByte('\'')
		b.WriteString(t.text)
		b.WriteByte('\'')
		if t.kind == termSingle {
			b.WriteString(":*")
		}
	}
	return b.String()
}

// sanitize makes text acceptable to PostgreSQL: valid UTF-8 and no NUL bytes.
func sanitize(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	if strings.IndexByte(text, 0) >= 0 {
		text = strings.ReplaceAll(text, "\x00", "")
	}
	return text
}

type termKind uint8

const (
	termWord   termKind = iota // letters, digits and marks outside the dense scripts
	termGram                   // two characters of a dense script
	termSingle                 // a dense-script run of one character
)

type term struct {
	text string
	kind termKind
}

// kana reports whether a dense term is made of Hiragana (and the prolonged sound mark) only.
func (t term) kana() bool {
	if t.kind == termWord {
		return false
	}
	for _, r := range t.text {
		if !unicode.Is(unicode.Hiragana, r) && r != 'ー' && !unicode.IsMark(r) {
			return false
		}
	}
	return true
}

// class is what a rune contributes to a term.
type class uint8

const (
	classSep  class = iota // ends a term
	classWord              // letter or number of a script written with spaces
	classCJK               // Han, Hiragana, Katakana, Hangul
	classSEA               // Thai, Lao, Khmer, Myanmar
	classMark              // combining mark: joins the previous character
)

func classify(r rune) class {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return classWord
		}
		return classSep
	}
	// The blocks that make up nearly all Chinese, Japanese, Korean and Thai text, without
	// the Unicode table look-ups (a test checks they agree with classifySlow).
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3041 && r <= 0x3096, r >= 0x30A1 && r <= 0x30FA,
		r >= 0xAC00 && r <= 0xD7A3:
		return classCJK
	case r >= 0x0E01 && r <= 0x0E30, r >= 0x0E32 && r <= 0x0E33, r >= 0x0E40 && r <= 0x0E45:
		if r == 'ฯ' {
			return classSep
		}
		return classSEA
	case r == 0x0E31, r >= 0x0E34 && r <= 0x0E3A, r >= 0x0E47 && r <= 0x0E4E:
		return classMark
	}
	return classifySlow(r)
}

func classifySlow(r rune) class {
	if r < utf8.RuneSelf {
		return classify(r)
	}
	switch {
	case unicode.IsMark(r):
		return classMark
	case r == 'ๆ' || r == 'ฯ':
		// Thai repetition and abbreviation signs: Postgres's parser treats them as spaces.
		return classSep
	case r == 'ー' || r == '々' || r == '〆':
		return classCJK
	case unicode.IsNumber(r):
		// Before the scripts: Thai digits and 〇 are numbers, not syllables.
		return classWord
	case !unicode.IsLetter(r):
		return classSep
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		return classCJK
	case unicode.In(r, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar):
		return classSEA
	}
	return classWord
}

// scan cuts normalised text into terms and calls emit for each, in order. With dense set,
// runs of CJK and Southeast Asian characters become bigrams; without it they are words,
// as Postgres's own parser sees them.
func scan(s string, dense bool, emit func(term)) {
	var (
		run      = classSep // class of the current run
		start    int        // byte offset where the run started
		numeric  bool       // the word run so far is ASCII digits and dots
		dotted   bool       // ... with a dot
		clusters []int      // byte offsets of the characters of a dense run
	)
	end := func(at int) {
		switch run {
		case classWord:
			emit(term{text: s[start:at], kind: termWord})
		case classCJK, classSEA:
			if len(clusters) == 1 {
				emit(term{text: s[start:at], kind: termSingle})
				break
			}
			for i := 0; i+1 < len(clusters); i++ {
				stop := at
				if i+2 < len(clusters) {
					stop = clusters[i+2]
				}
				emit(term{text: s[clusters[i]:stop], kind: termGram})
			}
		}
		run, numeric, dotted = classSep, false, false
		clusters = clusters[:0]
	}

	for i, r := range s {
		c := classify(r)
		if !dense && (c == classCJK || c == classSEA) {
			c = classWord
		}
		switch {
		case c == classMark && dotted:
			end(i) // "1.5" ends before a stray mark; the mark alone is nothing
			continue
		case c == classMark:
			// A mark belongs to the character before it; alone it is nothing.
			numeric = false
			continue
		case c == classSep && r == '.' && run == classWord && numeric &&
			i+1 < len(s) && isDigit(s[i+1]) && isDigit(s[i-1]):
			// "1.5", "19.99", "2.0.1" stay one number, as Postgres parses them.
			dotted = true
			continue
		case c == run && c == classWord && !(dotted && !isDigitRune(r)):
			// ("1.5kg" is the number "1.5" and the word "kg" to Postgres.)
			numeric = numeric && isDigitRune(r)
			continue
		case c == run && c != classWord: // dense: a new character of the same run
			clusters = append(clusters, i)
			continue
		}
		end(i)
		switch c {
		case classWord:
			run, start, numeric, dotted = c, i, isDigitRune(r), false
		case classCJK, classSEA:
			run, start = c, i
			clusters = append(clusters, i)
		}
	}
	end(len(s))
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func isDigitRune(r rune) bool { return '0' <= r && r <= '9' }

// stripMarks removes diacritics from Latin letters ("đơn hàng" gives "don hang", "żółw"
// gives "zolw") and leaves other scripts alone: Cyrillic "й" and Devanagari vowel signs are
// letters of their own, not decorations.
func stripMarks(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	b.Grow(len(w))
	latin := false // the previous base letter is Latin
	changed := false
	for _, r := range norm.NFD.String(w) {
		if unicode.IsMark(r) {
			if latin {
				changed = true
				continue
			}
			b.WriteRune(r)
			continue
		}
		latin = unicode.Is(unicode.Latin, r)
		switch r {
		case 'đ', 'Đ':
			r = 'd'
		case 'ł', 'Ł':
			r = 'l'
		case 'ø', 'Ø':
			r = 'o'
		case 'ħ', 'Ħ':
			r = 'h'
		case 'ı':
			r = 'i'
		default:
			b.WriteRune(r)
			continue
		}
		changed = true
		b.WriteRune(r)
	}
	if !changed {
		return w
	}
	return norm.NFC.String(b.String())
}
