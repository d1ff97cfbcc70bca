package pii

import (
	"slices"
	"strings"
	"unicode"
)

// maxGroups bounds how many digit groups one candidate may span, which keeps
// the scan linear.
const maxGroups = 8

// findNumeric scans chunks of digit groups (digits joined by short
// separator runs, see sepRunEnd) and reports card numbers and numeric
// national IDs found in any contiguous range of groups.
func findNumeric(t ntext, opts Options, c *collector) {
	n := len(t.r)
	var kw keywords
	i := 0
	for i < n {
		if !isDigit(t.r[i]) || wordy(t.at(i-1)) {
			i++
			continue
		}
		// Collect the chunk of groups starting at i.
		var gs []group
		j := i
		for {
			k := j
			for k < n && isDigit(t.r[k]) {
				k++
			}
			gs = append(gs, group{j, k})
			if e := sepRunEnd(t, k, n); e >= 0 {
				j = e
				continue
			}
			j = k
			break
		}
		// A chunk glued to a Latin word or digit on the right is a code, except
		// for the CN resident ID whose check character may be X. Only the line
		// the code is on is dropped: the lines above it stand on their own.
		tailX := (t.at(j) == 'X' || t.at(j) == 'x') && !wordy(t.at(j+1))
		if wordy(t.at(j)) && !tailX {
			gs = gs[:lastLine(t, gs)]
		}
		if len(gs) > 0 {
			scanChunk(t, gs, opts, c, &kw, tailX)
		}
		i = j
		for i < n && isDigit(t.r[i]) {
			i++
		}
	}
}

// lastLine returns the index of the first group on the last line of gs.
func lastLine(t ntext, gs []group) int {
	for k := len(gs) - 1; k > 0; k-- {
		if slices.Contains(t.r[gs[k-1].end:gs[k].start], '\n') {
			return k
		}
	}
	return 0
}

// runBefore returns the separator run between gs[k-1] and gs[k].
func runBefore(t ntext, gs []group, k int) []rune { return t.r[gs[k-1].end:gs[k].start] }

// open reports whether a separator run separates words (it holds a space or
// a line break) rather than gluing one number ("12.05", "4711-0815").
func open(run []rune) bool { return slices.Contains(run, ' ') || slices.Contains(run, '\n') }

func scanChunk(t ntext, gs []group, opts Options, c *collector, kw *keywords, tailX bool) {
	last := len(gs) - 1
	for a := range gs {
		// A range must not start inside a run glued by '.', '/' or '-', which
		// are decimal, date or reference separators.
		if a > 0 && !open(runBefore(t, gs, a)) {
			continue
		}
		aloneLeft := a == 0 || slices.Contains(runBefore(t, gs, a), '\n')
		digits := 0
		for b := a; b < len(gs) && b < a+maxGroups; b++ {
			digits += gs[b].end - gs[b].start
			if digits > 19 {
				break
			}
			idEnd, cardEnd, aloneRight := true, true, true
			if b < last {
				run := runBefore(t, gs, b+1)
				idEnd = open(run)
				// A card may be followed by "/0328" or "-123" (expiry, CVV).
				cardEnd = idEnd || run[0] == '/' || run[0] == '-'
				aloneRight = slices.Contains(run, '\n')
			}
			sub := gs[a : b+1]
			if cardEnd && digits >= 13 && opts.wants(KindCard) {
				// Lines of digits under an order or reference label are a list
				// of those ("Bestellungen:\n40123456\n40123457").
				if d, split, ok := cardDigits(t, sub); ok && !(split && a == 0 && labelled(t, sub[0].start)) {
					if br := cardBrand(d); br != "" && luhn(d) {
						c.add(sub[0].start, sub[len(sub)-1].end, KindCard, br, prioCard)
					}
				}
			}
			if idEnd && digits >= 9 && opts.wants(KindNationalID) {
				numericID(t, sub, opts, c, kw, tailX && b == last, aloneLeft && aloneRight)
			}
		}
	}
}

// labelled reports whether one of the two words just before rune index
// start, followed by nothing but spaces, line breaks and ':', '#', '.' or '-',
// is an order or reference word (orderWords, labelWords). A word counts only
// as a whole token, preceded by a space or the start of the text, so that the
// end of an e-mail address or a placeholder never does.
func labelled(t ntext, start int) bool {
	p := start
	for range 2 {
		for p > 0 && strings.ContainsRune(" \t\r\n:#.-", t.r[p-1]) {
			p--
		}
		end := p
		for p > 0 && (unicode.IsLetter(t.r[p-1]) || unicode.IsMark(t.r[p-1])) {
			p--
		}
		if p == end || p > 0 && !unicode.IsSpace(t.r[p-1]) {
			return false
		}
		w := strings.ToLower(string(t.r[p:end]))
		for _, list := range [][]string{orderWords, labelWords} {
			for _, k := range list {
				if w == k || len(k) >= 4 && strings.HasPrefix(w, k) {
					return true
				}
			}
		}
	}
	return false
}

// layout renders groups as a format string: 'd' per digit, separators kept.
func layout(t ntext, gs []group) (lay, digits string) {
	var l, d strings.Builder
	for i, g := range gs {
		if i > 0 {
			for _, r := range runBefore(t, gs, i) {
				l.WriteRune(r)
			}
		}
		for k := g.start; k < g.end; k++ {
			l.WriteByte('d')
			d.WriteByte(byte(t.r[k]))
		}
	}
	return l.String(), d.String()
}

// keywords answers, once per text, whether the text names a scheme (see
// numScheme.words).
type keywords struct {
	lower string
	done  bool
}

func (k *keywords) has(t ntext, words []string) bool {
	if !k.done {
		k.lower, k.done = strings.ToLower(string(t.r)), true
	}
	for _, w := range words {
		if strings.Contains(k.lower, w) {
			return true
		}
	}
	return false
}

// numScheme is a numeric national-ID scheme.
type numScheme struct {
	name    string
	region  string
	layouts []string // layouts accepted in every region (unless words is set)
	gated   []string // layouts only accepted when region is in Options.Regions
	// words, when set, gate the layouts too: they are accepted when region is
	// in Options.Regions or the text names the scheme in one of these
	// (lower-case) words. For schemes whose check catches too little of what
	// customers write in other markets: a Verhoeff digit passes one in ten
	// "4111 2222 3333 4444"-like sub-runs.
	words []string
	// alone requires the number to be a whole group sequence, not a few
	// groups out of a longer one (a voucher code, an NF-e access key).
	alone bool
	valid func(d string) bool
}

var numSchemes = []numScheme{
	{name: "BR-CPF", region: "BR", layouts: []string{"ddd.ddd.ddd-dd"}, gated: []string{"ddddddddddd"}, valid: validCPF},
	{name: "BR-CNPJ", region: "BR", layouts: []string{"dd.ddd.ddd/dddd-dd", "dddddddddddddd"}, valid: validCNPJ},
	{name: "SA-NID", region: "SA", gated: []string{"dddddddddd"}, valid: validSANID},
	{name: "AE-EID", region: "AE", layouts: []string{"ddd-dddd-ddddddd-d", "ddddddddddddddd"}, valid: validEID},
	{name: "TH-NID", region: "TH", layouts: []string{"d-dddd-ddddd-dd-d", "d dddd ddddd dd d"}, gated: []string{"ddddddddddddd"}, valid: validTHID},
	{name: "ID-NIK", region: "ID", gated: []string{"dddddddddddddddd"}, valid: validNIK},
	{name: "MY-NRIC", region: "MY", layouts: []string{"dddddd-dd-dddd"}, gated: []string{"dddddddddddd"}, valid: validMyKad},
	{name: "IN-AADHAAR", region: "IN", layouts: []string{"dddd dddd dddd", "dddd-dddd-dddd"}, gated: []string{"dddddddddddd"},
		words: []string{"aadhaar", "aadhar", "आधार"}, alone: true, valid: validAadhaar},
	{name: "US-SSN", region: "US", layouts: []string{"ddd-dd-dddd"}, gated: []string{"ddd dd dddd"}, valid: validSSN},
	{name: "NL-BSN", region: "NL", layouts: []string{"dddd.dd.ddd"}, gated: []string{"ddddddddd"}, valid: validBSN},
	{name: "SE-PIN", region: "SE", layouts: []string{"dddddd-dddd", "dddddddd-dddd"}, gated: []string{"dddddddddd", "dddddddddddd"}, valid: validSEPIN},
	{name: "CN-RIC", region: "CN", layouts: []string{"dddddddddddddddddd"}, valid: validCNRIC},
}

// numericID reports the numeric national IDs that the groups gs spell.
// alone says that gs is not part of a longer sequence of groups.
func numericID(t ntext, gs []group, opts Options, c *collector, kw *keywords, tailX, alone bool) {
	lay, d := layout(t, gs)
	start, end := gs[0].start, gs[len(gs)-1].end
	if tailX {
		if len(d) == 17 && validCNRIC(d+"X") {
			c.add(start, end+1, KindNationalID, "CN-RIC", prioID)
		}
		return
	}
	for _, s := range numSchemes {
		if s.alone && !alone {
			continue
		}
		prio := 0
		if s.layouts != nil && slices.Contains(s.layouts, lay) {
			if s.words == nil || opts.inRegion(s.region) || kw.has(t, s.words) {
				prio = prioID
			}
		}
		if prio == 0 && s.gated != nil && slices.Contains(s.gated, lay) && opts.inRegion(s.region) {
			prio = prioWeakID
		}
		if prio != 0 && s.valid(d) {
			c.add(start, end, KindNationalID, s.name, prio)
		}
	}
}
