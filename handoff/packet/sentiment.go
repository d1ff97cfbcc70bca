package packet

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/attache-dev/attache/i18n"
)

// negativeWords are small lists of words and phrases that, in customer service, nearly
// always mean the customer is unhappy. They are folded (lower case, NFKC). Latin-script
// entries match whole words; the others match anywhere (Arabic attaches prefixes,
// Chinese, Japanese and Thai are written without spaces).
//
// The lists are deliberately short and honest about their limits: no negation ("not
// bad" counts as negative), no sarcasm, no intensity beyond counting.
var negativeWords = map[string][]string{
	"en": {"terrible", "awful", "horrible", "worst", "useless", "ridiculous", "unacceptable",
		"angry", "furious", "disappointed", "disgusting", "scam", "fraud", "rip-off", "rubbish",
		"never again", "waste of", "complaint", "lawyer", "hate", "pathetic", "wtf"},
	"es": {"terrible", "horrible", "pésimo", "pésima", "fatal", "inaceptable", "vergüenza",
		"estafa", "fraude", "harto", "harta", "enfadado", "enfadada", "molesto", "molesta",
		"decepcionado", "decepcionada", "queja", "reclamación", "basura", "nunca más", "ridículo"},
	"de": {"schrecklich", "furchtbar", "unverschämt", "inakzeptabel", "betrug", "abzocke",
		"enttäuscht", "wütend", "sauer", "frechheit", "katastrophe", "beschwerde", "nie wieder",
		"lächerlich", "mist", "unmöglich", "anwalt"},
	"fr": {"nul", "nulle", "horrible", "inadmissible", "inacceptable", "arnaque", "escroquerie",
		"déçu", "déçue", "furieux", "furieuse", "énervé", "énervée", "honteux", "scandaleux",
		"scandale", "plainte", "plus jamais", "ridicule", "lamentable", "avocat"},
	"pt": {"péssimo", "péssima", "horrível", "absurdo", "inaceitável", "golpe", "fraude",
		"decepcionado", "decepcionada", "irritado", "irritada", "furioso", "furiosa", "vergonha",
		"reclamação", "lixo", "nunca mais", "ridículo", "procon", "palhaçada"},
	"ar": {"سيء", "سيئ", "سيئة", "أسوأ", "غاضب", "غاضبة", "زعلان", "محبط", "استياء", "احتيال",
		"نصاب", "غير مقبول", "مهزلة", "شكوى", "فضيحة", "حرامية", "لن أشتري", "لن اشتري"},
	"id": {"kecewa", "buruk", "parah", "jelek", "marah", "kesal", "penipuan", "penipu",
		"tidak terima", "keterlaluan", "komplain", "payah", "kapok", "nyesel", "menyesal"},
	"ja": {"最悪", "ひどい", "酷い", "怒", "不満", "詐欺", "がっかり", "ふざけ", "許せ", "二度と",
		"苦情", "クレーム", "遅すぎ", "ありえない", "あり得ない"},
	"th": {"แย่", "โกง", "ผิดหวัง", "โมโห", "ไม่พอใจ", "ห่วย", "หลอกลวง", "ร้องเรียน", "โคตรช้า",
		"ไม่โอเค"},
	"vi": {"tệ", "thất vọng", "lừa đảo", "bực", "tức giận", "kém", "khiếu nại", "quá đáng",
		"không chấp nhận", "chán", "that vong", "lua dao", "buc minh", "khieu nai"},
	"zh": {"太差", "差劲", "垃圾", "骗子", "欺骗", "失望", "生气", "愤怒", "投诉", "不满意", "坑人",
		"太慢", "再也不", "气死"},
}

// negativeEmoji count in every language.
var negativeEmoji = []string{"😡", "😠", "🤬", "😤", "👎", "💢", "😞", "😢", "😭", "☹", "🙁", "😒"}

// fold lower-cases s for matching: NFKC and Unicode case folding, with a fast path for
// ASCII. A Caser is stateful and may not be shared between goroutines: one per call.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	return cases.Fold().String(norm.NFKC.String(s))
}

// Sentiment scores text for negative sentiment. lang is the message's base language;
// the English list and the emoji count in every language, and an empty or unknown lang
// checks every list. Each keyword or emoji found adds 0.5, shouting (three or more "!",
// or a Latin-script message of at least 12 letters all in capitals) adds 0.25; the score
// is capped at 1. negative is score ≥ 0.5: one keyword or emoji is enough.
func Sentiment(text, lang string) (negative bool, score float64) {
	return sentiment(text, i18n.BaseOf(lang))
}

// sentiment is Sentiment for a base language already resolved.
func sentiment(text, base string) (negative bool, score float64) {
	if strings.TrimSpace(text) == "" {
		return false, 0
	}
	folded := fold(text)
	lists := [][]string{negativeWords["en"]}
	if words, ok := negativeWords[base]; ok {
		if base != "en" {
			lists = append(lists, words)
		}
	} else {
		for l, words := range negativeWords {
			if l != "en" {
				lists = append(lists, words)
			}
		}
	}
	hits := 0
	var seen []string // words found, so that one listed in two languages counts once
	for _, words := range lists {
		for _, w := range words {
			if i18n.ContainsWord(folded, w) && !slices.Contains(seen, w) {
				seen = append(seen, w)
				hits++
			}
		}
	}
	for _, e := range negativeEmoji {
		if strings.Contains(text, e) {
			hits++
		}
	}
	score = 0.5 * float64(hits)
	if shouting(text) {
		score += 0.25
	}
	if score > 1 {
		score = 1
	}
	return score >= 0.5, score
}

func shouting(text string) bool {
	if strings.Count(text, "!")+strings.Count(text, "！") >= 3 {
		return true
	}
	letters, upper := 0, 0
	for _, r := range text {
		if unicode.Is(unicode.Latin, r) && unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	return letters >= 12 && upper == letters
}

// Repeated-negative-sentiment window: hand off when at least handOffNegatives of the
// last handOffWindow customer messages were negative.
const (
	handOffWindow    = 3
	handOffNegatives = 2
)

// ShouldHandOff reports "repeated negative sentiment": at least 2 of the customer's
// last 3 messages were negative. history holds one entry per customer message, oldest
// first, true when it was negative.
func ShouldHandOff(history []bool) bool {
	if len(history) > handOffWindow {
		history = history[len(history)-handOffWindow:]
	}
	n := 0
	for _, neg := range history {
		if neg {
			n++
		}
	}
	return n >= handOffNegatives
}

// sentimentSummary counts negative customer messages, using the upstream signal of a
// message when there is one and Sentiment otherwise.
func sentimentSummary(in Input, lines []Line) SentimentSummary {
	signals := map[int]SentimentSignal{}
	for _, s := range in.Signals {
		signals[s.Message] = s // the last signal for a message wins
	}
	var sum SentimentSummary
	var history []bool
	for i, m := range in.Messages {
		if m.Author != AuthorCustomer {
			continue
		}
		sum.CustomerMessages++
		sig, ok := signals[i]
		if !ok {
			neg, score := sentiment(m.Text, lines[i].Lang)
			sig = SentimentSignal{Message: i, Negative: neg, Score: score, Source: "keywords"}
		}
		history = append(history, sig.Negative)
		if sig.Negative {
			sum.NegativeMessages++
			sum.LastNegative = &NegativeLine{Index: i, Text: m.Text, Score: sig.Score, Source: sig.Source, At: m.CreatedAt}
		}
	}
	sum.Repeated = ShouldHandOff(history)
	return sum
}
