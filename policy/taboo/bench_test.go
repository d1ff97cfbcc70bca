package taboo

import (
	"testing"
	"time"
)

// A typical reply of about 300 bytes, screened for a market with several packs.
const benchReply = "Thank you for your order #10482! Your parcel left our warehouse in Dubai this " +
	"morning and should arrive within 2 to 3 business days. You can follow it with the tracking " +
	"link in your confirmation e-mail. If anything is missing, reply here and a colleague will " +
	"help you. Enjoy 10% off your next order with code THANKS10."

// BenchmarkScreen reports the cost of screening a 300-byte reply for the UAE (Gulf,
// Ramadan-windowed and global packs) as ns/op, and as a ratio to normalising the same
// text alone, measured in the same run ("x-normalise").
func BenchmarkScreen(b *testing.B) {
	s := Default()
	ctx := Context{Market: "AE", Locale: "en", At: inRamadan}
	if v := s.Screen(benchReply, ctx); v.Action != ActionNone {
		b.Fatalf("benchmark reply has hits: %+v", v.Hits)
	}
	// The baseline runs in the same process just before, with as many iterations.
	// (testing.Benchmark cannot be called from inside a benchmark.)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		s.Screen(benchReply, ctx)
		n++
	}
	screenNs := float64(b.Elapsed().Nanoseconds()) / float64(n)
	start := time.Now()
	for range n {
		normalize(benchReply)
	}
	baseNs := float64(time.Since(start).Nanoseconds()) / float64(n)
	if baseNs > 0 {
		b.ReportMetric(baseNs, "normalise-ns/op")
		b.ReportMetric(screenNs/baseNs, "x-normalise")
	}
}
