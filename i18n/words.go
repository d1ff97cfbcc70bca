package i18n

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ContainsWord reports whether term occurs in text as a word: where term begins or ends
// with a Latin letter, the text must not go on with a letter, digit or mark on that side
// ("refund" is not in "refunded"). Scripts written without spaces (Thai, Japanese,
// Chinese) match anywhere. Both texts should be folded the same way first.
func ContainsWord(text, term string) bool {
	if term == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(term)
	last, _ := utf8.DecodeLastRuneInString(term)
	for off := 0; off < len(text); {
		i := strings.Index(text[off:], term)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(term)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		okBefore := start == 0 || !unicode.Is(unicode.Latin, first) || !isWordRune(before)
		okAfter := end == len(text) || !unicode.Is(unicode.Latin, last) || !isWordRune(after)
		if okBefore && okAfter {
			return true
		}
		_, size := utf8.DecodeRuneInString(text[start:])
		off = start + size
	}
	return false
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}
