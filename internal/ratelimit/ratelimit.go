// Package ratelimit limits how often each key — a client IP, a conversation ID — may do
// something, with one token bucket per key: a key may spend up to burst requests at once,
// then rate requests per second on average. The HTTP API uses it to keep one client or
// one runaway conversation from starving the others (and the model budget).
//
// Memory is bounded: a bucket that has refilled completely is indistinguishable from a
// new one, so once it has stayed full for as long again as a complete refill takes, it is
// dropped (a few at a time, as later requests pass through its shard; the grace saves
// steady clients from being forgotten and remembered on every request), and a limiter holds at most WithMaxKeys buckets whatever the
// traffic; when a flood of distinct keys (spoofed or rotating IPs) reaches that cap, the
// least recently seen keys are forgotten, which can only grant those keys a fresh burst,
// never refuse a key that was not over its limit. Keys are spread over independently
// locked shards so that concurrent requests rarely wait on each other.
//
// It is for limits within one process. It is not distributed rate limiting: replicas
// behind a load balancer each keep their own buckets, so a client spread over N replicas
// gets up to N times the limit; a shared limit belongs in the load balancer or a shared
// store. It is not a quota or billing counter (buckets are forgotten), and it does not
// queue or delay requests: Allow answers at once and says how long to wait.
package ratelimit

import (
	"fmt"
	"hash/maphash"
	"math"
	"sync"
	"time"
)

// DefaultMaxKeys is the number of keys a limiter remembers unless WithMaxKeys says
// otherwise: about 15 MB with keys the length of an IPv6 address (some 150 bytes a key).
const DefaultMaxKeys = 100_000

// maxShards bounds the number of independently locked maps.
const maxShards = 64

// sweepPerCall bounds how many idle buckets one call drops, so that no call holds a
// shard's lock for long; since every bucket was inserted by a call, a shard with traffic
// still drops idle buckets at least as fast as it creates them.
const sweepPerCall = 4

// Limiter is a set of token buckets, one per key, all with the same rate and burst. Its
// methods are safe for concurrent use.
type Limiter struct {
	interval int64 // nanoseconds per token
	window   int64 // (burst-1)*interval: how far ahead of now a key's schedule may run
	grace    int64 // how long a bucket stays remembered after it is full again
	clock    func() time.Time
	epoch    time.Time
	seed     maphash.Seed
	mask     uint64
	shards   []shard
}

// Option configures a Limiter.
type Option func(*config)

type config struct {
	clock   func() time.Time
	maxKeys int
}

// WithClock makes the limiter read time from now instead of time.Now (for tests). The
// clock should not run backwards; if it does, keys wait longer by as much as it went back.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.clock = now }
}

// WithMaxKeys sets how many keys the limiter remembers at most (DefaultMaxKeys if n < 1).
// The cap is split evenly over the shards, so a shard may start forgetting keys slightly
// before the limiter as a whole holds n.
func WithMaxKeys(n int) Option {
	return func(c *config) { c.maxKeys = n }
}

// New returns a limiter that lets each key make burst requests at once and rate requests
// per second on average. It panics if rate is not a positive finite number, if burst is
// less than 1, or if burst/rate is longer than about 146 years: those are programming
// errors, not configuration a user could get wrong at run time without validation.
//
// Rates are kept to the nanosecond: the interval between tokens is 1/rate seconds rounded
// to the nearest nanosecond (at least one).
func New(rate float64, burst int, opts ...Option) *Limiter {
	if !(rate > 0) || math.IsInf(rate, 1) {
		panic(fmt.Sprintf("ratelimit: rate %v, want a positive finite number of tokens per second", rate))
	}
	if burst < 1 {
		panic(fmt.Sprintf("ratelimit: burst %d, want at least 1", burst))
	}
	interval := math.Round(float64(time.Second) / rate)
	interval = max(interval, 1)
	if interval*float64(burst) > 1<<62 {
		panic(fmt.Sprintf("ratelimit: burst %d at %v per second takes too long to refill", burst, rate))
	}
	c := config{clock: time.Now, maxKeys: DefaultMaxKeys}
	for _, o := range opts {
		o(&c)
	}
	if c.maxKeys < 1 {
		c.maxKeys = DefaultMaxKeys
	}
	n := 1
	for n*2 <= maxShards && n*2 <= c.maxKeys {
		n *= 2
	}
	l := &Limiter{
		interval: int64(interval),
		window:   int64(burst-1) * int64(interval),
		grace:    int64(burst) * int64(interval),
		clock:    c.clock,
		epoch:    c.clock(),
		seed:     maphash.MakeSeed(),
		mask:     uint64(n - 1),
		shards:   make([]shard, n),
	}
	for i := range l.shards {
		l.shards[i].init(c.maxKeys / n)
	}
	return l
}

// Allow spends one of key's tokens if it has one and reports whether it did. If not, it
// returns how long until the key's next token, which an HTTP handler can send as
// Retry-After; a refused request spends nothing.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := int64(l.clock().Sub(l.epoch))
	s := &l.shards[maphash.String(l.seed, key)&l.mask]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now - l.grace)
	b := s.get(key, now)
	// Generic cell rate algorithm: b.tat is when the key's bucket will be full again if
	// nothing more is spent. A token may be spent if that is at most window ahead of now.
	tat := max(b.tat, now)
	if wait := tat - l.window - now; wait > 0 {
		return false, time.Duration(wait)
	}
	b.tat = tat + l.interval
	return true, 0
}

// Len returns the number of keys the limiter currently remembers.
func (l *Limiter) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.buckets)
		s.mu.Unlock()
	}
	return n
}

// bucket is one key's state, linked into its shard's list in order of last use.
type bucket struct {
	key        string
	tat        int64 // theoretical arrival time, nanoseconds since the limiter's epoch
	prev, next *bucket
}

// shard is a part of the key space under one lock. root.next is the most recently used
// bucket and root.prev the least recently used one.
type shard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	root    bucket
	max     int
	free    *bucket // dropped buckets for reuse, linked through next
	nfree   int
}

// maxFree is how many dropped buckets a shard keeps for reuse.
const maxFree = 4 * sweepPerCall

func (s *shard) init(maxKeys int) {
	s.buckets = make(map[string]*bucket)
	s.root.next, s.root.prev = &s.root, &s.root
	s.max = max(maxKeys, 1)
}

// get returns key's bucket, marked as the most recently used, creating a full one if the
// key is not remembered; at the cap, the least recently used bucket is reused for it.
func (s *shard) get(key string, now int64) *bucket {
	if b, ok := s.buckets[key]; ok {
		s.unlink(b)
		s.pushFront(b)
		return b
	}
	var b *bucket
	if len(s.buckets) >= s.max {
		b = s.root.prev
		s.unlink(b)
		delete(s.buckets, b.key)
		*b = bucket{}
	} else if b = s.free; b != nil {
		s.free = b.next
		s.nfree--
		b.next = nil
	} else {
		b = new(bucket)
	}
	b.key, b.tat = key, now
	s.buckets[key] = b
	s.pushFront(b)
	return b
}

// sweep drops a few of the least recently used buckets if they were full by before:
// dropping them changes no answer, since a key that is not remembered gets a full bucket.
// Dropped buckets are kept for reuse, up to a few.
func (s *shard) sweep(before int64) {
	for range sweepPerCall {
		b := s.root.prev
		if b == &s.root || b.tat > before {
			return
		}
		s.unlink(b)
		delete(s.buckets, b.key)
		if s.nfree < maxFree {
			*b = bucket{next: s.free}
			s.free = b
			s.nfree++
		}
	}
}

func (s *shard) unlink(b *bucket) {
	b.prev.next = b.next
	b.next.prev = b.prev
	b.prev, b.next = nil, nil
}

func (s *shard) pushFront(b *bucket) {
	b.prev = &s.root
	b.next = s.root.next
	s.root.next.prev = b
	s.root.next = b
}
