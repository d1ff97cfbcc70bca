package stubkit

import (
	"bytes"
	"encoding/json"
	"slices"
)

// IsNull reports whether b is the JSON null.
func IsNull(b json.RawMessage) bool { return string(bytes.TrimSpace(b)) == "null" }

// IsObject reports whether b is a JSON object.
func IsObject(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// IsStringOrArray reports whether b is a JSON string or array.
func IsStringOrArray(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && (b[0] == '"' || b[0] == '[')
}

// UnknownFields returns the names in fields that known lacks, sorted.
func UnknownFields(fields map[string]json.RawMessage, known []string) []string {
	var unknown []string
	for k := range fields {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	return unknown
}
