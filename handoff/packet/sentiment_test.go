package packet

import "testing"

func TestSentiment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, text string
		negative   bool
	}{
		{"en", "This is the worst service ever, I want my money back", true},
		{"en", "Thank you so much, great service!", false},
		{"en", "WHERE IS MY PARCEL I PAID TWO WEEKS AGO", false}, // shouting alone is not enough
		{"en", "WHERE IS MY PARCEL, THIS IS RIDICULOUS", true},
		{"es", "Es una vergüenza, llevo diez días esperando", true},
		{"es", "Muchas gracias, todo perfecto", false},
		{"de", "Das ist eine Frechheit, ich bin echt enttäuscht", true},
		{"de", "Vielen Dank, alles gut angekommen", false},
		{"fr", "Service nul, je suis déçue", true},
		{"fr", "Merci beaucoup, c'est parfait", false},
		{"fr", "Je voudrais annuler ma commande", false}, // "nul" is a whole word, not part of "annuler"
		{"pt", "Que absurdo, vou reclamar no Procon", true},
		{"pt", "Obrigada, chegou tudo certinho", false},
		{"ar", "هذا سيء جدًا، أنتظر منذ أسبوعين", true},
		{"ar", "شكرا جزيلا، الخدمة ممتازة", false},
		{"id", "Saya kecewa banget, barangnya rusak", true},
		{"id", "Terima kasih kak, paketnya sudah sampai", false},
		{"ja", "最悪です。二度と買いません", true},
		{"ja", "ありがとうございます、届きました", false},
		{"th", "ผิดหวังมาก ของยังไม่มาเลย", true},
		{"th", "ขอบคุณมากค่ะ ได้รับของแล้ว", false},
		{"vi", "Tôi rất thất vọng, hàng bị lỗi", true},
		{"vi", "Cảm ơn shop, hàng đẹp lắm", false},
		{"zh", "太差了，我要投诉", true},
		{"zh", "谢谢，我很满意", false},
		{"zh", "我不满意", true},
		{"", "Where is my order? 😡", true},             // the emoji counts in any language
		{"", "Ich bin wütend", true},                   // no language: every list is checked
		{"es", "This is unacceptable", true},           // English counts for everyone
		{"en", "The parcel was not bad at all", false}, // no word from the lists
	}
	for _, tt := range tests {
		neg, score := Sentiment(tt.text, tt.lang)
		if neg != tt.negative {
			t.Errorf("Sentiment(%q, %q) = %v (score %.2f), want %v", tt.text, tt.lang, neg, score, tt.negative)
		}
		if score < 0 || score > 1 {
			t.Errorf("Sentiment(%q) score %v outside [0, 1]", tt.text, score)
		}
	}
}

func TestSentimentScoreGrows(t *testing.T) {
	t.Parallel()
	_, one := Sentiment("This is terrible", "en")
	_, more := Sentiment("This is terrible, a scam, I am furious 😡!!!", "en")
	if !(more > one) || more != 1 {
		t.Errorf("scores %v then %v: more evidence should score higher, capped at 1", one, more)
	}
}

func TestShouldHandOff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		history []bool
		want    bool
	}{
		{nil, false},
		{[]bool{true}, false},
		{[]bool{true, true}, true},
		{[]bool{true, false, true}, true},
		{[]bool{true, false, false}, false},
		{[]bool{true, true, false, false, true}, false}, // only the last three count
		{[]bool{false, false, false, true, true}, true},
	}
	for _, tt := range tests {
		if got := ShouldHandOff(tt.history); got != tt.want {
			t.Errorf("ShouldHandOff(%v) = %v, want %v", tt.history, got, tt.want)
		}
	}
}

func TestBuildUsesUpstreamSignals(t *testing.T) {
	t.Parallel()
	in := arabicRefund()
	// A model judged the first two customer messages negative, though no keyword says so.
	in.Signals = []SentimentSignal{{Message: 1, Negative: true, Score: 0.8, Source: "model"}, {Message: 3, Negative: true, Score: 0.7, Source: "model"}}
	p := Build(in)
	if p.Sentiment.NegativeMessages != 3 || !p.Sentiment.Repeated {
		t.Errorf("sentiment = %+v, want 3 negatives and repeated", p.Sentiment)
	}
}
