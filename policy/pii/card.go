package pii

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
// optional single spaces or dashes in the usual groupings, and whether it is
// a plausible card number (issuer range, length and Luhn check).
func CardScheme(s string) (string, bool) {
	t := normalize(s)
	gs := digitGroups(t, 0, len(t.r))
	if len(gs) == 0 || gs[0].start != 0 || gs[len(gs)-1].end != len(t.r) {
		return "", false
	}
	d, ok := cardDigits(t, gs)
	if !ok {
		return "", false
	}
	b := cardBrand(d)
	return b, b != "" && luhn(d)
}

// cardDigits joins the groups if they are laid out like a card number: one
// run of digits, or groups of 4 to 6 digits (the last 1 to 6) joined by the
// same single separator, space or dash.
func cardDigits(t ntext, gs []group) (string, bool) {
	var sep rune
	buf := make([]byte, 0, 19)
	for i, g := range gs {
		l := g.end - g.start
		if len(gs) > 1 {
			if i < len(gs)-1 && (l < 4 || l > 6) || l > 6 {
				return "", false
			}
			if i > 0 {
				s := t.r[g.start-1]
				if s != ' ' && s != '-' || sep != 0 && s != sep {
					return "", false
				}
				sep = s
			}
		}
		for j := g.start; j < g.end; j++ {
			buf = append(buf, byte(t.r[j]))
		}
		if len(buf) > 19 {
			return "", false
		}
	}
	return string(buf), true
}

// group is a run of digits [start, end) in rune indices.
type group struct{ start, end int }

// digitGroups splits t.r[from:to] into digit runs separated by exactly one
// of ' ', '-', '.', '/'; it returns nil if anything else is in between.
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
		if !isSep(t.r[j]) || j+1 >= to {
			return nil
		}
		i = j + 1
	}
	return gs
}

func isSep(r rune) bool { return r == ' ' || r == '-' || r == '.' || r == '/' }
