package pii

import "slices"

// luhn reports whether the ASCII digit string d passes the Luhn check.
func luhn(d string) bool {
	sum, dbl := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if dbl {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		dbl = !dbl
	}
	return sum%10 == 0
}

func prefixNum(d string, n int) int {
	v := 0
	for i := 0; i < n && i < len(d); i++ {
		v = v*10 + int(d[i]-'0')
	}
	return v
}

// cardBrand returns the brand whose issuer range and length d fits, or "".
func cardBrand(d string) string {
	n := len(d)
	if n < 13 || n > 19 {
		return ""
	}
	p1, p2, p3, p4, p6 := prefixNum(d, 1), prefixNum(d, 2), prefixNum(d, 3), prefixNum(d, 4), prefixNum(d, 6)
	switch {
	case p1 == 4 && (n == 13 || n == 16 || n == 19):
		return "visa"
	case (p2 >= 51 && p2 <= 55 || p4 >= 2221 && p4 <= 2720) && n == 16:
		return "mastercard"
	case (p2 == 34 || p2 == 37) && n == 15:
		return "amex"
	case p4 >= 2200 && p4 <= 2204 && n >= 16:
		return "mir"
	case (p4 == 6011 || p3 >= 644 && p3 <= 649 || p2 == 65 || p6 >= 622126 && p6 <= 622925) && n >= 16:
		return "discover"
	case p2 == 62 && n >= 16:
		return "unionpay"
	case p4 >= 3528 && p4 <= 3589 && n >= 16:
		return "jcb"
	case (p3 >= 300 && p3 <= 305 || p2 == 36 || p2 == 38 || p2 == 39) && n >= 14 && n <= 19:
		return "diners"
	case p2 == 50 || p2 >= 56 && p2 <= 58 || p1 == 6:
		return "maestro"
	}
	return ""
}

// CardScheme reports the brand of a card number written as digits with
// optional separators in the usual groupings (spaces, dashes or dots, one to
// three of them, the same between every pair of groups), and whether it is a
// plausible card number (issuer range, length and Luhn check).
func CardScheme(s string) (string, bool) {
	t := normalize(s)
	gs := digitGroups(t, 0, len(t.r))
	if len(gs) == 0 || gs[0].start != 0 || gs[len(gs)-1].end != len(t.r) {
		return "", false
	}
	d, _, ok := cardDigits(t, gs)
	if !ok {
		return "", false
	}
	b := cardBrand(d)
	return b, b != "" && luhn(d)
}

// cardDigits joins the groups if they are laid out like a card number: one
// run of digits; groups of 4 to 6 digits (the last 1 to 6) joined by the same
// separator run (one to three spaces, dashes or dots: "4111 1111", "4111.1111",
// "4111  1111"); or lines of 4 to 12 digits each (a customer pasting
// "42259115\n74773668"), laid out within a line as above.
// The caller still requires the issuer range, length and Luhn check, which
// is what keeps dates, prices, IPs and version numbers out: their groups are
// too short or their separators mixed. split reports a number over more than
// one line.
func cardDigits(t ntext, gs []group) (d string, split, ok bool) {
	var sep []rune
	for i := 1; i < len(gs); i++ {
		run := t.r[gs[i-1].end:gs[i].start]
		if slices.Contains(run, '\n') {
			if !lineBreak(run) {
				return "", false, false
			}
			split = true
			continue
		}
		if !cardSep(run) || sep != nil && !slices.Equal(run, sep) {
			return "", false, false
		}
		sep = run
	}
	buf := make([]byte, 0, 19)
	for i, g := range gs {
		l := g.end - g.start
		switch {
		case len(gs) == 1:
		case split:
			if l < 4 || l > 12 {
				return "", false, false
			}
		case i < len(gs)-1 && (l < 4 || l > 6) || l > 6:
			return "", false, false
		}
		if len(buf)+l > 19 {
			return "", false, false
		}
		for j := g.start; j < g.end; j++ {
			buf = append(buf, byte(t.r[j]))
		}
	}
	return string(buf), split, true
}

// cardSep reports whether run may join two groups of a card number on one
// line: spaces, dashes or dots (not '/', which joins dates and expiries).
func cardSep(run []rune) bool {
	for _, r := range run {
		if r != ' ' && r != '-' && r != '.' {
			return false
		}
	}
	return len(run) > 0
}

// lineBreak reports whether run is one line break, with optional spaces and
// carriage return around it.
func lineBreak(run []rune) bool {
	nl := 0
	for _, r := range run {
		switch r {
		case '\n':
			nl++
		case ' ', '\r':
		default:
			return false
		}
	}
	return nl == 1
}

// group is a run of digits [start, end) in rune indices.
type group struct{ start, end int }

// maxSepRun bounds the separator characters between two digit groups of
// one chunk ("4111  1111", "4111 - 1111", "1234\r\n5678").
const maxSepRun = 3

// sepRunEnd returns the index of the digit that follows the separator run
// starting at k (before to), or -1 if there is none. A run is a single '/'
// (dates, CNPJ) or one to maxSepRun of ' ', '-', '.', '\r' and at most one
// '\n'.
func sepRunEnd(t ntext, k, to int) int {
	if k < to && t.r[k] == '/' {
		if k+1 < to && isDigit(t.r[k+1]) {
			return k + 1
		}
		return -1
	}
	e, nl := k, 0
	for e < to && e-k < maxSepRun {
		r := t.r[e]
		if r == '\n' {
			nl++
		} else if r != ' ' && r != '-' && r != '.' && r != '\r' {
			break
		}
		e++
	}
	if e == k || nl > 1 || e >= to || !isDigit(t.r[e]) {
		return -1
	}
	return e
}

// digitGroups splits t.r[from:to] into digit runs separated by separator
// runs (see sepRunEnd); it returns nil if anything else is in between.
func digitGroups(t ntext, from, to int) []group {
	var gs []group
	i := from
	for i < to {
		if !isDigit(t.r[i]) {
			return nil
		}
		j := i
		for j < to && isDigit(t.r[j]) {
			j++
		}
		gs = append(gs, group{i, j})
		if j == to {
			break
		}
		if i = sepRunEnd(t, j, to); i < 0 {
			return nil
		}
	}
	return gs
}
