package rulefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// fuzzRules has the shape of a tool's rule file (cash on delivery): nested objects,
// arrays of objects, and values of each JSON kind.
type fuzzRules struct {
	Version   string         `json:"version"`
	Note      string         `json:"note"`
	Countries []fuzzCountry  `json:"countries"`
	Limits    map[string]int `json:"limits"`
}

type fuzzCountry struct {
	Country      string   `json:"country"`
	Available    bool     `json:"available"`
	MaxOrder     string   `json:"max_order"`
	Restrictions []string `json:"restrictions"`
	Refusal      struct {
		BlockAfter int     `json:"block_after"`
		Fee        float64 `json:"fee"`
	} `json:"refusal"`
}

// known lists the field names of fuzzRules at each level, as encoding/json matches them.
var known = map[string][]string{
	"":          {"version", "note", "countries", "limits"},
	"countries": {"country", "available", "max_order", "restrictions", "refusal"},
	"refusal":   {"block_after", "fee"},
}

// unknownField reports the first field of the document's first value that fuzzRules
// does not have, where it lies in an object Decode looks into.
func unknownField(first json.RawMessage) (string, bool) {
	var walk func(level string, raw json.RawMessage) (string, bool)
	walk = func(level string, raw json.RawMessage) (string, bool) {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return "", false // not an object here: Decode fails on the type instead
		}
		for k, v := range obj {
			i := slicesIndexFold(known[level], k)
			if i < 0 {
				return k, true
			}
			switch name := known[level][i]; name {
			case "countries":
				var items []json.RawMessage
				if json.Unmarshal(v, &items) == nil {
					for _, it := range items {
						if f, ok := walk("countries", it); ok {
							return f, true
						}
					}
				}
			case "refusal":
				if f, ok := walk("refusal", v); ok {
					return f, true
				}
			}
		}
		return "", false
	}
	return walk("", first)
}

func slicesIndexFold(names []string, k string) int {
	for i, n := range names {
		if strings.EqualFold(n, k) {
			return i
		}
	}
	return -1
}

// FuzzDecode checks that Decode refuses every misspelt field, names the file in its
// errors, and that what it accepts survives a round trip through JSON unchanged.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"version":"2026-11","countries":[{"country":"TH","available":true,"max_order":"30000",` +
			`"restrictions":["Not to PO boxes."],"refusal":{"block_after":2,"fee":1.5}}],"limits":{"TH":3}}`,
		`{"version":"1","verison":"2"}`,
		`{"countries":[{"country":"AE","refusal":{"blok_after":1}}]}`,
		`{"VERSION":"case folds"}`,
		`{"version":"1"} {"version":"2"}`,
		`{"version":1}`, `[]`, `null`, `{}`, ``, `{"version":"\ud800"}`,
		`{"countries":null,"limits":{"":-1}}`,
	} {
		f.Add([]byte(s))
	}
	// The real rule files, whose other fields fuzzRules lacks, seed the error paths.
	for _, p := range []string{"../../tools/cod/cod.json", "../../tools/vat/rates.json",
		"../../tools/returns/returns.json", "../../tools/tracking/carriers.json"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r fuzzRules
		err := Decode(bytes.NewReader(data), "fuzz rules file", &r)

		var first json.RawMessage
		firstErr := json.NewDecoder(bytes.NewReader(data)).Decode(&first)
		field, unknown := "", false
		if firstErr == nil {
			field, unknown = unknownField(first)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "parse fuzz rules file: ") || errors.Unwrap(err) == nil {
				t.Fatalf("error %q does not name the file or wrap its cause", err)
			}
			return
		}
		if firstErr != nil {
			t.Fatalf("accepted %q, which does not start with a JSON value (%v)", data, firstErr)
		}
		if unknown {
			t.Fatalf("accepted %q with the unknown field %q", data, field)
		}
		again, merr := json.Marshal(r)
		if merr != nil {
			t.Fatalf("re-encode %+v: %v", r, merr)
		}
		var r2 fuzzRules
		if err := Decode(bytes.NewReader(again), "fuzz rules file", &r2); err != nil {
			t.Fatalf("decode own output %s: %v", again, err)
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip changed %+v into %+v", r, r2)
		}
	})
}
