package offline

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/attache-dev/attache/knowledge/hashembed"
)

// VAT numbers of the EU member states (and Northern Ireland, XI), by country prefix: the
// shapes the VIES service accepts. Only the shape is checked, not the check digits.
var vatShapes = func() map[string]*regexp.Regexp {
	shapes := make(map[string]*regexp.Regexp)
	for cc, shape := range map[string]string{
		"AT": `U\d{8}`, "BE": `[01]\d{9}`, "BG": `\d{9,10}`, "CY": `\d{8}[A-Z]`, "CZ": `\d{8,10}`,
		"DE": `\d{9}`, "DK": `\d{8}`, "EE": `\d{9}`, "EL": `\d{9}`, "ES": `[A-Z0-9]\d{7}[A-Z0-9]`,
		"FI": `\d{8}`, "FR": `[A-HJ-NP-Z0-9]{2}\d{9}`, "HR": `\d{11}`, "HU": `\d{8}`,
		"IE": `\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W]`, "IT": `\d{11}`, "LT": `\d{9}|\d{12}`,
		"LU": `\d{8}`, "LV": `\d{11}`, "MT": `\d{8}`, "NL": `\d{9}B\d{2}`, "PL": `\d{10}`,
		"PT": `\d{9}`, "RO": `\d{6,10}`, "SE": `\d{10}01`, "SI": `\d{8}`, "SK": `\d{10}`,
		"XI": `\d{9}|\d{12}`,
	} {
		shapes[cc] = regexp.MustCompile(`^(?:` + shape + `)$`)
	}
	return shapes
}()

// vatCandidateRE finds an upper-case country prefix followed by the body of a VAT number,
// possibly grouped with spaces, dots or dashes ("DE 123 456 789", "FR12 345678901").
var vatCandidateRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}])(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)` +
	`[ .\-]?([0-9A-Z][0-9A-Z+*]*(?:[ .\-][0-9A-Z]+)*)`)

// findVATNumber returns the first EU VAT number in text, upper case and without
// separators ("DE123456789"), or "".
func findVATNumber(text string) string {
	for _, m := range vatCandidateRE.FindAllStringSubmatch(text, -1) {
		if v := vatNumber(m[1], m[2]); v != "" {
			return v
		}
	}
	return ""
}

// vatNumber checks body against the shape of country cc, dropping trailing groups that
// belong to the sentence rather than to the number.
func vatNumber(cc, body string) string {
	groups := strings.FieldsFunc(body, func(r rune) bool { return r == ' ' || r == '.' || r == '-' })
	for n := len(groups); n > 0; n-- {
		b := strings.Join(groups[:n], "")
		if vatShapes[cc].MatchString(b) {
			return cc + b
		}
	}
	return ""
}

// isVATNumber reports whether s (as found, e.g. by the order-number patterns) is a VAT
// number: an order number extractor must not take it.
func isVATNumber(s string) bool {
	s = strings.ToUpper(strings.NewReplacer(" ", "", ".", "", "-", "").Replace(s))
	if len(s) < 4 {
		return false
	}
	re, ok := vatShapes[s[:2]]
	return ok && re.MatchString(s[2:])
}

// Postal codes. Keyword-led ones are taken from any message; a bare code only when the
// agent asked for it (SlotPostalCode).
var (
	postalShape = `(\d{5}-\d{4}|\d{5}-\d{3}|\d{3}-\d{4}|\d{4}-\d{3}|\d{2}-\d{3}|\d{3} \d{2}|\d{4} ?[A-Z]{2}|` +
		`[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|[AC-FHKNPRTV-Y]\d{2} ?[AC-FHKNPRTV-Y\d]{4}|\d{4,7})`
	postalKeywordRE = mustCompileFolded(`(?:postal code|postcode|post code|zip code|zipcode|zip|codigo postal|` +
		`\bcp\b|plz|postleitzahl|code postal|\bcep\b|kode pos|ma buu chinh|ma buu dien|ma zip|الرمز البريدي|رمز بريدي|` +
		`รหัสไปรษณีย์|郵便番号|〒|邮编|邮政编码)(?:[\s:：#.,\-]|\bis\b|\bes\b|\bist\b|\best\b|\be\b|\badalah\b|` +
		`\bla\b|\bwould be\b|は|是|คือ|هو)*`)
	postalAfterKeywordRE = regexp.MustCompile(`^(?i)` + postalShape + `(?:$|[^\p{Latin}\p{N}\-])`)
	postalBareRE         = regexp.MustCompile(`(?i)(?:^|[^\p{Latin}\p{N}\-])` + postalShape + `(?:$|[^\p{Latin}\p{N}\-])`)
)

// findPostalCode returns a postal code introduced by a postal-code word, or, when asked
// is true, a code that makes up most of the message ("10115", "SW1A 1AA", "150-0001").
func findPostalCode(text string, asked bool) string {
	folded := hashembed.Normalize(text)
	// Normalize keeps lengths for ASCII; fall back to the folded text for the value when
	// it does not, since postal codes are ASCII anyway.
	src := text
	if len(folded) != len(text) {
		src = folded
	}
	for _, m := range postalKeywordRE.FindAllStringIndex(folded, -1) {
		if pm := postalAfterKeywordRE.FindStringSubmatch(src[m[1]:]); pm != nil {
			return strings.ToUpper(pm[1])
		}
	}
	if !asked {
		return ""
	}
	m := postalBareRE.FindStringSubmatchIndex(src)
	if m == nil {
		return ""
	}
	others := countLetters(src[:m[2]]) + countLetters(src[m[3]:])
	if others > 24 {
		return ""
	}
	return strings.ToUpper(src[m[2]:m[3]])
}

// Person names, best effort: the customer introduces themself ("my name is Ana López",
// "I'm Tom Baker", "je m'appelle Luc", "me chamo João", "tên tôi là Nguyễn Văn An",
// "اسمي محمد علي", "ฉันชื่อสมชาย", "田中と申します", "我叫王小明").
var (
	// After these, the name may be written in lower case.
	nameSaidRE = regexp.MustCompile(`(?i:\b(?:my name is|my name's|name is|me llamo|mi nombre es|ich hei(?:ß|ss)e|` +
		`mein name ist|je m'appelle|je m’appelle|mon nom est|meu nome é|meu nome e|me chamo|nama saya|nama aku|` +
		`namaku|tên tôi là|tên mình là|tên tôi|tôi tên là|mình tên là|tên em là))\s+` + nameWords)
	// After these (a bare "I am"), only capitalised words count: "I am Anna", not "I am waiting".
	nameIntroRE = regexp.MustCompile(`(?i:\b(?:i am|i'm|i’m|this is|soy|ich bin|hier ist|je suis|c'est|eu sou|sou o|` +
		`sou a|saya|aku|tôi là|mình là|em là))\s+` + capitalisedNameWords)
	nameWords            = `([\p{L}'’\-]+(?:\s+[\p{L}'’\-]+){0,3})`
	capitalisedNameWords = `(\p{Lu}[\p{L}'’\-]*(?:\s+(?:(?:de|da|do|dos|das|del|van|von|der|den|di|le|la|bin|binti|al|el)\s+)?\p{Lu}[\p{L}'’\-]*){0,3})`

	nameArabicRE   = regexp.MustCompile(`(?:اسمي|أنا اسمي|انا اسمي|معك)\s+(\p{Arabic}+(?:\s+\p{Arabic}+){0,2})`)
	nameThaiRE     = regexp.MustCompile(`(?:ฉันชื่อ|ผมชื่อ|ดิฉันชื่อ|หนูชื่อ|เราชื่อ|ชื่อ)\s*(\p{Thai}+?)(?:ค่ะ|ครับ|คะ|นะ|จ้า|\s|$)`)
	nameJapaneseRE = regexp.MustCompile(`(?:私の名前は|名前は)?\s*([\p{Han}\p{Katakana}ー]{1,8}(?:\s[\p{Han}\p{Katakana}ー]{1,8})?)\s*(?:と申します|といいます)`)
	nameJaNamedRE  = regexp.MustCompile(`(?:私の名前は|名前は)\s*([\p{Han}\p{Katakana}\p{Hiragana}ー]{1,8})(?:です|といいます|と申します)`)
	nameChineseRE  = regexp.MustCompile(`(?:我叫|我的名字是|我的名字叫|本人叫)\s*(\p{Han}{2,4})`)
)

// nameStop ends a name: words that follow it in a sentence, not parts of it.
var nameStop = map[string]bool{
	"and": true, "y": true, "und": true, "et": true, "e": true, "dan": true, "va": true, "và": true,
	"i": true, "my": true, "mi": true, "mein": true, "meine": true, "mon": true, "ma": true, "meu": true,
	"minha": true, "saya": true, "tôi": true, "from": true, "please": true, "por": true,
	"bitte": true, "svp": true, "the": true, "order": true, "pedido": true, "bestellung": true,
	"commande": true, "pesanan": true, "is": true, "es": true, "ist": true, "est": true,
	"not": true, "here": true, "aqui": true, "hier": true, "ici": true, "thanks": true,
	"gracias": true, "danke": true, "merci": true, "obrigado": true, "obrigada": true, "cảm": true,
	"terima": true, "with": true, "con": true, "mit": true, "avec": true, "com": true, "dengan": true,
	"với": true, "want": true, "need": true, "quiero": true, "möchte": true, "veux": true, "quero": true,
	"mau": true, "muốn": true, "cần": true,
}

// notNames are capitalised words that follow "I am"/"soy" without being a name.
var notNames = map[string]bool{
	"sorry": true, "not": true, "so": true, "very": true, "still": true, "waiting": true, "trying": true,
	"looking": true, "going": true, "from": true, "here": true, "a": true, "an": true, "the": true,
	"interested": true, "unable": true, "happy": true, "angry": true, "writing": true, "calling": true,
	"disappointed": true, "confused": true, "done": true, "fine": true, "ok": true, "okay": true,
	"el": true, "la": true, "un": true, "una": true, "de": true, "cliente": true, "customer": true,
	"der": true, "die": true, "ein": true, "eine": true, "kunde": true, "kundin": true, "le": true,
	"client": true, "o": true, "um": true, "uma": true, "pelanggan": true,
	"khách": true, "sehr": true, "muy": true, "très": true, "muito": true, "sangat": true, "rất": true,
}

// findName returns the name the customer gave for themself, as written, or "".
func findName(text string) string {
	if m := nameSaidRE.FindStringSubmatch(text); m != nil {
		if n := trimName(m[1], false); n != "" {
			return n
		}
	}
	if m := nameIntroRE.FindStringSubmatch(text); m != nil {
		if n := trimName(m[1], true); n != "" {
			return n
		}
	}
	for _, re := range []*regexp.Regexp{nameArabicRE, nameThaiRE, nameJaNamedRE, nameJapaneseRE, nameChineseRE} {
		if m := re.FindStringSubmatch(text); m != nil {
			return strings.TrimSpace(m[1])
		}
	}
	return ""
}

// trimName keeps the words of a name up to the first word that ends it.
func trimName(s string, capitalised bool) string {
	var kept []string
	for _, w := range strings.Fields(s) {
		lw := strings.ToLower(strings.Trim(w, "'’-"))
		if nameStop[lw] || (len(kept) == 0 && notNames[lw]) {
			break
		}
		if capitalised {
			r := []rune(w)
			if len(r) == 0 || !unicode.IsUpper(r[0]) {
				break
			}
		}
		kept = append(kept, w)
	}
	return strings.Join(kept, " ")
}
