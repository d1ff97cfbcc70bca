package privacy

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
)

//go:embed retention.json
var retentionJSON []byte

// MaxRetentionDays bounds a retention period (ten years): a longer one is a typo, not a policy.
const MaxRetentionDays = 3650

// Retention is how many days conversations are kept after their last update, per market.
type Retention struct {
	DefaultDays int            // markets not listed
	Markets     map[string]int // ISO 3166-1 alpha-2 code in upper case → days
}

// Days returns the retention period of a market ("" and unknown markets get the default).
func (r Retention) Days(market string) int {
	if d, ok := r.Markets[upperASCII(market)]; ok {
		return d
	}
	return r.DefaultDays
}

// Longest returns the longest retention period of any market.
func (r Retention) Longest() int {
	longest := r.DefaultDays
	for _, d := range r.Markets {
		longest = max(longest, d)
	}
	return longest
}

// DefaultRetention returns the policy embedded in the binary (retention.json).
func DefaultRetention() (Retention, error) {
	return ParseRetention(retentionJSON)
}

type retentionFile struct {
	Note    string                     `json:"note"`
	Default *retentionEntry            `json:"default"`
	Markets map[string]*retentionEntry `json:"markets"`
}

type retentionEntry struct {
	Days *int   `json:"days"`
	Note string `json:"note"`
}

// ParseRetention reads a retention policy in the format of retention.json. It rejects
// unknown fields, a missing default, market codes that are not two upper-case letters and
// periods outside 1 to MaxRetentionDays, naming the field.
func ParseRetention(data []byte) (Retention, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f retentionFile
	if err := dec.Decode(&f); err != nil {
		return Retention{}, fmt.Errorf("%w: retention policy: %v", ErrInvalid, err)
	}
	if dec.More() {
		return Retention{}, fmt.Errorf("%w: retention policy: data after the JSON object", ErrInvalid)
	}
	if f.Default == nil {
		return Retention{}, fmt.Errorf("%w: retention policy: default: missing", ErrInvalid)
	}
	r := Retention{Markets: make(map[string]int, len(f.Markets))}
	var err error
	if r.DefaultDays, err = checkDays("default.days", f.Default); err != nil {
		return Retention{}, err
	}
	codes := make([]string, 0, len(f.Markets))
	for code := range f.Markets {
		codes = append(codes, code)
	}
	sort.Strings(codes) // the first bad entry named is the same every time
	for _, code := range codes {
		if !isMarketCode(code) {
			return Retention{}, fmt.Errorf("%w: retention policy: markets.%s: not an ISO 3166-1 alpha-2 code in upper case", ErrInvalid, code)
		}
		if r.Markets[code], err = checkDays("markets."+code+".days", f.Markets[code]); err != nil {
			return Retention{}, err
		}
	}
	return r, nil
}

func checkDays(field string, e *retentionEntry) (int, error) {
	switch {
	case e == nil || e.Days == nil:
		return 0, fmt.Errorf("%w: retention policy: %s: missing", ErrInvalid, field)
	case *e.Days < 1 || *e.Days > MaxRetentionDays:
		return 0, fmt.Errorf("%w: retention policy: %s: %d is outside 1 to %d", ErrInvalid, field, *e.Days, MaxRetentionDays)
	}
	return *e.Days, nil
}

func isMarketCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
