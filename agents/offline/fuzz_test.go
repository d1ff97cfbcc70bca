package offline

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var awaitable = []string{"", SlotOrderNumber, SlotEmail, SlotPostalCode, SlotName, SlotVATNumber}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// FuzzExtractSlots feeds customer messages to the slot extractor, whatever the agent is
// waiting for. Every slot it fills must be plausible on its own: an e-mail address the
// customer wrote, an order number that is not a VAT number and has no spaces, a
// non-negative amount in an ISO 4217 currency, a VAT number of a known shape; and the same
// message must give the same slots.
func FuzzExtractSlots(f *testing.F) {
	if fh, err := os.Open("testdata/heldout.tsv"); err == nil {
		sc := bufio.NewScanner(fh)
		for i := 0; sc.Scan(); i++ {
			line := sc.Text()
			if strings.HasPrefix(line, "#") {
				continue
			}
			if parts := strings.SplitN(line, "\t", 3); len(parts) == 3 {
				f.Add(parts[2], uint8(i))
			}
		}
		fh.Close()
	}
	for _, s := range []string{
		"my order #W2378156 never came, mail me at lena.mueller@example.de",
		"Bestellnummer: DE-2026-000123, 49,90 €", "注文番号は１２３４５６７です", "VAT DE 136 695 976",
		"رقم الطلب ١٢٣٤٥٦", "refund 1.234,56 EUR please", "zip 10115", "\xff#\xfe12345",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, text string, which uint8) {
		awaiting := awaitable[int(which)%len(awaitable)]
		s := extractSlotsFor(text, awaiting)
		if s.Email != "" && !emailRE.MatchString(s.Email) {
			t.Fatalf("%q (awaiting %q): e-mail %q is not an address", text, awaiting, s.Email)
		}
		if o := s.OrderNumber; o != "" {
			if isVATNumber(o) || strings.ContainsFunc(o, unicode.IsSpace) {
				t.Fatalf("%q (awaiting %q): order number %q is a VAT number or has spaces", text, awaiting, o)
			}
		}
		if a := s.Amount; !a.IsZero() && (a.Minor < 0 || !currencyCode.MatchString(a.Currency) || a.Text == "") {
			t.Fatalf("%q (awaiting %q): amount %+v", text, awaiting, a)
		}
		if v := s.VATNumber; v != "" && !isVATNumber(v) {
			t.Fatalf("%q (awaiting %q): VAT number %q of no known shape", text, awaiting, v)
		}
		if utf8.ValidString(text) {
			for _, v := range []string{s.OrderNumber, s.Email, s.Amount.Text, s.VATNumber, s.PostalCode, s.Name} {
				if !utf8.ValidString(v) {
					t.Fatalf("%q (awaiting %q): slot %q is not valid UTF-8", text, awaiting, v)
				}
			}
		}
		if again := extractSlotsFor(text, awaiting); again != s {
			t.Fatalf("%q (awaiting %q): %+v, then %+v", text, awaiting, s, again)
		}
	})
}
