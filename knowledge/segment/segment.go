// Package segment prepares multilingual text for PostgreSQL full-text search and splits it
// into sentences.
//
// PostgreSQL ships a text-search configuration (a stemmer and a stop-word list) for about
// thirty languages; FTSConfig names it for a BCP 47 tag and falls back to "simple" for the
// rest. The default parser does not split Chinese, Japanese, Korean or Thai, so a whole
// clause would become one lexeme that no query ever matches. ForIndex and ForQuery bridge
// that gap in Go, symmetrically:
//
//   - Languages with a configuration: the text goes to Postgres as written (NFKC-normalised),
//     and Postgres tokenises, lower-cases and stems it. ForQuery only splits the question
//     into quoted words joined with OR.
//   - Every other language ("simple"): text is NFKC-normalised and case-folded, then
//     tokenised here. Runs of Han, Hiragana, Katakana and Hangul characters, and runs of
//     Thai, Lao, Khmer and Myanmar characters, become overlapping character bigrams (a
//     one-character run stays a unigram; a "character" is a base letter with its combining
//     marks). Latin, Cyrillic, Arabic-script words and numbers in between stay words. Words
//     with diacritics are indexed twice, as written and without their marks ("đơn" and
//     "don"), and queries ask for both, because customers often type Vietnamese, Polish or
//     Czech without them; exact spellings still rank higher since they match twice.
//
// Bigrams need no dictionary, never miss a query word that occurs in the document, and
// work the same for Chinese, Japanese, Korean and Thai. Their cost is precision: a bigram
// that straddles two words matches unrelated text, and ts_rank has no inverse document
// frequency to discount common ones. Two small measures address the worst of it: queries
// leave out bigrams made only of Hiragana (particles and verb endings such as "ます" that
// occur in nearly every Japanese text) when other terms remain, and the dense-vector half
// of hybrid search supplies the semantic ranking. A dictionary-based Thai segmenter was
// considered and not adopted: without an independent Thai relevance set (the project's
// evaluation data has none), a word list written by the same hand as its tests would only
// measure itself.
//
// Sentences splits text into sentences for chunking: Latin-script punctuation with
// abbreviation and number rules, the Arabic, Devanagari and Ethiopic full stops and question
// marks, the CJK full-width terminators, and the spaces that separate Thai sentences.
//
// The package is pure Go and does not talk to a database. It is not a linguistic analyser:
// no stemming (Postgres does it), no part-of-speech tagging, no language identification
// (the i18n package does that; callers pass the language they know).
package segment

import (
	"strings"

	"golang.org/x/text/language"
)

// Language returns the base language of a BCP 47 tag, lower-case: "pt-BR" gives "pt",
// "zh-Hant-TW" gives "zh", "iw" gives "he". It returns "" for an empty or unparseable tag.
func Language(tag string) string {
	tag = strings.TrimSpace(strings.ReplaceAll(tag, "_", "-"))
	if tag == "" {
		return ""
	}
	t, err := language.Parse(tag)
	if err != nil {
		// Parse rejects unknown subtags after the language ("en-XYZW"); the language itself
		// is still usable when the first subtag is one.
		first, _, _ := strings.Cut(tag, "-")
		if t, err = language.Parse(first); err != nil {
			return ""
		}
	}
	if t.IsRoot() { // "und": Base would guess English
		return ""
	}
	base, conf := t.Base()
	if conf == language.No {
		return ""
	}
	return base.String()
}

// FTSConfig returns the name of the PostgreSQL text-search configuration for a BCP 47
// language tag: "english" for "en-GB", "portuguese" for "pt-BR", and "simple" for every
// language that stock PostgreSQL (15 and later, and PGlite) has no stemmer for, among them
// Chinese, Japanese, Korean, Thai, Vietnamese, Hebrew, Persian, Polish and Malay.
//
// The result is always one of a fixed set of identifiers and can be passed to SQL as a
// parameter cast to regconfig.
func FTSConfig(lang string) string {
	switch Language(lang) {
	case "ar":
		return "arabic"
	case "hy":
		return "armenian"
	case "eu":
		return "basque"
	case "ca":
		return "catalan"
	case "da":
		return "danish"
	case "nl":
		return "dutch"
	case "en":
		return "english"
	case "fi":
		return "finnish"
	case "fr":
		return "french"
	case "de":
		return "german"
	case "el":
		return "greek"
	case "hi":
		return "hindi"
	case "hu":
		return "hungarian"
	case "id":
		return "indonesian"
	case "ga":
		return "irish"
	case "it":
		return "italian"
	case "lt":
		return "lithuanian"
	case "ne":
		return "nepali"
	case "nb", "no":
		// The Snowball stemmer is Bokmål's; Nynorsk ("nn") stays on "simple".
		return "norwegian"
	case "pt":
		return "portuguese"
	case "ro":
		return "romanian"
	case "ru":
		return "russian"
	case "sr":
		return "serbian"
	case "es":
		return "spanish"
	case "sv":
		return "swedish"
	case "ta":
		return "tamil"
	case "tr":
		return "turkish"
	case "yi":
		return "yiddish"
	}
	return "simple"
}

// stemmed reports whether lang has a configuration of its own, in which case Postgres
// tokenises and stems the text and this package leaves it as written.
func stemmed(lang string) bool { return FTSConfig(lang) != "simple" }
