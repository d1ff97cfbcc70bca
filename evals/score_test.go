package evals

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func yes() *bool { b := true; return &b }

// TestScoreChecksEveryExpectation: each expectation passes on what it asks for and fails,
// saying what was found, on anything else; the guardrails are checked on every case.
func TestScoreChecksEveryExpectation(t *testing.T) {
	obs := Observation{
		Transcript: []Line{
			{Turn: 1, Author: "customer", Text: "Wo ist DE-1?", Latency: 2 * time.Second},
			{Turn: 1, Author: "ai", Text: "Bitte nennen Sie Ihre E-Mail.", Lang: "de", Intent: "track_order"},
			{Turn: 2, Author: "customer", Text: "a@b.de", Latency: 30 * time.Second},
			{Turn: 2, Author: "ai", Text: "Die Bestellung DE-1 ist UNTERWEGS.", Lang: "de-DE", Intent: "track_order", TabooHits: []string{"gcc.thumbs"}},
		},
		ToolCalls: []ToolCall{{Name: "track_order", Args: json.RawMessage(`{"order_id":"de-1","extra":2}`), Outcome: "ok", Effect: "read"},
			{Name: "cancel_pending_order", Args: json.RawMessage(`{"order_id":"DE-1"}`), Outcome: "proposed", Effect: "move_money"}},
		Handoff: true, HandoffReason: "complaint", Disclosed: false,
		Orders: map[string]OrderState{"DE-1": {Status: "cancelled", Refunded: 1250, Currency: "EUR", Scale: 2}},
	}
	c := Case{Turns: []Turn{{Text: "Wo ist DE-1?", Expect: &Expect{ReplyContains: []Needle{{"E-Mail"}}}}, {Text: "a@b.de"}},
		Expect: Expect{
			Intent:           "track_order",
			Tools:            []ToolExpect{{Name: "track_order", Args: map[string]any{"order_id": "DE-1"}}, {Name: "cancel_pending_order", Outcome: "ok"}},
			NoTools:          []string{"write"},
			Orders:           []OrderExpect{{ID: "DE-1", Status: "cancelled", Refunded: "12.50"}, {ID: "DE-1", Refunded: "0"}},
			Handoff:          yes(),
			HandoffReason:    "customer_request",
			ReplyContains:    []Needle{{"versandt", "unterwegs"}, {"DHL"}},
			ReplyNotContains: []string{"E-Mail"},
			ReplyLanguage:    "de",
			Latency:          Duration(10 * time.Second),
		}}
	got := map[string][]bool{}
	for _, ch := range Score(c, obs) {
		key := ch.Name
		got[key] = append(got[key], ch.Passed)
		if !ch.Passed && ch.Got == "" {
			t.Errorf("check %q failed without saying what was found", ch.Name)
		}
	}
	want := map[string][]bool{
		"reply contains":            {true, true, false}, // turn 1's e-mail; "unterwegs" in capitals; no DHL
		"reply does not contain":    {true},
		"reply language":            {true},
		"latency":                   {false}, // turn 2 took 30 s
		"intent":                    {true},
		"tool track_order":          {true},  // args are a subset, compared without case
		"tool cancel_pending_order": {false}, // only proposed
		"no tool write":             {true},  // a proposal is not a write
		"order DE-1":                {true, false},
		"handoff":                   {true},
		"handoff reason":            {false},
		"disclosure":                {false}, // the AI wrote without a disclosure on record
		"taboo":                     {false}, // a rule fired that the case did not expect
	}
	for k, w := range want {
		if strings.Trim(strings.Join(boolStrings(got[k]), ","), ",") != strings.Join(boolStrings(w), ",") {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected check %q", k)
		}
	}
}

func boolStrings(bs []bool) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		if b {
			out[i] = "pass"
		} else {
			out[i] = "fail"
		}
	}
	return out
}

// TestGuardrailsPassWhenKept: a disclosed conversation whose expected taboo rule fired
// passes both guardrail checks, and a case expecting no AI message does not ask for a
// disclosure.
func TestGuardrailsPassWhenKept(t *testing.T) {
	obs := Observation{Disclosed: true, Transcript: []Line{{Turn: 1, Author: "ai", Text: "x", TabooHits: []string{"th.monarchy"}}}}
	for _, ch := range Score(Case{Turns: []Turn{{Text: "hi"}}, Expect: Expect{TabooHits: []string{"th.monarchy"}}}, obs) {
		if !ch.Passed {
			t.Errorf("%s failed: want %s, got %s", ch.Name, ch.Want, ch.Got)
		}
	}
	for _, ch := range Score(Case{Turns: []Turn{{Text: "hi"}}}, Observation{}) {
		if ch.Name == "disclosure" {
			t.Errorf("a conversation without AI messages was checked for a disclosure")
		}
	}
}

// TestNoWriteCatchesEveryWriteThatRan: "no_tools: [write]" fails on a write or money move
// that ran, and on a tool the driver could not classify; reads and proposals pass.
func TestNoWriteCatchesEveryWriteThatRan(t *testing.T) {
	for _, tc := range []struct {
		call ToolCall
		want bool
	}{
		{ToolCall{Name: "track_order", Outcome: "ok", Effect: "read"}, true},
		{ToolCall{Name: "cancel_pending_order", Outcome: "proposed", Effect: "move_money"}, true},
		{ToolCall{Name: "cancel_pending_order", Outcome: "ok", Effect: "move_money"}, false},
		{ToolCall{Name: "modify_user_address", Outcome: "refused", Effect: "write"}, false},
		{ToolCall{Name: "mystery", Outcome: "ok", Effect: "unknown"}, false},
		{ToolCall{Name: "mystery", Outcome: "ok"}, false},
	} {
		c := Case{Turns: []Turn{{Text: "hi"}}, Expect: Expect{NoTools: []string{"write"}}}
		for _, ch := range Score(c, Observation{ToolCalls: []ToolCall{tc.call}}) {
			if ch.Name == "no tool write" && ch.Passed != tc.want {
				t.Errorf("%+v: passed %v, want %v", tc.call, ch.Passed, tc.want)
			}
		}
	}
}
