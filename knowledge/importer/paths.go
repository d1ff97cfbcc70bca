package importer

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/attache-dev/attache/i18n"
)

// pathLocalePattern is the shape a path segment must have to be read as a locale: a
// two-letter language, then an optional script and an optional region (letters or UN M.49
// digits), separated by "-" or "_". Three-letter languages are left out on purpose: too
// many ordinary directory names (api, app, doc, new, old) are ISO 639 codes.
var pathLocalePattern = regexp.MustCompile(`^[A-Za-z]{2}(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|[0-9]{3}))?$`)

// pathLocale returns the canonical locale a path segment names, or "".
func pathLocale(segment string) string {
	if !pathLocalePattern.MatchString(segment) {
		return ""
	}
	tag, reason := parseLocale(segment)
	if reason != "" {
		return ""
	}
	return tag
}

// pathMeta is what a document's path relative to the import root says about it.
type pathMeta struct {
	id     string // default external ID
	locale string // "" when the path names none
	market string // "" when the path names none: "returns.DE.md" is the DE override of "returns"
	// problem is set when the file name and the directory name locales that disagree.
	problem string
}

// parsePath reads the default external ID and a locale from a slash-separated path
// relative to the import root: "es/help/returns.md" and "help/returns.es.md" both give
// the ID "help/returns" and the locale "es".
func parsePath(rel string) pathMeta {
	dir, file := path.Split(rel)
	stem := strings.TrimSuffix(file, path.Ext(file))

	var fileLocale, dirLocale, market string
	// A suffix of two capital letters that is a country is a market ("returns.DE.md"), as
	// regions are written in BCP 47; lower case is a language ("returns.de.md"). A market
	// suffix may follow a locale suffix ("returns.de.DE.md").
	if i := strings.LastIndexByte(stem, '.'); i > 0 {
		if suf := stem[i+1:]; len(suf) == 2 && suf == strings.ToUpper(suf) && i18n.IsCountry(suf) {
			market, stem = suf, stem[:i]
		}
	}
	if i := strings.LastIndexByte(stem, '.'); i > 0 {
		if loc := pathLocale(stem[i+1:]); loc != "" {
			fileLocale, stem = loc, stem[:i]
		}
	}
	var segments []string
	if dir = strings.Trim(dir, "/"); dir != "" && dir != "." {
		segments = strings.Split(dir, "/")
		if loc := pathLocale(segments[0]); loc != "" {
			dirLocale, segments = loc, segments[1:]
		}
	}
	m := pathMeta{id: path.Join(append(segments, stem)...), market: market}
	switch {
	case fileLocale == "":
		m.locale = dirLocale
	case dirLocale == "":
		m.locale = fileLocale
	default:
		loc, ok := agree(fileLocale, dirLocale)
		if !ok {
			m.problem = fmt.Sprintf("the file name says locale %s but the directory says %s", fileLocale, dirLocale)
		}
		m.locale = loc
	}
	return m
}

// agree returns the more specific of two canonical locales when one is the other or a
// more specific form of it ("es" and "es-MX"), and false when they differ.
func agree(a, b string) (string, bool) {
	switch {
	case a == b || strings.HasPrefix(a, b+"-"):
		return a, true
	case strings.HasPrefix(b, a+"-"):
		return b, true
	}
	return "", false
}

// resolveLocale combines a locale written in a document (front matter, meta, lang) with the
// one its path gives. what names where the declared locale comes from, for the reason.
func resolveLocale(declared, what string, p pathMeta) (string, string) {
	if p.problem != "" {
		return declared, p.problem
	}
	if strings.TrimSpace(declared) == "" {
		return p.locale, ""
	}
	if p.locale == "" {
		return declared, ""
	}
	canon, reason := parseLocale(strings.TrimSpace(declared))
	if reason != "" {
		// Let validation report the declared locale.
		return declared, ""
	}
	loc, ok := agree(canon, p.locale)
	if !ok {
		return declared, fmt.Sprintf("%s says locale %s but the path says %s", what, canon, p.locale)
	}
	return loc, ""
}

// resolveMarket combines a market written in a document with the one its path gives.
func resolveMarket(declared string, p pathMeta) (string, string) {
	if strings.TrimSpace(declared) == "" || p.market == "" {
		if strings.TrimSpace(declared) == "" {
			return p.market, ""
		}
		return declared, ""
	}
	if m, reason := parseMarket(strings.TrimSpace(declared)); reason == "" && m != p.market {
		return declared, fmt.Sprintf("the document says market %s but the file name says %s", m, p.market)
	}
	return declared, ""
}
