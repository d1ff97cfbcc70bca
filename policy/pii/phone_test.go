package pii

import (
	"strings"
	"testing"
)

// TestPhoneLookalikes checks that references named as such (customer,
// serial, tax and business numbers), the groups of a longer code and a date
// with its time are not taken for phone numbers, while a phone written next
// to such a number still is.
func TestPhoneLookalikes(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		region string
		want   []string
	}{
		{"kundennummer", "Kundennummer 8812 4471 09, bitte prüfen", "DE", nil},
		{"seriennummer", "Seriennummer SN 2231-8841-0097, Garantie bis 31.12.2026", "DE", nil},
		{"steuernummer", "Steuernummer 21 815 08150", "DE", nil},
		{"voucher tail", "Gutscheincode 4111 2222 3333 4444 funktioniert nicht", "DE", nil},
		{"tax id tail", "Meine Steuer-ID ist 12 345 678 903, brauchen Sie die?", "DE", nil},
		{"siret head", "SIRET 303 265 045 00034", "FR", nil},
		{"hindi order number", "ऑर्डर नंबर 402-1188390, पिन कोड 110001", "IN", nil},
		{"korean business number", "사업자등록번호 123-45-67890 세금계산서", "KR", nil},
		{"vietnamese tax code", "MST 0312345678 để xuất hóa đơn VAT", "VN", nil},
		{"date and time", "Delivery window was 2025-11-19 14:00-18:00", "US", nil},
		{"dotted date and time", "Termin 19.11.2025 14:00", "DE", nil},
		// Phones that must survive the rules above.
		{"mobile after pin code", "PIN 110001 98765 43210", "IN", []string{"phone/IN-PHONE=98765 43210"}},
		{"area code in parentheses after a number", "Apto 1203 (31) 3222-4455", "BR", []string{"phone/BR-PHONE=(31) 3222-4455"}},
		{"fixed line with trunk prefix after number", "Kunde seit 2019, Tel 030 901820", "DE", []string{"phone/DE-PHONE=030 901820"}},
		{"french dotted phone", "appelez 01.23.45.67.89 svp", "FR", []string{"phone/FR-PHONE=01.23.45.67.89"}},
		{"vat in a sentence", "Preis inkl. VAT, ruf mich an: 0151 23456789", "DE", []string{"phone/DE-PHONE=0151 23456789"}},
		{"kundenservice is not a reference", "Kundenservice hat meine Nummer: 0151 23456789", "DE", []string{"phone/DE-PHONE=0151 23456789"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := found(tt.text, Options{Regions: []string{tt.region}, Kinds: []Kind{KindPhone}})
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Detect(%q, %s)\n got %q\nwant %q", tt.text, tt.region, got, tt.want)
			}
		})
	}
}
