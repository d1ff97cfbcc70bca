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
