package translate

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestPassthrough(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, from, to string
		wantFrom, wantEngine string
		wantUntranslated     bool
	}{
		{"arabic detected without a hint", "أريد استرداد المبلغ للطلب 784512", "", "en", "ar", EnginePassthrough, true},
		{"detection beats a wrong hint", "أريد استرداد المبلغ", "fr", "en", "ar", EnginePassthrough, true},
		{"thai", "พัสดุของฉันอยู่ที่ไหน", "", "de", "th", EnginePassthrough, true},
		{"same language is not untranslated", "代金引換で支払えますか", "ja", "ja-JP", "ja", EngineSameLanguage, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Passthrough{}.Translate(context.Background(), tt.text, tt.from, tt.to)
			if err != nil {
				t.Fatalf("Translate: %v", err)
			}
			if got.Text != tt.text || got.Translated {
				t.Errorf("got %q translated=%v, want the text unchanged and not translated", got.Text, got.Translated)
			}
			if got.From != tt.wantFrom || got.Engine != tt.wantEngine || got.Untranslated() != tt.wantUntranslated {
				t.Errorf("got from=%q engine=%q untranslated=%v, want %q %q %v",
					got.From, got.Engine, got.Untranslated(), tt.wantFrom, tt.wantEngine, tt.wantUntranslated)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	src := "Mi pedido 784512 no llegó, escribidme a [email_1] o [phone_2]."
	tests := []struct {
		name, src, out string
		ok             bool
	}{
		{"faithful", src, "My order 784512 did not arrive, write to me at [email_1] or [phone_2].", true},
		{"empty", src, "  \n", false},
		{"order number lost", src, "My order did not arrive, write to me at [email_1] or [phone_2].", false},
		{"order number changed", src, "My order 784521 did not arrive, write to me at [email_1] or [phone_2].", false},
		{"placeholder lost", src, "My order 784512 did not arrive, write to me at [email_1].", false},
		{"placeholder translated", src, "My order 784512 did not arrive, write to me at [correo_1] or [phone_2].", false},
		{"arabic-indic digits may become ascii", "طلبي رقم ٧٨٤٥١٢ لم يصل", "My order number 784512 has not arrived", true},
		{"short numbers may become words", "Tengo 2 paquetes", "I have two parcels", true},
		{"an answer instead of a translation", "Hola", strings.Repeat("Sure! Here is a long answer. ", 20), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Check(tt.src, tt.out)
			if tt.ok && err != nil {
				t.Errorf("Check rejected a good translation: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrRejected) {
				t.Errorf("Check = %v, want ErrRejected", err)
			}
		})
	}
}
