package offline

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/currency"
)

// Amount is a sum of money the customer wrote, with its currency: "€45", "45,00 €",
// "US$ 12.50", "¥4,500", "1.250.000₫", "Rp 150.000", "RM 50", "₱500", "99 SAR", "R$ 12,30".
// Minor and Currency are the fields of commerce.Money.
type Amount struct {
	Minor    int64  // in the currency's minor unit (ISO 4217 scale): cents for EUR, yen for JPY
	Currency string // ISO 4217 code
	Text     string // as written
}

// IsZero reports whether no amount was found.
func (a Amount) IsZero() bool { return a.Currency == "" }

// currencyWords maps what customers write next to a number to an ISO 4217 code. Longer
// spellings come first in the pattern built from it, so that "US$" wins over "$".
// A bare "$" reads as US dollars and "¥" as yen unless the message is Chinese (see
// yenOrYuan); "pesos", "kr" and other signs shared by several currencies are left out.
var currencyWords = map[string]string{
	"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
	"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
	"£": "GBP", "gbp": "GBP", "pounds": "GBP",
	"¥": "JPY", "jpy": "JPY", "円": "JPY", "yen": "JPY",
	"元": "CNY", "块": "CNY", "rmb": "CNY", "cny": "CNY", "yuan": "CNY", "人民币": "CNY",
	"₫": "VND", "đ": "VND", "vnd": "VND", "đồng": "VND", "dong": "VND",
	"rp": "IDR", "idr": "IDR", "rupiah": "IDR",
	"rm": "MYR", "myr": "MYR", "ringgit": "MYR",
	"₱": "PHP", "php": "PHP",
	"ر.س": "SAR", "sar": "SAR", "ريال": "SAR", "ر.س.": "SAR",
	"د.إ": "AED", "aed": "AED", "درهم": "AED",
	"ج.م": "EGP", "egp": "EGP", "جنيه": "EGP",
	"r$": "BRL", "brl": "BRL", "reais": "BRL", "real": "BRL",
	"฿": "THB", "thb": "THB", "บาท": "THB", "baht": "THB",
	"s$": "SGD", "sgd": "SGD", "a$": "AUD", "aud": "AUD", "c$": "CAD", "cad": "CAD",
	"hk$": "HKD", "hkd": "HKD", "nt$": "TWD", "twd": "TWD", "mx$": "MXN", "mxn": "MXN",
	"₹": "INR", "inr": "INR", "chf": "CHF", "₩": "KRW", "krw": "KRW",
}

var (
	// Currencies written with Latin letters ("usd", "rp") must stand apart from other
	// letters; signs and words of other scripts ("€", "円", "บาท") may touch them.
	latinCurrencies, otherCurrencies = currencyAlternatives()
	// number: digits with optional thousands separators (. , space, ’ and the narrow
	// no-break space) and decimals.
	number = `(\d{1,3}(?:[.,\x{202F}\x{00A0}' ’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)`
	// A currency before the number ("US$ 12.50", "Rp150.000", "退款¥99") or after it
	// ("45,00 €", "99 SAR", "4,500円返金").
	amountBeforeRE = regexp.MustCompile(`(?i)(?:(?:^|[^\p{L}\p{N}])(` + latinCurrencies + `)|(` + otherCurrencies + `))\s?` + number)
	amountAfterRE  = regexp.MustCompile(`(?i)` + number + `\s?(?:(` + latinCurrencies + `)(?:$|[^\p{L}])|(` + otherCurrencies + `))`)
)

// currencyAlternatives returns the regexp alternations of currencyWords, longest first
// (the regexp takes the first alternative that matches: "US$" before "$").
func currencyAlternatives() (latin, other string) {
	var l, o []string
	for k := range currencyWords {
		if strings.ContainsFunc(k, func(r rune) bool { return unicode.Is(unicode.Latin, r) }) {
			l = append(l, regexp.QuoteMeta(k))
		} else {
			o = append(o, regexp.QuoteMeta(k))
		}
	}
	sortByLenDesc(l)
	sortByLenDesc(o)
	return strings.Join(l, "|"), strings.Join(o, "|")
}

func sortByLenDesc(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && (len(s[j]) > len(s[j-1]) || len(s[j]) == len(s[j-1]) && s[j] < s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// findAmount returns the first amount with a currency in text (NFKC-normalised, ASCII
// digits), or the zero Amount.
func findAmount(text string) Amount {
	if !strings.ContainsAny(text, "0123456789") {
		return Amount{}
	}
	type hit struct {
		start, end int
		cur, num   string
	}
	var best *hit
	// Groups: before = (latin currency)(other currency)(number); after = (number)(latin)(other).
	if m := amountBeforeRE.FindStringSubmatchIndex(text); m != nil {
		c := 2
		if m[c] < 0 {
			c = 4
		}
		best = &hit{start: m[c], end: m[7], cur: text[m[c]:m[c+1]], num: text[m[6]:m[7]]}
	}
	if m := amountAfterRE.FindStringSubmatchIndex(text); m != nil && (best == nil || m[2] < best.start) {
		c := 4
		if m[c] < 0 {
			c = 6
		}
		best = &hit{start: m[2], end: m[c+1], cur: text[m[c]:m[c+1]], num: text[m[2]:m[3]]}
	}
	if best == nil {
		return Amount{}
	}
	code := currencyWords[strings.ToLower(best.cur)]
	if code == "JPY" && best.cur == "¥" {
		code = yenOrYuan(text)
	}
	u, err := currency.ParseISO(code)
	if err != nil {
		return Amount{}
	}
	scale, _ := currency.Standard.Rounding(u)
	minor, ok := parseMinor(best.num, scale)
	if !ok {
		return Amount{}
	}
	return Amount{Minor: minor, Currency: code, Text: strings.TrimSpace(text[best.start:best.end])}
}

// yenOrYuan reads "¥" as renminbi in a Chinese message (Han without kana) and as yen
// otherwise.
func yenOrYuan(text string) string {
	han, kana := false, false
	for _, r := range text {
		switch {
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			kana = true
		case unicode.Is(unicode.Han, r):
			han = true
		}
	}
	if han && !kana {
		return "CNY"
	}
	return "JPY"
}

// parseMinor reads a number written with any of the usual separators and returns it in
// minor units of a currency with the given scale. The last separator is a decimal one
// when one or two digits follow it; three digits after it make it a thousands separator
// ("4,500", "150.000", "1.250.000"), as they do in prices.
func parseMinor(num string, scale int) (int64, bool) {
	lastSep := strings.LastIndexAny(num, ".,")
	intPart, frac := num, ""
	if lastSep >= 0 && len(num)-lastSep-1 <= 2 {
		intPart, frac = num[:lastSep], num[lastSep+1:]
	}
	var v int64
	digits := 0
	for _, r := range intPart {
		if r >= '0' && r <= '9' {
			v = v*10 + int64(r-'0')
			digits++
			if digits > 15 {
				return 0, false
			}
		}
	}
	if digits == 0 {
		return 0, false
	}
	for range scale {
		v *= 10
	}
	// Decimals beyond the currency's scale are dropped (a "₫1.250.000,00" has none to keep).
	mult := int64(1)
	for range scale - 1 {
		mult *= 10
	}
	for i := 0; i < len(frac) && i < scale; i++ {
		v += int64(frac[i]-'0') * mult
		mult /= 10
	}
	return v, true
}
