package taboo

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkLiveScreen compares screening a 300-byte reply through a Live (an atomic load,
// then the same Screener) with the plain Screener. Each iteration screens once each way,
// in alternating order, timing both; the medians are reported ("live-ns/op",
// "plain-ns/op") with their ratio ("x-plain"), so that a burst of load on a shared machine
// does not land on one side only. ns/op is the pair.
func BenchmarkLiveScreen(b *testing.B) {
	s := Default()
	l := NewLive(s)
	ctx := Context{Market: "AE", Locale: "en", At: inRamadan}
	b.ReportAllocs()
	var live, plain []time.Duration
	timed := func(f func(string, Context) Verdict) time.Duration {
		t0 := time.Now()
		f(benchReply, ctx)
		return time.Since(t0)
	}
	for b.Loop() {
		if len(live)%2 == 0 {
			live = append(live, timed(l.Screen))
			plain = append(plain, timed(s.Screen))
		} else {
			plain = append(plain, timed(s.Screen))
			live = append(live, timed(l.Screen))
		}
	}
	b.StopTimer()
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Nanoseconds())
	}
	if lm, pm := median(live), median(plain); pm > 0 {
		b.ReportMetric(lm, "live-ns/op")
		b.ReportMetric(pm, "plain-ns/op")
		b.ReportMetric(lm/pm, "x-plain")
	}
}
