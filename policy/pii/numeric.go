package pii

import "strings"

// maxGroups bounds how many digit groups one candidate may span, which keeps
// the scan linear.
const maxGroups = 8

// findNumeric scans runs of digit groups (digits joined by single
// separators) and reports card numbers and numeric national IDs found in any
// contiguous range of groups.
func findNumeric(t ntext, opts Options, c *collector) {
	n := len(t.r)
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
			if k+1 < n && isSep(t.r[k]) && isDigit(t.r[k+1]) {
				j = k + 1
				continue
			}
			j = k
			break
		}
		// A chunk glued to a Latin word or digit on the right is a code, except
		// for the CN resident ID whose check character may be X.
		tailX := (t.at(j) == 'X' || t.at(j) == 'x') && !wordy(t.at(j+1))
		if !wordy(t.at(j)) || tailX {
			scanChunk(t, gs, opts, c, tailX)
		}
		i = j
		for i < n && isDigit(t.r[i]) {
			i++
		}
	}
}

func scanChunk(t ntext, gs []group, opts Options, c *collector, tailX bool) {
	last := len(gs) - 1
	for a := range gs {
		if a > 0 {
			// A range must not start inside a run glued by '.' or '/', which are
			// decimal or date separators.
			if s := t.r[gs[a].start-1]; s != ' ' {
				continue
			}
		}
		digits := 0
		for b := a; b < len(gs) && b < a+maxGroups; b++ {
			digits += gs[b].end - gs[b].start
			if digits > 19 {
				break
			}
			if b < last {
				if s := t.r[gs[b].end]; s != ' ' {
					continue
				}
			}
			sub := gs[a : b+1]
			if digits >= 13 && opts.wants(KindCard) {
				if d, ok := cardDigits(t, sub); ok {
					if br := cardBrand(d); br != "" && luhn(d) {
						c.add(sub[0].start, sub[len(sub)-1].end, KindCard, br, prioCard)
					}
				}
			}
			if digits >= 9 && opts.wants(KindNationalID) {
				numericID(t, sub, opts, c, tailX && b == last)
			}
		}
	}
}

// layout renders groups as a format string: 'd' per digit, separators kept.
func layout(t ntext, gs []group) (lay, digits string) {
	var l, d strings.Builder
	for i, g := range gs {
		if i > 0 {
			l.WriteRune(t.r[g.start-1])
		}
		for k := g.start; k < g.end; k++ {
			l.WriteByte('d')
			d.WriteByte(byte(t.r[k]))
		}
	}
	return l.String(), d.String()
}

// numeric national-ID schemes.
type numScheme struct {
	name    string
	region  string
	layouts []string // accepted layouts
	gated   []string // layouts only accepted when region is in Options.Regions
	valid   func(d string) bool
}

var numSchemes = []numScheme{
	{"BR-CPF", "BR", []string{"ddd.ddd.ddd-dd"}, []string{"ddddddddddd"}, validCPF},
	{"BR-CNPJ", "BR", []string{"dd.ddd.ddd/dddd-dd", "dddddddddddddd"}, nil, validCNPJ},
	{"SA-NID", "SA", nil, []string{"dddddddddd"}, validSANID},
	{"AE-EID", "AE", []string{"ddd-dddd-ddddddd-d", "ddddddddddddddd"}, nil, validEID},
	{"TH-NID", "TH", []string{"d-dddd-ddddd-dd-d", "d dddd ddddd dd d"}, []string{"ddddddddddddd"}, validTHID},
	{"ID-NIK", "ID", nil, []string{"dddddddddddddddd"}, validNIK},
	{"MY-NRIC", "MY", []string{"dddddd-dd-dddd"}, []string{"dddddddddddd"}, validMyKad},
	{"IN-AADHAAR", "IN", []string{"dddd dddd dddd", "dddd-dddd-dddd"}, []string{"dddddddddddd"}, validAadhaar},
	{"US-SSN", "US", []string{"ddd-dd-dddd"}, []string{"ddd dd dddd"}, validSSN},
	{"NL-BSN", "NL", []string{"dddd.dd.ddd"}, []string{"ddddddddd"}, validBSN},
	{"SE-PIN", "SE", []string{"dddddd-dddd", "dddddddd-dddd"}, []string{"dddddddddd", "dddddddddddd"}, validSEPIN},
	{"CN-RIC", "CN", []string{"dddddddddddddddddd"}, nil, validCNRIC},
}

func numericID(t ntext, gs []group, opts Options, c *collector, tailX bool) {
	lay, d := layout(t, gs)
	start, end := gs[0].start, gs[len(gs)-1].end
	if tailX {
		if len(d) == 17 && validCNRIC(d+"X") {
			c.add(start, end+1, KindNationalID, "CN-RIC", prioID)
		}
		return
	}
	for _, s := range numSchemes {
		prio := 0
		for _, l := range s.layouts {
			if l == lay {
				prio = prioID
			}
		}
		if prio == 0 && opts.inRegion(s.region) {
			for _, l := range s.gated {
				if l == lay {
					prio = prioWeakID
				}
			}
		}
		if prio != 0 && s.valid(d) {
			c.add(start, end, KindNationalID, s.name, prio)
		}
	}
}
