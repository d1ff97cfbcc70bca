package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// maxPhoneParts bounds the space-separated parts tried per candidate.
const maxPhoneParts = 6

// orderWords precede numbers that are not phone numbers (order, invoice and
// tracking references) in the languages of Attaché's markets.
var orderWords = []string{"order", "bestell", "auftrag", "rechnung", "sendung", "tracking", "invoice",
	"purchas", "compra", "achat", "acquisto", "einkauf", "pedido", "factura", "commande", "facture", "ordine", "fattura", "bestelling", "sipariş", "siparis",
	"注文", "订单", "주문", "คำสั่งซื้อ", "طلب", "ऑर्डर", "ref", "#", "iban"}

// labelWords name customer, contract, serial, voucher, tax and business
// numbers. Some also appear in ordinary sentences ("incl. VAT"), so they
// only count when they end at most labelGap runes before the number
// ("Kundennummer 8812 4471 09", "사업자등록번호 123-45-67890", "MST 0312345678").
var labelWords = []string{"kundennummer", "kundennr", "kunden-nr", "vertragsnummer", "vertragsnr",
	"seriennummer", "seriennr", "serial", "gutschein", "voucher", "coupon", "steuernummer", "steuer-id",
	"steuer-nr", "siret", "siren", "tva", "vat", "mst", "사업자"}

const labelGap = 10

func phoneRune(r rune) bool {
	return isDigit(r) || r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/'
}

// findPhones extracts candidates (an optional '+', digits, and the usual
// separators), filters dates, amounts and references, and keeps those that
// phonenumbers validates for the number's own region (with a '+') or for
// one of Options.Regions.
func findPhones(t ntext, opts Options, c *collector, covered []bool) {
	n := len(t.r)
	i := 0
	for i < n {
		r := t.r[i]
		start := i
		if covered[i] || !(isDigit(r) || (r == '+' || r == '(') && isDigit(t.at(i+1)) || r == '(' && t.at(i+1) == '+') || wordy(t.at(i-1)) || isDigit(t.at(i-1)) {
			i++
			continue
		}
		j := i + 1
		digits, gap := 0, 0
		if isDigit(r) {
			digits = 1
		}
		// A candidate stops where a card, IBAN, ID or e-mail address already
		// found begins, so that "4019638464326444 (646) 555-0134" keeps its phone.
		for j < n && phoneRune(t.r[j]) && !covered[j] && digits <= 17 {
			if isDigit(t.r[j]) {
				digits++
				gap = 0
			} else {
				gap++
				if gap > 2 || t.r[j] == ' ' && t.r[j-1] == ' ' {
					break
				}
			}
			j++
		}
		end := j
		for end > start && !isDigit(t.r[end-1]) && t.r[end-1] != ')' {
			end--
		}
		i = j
		if wordy(t.at(end)) && isDigit(t.r[end-1]) || digits < 7 || digits > 17 {
			continue
		}
		tryPhone(t, start, end, opts, c)
	}
}

func tryPhone(t ntext, start, end int, opts Options, c *collector) {
	if ok := phoneAt(t, start, end, opts, c, false); ok {
		return
	}
	// Two numbers or a number and a reference written side by side: try
	// ranges of the space-separated parts.
	var cuts []int
	for k := start; k < end; k++ {
		if t.r[k] == ' ' {
			cuts = append(cuts, k)
		}
	}
	if len(cuts) == 0 || len(cuts) >= maxPhoneParts {
		return
	}
	bounds := append(append([]int{start - 1}, cuts...), end)
	for a := 0; a < len(bounds)-1; a++ {
		for b := len(bounds) - 1; b > a; b-- {
			if a == 0 && b == len(bounds)-1 {
				continue
			}
			if phoneAt(t, bounds[a]+1, bounds[b], opts, c, true) {
				a = b - 1
				break
			}
		}
	}
}

// phoneAt reports whether t.r[start:end] is a phone number and adds it. part
// says that the range is some of the space-separated parts of a longer run
// of digits.
func phoneAt(t ntext, start, end int, opts Options, c *collector, part bool) bool {
	s := string(t.r[start:end])
	d := 0
	for _, r := range s {
		if isDigit(r) {
			d++
		}
	}
	if d < 7 || notPhone(t, start, end, s) {
		return false
	}
	if s[0] == '+' || strings.HasPrefix(s, "(+") || strings.HasPrefix(s, "00") {
		e164 := s
		if strings.HasPrefix(s, "00") {
			e164 = "+" + s[2:]
		}
		num, err := phonenumbers.Parse(e164, "ZZ")
		if err == nil && phonenumbers.IsValidNumber(num) {
			c.add(start, end, KindPhone, phonenumbers.GetRegionCodeForNumber(num)+"-PHONE", prioPhone)
			return true
		}
		if s[0] == '+' {
			return false
		}
	}
	if lookback(t, start) {
		return false
	}
	bare := allDigits(s)
	for _, reg := range opts.Regions {
		reg = strings.ToUpper(reg)
		noTrunk := s[0] != '0' && phonenumbers.GetNddPrefixForRegion(reg, true) == "0"
		if bare && noTrunk {
			// An unformatted run without the trunk prefix in a trunk-prefix
			// country is far more often an order or customer number.
			continue
		}
		num, err := phonenumbers.Parse(s, reg)
		if err == nil && phonenumbers.IsValidNumberForRegion(num, reg) {
			if part && noTrunk && s[0] != '(' && phonenumbers.GetNumberType(num) == phonenumbers.FIXED_LINE {
				// Some groups out of a longer run of digits, without the trunk
				// prefix or an area code in parentheses, that only pass as a
				// fixed line are the tail or head of a reference
				// ("Gutscheincode 4111 2222 3333 4444", "SIRET 303 265 045
				// 00034"). Mobiles are often written without the prefix
				// ("PIN 110001 98765 43210").
				continue
			}
			c.add(start, end, KindPhone, reg+"-PHONE", prioPhone)
			return true
		}
	}
	return false
}

// notPhone rejects dates, amounts and thousands-grouped numbers.
func notPhone(t ntext, start, end int, s string) bool {
	if strings.Count(s, "(") != strings.Count(s, ")") {
		return true
	}
	// Currency symbol or code next to the number.
	p := start - 1
	for p >= 0 && t.r[p] == ' ' {
		p--
	}
	if p >= 0 && unicode.Is(unicode.Sc, t.r[p]) {
		return true
	}
	q := end
	for q < len(t.r) && t.r[q] == ' ' {
		q++
	}
	if q < len(t.r) && (unicode.Is(unicode.Sc, t.r[q]) || q+3 <= len(t.r) && isCurrencyCode(string(t.r[q:q+3]))) {
		return true
	}
	// Groups by separator.
	var groups []int
	var seps []rune
	cur := 0
	for _, r := range s {
		if isDigit(r) {
			cur++
			continue
		}
		if cur > 0 {
			groups = append(groups, cur)
			seps = append(seps, r)
		}
		cur = 0
	}
	groups = append(groups, cur)
	// A date, alone or followed by a time ("2025-11-19 14:00").
	if (len(groups) == 3 || len(groups) > 3 && seps[2] == ' ') && seps[0] == seps[1] && seps[0] != ' ' {
		g := groups
		if g[0] <= 2 && g[1] <= 2 && (g[2] == 2 || g[2] == 4) || g[0] == 4 && g[1] <= 2 && g[2] <= 2 {
			return true // 12.05.2024, 2024-05-12
		}
	}
	if strings.ContainsRune(s, '/') && len(groups) >= 2 && groups[0] <= 4 && groups[1] <= 2 {
		return true // 12/05/2024 14:00 and similar
	}
	if len(groups) >= 2 && groups[0] <= 3 {
		thousands := true
		for k := 1; k < len(groups); k++ {
			if groups[k] != 3 || seps[k-1] != '.' {
				thousands = false
			}
		}
		if thousands {
			return true
		}
	}
	return false
}

func isCurrencyCode(s string) bool {
	switch strings.ToUpper(s) {
	case "EUR", "USD", "GBP", "BRL", "MXN", "ARS", "CLP", "COP", "PEN", "SAR", "AED", "EGP",
		"TRY", "INR", "IDR", "MYR", "SGD", "THB", "VND", "PHP", "JPY", "KRW", "CNY", "HKD",
		"TWD", "AUD", "NGN", "ZAR", "PLN", "SEK", "CHF":
		return true
	}
	return false
}

// lookback reports whether an order/invoice/reference word closely precedes
// rune index start.
func lookback(t ntext, start int) bool {
	from := max(0, start-24)
	w := strings.ToLower(string(t.r[from:start]))
	for _, k := range orderWords {
		if i := strings.Index(w, k); i >= 0 && (i == 0 || !isASCIILetter(rune(w[i-1]))) {
			return true
		}
	}
	for _, k := range labelWords {
		if i := strings.LastIndex(w, k); i >= 0 && (i == 0 || !isASCIILetter(rune(w[i-1]))) &&
			utf8.RuneCountInString(w[i+len(k):]) <= labelGap {
			return true
		}
	}
	return false
}
