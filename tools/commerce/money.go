package commerce

import (
	"fmt"
	"math"
	"strings"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Scale is the number of minor-unit digits of an ISO 4217 currency: 2 for EUR, 0 for JPY
// and VND, 3 for KWD. An unknown code is an error.
func Scale(code string) (int, error) {
	u, err := currency.ParseISO(code)
	if err != nil {
		return 0, fmt.Errorf("currency %q: %w", code, err)
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale, nil
}

// FromDecimal converts an amount in major units (49.99) to Money, rounding half away from
// zero to the currency's minor unit.
func FromDecimal(amount float64, code string) (Money, error) {
	scale, err := Scale(code)
	if err != nil {
		return Money{}, err
	}
	return Money{Amount: int64(math.Round(amount * math.Pow10(scale))), Currency: strings.ToUpper(code)}, nil
}

// Decimal is the amount in major units.
func (m Money) Decimal() float64 {
	scale, err := Scale(m.Currency)
	if err != nil {
		scale = 2
	}
	return float64(m.Amount) / math.Pow10(scale)
}

// Format writes the amount for a reader of locale, with the currency's symbol and the
// locale's digits and separators: "€ 45.00" (en), "€ 45,00" (de), "￥ 4,500" (ja).
func (m Money) Format(locale string) string {
	u, err := currency.ParseISO(m.Currency)
	if err != nil {
		return m.String()
	}
	return message.NewPrinter(language.Make(locale)).Sprint(currency.Symbol(u.Amount(m.Decimal())))
}

// String is the amount with its code, for logs and tests: "45.00 EUR", "4500 JPY".
func (m Money) String() string {
	scale, err := Scale(m.Currency)
	if err != nil {
		scale = 2
	}
	return fmt.Sprintf("%.*f %s", scale, m.Decimal(), m.Currency)
}
