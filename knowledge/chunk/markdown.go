package chunk

import (
	"strings"
)

// section is the text under one heading, up to the next heading.
type section struct {
	path   []string // title, then the headings above it, outermost first
	blocks []block
}

type blockKind uint8

const (
	blockPara  blockKind = iota // a paragraph (block quotes lose their ">")
	blockItem                   // one list item with its continuation lines
	blockTable                  // consecutive table rows
	blockCode                   // a fenced code block, fences included
)

type block struct {
	kind  blockKind
	lines []string
}

// parser reads Markdown line by line into sections. It understands the block structure
// that matters for passages and nothing inline.
type parser struct {
	title    string
	headings []heading // open headings, outermost first
	sections []section
	cur      *block // the block being read, nil between blocks
	fence    string // the opening fence of the code block being read
}

type heading struct {
	level int
	text  string
}

func parse(title, md string) []section {
	p := &parser{title: strings.TrimSpace(title)}
	p.sections = []section{{path: p.path()}}
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		raw := lines[i]
		if p.fence != "" {
			p.cur.lines = append(p.cur.lines, raw)
			if closesFence(raw, p.fence) || closesFence(unquote(raw), p.fence) {
				p.end()
			}
			continue
		}
		line := unquote(strings.TrimRight(raw, " \t"))
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			p.end()
		case openFence(line) != "":
			p.end()
			p.fence = openFence(line)
			p.cur = &block{kind: blockCode, lines: []string{line}}
		case atxLevel(line) > 0:
			p.end()
			level := atxLevel(line)
			p.heading(level, atxText(trimmed[level:]))
		case p.curIs(blockPara) && setextLevel(line) > 0:
			text := strings.Join(p.cur.lines, " ")
			p.cur = nil
			p.heading(setextLevel(line), text)
		case thematicBreak(line):
			p.end()
		case p.curIs(blockTable) && strings.Contains(line, "|"):
			p.cur.lines = append(p.cur.lines, trimmed)
		case strings.HasPrefix(trimmed, "|") ||
			strings.Contains(line, "|") && i+1 < len(lines) && delimiterRow(lines[i+1]):
			p.end()
			p.cur = &block{kind: blockTable, lines: []string{trimmed}}
		case listItem(line) && !(p.curIs(blockPara) && !interruptsParagraph(line)):
			p.end()
			p.cur = &block{kind: blockItem, lines: []string{line}}
		case p.curIs(blockItem) || p.curIs(blockPara):
			p.cur.lines = append(p.cur.lines, trimmed) // continuation (lazy or indented)
		default:
			p.end()
			p.cur = &block{kind: blockPara, lines: []string{trimmed}}
		}
	}
	p.end()
	return p.sections
}

func (p *parser) curIs(k blockKind) bool { return p.cur != nil && p.cur.kind == k }

// end closes the current block and adds it to the current section.
func (p *parser) end() {
	if p.cur != nil {
		s := &p.sections[len(p.sections)-1]
		s.blocks = append(s.blocks, *p.cur)
	}
	p.cur = nil
	p.fence = ""
}

// heading opens a section. A top-level heading repeating the title ("# Returns policy"
// under the title "Returns policy") adds nothing to the path.
func (p *parser) heading(level int, text string) {
	text = strings.Join(strings.Fields(text), " ")
	for len(p.headings) > 0 && p.headings[len(p.headings)-1].level >= level {
		p.headings = p.headings[:len(p.headings)-1]
	}
	if text != "" && !(len(p.headings) == 0 && strings.EqualFold(text, p.title)) {
		p.headings = append(p.headings, heading{level: level, text: text})
	}
	p.sections = append(p.sections, section{path: p.path()})
}

func (p *parser) path() []string {
	path := make([]string, 0, len(p.headings)+1)
	if p.title != "" {
		path = append(path, p.title)
	}
	for _, h := range p.headings {
		path = append(path, h.text)
	}
	return path
}

// indent returns the number of leading spaces of line (a tab counts as four) and the rest.
func indent(line string) (int, string) {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n, line[i:]
		}
	}
	return n, ""
}

// unquote removes block-quote markers: a quoted note is a paragraph like any other.
func unquote(line string) string {
	for {
		n, rest := indent(line)
		if n > 3 || !strings.HasPrefix(rest, ">") {
			return line
		}
		line = strings.TrimPrefix(rest[1:], " ")
	}
}

// openFence returns the fence ("```" or "~~~", as long as written) that line opens, or "".
func openFence(line string) string {
	n, rest := indent(line)
	if n > 3 || len(rest) < 3 || (rest[0] != '`' && rest[0] != '~') {
		return ""
	}
	c := rest[0]
	k := 0
	for k < len(rest) && rest[k] == c {
		k++
	}
	if k < 3 || (c == '`' && strings.ContainsRune(rest[k:], '`')) {
		return ""
	}
	return rest[:k]
}

func closesFence(line, fence string) bool {
	n, rest := indent(line)
	rest = strings.TrimRight(rest, " \t")
	return n <= 3 && len(rest) >= len(fence) && strings.Trim(rest, fence[:1]) == "" &&
		rest[0] == fence[0]
}

// atxLevel returns the level of an ATX heading line ("## Shipping" is 2), or 0.
func atxLevel(line string) int {
	n, rest := indent(line)
	if n > 3 {
		return 0
	}
	k := 0
	for k < len(rest) && rest[k] == '#' {
		k++
	}
	if k == 0 || k > 6 || (k < len(rest) && rest[k] != ' ' && rest[k] != '\t') {
		return 0
	}
	return k
}

// atxText removes the optional closing hashes of an ATX heading's text.
func atxText(s string) string {
	s = strings.TrimSpace(s)
	t := strings.TrimRight(s, "#")
	if t == "" {
		return ""
	}
	if t != s && (strings.HasSuffix(t, " ") || strings.HasSuffix(t, "\t")) {
		return strings.TrimSpace(t)
	}
	return s
}

// setextLevel returns 1 for a "===" underline, 2 for "---", 0 otherwise.
func setextLevel(line string) int {
	n, rest := indent(line)
	rest = strings.TrimSpace(rest)
	if n > 3 || rest == "" {
		return 0
	}
	switch strings.Trim(rest, rest[:1]) {
	case "":
		switch rest[0] {
		case '=':
			return 1
		case '-':
			return 2
		}
	}
	return 0
}

// thematicBreak reports "---", "***", "___" and spaced variants.
func thematicBreak(line string) bool {
	n, rest := indent(line)
	if n > 3 || rest == "" {
		return false
	}
	c := rest[0]
	if c != '-' && c != '*' && c != '_' {
		return false
	}
	count := 0
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case c:
			count++
		case ' ', '\t':
		default:
			return false
		}
	}
	return count >= 3
}

// listItem reports a bullet ("-", "*", "+") or ordered ("1.", "1)") list item line.
func listItem(line string) bool {
	_, rest := indent(line)
	if rest == "" {
		return false
	}
	if strings.ContainsRune("-*+", rune(rest[0])) {
		return len(rest) == 1 || rest[1] == ' ' || rest[1] == '\t'
	}
	k := 0
	for k < len(rest) && k < 9 && '0' <= rest[k] && rest[k] <= '9' {
		k++
	}
	if k == 0 || k >= len(rest) || (rest[k] != '.' && rest[k] != ')') {
		return false
	}
	return k+1 == len(rest) || rest[k+1] == ' ' || rest[k+1] == '\t'
}

// interruptsParagraph reports whether a list item line may start a list right after
// paragraph text: only bullets with content and ordered items numbered 1, as in CommonMark,
// so that "compressed O\n2. This method" stays one paragraph.
func interruptsParagraph(line string) bool {
	_, rest := indent(line)
	if strings.ContainsRune("-*+", rune(rest[0])) {
		return strings.TrimSpace(rest[1:]) != ""
	}
	return strings.HasPrefix(rest, "1.") || strings.HasPrefix(rest, "1)")
}

// delimiterRow reports a table's header underline, such as "|---|:---:|" or "--- | ---".
func delimiterRow(line string) bool {
	s := strings.TrimSpace(line)
	if !strings.Contains(s, "-") || (!strings.Contains(s, "|") && !strings.HasPrefix(s, ":")) {
		return false
	}
	for _, cell := range strings.Split(strings.Trim(s, "|"), "|") {
		cell = strings.Trim(strings.TrimSpace(cell), ":")
		if cell == "" || strings.Trim(cell, "-") != "" {
			return false
		}
	}
	return true
}
