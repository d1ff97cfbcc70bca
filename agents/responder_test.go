package agents

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSplitWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", nil},
		{"Latin words keep their space", "Where is my order?", []string{"Where ", "is ", "my ", "order?"}},
		{"line breaks and double spaces", "Hi\n\nthere  you", []string{"Hi\n", "\n", "there ", " ", "you"}},
		{"trailing space", "Danke ", []string{"Danke "}},
		{"accents and punctuation", "¿Dónde está mi pedido?", []string{"¿Dónde ", "está ", "mi ", "pedido?"}},
		{"Thai, no spaces: one piece per character", "สวัสดี", []string{"ส", "ว", "ั", "ส", "ด", "ี"}},
		{"Japanese kana and kanji", "注文はどこ？", []string{"注", "文", "は", "ど", "こ", "？"}},
		{"Japanese with an order number", "注文W123です", []string{"注", "文", "W123で", "す"}},
		{"Chinese", "我的订单", []string{"我", "的", "订", "单"}},
		{"Arabic words", "أين طلبي؟", []string{"أين ", "طلبي؟"}},
		{"Korean uses spaces", "주문 어디", []string{"주문 ", "어디"}},
		{"emoji stay whole", "ok 👍🏽 thanks", []string{"ok ", "👍🏽 ", "thanks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitWords(tt.text)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("splitWords(%q) = %q, want %q", tt.text, got, tt.want)
			}
			checkPieces(t, tt.text, got)
		})
	}
}

// checkPieces asserts what the live stream relies on: the pieces add up to the text, none
// is empty, and a piece ends at a word boundary (a space, a line break, a character of a
// script written without spaces) and nowhere before its end.
func checkPieces(t *testing.T, text string, pieces []string) {
	t.Helper()
	if joined := strings.Join(pieces, ""); joined != text {
		t.Fatalf("pieces %q join to %q, want %q", pieces, joined, text)
	}
	for i, p := range pieces {
		if p == "" {
			t.Fatalf("piece %d of %q is empty: %q", i, text, pieces)
		}
		runes := 0
		for j, r := range p {
			runes++
			if isBoundary(r) && j+utf8.RuneLen(r) != len(p) {
				t.Fatalf("piece %d %q of %q goes on past a boundary %q", i, p, text, r)
			}
		}
		if last, _ := utf8.DecodeLastRuneInString(p); i < len(pieces)-1 && !isBoundary(last) {
			t.Fatalf("piece %d %q of %q ends inside a word", i, p, text)
		}
	}
}

func isBoundary(r rune) bool {
	return r == ' ' || r == '\n' || unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai)
}

func FuzzSplitWords(f *testing.F) {
	for _, s := range []string{
		"", " ", "Where is my order?", "สวัสดีครับ ขอบคุณ", "注文番号はW2378156です。", "我的订单在哪里",
		"أين طلبي؟ رقم الطلب 123", "¿Dónde está mi pedido?\nGracias", "주문 어디", "caf\xe9 \xff\xfe 注\xe6",
		"\u200b\u00a0mix 日本 ไทย العربية", "a\x00b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkPieces(t, text, splitWords(text))
	})
}
