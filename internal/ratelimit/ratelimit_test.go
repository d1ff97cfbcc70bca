package ratelimit

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand; safe for concurrent reads.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func newFake(t testing.TB, rate float64, burst int, opts ...Option) (*Limiter, *fakeClock) {
	t.Helper()
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC).UnixNano())
	return New(rate, burst, append([]Option{WithClock(c.now)}, opts...)...), c
}

// step is one moment in a scenario: advance the clock, then make n requests for key.
type step struct {
	advance time.Duration
	key     string
	n       int
	allowed int           // how many of the n are let through
	retry   time.Duration // the retryAfter of the last refused request, if any
}

func TestAllowBurstThenRefill(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rate  float64
		burst int
		steps []step
	}{
		{"burst of 3 at 1/s, then one per second", 1, 3, []step{
			{0, "a", 5, 3, time.Second},
			{999 * time.Millisecond, "a", 1, 0, time.Millisecond},
			{time.Millisecond, "a", 2, 1, time.Second},
			{10 * time.Second, "a", 5, 3, time.Second}, // refilled to burst, not beyond
		}},
		{"keys have separate buckets", 1, 2, []step{
			{0, "203.0.113.7", 3, 2, time.Second},
			{0, "198.51.100.1", 3, 2, time.Second},
			{500 * time.Millisecond, "203.0.113.7", 1, 0, 500 * time.Millisecond},
		}},
		{"burst of one is a plain interval", 4, 1, []step{
			{0, "conv-1", 2, 1, 250 * time.Millisecond},
			{250 * time.Millisecond, "conv-1", 2, 1, 250 * time.Millisecond},
			{100 * time.Millisecond, "conv-1", 1, 0, 150 * time.Millisecond},
		}},
		{"fractional rate: one per 10 s", 0.1, 2, []step{
			{0, "k", 3, 2, 10 * time.Second},
			{5 * time.Second, "k", 1, 0, 5 * time.Second},
			{5 * time.Second, "k", 1, 1, 0},
			{20 * time.Second, "k", 3, 2, 10 * time.Second},
		}},
		{"fast rate, large burst", 1000, 100, []step{
			{0, "k", 150, 100, time.Millisecond},
			{50 * time.Millisecond, "k", 60, 50, time.Millisecond},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, clock := newFake(t, tc.rate, tc.burst)
			for i, s := range tc.steps {
				clock.advance(s.advance)
				allowed, retry := 0, time.Duration(0)
				for range s.n {
					ok, r := l.Allow(s.key)
					switch {
					case ok && r != 0:
						t.Fatalf("step %d: allowed with retryAfter %v, want 0", i, r)
					case ok:
						allowed++
					default:
						retry = r
					}
				}
				if allowed != s.allowed || retry != s.retry {
					t.Errorf("step %d: %d of %d allowed, retry after %v; want %d, %v",
						i, allowed, s.n, retry, s.allowed, s.retry)
				}
			}
		})
	}
}

// TestRetryAfterIsExact checks that a client that waits exactly retryAfter is let
// through, and one that comes back a nanosecond early is not.
func TestRetryAfterIsExact(t *testing.T) {
	t.Parallel()
	for _, rate := range []float64{0.3, 1, 3, 7.5, 1000, 123456} {
		t.Run(strconv.FormatFloat(rate, 'g', -1, 64), func(t *testing.T) {
			t.Parallel()
			l, clock := newFake(t, rate, 3)
			for range 3 {
				if ok, _ := l.Allow("k"); !ok {
					t.Fatal("burst refused")
				}
			}
			for i := range 20 {
				ok, retry := l.Allow("k")
				if ok || retry <= 0 {
					t.Fatalf("round %d: ok=%v retry=%v after the burst, want a refusal", i, ok, retry)
				}
				want := time.Duration(float64(time.Second) / rate)
				if d := retry - want; d < -time.Nanosecond || d > time.Nanosecond {
					t.Fatalf("round %d: retry after %v, want %v", i, retry, want)
				}
				clock.advance(retry - 1)
				if ok, r := l.Allow("k"); ok || r != 1 {
					t.Fatalf("round %d: 1ns early: ok=%v retry=%v, want refused with 1ns", i, ok, r)
				}
				clock.advance(1)
				if ok, _ := l.Allow("k"); !ok {
					t.Fatalf("round %d: refused after waiting retryAfter", i)
				}
			}
		})
	}
}

func TestIdleBucketsAreDropped(t *testing.T) {
	t.Parallel()
	// One token per 100 ms, so an empty bucket refills in 500 ms and a bucket is
	// forgotten 500 ms after it is full again.
	l, clock := newFake(t, 10, 5)
	for i := range 1000 {
		l.Allow("10.0.0." + strconv.Itoa(i))
	}
	if n := l.Len(); n != 1000 {
		t.Fatalf("%d keys remembered, want 1000", n)
	}
	// Each key spent one token, so its bucket is full again after 100 ms.
	clock.advance(599 * time.Millisecond)
	l.Allow("other")
	if n := l.Len(); n < 1000 {
		t.Fatalf("%d keys remembered before any bucket refilled, want all 1000 and one", n)
	}
	clock.advance(time.Millisecond)
	// Traffic on other keys drains the idle ones a few at a time, shard by shard.
	for i := range 2000 {
		l.Allow("later-" + strconv.Itoa(i%1000))
	}
	if n := l.remembered("10.0.0."); n != 0 {
		t.Fatalf("%d refilled keys still remembered after 2000 calls, want 0", n)
	}
	if n := l.Len(); n > 1001 {
		t.Fatalf("%d keys remembered, want at most the 1001 recent ones", n)
	}
}

// remembered counts the keys with prefix that l holds.
func (l *Limiter) remembered(prefix string) int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		for k := range s.buckets {
			if strings.HasPrefix(k, prefix) {
				n++
			}
		}
		s.mu.Unlock()
	}
	return n
}

// TestEvictionDoesNotPunish checks that forgetting a key only ever gives it a fresh
// bucket: a key pushed out by a flood of new keys is let through again.
func TestEvictionDoesNotPunish(t *testing.T) {
	t.Parallel()
	l, _ := newFake(t, 1, 1, WithMaxKeys(64))
	if ok, _ := l.Allow("victim"); !ok {
		t.Fatal("first request refused")
	}
	if ok, _ := l.Allow("victim"); ok {
		t.Fatal("second request at once allowed with burst 1")
	}
	for i := range 10_000 {
		l.Allow("flood-" + strconv.Itoa(i))
	}
	if ok, _ := l.Allow("victim"); !ok {
		t.Fatal("evicted key refused: eviction must only forget, never refuse")
	}
}

func TestMaxKeysUnderFlood(t *testing.T) {
	t.Parallel()
	for _, capKeys := range []int{1, 3, 1000, 50_000} {
		t.Run(strconv.Itoa(capKeys), func(t *testing.T) {
			t.Parallel()
			// No time passes, so no bucket refills and only the cap bounds memory.
			l, _ := newFake(t, 1, 10, WithMaxKeys(capKeys))
			n := 1_000_000
			if testing.Short() || capKeys < 1000 {
				n = 100_000
			}
			peak := 0
			for i := range n {
				if ok, _ := l.Allow("198.51." + strconv.Itoa(i)); !ok {
					t.Fatalf("new key %d refused", i)
				}
				if i%65536 == 0 {
					peak = max(peak, l.Len())
				}
			}
			peak = max(peak, l.Len())
			if peak > capKeys || peak < capKeys/2 {
				t.Fatalf("%d keys remembered after %d distinct keys, want between %d and the cap %d",
					peak, n, capKeys/2, capKeys)
			}
		})
	}
}

// TestMemoryUnderFlood checks what an operator would notice: a million distinct keys
// leave the heap about as large as the cap allows, not as large as the flood. It does not
// run in parallel so that other tests' allocations do not blur the measure.
func TestMemoryUnderFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a million keys")
	}
	const capKeys = 10_000
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	l, _ := newFake(t, 1, 10, WithMaxKeys(capKeys))
	for i := range 1_000_000 {
		l.Allow("2001:db8::" + strconv.Itoa(i))
	}
	after := heap()
	// A remembered key costs about 150 bytes (bucket, key, map slot); a million of
	// them would be 150 MB.
	if grew := int64(after) - int64(before); grew > 400*capKeys {
		t.Fatalf("heap grew by %d bytes for at most %d keys, want under %d", grew, capKeys, 400*capKeys)
	}
	runtime.KeepAlive(l)
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	l, _ := newFake(t, 100, 10, WithMaxKeys(500))
	const workers, perWorker = 8, 2000
	var allowedHot atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				if ok, _ := l.Allow("hot"); ok {
					allowedHot.Add(1)
				}
				l.Allow(strconv.Itoa(w*perWorker + i))
				if i%100 == 0 {
					l.Len()
				}
			}
		})
	}
	wg.Wait()
	// The clock never moved: the hot key gets exactly its burst, however the calls
	// interleave.
	if got := allowedHot.Load(); got != 10 {
		t.Errorf("hot key allowed %d times without time passing, want the burst of 10", got)
	}
	if n := l.Len(); n > 500 {
		t.Errorf("%d keys remembered, cap 500", n)
	}

	// With time moving concurrently, the hot key never gets more than burst plus what
	// the elapsed time refills.
	l2, clock2 := newFake(t, 1000, 5)
	var allowed atomic.Int64
	for range workers {
		wg.Go(func() {
			for range perWorker {
				clock2.advance(10 * time.Microsecond)
				if ok, _ := l2.Allow("hot"); ok {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Duration(workers*perWorker) * 10 * time.Microsecond
	limit := int64(5 + elapsed/time.Millisecond)
	if got := allowed.Load(); got > limit || got < limit-5 {
		t.Errorf("hot key allowed %d times in %v, want about %d (burst 5 + 1000/s)", got, elapsed, limit)
	}
}

func TestNewRejectsNonsense(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rate  float64
		burst int
	}{
		{"zero rate", 0, 1},
		{"negative rate", -1, 1},
		{"infinite rate", math.Inf(1), 1},
		{"NaN rate", math.NaN(), 1},
		{"zero burst", 1, 0},
		{"refill longer than centuries", 1e-9, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if recover() == nil {
					t.Errorf("New(%v, %d) did not panic", tc.rate, tc.burst)
				}
			}()
			New(tc.rate, tc.burst)
		})
	}
}

func TestRealClock(t *testing.T) {
	t.Parallel()
	l := New(1, 2)
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.Allow("k"); ok != want {
			t.Fatalf("request %d: ok=%v, want %v", i, ok, want)
		}
	}
}

func ExampleLimiter() {
	// Two requests at once, then one every 500 ms, per client IP.
	now := time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)
	l := New(2, 2, WithClock(func() time.Time { return now }))
	for range 3 {
		ok, retry := l.Allow("ip:203.0.113.7")
		fmt.Println(ok, retry)
	}
	now = now.Add(500 * time.Millisecond)
	fmt.Println(l.Allow("ip:203.0.113.7"))
	// Output:
	// true 0s
	// true 0s
	// false 500ms
	// true 0s
}
