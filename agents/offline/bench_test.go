package offline

import (
	"testing"
	"time"

	"github.com/attache-dev/attache/i18n"
)

// analyzeInputs are customer messages of every kind and language, for BenchmarkAnalyze.
var analyzeInputs = []string{
	"Hi, where is my order #W2378156? It was supposed to arrive last week.",
	"¿Dónde está mi pedido? Lo compré hace diez días",
	"Ich möchte meine Bestellung stornieren, bitte",
	"注文した商品がまだ届きません。注文番号は123456です。",
	"พัสดุของฉันยังไม่มาเลยค่ะ",
	"I want to talk to a human",
	"can I pay cash on delivery for order DE-10001?",
	"j'ai oublié mon mot de passe",
	"Tôi muốn đổi địa chỉ giao hàng",
	"هل السعر شامل ضريبة القيمة المضافة؟",
	"我想查看发票",
	"yes",
}

// BenchmarkAnalyze reports ns/op for understanding one message (language, intent, slots)
// and, measured in the same run over the same texts, "x-classify": how many times the
// cost of the intent classification alone (rules + nearest exemplars) the whole analysis
// is; the rest is language detection and slot extraction.
func BenchmarkAnalyze(b *testing.B) {
	e, _ := newTestEngine(b)
	i18n.WarmUp()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		sink += len(e.Analyze(analyzeInputs[i%len(analyzeInputs)], "").Intent)
		i++
	}
	analyzeNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.StopTimer()
	start := time.Now()
	for i := range b.N {
		intent, _ := e.classify(analyzeInputs[i%len(analyzeInputs)], Slots{})
		sink += len(intent)
	}
	classifyNs := float64(time.Since(start).Nanoseconds()) / float64(b.N)
	if classifyNs > 0 {
		b.ReportMetric(classifyNs, "classify-ns/op")
		b.ReportMetric(analyzeNs/classifyNs, "x-classify")
	}
}

// BenchmarkClassify reports ns/op for the intent classification alone (rules and nearest
// exemplars), without language detection and slot extraction.
func BenchmarkClassify(b *testing.B) {
	e, _ := newTestEngine(b)
	i := 0
	for b.Loop() {
		intent, _ := e.classify(analyzeInputs[i%len(analyzeInputs)], Slots{})
		sink += len(intent)
		i++
	}
}
