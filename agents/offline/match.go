package offline

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/attache-dev/attache/knowledge/hashembed"
)

// The rule matcher works on words rather than regular expressions: a message is folded
// (hashembed.Normalize), apostrophes are dropped ("don't" → "dont") and its words are
// joined by single spaces between two spaces of padding. A Latin term then matches when
// " term " occurs in it, a term ending in '*' when " term" does (a word prefix), and a term
// in another script (Arabic, Thai, Japanese, Chinese) anywhere, because those scripts glue
// words and clitics together.
//
// There are thousands of terms and a message has a few dozen words: rather than search
// the message for every Latin term, each word of the message is looked up in an index of
// the terms that start with it (latinIndex), and only terms of other scripts are searched
// for, when the message has letters of other scripts at all.

// anchor restricts where a rule's term may occur.
type anchor uint8

const (
	anywhere anchor = iota
	atStart         // the message starts with the term
	whole           // the message is the term and nothing else
	onlyOf          // every word of the message is one of the terms ("yes sure", "ok yes")
)

// term is one phrase of a rule, normalised like the messages it is matched against.
type term struct {
	text   string
	latin  bool   // ASCII after folding: matched at word boundaries
	prefix bool   // written with a trailing '*': the last word may go on
	needle string // what is searched: text, padded with spaces where it is latin
	first  string // the first word of a latin term
	single bool   // a latin term of one word
}

// span is where a term occurs in matchText.s.
type span struct{ start, end int }

// matchText is a message prepared for the rules.
type matchText struct {
	s        string // " word word ... "
	hasLatin bool   // some ASCII letter
	hasOther bool   // some non-ASCII letter
	words    int
	// hits holds where each latin term occurs, found through latinIndex; nil when the
	// message was only prepared (terms() prepares the terms themselves that way).
	hits map[*term][]span
}

// prepareMatch folds text and keeps its words, separated by single spaces.
func prepareMatch(folded string) matchText {
	var sb strings.Builder
	sb.Grow(len(folded) + 2)
	sb.WriteByte(' ')
	m := matchText{}
	inWord := false
	for _, r := range folded {
		switch {
		case r == '\'' || r == '’':
			continue // "don't" → "dont", "l'adresse" → "ladresse"
		case hashembedWordRune(r):
			if !inWord {
				m.words++
			}
			inWord = true
			if r < utf8.RuneSelf {
				if r >= 'a' && r <= 'z' {
					m.hasLatin = true
				}
			} else {
				m.hasOther = true
			}
			sb.WriteRune(r)
		default:
			if inWord {
				sb.WriteByte(' ')
			}
			inWord = false
		}
	}
	if inWord {
		sb.WriteByte(' ')
	}
	m.s = sb.String()
	if m.s == "" {
		m.s = " "
	}
	return m
}

// termIndex finds latin terms by their first word.
type termIndex struct {
	byFirst  map[string][]*term // terms by their first word
	byPrefix map[string][]*term // one-word prefix terms ("refund*") by their text
}

func newTermIndex(lists ...[]term) termIndex {
	ix := termIndex{byFirst: map[string][]*term{}, byPrefix: map[string][]*term{}}
	for _, list := range lists {
		for i := range list {
			t := &list[i]
			switch {
			case !t.latin:
			case t.single && t.prefix:
				ix.byPrefix[t.text] = append(ix.byPrefix[t.text], t)
			default:
				ix.byFirst[t.first] = append(ix.byFirst[t.first], t)
			}
		}
	}
	return ix
}

// lookUp fills m.hits with every latin term of ix that occurs in m.
func (ix termIndex) lookUp(m *matchText) {
	m.hits = make(map[*term][]span)
	if !m.hasLatin {
		return
	}
	for i := 1; i < len(m.s); {
		j := strings.IndexByte(m.s[i:], ' ')
		if j <= 0 {
			break
		}
		w := m.s[i : i+j]
		for _, t := range ix.byFirst[w] {
			rest := m.s[i:]
			if !strings.HasPrefix(rest, t.text) {
				continue
			}
			end := i + len(t.text)
			if t.prefix {
				for end < len(m.s) && m.s[end] != ' ' {
					end++
				}
			} else if m.s[end] != ' ' {
				continue
			}
			m.hits[t] = append(m.hits[t], span{i, end})
		}
		for n := 1; n <= len(w); n++ {
			for _, t := range ix.byPrefix[w[:n]] {
				m.hits[t] = append(m.hits[t], span{i, i + len(w)})
			}
		}
		i += j + 1
	}
}

func hashembedWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)
}

// terms splits a '|'-separated list of phrases and prepares each one.
func terms(list string) []term {
	var out []term
	for _, p := range strings.Split(list, "|") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		prefix := strings.HasSuffix(p, "*")
		p = strings.TrimSuffix(p, "*")
		mt := prepareMatch(hashembed.Normalize(p))
		text := strings.TrimSpace(mt.s)
		if text == "" {
			continue
		}
		t := term{text: text, latin: !mt.hasOther, prefix: prefix, needle: text}
		if t.latin {
			t.first, _, _ = strings.Cut(text, " ")
			t.single = t.first == text
			t.needle = " " + text
			if !prefix {
				t.needle += " "
			}
		}
		out = append(out, t)
	}
	return out
}

// find calls yield with the byte span of every occurrence of t in m (the span excludes
// the padding spaces) until yield returns false.
func (t *term) find(m matchText, yield func(start, end int) bool) {
	if t.latin && !m.hasLatin || !t.latin && !m.hasOther {
		return
	}
	if t.latin && m.hits != nil {
		for _, sp := range m.hits[t] {
			if !yield(sp.start, sp.end) {
				return
			}
		}
		return
	}
	needle := t.needle
	for off := 0; off < len(m.s); {
		i := strings.Index(m.s[off:], needle)
		if i < 0 {
			return
		}
		start := off + i
		end := start + len(needle)
		if t.latin {
			start++ // skip the leading space
			if !t.prefix {
				end--
			} else {
				for end < len(m.s) && m.s[end] != ' ' {
					end++
				}
			}
		}
		if !yield(start, end) {
			return
		}
		off = start + 1
	}
}

// matches reports whether r applies to m.
func (r *rule) matches(m matchText) bool {
	if r.anchor == onlyOf {
		return r.onlyOf(m)
	}
	found := false
	for i := range r.terms {
		r.terms[i].find(m, func(start, end int) bool {
			switch r.anchor {
			case atStart:
				if start > 1 {
					return true
				}
			case whole:
				if start > 1 || end < len(m.s)-1 {
					return true
				}
			}
			if r.near == nil || r.nearMatch(m, start, end) {
				found = true
				return false
			}
			return true
		})
		if found {
			return true
		}
	}
	return false
}

// nearMatch reports whether a near term of r occurs within about r.within characters of
// [start, end) (after it when the rule is ordered), apart from the term itself.
func (r *rule) nearMatch(m matchText, start, end int) bool {
	found := false
	for i := range r.near {
		r.near[i].find(m, func(s, e int) bool {
			if s < end && e > start {
				return true // the rule's own term, not a second one
			}
			if r.ordered && s < end {
				return true // the near term must come after
			}
			gap := s - end
			if s < start {
				gap = start - e
			}
			// Scripts other than Latin take three bytes a character in UTF-8, and
			// Thai, Japanese and Chinese write no spaces: the window counts characters.
			within := r.within
			if !r.near[i].latin {
				within *= 3
			}
			if gap <= within {
				found = true
				return false
			}
			return true
		})
		if found {
			return true
		}
	}
	return false
}

// onlyOf reports whether m is made of r's terms alone: each word, or the whole message,
// is one of them; words of politeness may stand around them.
func (r *rule) onlyOf(m matchText) bool {
	words := strings.Fields(m.s)
	if len(words) == 0 || len(words) > 4 {
		return false
	}
	whole := strings.Join(words, " ")
	for _, t := range r.terms {
		if t.text == whole {
			return true
		}
	}
	real := 0
	for _, w := range words {
		if isTerm := func(w string) bool {
			return slices.ContainsFunc(r.terms, func(t term) bool { return t.text == w })
		}; isTerm(w) || isTerm(trimParticle(w)) {
			real++
			continue
		}
		if !fillers[w] {
			return false
		}
	}
	return real > 0
}

// trimParticle removes a polite particle glued to the end of a word in scripts written
// without spaces: "ไม่เอาค่ะ" → "ไม่เอา", "いいえです" → "いいえ".
func trimParticle(w string) string {
	for _, p := range []string{"ค่ะ", "ครับ", "คะ", "นะ", "です", "吧", "啊"} {
		if t, ok := strings.CutSuffix(w, p); ok && t != "" {
			return t
		}
	}
	return w
}

// fillers are the words of address and politeness around a yes or a no: "yes please",
// "jangan kak", "vâng ạ", "ใช่ค่ะ".
var fillers = map[string]bool{
	"please": true, "pls": true, "thanks": true, "thank": true, "you": true, "por": true, "favor": true,
	"gracias": true, "bitte": true, "danke": true, "merci": true, "svp": true, "obrigado": true,
	"obrigada": true, "kak": true, "kakak": true, "sis": true, "gan": true, "min": true, "aja": true,
	"deh": true, "dong": true, "a": true, "ạ": true, "nhe": true, "shop": true, "ค่ะ": true, "ครับ": true,
	"คะ": true, "นะ": true, "من": true, "فضلك": true, "شكرا": true, "です": true, "ね": true, "吧": true,
	"谢谢": true, "啊": true,
}
