package chunk

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/attache-dev/attache/knowledge/segment"
)

// unit is the smallest piece the packer moves: a sentence, a list item, a table row, a
// code block (or the part of any of them that fits).
type unit struct {
	text    string
	section int    // index into the article's sections
	sep     string // written before text when it follows a unit of the same section
	header  string // table header rows to repeat when a passage starts with this unit
}

// sectionUnits turns the blocks of section sec into units of at most max runes each.
func sectionUnits(lang string, sec int, blocks []block, max int) []unit {
	var us []unit
	for i, b := range blocks {
		first := len(us)
		switch b.kind {
		case blockPara:
			us = proseUnits(us, lang, joinLines(b.lines), max)
		case blockItem:
			text := joinLines(b.lines)
			if runes(text) <= max {
				us = appendUnit(us, unit{text: text})
			} else {
				us = proseUnits(us, lang, text, max)
			}
		case blockTable:
			us = tableUnits(us, b.lines, max)
		case blockCode:
			us = codeUnits(us, b.lines, max)
		}
		if len(us) > first {
			us[first].sep = "\n\n"
			if i > 0 && b.kind == blockItem && blocks[i-1].kind == blockItem {
				us[first].sep = "\n"
			}
		}
	}
	for i := range us {
		us[i].section = sec
	}
	return us
}

func appendUnit(us []unit, u unit) []unit {
	if strings.TrimSpace(u.text) == "" {
		return us
	}
	return append(us, u)
}

// joinLines joins the lines of a paragraph or list item as a renderer would: with a
// space, or with nothing between two Chinese or Japanese characters, and runs of spaces
// collapsed. The first line keeps its indentation (a nested list item's).
func joinLines(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i == 0 {
			n, rest := indent(l)
			b.WriteString(strings.Repeat(" ", min(n, 12)))
			b.WriteString(strings.Join(strings.Fields(rest), " "))
			continue
		}
		l = strings.Join(strings.Fields(l), " ")
		if l == "" {
			continue
		}
		last, _ := utf8.DecodeLastRuneInString(b.String())
		next, _ := utf8.DecodeRuneInString(l)
		if !wide(last) || !wide(next) {
			b.WriteByte(' ')
		}
		b.WriteString(l)
	}
	return b.String()
}

// wide reports characters of scripts written without spaces between words, where a line
// break is not a space.
func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// proseUnits appends the sentences of text, each cut to max runes if it is longer.
// Sentences keep their original spacing: none between Chinese sentences, one space else.
func proseUnits(us []unit, lang, text string, max int) []unit {
	pos := 0
	for i, s := range segment.Sentences(lang, text) {
		sep := " "
		if at := strings.Index(text[pos:], s); at >= 0 {
			if at == 0 && i > 0 {
				sep = ""
			}
			pos += at + len(s)
		}
		for _, p := range cutLong(s, max) {
			us = appendUnit(us, unit{text: p.text, sep: p.sepOr(sep)})
		}
	}
	return us
}

// tableUnits makes the header (with the first row when it fits) one unit and every further
// row another, each carrying the header to repeat.
func tableUnits(us []unit, rows []string, max int) []unit {
	header := ""
	body := rows
	if len(rows) >= 2 && delimiterRow(rows[1]) {
		header, body = rows[0]+"\n"+rows[1], rows[2:]
		switch {
		case len(body) > 0 && runes(header)+1+runes(body[0]) <= max:
			us = appendUnit(us, unit{text: header + "\n" + body[0]})
			body = body[1:]
		case runes(header) <= max:
			us = appendUnit(us, unit{text: header})
		default:
			for _, p := range cutLong(header, max) {
				us = appendUnit(us, unit{text: p.text, sep: p.sepOr("\n")})
			}
			header = ""
		}
	}
	for _, row := range body {
		for _, p := range cutLong(row, max) {
			u := unit{text: p.text, sep: p.sepOr("\n")}
			if p.first {
				u.header = header
			}
			us = appendUnit(us, u)
		}
	}
	return us
}

// codeUnits keeps a fenced block whole when it fits, and otherwise splits it between lines
// into blocks that repeat the fences, so each passage is still a code block.
func codeUnits(us []unit, lines []string, max int) []unit {
	for len(lines) > 1 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	whole := strings.Join(lines, "\n")
	if runes(whole) <= max {
		return appendUnit(us, unit{text: whole, sep: "\n"})
	}
	open := strings.TrimSpace(lines[0])
	body := lines[1:]
	closing := openFence(open)
	if n := len(body); n > 0 && closesFence(body[n-1], closing) {
		closing = strings.TrimSpace(body[n-1])
		body = body[:n-1]
	}
	overhead := runes(open) + runes(closing) + 2
	wrap := 2*overhead <= max
	budget := max - overhead
	if !wrap {
		budget, body = max, lines
	}
	for _, p := range packLines(body, budget) {
		if wrap {
			p = open + "\n" + p + "\n" + closing
		}
		us = appendUnit(us, unit{text: p, sep: "\n"})
	}
	return us
}

// packLines groups lines into pieces of at most max runes, cutting lines that are longer.
func packLines(lines []string, max int) []string {
	var out []string
	var cur strings.Builder
	n, open := 0, false
	flush := func() {
		if open {
			out = append(out, cur.String())
			cur.Reset()
			n, open = 0, false
		}
	}
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		k := runes(l)
		if k > max {
			flush()
			for _, p := range cutLong(l, max) {
				out = append(out, p.text)
			}
			continue
		}
		if open && n+1+k > max {
			flush()
		}
		if open {
			cur.WriteByte('\n')
			n++
		}
		cur.WriteString(l)
		n += k
		open = true
	}
	flush()
	return out
}

// piece is one part of a cut text.
type piece struct {
	text  string
	join  string // what was between it and the previous piece: " " or ""
	first bool
}

func (p piece) sepOr(def string) string {
	if p.first {
		return def
	}
	return p.join
}

// cutLong cuts s into pieces of at most max runes: at the last space that leaves the
// piece at least a third full, else after the last clause comma or semicolon (Chinese,
// Japanese, Arabic punctuation included), else between two characters, never between a
// letter and its combining marks nor after a Thai leading vowel.
func cutLong(s string, max int) []piece {
	var out []piece
	join := ""
	for {
		s = strings.TrimSpace(s)
		if s == "" {
			return out
		}
		lim := runeOffset(s, max)
		if lim == len(s) {
			return append(out, piece{text: s, join: join, first: len(out) == 0})
		}
		floor := runeOffset(s, max/3)
		cut, next, j := lim, lim, ""
		if r, _ := utf8.DecodeRuneInString(s[lim:]); unicode.IsSpace(r) {
			j = " "
		} else if ws := strings.LastIndexFunc(s[:lim], unicode.IsSpace); ws > 0 && ws >= floor {
			_, size := utf8.DecodeRuneInString(s[ws:])
			cut, next, j = ws, ws+size, " "
		} else if p := lastClauseBreak(s[:lim]); p > 0 && p >= floor {
			cut, next = p, p
		} else {
			cut = graphemeCut(s, lim)
			next = cut
		}
		out = append(out, piece{text: strings.TrimRightFunc(s[:cut], unicode.IsSpace), join: join, first: len(out) == 0})
		s, join = s[next:], j
	}
}

// runeOffset returns the byte offset after the first n runes of s, or len(s).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// lastClauseBreak returns the byte offset just after the last clause punctuation in s, or -1.
func lastClauseBreak(s string) int {
	i := strings.LastIndexAny(s, ",;:，、；：،؛")
	if i < 0 {
		return -1
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return i + size
}

// graphemeCut moves a cut at byte offset lim back so that it does not separate a letter
// from its combining marks or a zero-width joiner sequence, or a Thai leading vowel from
// its consonant. It never returns 0.
func graphemeCut(s string, lim int) int {
	cut := lim
	for cut > 0 {
		r, _ := utf8.DecodeRuneInString(s[cut:])
		prev, size := utf8.DecodeLastRuneInString(s[:cut])
		if unicode.IsMark(r) || r == '\u200d' || prev == '\u200d' || (prev >= 'เ' && prev <= 'ไ') {
			cut -= size
			continue
		}
		break
	}
	if cut == 0 {
		return lim
	}
	return cut
}
