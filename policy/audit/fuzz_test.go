package audit

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzCanonical checks the encoding the hash chain is computed over: it is valid JSON,
// a fixed point (canonical of canonical is the same bytes), and blind to formatting: the
// same details written with indentation, HTML escaping and keys in another order give the
// same bytes, so that a verified chain depends only on what the details say.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		`{"order_id":"#W2378156","amount":{"value":"12.50","currency":"EUR"},"approved":true}`,
		`{"b":1,"a":[1,2.50,1e400,-0],"c":null}`, `{"html":"<a href=\"x\">&</a>","ü":"\u00fc"}`,
		`{}`, `null`, `[]`, `{"a":1} trailing`, `{"a":"\xff"}`, ``, `{"a":1,"a":2}`,
		`{"n":123456789012345678901234567890}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		m, canon, err := canonical(text)
		if err != nil {
			if m != nil || canon != nil {
				t.Fatalf("error %v came with results", err)
			}
			return
		}
		if !json.Valid(canon) || canon[0] != '{' {
			t.Fatalf("canonical(%q) = %q, not a JSON object", text, canon)
		}
		m2, again, err := canonical(canon)
		if err != nil || !bytes.Equal(again, canon) {
			t.Fatalf("canonical(%q) = %q, but canonical of that = %q, %v", text, canon, again, err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("details changed in a round trip: %v then %v", m, m2)
		}
		pretty, err := json.MarshalIndent(m, "", "\t") // escapes HTML, unlike marshal
		if err != nil {
			t.Fatal(err)
		}
		if _, fromPretty, err := canonical(pretty); err != nil || !bytes.Equal(fromPretty, canon) {
			t.Fatalf("reformatted details %q give %q, want %q (%v)", pretty, fromPretty, canon, err)
		}
	})
}
