package offline

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/attache-dev/attache/knowledge/hashembed"
)

// Slots are the values the engine extracted from a message.
type Slots struct {
	// OrderNumber is the order identifier as the customer wrote it, without a leading '#'
	// and with any native digits (١٢٣, ๑๒๓, full-width) turned into ASCII.
	OrderNumber string
	// Email is the first e-mail address in the message.
	Email string
	// Amount is the first sum of money written with its currency ("€45", "Rp 150.000").
	Amount Amount
	// VATNumber is an EU VAT identification number, upper case without separators
	// ("DE123456789"). It is never taken as an order number.
	VATNumber string
	// PostalCode is a postal code introduced by a postal-code word ("PLZ 10115", "CEP
	// 01310-100"), or any code that makes up the message when the agent asked for one.
	PostalCode string
	// Name is the name the customer gave for themself ("my name is Ana López", "ich bin
	// Jonas Weber", "我叫王小明"), as written; best effort.
	Name string
}

// Slots the engine can be asked to wait for (see Engine.AnalyzeAwaiting).
const (
	SlotEmail      = "email"
	SlotPostalCode = "postal_code"
	SlotName       = "name"
	SlotVATNumber  = "vat_number"
)

var (
	emailRE = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}.\-]+\.\p{L}{2,}`)
	urlRE   = regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S+`)

	// orderKeywords introduce an order number, in the supported languages. The text they
	// run over is folded by hashembed.Normalize: lower case, Latin diacritics removed.
	orderKeywords = `(?:\b(?:order|purchase|pedido|orden|compra|bestellung|bestellnummer|auftrag|` +
		`auftragsnummer|commande|encomenda|pesanan|transaksi|don hang|ma don|don)|` +
		`注文番号|注文|オーダー番号|オーダー|受注番号|订单号|订单编号|订单|訂單號碼|訂單編號|訂單|单号|單號|` +
		`หมายเลขคำสั่งซื้อ|เลขคำสั่งซื้อ|คำสั่งซื้อ|เลขออเดอร์|ออเดอร์|` +
		`رقم الطلب|رقم طلبي|الطلب|طلبي|طلب)`

	// orderFiller may sit between the keyword and the number: "order no. 123",
	// "número de pedido: 123", "注文番号は123456です", "订单号是 123".
	orderFiller = `(?:[\s:：#.,\-–]|\bno\b|\bnr\b|n°|\bnumber\b|\bnum\b|\bnumero\b|\bnummer\b|\bid\b|` +
		`\bis\b|\bes\b|\bist\b|\best\b|\be\b|\badalah\b|\bla\b|\bref\b|は|が|是|为|為|คือ|هو|رقم)*`

	// Up to two other words may come before the number: "order status 123",
	// "Bestellung mit der Nummer 123", "don hang cua toi la 123".
	orderWords = `(?:\p{L}{1,12}[\s:：#.,]+` + orderFiller + `){0,2}`

	// orderCandidate is an identifier of Latin letters, digits and dashes; plausibleOrder
	// wants at least four digits in it.
	orderCandidate = `([\p{Latin}\p{N}][\p{Latin}\p{N}\-_/]*)`

	afterKeywordRE = mustCompileFolded(`(?i)` + orderKeywords + orderFiller + orderWords + orderCandidate)
	hashRE         = regexp.MustCompile(`#\s?([\p{Latin}\p{N}][\p{Latin}\p{N}\-_]*)`)
	// A code mixing a short letter prefix and a long run of digits: W2378156, SO-123456.
	mixedCodeRE = regexp.MustCompile(`(?i)\b([a-z]{1,3}-?\d{5,}[a-z0-9\-]*)\b`)
	// A bare number; CJK and Thai letters may touch it ("123456です").
	bareDigitsRE = regexp.MustCompile(`(?:^|[^\p{N}\p{Latin}+\-/.,:$€£¥#])(\d[\d\-]{2,24}\d)(?:$|[^\p{N}\p{Latin}/%\-])`)

	dateRE   = regexp.MustCompile(`^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$`)
	phoneKey = mustCompileFolded(`(?i)(phone|tel\b|telephone|mobile|cell|whats ?app|call me|telefono|celular|movil|telefone|telefon|handy|numero de portable|so dien thoai|sdt|nomor hp|no hp|nomor wa|電話|电话|手机|携帯|โทร|เบอร์|هاتف|جوال|رقم الجوال)`)
	moneyKey = mustCompileFolded(`(?i)(\$|€|£|¥|₫|฿|円|元|\brp\b\.?|usd|eur|brl|r\$|mxn|jpy|cny|rmb|thb|idr|aed|sar|egp|` +
		`dollars?|euros?|reais|pesos|baht|vnd|rupiah|yen|yuan|ريال|درهم|جنيه|บาท)`)
)

// extractSlots finds an order number and an e-mail address in text. When lenient is true
// (the previous turn asked for an order number) a bare number that makes up most of the
// message also counts: "12345", "it's 4567 thanks". Otherwise a number needs an order
// word before it, a '#', or a letter prefix (W2378156) — or to be the whole message.
//
// Phone numbers (a leading '+', a phone word nearby, or spaced digit groups), dates,
// times and amounts (a currency next to them, or decimals) are never order numbers.
func extractSlots(text string, lenient bool) Slots {
	awaiting := ""
	if lenient {
		awaiting = SlotOrderNumber
	}
	return extractSlotsFor(text, awaiting)
}

// extractSlotsFor extracts every slot; awaiting names the slot the previous turn asked
// for, which lets a bare value count: an order number (see extractSlots), a postal code,
// or a name given alone ("Ana López").
func extractSlotsFor(text, awaiting string) Slots {
	var s Slots
	text = asciiDigits(norm.NFKC.String(text))
	if m := emailRE.FindString(text); m != "" {
		s.Email = m
	}
	rest := emailRE.ReplaceAllString(text, " ")
	rest = urlRE.ReplaceAllString(rest, " ")
	if strings.ContainsAny(rest, "0123456789") {
		s.VATNumber = findVATNumber(rest)
		s.Amount = findAmount(rest)
		s.PostalCode = findPostalCode(rest, awaiting == SlotPostalCode)
		if awaiting != SlotPostalCode {
			s.OrderNumber = findOrderNumber(rest, awaiting == SlotOrderNumber)
		}
		if s.PostalCode != "" && strings.EqualFold(s.PostalCode, s.OrderNumber) {
			s.OrderNumber = "" // "my zip is 10115" names no order
		}
		if s.VATNumber != "" && strings.EqualFold(strings.ReplaceAll(s.OrderNumber, "-", ""), s.VATNumber) {
			s.VATNumber = "" // "order DE123456789": the customer said it is an order
		}
	}
	s.Name = findName(rest)
	if s.Name == "" && awaiting == SlotName {
		s.Name = bareName(rest)
	}
	return s
}

// bareName returns a message that is only a name ("Ana López", "王小明"): one to four
// words of letters, nothing else.
func bareName(text string) string {
	t := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(text), ".!。"))
	words := strings.Fields(t)
	if len(words) == 0 || len(words) > 4 {
		return ""
	}
	for _, w := range words {
		for _, r := range w {
			if !unicode.IsLetter(r) && r != '\'' && r != '’' && r != '-' && !unicode.In(r, unicode.Mn, unicode.Mc) {
				return ""
			}
		}
	}
	return t
}

func findOrderNumber(text string, lenient bool) string {
	folded := hashembed.Normalize(text)
	// Explicit context first: "order 12345", "pedido nº 4567", "注文番号 123456".
	for _, m := range afterKeywordRE.FindAllStringSubmatchIndex(folded, -1) {
		start, end := m[2], m[3]
		// "pedido ES-10001": the filler took "es" (Spanish "is") and the dash, but they are
		// the order number's prefix.
		for _, c := range mixedCodeRE.FindAllStringSubmatchIndex(folded, -1) {
			if c[2] < start && c[3] >= end && c[2] >= m[0] {
				start, end = c[2], c[3]
			}
		}
		cand := folded[start:end]
		if plausibleOrder(cand, folded, start, end, false) {
			return original(text, strings.Trim(cand, "-_/"))
		}
	}
	for _, m := range hashRE.FindAllStringSubmatchIndex(folded, -1) {
		cand := folded[m[2]:m[3]]
		if plausibleOrder(cand, folded, m[2], m[3], false) {
			return original(text, strings.Trim(cand, "-_/"))
		}
	}
	for _, m := range mixedCodeRE.FindAllStringSubmatchIndex(folded, -1) {
		cand := folded[m[2]:m[3]]
		if plausibleOrder(cand, folded, m[2], m[3], false) && !isVATNumber(cand) {
			return original(text, strings.Trim(cand, "-_/"))
		}
	}
	// A bare number: only when it is (nearly) the whole message, or when we asked for it.
	for _, m := range bareDigitsRE.FindAllStringSubmatchIndex(folded, -1) {
		cand := folded[m[2]:m[3]]
		if !plausibleOrder(cand, folded, m[2], m[3], true) {
			continue
		}
		others := countLetters(folded[:m[2]]) + countLetters(folded[m[3]:])
		if others == 0 || (lenient && others <= 24) {
			return cand
		}
	}
	return ""
}

// mustCompileFolded compiles a rule pattern after the same Unicode normalisation (NFKC) the
// text goes through, so that a Thai keyword written with ำ still matches the normalised
// text, where NFKC has split it in two. NFKC leaves the ASCII regexp syntax alone.
func mustCompileFolded(pattern string) *regexp.Regexp {
	return regexp.MustCompile(norm.NFKC.String(pattern))
}

// plausibleOrder rejects candidates that are phone numbers, dates, amounts or too short.
func plausibleOrder(cand, text string, start, end int, bare bool) bool {
	cand = strings.Trim(cand, "-_/")
	digits := 0
	for _, r := range cand {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 4 || len(cand) > 32 {
		return false
	}
	if dateRE.MatchString(cand) {
		return false
	}
	before := text[:start]
	after := text[end:]
	// "+34 612 345 678", "(555) 123-4567": phone shapes.
	if strings.HasSuffix(strings.TrimRight(before, " "), "+") || strings.HasSuffix(before, "(") {
		return false
	}
	if bare && (strings.HasPrefix(after, " ") && startsWithDigitGroup(after)) {
		return false // "612 345 678": a number spread over spaced groups
	}
	if bare && strings.HasSuffix(strings.TrimRight(before, " "), ")") {
		return false // "(555) 123-4567"
	}
	if bare && strings.Contains(cand, "-") && shortGroups(cand) && digits >= 7 {
		return false // "123-4567", "0812-3456-7890": phone groups
	}
	if trimmed := strings.TrimRight(before, " "); bare && len(trimmed) < len(before) && endsWithDigit(trimmed) {
		return false // "+49 170 1234567": the last group of a spaced number
	}
	// Decimals or thousands separators right after: 29.99, 1.299,00.
	if len(after) >= 2 && (after[0] == '.' || after[0] == ',') && after[1] >= '0' && after[1] <= '9' {
		return false
	}
	window := func(s string, n int, fromEnd bool) string {
		if fromEnd {
			if len(s) > n {
				s = s[len(s)-n:]
			}
			return s
		}
		if len(s) > n {
			s = s[:n]
		}
		return s
	}
	near := window(before, 24, true) + " " + window(after, 12, false)
	if phoneKey.MatchString(near) {
		return false
	}
	if moneyKey.MatchString(window(before, 4, true)) || moneyKey.MatchString(window(after, 9, false)) {
		return false
	}
	return true
}

// shortGroups reports whether every dash-separated group of s has two to four digits.
func shortGroups(s string) bool {
	for _, g := range strings.Split(s, "-") {
		if len(g) < 2 || len(g) > 4 {
			return false
		}
	}
	return true
}

func endsWithDigit(s string) bool {
	return s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}

func startsWithDigitGroup(s string) bool {
	s = strings.TrimLeft(s, " ")
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n >= 2 && n <= 4
}

// original returns cand with the letter case of the customer's text: rules run on folded
// text, but W2378156 must stay W2378156.
func original(text, cand string) string {
	if i := strings.Index(strings.ToLower(text), cand); i >= 0 && len(text) >= i+len(cand) &&
		strings.EqualFold(text[i:i+len(cand)], cand) {
		return text[i : i+len(cand)]
	}
	return strings.ToUpper(cand)
}

// asciiDigits turns every decimal digit (Arabic-Indic, Thai, Devanagari, ...) into its
// ASCII form; NFKC already handled the full-width ones.
func asciiDigits(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r > 0x7f && unicode.IsDigit(r) }) {
		return s
	}
	var sb strings.Builder
	for _, r := range s {
		if r > 0x7f && unicode.IsDigit(r) {
			r = '0' + digitValue(r)
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// digitValue returns the value of a decimal digit rune: Unicode lays out every Nd block
// as ten consecutive code points starting at zero.
func digitValue(r rune) rune {
	for z := r; z >= r-9; z-- {
		if !unicode.IsDigit(z - 1) {
			return r - z
		}
	}
	return 0
}

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
