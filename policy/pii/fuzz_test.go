package pii

import (
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"Meine Karte ist 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00.",
	"カード番号は４１１１　１１１１　１１１１　１１１１です taro@example.co.jp",
	"رقم البطاقة ٤١١١١١١١١١١١١١١١ واتصل +966 50 123 4567",
	"CPF 123.456.789-09 CNPJ 11.222.333/0001-81 DNI 12345678-Z 11010519491231002X",
	"4111 1111 1111 1111 1111 1111 1111",
	"a@b.c@d.de..@@ +49 (30) 901820 // 12.05.2024",
	"\xff\xfe4111111111111111\x00",
	"card 4325.0161.0701.4371, 5255  1223  4535  7126, 4732539871173419/0328/Sam",
	"my card\n42259115\n74773668\nexp 02/28 Bestellungen:\n42259115\n74773668",
	"4019638464326444 (646) 555-0134 Gutscheincode 4111 2222 3333 4444",
}

// FuzzRedact checks that Redact never panics, that spans are in bounds,
// sorted and non-overlapping, and that no card survives redaction.
func FuzzRedact(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "DE")
	}
	f.Fuzz(func(t *testing.T, text, region string) {
		opts := Options{Regions: []string{region}}
		out, spans := Redact(text, opts)
		prev := 0
		for _, s := range spans {
			if s.Start < prev || s.End <= s.Start || s.End > len(text) {
				t.Fatalf("bad span %+v after %d in %q", s, prev, text)
			}
			prev = s.End
		}
		if len(spans) == 0 && out != text {
			t.Fatalf("text changed without spans")
		}
		for _, s := range Detect(out, Options{Regions: []string{region}, Kinds: []Kind{KindCard}}) {
			t.Fatalf("card %q survives redaction of %q: %q", out[s.Start:s.End], text, out)
		}
	})
}

// FuzzCardScheme checks that CardScheme never panics and only accepts
// Luhn-valid 13-19 digit numbers with a brand.
func FuzzCardScheme(f *testing.F) {
	for _, s := range []string{"4111 1111 1111 1111", "378282246310005", "٤١١١-١١١١-١١١١-١١١١", "", "-", "1 2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		brand, ok := CardScheme(s)
		if !ok {
			return
		}
		var d strings.Builder
		for _, r := range s {
			if r = normRune(r); isDigit(r) {
				d.WriteRune(r)
			}
		}
		if brand == "" || d.Len() < 13 || d.Len() > 19 || !luhn(d.String()) {
			t.Fatalf("CardScheme(%q) = %q, true for digits %q", s, brand, d.String())
		}
	})
}

// FuzzValidIBAN checks that ValidIBAN never panics and only accepts strings
// whose alphanumerics have the country's length.
func FuzzValidIBAN(f *testing.F) {
	for _, s := range []string{"DE89 3704 0044 0532 0130 00", "gb82west12345698765432", "NO9386011117947", "", "DE", "DE89 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidIBAN(s) {
			return
		}
		var b strings.Builder
		for _, r := range s {
			if r = normRune(r); isAlnum(r) {
				b.WriteRune(upper(r))
			}
		}
		c := b.String()
		if ibanLengths[c[:2]] != len(c) || !ibanMod97([]byte(c)) {
			t.Fatalf("ValidIBAN(%q) = true for %q", s, c)
		}
	})
}
