package vat

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzValidateNumber checks ValidateNumber on anything a customer could type: refusals
// wrap ErrInvalidNumber and return no number; an accepted number is canonical, validates
// to itself, and is accepted again however it is spaced.
func FuzzValidateNumber(f *testing.F) {
	for _, tt := range validNumbers {
		f.Add(tt.in)
	}
	for _, s := range []string{"DE136695977", "GB123456789", "de 136-695/976", "ＤＥ136695976",
		"ES!1234567", "", "EL", "CZ7103192745\u00a0", "IE1234567Z", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ValidateNumber(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidNumber) || n != (Number{}) {
				t.Fatalf("ValidateNumber(%q) = %+v, %v; want no number and ErrInvalidNumber", s, n, err)
			}
			return
		}
		str := n.String()
		if _, ok := numberRules[n.Prefix]; !ok || n.Body == "" {
			t.Fatalf("ValidateNumber(%q) = %+v: unknown prefix or empty body", s, n)
		}
		if str != strings.ToUpper(str) || strings.ContainsAny(str, " .-/\u00a0") {
			t.Fatalf("ValidateNumber(%q) = %q, not canonical", s, str)
		}
		if c := n.Country(); len(c) != 2 || c == "EL" {
			t.Fatalf("ValidateNumber(%q).Country() = %q", s, c)
		}
		if again, err := ValidateNumber(str); err != nil || again != n {
			t.Fatalf("ValidateNumber(%q) = %+v, but its canonical form %q gives %+v, %v", s, n, str, again, err)
		}
		spaced := strings.Join(strings.Split(strings.ToLower(str), ""), " ")
		if again, err := ValidateNumber(spaced); err != nil || again != n {
			t.Fatalf("ValidateNumber(%q) = %+v, %v; want %+v as for %q", spaced, again, err, n, str)
		}
	})
}

// FuzzLoad feeds rates files to Load: a refusal comes without rules; accepted rules are
// consistent (every country found by its code and its VAT prefix, rates ordered, the IOSS
// threshold in euros) and the same on a second load.
func FuzzLoad(f *testing.F) {
	embeddedRates, err := os.ReadFile("rates.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(embeddedRates)
	f.Add(bytes.Replace(embeddedRates, []byte(`"standard": 19`), []byte(`"standard": 14`), 1))
	f.Add([]byte(`{"version":"x","countries":[]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Load(bytes.NewReader(data))
		if err != nil {
			if r != nil || !strings.HasPrefix(err.Error(), "vat: ") {
				t.Fatalf("error %q came with rules, or without the package prefix", err)
			}
			return
		}
		if r.Version() == "" || r.Source() == "" || r.IOSSThreshold().Currency != "EUR" {
			t.Fatalf("accepted rules with version %q, source %q, IOSS threshold %v",
				r.Version(), r.Source(), r.IOSSThreshold())
		}
		cs := r.Countries()
		if len(cs) == 0 {
			t.Fatal("accepted rules without countries")
		}
		for _, c := range cs {
			for _, code := range []string{c.Code, c.VATPrefix, strings.ToLower(c.Code)} {
				got, err := r.Country(code)
				if err != nil || !reflect.DeepEqual(got, c) {
					t.Fatalf("Country(%q) = %+v, %v; want %+v", code, got, err, c)
				}
			}
			for i := 1; i < len(c.Reduced); i++ {
				if c.Reduced[i] < c.Reduced[i-1] {
					t.Fatalf("%s: reduced rates %v not ascending", c.Code, c.Reduced)
				}
			}
		}
		again, err := Load(bytes.NewReader(data))
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("second load differs: %v", err)
		}
	})
}
