package privacy

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParseRetention checks that a retention policy is either refused with ErrInvalid and
// nothing else, or accepted with every period in range, every market a canonical code,
// and Days answering from it in any case.
func FuzzParseRetention(f *testing.F) {
	data, err := os.ReadFile("retention.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, s := range []string{
		`{"default":{"days":365},"markets":{"DE":{"days":180,"note":"n"}}}`,
		`{"default":{"days":0}}`, `{"default":{"days":365}} {}`, `{"default":{"days":365},"markets":{"de":{"days":1}}}`,
		`{"markets":{}}`, `{"default":{"days":1e3}}`, `{"default":{"days":-1}}`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRetention(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || r.DefaultDays != 0 || r.Markets != nil {
				t.Fatalf("error %v came with %+v, or does not wrap ErrInvalid", err, r)
			}
			return
		}
		if r.DefaultDays < 1 || r.DefaultDays > MaxRetentionDays {
			t.Fatalf("default %d days accepted", r.DefaultDays)
		}
		if r.Days("") != r.DefaultDays || r.Days("not a market") != r.DefaultDays {
			t.Fatalf("Days of no market = %d, default %d", r.Days(""), r.DefaultDays)
		}
		for m, d := range r.Markets {
			if !isMarketCode(m) || d < 1 || d > MaxRetentionDays {
				t.Fatalf("market %q with %d days accepted", m, d)
			}
			if r.Days(strings.ToLower(m)) != d {
				t.Fatalf("Days(%q) = %d, want %d", strings.ToLower(m), r.Days(strings.ToLower(m)), d)
			}
		}
		if again, err := ParseRetention(bytes.Clone(data)); err != nil || again.DefaultDays != r.DefaultDays || len(again.Markets) != len(r.Markets) {
			t.Fatalf("second parse differs: %+v, %v", again, err)
		}
	})
}
