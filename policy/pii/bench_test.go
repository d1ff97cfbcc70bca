package pii

import (
	"strings"
	"testing"
	"time"
)

// benchText is about 4 KB of multilingual customer messages with a few
// items of personal data among them.
var benchText = strings.Repeat("Hallo, meine Bestellung DE-10001 kam am 12.05.2024 nicht an. "+
	"Bitte erstatten Sie 49,99 EUR auf DE89 3704 0044 0532 0130 00. Rufen Sie mich an: 030 901820. "+
	"カード番号は４１１１　１１１１　１１１１　１１１１です。 Where is my order 732201349959? "+
	"رقم الطلب ١٢٣٤٥ شكرا. Mi correo es ana.lopez@ejemplo.es y mi DNI 12345678Z. ", 12)

// plainText is about 4 KB of customer messages without personal data.
var plainText = strings.Repeat("Hello, I ordered a pair of shoes last week and they still have not arrived. "+
	"Could you tell me where the parcel is and when it will be delivered? Thank you very much. ", 26)

// BenchmarkRedact reports the cost per KB and the ratio to a baseline pass
// (strings.ToLower + strings.Fields) over the same text in the same run, on
// dense multilingual text with personal data and on plain English text.
func BenchmarkRedact(b *testing.B) {
	b.Run("mixed", func(b *testing.B) { benchRedact(b, benchText) })
	b.Run("plain", func(b *testing.B) { benchRedact(b, plainText) })
}

func benchRedact(b *testing.B, benchText string) {
	opts := Options{Regions: []string{"DE"}}
	kb := float64(len(benchText)) / 1024
	var sink int
	start := time.Now()
	for i := 0; i < b.N; i++ {
		out, _ := Redact(benchText, opts)
		sink += len(out)
	}
	redact := time.Since(start)
	b.StopTimer()
	start = time.Now()
	for i := 0; i < b.N; i++ {
		sink += len(strings.Fields(strings.ToLower(benchText)))
	}
	base := time.Since(start)
	if sink == 0 {
		b.Fatal("no output")
	}
	b.ReportMetric(float64(redact.Nanoseconds())/float64(b.N)/kb, "ns/KB")
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N)/kb, "baseline-ns/KB")
	b.ReportMetric(float64(redact)/float64(base), "x-baseline")
}
