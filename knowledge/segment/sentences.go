package segment

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences splits text into sentences, each trimmed of surrounding white space and
// keeping its closing punctuation, so that joining them gives the text back up to white
// space. A blank line always ends a sentence.
//
// The rules, by script rather than by tag where the script decides:
//   - ".", "!", "?", "…" end a sentence when white space (or the end) follows them and any
//     closing quotes or brackets. A "." does not end one before a lower-case word, after a
//     single letter ("z. B.", "J. Smith"), after a dotted abbreviation ("e.g.", "i.e.",
//     "p.ej."), after a title ("Dr.", "Sra."), after "Nr."/"No."/"ca." before a number,
//     after a bare list number ("2. Open the app"), or, in German and other languages that
//     write ordinals with a dot, after a number ("am 3. Mai"). Decimals, URLs and e-mail
//     addresses contain no space after their dots and are never split.
//   - "。", "！", "？" and the Arabic, Urdu, Devanagari, Ethiopic, Khmer and Myanmar full
//     stops and question marks end a sentence wherever they are; so does an ASCII "!" or
//     "?" directly followed by Chinese or Japanese text.
//   - Thai marks the end of a sentence or phrase with a space: a space between two Thai
//     letters ends one, a space next to a number or a Latin word does not.
//
// The Arabic comma "،" is a comma and does not end a sentence; lists are written with it.
//
// Invalid UTF-8 is replaced with U+FFFD and NUL bytes are dropped first, so that every
// sentence can be stored as PostgreSQL text.
func Sentences(lang, text string) []string {
	text = sanitize(text)
	ordinalDot := ordinalLanguages[Language(lang)]
	var out []string
	start := 0
	quoted := 0 // depth of 「」『』 quotes that close later: 。 inside them ends no sentence
	var para paragraph
	cut := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			j := i + size
			for j < len(text) && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r') {
				j++
			}
			if j < len(text) && text[j] == '\n' {
				cut(i)
				quoted = 0
				i = j
				continue
			}
		case r == '「' || r == '『':
			if i >= para.end {
				para = paragraphAt(text, i)
			}
			if (r == '「' && para.lastClose1 > i) || (r == '『' && para.lastClose2 > i) {
				quoted++
			}
		case (r == '」' || r == '』') && quoted > 0:
			quoted--
		case r == ' ' || r == '\t':
			if thaiBreak(text, i) {
				cut(i)
			}
		case isHardStop(r) || isSoftStop(r):
			end, hard, dotsOnly := stopRun(text, i)
			if quoted == 0 && (hard || isBoundary(text, start, i, end, dotsOnly, ordinalDot)) {
				cut(end)
			}
			// Closers consumed by stopRun still close quotes.
			for _, c := range text[i:end] {
				if (c == '」' || c == '』') && quoted > 0 {
					quoted--
				}
			}
			i = end
			continue
		}
		i += size
	}
	cut(len(text))
	return out
}

// paragraph is where the paragraph around a Japanese opening quote ends, and where its
// last closing quotes are: an unbalanced bracket must not stop sentence splitting.
type paragraph struct{ end, lastClose1, lastClose2 int }

func paragraphAt(text string, i int) paragraph {
	end := len(text)
	if k := strings.Index(text[i:], "\n\n"); k >= 0 {
		end = i + k
	}
	p := paragraph{end: end, lastClose1: -1, lastClose2: -1}
	if k := strings.LastIndex(text[i:end], "」"); k >= 0 {
		p.lastClose1 = i + k
	}
	if k := strings.LastIndex(text[i:end], "』"); k >= 0 {
		p.lastClose2 = i + k
	}
	return p
}

// ordinalLanguages write ordinal numbers with a trailing dot ("3. Mai").
var ordinalLanguages = map[string]bool{
	"de": true, "da": true, "nb": true, "no": true, "nn": true, "fi": true, "is": true,
	"cs": true, "sk": true, "pl": true, "hu": true, "sl": true, "hr": true, "sr": true,
	"bs": true, "et": true, "lv": true, "tr": true,
}

// Abbreviations that end with a dot but not a sentence (lower-case, without the dot).
var (
	titleAbbrevs = map[string]bool{
		"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "jr": true, "st": true,
		"sr": true, "sra": true, "srta": true, "dra": true, "hr": true, "hrn": true, "fr": true,
		"mme": true, "mlle": true, "vs": true, "bzw": true, "ggf": true, "inkl": true,
		"zzgl": true, "evtl": true, "vgl": true, "sog": true, "av": true, "avda": true,
		"rev": true, "gen": true, "ee": true, // "EE. UU.", the Spanish "U.S."
	}
	// numberAbbrevs end no sentence when a number follows ("Nr. 12", "ca. 5 Tage").
	numberAbbrevs = map[string]bool{
		"no": true, "nr": true, "nº": true, "núm": true, "num": true, "art": true, "tel": true,
		"p": true, "pp": true, "s": true, "abs": true, "vol": true, "ca": true, "approx": true,
		"ref": true, "bd": true,
	}
)

func isHardStop(r rune) bool {
	switch r {
	case '。', '！', '？', '｡', '؟', '۔', '।', '॥', '።', '፧', '។', '။', '︒':
		return true
	}
	return false
}

func isSoftStop(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '‼', '⁇', '⁈', '⁉', '։':
		return true
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', '›', ')', ']', '}', '」', '』', '）', '】', '〉', '》', '〕', '＂', '＇',
		'*', '_', '`':
		return true
	}
	return false
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '«', '‹', '(', '[', '{', '¿', '¡', '「', '『', '（', '*', '_', '`':
		return true
	}
	return false
}

// stopRun consumes the terminal punctuation starting at i and the closing quotes and
// brackets after it. It reports where they end, whether a hard stop was among them, and
// whether they were dots only (the ambiguous case).
func stopRun(text string, i int) (end int, hard, dotsOnly bool) {
	dotsOnly = true
	end = i
stops:
	for end < len(text) {
		r, size := utf8.DecodeRuneInString(text[end:])
		switch {
		case isHardStop(r):
			hard = true
			dotsOnly = false
		case r == '.' || r == '…':
		case isSoftStop(r):
			dotsOnly = false
		default:
			break stops
		}
		end += size
	}
	for end < len(text) {
		r, size := utf8.DecodeRuneInString(text[end:])
		if !isCloser(r) {
			break
		}
		end += size
	}
	return end, hard, dotsOnly
}

// isBoundary decides whether soft terminal punctuation text[stop:end] ends the sentence
// that began at start.
func isBoundary(text string, start, stop, end int, dotsOnly, ordinalDot bool) bool {
	if end >= len(text) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(text[end:])
	if !unicode.IsSpace(next) {
		// "1.5", "shop.example.com", "e-mail@example.com", "?q=1": no space, no end, except
		// "!"/"?" run straight into Chinese or Japanese text.
		return !dotsOnly && unicode.In(next, unicode.Han, unicode.Hiragana, unicode.Katakana)
	}
	if !dotsOnly {
		return true
	}

	// The word after the dot: its first letter, past white space and opening quotes.
	j := end
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if !unicode.IsSpace(r) && !isOpener(r) {
			break
		}
		j += size
	}
	if j >= len(text) {
		return true
	}
	first, _ := utf8.DecodeRuneInString(text[j:])
	if unicode.IsLower(first) {
		return false
	}

	// The word before the dot.
	k := stop
	for k > start {
		r, size := utf8.DecodeLastRuneInString(text[start:k])
		if unicode.IsSpace(r) {
			break
		}
		k -= size
	}
	word := strings.TrimLeftFunc(text[k:stop], isOpener)
	if word == "" {
		return true
	}
	if strings.TrimSpace(text[start:k]) == "" && allDigits(word) {
		return false // "2. Open the app": a list number, not a sentence
	}
	if r, size := utf8.DecodeRuneInString(word); size == len(word) && unicode.IsLetter(r) {
		return false // an initial or "z. B."
	}
	if dottedAbbrev(word) {
		return false
	}
	// "Bestell-Nr." is "Nr.".
	lower := strings.ToLower(word[strings.LastIndexAny(word, "-/")+1:])
	if titleAbbrevs[lower] {
		return false
	}
	if (unicode.IsDigit(first) || first == '#') && numberAbbrevs[lower] {
		return false
	}
	if ordinalDot && allDigits(word) && unicode.IsLetter(first) {
		return false
	}
	return true
}

// dottedAbbrev reports abbreviations such as "e.g", "i.e", "z.B", "U.S", "p.ej": short
// letter groups joined by dots. "www.example" is a host, not an abbreviation.
func dottedAbbrev(word string) bool {
	if !strings.Contains(word, ".") {
		return false
	}
	for part := range strings.SplitSeq(word, ".") {
		n := 0
		for _, r := range part {
			if !unicode.IsLetter(r) {
				return false
			}
			n++
		}
		if n == 0 || n > 3 {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// thaiBreak reports whether the white space at text[i] separates two Thai sentences or
// phrases: Thai letters on both sides, not a number or a Latin word, and not after the
// repetition sign "ๆ" or the abbreviation sign "ฯ", which are followed by a space inside
// a sentence.
func thaiBreak(text string, i int) bool {
	before, _ := utf8.DecodeLastRuneInString(text[:i])
	if !thaiLetter(before) || before == 'ๆ' || before == 'ฯ' {
		return false
	}
	j := i
	for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
		j++
	}
	after, _ := utf8.DecodeRuneInString(text[j:])
	return thaiLetter(after)
}

func thaiLetter(r rune) bool {
	return unicode.Is(unicode.Thai, r) && !unicode.IsDigit(r)
}
