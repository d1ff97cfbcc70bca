package pii

import "strings"

// findAlnumIDs scans alphanumeric tokens for the letter-bearing national IDs:
// ES DNI/NIE, IT codice fiscale, MX CURP and MX RFC.
func findAlnumIDs(t ntext, opts Options, c *collector) {
	n := len(t.r)
	i := 0
	for i < n {
		if !isAlnum(t.r[i]) || wordy(t.at(i-1)) {
			i++
			continue
		}
		j := i
		for j < n && isAlnum(t.r[j]) {
			j++
		}
		if wordy(t.at(j)) {
			// Glued to a non-ASCII letter: not a standalone token.
			for j < n && wordy(t.r[j]) {
				j++
			}
			i = j
			continue
		}
		switch j - i {
		case 8, 9, 12, 13, 16, 18:
		default:
			i = j
			continue
		}
		tok := strings.ToUpper(string(t.r[i:j]))
		end := j
		// DNI/NIE written with a separator before the letter: 12345678-Z.
		if (t.at(j) == '-' || t.at(j) == ' ') && isASCIILetter(t.at(j+1)) && !wordy(t.at(j+2)) {
			if s := tok + string(upper(t.r[j+1])); dniShape(s) {
				tok, end = s, j+2
			}
		}
		switch {
		case dniShape(tok) && validDNI(tok):
			scheme := "ES-DNI"
			if tok[0] >= 'X' {
				scheme = "ES-NIE"
			}
			c.add(i, end, KindNationalID, scheme, prioID)
		case len(tok) == 16 && validCF(tok):
			c.add(i, end, KindNationalID, "IT-CF", prioID)
		case len(tok) == 18 && validCURP(tok):
			c.add(i, end, KindNationalID, "MX-CURP", prioID)
		case (len(tok) == 12 || len(tok) == 13) && opts.inRegion("MX") && validRFC(tok):
			c.add(i, end, KindNationalID, "MX-RFC", prioWeakID)
		}
		i = j
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

// dniShape: 8 digits + letter, or X/Y/Z + 7 digits + letter.
func dniShape(s string) bool {
	if len(s) != 9 || !allLetters(s[8:]) {
		return false
	}
	return allDigits(s[:8]) || strings.IndexByte("XYZ", s[0]) >= 0 && allDigits(s[1:8])
}

func validDNI(s string) bool {
	num := s[:8]
	if i := strings.IndexByte("XYZ", s[0]); i >= 0 {
		num = string(rune('0'+i)) + s[1:8]
	}
	v := 0
	for k := 0; k < 8; k++ {
		v = v*10 + int(num[k]-'0')
	}
	return "TRWAGMYFPDXBNJZSQVHLCKE"[v%23] == s[8]
}

var cfOdd = [36]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23} // A-Z

func cfIndex(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	return int(c-'A') + 10
}

// validCF checks the layout and check character of an Italian codice
// fiscale, allowing omocodia letters in the digit positions.
func validCF(s string) bool {
	for i := 0; i < 16; i++ {
		c := s[i]
		switch i {
		case 6, 7, 9, 10, 12, 13, 14:
			if !(c >= '0' && c <= '9' || strings.IndexByte("LMNPQRSTUV", c) >= 0) {
				return false
			}
		case 8:
			if strings.IndexByte("ABCDEHLMPRST", c) < 0 {
				return false
			}
		default:
			if c < 'A' || c > 'Z' {
				return false
			}
		}
	}
	sum := 0
	for i := 0; i < 15; i++ {
		x := cfIndex(s[i])
		if i%2 == 0 {
			sum += cfOdd[x]
		} else if x >= 10 {
			sum += x - 10
		} else {
			sum += x
		}
	}
	return s[15] == byte('A'+sum%26)
}

const curpAlphabet = "0123456789ABCDEFGHIJKLMN\x00OPQRSTUVWXYZ"

// validCURP checks the layout, birth date and check digit of a Mexican CURP.
func validCURP(s string) bool {
	if !allLetters(s[:4]) || !allDigits(s[4:10]) || strings.IndexByte("HMX", s[10]) < 0 ||
		!allLetters(s[11:16]) || !isAlnum(rune(s[16])) || !allDigits(s[17:]) {
		return false
	}
	if !validDate(2000+prefixNum(s[4:], 2), prefixNum(s[6:], 2), prefixNum(s[8:], 2)) {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(curpAlphabet, s[i]) * (18 - i)
	}
	return (10-sum%10)%10 == int(s[17]-'0')
}

// validRFC checks the layout of a Mexican RFC: 3 (company) or 4 (person)
// letters, a YYMMDD date and a three-character homoclave. RFC has a check
// character but its use is inconsistent, so only the layout is checked.
func validRFC(s string) bool {
	k := len(s) - 9
	if !allLetters(s[:k]) || !allDigits(s[k:k+6]) || !isAlnum(rune(s[k+6])) || !isAlnum(rune(s[k+7])) || !isAlnum(rune(s[k+8])) {
		return false
	}
	return validDate(2000+prefixNum(s[k:], 2), prefixNum(s[k+2:], 2), prefixNum(s[k+4:], 2))
}
