package importer

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// metaPrefix starts the names of the <meta> elements that carry a record's fields.
const metaPrefix = "attache:"

// metaNames are the field names an HTML page may give after metaPrefix: the Markdown
// front matter keys.
var metaNames = frontMatterKeys

// parseHTML reads a page's metadata and sanitises its content into Markdown-like text.
func parseHTML(text string) document {
	d := document{localeFrom: "the page"}
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		// html.Parse fails only when its reader does; a strings.Reader does not.
		d.problem = fmt.Sprintf("page does not parse: %v", err)
		return d
	}
	htmlEl := findElement(root, atom.Html)
	head := findElement(root, atom.Head)
	body := findElement(root, atom.Body)

	// Metadata: attache: meta elements first, then what the page says in plain HTML.
	var unknown []string
	seen := make(map[string]bool)
	var canonical, pageTitle string
	if head == nil {
		head = root
	}
	for n := range head.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Meta:
			name := strings.ToLower(strings.TrimSpace(attr(n, "name")))
			field, ok := strings.CutPrefix(name, metaPrefix)
			if !ok {
				continue
			}
			if seen[field] {
				d.problem = fmt.Sprintf("meta %s%s appears twice", metaPrefix, clip(field))
				return d
			}
			seen[field] = true
			content := attr(n, "content")
			if list := d.in.list(field); list != nil {
				*list = splitTags(content)
			} else if dest := d.in.field(field); dest != nil {
				*dest = content
			} else {
				unknown = append(unknown, metaPrefix+field)
			}
		case atom.Link:
			if canonical == "" && hasToken(attr(n, "rel"), "canonical") {
				canonical = strings.TrimSpace(attr(n, "href"))
			}
		case atom.Title:
			if pageTitle == "" {
				pageTitle = textContent(n)
			}
		}
	}
	if len(unknown) > 0 {
		known := make([]string, len(metaNames))
		for i, name := range metaNames {
			known[i] = metaPrefix + name
		}
		d.problem = unknownNames("meta name", unknown, known)
		return d
	}
	if strings.TrimSpace(d.in.locale) != "" {
		d.localeFrom = "meta " + metaPrefix + "locale"
	} else if htmlEl != nil {
		d.in.locale = attr(htmlEl, "lang")
		d.localeFrom = "<html lang>"
	}
	if strings.TrimSpace(d.in.url) == "" && isWebURL(canonical) {
		d.in.url = canonical
	}

	content := body
	if content == nil {
		content = root
	}
	if n := findShown(body, atom.Main); n != nil {
		content = n
	} else if n := findShown(body, atom.Article); n != nil {
		content = n
	}
	r := renderer{}
	if base, err := url.Parse(strings.TrimSpace(d.in.url)); err == nil && isWebURL(base.String()) {
		r.base = base
	}
	if strings.TrimSpace(d.in.title) == "" {
		d.in.title = pageTitle
	}
	// The first <h1> is the title, or repeats it: either way it leaves the body.
	if h1 := findShown(content, atom.H1); h1 != nil {
		if t := textContent(h1); strings.TrimSpace(d.in.title) == "" {
			d.in.title, r.skip = t, h1
		} else if oneLine(t) == oneLine(d.in.title) {
			r.skip = h1
		}
	}
	r.children(content)
	d.in.body = r.out.String()
	return d
}

// findShown returns the first element with the given atom and some text under n that is not
// dropped from the body.
func findShown(n *html.Node, a atom.Atom) *html.Node {
	if n == nil {
		return nil
	}
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.DataAtom == a && !dropped(d) && textContent(d) != "" {
			return d
		}
	}
	return nil
}

// findElement returns the first element with the given atom under n, n included.
func findElement(n *html.Node, a atom.Atom) *html.Node {
	if n == nil {
		return nil
	}
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.DataAtom == a {
			return d
		}
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}

func hasToken(list, token string) bool {
	for _, t := range strings.Fields(list) {
		if strings.EqualFold(t, token) {
			return true
		}
	}
	return false
}

// dropAtoms are the elements dropped with their content: active content, forms and their
// controls, navigation, and media that has no text.
var dropAtoms = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Object: true, atom.Embed: true,
	atom.Form: true, atom.Button: true, atom.Input: true, atom.Select: true, atom.Textarea: true,
	atom.Noscript: true, atom.Template: true, atom.Svg: true, atom.Math: true, atom.Canvas: true,
	atom.Audio: true, atom.Video: true, atom.Nav: true, atom.Img: true, atom.Picture: true,
	atom.Head: true,
}

// dropped reports whether n or one of its ancestors is dropped from the body.
func dropped(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && (dropAtoms[n.DataAtom] || hasAttr(n, "hidden")) {
			return true
		}
	}
	return false
}

// textContent returns the text of n with whitespace collapsed, skipping dropped elements.
func textContent(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				b.WriteString(c.Data)
				b.WriteByte(' ')
			case html.ElementNode:
				if !dropAtoms[c.DataAtom] && !hasAttr(c, "hidden") {
					walk(c)
				}
			}
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// blockKind says how a block is separated from the one before it.
type blockKind int

const (
	paragraph blockKind = iota
	listItem
	tableRow
)

// list is an open <ul> or <ol>.
type list struct {
	ordered bool
	n       int // items so far
	width   int // width of the current item's marker
}

// renderer writes sanitised HTML as Markdown-like text. Text is gathered into the current
// block (line) with whitespace collapsed, and a block is written out when an element that
// ends it is met.
type renderer struct {
	out     strings.Builder
	line    strings.Builder
	space   bool // a space is due before the next word
	last    blockKind
	lists   []list
	marker  string // an item marker not yet written
	heading int    // level of the heading being written, or 0
	quote   int    // blockquote depth
	cell    int    // table cell depth; blocks inside cells are joined by spaces
	base    *url.URL
	skip    *html.Node // the <h1> taken as the title
	blocks  int        // endBlock calls so far; tells a link that its text was written out
}

func (r *renderer) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.node(c)
	}
}

func (r *renderer) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		r.text(n.Data)
		return
	case html.ElementNode:
	default:
		return
	}
	if n == r.skip || dropAtoms[n.DataAtom] || hasAttr(n, "hidden") {
		return
	}
	switch a := n.DataAtom; a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		r.endBlock()
		r.heading = int(a.String()[1] - '0')
		r.children(n)
		r.endBlock()
		r.heading = 0
	case atom.Ul, atom.Ol:
		r.endBlock()
		r.lists = append(r.lists, list{ordered: a == atom.Ol})
		r.children(n)
		r.endBlock()
		r.lists = r.lists[:len(r.lists)-1]
	case atom.Li:
		r.endBlock()
		if len(r.lists) > 0 {
			l := &r.lists[len(r.lists)-1]
			l.n++
			r.marker = "- "
			if l.ordered {
				r.marker = fmt.Sprintf("%d. ", l.n)
			}
			l.width = len(r.marker)
		}
		r.children(n)
		r.endBlock()
		r.marker = ""
	case atom.Table:
		r.endBlock()
		r.children(n)
		r.endBlock()
	case atom.Tr:
		if r.cell > 0 {
			r.children(n)
			return
		}
		r.endBlock()
		r.row(n)
	case atom.Pre:
		if r.cell > 0 || r.heading > 0 {
			r.children(n)
			return
		}
		r.endBlock()
		code := strings.Trim(preText(n), "\n")
		if strings.TrimSpace(code) != "" {
			r.block(paragraph, "```\n"+code+"\n```")
		}
	case atom.Blockquote:
		r.endBlock()
		r.quote++
		r.children(n)
		r.endBlock()
		r.quote--
	case atom.Br:
		if r.cell > 0 || r.heading > 0 {
			r.space = true
			return
		}
		r.line.WriteByte('\n')
		r.space = false
	case atom.A:
		start, gen := r.line.Len(), r.blocks
		r.children(n)
		if r.blocks != gen {
			// The link held blocks; its text is what is left in the current one.
			start = 0
		}
		if link := r.link(attr(n, "href")); link != "" {
			if text := strings.TrimSpace(r.line.String()[start:]); text != link && text != strings.TrimPrefix(link, "mailto:") {
				if text != "" {
					r.text(" (" + link + ")")
				} else {
					r.text(link)
				}
			}
		}
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Main, atom.Header, atom.Footer,
		atom.Aside, atom.Figure, atom.Figcaption, atom.Address, atom.Details, atom.Summary,
		atom.Dl, atom.Dt, atom.Dd, atom.Hr, atom.Caption, atom.Fieldset, atom.Center:
		r.endBlock()
		r.children(n)
		r.endBlock()
	default:
		r.children(n)
	}
}

// text adds text to the current block, collapsing whitespace.
func (r *renderer) text(s string) {
	for _, c := range s {
		if unicode.IsSpace(c) {
			r.space = true
			continue
		}
		if r.space && r.line.Len() > 0 && !strings.HasSuffix(r.line.String(), "\n") {
			r.line.WriteByte(' ')
		}
		r.space = false
		r.line.WriteRune(c)
	}
}

// endBlock writes out the current block, if it has text.
func (r *renderer) endBlock() {
	if r.cell > 0 {
		r.space = true
		return
	}
	text := strings.TrimSpace(r.line.String())
	r.line.Reset()
	r.space = false
	r.blocks++
	if text == "" {
		return
	}
	kind := paragraph
	switch {
	case r.heading > 0:
		text = strings.Repeat("#", r.heading) + " " + strings.Join(strings.Fields(text), " ")
	case len(r.lists) > 0:
		kind = listItem
	}
	r.block(kind, text)
}

// block writes a block of text, indented for the lists and blockquotes it is in.
func (r *renderer) block(kind blockKind, text string) {
	if r.out.Len() > 0 {
		if kind == r.last && kind != paragraph {
			r.out.WriteString("\n")
		} else {
			r.out.WriteString("\n\n")
		}
	}
	r.last = kind

	indent := ""
	if len(r.lists) > 0 {
		for _, l := range r.lists[:len(r.lists)-1] {
			indent += strings.Repeat(" ", l.width)
		}
	}
	quote := strings.Repeat("> ", r.quote)
	first, cont := indent, indent
	if len(r.lists) > 0 {
		w := r.lists[len(r.lists)-1].width
		if r.marker != "" {
			first += r.marker
			r.marker = ""
		} else {
			first += strings.Repeat(" ", w)
		}
		cont += strings.Repeat(" ", w)
	}
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			r.out.WriteByte('\n')
		}
		prefix := cont
		if i == 0 {
			prefix = first
		}
		r.out.WriteString(strings.TrimRight(quote+prefix, " ") + spaceIf(line != "", quote+prefix) + line)
	}
}

// spaceIf returns the trailing spaces of prefix when cond holds; it keeps "> " and
// indentation from leaving trailing spaces on empty lines.
func spaceIf(cond bool, prefix string) string {
	if !cond {
		return ""
	}
	return prefix[len(strings.TrimRight(prefix, " ")):]
}

// row writes a table row as "cell | cell".
func (r *renderer) row(tr *html.Node) {
	var cells []string
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.DataAtom != atom.Td && c.DataAtom != atom.Th || hasAttr(c, "hidden") {
			continue
		}
		saved := r.line.String()
		r.line.Reset()
		r.space = false
		r.cell++
		r.children(c)
		r.cell--
		cells = append(cells, strings.Join(strings.Fields(r.line.String()), " "))
		r.line.Reset()
		r.line.WriteString(saved)
	}
	if strings.TrimSpace(strings.Join(cells, "")) == "" {
		return
	}
	r.block(tableRow, strings.Join(cells, " | "))
}

// link returns the URL a link is shown with, or "" when it has none worth showing.
func (r *renderer) link(href string) string {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if u.Scheme == "" && r.base != nil {
		u = r.base.ResolveReference(u)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return ""
		}
	case "mailto", "tel":
	default:
		return ""
	}
	return u.String()
}

// preText returns the text of a <pre> element as written, <br> as a line break.
func preText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				b.WriteString(c.Data)
			case c.Type == html.ElementNode && c.DataAtom == atom.Br:
				b.WriteByte('\n')
			case c.Type == html.ElementNode && !dropAtoms[c.DataAtom] && !hasAttr(c, "hidden"):
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// unknownNames is the reason for unknown field names, with a suggestion for each that looks
// like a known one.
func unknownNames(what string, unknown, known []string) string {
	sort.Strings(unknown)
	parts := make([]string, len(unknown))
	for i, name := range unknown {
		parts[i] = fmt.Sprintf("%q", clip(name))
		if s := suggest(name, known); s != "" {
			parts[i] += fmt.Sprintf(" (did you mean %s?)", s)
		}
	}
	plural := ""
	if len(unknown) > 1 {
		plural = "s"
	}
	return fmt.Sprintf("unknown %s%s %s; known: %s", what, plural, strings.Join(parts, ", "), strings.Join(known, ", "))
}
