package pii

import (
	"strings"
	"testing"
)

// TestCardLayouts covers the ways customers really type card numbers (dots,
// line breaks, double spaces, an expiry glued on with '/') and the look-alikes
// that share those separators. Most negatives below spell a Luhn-valid number
// in an issuer range (4111111111111111), so only the layout keeps them from
// being redacted.
func TestCardLayouts(t *testing.T) {
	all := Options{Regions: []string{"DE", "US", "BR", "IN", "VN", "FR"}, Kinds: []Kind{KindCard}}
	tests := []struct {
		name string
		text string
		want []string
	}{
		// Positives.
		{"dots", "card is 4325.0161.0701.4371 sorry for the dots", []string{"card/visa=4325.0161.0701.4371"}},
		{"two lines of 8", "my card\n42259115\n74773668\nexp 02/28", []string{"card/visa=42259115\n74773668"}},
		{"two lines crlf", "my card\r\n4111 1111\r\n1111 1111\r\nthanks", []string{"card/visa=4111 1111\r\n1111 1111"}},
		{"four lines", "Karte:\n4111\n1111\n1111\n1111", []string{"card/visa=4111\n1111\n1111\n1111"}},
		{"double spaces", "card no: 5255  1223  4535  7126 thanks", []string{"card/mastercard=5255  1223  4535  7126"}},
		{"triple spaces", "5555   5555   5555   4444", []string{"card/mastercard=5555   5555   5555   4444"}},
		{"spaced dashes", "4111 - 1111 - 1111 - 1111", []string{"card/visa=4111 - 1111 - 1111 - 1111"}},
		{"slash expiry and name", "4732539871173419/0328/Sam", []string{"card/visa=4732539871173419"}},
		{"grouped then slash expiry", "4111 1111 1111 1111/05/28", []string{"card/visa=4111 1111 1111 1111"}},
		{"dash cvv", "4111-1111-1111-1111-123 ok", []string{"card/visa=4111-1111-1111-1111"}},
		{"line above a code", "4111 1111 1111 1111\n12AB", []string{"card/visa=4111 1111 1111 1111"}},
		{"after another number's line", "Bestellung 4711\n4111 1111 1111 1111", []string{"card/visa=4111 1111 1111 1111"}},
		{"lines after refund", "Refund:\n42259115\n74773668", []string{"card/visa=42259115\n74773668"}},
		{"lines after a sentence naming an order", "Order 123 was paid with my card\n42259115\n74773668", []string{"card/visa=42259115\n74773668"}},
		// Negatives: the same digits in layouts that are not card numbers.
		{"list of order numbers", "Bestellungen:\n42259115\n74773668", nil},
		{"list of order numbers en", "Order numbers:\n42259115\n74773668", nil},
		{"list of tracking numbers", "tracking #\n4111 1111\n1111 1111", nil},
		{"price with dots", "Summe 4.111.111.111.111.111 VND", nil},
		{"decimal", "amount 4111111111111111.50", nil},
		{"slash groups", "ref 4111/1111/1111/1111", nil},
		{"mixed separators", "4111.1111 1111-1111", nil},
		{"blank line between", "Bestellung 4111 1111\n\n1111 1111", nil},
		{"line groups too short", "411\n1111111111111", nil},
		{"after a date slash", "am 12/4111111111111111", nil},
		{"glued to a code", "SKU 4111.1111.1111.1111A", nil},
		{"ip and version", "host 192.168.100.200 build 4.1.1111.1111.111", nil},
		{"date then time", "2025-11-19 14:00-18:00", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := found(tt.text, all)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Detect(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestNumericNeighbours checks what is found next to and around card
// numbers and long group sequences: the phone after a card, and Aadhaar
// numbers that are only a few groups of a longer code.
func TestNumericNeighbours(t *testing.T) {
	tests := []struct {
		name string
		text string
		opts Options
		want []string
	}{
		{"phone after card", "4019638464326444 (646) 555-0134", Options{Regions: []string{"US"}},
			[]string{"card/visa=4019638464326444", "phone/US-PHONE=(646) 555-0134"}},
		{"phone before card", "030 901820 4111 1111 1111 1111", Options{Regions: []string{"DE"}},
			[]string{"phone/DE-PHONE=030 901820", "card/visa=4111 1111 1111 1111"}},
		{"voucher tail is not aadhaar", "Gutscheincode 4111 2222 3333 4444 funktioniert nicht", Options{Regions: []string{"DE", "IN"}, Kinds: []Kind{KindNationalID}}, nil},
		{"nf-e key is not aadhaar", "Chave de acesso NF-e 3525 1112 3456 7800 0199 5500 1000 0123 4510 0012 3456", Options{Regions: []string{"BR", "IN"}, Kinds: []Kind{KindNationalID}}, nil},
		{"aadhaar region IN", "ref 2341 2341 2346", Options{Regions: []string{"IN"}}, []string{"national_id/IN-AADHAAR=2341 2341 2346"}},
		{"aadhaar named", "my aadhar is 2341-2341-2346", Options{}, []string{"national_id/IN-AADHAAR=2341-2341-2346"}},
		{"aadhaar named hindi", "आधार नंबर 2341 2341 2346 है", Options{}, []string{"national_id/IN-AADHAAR=2341 2341 2346"}},
		{"aadhaar unnamed other region", "ref 2341 2341 2346", Options{Regions: []string{"DE"}, Kinds: []Kind{KindNationalID}}, nil},
		{"aadhaar on its own line", "Aadhaar:\n2341 2341 2346\n9999", Options{}, []string{"national_id/IN-AADHAAR=2341 2341 2346"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := found(tt.text, tt.opts)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Detect(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}
