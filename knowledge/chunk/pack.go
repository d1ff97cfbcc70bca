package chunk

import "strings"

// packer fills passages with units, in order, up to max runes.
type packer struct {
	max, min int
	sections []section
}

// passage is a chunk being built.
type passage struct {
	units  []unit
	prefix string // table header repeated before the first unit, when it starts mid-table
	secs   []int  // the sections its units come from, in order
	body   int    // runes of prefix, units and separators
	common int    // leading headings all its sections share: its Heading
	labels int    // runes of the label lines (a section's other headings), with several sections
}

// pack turns the units of a group of consecutive sections into chunks (Ordinal unset).
func (p *packer) pack(group []unit) []Chunk {
	var ps []passage
	for _, u := range group {
		if n := len(ps); n > 0 && p.fits(&ps[n-1], u) {
			p.add(&ps[n-1], u)
			continue
		}
		ps = append(ps, p.start(u))
	}
	if n := len(ps); n >= 2 && ps[n-1].size() < p.min {
		ps[n-2], ps[n-1] = p.balance(ps[n-2], ps[n-1])
	}
	out := make([]Chunk, 0, len(ps))
	for i := range ps {
		out = append(out, p.render(&ps[i]))
	}
	return out
}

func (c *passage) size() int { return c.body + c.labels }

func (p *packer) start(u unit) passage {
	c := passage{
		units: []unit{u}, secs: []int{u.section}, body: runes(u.text),
		common: len(p.sections[u.section].path),
	}
	if u.header != "" && runes(u.header)+1+c.body <= p.max {
		c.prefix = u.header
		c.body += runes(u.header) + 1
	}
	return c
}

// sep is what separates u from the last unit of c: its own separator within a section, a
// blank line between sections.
func sep(c *passage, u unit) string {
	if c.units[len(c.units)-1].section == u.section {
		return u.sep
	}
	return "\n\n"
}

// withSection returns the common headings and the label size c would have with section s
// added after its last one.
func (p *packer) withSection(c *passage, s int) (common, labels int) {
	k := min(c.common, sharedPrefix(p.sections[c.secs[0]].path, p.sections[s].path))
	if len(c.secs) > 1 && k == c.common {
		return k, c.labels + p.labelRunes(s, k)
	}
	// The shared headings shrank (or this is the second section): every label changes.
	// That happens at most once per heading level in a passage's life.
	for _, x := range c.secs {
		labels += p.labelRunes(x, k)
	}
	return k, labels + p.labelRunes(s, k)
}

// fits reports whether c with u added stays within max runes, labels included.
func (p *packer) fits(c *passage, u unit) bool {
	body := c.body + runes(sep(c, u)) + runes(u.text)
	if body > p.max {
		return false
	}
	labels := c.labels
	if c.secs[len(c.secs)-1] != u.section {
		_, labels = p.withSection(c, u.section)
	}
	return body+labels <= p.max
}

func (p *packer) add(c *passage, u unit) {
	c.body += runes(sep(c, u)) + runes(u.text)
	if c.secs[len(c.secs)-1] != u.section {
		c.common, c.labels = p.withSection(c, u.section)
		c.secs = append(c.secs, u.section)
	}
	c.units = append(c.units, u)
}

// build packs units into one passage, or reports that they do not fit.
func (p *packer) build(units []unit) (passage, bool) {
	c := p.start(units[0])
	for _, u := range units[1:] {
		if !p.fits(&c, u) {
			return passage{}, false
		}
		p.add(&c, u)
	}
	return c, true
}

// balance moves units from the end of a to the start of b while that makes the shorter
// of the two longer: no tiny passage at the end of a section. It moves at most
// maxMoved units, which bounds its cost on pathological input (thousands of one-word
// sentences) and is far more than real sentences need.
func (p *packer) balance(a, b passage) (passage, passage) {
	const maxMoved = 64
	all := append(append([]unit(nil), a.units...), b.units...)
	// left[k] is the size of a passage of the first k units; a fits, so do they.
	left := make([]int, len(a.units)+1)
	c := p.start(all[0])
	left[1] = c.size()
	for i := 1; i < len(a.units); i++ {
		p.add(&c, all[i])
		left[i+1] = c.size()
	}
	split, best := len(a.units), min(a.size(), b.size())
	for k := len(a.units) - 1; k >= 1 && len(a.units)-k <= maxMoved; k-- {
		r, ok := p.build(all[k:])
		if !ok {
			break // b is full
		}
		s := min(left[k], r.size())
		if s <= best {
			break // past the balance point
		}
		split, best = k, s
	}
	if split == len(a.units) {
		return a, b
	}
	l, _ := p.build(all[:split])
	r, _ := p.build(all[split:])
	return l, r
}

// sharedPrefix returns how many leading headings two paths share.
func sharedPrefix(a, b []string) int {
	k := 0
	for k < len(a) && k < len(b) && a[k] == b[k] {
		k++
	}
	return k
}

// labelRunes is the size of section s's label line below k shared headings: its other
// headings joined with " > ", and the line break; 0 when it has none.
func (p *packer) labelRunes(s, k int) int {
	path := p.sections[s].path
	if len(path) <= k {
		return 0
	}
	n := 3*(len(path)-k-1) + 1
	for _, h := range path[k:] {
		n += runes(h)
	}
	return n
}

func label(path []string, k int) string { return strings.Join(path[k:], " > ") }

func (p *packer) render(c *passage) Chunk {
	multi := len(c.secs) > 1
	var b strings.Builder
	for i, u := range c.units {
		newSection := i == 0 || c.units[i-1].section != u.section
		if i > 0 {
			if newSection {
				b.WriteString("\n\n")
			} else {
				b.WriteString(u.sep)
			}
		}
		if multi && newSection {
			if l := label(p.sections[u.section].path, c.common); l != "" {
				b.WriteString(l)
				b.WriteByte('\n')
			}
		}
		if i == 0 && c.prefix != "" {
			b.WriteString(c.prefix)
			b.WriteByte('\n')
		}
		b.WriteString(u.text)
	}
	path := p.sections[c.secs[0]].path
	return Chunk{Heading: strings.Join(path[:c.common], " > "), Text: strings.TrimSpace(b.String())}
}

// unitsRunes is the size of a section's units packed together, ignoring the bound.
func unitsRunes(us []unit) int {
	n := 0
	for i, u := range us {
		if i > 0 {
			n += runes(u.sep)
		}
		n += runes(u.text)
	}
	return n
}
