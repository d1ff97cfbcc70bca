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
	body   int    // runes of prefix, units and separators; section labels come on top
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
	if n := len(ps); n >= 2 && p.size(&ps[n-1]) < p.min {
		ps[n-2], ps[n-1] = p.balance(ps[n-2], ps[n-1])
	}
	out := make([]Chunk, 0, len(ps))
	for i := range ps {
		out = append(out, p.render(&ps[i]))
	}
	return out
}

func (p *packer) start(u unit) passage {
	c := passage{units: []unit{u}, secs: []int{u.section}, body: runes(u.text)}
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

// fits reports whether c with u added stays within max runes, labels included.
func (p *packer) fits(c *passage, u unit) bool {
	body := c.body + runes(sep(c, u)) + runes(u.text)
	if body > p.max {
		return false
	}
	secs := c.secs
	if secs[len(secs)-1] != u.section {
		secs = append(secs[:len(secs):len(secs)], u.section)
	}
	return body+p.labelRunes(secs) <= p.max
}

func (p *packer) add(c *passage, u unit) {
	c.body += runes(sep(c, u)) + runes(u.text)
	if c.secs[len(c.secs)-1] != u.section {
		c.secs = append(c.secs, u.section)
	}
	c.units = append(c.units, u)
}

func (p *packer) size(c *passage) int { return c.body + p.labelRunes(c.secs) }

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

// balance moves the boundary between two consecutive passages so that the shorter of the
// two is as long as possible: no tiny passage at the end of a section.
func (p *packer) balance(a, b passage) (passage, passage) {
	all := append(append([]unit(nil), a.units...), b.units...)
	best := min(p.size(&a), p.size(&b))
	for k := 1; k < len(all); k++ {
		l, ok := p.build(all[:k])
		if !ok {
			break // longer left parts do not fit either
		}
		r, ok := p.build(all[k:])
		if !ok {
			continue
		}
		if s := min(p.size(&l), p.size(&r)); s > best {
			a, b, best = l, r, s
		}
	}
	return a, b
}

// common returns how many leading headings the paths of secs share.
func (p *packer) common(secs []int) int {
	first := p.sections[secs[0]].path
	k := len(first)
	for _, s := range secs[1:] {
		path := p.sections[s].path
		k = min(k, len(path))
		for i := 0; i < k; i++ {
			if path[i] != first[i] {
				k = i
				break
			}
		}
	}
	return k
}

// labelRunes is the size of the heading lines a passage spanning secs needs: each
// section's headings below the shared ones, on a line of their own.
func (p *packer) labelRunes(secs []int) int {
	if len(secs) < 2 {
		return 0
	}
	k := p.common(secs)
	n := 0
	for _, s := range secs {
		if l := label(p.sections[s].path, k); l != "" {
			n += runes(l) + 1
		}
	}
	return n
}

func label(path []string, k int) string { return strings.Join(path[k:], " > ") }

func (p *packer) render(c *passage) Chunk {
	multi := len(c.secs) > 1
	path := p.sections[c.secs[0]].path
	k := len(path)
	if multi {
		k = p.common(c.secs)
	}
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
			if l := label(p.sections[u.section].path, k); l != "" {
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
	return Chunk{Heading: strings.Join(path[:k], " > "), Text: strings.TrimSpace(b.String())}
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
