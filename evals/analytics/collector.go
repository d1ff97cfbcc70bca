package analytics

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// DefaultScrapeCache is how long a Collector reuses the figures it read.
const DefaultScrapeCache = 10 * time.Second

// Collector serves the figures to Prometheus. The database is the truth (every API and
// worker process writes to it), so the Collector does not count events in memory: at scrape
// time it reads grouped counts over all conversations and handoffs, keeping them for a short
// while (DefaultScrapeCache) so that several Prometheus servers or a short scrape interval
// do not multiply the queries. Conversations older than twice the reopen window rarely
// change (a late survey answer, a handoff resolved days later), so their counts are read
// again only every SettledRefresh (15 minutes by default) and added to the recent ones read
// at every cache expiry: a scrape costs a pass over the last days, not over the whole
// history. The counters therefore restart from the database's figures
// whichever process answers, and go down when conversations are erased or expire, which
// Prometheus's rate() reads as a counter reset.
//
// Series (every counter since the database began):
//
//	attache_conversations_total{market,channel,language}
//	attache_ai_resolutions_total{market,channel,language}
//	attache_first_response_seconds{market}            histogram
//	attache_csat_responses_total{market}
//	attache_csat_score{market}                          histogram of the 1–5 scores
//	attache_guardrail_hits_total{kind,market}           kind: taboo, injection, abuse, card
//	attache_handoffs_total{reason,market,language}
//	attache_sla_breaches_total{market}
//	attache_analytics_up                                0 when the last read failed
//	attache_analytics_query_seconds                     how long the last read took
type Collector struct {
	store        *Store
	ttl          time.Duration
	timeout      time.Duration
	settledEvery time.Duration

	mu        sync.Mutex
	snap      *snapshot // settled + recent, as last served
	at        time.Time // when snap was read
	ok        bool      // the last read succeeded
	took      time.Duration
	settled   *snapshot // conversations started before cutoff
	settledAt time.Time
	cutoff    time.Time
}

// CollectorOptions configures a Collector.
type CollectorOptions struct {
	Cache   time.Duration // DefaultScrapeCache when zero
	Timeout time.Duration // one read's limit; 10 s when zero
	// SettledRefresh is how often the counts of conversations older than twice the reopen
	// window are read again; 15 minutes when zero.
	SettledRefresh time.Duration
}

// Collector returns a Prometheus collector of the Store's figures.
func (s *Store) Collector(opts CollectorOptions) *Collector {
	if opts.Cache <= 0 {
		opts.Cache = DefaultScrapeCache
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.SettledRefresh <= 0 {
		opts.SettledRefresh = 15 * time.Minute
	}
	return &Collector{store: s, ttl: opts.Cache, timeout: opts.Timeout, settledEvery: opts.SettledRefresh}
}

// Registry returns a registry with the Go runtime's and the process's collectors and c:
// what GET /metrics serves.
func Registry(c *Collector) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), c)
	return reg
}

var (
	descConversations = prometheus.NewDesc("attache_conversations_total",
		"Conversations started, by market, channel and customer language.", []string{"market", "channel", "language"}, nil)
	descResolutions = prometheus.NewDesc("attache_ai_resolutions_total",
		"Conversations the AI resolved: answered, never handed off nor reopened, and quiet or closed.",
		[]string{"market", "channel", "language"}, nil)
	descFirstResponse = prometheus.NewDesc("attache_first_response_seconds",
		"Time from the customer's first message to the first reply (AI or person).", []string{"market"}, nil)
	descCSATResponses = prometheus.NewDesc("attache_csat_responses_total",
		"Answers to the post-chat satisfaction survey.", []string{"market"}, nil)
	descCSATScore = prometheus.NewDesc("attache_csat_score",
		"Post-chat satisfaction scores, 1 (bad) to 5 (great); _sum/_count is the mean.", []string{"market"}, nil)
	descGuardrails = prometheus.NewDesc("attache_guardrail_hits_total",
		"Guardrail hits: taboo (AI reply rewritten), injection and abuse (customer message flagged), card (card number removed).",
		[]string{"kind", "market"}, nil)
	descHandoffs = prometheus.NewDesc("attache_handoffs_total",
		"Conversations handed to people (and approval requests), by reason.", []string{"reason", "market", "language"}, nil)
	descSLABreaches = prometheus.NewDesc("attache_sla_breaches_total",
		"Handoffs first attended after their deadline, or still waiting past it.", []string{"market"}, nil)
	descUp = prometheus.NewDesc("attache_analytics_up",
		"1 when the last read of the figures from the database succeeded.", nil, nil)
	descQuery = prometheus.NewDesc("attache_analytics_query_seconds",
		"How long the last read of the figures from the database took.", nil, nil)
)

// Describe sends the descriptions of every series.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descConversations, descResolutions, descFirstResponse, descCSATResponses, descCSATScore,
		descGuardrails, descHandoffs, descSLABreaches, descUp, descQuery} {
		ch <- d
	}
}

// Collect reads the figures (or reuses recent ones) and sends them. When the database
// cannot be read it sends the last figures it has with attache_analytics_up 0.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	snap, ok, took := c.current()
	up := 0.0
	if ok {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
	ch <- prometheus.MustNewConstMetric(descQuery, prometheus.GaugeValue, took.Seconds())
	if snap != nil {
		snap.emit(ch)
	}
}

func (c *Collector) current() (*snapshot, bool, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.snap != nil && c.ok && now.Sub(c.at) < c.ttl {
		return c.snap, true, c.took
	}
	// Collect has no context of its own; the timeout bounds the read.
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	snap, err := c.read(ctx, now)
	c.took = time.Since(now)
	if err != nil {
		c.store.logger.Error("analytics: read figures for /metrics", "err", err)
		c.ok = false
		return c.snap, false, c.took
	}
	c.snap, c.at, c.ok = snap, now, true
	return snap, true, c.took
}

// read returns the settled counts (read again when due) plus the recent ones.
func (c *Collector) read(ctx context.Context, now time.Time) (*snapshot, error) {
	epoch, end := time.Unix(0, 0).UTC(), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if c.settled == nil || now.Sub(c.settledAt) >= c.settledEvery {
		cutoff := c.store.now().Add(-2 * c.store.reopenWindow).Truncate(time.Minute)
		settled, err := c.store.read(ctx, epoch, cutoff)
		if err != nil {
			return nil, err
		}
		c.settled, c.settledAt, c.cutoff = settled, now, cutoff
	}
	recent, err := c.store.read(ctx, c.cutoff, end)
	if err != nil {
		return nil, err
	}
	return merge(c.settled, recent), nil
}

// snapshot is what one read of the database found.
type snapshot struct {
	convs    []convRow
	handoffs []handoffRow
}

type convRow struct {
	market, channel, language     string
	conversations, resolved       uint64
	firstResponseSum              float64
	firstResponseCount            uint64
	taboo, injection, abuse, card uint64
	scores                        [5]uint64 // count of each score 1–5
	firstResponseBuckets          []uint64  // cumulative, per firstResponseBuckets
}

type handoffRow struct {
	market, language, reason string
	handoffs, breaches       uint64
}

// merge adds up two snapshots' counts per label set.
func merge(a, b *snapshot) *snapshot {
	out := &snapshot{}
	convs := map[[3]string]int{}
	for _, r := range append(slices.Clone(a.convs), b.convs...) {
		k := [3]string{r.market, r.channel, r.language}
		i, ok := convs[k]
		if !ok {
			convs[k] = len(out.convs)
			r.firstResponseBuckets = slices.Clone(r.firstResponseBuckets)
			out.convs = append(out.convs, r)
			continue
		}
		o := &out.convs[i]
		o.conversations += r.conversations
		o.resolved += r.resolved
		o.firstResponseSum += r.firstResponseSum
		o.firstResponseCount += r.firstResponseCount
		o.taboo += r.taboo
		o.injection += r.injection
		o.abuse += r.abuse
		o.card += r.card
		for j := range o.scores {
			o.scores[j] += r.scores[j]
		}
		for j := range o.firstResponseBuckets {
			o.firstResponseBuckets[j] += r.firstResponseBuckets[j]
		}
	}
	handoffs := map[[3]string]int{}
	for _, r := range append(slices.Clone(a.handoffs), b.handoffs...) {
		k := [3]string{r.market, r.language, r.reason}
		if i, ok := handoffs[k]; ok {
			out.handoffs[i].handoffs += r.handoffs
			out.handoffs[i].breaches += r.breaches
			continue
		}
		handoffs[k] = len(out.handoffs)
		out.handoffs = append(out.handoffs, r)
	}
	return out
}

// read runs the collector's queries over the conversations started in [from, to).
func (s *Store) read(ctx context.Context, from, to time.Time) (*snapshot, error) {
	args := s.args(Filter{From: from, To: to}, s.now())
	snap := &snapshot{}
	rows, err := s.db.Query(ctx, s.query("", true, false, metricConversations), args...)
	if err != nil {
		return nil, fmt.Errorf("conversation counts: %w", err)
	}
	for rows.Next() {
		r := convRow{firstResponseBuckets: make([]uint64, len(firstResponseBuckets))}
		dst := []any{&r.market, &r.channel, &r.language, &r.conversations, &r.resolved, &r.firstResponseSum, &r.firstResponseCount,
			&r.taboo, &r.injection, &r.abuse, &r.card}
		for i := range r.scores {
			dst = append(dst, &r.scores[i])
		}
		for i := range r.firstResponseBuckets {
			dst = append(dst, &r.firstResponseBuckets[i])
		}
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("conversation counts: %w", err)
		}
		snap.convs = append(snap.convs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("conversation counts: %w", err)
	}
	rows, err = s.db.Query(ctx, s.query("", false, true, metricHandoffs), args...)
	if err != nil {
		return nil, fmt.Errorf("handoff counts: %w", err)
	}
	for rows.Next() {
		var r handoffRow
		if err := rows.Scan(&r.market, &r.language, &r.reason, &r.handoffs, &r.breaches); err != nil {
			rows.Close()
			return nil, fmt.Errorf("handoff counts: %w", err)
		}
		snap.handoffs = append(snap.handoffs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("handoff counts: %w", err)
	}
	return snap, nil
}

// emit sends the snapshot's series; label sets come out in a stable order.
func (s *snapshot) emit(ch chan<- prometheus.Metric) {
	type perMarket struct {
		frSum                   float64
		frCount                 uint64
		frBuckets               []uint64
		scores                  [5]uint64
		taboo, inj, abuse, card uint64
		breaches                uint64
	}
	markets := map[string]*perMarket{}
	market := func(m string) *perMarket {
		if pm, ok := markets[m]; ok {
			return pm
		}
		pm := &perMarket{frBuckets: make([]uint64, len(firstResponseBuckets))}
		markets[m] = pm
		return pm
	}
	for _, r := range s.convs {
		ch <- prometheus.MustNewConstMetric(descConversations, prometheus.CounterValue, float64(r.conversations), r.market, r.channel, r.language)
		ch <- prometheus.MustNewConstMetric(descResolutions, prometheus.CounterValue, float64(r.resolved), r.market, r.channel, r.language)
		pm := market(r.market)
		pm.frSum += r.firstResponseSum
		pm.frCount += r.firstResponseCount
		for i, n := range r.firstResponseBuckets {
			pm.frBuckets[i] += n
		}
		for i, n := range r.scores {
			pm.scores[i] += n
		}
		pm.taboo += r.taboo
		pm.inj += r.injection
		pm.abuse += r.abuse
		pm.card += r.card
	}
	for _, r := range s.handoffs {
		ch <- prometheus.MustNewConstMetric(descHandoffs, prometheus.CounterValue, float64(r.handoffs), r.reason, r.market, r.language)
		market(r.market).breaches += r.breaches
	}
	names := make([]string, 0, len(markets))
	for m := range markets {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		pm := markets[m]
		buckets := make(map[float64]uint64, len(firstResponseBuckets))
		for i, le := range firstResponseBuckets {
			buckets[le] = pm.frBuckets[i]
		}
		ch <- prometheus.MustNewConstHistogram(descFirstResponse, pm.frCount, pm.frSum, buckets, m)

		var responses uint64
		var sum float64
		scoreBuckets := make(map[float64]uint64, 5)
		for i, n := range pm.scores {
			responses += n
			sum += float64(i+1) * float64(n)
			scoreBuckets[float64(i+1)] = responses
		}
		ch <- prometheus.MustNewConstMetric(descCSATResponses, prometheus.CounterValue, float64(responses), m)
		ch <- prometheus.MustNewConstHistogram(descCSATScore, responses, sum, scoreBuckets, m)

		for _, k := range []struct {
			kind string
			n    uint64
		}{{"taboo", pm.taboo}, {"injection", pm.inj}, {"abuse", pm.abuse}, {"card", pm.card}} {
			ch <- prometheus.MustNewConstMetric(descGuardrails, prometheus.CounterValue, float64(k.n), k.kind, m)
		}
		ch <- prometheus.MustNewConstMetric(descSLABreaches, prometheus.CounterValue, float64(pm.breaches), m)
	}
}
