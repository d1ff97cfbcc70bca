package screen

import (
	"regexp"
	"regexp/syntax"
	"slices"
)

// Go's regexp runs large alternations as an NFA at every position, which
// costs tens of microseconds per rule on a short message. Most rules need
// one of a few literal words to match at all, so the words are extracted
// from each compiled pattern and a single Aho–Corasick pass over the text
// decides which rules are worth running. The filter never changes a result:
// a rule is skipped only when none of the literals it requires is present.

// requiredLiterals returns a set of strings one of which occurs in every
// match of re, or nil when no such useful set is known.
func requiredLiterals(re *regexp.Regexp) []string {
	t, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	set := required(t.Simplify())
	if len(set) == 0 || len(set) > 400 {
		return nil
	}
	for _, s := range set {
		// A one-byte literal filters well only when it is rare: "_", "=", "<".
		if len(s) == 0 || len(s) == 1 && (s[0] == ' ' || s[0] >= 'a' && s[0] <= 'z' || s[0] >= '0' && s[0] <= '9') {
			return nil
		}
	}
	return set
}

func required(t *syntax.Regexp) []string {
	switch t.Op {
	case syntax.OpLiteral:
		if t.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return []string{string(t.Rune)}
	case syntax.OpCharClass:
		// a small class is a set of one-character literals
		var set []string
		for i := 0; i+1 < len(t.Rune); i += 2 {
			if t.Rune[i+1]-t.Rune[i] > 10 || len(set) > 10 {
				return nil
			}
			for r := t.Rune[i]; r <= t.Rune[i+1]; r++ {
				set = append(set, string(r))
			}
		}
		return set
	case syntax.OpCapture, syntax.OpPlus:
		return required(t.Sub[0])
	case syntax.OpRepeat:
		if t.Min >= 1 {
			return required(t.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		var best []string
		for _, s := range t.Sub {
			if set := required(s); set != nil && better(set, best) {
				best = set
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, s := range t.Sub {
			set := required(s)
			if set == nil {
				return nil
			}
			all = append(all, set...)
		}
		slices.Sort(all)
		return slices.Compact(all)
	}
	return nil
}

// better prefers the set whose shortest literal is longer, then the smaller set.
func better(a, b []string) bool {
	if b == nil {
		return true
	}
	ma, mb := minLen(a), minLen(b)
	if ma != mb {
		return ma > mb
	}
	return len(a) < len(b)
}

func minLen(set []string) int {
	m := 1 << 30
	for _, s := range set {
		m = min(m, len(s))
	}
	return min(m, 8)
}

// gate is one branch of a rule's expression and the literal IDs that let
// it run.
type gate struct {
	re     *regexp.Regexp
	always bool
	lits   []int
}

// branches splits an expression whose top is an alternation (possibly
// between a shared prefix and suffix, as the parser factors them) into one
// expression per branch, so each is gated by its own literals and the NFA
// of each stays small. Matching any branch is matching the whole.
func branches(re *regexp.Regexp) []*regexp.Regexp {
	t, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return []*regexp.Regexp{re}
	}
	var pre, post []*syntax.Regexp
	alt := t
	if t.Op == syntax.OpConcat {
		k := -1
		for i, s := range t.Sub {
			if s.Op == syntax.OpAlternate {
				if k >= 0 {
					return []*regexp.Regexp{re}
				}
				k = i
			}
		}
		if k < 0 {
			return []*regexp.Regexp{re}
		}
		pre, alt, post = t.Sub[:k], t.Sub[k], t.Sub[k+1:]
	}
	if alt.Op != syntax.OpAlternate {
		return []*regexp.Regexp{re}
	}
	var out []*regexp.Regexp
	for _, b := range alt.Sub {
		c := &syntax.Regexp{Op: syntax.OpConcat, Flags: t.Flags}
		c.Sub = append(append(append(c.Sub, pre...), b), post...)
		r, err := regexp.Compile(c.String())
		if err != nil {
			return []*regexp.Regexp{re}
		}
		out = append(out, r)
	}
	return out
}

// acMatcher is an Aho–Corasick automaton over byte strings, compiled to
// a DFA over byte classes (bytes that occur in no literal share class 0).
type acMatcher struct {
	class  [256]uint8
	nclass int
	delta  []int32 // state*nclass + class -> state
	out    [][]int // literal IDs ending at each state
}

func newAC(words []string) *acMatcher {
	m := &acMatcher{nclass: 1}
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			if m.class[w[i]] == 0 {
				m.class[w[i]] = uint8(m.nclass)
				m.nclass++
			}
		}
	}
	// trie
	next := []map[uint8]int32{{}}
	out := [][]int{nil}
	for id, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := m.class[w[i]]
			n, ok := next[s][c]
			if !ok {
				n = int32(len(next))
				next = append(next, map[uint8]int32{})
				out = append(out, nil)
				next[s][c] = n
			}
			s = n
		}
		out[s] = append(out[s], id)
	}
	// breadth-first: failure links folded into a full transition table
	nc := m.nclass
	m.delta = make([]int32, len(next)*nc)
	fail := make([]int32, len(next))
	queue := []int32{}
	for c := 0; c < nc; c++ {
		if n, ok := next[0][uint8(c)]; ok {
			m.delta[c] = n
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		out[s] = append(out[s], out[fail[s]]...)
		for c := 0; c < nc; c++ {
			if n, ok := next[s][uint8(c)]; ok {
				fail[n] = m.delta[int(fail[s])*nc+c]
				m.delta[int(s)*nc+c] = n
				queue = append(queue, n)
			} else {
				m.delta[int(s)*nc+c] = m.delta[int(fail[s])*nc+c]
			}
		}
	}
	m.out = out
	return m
}

// scan marks in found every literal that occurs in s.
func (m *acMatcher) scan(s string, found []bool) {
	st := int32(0)
	nc := int32(m.nclass)
	for i := 0; i < len(s); i++ {
		st = m.delta[st*nc+int32(m.class[s[i]])]
		for _, id := range m.out[st] {
			found[id] = true
		}
	}
}

// ruleSet is a list of expressions, split into gated branches sharing
// one automaton.
type ruleSet struct {
	gates [][]gate // per expression, its branches
	ac    *acMatcher
	nlits int
}

func newRuleSet(res []*regexp.Regexp) *ruleSet {
	rs := &ruleSet{}
	ids := map[string]int{}
	var words []string
	for _, re := range res {
		var gs []gate
		for _, br := range branches(re) {
			g := gate{re: br}
			lits := requiredLiterals(br)
			if lits == nil {
				g.always = true
			}
			for _, l := range lits {
				id, ok := ids[l]
				if !ok {
					id = len(words)
					ids[l] = id
					words = append(words, l)
				}
				g.lits = append(g.lits, id)
			}
			gs = append(gs, g)
		}
		rs.gates = append(rs.gates, gs)
	}
	rs.ac = newAC(words)
	rs.nlits = len(words)
	return rs
}

// scanned is a text with the literals found in it.
type scanned struct {
	rs    *ruleSet
	s     string
	found []bool
}

func (rs *ruleSet) scan(s string) *scanned {
	sc := &scanned{rs: rs, s: s, found: make([]bool, rs.nlits)}
	rs.ac.scan(s, sc.found)
	return sc
}

func (sc *scanned) on(g gate) bool {
	if g.always {
		return true
	}
	for _, id := range g.lits {
		if sc.found[id] {
			return true
		}
	}
	return false
}

// findAll returns up to n matches of expression i, ordered by start.
func (sc *scanned) findAll(i, n int) [][]int {
	var out [][]int
	for _, g := range sc.rs.gates[i] {
		if sc.on(g) {
			out = append(out, g.re.FindAllStringIndex(sc.s, n)...)
		}
	}
	slices.SortStableFunc(out, func(a, b []int) int { return a[0] - b[0] })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// find returns the leftmost match of expression i, or nil.
func (sc *scanned) find(i int) []int {
	var best []int
	for _, g := range sc.rs.gates[i] {
		if !sc.on(g) {
			continue
		}
		if m := g.re.FindStringIndex(sc.s); m != nil && (best == nil || m[0] < best[0]) {
			best = m
		}
	}
	return best
}
