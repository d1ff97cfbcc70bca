package screen

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

const typical = "Hi, my order ORD-2024-XK93 still hasn't arrived and the tracking number 1Z999AA10123456784 hasn't moved since Monday. Can you check it and tell me when it will be delivered? Thanks!"

// BenchmarkScreen measures Screen on a typical message; the baseline
// sub-benchmark NFKC-normalises the same text, and the ratio is reported.
func BenchmarkScreen(b *testing.B) {
	var base float64
	b.Run("baseline_nfkc", func(b *testing.B) {
		b.SetBytes(int64(len(typical)))
		for b.Loop() {
			_ = norm.NFKC.String(typical)
		}
		base = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("screen", func(b *testing.B) {
		b.SetBytes(int64(len(typical)))
		for b.Loop() {
			_ = Screen(typical)
		}
		if base > 0 {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/base, "x_nfkc")
		}
	})
}
