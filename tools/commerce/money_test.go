package commerce

import "testing"

func TestMoney(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		amount         float64
		code, locale   string
		minor          int64
		str, formatted string
	}{
		{45, "EUR", "en", 4500, "45.00 EUR", "€ 45.00"},
		{45, "eur", "de", 4500, "45.00 EUR", "€ 45,00"},
		{4500, "JPY", "ja", 4500, "4500 JPY", "￥ 4,500"},
		{1250000, "VND", "vi", 1250000, "1250000 VND", "₫ 1.250.000"},
		{12.345, "BRL", "pt-BR", 1235, "12.35 BRL", "R$ 12,35"},
		{1.2345, "KWD", "en", 1235, "1.235 KWD", "KWD 1.235"},
	} {
		m, err := FromDecimal(c.amount, c.code)
		if err != nil {
			t.Fatal(err)
		}
		if m.Amount != c.minor || m.String() != c.str || m.Format(c.locale) != c.formatted {
			t.Errorf("FromDecimal(%v, %s) = %d, %q, %q; want %d, %q, %q", c.amount, c.code, m.Amount, m.String(), m.Format(c.locale), c.minor, c.str, c.formatted)
		}
	}
	if _, err := FromDecimal(1, "XYZ1"); err == nil {
		t.Error("FromDecimal accepted an unknown currency")
	}
}
