package vat

import (
	"fmt"
	"strconv"
	"strings"
)

// Number is a VAT identification number that passed ValidateNumber.
type Number struct {
	Prefix string // the VAT prefix: "DE", "EL" for Greece
	Body   string // what follows the prefix, without separators: "136695976", "U13585627"
	// Checked is true when the member state's check digits were verified, false when only
	// the format could be (see ValidateNumber).
	Checked bool
}

// String is the number as VIES expects it: "DE136695976".
func (n Number) String() string { return n.Prefix + n.Body }

// Country is the ISO 3166-1 code of the issuing member state: GR for EL.
func (n Number) Country() string {
	if n.Prefix == "EL" {
		return "GR"
	}
	return n.Prefix
}

// numberRule checks the body of a number of one member state. It returns whether the
// check digits were verified and, when the number is wrong, what is wrong, in words a
// customer can act on.
type numberRule func(prefix, body string) (checked bool, problem string)

var numberRules = map[string]numberRule{
	"AT": checkAT, "BE": checkBE, "BG": checkBG, "CY": checkCY, "CZ": checkCZ, "DE": checkDE,
	"DK": checkDK, "EE": checkEE, "EL": checkEL, "ES": checkES, "FI": checkFI, "FR": checkFR,
	"HR": checkHR, "HU": checkHU, "IE": checkIE, "IT": checkIT, "LT": checkLT, "LU": checkLU,
	"LV": checkLV, "MT": checkMT, "NL": checkNL, "PL": checkPL, "PT": checkPT, "RO": checkRO,
	"SE": checkSE, "SI": checkSI, "SK": checkSK,
}

// ValidateNumber checks the format and, where the member state publishes one, the
// check-digit algorithm of an EU VAT number such as "DE 136 695 976" or "ATU13585627".
// Spaces, dots, hyphens and slashes are ignored, letters may be lower case, and the ISO
// code GR is read as the VAT prefix EL. The error says what is wrong ("DE VAT numbers
// have 9 digits after DE") and wraps ErrInvalidNumber.
//
// Numbers of Latvia and Malta, 10-digit Bulgarian numbers (personal identifiers with
// several schemes) and 9-digit Czech birth numbers from before 1954 are checked for
// format only, and come back with Checked false: their check-digit rules could not be
// verified here against documented examples, or they have none.
//
// A valid number may still not be registered: only a VIES lookup tells.
func ValidateNumber(s string) (Number, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '/', '\u00a0':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
	if len(clean) < 3 || !isLetters(clean[:2]) {
		return Number{}, fmt.Errorf("%w: a VAT number starts with the two-letter prefix of its member state, such as DE or FR", ErrInvalidNumber)
	}
	prefix, body := clean[:2], clean[2:]
	if prefix == "GR" {
		prefix = "EL"
	}
	rule, ok := numberRules[prefix]
	if !ok {
		return Number{}, fmt.Errorf("%w: %s is not the prefix of an EU member state's VAT numbers", ErrInvalidNumber, prefix)
	}
	checked, problem := rule(prefix, body)
	if problem != "" {
		return Number{}, fmt.Errorf("%w: %s", ErrInvalidNumber, problem)
	}
	return Number{Prefix: prefix, Body: body, Checked: checked}, nil
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isLetters(s string) bool {
	return s != "" && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

func digits(s string) []int {
	d := make([]int, len(s))
	for i := range s {
		d[i] = int(s[i] - '0')
	}
	return d
}

// weighted is Σ w[i]·d[i] over the shorter of the two.
func weighted(d []int, w ...int) int {
	sum := 0
	for i := 0; i < len(d) && i < len(w); i++ {
		sum += d[i] * w[i]
	}
	return sum
}

// luhnValid reports whether s (digits) passes the Luhn test.
func luhnValid(s string) bool {
	sum := 0
	for i, d := range digits(s) {
		if (len(s)-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// mod1110 is the check digit of ISO 7064 MOD 11,10 (Germany, Croatia).
func mod1110(d []int) int {
	product := 10
	for _, x := range d {
		sum := (x + product) % 10
		if sum == 0 {
			sum = 10
		}
		product = 2 * sum % 11
	}
	return (11 - product) % 10
}

func wantDigits(prefix, body string, n int) string {
	if len(body) != n || !isDigits(body) {
		return fmt.Sprintf("%s VAT numbers have %d digits after %s", prefix, n, prefix)
	}
	return ""
}

func badCheck(prefix, body string) string {
	return fmt.Sprintf("%s%s fails the %s check-digit test: a digit is probably mistyped or swapped", prefix, body, prefix)
}

func checkAT(p, b string) (bool, string) {
	if len(b) != 9 || b[0] != 'U' || !isDigits(b[1:]) {
		return false, "AT VAT numbers are ATU followed by 8 digits"
	}
	d := digits(b[1:])
	sum := 0
	for i := 0; i < 7; i++ {
		x := d[i]
		if i%2 == 1 {
			x = x/5 + x*2%10
		}
		sum += x
	}
	if (96-sum)%10 != d[7] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkBE(p, b string) (bool, string) {
	if len(b) != 10 || !isDigits(b) {
		return false, "BE VAT numbers have 10 digits after BE, the first being 0 or 1"
	}
	if b[0] != '0' && b[0] != '1' {
		return false, "BE VAT numbers begin with 0 or 1 after BE"
	}
	n, _ := strconv.Atoi(b[:8])
	c, _ := strconv.Atoi(b[8:])
	if 97-n%97 != c {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkBG(p, b string) (bool, string) {
	if (len(b) != 9 && len(b) != 10) || !isDigits(b) {
		return false, "BG VAT numbers have 9 or 10 digits after BG"
	}
	if len(b) == 10 {
		return false, "" // personal numbers: format only
	}
	d := digits(b)
	r := weighted(d, 1, 2, 3, 4, 5, 6, 7, 8) % 11
	if r == 10 {
		r = weighted(d, 3, 4, 5, 6, 7, 8, 9, 10) % 11 % 10
	}
	if r != d[8] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkCY(p, b string) (bool, string) {
	if len(b) != 9 || !isDigits(b[:8]) || !isLetters(b[8:]) {
		return false, "CY VAT numbers have 8 digits and a letter after CY"
	}
	if b[:2] == "12" {
		return false, "CY VAT numbers do not begin with 12"
	}
	odd := [10]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21}
	sum := 0
	for i, x := range digits(b[:8]) {
		if i%2 == 0 {
			sum += odd[x]
		} else {
			sum += x
		}
	}
	if byte('A'+sum%26) != b[8] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkCZ(p, b string) (bool, string) {
	if len(b) < 8 || len(b) > 10 || !isDigits(b) {
		return false, "CZ VAT numbers have 8, 9 or 10 digits after CZ"
	}
	d := digits(b)
	switch {
	case len(b) == 8: // legal entities
		if d[0] == 9 {
			return false, "CZ VAT numbers of 8 digits do not begin with 9"
		}
		c := (11 - weighted(d, 8, 7, 6, 5, 4, 3, 2)%11) % 11
		if c == 0 {
			c = 1
		}
		if c%10 != d[7] {
			return true, badCheck(p, b)
		}
	case len(b) == 9 && d[0] == 6: // individuals without a birth number
		c := weighted(d[1:], 8, 7, 6, 5, 4, 3, 2) % 11
		if (8-(10-c)%11+10)%10 != d[8] {
			return true, badCheck(p, b)
		}
	case len(b) == 10: // birth number (rodné číslo)
		n, _ := strconv.ParseInt(b, 10, 64)
		first, _ := strconv.ParseInt(b[:9], 10, 64)
		if n%11 != 0 && !(first%11 == 10 && d[9] == 0) {
			return true, badCheck(p, b)
		}
	default: // 9-digit birth numbers from before 1954 carry no check digit
		return false, ""
	}
	return true, ""
}

func checkDE(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 9); msg != "" {
		return false, msg
	}
	if b[0] == '0' {
		return false, "DE VAT numbers do not begin with 0 after DE"
	}
	d := digits(b)
	if mod1110(d[:8]) != d[8] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkDK(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 8); msg != "" {
		return false, msg
	}
	if b[0] == '0' {
		return false, "DK VAT numbers do not begin with 0 after DK"
	}
	if weighted(digits(b), 2, 7, 6, 5, 4, 3, 2, 1)%11 != 0 {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkEE(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 9); msg != "" {
		return false, msg
	}
	if !strings.HasPrefix(b, "10") {
		return false, "EE VAT numbers begin with 10 after EE"
	}
	d := digits(b)
	if (10-weighted(d, 3, 7, 1, 3, 7, 1, 3, 7)%10)%10 != d[8] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkEL(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 9); msg != "" {
		return false, msg
	}
	d := digits(b)
	if weighted(d, 256, 128, 64, 32, 16, 8, 4, 2)%11%10 != d[8] {
		return true, badCheck(p, b)
	}
	return true, ""
}

// checkES covers the four shapes of a Spanish NIF: legal entities (letter, 7 digits,
// check digit or letter), Spanish citizens (DNI: 8 digits and a letter), foreigners (NIE:
// X, Y or Z, 7 digits and a letter) and the K, L, M special individual numbers.
func checkES(p, b string) (bool, string) {
	const shape = "ES VAT numbers have 9 characters after ES: a letter or digit, 7 digits, and a letter or digit"
	if len(b) != 9 || !isDigits(b[1:8]) {
		return false, shape
	}
	const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"
	first, last := b[0], b[8]
	switch {
	case first >= '0' && first <= '9': // DNI
		n, _ := strconv.Atoi(b[:8])
		if !isLetters(b[8:]) {
			return false, shape
		}
		if dniLetters[n%23] != last {
			return true, badCheck(p, b)
		}
	case strings.IndexByte("XYZ", first) >= 0: // NIE
		n, _ := strconv.Atoi(strconv.Itoa(strings.IndexByte("XYZ", first)) + b[1:8])
		if dniLetters[n%23] != last {
			return true, badCheck(p, b)
		}
	case strings.IndexByte("KLM", first) >= 0:
		n, _ := strconv.Atoi(b[1:8])
		if dniLetters[n%23] != last {
			return true, badCheck(p, b)
		}
	case strings.IndexByte("ABCDEFGHJNPQRSUVW", first) >= 0: // CIF, legal entities
		sum := 0
		for i, x := range digits(b[1:8]) {
			if i%2 == 0 {
				x *= 2
				x = x/10 + x%10
			}
			sum += x
		}
		c := (10 - sum%10) % 10
		digit, letter := byte('0'+c), "JABCDEFGHI"[c]
		switch {
		case strings.IndexByte("NPQRSW", first) >= 0 && last != letter,
			strings.IndexByte("ABEH", first) >= 0 && last != digit,
			last != digit && last != letter:
			return true, badCheck(p, b)
		}
	default:
		return false, fmt.Sprintf("ES VAT numbers do not begin with %c after ES", first)
	}
	return true, ""
}

func checkFI(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 8); msg != "" {
		return false, msg
	}
	d := digits(b)
	r := weighted(d, 7, 9, 10, 5, 8, 4, 2) % 11
	if r == 1 || (11-r)%11 != d[7] {
		return true, badCheck(p, b)
	}
	return true, ""
}

// checkFR checks the key (two digits, or since 2010 possibly letters other than I and O)
// against the SIREN that follows, and the SIREN's own Luhn digit. Monaco's numbers (SIREN
// beginning 000) have no Luhn digit.
func checkFR(p, b string) (bool, string) {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	if len(b) != 11 || !isDigits(b[2:]) || strings.IndexByte(alphabet, b[0]) < 0 || strings.IndexByte(alphabet, b[1]) < 0 {
		return false, "FR VAT numbers have a two-character key and the 9-digit SIREN after FR"
	}
	siren := b[2:]
	if !strings.HasPrefix(siren, "000") && !luhnValid(siren) {
		return true, fmt.Sprintf("FR%s: the SIREN %s fails its check digit", b, siren)
	}
	n, _ := strconv.ParseInt(siren, 10, 64)
	if isDigits(b[:2]) {
		key, _ := strconv.Atoi(b[:2])
		if int((n*100+12)%97) != key {
			return true, badCheck(p, b)
		}
		return true, ""
	}
	var check int
	if b[0] >= '0' && b[0] <= '9' {
		check = strings.IndexByte(alphabet, b[0])*24 + strings.IndexByte(alphabet, b[1]) - 10
	} else {
		check = strings.IndexByte(alphabet, b[0])*34 + strings.IndexByte(alphabet, b[1]) - 100
	}
	if int((n+1+int64(check/11))%11) != check%11 {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkHR(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 11); msg != "" {
		return false, msg
	}
	d := digits(b)
	if mod1110(d[:10]) != d[10] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkHU(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 8); msg != "" {
		return false, msg
	}
	if weighted(digits(b), 9, 7, 3, 1, 9, 7, 3, 1)%10 != 0 {
		return true, badCheck(p, b)
	}
	return true, ""
}

// checkIE accepts the three Irish shapes: 7 digits and a check letter; since 2013, 7
// digits, a check letter and A, H or W; and the old 1-digit, letter, 5-digit form.
func checkIE(p, b string) (bool, string) {
	const letters = "WABCDEFGHIJKLMNOPQRSTUV"
	const shape = "IE VAT numbers have 7 digits and one or two letters after IE (or the old form: digit, letter, 5 digits, letter)"
	var body string // 7 digits
	extra := 0      // the value of the second letter of the 2013 form
	switch {
	case len(b) == 8 && isDigits(b[:7]) && isLetters(b[7:]):
		body = b[:7]
	case len(b) == 9 && isDigits(b[:7]) && isLetters(b[7:]):
		i := strings.IndexByte("WABCDEFGHI", b[8])
		if i < 0 {
			return false, "IE VAT numbers with two letters end in a letter from A to I, or W"
		}
		body, extra = b[:7], i
	case len(b) == 8 && isDigits(b[:1]) && strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZ+*", b[1]) >= 0 && isDigits(b[2:7]) && isLetters(b[7:]):
		body = "0" + b[2:7] + b[:1]
	default:
		return false, shape
	}
	sum := weighted(digits(body), 8, 7, 6, 5, 4, 3, 2) + 9*extra
	if letters[sum%23] != b[7] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkIT(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 11); msg != "" {
		return false, msg
	}
	if b[:7] == "0000000" {
		return false, "IT VAT numbers do not begin with seven zeros"
	}
	office, _ := strconv.Atoi(b[7:10])
	if (office < 1 || office > 100) && office != 120 && office != 121 && office != 888 && office != 999 {
		return false, fmt.Sprintf("IT VAT numbers carry a provincial office code in digits 8 to 10; %s is not one", b[7:10])
	}
	if !luhnValid(b) {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkLT(p, b string) (bool, string) {
	if (len(b) != 9 && len(b) != 12) || !isDigits(b) {
		return false, "LT VAT numbers have 9 or 12 digits after LT"
	}
	if b[len(b)-2] != '1' {
		return false, "LT VAT numbers have 1 as their second-to-last digit"
	}
	d := digits(b)
	n := len(d) - 1
	sum := 0
	for i := 0; i < n; i++ {
		sum += d[i] * (i%9 + 1)
	}
	c := sum % 11
	if c == 10 {
		sum = 0
		for i := 0; i < n; i++ {
			sum += d[i] * ((i+2)%9 + 1)
		}
		c = sum % 11 % 10
	}
	if c != d[n] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkLU(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 8); msg != "" {
		return false, msg
	}
	n, _ := strconv.Atoi(b[:6])
	c, _ := strconv.Atoi(b[6:])
	if n%89 != c {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkLV(p, b string) (bool, string) { return false, wantDigits(p, b, 11) }

func checkMT(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 8); msg != "" {
		return false, msg
	}
	if b[0] == '0' {
		return false, "MT VAT numbers do not begin with 0 after MT"
	}
	return false, ""
}

// checkNL accepts both Dutch schemes: the omzetbelastingnummer of companies (mod 11 over
// the 9 digits) and, since 2020, the btw-identificatienummer of sole traders (ISO 7064
// mod 97 over the whole number, letters included).
func checkNL(p, b string) (bool, string) {
	if len(b) != 12 || !isDigits(b[:9]) || b[9] != 'B' || !isDigits(b[10:]) {
		return false, "NL VAT numbers have 9 digits, the letter B and 2 digits after NL"
	}
	if b[10:] == "00" {
		return false, "NL VAT numbers do not end in B00"
	}
	d := digits(b[:9])
	if (weighted(d, 9, 8, 7, 6, 5, 4, 3, 2)-d[8])%11 == 0 {
		return true, ""
	}
	// NL = 23 21, B = 11.
	if mod97("2321"+b[:9]+"11"+b[10:]) == 1 {
		return true, ""
	}
	return true, badCheck(p, b)
}

func mod97(s string) int {
	r := 0
	for i := range s {
		r = (r*10 + int(s[i]-'0')) % 97
	}
	return r
}

func checkPL(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 10); msg != "" {
		return false, msg
	}
	d := digits(b)
	if weighted(d, 6, 5, 7, 2, 3, 4, 5, 6, 7)%11 != d[9] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkPT(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 9); msg != "" {
		return false, msg
	}
	if b[0] == '0' {
		return false, "PT VAT numbers do not begin with 0 after PT"
	}
	d := digits(b)
	c := 11 - weighted(d, 9, 8, 7, 6, 5, 4, 3, 2)%11
	if c >= 10 {
		c = 0
	}
	if c != d[8] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkRO(p, b string) (bool, string) {
	if len(b) < 2 || len(b) > 10 || !isDigits(b) {
		return false, "RO VAT numbers have 2 to 10 digits after RO"
	}
	if b[0] == '0' {
		return false, "RO VAT numbers do not begin with 0 after RO"
	}
	padded := digits(strings.Repeat("0", 10-len(b)) + b)
	if weighted(padded, 7, 5, 3, 2, 1, 7, 5, 3, 2)*10%11%10 != padded[9] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkSE(p, b string) (bool, string) {
	if len(b) != 12 || !isDigits(b) || b[10:] != "01" {
		return false, "SE VAT numbers have 10 digits followed by 01 after SE"
	}
	if !luhnValid(b[:10]) {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkSI(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 8); msg != "" {
		return false, msg
	}
	if b[0] == '0' {
		return false, "SI VAT numbers do not begin with 0 after SI"
	}
	d := digits(b)
	c := 11 - weighted(d, 8, 7, 6, 5, 4, 3, 2)%11
	if c == 10 {
		c = 0
	}
	if c != d[7] {
		return true, badCheck(p, b)
	}
	return true, ""
}

func checkSK(p, b string) (bool, string) {
	if msg := wantDigits(p, b, 10); msg != "" {
		return false, msg
	}
	if b[0] == '0' || strings.IndexByte("234789", b[2]) < 0 {
		return false, "SK VAT numbers do not begin with 0 and have 2, 3, 4, 7, 8 or 9 as their third digit"
	}
	n, _ := strconv.ParseInt(b, 10, 64)
	if n%11 != 0 {
		return true, badCheck(p, b)
	}
	return true, ""
}
