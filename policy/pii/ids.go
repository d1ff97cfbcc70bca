package pii

import "strings"

func dv(d string, i int) int { return int(d[i] - '0') }

func allSame(d string) bool { return strings.Count(d, d[:1]) == len(d) }

// validCPF checks the two mod-11 check digits of a Brazilian CPF.
func validCPF(d string) bool {
	if len(d) != 11 || allSame(d) {
		return false
	}
	for k := 9; k <= 10; k++ {
		sum := 0
		for i := 0; i < k; i++ {
			sum += dv(d, i) * (k + 1 - i)
		}
		r := sum * 10 % 11 % 10
		if r != dv(d, k) {
			return false
		}
	}
	return true
}

// validCNPJ checks the two mod-11 check digits of a Brazilian CNPJ.
func validCNPJ(d string) bool {
	if len(d) != 14 || allSame(d) {
		return false
	}
	w1 := []int{5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	w2 := []int{6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	for k, w := range [][]int{w1, w2} {
		sum := 0
		for i, x := range w {
			sum += dv(d, i) * x
		}
		r := sum % 11
		if r < 2 {
			r = 0
		} else {
			r = 11 - r
		}
		if r != dv(d, 12+k) {
			return false
		}
	}
	return true
}

// validSANID checks a Saudi national ID (1...) or iqama (2...): ten digits and
// the Luhn check.
func validSANID(d string) bool {
	return len(d) == 10 && (d[0] == '1' || d[0] == '2') && luhn(d)
}

// validEID checks an Emirates ID: 784, a birth year and the Luhn check.
func validEID(d string) bool {
	if len(d) != 15 || d[:3] != "784" || !luhn(d) {
		return false
	}
	y := prefixNum(d[3:], 4)
	return y >= 1900 && y <= 2099
}

// validTHID checks a Thai national ID: 13 digits, first 1-8, mod 11.
func validTHID(d string) bool {
	if len(d) != 13 || d[0] < '1' || d[0] > '8' {
		return false
	}
	sum := 0
	for i := 0; i < 12; i++ {
		sum += dv(d, i) * (13 - i)
	}
	return (11-sum%11)%10 == dv(d, 12)
}

// validNIK checks the structure of an Indonesian NIK: province code, birth
// date (day+40 for women) and a non-zero serial. It has no checksum.
func validNIK(d string) bool {
	if len(d) != 16 {
		return false
	}
	p := prefixNum(d, 2)
	switch {
	case p >= 11 && p <= 19, p == 21, p >= 31 && p <= 36, p >= 51 && p <= 53,
		p >= 61 && p <= 65, p >= 71 && p <= 76, p >= 81 && p <= 82, p >= 91 && p <= 96:
	default:
		return false
	}
	day, mon := prefixNum(d[6:], 2), prefixNum(d[8:], 2)
	if day > 40 {
		day -= 40
	}
	return day >= 1 && day <= 31 && mon >= 1 && mon <= 12 && d[12:] != "0000"
}

// validMyKad checks a Malaysian MyKad: YYMMDD, a place-of-birth code and a
// serial.
func validMyKad(d string) bool {
	if len(d) != 12 || !validDate(2000+prefixNum(d, 2), prefixNum(d[2:], 2), prefixNum(d[4:], 2)) {
		return false
	}
	pb := prefixNum(d[6:], 2)
	switch {
	case pb >= 1 && pb <= 16, pb >= 21 && pb <= 68, pb == 71, pb == 72, pb >= 74 && pb <= 79,
		pb >= 82 && pb <= 93, pb == 98, pb == 99:
		return true
	}
	return false
}

var verhoeffD = [10][10]int{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
	{2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
	{4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
	{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
	{8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
}

var verhoeffP = [8][10]int{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
	{5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
	{9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
	{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
}

func verhoeff(d string) bool {
	c := 0
	for i := 0; i < len(d); i++ {
		c = verhoeffD[c][verhoeffP[i%8][dv(d, len(d)-1-i)]]
	}
	return c == 0
}

// validAadhaar checks an Aadhaar number: 12 digits, first 2-9, Verhoeff.
func validAadhaar(d string) bool {
	return len(d) == 12 && d[0] >= '2' && verhoeff(d)
}

// validSSN checks the US SSN area, group and serial rules.
func validSSN(d string) bool {
	if len(d) != 9 {
		return false
	}
	area := prefixNum(d, 3)
	return area != 0 && area != 666 && area < 900 && d[3:5] != "00" && d[5:] != "0000"
}

// validBSN checks the Dutch 11-proof.
func validBSN(d string) bool {
	if len(d) != 9 || allSame(d) {
		return false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += dv(d, i) * (9 - i)
	}
	sum -= dv(d, 8)
	return sum%11 == 0 && sum != 0
}

// validSEPIN checks a Swedish personnummer or samordningsnummer (day+60):
// a valid date and the Luhn check over the ten short-form digits.
func validSEPIN(d string) bool {
	year := 1900
	switch len(d) {
	case 12:
		year = prefixNum(d, 4)
		d = d[2:]
	case 10:
		year += prefixNum(d, 2)
	default:
		return false
	}
	day := prefixNum(d[4:], 2)
	if day > 60 {
		day -= 60
	}
	return validDate(year, prefixNum(d[2:], 2), day) && luhn(d)
}

// validCNRIC checks a Chinese resident identity number: region, birth date
// and the ISO 7064 mod 11-2 check character (0-9 or X).
func validCNRIC(d string) bool {
	if len(d) != 18 || d[0] == '0' {
		return false
	}
	if !validDate(prefixNum(d[6:], 4), prefixNum(d[10:], 2), prefixNum(d[12:], 2)) {
		return false
	}
	y := prefixNum(d[6:], 4)
	if y < 1900 || y > 2099 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		w := 1
		for k := 0; k < 17-i; k++ {
			w = w * 2 % 11
		}
		sum += dv(d, i) * w
	}
	want := byte("10X98765432"[sum%11])
	got := d[17]
	if got == 'x' {
		got = 'X'
	}
	return got == want
}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}
