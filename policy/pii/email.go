package pii

import (
	"strings"
	"unicode"
)

// Bounds from RFC 5321; they also keep the scan linear.
const (
	maxLocal  = 64
	maxDomain = 253
)

func localRune(r rune) bool {
	return isAlnum(r) || strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r) ||
		r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

func domainRune(r rune) bool {
	return isAlnum(r) || r == '-' || r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

// scriptClass groups letters so that an address glued to words of another
// script (Japanese or Thai text has no spaces) is cut at the script change.
func scriptClass(r rune) int {
	switch {
	case r < 0x80 || !unicode.IsLetter(r):
		if isASCIILetter(r) {
			return 1
		}
		return 0 // digits and punctuation go with anything
	case unicode.Is(unicode.Latin, r):
		return 1
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
		return 2
	case unicode.Is(unicode.Thai, r):
		return 3
	case unicode.Is(unicode.Arabic, r):
		return 4
	case unicode.Is(unicode.Cyrillic, r):
		return 5
	case unicode.Is(unicode.Hangul, r):
		return 6
	case unicode.Is(unicode.Greek, r):
		return 7
	case unicode.Is(unicode.Devanagari, r):
		return 8
	}
	return 9
}

// findEmails expands around each '@' (also the full-width one).
func findEmails(t ntext, c *collector) {
	n := len(t.r)
	for at := 0; at < n; at++ {
		if t.r[at] != '@' {
			continue
		}
		// Local part, right to left.
		s, cls := at, 0
		for s > 0 && at-s < maxLocal && localRune(t.r[s-1]) {
			k := scriptClass(t.r[s-1])
			if k != 0 {
				if cls == 0 {
					cls = k
				} else if k != cls {
					break
				}
			}
			s--
		}
		for s < at && t.r[s] == '.' {
			s++
		}
		if s == at || t.r[at-1] == '.' {
			continue
		}
		// Domain, left to right: labels separated by single dots.
		e, lastDot := at+1, -1
		for e < n && e-at <= maxDomain {
			r := t.r[e]
			if r == '.' || r == '。' {
				if e == at+1 || !domainRune(t.at(e+1)) || t.r[e-1] == '.' || t.r[e-1] == '。' || t.r[e-1] == '-' {
					break
				}
				lastDot = e
			} else if !domainRune(r) {
				break
			}
			e++
		}
		if lastDot < 0 {
			continue
		}
		// The top-level label ends at a script change (".jpです").
		cls = 0
		for k := lastDot + 1; k < e; k++ {
			sc := scriptClass(t.r[k])
			if sc != 0 {
				if cls == 0 {
					cls = sc
				} else if sc != cls {
					e = k
					break
				}
			}
		}
		tld := t.r[lastDot+1 : e]
		if len(tld) < 2 || !tldOK(tld) {
			continue
		}
		for e > lastDot && t.r[e-1] == '-' {
			e--
		}
		c.add(s, e, KindEmail, "", prioEmail)
		at = e - 1
	}
}

func tldOK(tld []rune) bool {
	for _, r := range tld {
		if isDigit(r) || r == '-' {
			return false
		}
	}
	return true
}
