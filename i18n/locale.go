// Package i18n is Attaché's language layer: which locales the product speaks, how a
// customer's hints (browser Accept-Language, profile locale, channel) map onto them, which
// language a message is written in, the message catalogs that hold every system sentence,
// and text direction for right-to-left scripts.
//
// It is not a translator: there is no offline machine translation, and text in a language
// without a catalog is answered in the closest supported locale (English when nothing is
// close). It does not decide what to say — the agents do — only how it is said.
//
// Everything here is safe for concurrent use. The one piece of shared state is the
// language detector for Latin-script text, built once on first use (see WarmUp) and
// read-only afterwards.
package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// supported lists the locales with a complete message catalog, in matcher preference
// order: English first, so that it is the default when nothing matches. Portuguese means
// Brazilian Portuguese and Chinese means Simplified Chinese; Traditional Chinese readers
// get Simplified Chinese rather than English until a zh-Hant catalog exists.
var supported = []language.Tag{
	language.English,
	language.Spanish,
	language.German,
	language.French,
	language.BrazilianPortuguese,
	language.Arabic,
	language.Thai,
	language.Vietnamese,
	language.Indonesian,
	language.Japanese,
	language.SimplifiedChinese,
}

// matcher is built once from supported and never changes.
var matcher = language.NewMatcher(supported)

// Supported returns the locales Attaché has catalogs for, English first. The slice is a
// copy; changing it changes nothing.
func Supported() []language.Tag {
	return append([]language.Tag(nil), supported...)
}

// fallback is the locale used when nothing in the customer's hints matches a supported one.
var fallback = language.English

// Match returns the supported locale that best serves a customer with the given hints,
// most important first. Each hint is a BCP 47 tag ("es-MX", "zh-Hant-HK") or an
// Accept-Language header value ("fr-CH, fr;q=0.9, en;q=0.8"); empty and malformed hints
// are skipped. Examples: pt → pt-BR, es-MX → es, zh-Hant-HK → zh-Hans, ms → id,
// ko or nothing → en.
//
// The result is always one of Supported, without the region extensions the
// language.Matcher adds, so it can be used as a catalog key.
func Match(hints ...string) language.Tag {
	tags := ParseHints(hints...)
	if len(tags) == 0 {
		return fallback
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return fallback
	}
	return supported[idx]
}

// ParseHints turns locale hints into language tags, most preferred first. A hint may be a
// single tag or an Accept-Language value with quality weights; q=0 entries, "*", empty and
// malformed hints are dropped.
func ParseHints(hints ...string) []language.Tag {
	var out []language.Tag
	for _, h := range hints {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if !strings.ContainsAny(h, ",;") {
			// Underscores come from POSIX locales and some SDKs ("pt_BR").
			if t, err := language.Parse(strings.ReplaceAll(h, "_", "-")); err == nil && t != language.Und {
				out = append(out, t)
			}
			continue
		}
		tags, _, err := language.ParseAcceptLanguage(h)
		if err != nil {
			continue
		}
		for _, t := range tags {
			if t != language.Und {
				out = append(out, t)
			}
		}
	}
	return out
}

// Base returns the BCP 47 base language of tag: "pt" for pt-BR, "zh" for zh-Hans-CN.
// It returns "" for the undetermined tag.
func Base(tag language.Tag) string {
	if tag == language.Und {
		return ""
	}
	b, conf := tag.Base()
	// A private-use or otherwise unknown tag has no base language: its base is "und".
	if conf == language.No || b.String() == "und" {
		return ""
	}
	return b.String()
}

// BaseOf is Base for a tag in string form; it returns "" when s does not parse.
func BaseOf(s string) string {
	t, err := language.Parse(strings.ReplaceAll(strings.TrimSpace(s), "_", "-"))
	if err != nil {
		return ""
	}
	return Base(t)
}
