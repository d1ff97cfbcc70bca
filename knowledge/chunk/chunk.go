// Package chunk splits a Markdown help-center article into passages for retrieval: each
// passage small enough to embed and to quote, large enough to answer a question, and
// labelled with the headings it sits under.
//
// Headings (ATX "#" to "######" and setext underlines) bound sections; the heading path,
// rooted at the article title, becomes Chunk.Heading and the heading lines themselves are
// not repeated in Chunk.Text. Within a section, blocks are packed in order up to
// Options.MaxRunes: paragraphs by whole sentences (segment.Sentences, so Chinese, Japanese,
// Arabic and Thai sentences split correctly), list items, table rows and fenced code
// blocks whole whenever they fit. A table split across passages repeats its header row in
// each. What cannot fit is cut: a long sentence at a space (Chinese, Japanese and Thai at a
// clause comma, or else between two characters), a long code block between lines, with its
// fences repeated. Nothing is cut inside a character or between a letter and its combining
// marks.
//
// A section shorter than Options.MinRunes is merged with the next (an introduction with
// its first subsection, a row of short FAQ entries); such a passage carries the headings
// the merged sections share, and each section's remaining heading stands as a plain line
// before its text, so that "DHL: 2 days" and "UPS: 3 days" never lose their carrier. The
// last two passages of a section are rebalanced when the last is shorter than MinRunes.
//
// Split is deterministic and never fails: any input, even invalid UTF-8, gives valid
// UTF-8 passages without NUL bytes, each at most MaxRunes runes, none empty.
//
// It is not a Markdown renderer: inline markup (emphasis, links) is kept as written, and
// HTML blocks are treated as text. Importers convert HTML to Markdown before calling it.
package chunk

import (
	"strings"
	"unicode/utf8"
)

// Chunk is one passage of an article.
type Chunk struct {
	Ordinal int    // 0-based position in the article
	Heading string // path of the headings above it, rooted at the title: "Returns > EU withdrawal"
	Text    string // the passage, without the heading lines
}

// Options bound the size of the passages, counted in runes (Unicode code points).
type Options struct {
	MaxRunes int // upper bound of every Chunk.Text; 0 means 700
	MinRunes int // sections shorter than this are merged with the next; 0 means 120
}

const (
	defaultMaxRunes = 700
	defaultMinRunes = 120
)

func (o Options) withDefaults() Options {
	if o.MaxRunes <= 0 {
		o.MaxRunes = defaultMaxRunes
	}
	if o.MinRunes <= 0 {
		o.MinRunes = defaultMinRunes
	}
	if o.MinRunes > o.MaxRunes {
		o.MinRunes = o.MaxRunes
	}
	return o
}

// Split cuts a Markdown article into passages. lang is the BCP 47 tag of the article
// (it selects the sentence rules), title its title (the root of every Chunk.Heading).
func Split(lang, title, markdown string, opts Options) []Chunk {
	opts = opts.withDefaults()
	sections := parse(clean(title), clean(markdown))
	units := make([][]unit, len(sections))
	for i, s := range sections {
		units[i] = sectionUnits(lang, i, s.blocks, opts.MaxRunes)
	}
	p := packer{max: opts.MaxRunes, min: opts.MinRunes, sections: sections}
	var out []Chunk
	for i := 0; i < len(sections); {
		// A group: a section, and the sections after it while the group is short.
		var group []unit
		size := 0
		for i < len(sections) && (len(group) == 0 || size < opts.MinRunes) {
			if len(units[i]) > 0 {
				if len(group) > 0 {
					size += 2
				}
				size += unitsRunes(units[i])
				group = append(group, units[i]...)
			}
			i++
		}
		for _, c := range p.pack(group) {
			c.Ordinal = len(out)
			out = append(out, c)
		}
	}
	return out
}

// clean makes text valid UTF-8 without NUL bytes or carriage returns.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return s
}

func runes(s string) int { return utf8.RuneCountInString(s) }
