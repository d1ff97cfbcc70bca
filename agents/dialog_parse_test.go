package agents

import (
	"maps"
	"testing"
)

// TestFindCountry reads the country a VAT or cash-on-delivery question names, in the
// eleven languages, and leaves alone words that only contain a country's name.
func TestFindCountry(t *testing.T) {
	t.Parallel()
	tests := []struct{ text, want string }{
		{"What VAT do I pay in Germany?", "DE"},
		{"Welche Mehrwertsteuer zahle ich in Deutschland?", "DE"},
		{"¿Hay pago contra reembolso en Tailandia?", "TH"},
		{"Quelle TVA vais-je payer en France ?", "FR"},
		{"Qual é o IVA em Portugal?", "PT"},
		{"هل الدفع عند الاستلام متاح في السعودية؟", "SA"},
		{"كم ضريبة القيمة المضافة في ألمانيا؟", "DE"},
		{"มีเก็บเงินปลายทางที่ประเทศไทยไหม", "TH"},
		{"ภาษีมูลค่าเพิ่มในเยอรมนีเท่าไหร่", "DE"},
		{"Có thanh toán khi nhận hàng ở Việt Nam không?", "VN"},
		{"Apakah bisa bayar di tempat di Indonesia?", "ID"},
		{"ドイツの消費税はいくらですか", "DE"},
		{"德国的增值税是多少？", "DE"},
		{"VAT in the Netherlands?", "NL"},
		{"do you ship to the UK", "GB"},
		// Not a country: a word that contains one, a pronoun, nothing at all.
		{"ネクタイの税金はいくらですか", ""},
		{"Anh có thể giúp tôi không?", ""},
		{"what VAT do I pay?", ""},
		{"I am a woman from nowhere", ""},
	}
	for _, tt := range tests {
		if got := findCountry(tt.text); got != tt.want {
			t.Errorf("findCountry(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestParseAddress reads an address the customer wrote in one message into the fields of
// modify_pending_order_address, and refuses what is not a whole address.
func TestParseAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text, market string
		want         map[string]string // nil: not an address
	}{
		{"Hauptstraße 5, 10115 Berlin, Germany", "DE",
			map[string]string{"address1": "Hauptstraße 5", "zip": "10115", "city": "Berlin", "country": "DE"}},
		{"My new address is: 12 Rue de Rivoli, 75001 Paris, France", "DE",
			map[string]string{"address1": "12 Rue de Rivoli", "zip": "75001", "city": "Paris", "country": "FR"}},
		{"Calle Mayor 10\n3º B\n28013 Madrid", "ES",
			map[string]string{"address1": "Calle Mayor 10", "address2": "3º B", "zip": "28013", "city": "Madrid", "country": "ES"}},
		{"Keizersgracht 100, 1015 CJ Amsterdam, Nederland", "DE",
			map[string]string{"address1": "Keizersgracht 100", "zip": "1015 CJ", "city": "Amsterdam", "country": "NL"}},
		{"Rua Augusta 200, 01305-000, São Paulo, Brasil", "BR",
			map[string]string{"address1": "Rua Augusta 200", "zip": "01305-000", "city": "São Paulo", "country": "BR"}},
		{"10 Downing Street, London SW1A 2AA, UK", "DE",
			map[string]string{"address1": "10 Downing Street", "zip": "SW1A 2AA", "city": "London", "country": "GB"}},
		{"Hauptstraße 5", "DE", nil},
		{"yes please", "DE", nil},
		{"10115 Berlin", "DE", nil},
	}
	for _, tt := range tests {
		got, ok := parseAddress(tt.text, tt.market)
		if ok != (tt.want != nil) || (ok && !maps.Equal(got, tt.want)) {
			t.Errorf("parseAddress(%q) = %v, %v; want %v", tt.text, got, ok, tt.want)
		}
	}
}
