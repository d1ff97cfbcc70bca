package i18n

import (
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/pemistahl/lingua-go"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Sources of a Detection.
const (
	// SourceScript: the writing system alone decides (Thai, Arabic, Hangul, Kana, Han, ...).
	SourceScript = "script"
	// SourceDetector: the statistical detector or the short-message rules decided.
	SourceDetector = "detector"
	// SourceHint: the text did not say; the caller's hint (browser or profile locale)
	// decided. With Confidence 0 not even a hint was given and Lang is "en".
	SourceHint = "hint"
)

// Detection is the language a message is written in.
type Detection struct {
	// Lang is a BCP 47 base language ("es", "pt", "zh"). It may be a language without a
	// catalog ("ko", "ru"); Match(Lang, hint) picks the locale to answer in.
	Lang string
	// Confidence is in [0, 1]. Script decisions are near 1; hints are 0.5; the fallback to
	// English with nothing to go on is 0.
	Confidence float64
	// Source is one of SourceScript, SourceDetector, SourceHint.
	Source string
}

// latinLanguages are the supported languages written in Latin script: the only ones the
// statistical detector is asked to tell apart. Keeping the set small keeps its memory
// (about 113 MB of n-gram models in high-accuracy mode) and its error rate down.
var latinLanguages = map[lingua.Language]string{
	lingua.English:    "en",
	lingua.Spanish:    "es",
	lingua.German:     "de",
	lingua.French:     "fr",
	lingua.Portuguese: "pt",
	lingua.Vietnamese: "vi",
	lingua.Indonesian: "id",
}

var (
	detectorOnce sync.Once
	detector     lingua.LanguageDetector
)

// latinDetector returns the shared lingua detector, building it on first use.
//
// Mode, measured on this project's 2-core machines for the seven Latin-script languages
// (BenchmarkDetect, TestDetectAccuracy, and a throw-away program reading VmHWM):
//
//	mode                       heap     peak RSS   load        per message   table (72 Latin rows)
//	high accuracy, preloaded   113 MB   257 MB     1.2–2.2 s   0.2–0.3 ms    69/72
//	high accuracy, lazy        113 MB   219 MB     on 1st use  0.2–0.3 ms    69/72
//	low accuracy               7 MB     25 MB      0.1 s       0.15–0.2 ms   65/72
//
// Low accuracy (trigrams only) misreads exactly the short messages customers send
// ("where is my order" → German, "quero falar com um atendente" → Spanish), so high
// accuracy it is. The models are preloaded in one go rather than lazily per language so
// that the cost falls on WarmUp at start-up, not on a customer's turn; the extra peak
// RSS is transient.
func latinDetector() lingua.LanguageDetector {
	detectorOnce.Do(func() {
		langs := make([]lingua.Language, 0, len(latinLanguages))
		for l := range latinLanguages {
			langs = append(langs, l)
		}
		detector = lingua.NewLanguageDetectorBuilder().
			FromLanguages(langs...).
			WithPreloadedLanguageModels().
			Build()
	})
	return detector
}

// WarmUp loads the language models of the detector so that the first customer message
// does not wait for them (about a second). Servers call it once at start-up, in the
// background if they like; calling it again is free.
func WarmUp() { latinDetector() }

// Detect tells which language text is written in. Hints are the customer's locale hints,
// most important first (see ParseHints); they decide when the text does not: very short
// or ambiguous messages ("ok", "hi", an order number alone), or statistically close calls.
// With neither a clear text nor a hint, the answer is English with Confidence 0.
//
// The order of evidence: the writing system (Thai, Arabic, Hebrew, Hangul → ko, Kana → ja,
// Han without Kana → zh, Cyrillic, Devanagari, Greek); for Latin script, a lexicon of
// one-to-three-word greetings and thanks, characters only one supported language uses
// (¿ ¡ ñ → es, ã õ → pt, ß ä ö → de, ơ ư đ and stacked tone marks → vi), unaccented
// Vietnamese function words, then the statistical detector over en, es, de, fr, pt, vi, id.
func Detect(text string, hints ...string) Detection {
	hint := hintLanguage(hints)
	s := stripNonWords(norm.NFKC.String(text))

	if d, ok := detectScript(s); ok {
		return d
	}

	folded := foldLatin(s)
	words := strings.Fields(folded)
	letters := countLetters(folded)
	if letters == 0 {
		return fromHint(hint)
	}
	if lang, ok := lexiconLanguage(words); ok {
		return Detection{Lang: lang, Confidence: 0.9, Source: SourceDetector}
	}
	if letters < 5 || allAmbiguous(words) {
		return fromHint(hint)
	}
	if lang, ok := strongCue(s); ok {
		return Detection{Lang: lang, Confidence: 0.95, Source: SourceDetector}
	}
	if unaccentedVietnamese(words) {
		return Detection{Lang: "vi", Confidence: 0.8, Source: SourceDetector}
	}

	values := latinDetector().ComputeLanguageConfidenceValues(s)
	if len(values) == 0 || values[0].Value() == 0 {
		return fromHint(hint)
	}
	top, topValue := latinLanguages[values[0].Language()], values[0].Value()
	second := 0.0
	if len(values) > 1 {
		second = values[1].Value()
	}
	// A clear call stands against any hint. A close call between the hint's language and
	// another goes to the hint: a Brazilian writing "quero meu pedido" with a pt-BR
	// browser is Portuguese even if Spanish scored a little higher. A single word is a
	// weaker signal ("reembolso" is Spanish and Portuguese) and needs a clearer call.
	clearAt, margin := 0.5, 0.25
	if len(words) == 1 {
		clearAt, margin = 0.8, 0.5
	}
	// Spanish and Portuguese share most of their letters and many words; a few frequent
	// words are not shared, and overrule a detector that saw the rest ("olá, quero
	// cancelar" is Portuguese).
	if other, ok := iberianOverride(top, words); ok {
		return Detection{Lang: other, Confidence: 0.7, Source: SourceDetector}
	}
	if topValue >= clearAt || topValue-second >= margin {
		return Detection{Lang: top, Confidence: topValue, Source: SourceDetector}
	}
	if hint != "" {
		for _, v := range values {
			if latinLanguages[v.Language()] == hint && v.Value() >= topValue/2 {
				return Detection{Lang: hint, Confidence: 0.5, Source: SourceHint}
			}
		}
	}
	return Detection{Lang: top, Confidence: topValue, Source: SourceDetector}
}

func fromHint(hint string) Detection {
	if hint == "" {
		return Detection{Lang: "en", Confidence: 0, Source: SourceHint}
	}
	return Detection{Lang: hint, Confidence: 0.5, Source: SourceHint}
}

// hintLanguage returns the base language of the first usable hint.
func hintLanguage(hints []string) string {
	tags := ParseHints(hints...)
	if len(tags) == 0 {
		return ""
	}
	return Base(tags[0])
}

// nonWords are parts of a message that say nothing about its language: links, e-mail
// addresses, @handles, and tokens with digits (order numbers, amounts, dates, phones).
// Digits take the Latin letters and symbols glued to them (W2378156, #12345, 29.99€)
// but not the CJK or Thai text around them, which is written without spaces.
var nonWords = regexp.MustCompile(`(?i)https?://\S+|www\.\S+|\S+@\S+|@\w+|[\p{Latin}\p{N}#\-_/.,:$€£¥%+]*\p{N}[\p{Latin}\p{N}#\-_/.,:$€£¥%+]*`)

func stripNonWords(s string) string {
	return nonWords.ReplaceAllString(s, " ")
}

// scriptCount tallies letters by writing system. Han, Kana and Hangul characters count
// three times: one of them carries about as much as a short Latin word.
type scriptCount struct {
	latin, thai, arabic, persian, urdu, hebrew, hangul, kana, han, cyrillic, ukrainian, devanagari, greek int
}

func (c scriptCount) weighted() (best string, share float64) {
	all := []struct {
		name string
		n    int
	}{
		{"latin", c.latin}, {"thai", c.thai}, {"arabic", c.arabic}, {"hebrew", c.hebrew},
		{"hangul", 3 * c.hangul}, {"cjk", 3 * (c.kana + c.han)}, {"cyrillic", c.cyrillic},
		{"devanagari", c.devanagari}, {"greek", c.greek},
	}
	total, max := 0, 0
	for _, s := range all {
		total += s.n
		if s.n > max {
			best, max = s.name, s.n
		}
	}
	if total == 0 {
		return "", 0
	}
	return best, float64(max) / float64(total)
}

// Letters specific to Persian and Urdu among Arabic-script letters.
const (
	persianLetters = "پچژگکی"
	urduLetters    = "ٹڈڑںےہھ"
	ukrainianExtra = "іїєґІЇЄҐ"
)

func countScripts(s string) scriptCount {
	var c scriptCount
	for _, r := range s {
		switch {
		case r < 0x80:
			if unicode.IsLetter(r) {
				c.latin++
			}
		case unicode.Is(unicode.Latin, r):
			c.latin++
		case unicode.Is(unicode.Thai, r):
			if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
				c.thai++
			}
		case unicode.Is(unicode.Arabic, r):
			if unicode.IsLetter(r) {
				c.arabic++
				if strings.ContainsRune(urduLetters, r) {
					c.urdu++
				} else if strings.ContainsRune(persianLetters, r) {
					c.persian++
				}
			}
		case unicode.Is(unicode.Hebrew, r):
			if unicode.IsLetter(r) {
				c.hebrew++
			}
		case unicode.Is(unicode.Hangul, r):
			c.hangul++
		case unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
			// The long-vowel mark ー is Common, not Katakana, and is not counted.
			c.kana++
		case unicode.Is(unicode.Han, r):
			c.han++
		case unicode.Is(unicode.Cyrillic, r):
			c.cyrillic++
			if strings.ContainsRune(ukrainianExtra, r) {
				c.ukrainian++
			}
		case unicode.Is(unicode.Devanagari, r):
			if unicode.IsLetter(r) {
				c.devanagari++
			}
		case unicode.Is(unicode.Greek, r):
			c.greek++
		}
	}
	return c
}

// detectScript decides the language from the writing system when that is enough. It
// returns false for Latin script and for text without letters.
func detectScript(s string) (Detection, bool) {
	c := countScripts(s)
	best, share := c.weighted()
	conf := 0.6 + 0.39*share // a pure script gives 0.99; a mixed message less
	d := Detection{Confidence: conf, Source: SourceScript}
	switch best {
	case "", "latin":
		return Detection{}, false
	case "thai":
		d.Lang = "th"
	case "arabic":
		d.Lang = "ar"
		switch {
		case c.urdu > 0 && c.urdu*20 >= c.arabic:
			d.Lang = "ur"
		case c.persian >= 2 && c.persian*20 >= c.arabic:
			d.Lang = "fa"
		}
	case "hebrew":
		d.Lang = "he"
	case "hangul":
		d.Lang = "ko"
	case "cjk":
		// Japanese writes Kana between its Kanji; Chinese has none. A Japanese message
		// of Kanji alone ("注文番号") reads as Chinese — rare, and close enough to hand off.
		d.Lang = "zh"
		if c.kana > 0 {
			d.Lang = "ja"
		}
	case "cyrillic":
		d.Lang = "ru"
		d.Confidence = 0.6
		if c.ukrainian > 0 {
			d.Lang = "uk"
			d.Confidence = 0.8
		}
	case "devanagari":
		d.Lang = "hi"
		d.Confidence = 0.7 // also Marathi, Nepali
	case "greek":
		d.Lang = "el"
	}
	return d, true
}

// foldLatin lower-cases s and removes diacritics from Latin letters, for the lexicons.
func foldLatin(s string) string {
	s = cases.Fold().String(s)
	d := norm.NFD.String(s)
	var sb strings.Builder
	sb.Grow(len(d))
	for _, r := range d {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case !unicode.IsLetter(r) && r != '\'':
			r = ' '
		}
		sb.WriteRune(r)
	}
	return sb.String()
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

// shortPhrases are whole messages of one to three words whose language is certain, even
// though they are too short for the statistical detector. Keys are folded (foldLatin).
var shortPhrases = map[string]string{
	"hello": "en", "hello there": "en", "hey there": "en", "thanks": "en", "thank you": "en",
	"thank u": "en", "thx": "en", "thanks a lot": "en", "goodbye": "en", "bye": "en",
	"good morning": "en", "good afternoon": "en", "good evening": "en", "cheers": "en",
	"many thanks": "en", "bye bye": "en", "see you": "en",

	"hola": "es", "gracias": "es", "muchas gracias": "es", "buenas": "es", "buenos dias": "es",
	"buenas tardes": "es", "buenas noches": "es", "adios": "es", "hasta luego": "es",
	"mil gracias": "es", "ayuda": "es", "hola buenas": "es",

	"hallo": "de", "danke": "de", "danke schon": "de", "dankeschon": "de", "vielen dank": "de",
	"guten tag": "de", "guten morgen": "de", "guten abend": "de", "tschuss": "de",
	"servus": "de", "moin": "de", "auf wiedersehen": "de", "danke sehr": "de",

	"bonjour": "fr", "bonsoir": "fr", "merci": "fr", "merci beaucoup": "fr", "salut": "fr",
	"au revoir": "fr", "merci bien": "fr", "coucou": "fr",

	"ola": "pt", "oi": "pt", "obrigado": "pt", "obrigada": "pt", "valeu": "pt",
	"bom dia": "pt", "boa tarde": "pt", "boa noite": "pt", "tchau": "pt", "muito obrigado": "pt",
	"muito obrigada": "pt", "oi tudo bem": "pt",

	"xin chao": "vi", "chao": "vi", "cam on": "vi", "cam on ban": "vi", "chao shop": "vi",
	"cam on shop": "vi", "chao ban": "vi", "xin cam on": "vi",

	"halo": "id", "terima kasih": "id", "makasih": "id", "selamat pagi": "id",
	"selamat siang": "id", "selamat sore": "id", "selamat malam": "id", "permisi": "id",
	"halo kak": "id", "makasih kak": "id", "terima kasih kak": "id",

	// The words the greeting tells customers to type to reach a person.
	"mitarbeiter": "de", "conseiller": "fr", "atendente": "pt", "nhan vien": "vi",
	"agen": "id", "petugas": "id",
}

// ambiguousWords, alone, do not tell a language: short acknowledgements and
// internationalisms that customers of every language type.
var ambiguousWords = map[string]bool{
	"ok": true, "okay": true, "okey": true, "k": true, "hi": true, "hey": true, "yes": true,
	"no": true, "si": true, "ja": true, "nein": true, "oui": true, "non": true, "sim": true,
	"nao": true, "ya": true, "agent": true, "agente": true, "help": true,
	"info": true, "order": true, "pedido": true, "status": true, "tracking": true,
	"please": true, "pls": true, "plz": true, "hmm": true, "ah": true, "oh": true,
	"lol": true, "test": true, "a": true, "e": true, "o": true, "y": true, "u": true,
	"shop": true, "admin": true, "cs": true, "human": true, "humano": true,
}

// lexiconLanguage decides one-to-three-word messages: the whole message is a known phrase
// ("muchas gracias"), or its words are known phrases and ambiguous words that agree on
// one language ("ok bye", "hola agente").
func lexiconLanguage(words []string) (string, bool) {
	if len(words) == 0 || len(words) > 3 {
		return "", false
	}
	if lang, ok := shortPhrases[strings.Join(words, " ")]; ok {
		return lang, true
	}
	found := ""
	for _, w := range words {
		if ambiguousWords[w] {
			continue
		}
		lang, ok := shortPhrases[w]
		if !ok || (found != "" && lang != found) {
			return "", false
		}
		found = lang
	}
	return found, found != ""
}

func allAmbiguous(words []string) bool {
	for _, w := range words {
		if !ambiguousWords[w] {
			return false
		}
	}
	return true
}

// strongCue returns a language when the text holds characters that, among the supported
// Latin-script languages, only that language uses.
func strongCue(s string) (string, bool) {
	s = strings.ToLower(s)
	switch {
	case strings.ContainsAny(s, "ơưđăạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"):
		return "vi", true
	case strings.ContainsAny(s, "¿¡ñ"):
		return "es", true
	case strings.ContainsAny(s, "ãõ"):
		return "pt", true
	case strings.ContainsAny(s, "ßäö"):
		return "de", true
	case strings.ContainsAny(s, "œèùëïîûæ"):
		return "fr", true
	}
	return "", false
}

// vietnameseWords are frequent Vietnamese words as typed without diacritics, which the
// statistical detector confuses with French or Portuguese. None is a common word in the
// other supported languages.
var vietnameseWords = map[string]bool{
	"khong": true, "ko": true, "duoc": true, "dc": true, "cua": true, "chua": true,
	"nhe": true, "nha": true, "roi": true, "minh": true, "muon": true, "giup": true,
	"nguoi": true, "vien": true, "giao": true, "hang": true, "kiem": true, "thanh": true,
	"toan": true, "hoan": true, "tien": true, "bao": true, "lau": true, "xin": true,
	"chao": true, "huy": true, "nhan": true, "toi": true, "dau": true, "voi": true,
	"oi": true, "ak": true, "gio": true, "mua": true, "hom": true,
	"qua": true, "nay": true, "don": true, "gi": true, "ban": true,
	"cam": true, "em": true, "anh": true, "chi": true, "tu": true, "van": true,
	"dat": true, "da": true, "khi": true, "nao": true, "bi": true, "loi": true,
	"vay": true, "ne": true, "hoi": true, "ship": true,
}

// vietnameseStrong are the words of vietnameseWords that another supported language does
// not also use: at least two of them must occur.
var vietnameseStrong = map[string]bool{
	"khong": true, "duoc": true, "dc": true, "cua": true, "chua": true, "nhe": true,
	"roi": true, "minh": true, "muon": true, "giup": true, "nguoi": true, "giao": true,
	"kiem": true, "hoan": true, "xin": true, "huy": true, "nhan": true, "voi": true,
	"hang": true, "toi": true, "dau": true, "bao": true, "lau": true, "gio": true, "hom": true,
}

func unaccentedVietnamese(words []string) bool {
	if len(words) < 2 {
		return false
	}
	hits, strong := 0, 0
	for _, w := range words {
		if vietnameseWords[w] {
			hits++
		}
		if vietnameseStrong[w] {
			strong++
		}
	}
	return strong >= 2 && hits*5 >= len(words)*3
}

// Frequent words that only Portuguese or only Spanish uses, folded.
var (
	portugueseOnly = map[string]bool{
		"quero": true, "meu": true, "minha": true, "meus": true, "minhas": true, "nao": true,
		"voce": true, "voces": true, "obrigado": true, "obrigada": true, "cade": true,
		"pra": true, "com": true, "uma": true, "ainda": true, "tambem": true, "entao": true,
		"agora": true, "seu": true, "sua": true, "encomenda": true, "dinheiro": true, "ola": true,
		"oi": true, "preciso": true, "estou": true, "isso": true, "aqui": true, "chegou": true,
	}
	spanishOnly = map[string]bool{
		"quiero": true, "mi": true, "mis": true, "usted": true, "gracias": true, "donde": true,
		"una": true, "con": true, "todavia": true, "tambien": true, "ya": true, "ahora": true,
		"hola": true, "dinero": true, "necesito": true, "estoy": true, "eso": true,
		"llego": true, "llegado": true, "puedo": true, "pueden": true, "hay": true, "el": true,
	}
)

// iberianOverride returns the other of es/pt when the detector chose one of them but
// only words of the other occur.
func iberianOverride(top string, words []string) (string, bool) {
	if top != "es" && top != "pt" {
		return "", false
	}
	pt, es := 0, 0
	for _, w := range words {
		if portugueseOnly[w] {
			pt++
		}
		if spanishOnly[w] {
			es++
		}
	}
	switch {
	case top == "es" && pt > 0 && es == 0:
		return "pt", true
	case top == "pt" && es > 0 && pt == 0:
		return "es", true
	}
	return "", false
}
