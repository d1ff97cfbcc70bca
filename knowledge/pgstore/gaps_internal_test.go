package pgstore

import "testing"

// TestNormalizeQuestion groups wordings that differ only in case, width, punctuation and
// spacing, and keeps apart those that differ in letters.
func TestNormalizeQuestion(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Where is my ORDER?!", "where is my order"},
		{"  Straße,  wo ist es? ", "strasse wo ist es"},
		{"ＡＢＣ　１２３", "abc 123"},
		{"Où est ma commande ?", "où est ma commande"},
		{"注文はどこ？", "注文はどこ"},
		{"?!…", ""},
	}
	for _, tt := range tests {
		if got := normalizeQuestion(tt.in); got != tt.want {
			t.Errorf("normalizeQuestion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
