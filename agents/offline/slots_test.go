package offline

import "testing"

func TestExtractSlots(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text    string
		lenient bool
		order   string
		email   string
	}{
		// Order numbers, as customers write them.
		{"Where is my order #W2378156?", false, "W2378156", ""},
		{"order 12345 hasn't arrived", false, "12345", ""},
		{"¿Dónde está mi pedido 4567?", false, "4567", ""},
		{"número de pedido: 778899", false, "778899", ""},
		{"pedido nº 4567", false, "4567", ""},
		// A market prefix that is also a filler word ("es" is Spanish "is", "est" French).
		{"Quiero cancelar mi pedido ES-10001", false, "ES-10001", ""},
		{"mi pedido es 12345", false, "12345", ""},
		{"ma commande EST-204455 est en retard", false, "EST-204455", ""},
		{"注文番号 123456", false, "123456", ""},
		{"注文番号は123456です", false, "123456", ""},
		{"订单号：20240315001", false, "20240315001", ""},
		{"我的订单123456还没到", false, "123456", ""},
		{"Bestellnummer 100234", false, "100234", ""},
		{"meine Bestellung mit der Nummer 55512 ist nicht da", false, "55512", ""},
		{"commande n° 98765", false, "98765", ""},
		{"o número do pedido é 123987", false, "123987", ""},
		{"nomor pesanan saya 8812345", false, "8812345", ""},
		{"mã đơn hàng 556677", false, "556677", ""},
		{"don hang cua toi la 556677", false, "556677", ""},
		{"หมายเลขคำสั่งซื้อ 778812", false, "778812", ""},
		{"رقم الطلب ١٢٣٤٥٦", false, "123456", ""},
		{"注文番号は１２３４５６です", false, "123456", ""},
		{"order status 445566 please", false, "445566", ""},
		{"see order 00123842 status", false, "00123842", ""},
		{"cancel purchase 3707955617", false, "3707955617", ""},
		{"my order ORD-2024-00123 is late", false, "ORD-2024-00123", ""},
		{"SO-123456 where is it", false, "SO-123456", ""},
		{"12345678", false, "12345678", ""},
		{"#4711", false, "4711", ""},
		// Multi-turn: a bare number after we asked for it.
		{"it's 4567, thanks", true, "4567", ""},
		{"es el 99881", true, "99881", ""},
		{"123456です", true, "123456", ""},
		{"It's 12345.", true, "12345", ""},
		{"it's 4567, thanks", false, "", ""},
		// Not order numbers.
		{"call me at +34 612 345 678", false, "", ""},
		{"my phone is 0612345678", true, "", ""},
		{"mi teléfono es 612345678", true, "", ""},
		{"(555) 123-4567", true, "", ""},
		{"612 345 678", true, "", ""},
		{"I ordered on 2024-03-15", false, "", ""},
		{"order placed 15/03/2024", false, "", ""},
		{"I paid $1299 for it", true, "", ""},
		{"el pedido de 1500 pesos", false, "", ""},
		{"order total 29.99", false, "", ""},
		{"I ordered 2 items", false, "", ""},
		{"it costs 12345 yen? no, 12345円", true, "", ""},
		{"my RTX4090 broke", false, "", ""},
		{"see https://shop.example/orders/123456", false, "", ""},
		// E-mail addresses, and the digits in them are not order numbers.
		{"my email is ana.lopez+shop@example.com", false, "", "ana.lopez+shop@example.com"},
		{"order 55123, email jo@example.co.uk", false, "55123", "jo@example.co.uk"},
		{"user12345@example.com", false, "", "user12345@example.com"},
	}
	for _, tt := range tests {
		got := extractSlots(tt.text, tt.lenient)
		if got.OrderNumber != tt.order || got.Email != tt.email {
			t.Errorf("extractSlots(%q, lenient=%v) = %+v, want order %q email %q", tt.text, tt.lenient, got, tt.order, tt.email)
		}
	}
}

func TestExtractAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text     string
		minor    int64
		currency string
	}{
		{"I paid €45 for it", 4500, "EUR"},
		{"me cobraron 45,00 € de más", 4500, "EUR"},
		{"the total was US$ 12.50", 1250, "USD"},
		{"it cost $1,299.99", 129999, "USD"},
		{"Betrag: 1.299,99 EUR", 129999, "EUR"},
		{"¥4,500の返金はまだですか", 4500, "JPY"},
		{"退款¥99还没到", 9900, "CNY"},
		{"4,500円返金してください", 4500, "JPY"},
		{"tôi đã trả 1.250.000₫", 1250000, "VND"},
		{"sudah bayar Rp 150.000 tapi gagal", 150000, "IDR"},
		{"Rp150.000", 150000, "IDR"},
		{"refund RM 50 please", 5000, "MYR"},
		{"I was charged ₱500 twice", 50000, "PHP"},
		{"دفعت ر.س 99", 9900, "SAR"},
		{"دفعت 99 SAR", 9900, "SAR"},
		{"paguei R$ 12,30 de frete", 1230, "BRL"},
		{"จ่ายไป 350 บาท", 35000, "THB"},
		{"waiting for a refund of 299 dollars", 29900, "USD"},
		{"£7.5 shipping", 750, "GBP"},
		// Not amounts.
		{"order 12345 please", 0, ""},
		{"call me at +34 612 345 678", 0, ""},
		{"I ordered 2 items", 0, ""},
		{"a real person please", 0, ""},
		{"tôi có 3 đơn hàng", 0, ""},
	}
	for _, tt := range tests {
		got := extractSlots(tt.text, false).Amount
		if got.Minor != tt.minor || got.Currency != tt.currency {
			t.Errorf("amount in %q = %d %s (%q), want %d %s", tt.text, got.Minor, got.Currency, got.Text, tt.minor, tt.currency)
		}
	}
}

func TestExtractIdentifiers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text     string
		awaiting string
		want     Slots
	}{
		// Order IDs of the demo shop and of τ²-bench.
		{"where is DE-10001?", "", Slots{OrderNumber: "DE-10001"}},
		{"cancel order TH-10002 please", "", Slots{OrderNumber: "TH-10002"}},
		{"status of #W2378156", "", Slots{OrderNumber: "W2378156"}},
		// EU VAT numbers are not order numbers.
		{"my VAT number is DE123456789", "", Slots{VATNumber: "DE123456789"}},
		{"USt-IdNr. DE 123 456 789, bitte auf die Rechnung", "", Slots{VATNumber: "DE123456789"}},
		{"numéro de TVA FR12345678901", "", Slots{VATNumber: "FR12345678901"}},
		{"BTW-nummer NL123456789B01", "", Slots{VATNumber: "NL123456789B01"}},
		{"partita IVA IT12345678901 per la fattura", "", Slots{VATNumber: "IT12345678901"}},
		{"ATU12345678", "", Slots{VATNumber: "ATU12345678"}},
		{"order DE123456789", "", Slots{OrderNumber: "DE123456789"}},
		// Postal codes: after a postal-code word, or alone when asked.
		{"my zip code is 94107", "", Slots{PostalCode: "94107"}},
		{"PLZ 10115 Berlin", "", Slots{PostalCode: "10115"}},
		{"CEP 01310-100", "", Slots{PostalCode: "01310-100"}},
		{"郵便番号は150-0001です", "", Slots{PostalCode: "150-0001"}},
		{"postcode SW1A 1AA", "", Slots{PostalCode: "SW1A 1AA"}},
		{"75008", SlotPostalCode, Slots{PostalCode: "75008"}},
		{"75008", "", Slots{OrderNumber: "75008"}},
		// Names, when the customer introduces themself.
		{"Hi, my name is Ana López and my order is late", "", Slots{Name: "Ana López"}},
		{"I'm Tom Baker, order 55512", "", Slots{Name: "Tom Baker", OrderNumber: "55512"}},
		{"I am waiting for my order", "", Slots{}},
		{"me llamo María José Pérez", "", Slots{Name: "María José Pérez"}},
		{"Hallo, ich heiße Jonas Weber", "", Slots{Name: "Jonas Weber"}},
		{"bonjour, je m'appelle Luc Martin", "", Slots{Name: "Luc Martin"}},
		{"oi, meu nome é João da Silva", "", Slots{Name: "João da Silva"}},
		{"halo, nama saya Budi Santoso", "", Slots{Name: "Budi Santoso"}},
		{"chào shop, tên tôi là Nguyễn Văn An", "", Slots{Name: "Nguyễn Văn An"}},
		{"مرحبا، اسمي محمد علي", "", Slots{Name: "محمد علي"}},
		{"สวัสดีค่ะ ฉันชื่อสมหญิงค่ะ", "", Slots{Name: "สมหญิง"}},
		{"田中と申します", "", Slots{Name: "田中"}},
		{"你好，我叫王小明", "", Slots{Name: "王小明"}},
	}
	for _, tt := range tests {
		if got := extractSlotsFor(tt.text, tt.awaiting); got != tt.want {
			t.Errorf("extractSlotsFor(%q, %q) = %+v, want %+v", tt.text, tt.awaiting, got, tt.want)
		}
	}
}

// TestStartsWithAnswer: the first words say yes or no whatever the message goes on to ask.
func TestStartsWithAnswer(t *testing.T) {
	for text, want := range map[string]string{
		"Yes, please cancel it.":      IntentConfirm,
		"Ja, bitte stornieren":        IntentConfirm,
		"Sí, cancélalo por favor":     IntentConfirm,
		"はい、キャンセルしてください":              IntentConfirm,
		"No, don't cancel it":         IntentDeny,
		"Nein, doch nicht stornieren": IntentDeny,
		"Please cancel it":            "",
		"Where is my order?":          "",
	} {
		if got := StartsWithAnswer(text); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}
