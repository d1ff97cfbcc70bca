package i18n

import (
	"testing"

	"golang.org/x/text/language"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		hints []string
		want  language.Tag
	}{
		{[]string{"pt"}, language.BrazilianPortuguese},
		{[]string{"pt-PT"}, language.BrazilianPortuguese},
		{[]string{"pt_BR"}, language.BrazilianPortuguese},
		{[]string{"es-MX"}, language.Spanish},
		{[]string{"es-419"}, language.Spanish},
		{[]string{"zh-Hant-HK"}, language.SimplifiedChinese},
		{[]string{"zh-TW"}, language.SimplifiedChinese},
		{[]string{"zh-CN"}, language.SimplifiedChinese},
		{[]string{"ar-EG"}, language.Arabic},
		{[]string{"ms"}, language.Indonesian},
		{[]string{"in"}, language.Indonesian}, // deprecated code still sent by old Android
		{[]string{"ja-JP"}, language.Japanese},
		{[]string{"ko"}, language.English},
		{[]string{"fa"}, language.English}, // no Persian catalog; Arabic is not a fallback for it
		{[]string{"xx"}, language.English},
		{nil, language.English},
		{[]string{"", "not a tag"}, language.English},
		{[]string{"fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"}, language.French},
		{[]string{"ko-KR,ko;q=0.9,ja;q=0.8"}, language.Japanese},
		{[]string{"ko", "th-TH"}, language.Thai},
		{[]string{"de-AT", "en"}, language.German},
	}
	for _, tt := range tests {
		if got := Match(tt.hints...); got != tt.want {
			t.Errorf("Match(%q) = %s, want %s", tt.hints, got, tt.want)
		}
	}
}

func TestMatchReturnsASupportedTag(t *testing.T) {
	t.Parallel()
	sup := map[language.Tag]bool{}
	for _, tag := range Supported() {
		sup[tag] = true
	}
	for _, h := range []string{"es-MX", "fr-CA", "en-GB", "de-CH", "pt-PT", "zh-Hant-HK", "vi-VN", "th-TH", "id-ID", "ar-SA", "ja-JP"} {
		if got := Match(h); !sup[got] {
			t.Errorf("Match(%q) = %s, which is not one of Supported (extensions must be dropped)", h, got)
		}
	}
}

func TestSupported(t *testing.T) {
	t.Parallel()
	got := Supported()
	if len(got) < 11 || got[0] != language.English {
		t.Fatalf("Supported() = %v, want at least 11 locales with English first", got)
	}
	got[0] = language.Korean
	if Supported()[0] != language.English {
		t.Fatal("changing the slice returned by Supported changed the package")
	}
}

func TestBase(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"pt-BR", "pt"}, {"zh-Hans-CN", "zh"}, {"zh-Hant-TW", "zh"}, {"es-419", "es"},
		{"en", "en"}, {"pt_BR", "pt"}, {"und", ""}, {"!!", ""},
	}
	for _, tt := range tests {
		if got := BaseOf(tt.in); got != tt.want {
			t.Errorf("BaseOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Base(Match("pt")); got != "pt" {
		t.Errorf("Base(Match(pt)) = %q, want pt", got)
	}
}

func TestDirection(t *testing.T) {
	t.Parallel()
	tests := []struct{ lang, want string }{
		{"ar", RTL}, {"ar-EG", RTL}, {"he", RTL}, {"fa", RTL}, {"ur", RTL}, {"yi", RTL},
		{"en", LTR}, {"ja", LTR}, {"th", LTR}, {"zh-Hant", LTR}, {"vi", LTR},
		{"az-Arab", RTL}, {"ku-Latn", LTR}, {"", LTR}, {"not a tag", LTR},
	}
	for _, tt := range tests {
		if got := Direction(tt.lang); got != tt.want {
			t.Errorf("Direction(%q) = %q, want %q", tt.lang, got, tt.want)
		}
	}
}

func TestTextDirection(t *testing.T) {
	t.Parallel()
	tests := []struct{ text, want string }{
		{"أين طلبي؟", RTL},
		{"איפה ההזמנה שלי", RTL},
		{"#12345 أين طلبي", RTL}, // digits and punctuation are weak; the first letter decides
		{"Order #12345 أين", LTR},
		{"12345", LTR},
		{"", LTR},
		{"我的订单", LTR},
	}
	for _, tt := range tests {
		if got := TextDirection(tt.text); got != tt.want {
			t.Errorf("TextDirection(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
