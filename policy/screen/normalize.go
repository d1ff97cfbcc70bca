package screen

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// folded is text prepared for matching, with a map back to the input.
// Byte i of s came from input bytes [from[i], to[i]).
type folded struct {
	s    string
	from []int
	to   []int
}

// span maps a half-open byte range of f.s back to the input: the smallest
// input range that holds every byte of it (reassembled text, such as text
// reversed, need not be in input order).
func (f *folded) span(i, j int) (int, int) {
	if len(f.from) == 0 {
		return 0, 0
	}
	i = min(max(i, 0), len(f.from)-1)
	j = min(max(j, i+1), len(f.to))
	s, e := f.from[i], f.to[i]
	for k := i + 1; k < j; k++ {
		s, e = min(s, f.from[k]), max(e, f.to[k])
	}
	return s, e
}

// invisible reports whether r is a zero-width, bidi control or other
// format character that renders as nothing and is stripped before matching.
func invisible(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x061C, r == 0x115F, r == 0x1160,
		r == 0x180E, r == 0x3164, r == 0xFEFF, r == 0xFFA0:
		return true
	case r >= 0x200B && r <= 0x200F:
		return true
	case r >= 0x202A && r <= 0x202E:
		return true
	case r >= 0x2060 && r <= 0x206F:
		return true
	case r >= 0xFE00 && r <= 0xFE0F: // variation selectors
		return true
	case r >= 0xE0000 && r <= 0xE007F: // tag characters
		return true
	}
	return false
}

// bidiControl reports explicit directional embeddings, overrides and isolates.
func bidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// homoglyphs maps Cyrillic and Greek letters that look like Latin ones.
var homoglyphs = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x',
	'і': 'i', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h',
	'к': 'k', 'м': 'm', 'н': 'h', 'т': 't', 'в': 'b', 'ɡ': 'g',
	'α': 'a', 'ο': 'o', 'ρ': 'p', 'ν': 'v', 'ι': 'i', 'κ': 'k', 'τ': 't',
	'υ': 'u', 'χ': 'x', 'ε': 'e', 'η': 'n',
}

// other letter folds that NFKD does not perform.
var extraFolds = map[rune]string{
	'đ': "d", 'ß': "ss", 'ø': "o", 'ł': "l", 'æ': "ae", 'œ': "oe",
	'ı': "i",                    // dotless i
	'ى': "ي", 'ة': "ه", 'ـ': "", // Arabic alef maqsura, ta marbuta, tatweel
	'ٱ': "ا",
}

// fold normalises text for matching: compatibility decomposition (the K of
// NFKC: full-width forms, ligatures, mathematical letters, circled
// letters), combining marks dropped (diacritics, harakat, Thai vowel and
// tone marks — patterns are folded the same way), lower case, Cyrillic and
// Greek look-alikes mapped to Latin, invisible characters removed and runs
// of spaces and tabs collapsed to one space.
func fold(text string) folded {
	f := folded{
		from: make([]int, 0, len(text)),
		to:   make([]int, 0, len(text)),
	}
	buf := make([]byte, 0, len(text))
	var tmp [64]byte
	lastSpace := true
	emit := func(b []byte, i, j int) {
		buf = append(buf, b...)
		for range b {
			f.from = append(f.from, i)
			f.to = append(f.to, j)
		}
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		j := i + n
		if r < utf8.RuneSelf {
			c := byte(r)
			switch {
			case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
				if !lastSpace {
					emit([]byte{' '}, i, j)
				}
				lastSpace = true
			case c == '\n':
				if len(buf) > 0 && buf[len(buf)-1] == ' ' {
					buf[len(buf)-1] = '\n'
				} else {
					emit([]byte{'\n'}, i, j)
				}
				lastSpace = true
			case c >= 'A' && c <= 'Z':
				emit([]byte{c + 'a' - 'A'}, i, j)
				lastSpace = false
			case c < 0x20 || c == 0x7f:
				// other control characters: drop
			default:
				emit([]byte{c}, i, j)
				lastSpace = false
			}
			i = j
			continue
		}
		if invisible(r) || r == utf8.RuneError && n == 1 {
			i = j
			continue
		}
		if unicode.IsSpace(r) {
			if !lastSpace {
				emit([]byte{' '}, i, j)
			}
			lastSpace = true
			i = j
			continue
		}
		d := norm.NFKD.AppendString(tmp[:0], text[i:j])
		for k := 0; k < len(d); {
			dr, dn := utf8.DecodeRune(d[k:])
			k += dn
			if unicode.Is(unicode.Mn, dr) || invisible(dr) {
				continue
			}
			dr = unicode.ToLower(dr)
			if h, ok := homoglyphs[dr]; ok {
				dr = h
			}
			if s, ok := extraFolds[dr]; ok {
				emit([]byte(s), i, j)
				continue
			}
			if unicode.IsSpace(dr) {
				if !lastSpace {
					emit([]byte{' '}, i, j)
				}
				lastSpace = true
				continue
			}
			emit(utf8.AppendRune(nil, dr), i, j)
			lastSpace = false
		}
		i = j
	}
	f.s = string(buf)
	return f
}

// leet maps digits and symbols used as letters.
var leet = [256]byte{
	'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't',
	'@': 'a', '$': 's', '!': 'i', '|': 'i', '+': 't',
}

// squash prepares folded text for the abuse word lists: leetspeak inside
// words that also hold letters, letters spaced out ("i d i o t", "f.u.c.k")
// joined, and runs of the same letter collapsed to one.
func squash(f folded) folded {
	s := f.s
	out := folded{from: make([]int, 0, len(s)), to: make([]int, 0, len(s))}
	buf := make([]byte, 0, len(s))
	isWordByte := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || leet[c] != 0 || c >= 0x80
	}
	// Pass 1: decide, per byte, its replacement (0 = drop).
	rep := []byte(s)
	// leetspeak: only inside tokens that contain an ASCII letter.
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i
		hasLetter := false
		for j < len(s) && isWordByte(s[j]) {
			if s[j] >= 'a' && s[j] <= 'z' {
				hasLetter = true
			}
			j++
		}
		if hasLetter {
			for k := i; k < j; k++ {
				if m := leet[s[k]]; m != 0 {
					rep[k] = m
				}
			}
		}
		i = j
	}
	// spaced-out letters: x<sep>x<sep>x... with single separators.
	isSep := func(c byte) bool { return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*' }
	isL := func(c byte) bool { return c >= 'a' && c <= 'z' }
	for i := 0; i < len(rep); {
		if !isL(rep[i]) || (i > 0 && isL(rep[i-1])) {
			i++
			continue
		}
		j := i
		count := 1
		for j+2 < len(rep) && isSep(rep[j+1]) && isL(rep[j+2]) && (j+3 >= len(rep) || !isL(rep[j+3])) {
			j += 2
			count++
		}
		if count >= 3 {
			for k := i + 1; k < j; k += 2 {
				rep[k] = 0
			}
		}
		i = j + 1
	}
	var last byte
	for i := range rep {
		c := rep[i]
		if c == 0 {
			continue
		}
		if c == last && isL(c) {
			continue
		}
		last = c
		buf = append(buf, c)
		out.from = append(out.from, f.from[i])
		out.to = append(out.to, f.to[i])
	}
	out.s = string(buf)
	return out
}

// squashWord applies to a list word what squash applies to text.
func squashWord(w string) string {
	return squash(fold(w)).s
}

// joinSpaced reassembles text whose letters are spaced out. In the
// original, words are then separated by two or more spaces; folding keeps
// one, so the gaps are read from the input offsets. It reports false when
// the text has fewer than eight single-letter tokens in a row.
func joinSpaced(f folded) (folded, bool) {
	run, best := 0, 0
	for i := 0; i < len(f.s); i++ {
		c := f.s[i]
		single := c != ' ' && (i == 0 || f.s[i-1] == ' ') && (i+1 == len(f.s) || f.s[i+1] == ' ')
		switch {
		case single:
			run++
			best = max(best, run)
		case c != ' ':
			run = 0
		}
	}
	if best < 8 {
		return folded{}, false
	}
	j := folded{from: make([]int, 0, len(f.s)), to: make([]int, 0, len(f.s))}
	b := make([]byte, 0, len(f.s))
	for i := 0; i < len(f.s); i++ {
		if f.s[i] == ' ' {
			// keep a space where the input had a wider gap
			if i+1 < len(f.s) && f.from[i+1] > f.to[i] {
				b = append(b, ' ')
				j.from = append(j.from, f.from[i])
				j.to = append(j.to, f.to[i])
			}
			continue
		}
		b = append(b, f.s[i])
		j.from = append(j.from, f.from[i])
		j.to = append(j.to, f.to[i])
	}
	j.s = string(b)
	return j, true
}
