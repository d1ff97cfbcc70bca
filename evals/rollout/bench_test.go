package rollout

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkDecide measures Decide, which runs on every conversation turn, over 240 rules
// (20 markets × 10 intents, plus market-wide, intent-wide and locale rules), against the
// cheapest policy there could be: one map lookup of the exact key. Each iteration times a
// batch of 64 keys each way, in alternating order; the medians per call are reported
// ("decide-ns/op", "map-ns/op") with their ratio ("x-map"), so that a burst of load on a
// shared machine does not land on one side only.
func BenchmarkDecide(b *testing.B) {
	markets := []string{"DE", "FR", "ES", "IT", "NL", "BE", "AT", "CH", "PL", "SE", "US", "CA", "MX", "BR", "AR", "JP", "TH", "VN", "ID", "SA"}
	intents := []string{"track_order", "cancel_order", "get_refund", "track_refund", "delivery_period", "change_order", "payment_issue",
		"complaint", "return_item", "vat_question"}
	var rules []Rule
	exact := map[Key]Stage{}
	for i, m := range markets {
		rules = append(rules, Rule{Key: Key{Market: m}, Stage: Stages[i%3]})
		for j, in := range intents {
			k := Key{Market: m, Intent: in}
			rules = append(rules, Rule{Key: k, Stage: Stages[(i+j)%3], CanaryPercent: 10 * (j % 2)})
			exact[k] = Stages[(i+j)%3]
		}
	}
	for _, in := range intents {
		rules = append(rules, Rule{Key: Key{Intent: in}, Stage: Standard})
	}
	rules = append(rules, Rule{Key: Key{Locale: "de"}, Stage: Assist}, Rule{Key: Key{Channel: "email"}, Stage: Assist})
	p := New(newMemStore(rules...), Options{Reload: time.Hour})
	ctx := context.Background()
	var keys []Key
	for i := range 64 {
		// Mostly keys with a rule of their own; some that fall through to broader rules.
		in := intents[i%len(intents)]
		if i%8 == 7 {
			in = "greeting"
		}
		keys = append(keys, Key{Market: markets[(i*7)%len(markets)], Intent: in, Locale: "de-DE", Channel: "web"})
	}
	conv := "0193a6f2-1c2d-7c3e-9d41-5e6f7a8b9c0d"
	if _, err := p.Decide(ctx, keys[0], conv); err != nil {
		b.Fatal(err)
	}
	var sink int
	decideBatch := func() time.Duration {
		t0 := time.Now()
		for _, k := range keys {
			d, _ := p.Decide(ctx, k, conv)
			sink += d.Stage.Rank()
		}
		return time.Since(t0)
	}
	mapBatch := func() time.Duration {
		t0 := time.Now()
		for _, k := range keys {
			sink += exact[Key{Market: k.Market, Intent: k.Intent}].Rank()
		}
		return time.Since(t0)
	}
	b.ReportAllocs()
	var dec, base []time.Duration
	for b.Loop() {
		if len(dec)%2 == 0 {
			dec = append(dec, decideBatch())
			base = append(base, mapBatch())
		} else {
			base = append(base, mapBatch())
			dec = append(dec, decideBatch())
		}
	}
	b.StopTimer()
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Nanoseconds()) / float64(len(keys))
	}
	if dm, bm := median(dec), median(base); bm > 0 {
		b.ReportMetric(dm, "decide-ns/op")
		b.ReportMetric(bm, "map-ns/op")
		b.ReportMetric(dm/bm, "x-map")
	}
	if sink == -1 {
		b.Log(sink)
	}
}
