package ratelimit

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

// The baseline is the least any keyed limiter must do: find the key in a map under a
// mutex and update a number. Each workload runs the baseline first as its own
// sub-benchmark, then the limiter, which reports its time per call as a multiple of the
// baseline's in the same run ("x-mutexmap"), so the figure travels between machines
// better than ns/op does.

type mutexMap struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *mutexMap) inc(key string) {
	c.mu.Lock()
	c.m[key]++
	c.mu.Unlock()
}

// keys returns n distinct IPv4-looking keys.
func keys(n int) []string {
	ks := make([]string, n)
	for i := range ks {
		ks[i] = "10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
	}
	return ks
}

const manyKeys = 1 << 16

type workload struct {
	name     string
	keys     []string
	parallel bool
}

func workloads() []workload {
	many := keys(manyKeys)
	return []workload{
		{"hot-key", []string{"203.0.113.7"}, false},
		{"many-keys", many, false},
		{"many-keys-parallel", many, true},
	}
}

func run(b *testing.B, w workload, op func(string)) {
	mask := len(w.keys) - 1
	if !w.parallel {
		i := 0
		for b.Loop() {
			op(w.keys[i&mask])
			i++
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			op(w.keys[i&mask])
			i++
		}
	})
}

func nsPerOp(b *testing.B) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
}

func BenchmarkAllow(b *testing.B) {
	for _, w := range workloads() {
		var baseNs float64
		b.Run(w.name+"/baseline", func(b *testing.B) {
			c := &mutexMap{m: make(map[string]int)}
			run(b, w, c.inc)
			baseNs = nsPerOp(b)
		})
		b.Run(w.name+"/limiter", func(b *testing.B) {
			// The real clock is what production pays for; after the burst the hot key
			// is mostly refused, the common case under attack.
			l := New(1000, 100, WithMaxKeys(2*manyKeys))
			for _, k := range w.keys {
				l.Allow(k)
			}
			b.ResetTimer()
			run(b, w, func(k string) { l.Allow(k) })
			if baseNs > 0 {
				b.ReportMetric(nsPerOp(b)/baseNs, "x-mutexmap")
			}
		})
	}
}

// BenchmarkAllowFlood measures a flood of keys never seen before, each one evicting the
// least recently used at the cap; the baseline map deletes as many keys as it adds.
func BenchmarkAllowFlood(b *testing.B) {
	const capKeys = 10_000
	ks := keys(1 << 20)
	mask := len(ks) - 1
	var baseNs float64
	b.Run("baseline", func(b *testing.B) {
		c := &mutexMap{m: make(map[string]int)}
		i := 0
		for b.Loop() {
			c.inc(ks[i&mask])
			if i >= capKeys {
				delete(c.m, ks[(i-capKeys)&mask])
			}
			i++
		}
		baseNs = nsPerOp(b)
	})
	b.Run("limiter", func(b *testing.B) {
		l := New(1, 10, WithMaxKeys(capKeys), WithClock(func() time.Time { return time.Time{} }))
		i := 0
		for b.Loop() {
			l.Allow(ks[i&mask])
			i++
		}
		if baseNs > 0 {
			b.ReportMetric(nsPerOp(b)/baseNs, "x-mutexmap")
		}
	})
}
