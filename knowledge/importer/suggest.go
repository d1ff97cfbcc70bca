package importer

import (
	"slices"
	"strings"
)

// aliases are names other tools use for our fields, mapped to ours.
var aliases = map[string]string{
	"id":                "external_id",
	"externalid":        "external_id",
	"slug":              "external_id",
	"lang":              "locale",
	"language":          "locale",
	"lng":               "locale",
	"country":           "market",
	"country_code":      "market",
	"region":            "market",
	"tag":               "tags",
	"keywords":          "tags",
	"categories":        "tags",
	"category":          "tags",
	"labels":            "tags",
	"question":          "title",
	"name":              "title",
	"heading":           "title",
	"subject":           "title",
	"answer":            "body",
	"content":           "body",
	"text":              "body",
	"html":              "body",
	"link":              "url",
	"permalink":         "url",
	"href":              "url",
	"draft":             "status",
	"published":         "status",
	"state":             "status",
	"source":            "source_locale",
	"source_language":   "source_locale",
	"original_locale":   "source_locale",
	"translation_of":    "source_locale",
	"translated_from":   "source_locale",
	"source_lang":       "source_locale",
	"original_language": "source_locale",
}

// suggest returns the known name that an unknown one probably meant, or "": a known alias
// or a known name at most two edits away, compared case-insensitively with "-" and " " as "_".
func suggest(name string, known []string) string {
	prefix := ""
	if i := strings.IndexByte(name, ':'); i >= 0 {
		prefix, name = name[:i+1], name[i+1:]
	}
	n := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(name)))
	if a, ok := aliases[n]; ok && slices.Contains(known, prefix+a) {
		return prefix + a
	}
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(prefix+n, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
