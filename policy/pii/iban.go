package pii

// ibanLengths is the IBAN length per country from the SWIFT IBAN registry.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
	"BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
	"DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
	"FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
	"GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
	"JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
	"LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
	"MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28,
	"PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
	"SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

func upper(r rune) rune {
	if r >= 'a' && r <= 'z' {
		return r - 32
	}
	return r
}

// ibanMod97 reports whether the upper-case alphanumeric IBAN s passes the
// ISO 13616 mod-97 check.
func ibanMod97(s []byte) bool {
	rem := 0
	for i := range s {
		c := s[(i+4)%len(s)]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// ValidIBAN reports whether s is one IBAN, with or without single spaces,
// in any letter case: known country, its length and the mod-97 check.
func ValidIBAN(s string) bool {
	t := normalize(s)
	end, ok := matchIBAN(t, 0)
	return ok && end == len(t.r)
}

// matchIBAN tries an IBAN starting at rune i and returns its end.
func matchIBAN(t ntext, i int) (int, bool) {
	if i+4 > len(t.r) || !isASCIILetter(t.r[i]) || !isASCIILetter(t.r[i+1]) || !isDigit(t.r[i+2]) || !isDigit(t.r[i+3]) {
		return 0, false
	}
	cc := string([]rune{upper(t.r[i]), upper(t.r[i+1])})
	want, ok := ibanLengths[cc]
	if !ok {
		return 0, false
	}
	buf := make([]byte, 0, 34)
	j := i
	for j < len(t.r) && len(buf) < want {
		r := t.r[j]
		switch {
		case isAlnum(r):
			buf = append(buf, byte(upper(r)))
		case r == ' ' && j > i && isAlnum(t.at(j+1)) && isAlnum(t.r[j-1]):
		default:
			return 0, false
		}
		j++
	}
	if len(buf) != want || isAlnum(t.at(j)) {
		return 0, false
	}
	return j, ibanMod97(buf)
}

func findIBANs(t ntext, c *collector) {
	for i := 0; i+4 <= len(t.r); i++ {
		if !isDigit(t.r[i+2]) || !isASCIILetter(t.r[i]) || wordy(t.at(i-1)) {
			continue
		}
		if end, ok := matchIBAN(t, i); ok {
			c.add(i, end, KindIBAN, string([]rune{upper(t.r[i]), upper(t.r[i+1])})+"-IBAN", prioIBAN)
			i = end - 1
		}
	}
}
