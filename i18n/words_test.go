package i18n

import "testing"

func TestContainsWord(t *testing.T) {
	for _, tc := range []struct {
		text, term string
		want       bool
	}{
		{"i want a refund now", "refund", true},
		{"the order was refunded", "refund", false},
		{"prefund", "refund", false},
		{"refund, please", "refund", true},
		{"a refund2 code", "refund", false},
		{"terrible", "terrible", true},
		{"ร้านนี้แย่มาก", "แย่", true}, // Thai: no spaces between words
		{"返金してください", "返金", true},       // Japanese likewise
		{"gift card", "gift card", true},
		{"giftcard", "gift card", false},
		{"refund then refunded", "refunded", true}, // a later occurrence counts
		{"anything", "", false},
	} {
		if got := ContainsWord(tc.text, tc.term); got != tc.want {
			t.Errorf("ContainsWord(%q, %q) = %v, want %v", tc.text, tc.term, got, tc.want)
		}
	}
}
