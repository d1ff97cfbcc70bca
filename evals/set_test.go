package evals

import (
	"strings"
	"testing"
)

const goodSet = `
name: orders
defaults: {market: DE, locale: de-DE}
fixtures: {demo: [DE]}
cases:
  - id: track
    turns: ["Wo ist DE-10001?", {text: lena.schmidt@example.com, expect: {reply_contains: [DE-10001]}}]
    expect:
      intent: track_order
      tools: [{name: track_order, args: {order_id: DE-10001}}]
      reply_contains: [[versandt, unterwegs]]
`

// TestASetIsReadWithItsDefaults: cases take the set's market and locale, channel web and the
// default latency budget; turns may be strings; a list in reply_contains is alternatives.
func TestASetIsReadWithItsDefaults(t *testing.T) {
	s, err := ParseSet("orders.yaml", strings.NewReader(goodSet))
	if err != nil {
		t.Fatal(err)
	}
	c := s.Cases[0]
	if s.Kind != KindConversations || c.Market != "DE" || c.Locale != "de-DE" || c.Channel != "web" || c.Expect.Latency != Duration(DefaultLatency) {
		t.Fatalf("case %+v of kind %q: want the set's defaults", c, s.Kind)
	}
	if len(c.Turns) != 2 || c.Turns[0].Text != "Wo ist DE-10001?" || c.Turns[1].Expect == nil {
		t.Fatalf("turns %+v", c.Turns)
	}
	if got := c.Expect.ReplyContains[0]; len(got) != 2 || got[1] != "unterwegs" {
		t.Fatalf("alternatives %v", got)
	}
}

// TestASetErrorNamesFileCaseAndField: every mistake a shop's evaluator can make is named
// where it is, so that a misspelt expectation is never silently not checked.
func TestASetErrorNamesFileCaseAndField(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown field", "cases: [{id: a, market: DE, locale: de, turns: [hi], expect: {reply_contain: [x]}}]", "field reply_contain not found"},
		{"no cases", "name: x", "the set has no cases"},
		{"missing id", "cases: [{market: DE, locale: de, turns: [hi]}]", "case #1: id"},
		{"duplicate id", "cases: [{id: a, market: DE, locale: de, turns: [hi]}, {id: a, market: DE, locale: de, turns: [hi]}]", "case a: id: used twice"},
		{"bad market", "cases: [{id: a, market: Germany, locale: de, turns: [hi]}]", "case a: market"},
		{"bad locale", "cases: [{id: a, market: DE, locale: 'de_DE!', turns: [hi]}]", "case a: locale"},
		{"bad channel", "cases: [{id: a, market: DE, locale: de, channel: fax, turns: [hi]}]", "case a: channel"},
		{"no turns", "cases: [{id: a, market: DE, locale: de}]", "case a: turns"},
		{"empty turn", "cases: [{id: a, market: DE, locale: de, turns: ['  ']}]", "turns[1]: empty message"},
		{"bad outcome", "cases: [{id: a, market: DE, locale: de, turns: [hi], expect: {tools: [{name: x, outcome: done}]}}]", "expect.tools[1].outcome"},
		{"bad refund", "cases: [{id: a, market: DE, locale: de, turns: [hi], expect: {orders: [{id: DE-1, refunded: lots}]}}]", "expect.orders[1].refunded"},
		{"reason without handoff", "cases: [{id: a, market: DE, locale: de, turns: [hi], expect: {handoff: false, handoff_reason: complaint}}]", "handoff_reason"},
		{"bad latency", "cases: [{id: a, market: DE, locale: de, turns: [hi], expect: {latency: soon}}]", "not a duration"},
		{"unknown demo market", "fixtures: {demo: [XX]}\ncases: [{id: a, market: DE, locale: de, turns: [hi]}]", "fixtures: demo: \"XX\""},
		{"unknown order to copy", "cases: [{id: a, market: DE, locale: de, turns: [hi], fixtures: {orders: [{id: DE-2, like: DE-99}]}}]", "not a demo order"},
		{"verified without email", "cases: [{id: a, market: DE, locale: de, turns: [hi], customer: {verified: true}}]", "customer.verified"},
		{"tau2 without files", "kind: tau2-retail", "tau2"},
		{"bad kind", "kind: chat\ncases: [{id: a, market: DE, locale: de, turns: [hi]}]", "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSet("sets/x.yaml", strings.NewReader(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "sets/x.yaml") {
				t.Fatalf("error %v, want one naming the file and %q", err, tc.want)
			}
		})
	}
}
