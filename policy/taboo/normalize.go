package taboo

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// normText is a message in matching form with a map back to the original: the byte
// norm[i] came from original[start[i]:end[i]].
type normText struct {
	s          string
	start, end []int32
}

// span returns the original byte range of the normalised range [i, j).
func (n *normText) span(i, j int) (int, int) {
	return int(n.start[i]), int(n.end[j-1])
}

// normalize returns text NFKC-normalised, case-folded, with runs of white space collapsed
// to one space (a newline when the run holds one) and emoji presentation selectors and
// skin-tone modifiers dropped; their bytes count towards the character before them.
func normalize(text string) normText {
	var (
		it     norm.Iter
		out    = make([]byte, 0, len(text)+8)
		start  = make([]int32, 0, len(text)+8)
		end    = make([]int32, 0, len(text)+8)
		folder cases.Caser
		folded bool
		prev   = -1 // start in out of the previous segment's output, -1 before any
		space  bool // the previous output is a collapsed space
	)
	// Text already in NFKC (nearly every reply) is taken a character at a time, which is
	// several times faster than the normalising iterator.
	quick := norm.NFKC.IsNormalString(text)
	var src []byte
	if quick {
		src = []byte(text)
	} else {
		it.InitString(norm.NFKC, text)
	}
	for pos := 0; quick && pos < len(text) || !quick && !it.Done(); {
		var seg []byte
		from := pos
		if quick {
			_, size := utf8.DecodeRuneInString(text[pos:])
			pos += size
			seg = src[from:pos]
		} else {
			from = it.Pos()
			seg = it.Next()
			pos = it.Pos()
		}
		to := pos
		if !isASCII(seg) {
			if !folded {
				folder, folded = cases.Fold(), true
			}
			folder.Reset()
			if n, _ := folder.Span(seg, true); n < len(seg) {
				folder.Reset()
				seg = folder.Bytes(seg)
			}
		}
		segStart := len(out)
		for len(seg) > 0 {
			r, size := utf8.DecodeRune(seg)
			chunk := seg[:size]
			seg = seg[size:]
			switch {
			case r < utf8.RuneSelf && 'A' <= r && r <= 'Z':
				chunk = []byte{byte(r) + 'a' - 'A'}
			case ignorable(r):
				continue
			case unicode.IsSpace(r):
				if space {
					if r == '\n' {
						out[len(out)-1] = '\n'
					}
					end[len(end)-1] = int32(to)
					continue
				}
				if r != '\n' {
					chunk = []byte{' '}
				} else {
					chunk = []byte{'\n'}
				}
			}
			space = chunk[0] == ' ' || chunk[0] == '\n'
			for _, b := range chunk {
				out = append(out, b)
				start = append(start, int32(from))
				end = append(end, int32(to))
			}
		}
		if len(out) == segStart && prev >= 0 {
			// Only selectors or modifiers: they belong to the character before.
			for i := prev; i < len(end); i++ {
				end[i] = int32(to)
			}
			continue
		}
		if len(out) > segStart {
			prev = segStart
		}
	}
	return normText{s: string(out), start: start, end: end}
}

// normalizeTerm puts a rule's term into matching form.
func normalizeTerm(s string) string {
	return strings.TrimSpace(normalize(s).s)
}

// ignorable reports the emoji variation selectors, skin-tone modifiers and other
// characters that do not change what a message says for matching purposes.
func ignorable(r rune) bool {
	switch {
	case r == 0xFE0E || r == 0xFE0F: // text and emoji presentation selectors
		return true
	case r >= 0x1F3FB && r <= 0x1F3FF: // Fitzpatrick skin tones
		return true
	case r == 0x200B || r == 0x2060 || r == 0xFEFF: // zero-width space, word joiner, BOM
		return true
	}
	return false
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// wordRune reports whether r is part of a word of a script written with spaces, which a
// match must not cut. It mirrors knowledge/segment's classes: letters, numbers and marks
// are word characters, except in the dense scripts (Han, Kana, Hangul, Thai, Lao, Khmer,
// Myanmar), whose characters stand on their own.
func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r) {
		return false
	}
	return !dense(r)
}

// dense reports the scripts that knowledge/segment cuts into character bigrams because
// they are written without spaces between words.
func dense(r rune) bool {
	if unicode.IsNumber(r) {
		return false // Thai digits and 〇 are numbers to segment too
	}
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3041 && r <= 0x3096, r >= 0x30A1 && r <= 0x30FA,
		r >= 0xAC00 && r <= 0xD7A3, r >= 0x0E01 && r <= 0x0E5B:
		return true
	case r == 'ー' || r == '々' || r == '〆':
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

// boundaryOK reports whether s[i:j] may be a match: it does not start inside a word or
// end inside one (unless prefix is set), and never separates a character from the
// combining marks that follow it.
func boundaryOK(s string, i, j int, prefix bool) bool {
	first, _ := utf8.DecodeRuneInString(s[i:])
	last, _ := utf8.DecodeLastRuneInString(s[i:j])
	if i > 0 && wordRune(first) {
		if before, _ := utf8.DecodeLastRuneInString(s[:i]); wordRune(before) {
			return false
		}
	}
	if j < len(s) {
		after, _ := utf8.DecodeRuneInString(s[j:])
		if unicode.IsMark(after) {
			return false
		}
		if !prefix && wordRune(last) && wordRune(after) {
			return false
		}
	}
	return true
}

// sentence returns the normalised range of the sentence around [i, j): it ends at '.',
// '!' and '?' followed by a space or the end (NFKC has mapped the full-width forms), at the
// ideographic full stop, the Arabic question mark, the Devanagari danda and at newlines.
func sentence(s string, i, j int) (int, int) {
	from := 0
	for k := i - 1; k >= 0; k-- {
		if stopAt(s, k) {
			from = k + 1
			break
		}
	}
	to := len(s)
	for k := j; k < len(s); k++ {
		if stopAt(s, k) {
			to = k
			break
		}
	}
	return from, to
}

func stopAt(s string, k int) bool {
	switch s[k] {
	case '\n':
		return true
	case '.', '!', '?':
		return k+1 == len(s) || s[k+1] == ' ' || s[k+1] == '\n'
	}
	if s[k] < utf8.RuneSelf || !utf8.RuneStart(s[k]) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[k:])
	return r == '。' || r == '؟' || r == '।' || r == '॥'
}
