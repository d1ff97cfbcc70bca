package importer

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/knowledge"
)

// fields are a record's values as a source gives them, before validation.
type fields struct {
	externalID   string
	locale       string
	title        string
	body         string
	market       string
	tags         []string
	url          string
	status       string
	sourceLocale string
	channels     []string
	audience     string
}

// Limits on single fields; MaxBodySize is exported with the other size limits.
const (
	maxExternalID = 256
	maxTitle      = 1 << 10
	maxTags       = 32
	maxTag        = 64
	maxChannels   = 16
)

// channelName is what a channel may be called: a short lower-case word.
var channelName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// Statuses a record may have.
const (
	statusPublished = "published"
	statusDraft     = "draft"
)

// normalise validates a record and returns it normalised, or the problems that reject it.
func normalise(in fields) (knowledge.Record, []string) {
	var (
		rec      knowledge.Record
		problems []string
	)
	problem := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	// line checks a single-line field and collapses its whitespace.
	line := func(name, v string) (string, bool) {
		if reason := textProblem(v); reason != "" {
			problem("%s %s", name, reason)
			return "", false
		}
		v = oneLine(v)
		if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			problem("%s contains a control character", name)
			return "", false
		}
		return v, true
	}

	// required checks a single-line field that must be present and at most limit bytes long,
	// and returns it, or "" after a problem.
	required := func(name, v string, limit int) string {
		v, ok := line(name, v)
		switch {
		case !ok:
		case v == "":
			problem("%s is required", name)
		case len(v) > limit:
			problem("%s is longer than %d bytes", name, limit)
		default:
			return v
		}
		return ""
	}

	rec.ExternalID = required("external_id", in.externalID, maxExternalID)

	if v, ok := line("locale", in.locale); ok {
		if v == "" {
			problem("locale is required")
		} else if tag, reason := parseLocale(v); reason != "" {
			problem("locale %q %s", clip(v), reason)
		} else {
			rec.Locale = tag
		}
	}

	rec.Title = required("title", in.title, maxTitle)

	if reason := textProblem(in.body); reason != "" {
		problem("body %s", reason)
	} else {
		switch b := normaliseBody(in.body); {
		case b == "":
			problem("body is required")
		case len(b) > MaxBodySize:
			problem("body is %s, over the %s limit", byteSize(len(b)), byteSize(MaxBodySize))
		default:
			rec.Body = b
		}
	}

	if v, ok := line("market", in.market); ok {
		if m, reason := parseMarket(v); reason != "" {
			problem("%s", reason)
		} else {
			rec.Market = m
		}
	}

	rec.Tags = normaliseTags(in.tags, problem)

	if v, ok := line("status", in.status); ok {
		switch v = strings.ToLower(v); v {
		case "":
			rec.Status = statusPublished
		case statusPublished, statusDraft:
			rec.Status = v
		default:
			problem("status %q is neither %s nor %s", clip(v), statusPublished, statusDraft)
		}
	}

	if v, ok := line("url", in.url); ok && v != "" {
		if !isWebURL(v) {
			problem("url %q is not an absolute http or https URL", clip(v))
		} else {
			rec.URL = v
		}
	}

	rec.Channels = normaliseTags(in.channels, func(format string, args ...any) { problem("channels: "+format, args...) })
	for _, c := range rec.Channels {
		if !channelName.MatchString(c) {
			problem("channel %q is not a channel name (a lower-case word such as web or whatsapp)", clip(c))
		}
	}
	if len(rec.Channels) > maxChannels {
		problem("%d channels, more than %d", len(rec.Channels), maxChannels)
	}
	if v, ok := line("audience", in.audience); ok {
		switch v = strings.ToLower(v); v {
		case "": // customers, the default
		case knowledge.AudienceCustomers, "customer", "public":
			rec.Audience = knowledge.AudienceCustomers
		case knowledge.AudienceAgents, "agent", "internal":
			rec.Audience = knowledge.AudienceAgents
		default:
			problem("audience %q is neither %s nor %s", clip(v), knowledge.AudienceCustomers, knowledge.AudienceAgents)
		}
	}

	if v, ok := line("source_locale", in.sourceLocale); ok && v != "" {
		if tag, reason := parseLocale(v); reason != "" {
			problem("source_locale %q %s", clip(v), reason)
		} else if tag != rec.Locale {
			rec.SourceLocale = tag
		}
	}
	return rec, problems
}

// textProblem says what makes s unacceptable as text, or "".
func textProblem(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "contains a NUL byte"
	}
	return ""
}

// validText reports whether s is acceptable as text.
func validText(s string) bool { return textProblem(s) == "" }

// oneLine puts s in NFC and collapses every run of whitespace, line breaks included, into
// one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// normaliseBody drops a byte order mark, turns CRLF and CR into LF, puts the text in NFC
// and trims blank lines at both ends and trailing whitespace.
func normaliseBody(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	s = normaliseNewlines(s)
	s = norm.NFC.String(s)
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[:i]) != "" {
			break
		}
		s = s[i+1:]
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}

// normaliseNewlines turns CRLF and lone CR into LF.
func normaliseNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// normaliseTags trims, lower-cases and deduplicates tags, keeping their order.
func normaliseTags(raw []string, problem func(string, ...any)) []string {
	var tags []string
	seen := make(map[string]bool, len(raw))
	for _, t := range raw {
		if reason := textProblem(t); reason != "" {
			problem("tag %s", reason)
			continue
		}
		t = strings.ToLower(oneLine(t))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		if len(t) > maxTag {
			problem("tag %q is longer than %d bytes", clip(t), maxTag)
			continue
		}
		if strings.IndexFunc(t, unicode.IsControl) >= 0 {
			problem("tag %q contains a control character", t)
			continue
		}
		tags = append(tags, t)
	}
	if len(tags) > maxTags {
		problem("%d tags, more than %d", len(tags), maxTags)
		return nil
	}
	return tags
}

// splitTags splits a tag list written as one string on "|" and ",".
func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == ',' })
}

// parseLocale returns the canonical form of a BCP 47 tag with an explicit language, or why
// it is not one.
func parseLocale(s string) (string, string) {
	tag, err := language.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil {
		return "", "is not a BCP 47 language tag (such as es, pt-BR or zh-Hant-TW)"
	}
	if _, conf := tag.Base(); conf != language.Exact {
		return "", "has no language (such as es, pt-BR or zh-Hant-TW)"
	}
	if len(tag.Extensions()) > 0 {
		return "", "has extensions; use language[-Script][-REGION] (such as es, pt-BR or zh-Hant-TW)"
	}
	return tag.String(), ""
}

// parseMarket returns the canonical market code, or why s is not one.
func parseMarket(s string) (string, string) {
	m, err := i18n.ParseMarket(clip(s))
	if err != nil {
		return "", err.Error()
	}
	return m, ""
}

// isWebURL reports whether s is an absolute http or https URL with a host.
func isWebURL(s string) bool {
	if strings.ContainsAny(s, " \t\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "http" || scheme == "https"
}

// byteSize writes n bytes for a reason: "2 MiB", "100 KiB", "123456 bytes".
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// clip shortens a value quoted in a reason to at most 64 bytes.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
