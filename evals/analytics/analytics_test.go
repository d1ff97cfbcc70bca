package analytics

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

func TestSummaryOfTheHandBuiltDataset(t *testing.T) {
	t0 := time.Date(2031, 3, 1, 10, 0, 0, 0, time.UTC)
	now := t0.Add(72 * time.Hour)
	s, db := newStore(t, now, true)
	seed(t, db, dataset(t0)...)
	window := Filter{From: t0, To: t0.Add(time.Hour)}

	sum, err := s.Summary(context.Background(), window, DimMarket)
	if err != nil {
		t.Fatal(err)
	}
	tot := sum.Total
	checks := []struct {
		name      string
		got, want float64
	}{
		{"conversations (the evaluation's left out)", float64(tot.Conversations), 3},
		{"resolved by the AI", float64(tot.Resolved), 1},
		{"resolution rate", tot.ResolutionRate, 1.0 / 3},
		{"reopened", float64(tot.Reopened), 1},
		{"handed off", float64(tot.HandedOff), 1},
		{"handoff rate", tot.HandoffRate, 1.0 / 3},
		{"handoffs", float64(tot.Handoffs), 1},
		{"first responses", float64(tot.FirstResponse.Count), 3},
		{"first response median (2, 4, 10 s)", tot.FirstResponse.Median, 4},
		{"first response p90", tot.FirstResponse.P90, 8.8},
		{"resolutions timed", float64(tot.Resolution.Count), 2},
		{"resolution median (62 s, 2 h)", tot.Resolution.Median, (62 + 7200) / 2.0},
		{"resolution p90", tot.Resolution.P90, 62 + 0.9*(7200-62)},
		{"human first response (40 min after the handoff)", tot.HumanFirstResponse.Median, 40*60 - 3},
		{"handoffs with a deadline", float64(tot.SLATracked), 1},
		{"SLA breaches", float64(tot.SLABreaches), 1},
		{"CSAT responses", float64(tot.CSAT.Responses), 2},
		{"CSAT mean (2 and 5)", tot.CSAT.Mean, 3.5},
		{"CSAT satisfied share", tot.CSAT.SatisfiedShare, 0.5},
		{"taboo hits", float64(tot.Guardrails.Taboo), 1},
		{"injection hits", float64(tot.Guardrails.Injection), 1},
		{"card hits", float64(tot.Guardrails.Card), 1},
		{"guardrail hits", float64(tot.Guardrails.Total()), 3},
		{"tool failures", float64(tot.ToolFailures), 0},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(tot.HandoffsByReason) != 1 || tot.HandoffsByReason[0] != (ReasonCount{Reason: "customer_request", Count: 1, Rate: 1.0 / 3}) {
		t.Errorf("handoffs by reason = %+v, want one customer_request at 1/3", tot.HandoffsByReason)
	}

	type groupWant struct {
		conversations, resolved, handedOff, csat int
		csatMean                                 float64
	}
	want := map[string]groupWant{
		"DE": {conversations: 2, resolved: 1, csat: 2, csatMean: 3.5},
		"FR": {conversations: 1, handedOff: 1},
	}
	if len(sum.Groups) != len(want) {
		t.Fatalf("groups = %+v, want DE and FR", sum.Groups)
	}
	for _, g := range sum.Groups {
		w := want[g.Key]
		got := groupWant{g.Conversations, g.Resolved, g.HandedOff, g.CSAT.Responses, g.CSAT.Mean}
		if got != w {
			t.Errorf("market %s: %+v, want %+v", g.Key, got, w)
		}
	}
	if fr := sum.Groups[1]; fr.Key != "FR" || fr.SLABreaches != 1 || len(fr.HandoffsByReason) != 1 {
		t.Errorf("FR's handoff figures = %+v", fr)
	}
}

func TestSummaryGroupsByEveryDimension(t *testing.T) {
	t0 := time.Date(2031, 4, 1, 10, 0, 0, 0, time.UTC)
	s, db := newStore(t, t0.Add(72*time.Hour), true)
	seed(t, db, dataset(t0)...)
	window := Filter{From: t0, To: t0.Add(time.Hour)}
	tests := []struct {
		by   Dimension
		want map[string]int // key → conversations
	}{
		{DimMarket, map[string]int{"DE": 2, "FR": 1}},
		{DimLanguage, map[string]int{"de": 1, "en": 1, "fr": 1}},
		{DimIntent, map[string]int{"order_status": 1, "refund": 2}},
		{DimChannel, map[string]int{"web": 3}},
		{DimStage, map[string]int{"autonomous": 1, "standard": 1, Unknown: 1}},
	}
	for _, tt := range tests {
		t.Run(string(tt.by), func(t *testing.T) {
			sum, err := s.Summary(context.Background(), window, tt.by)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, g := range sum.Groups {
				got[g.Key] = g.Conversations
			}
			if len(got) != len(tt.want) {
				t.Fatalf("groups %v, want %v", got, tt.want)
			}
			for k, n := range tt.want {
				if got[k] != n {
					t.Errorf("groups %v, want %v", got, tt.want)
					break
				}
			}
		})
	}
}

func TestSummaryFilters(t *testing.T) {
	t0 := time.Date(2031, 5, 1, 10, 0, 0, 0, time.UTC)
	s, db := newStore(t, t0.Add(72*time.Hour), false)
	seed(t, db, dataset(t0)...)
	window := Filter{From: t0, To: t0.Add(time.Hour)}
	tests := []struct {
		name string
		f    func(*Filter)
		want int
	}{
		{"no filter counts the evaluation too (ExcludeEval off)", func(*Filter) {}, 4},
		{"market, any case", func(f *Filter) { f.Market = "de" }, 3},
		{"language by its base", func(f *Filter) { f.Language = "en-US" }, 1},
		{"intent", func(f *Filter) { f.Intent = "refund" }, 2},
		{"stage", func(f *Filter) { f.Stage = "Autonomous" }, 1},
		{"channel", func(f *Filter) { f.Channel = "whatsapp" }, 0},
		{"another window", func(f *Filter) { f.From, f.To = t0.Add(time.Hour), t0.Add(2*time.Hour) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := window
			tt.f(&f)
			sum, err := s.Summary(context.Background(), f, "")
			if err != nil {
				t.Fatal(err)
			}
			if sum.Total.Conversations != tt.want || len(sum.Groups) != 0 {
				t.Errorf("conversations = %d (groups %d), want %d", sum.Total.Conversations, len(sum.Groups), tt.want)
			}
		})
	}
}

func TestSummaryRefusesABadQuery(t *testing.T) {
	s, _ := newStore(t, time.Now(), false)
	t0 := time.Now()
	for name, q := range map[string]struct {
		f  Filter
		by Dimension
	}{
		"empty window":      {Filter{From: t0, To: t0}, ""},
		"no window":         {Filter{}, ""},
		"unknown dimension": {Filter{From: t0.Add(-time.Hour), To: t0}, "team"},
	} {
		if _, err := s.Summary(context.Background(), q.f, q.by); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestOpenHandoffPastItsDeadlineIsABreach(t *testing.T) {
	t0 := time.Date(2031, 6, 1, 10, 0, 0, 0, time.UTC)
	s, db := newStore(t, t0.Add(time.Hour), false)
	msgs := []msg{{author: "customer", body: "Hilfe", lang: "de"}, {author: "ai", body: "Moment.", lang: "de", after: time.Second}}
	seed(t, db,
		conv{market: "AT", at: t0, status: "handoff", msgs: msgs, // waiting 1 h, due after 15 min
			handoffs: []handoff{{reason: "low_confidence", status: "queued", created: time.Second, due: 15 * time.Minute}}},
		conv{market: "AT", at: t0, msgs: msgs, // claimed in time
			handoffs: []handoff{{reason: "low_confidence", status: "claimed", created: time.Second, due: 15 * time.Minute, claimed: 5 * time.Minute}}},
		conv{market: "AT", at: t0, msgs: msgs, // an approval request: the AI keeps the conversation
			handoffs: []handoff{{reason: "approval_needed", status: "queued", created: time.Second}}},
		conv{market: "AT", at: t0, msgs: msgs, // a failed tool, not yet due
			handoffs: []handoff{{reason: "tool_failure", status: "queued", created: time.Second, due: 2 * time.Hour}}},
	)
	sum, err := s.Summary(context.Background(), Filter{From: t0, To: t0.Add(time.Minute)}, "")
	if err != nil {
		t.Fatal(err)
	}
	got := sum.Total
	if got.SLABreaches != 1 || got.SLATracked != 3 || got.HandedOff != 3 || got.Handoffs != 4 || got.ToolFailures != 1 {
		t.Errorf("breaches %d of %d tracked, handed off %d, handoffs %d, tool failures %d; want 1 of 3, 3, 4, 1",
			got.SLABreaches, got.SLATracked, got.HandedOff, got.Handoffs, got.ToolFailures)
	}
	if got.Resolved != 0 {
		t.Errorf("resolved = %d; the approval's conversation is not quiet for 24 h yet, the others are handed off", got.Resolved)
	}
}

func TestLiveFigures(t *testing.T) {
	t0 := time.Date(2031, 7, 1, 10, 0, 0, 0, time.UTC)
	s, db := newStore(t, t0.Add(72*time.Hour), true)
	seed(t, db, dataset(t0)...)
	tests := []struct {
		name                   string
		market, intent, locale string
		want                   LiveFigures
	}{
		{"every key", "", "", "", LiveFigures{Conversations: 3, HandoffRate: 1.0 / 3, CSAT: 3.5, CSATResponses: 2, GuardrailHits: 1}},
		{"France, refunds", "FR", "refund", "fr-FR", LiveFigures{Conversations: 1, HandoffRate: 1, GuardrailHits: 1}},
		{"Germany in German", "DE", "", "de", LiveFigures{Conversations: 1, CSAT: 5, CSATResponses: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.LiveFigures(context.Background(), tt.market, tt.intent, tt.locale, "", t0.Add(-time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
