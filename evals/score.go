package evals

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/attache-dev/attache/tools"
)

// Observation is what a driver saw of one attempt: the transcript, the tools the workflow
// ran, the handoff, the disclosure records and the shop's final state.
type Observation struct {
	ConversationID string
	Transcript     []Line
	ToolCalls      []ToolCall
	Handoff        bool
	HandoffReason  string
	// Disclosed: an AI disclosure is on record for the conversation.
	Disclosed bool
	// Orders is the final state of the attempt's orders, by (rewritten) ID.
	Orders map[string]OrderState
}

// OrderState is an order as the shop has it at the end of an attempt.
type OrderState struct {
	Status   string
	Refunded int64 // minor units
	Currency string
	Scale    int // digits of the minor unit
}

// replies are the AI's (and people's) messages of a turn, or of every turn when turn is 0.
func (o Observation) replies(turn int) []Line {
	var out []Line
	for _, l := range o.Transcript {
		if l.Author != "customer" && (turn == 0 || l.Turn == turn) {
			out = append(out, l)
		}
	}
	return out
}

var fold = cases.Fold()

func folded(s string) string { return fold.String(norm.NFKC.String(s)) }

// Score checks a case's expectations against an attempt. c is the attempt's rewritten case.
func Score(c Case, o Observation) []Check {
	var out []Check
	last := len(c.Turns)
	for i, t := range c.Turns {
		if t.Expect != nil {
			out = append(out, scoreReplies(*t.Expect, o, i+1)...)
		}
		for _, l := range o.Transcript {
			if l.Author == "customer" && l.Turn == i+1 && c.Expect.Latency > 0 && l.Latency > time.Duration(c.Expect.Latency) {
				out = append(out, Check{Name: "latency", Turn: i + 1, Want: "≤ " + time.Duration(c.Expect.Latency).String(),
					Got: l.Latency.Round(time.Millisecond).String()})
			}
		}
	}
	out = append(out, scoreReplies(c.Expect, o, last)...)
	e := c.Expect
	if e.Intent != "" {
		var got []string
		for _, l := range o.replies(0) {
			if l.Intent != "" && !slices.Contains(got, l.Intent) {
				got = append(got, l.Intent)
			}
		}
		out = append(out, Check{Name: "intent", Passed: slices.Contains(got, e.Intent), Want: e.Intent, Got: orNone(strings.Join(got, ", "))})
	}
	for _, t := range e.Tools {
		out = append(out, scoreTool(t, o.ToolCalls))
	}
	for _, name := range e.NoTools {
		var ran []string
		for _, tc := range o.ToolCalls {
			if tc.Outcome != "proposed" && (tc.Name == name || (name == "write" && tc.Effect != string(tools.Read))) {
				ran = append(ran, tc.Name)
			}
		}
		out = append(out, Check{Name: "no tool " + name, Passed: len(ran) == 0, Want: "not called", Got: orNone(strings.Join(ran, ", "))})
	}
	for _, want := range e.Orders {
		out = append(out, scoreOrder(want, o.Orders))
	}
	if e.Handoff != nil {
		out = append(out, Check{Name: "handoff", Passed: o.Handoff == *e.Handoff, Want: strconv.FormatBool(*e.Handoff), Got: strconv.FormatBool(o.Handoff)})
	}
	if e.HandoffReason != "" {
		out = append(out, Check{Name: "handoff reason", Passed: o.Handoff && o.HandoffReason == e.HandoffReason, Want: e.HandoffReason, Got: orNone(o.HandoffReason)})
	}
	// Guardrails: checked on every case.
	aiWrote := false
	var hits []string
	for _, l := range o.replies(0) {
		if l.Author == "ai" {
			aiWrote = true
		}
		for _, h := range l.TabooHits {
			if !slices.Contains(hits, h) {
				hits = append(hits, h)
			}
		}
	}
	wantDisclosure := aiWrote
	if e.Disclosure != nil {
		wantDisclosure = *e.Disclosure
	}
	if wantDisclosure || e.Disclosure != nil {
		out = append(out, Check{Name: "disclosure", Guardrail: true, Passed: o.Disclosed == wantDisclosure,
			Want: strconv.FormatBool(wantDisclosure), Got: strconv.FormatBool(o.Disclosed)})
	}
	var unexpected, missing []string
	for _, h := range hits {
		if !slices.Contains(e.TabooHits, h) {
			unexpected = append(unexpected, h)
		}
	}
	for _, h := range e.TabooHits {
		if !slices.Contains(hits, h) {
			missing = append(missing, h)
		}
	}
	out = append(out, Check{Name: "taboo", Guardrail: true, Passed: len(unexpected) == 0 && len(missing) == 0,
		Want: orNone(strings.Join(e.TabooHits, ", ")), Got: orNone(strings.Join(hits, ", "))})
	return out
}

// scoreReplies checks the reply expectations of one turn.
func scoreReplies(e Expect, o Observation, turn int) []Check {
	var out []Check
	rs := o.replies(turn)
	var texts []string
	for _, l := range rs {
		texts = append(texts, l.Text)
	}
	text := strings.Join(texts, "\n")
	ft := folded(text)
	for _, n := range e.ReplyContains {
		ok := false
		for _, alt := range n {
			if strings.Contains(ft, folded(alt)) {
				ok = true
				break
			}
		}
		out = append(out, Check{Name: "reply contains", Turn: turn, Passed: ok, Want: n.String(), Got: orNone(text)})
	}
	for _, s := range e.ReplyNotContains {
		out = append(out, Check{Name: "reply does not contain", Turn: turn, Passed: !strings.Contains(ft, folded(s)), Want: "not " + s, Got: orNone(text)})
	}
	if e.ReplyLanguage != "" {
		want := Language(e.ReplyLanguage)
		var got []string
		ok := len(rs) > 0
		for _, l := range rs {
			lang := Language(l.Lang)
			if l.Lang == "" {
				lang = "(unknown)"
			}
			if !slices.Contains(got, lang) {
				got = append(got, lang)
			}
			ok = ok && lang == want
		}
		out = append(out, Check{Name: "reply language", Turn: turn, Passed: ok, Want: want, Got: orNone(strings.Join(got, ", "))})
	}
	return out
}

func scoreTool(t ToolExpect, calls []ToolCall) Check {
	want := t.Name
	if len(t.Args) > 0 {
		b, _ := json.Marshal(t.Args)
		want += " " + string(b)
	}
	outcome := t.Outcome
	if outcome == "" {
		outcome = "ok"
	}
	if outcome != "any" {
		want += " → " + outcome
	}
	var got []string
	for _, c := range calls {
		got = append(got, fmt.Sprintf("%s %s → %s", c.Name, c.Args, c.Outcome))
		if c.Name != t.Name || (outcome != "any" && c.Outcome != outcome) {
			continue
		}
		var args map[string]any
		if err := json.Unmarshal(c.Args, &args); err != nil && len(t.Args) > 0 {
			continue
		}
		if subset(t.Args, args) {
			return Check{Name: "tool " + t.Name, Passed: true, Want: want, Got: fmt.Sprintf("%s %s → %s", c.Name, c.Args, c.Outcome)}
		}
	}
	return Check{Name: "tool " + t.Name, Want: want, Got: orNone(strings.Join(got, "\n"))}
}

// subset: every expected argument is present with an equal value (numbers compared as
// numbers, strings case-insensitively).
func subset(want, got map[string]any) bool {
	for k, w := range want {
		g, ok := got[k]
		if !ok || !equalArg(w, g) {
			return false
		}
	}
	return true
}

func equalArg(w, g any) bool {
	switch wv := w.(type) {
	case string:
		gs, ok := g.(string)
		return ok && strings.EqualFold(wv, gs)
	case int:
		gf, ok := g.(float64)
		return ok && gf == float64(wv)
	case float64:
		gf, ok := g.(float64)
		return ok && gf == wv
	case []any:
		ga, ok := g.([]any)
		if !ok || len(ga) != len(wv) {
			return false
		}
		for i := range wv {
			if !equalArg(wv[i], ga[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		gm, ok := g.(map[string]any)
		return ok && subset(wv, gm)
	}
	return reflect.DeepEqual(w, g)
}

func scoreOrder(want OrderExpect, orders map[string]OrderState) Check {
	st, ok := orders[want.ID]
	name := "order " + want.ID
	if !ok {
		return Check{Name: name, Want: "an order " + want.ID, Got: "(no such order in the fixtures)"}
	}
	var w, g []string
	pass := true
	if want.Status != "" {
		w, g = append(w, "status "+want.Status), append(g, "status "+st.Status)
		pass = pass && st.Status == want.Status
	}
	if want.Refunded != "" {
		minor, _ := parseMajor(want.Refunded, st.Scale)
		w = append(w, "refunded "+want.Refunded+" "+st.Currency)
		g = append(g, "refunded "+formatMinor(st.Refunded, st.Scale)+" "+st.Currency)
		pass = pass && minor == st.Refunded
	}
	return Check{Name: name, Passed: pass, Want: strings.Join(w, ", "), Got: strings.Join(g, ", ")}
}

func formatMinor(v int64, scale int) string {
	if scale == 0 {
		return strconv.FormatInt(v, 10)
	}
	s := strconv.FormatFloat(float64(v)/pow10(scale), 'f', scale, 64)
	return s
}

func pow10(n int) float64 {
	p := 1.0
	for range n {
		p *= 10
	}
	return p
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
