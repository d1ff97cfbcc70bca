package taboo

import (
	_ "embed"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/attache-dev/attache/internal/rulefile"
	"github.com/attache-dev/attache/knowledge/segment"
)

//go:embed packs.json
var embedded []byte

// Context says where a message goes: the market (ISO 3166-1 alpha-2, any case), the
// locale it is written in (BCP 47), and when it is sent. A zero At means now; workflow
// code must pass workflow.Now so that replays screen alike. Without a market only the
// packs that name no market apply (the global and register packs).
type Context struct {
	Market string
	Locale string
	At     time.Time
}

// Hit is one rule matching one place in a message.
type Hit struct {
	RuleID      string
	Pack        string
	PackVersion string
	Category    string
	Severity    string
	Action      Action
	Start, End  int    // byte offsets of the match in the original text
	Match       string // the original text[Start:End]
}

// Verdict is the outcome of screening one message.
type Verdict struct {
	Action Action // the strongest action among the hits; ActionNone without hits
	Hits   []Hit  // in order of Start
	// Text is the message with every replace hit applied; unchanged by rewrite and block
	// hits (the model layer rewrites, a block is not sent).
	Text string
}

// Event is what an Observer receives for each hit. It carries no message text, so it
// can be logged and counted without personal data.
type Event struct {
	At          time.Time
	Market      string
	Locale      string
	RuleID      string
	Pack        string
	PackVersion string
	Category    string
	Severity    string
	Action      Action
}

// Observer receives one Event per hit, synchronously, in hit order.
type Observer func(Event)

// Screener screens messages against a fixed set of packs. It is read-only after New and
// safe for concurrent use.
type Screener struct {
	packs   []Pack
	rules   []*compiled
	observe Observer
}

type compiled struct {
	rule        *Rule
	pack        *Pack
	terms       []string
	regex       []*regexp.Regexp
	context     []string
	except      []string
	replacement map[string]string
}

// Default returns a Screener over the packs embedded in the binary (packs.json). It
// panics if the embedded file is invalid, which the package's tests rule out.
func Default() *Screener { return defaultScreener() }

var defaultScreener = rulefile.Embedded(embedded, func(rd io.Reader) (*Screener, error) {
	packs, err := Load(rd)
	if err != nil {
		return nil, err
	}
	return New(packs)
})

// New compiles packs into a Screener. Packs from Parse are valid; hand-built ones are
// checked for their regular expressions only.
func New(packs []Pack) (*Screener, error) {
	s := &Screener{packs: packs}
	for pi := range s.packs {
		p := &s.packs[pi]
		for ri := range p.Rules {
			r := &p.Rules[ri]
			c := &compiled{rule: r, pack: p, replacement: map[string]string{}}
			c.terms = flatten(r.Terms)
			for _, e := range r.Emoji {
				c.terms = append(c.terms, normalizeTerm(e))
			}
			c.context = flatten(r.Context)
			c.except = flatten(r.Except)
			for _, re := range r.Regex {
				rx, err := regexp.Compile(re)
				if err != nil {
					return nil, fmt.Errorf("taboo: rule %s: regex: %w", r.ID, err)
				}
				c.regex = append(c.regex, rx)
			}
			for lang, text := range r.Replacement {
				c.replacement[lang] = text
			}
			s.rules = append(s.rules, c)
		}
	}
	return s, nil
}

// flatten normalises and de-duplicates the terms of every language, longest first so that
// "daging babi" is reported rather than "babi" inside it.
func flatten(m map[string][]string) []string {
	var out []string
	for _, lang := range sortedKeys(m) {
		for _, t := range m[lang] {
			if n := normalizeTerm(t); n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// WithObserver returns a Screener over the same packs that reports every hit to o.
func (s *Screener) WithObserver(o Observer) *Screener {
	c := *s
	c.observe = o
	return &c
}

// Packs returns the packs the Screener uses, for listing. The slice is a copy; the packs'
// rule slices and maps are shared and must not be changed.
func (s *Screener) Packs() []Pack { return slices.Clone(s.packs) }

// Screen checks text against every rule that applies to ctx and returns the verdict.
func (s *Screener) Screen(text string, ctx Context) Verdict {
	v := Verdict{Text: text}
	if text == "" {
		return v
	}
	at := ctx.At
	if at.IsZero() {
		at = time.Now()
	}
	market := strings.ToUpper(strings.TrimSpace(ctx.Market))
	lang := segment.Language(ctx.Locale)
	var n *normText
	for _, c := range s.rules {
		if !c.applies(market, ctx.Locale, lang, at) {
			continue
		}
		if n == nil {
			nt := normalize(text)
			n = &nt
		}
		v.Hits = append(v.Hits, c.find(n, text)...)
	}
	if len(v.Hits) == 0 {
		return v
	}
	sort.SliceStable(v.Hits, func(i, j int) bool {
		a, b := v.Hits[i], v.Hits[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.End-a.Start > b.End-b.Start
	})
	v.Hits = superseded(v.Hits)
	for _, h := range v.Hits {
		v.Action = max(v.Action, h.Action)
	}
	v.Text = s.replace(text, v.Hits, lang)
	if s.observe != nil {
		for _, h := range v.Hits {
			s.observe(Event{
				At: at, Market: market, Locale: ctx.Locale,
				RuleID: h.RuleID, Pack: h.Pack, PackVersion: h.PackVersion,
				Category: h.Category, Severity: h.Severity, Action: h.Action,
			})
		}
	}
	return v
}

func (c *compiled) applies(market, locale, lang string, at time.Time) bool {
	p := c.pack
	if len(p.Markets) > 0 && !slices.Contains(p.Markets, market) {
		return false
	}
	if len(c.rule.Markets) > 0 && !slices.Contains(c.rule.Markets, market) {
		return false
	}
	if len(p.Locales) > 0 && !slices.ContainsFunc(p.Locales, func(l string) bool {
		return l == lang || strings.EqualFold(l, locale)
	}) {
		return false
	}
	if len(p.Windows) > 0 {
		y, m, d := at.Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if !slices.ContainsFunc(p.Windows, func(w Window) bool {
			return !day.Before(w.From) && !day.After(w.To)
		}) {
			return false
		}
	}
	return true
}

// find returns the rule's hits in n, in original offsets.
func (c *compiled) find(n *normText, text string) []Hit {
	type span struct{ i, j int }
	var found []span
	overlaps := func(i, j int) bool {
		return slices.ContainsFunc(found, func(s span) bool { return i < s.j && s.i < j })
	}
	for _, t := range c.terms {
		for from := 0; from < len(n.s); {
			k := strings.Index(n.s[from:], t)
			if k < 0 {
				break
			}
			i, j := from+k, from+k+len(t)
			from = i + 1
			if boundaryOK(n.s, i, j, c.rule.Prefix) && !overlaps(i, j) {
				found = append(found, span{i, j})
			}
		}
	}
	for _, rx := range c.regex {
		g := rx.SubexpIndex("hit")
		for _, m := range rx.FindAllStringSubmatchIndex(n.s, -1) {
			i, j := m[0], m[1]
			if g > 0 && m[2*g] >= 0 {
				i, j = m[2*g], m[2*g+1]
			}
			if i < j && !overlaps(i, j) {
				found = append(found, span{i, j})
			}
		}
	}
	var hits []Hit
	for _, f := range found {
		if c.excepted(n.s, f.i, f.j) || !c.inContext(n.s, f.i, f.j) {
			continue
		}
		start, end := n.span(f.i, f.j)
		hits = append(hits, Hit{
			RuleID: c.rule.ID, Pack: c.pack.ID, PackVersion: c.pack.Version,
			Category: c.rule.Category, Severity: c.rule.Severity, Action: c.rule.Action,
			Start: start, End: end, Match: text[start:end],
		})
	}
	return hits
}

// excepted reports whether [i, j) lies inside an occurrence of one of the rule's
// exception phrases.
func (c *compiled) excepted(s string, i, j int) bool {
	for _, e := range c.except {
		lo := max(0, j-len(e))
		hi := min(len(s), i+len(e))
		for from := lo; from < hi; {
			k := strings.Index(s[from:hi], e)
			if k < 0 {
				break
			}
			a, b := from+k, from+k+len(e)
			if a <= i && j <= b && boundaryOK(s, a, b, false) {
				return true
			}
			from = a + 1
		}
	}
	return false
}

// inContext reports whether the rule has no context terms or one of them occurs, as a
// prefix of a word, in the scope around [i, j).
func (c *compiled) inContext(s string, i, j int) bool {
	if len(c.context) == 0 {
		return true
	}
	lo, hi := 0, len(s)
	if c.rule.ContextScope != "message" {
		lo, hi = sentence(s, i, j)
	}
	scope := s[lo:hi]
	for _, t := range c.context {
		for from := 0; from < len(scope); {
			k := strings.Index(scope[from:], t)
			if k < 0 {
				break
			}
			if boundaryOK(scope, from+k, from+k+len(t), true) {
				return true
			}
			from += k + 1
		}
	}
	return false
}

// superseded drops the hits that lie inside the match of a replace hit that will be
// applied: the approved phrase takes the place of their text ("中华民国（台湾）" is one
// replacement, not also a rewrite for "中华民国"). hits are sorted by Start, longest first.
func superseded(hits []Hit) []Hit {
	var applied []Hit
	last := 0
	for _, h := range hits {
		if h.Action == ActionReplace && h.Start >= last {
			applied = append(applied, h)
			last = h.End
		}
	}
	if len(applied) == 0 {
		return hits
	}
	kept := hits[:0]
	for _, h := range hits {
		inside := slices.ContainsFunc(applied, func(a Hit) bool {
			return a != h && a.Start <= h.Start && h.End <= a.End
		})
		if !inside {
			kept = append(kept, h)
		}
	}
	return kept
}

// replace applies the replace hits to text, leftmost first, skipping a hit that overlaps
// one already applied. An empty replacement also drops one space next to the match, so
// that "Thanks 👍 see you" becomes "Thanks see you".
func (s *Screener) replace(text string, hits []Hit, lang string) string {
	var b strings.Builder
	last := 0
	for _, h := range hits {
		if h.Action != ActionReplace || h.Start < last {
			continue
		}
		rep := s.replacementFor(h.RuleID, lang)
		start, end := h.Start, h.End
		if rep == "" {
			switch {
			case end < len(text) && text[end] == ' ' && (start == last || start > 0 && text[start-1] == ' '):
				end++
			case start > last && text[start-1] == ' ' && (end == len(text) || text[end] != ' '):
				start--
			}
		}
		b.WriteString(text[last:start])
		b.WriteString(rep)
		last = end
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

func (s *Screener) replacementFor(ruleID, lang string) string {
	for _, c := range s.rules {
		if c.rule.ID != ruleID {
			continue
		}
		for _, k := range []string{lang, "*", "en"} {
			if r, ok := c.replacement[k]; ok {
				return r
			}
		}
	}
	return ""
}
