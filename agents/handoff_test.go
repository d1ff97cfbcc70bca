package agents

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-dev/attache/conversation"
)

// recordingDesk is a HandoffDesk that remembers what it was asked; the real desk (routing,
// packet, queue) is tested in package handoff and end to end.
type recordingDesk struct {
	mu        sync.Mutex
	opened    []HandoffRequest
	escalated []string
	sla       time.Duration
	onShift   bool
}

func (d *recordingDesk) Open(_ context.Context, req HandoffRequest) (HandoffTicket, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opened = append(d.opened, req)
	t := HandoffTicket{ID: "h-" + req.ConversationID, Team: "latam", Created: len(d.opened) == 1, OnShift: d.onShift,
		SLADueAt: time.Now().Add(d.sla)}
	if !d.onShift {
		t.ReplyBy = time.Date(2026, 11, 23, 9, 0, 0, 0, time.FixedZone("CST", -6*3600))
		t.SLADueAt = t.ReplyBy.Add(d.sla)
	}
	return t, nil
}

func (d *recordingDesk) Settle(context.Context, string) error { return nil }

func (d *recordingDesk) Escalate(_ context.Context, id string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.escalated = append(d.escalated, id)
	return true, nil
}

// upperTranslator "translates" by upper-casing, so a test can tell both versions apart.
type upperTranslator struct{}

func (upperTranslator) Translate(_ context.Context, text, from, to string) (Translation, error) {
	return Translation{Text: strings.ToUpper(text) + " [" + from + "→" + to + "]", Translated: true, Engine: "test"}, nil
}

// TestAHumanTakesOverThenHandsBack: a customer asks for a person; the handoff is opened at
// the desk with what the workflow knows; an English-writing agent's message reaches the
// Spanish customer translated, stored as the agent's (never the AI's) with the original
// beside it; the AI stays silent while the agent holds the floor; nobody claimed it, so it
// is escalated ahead of its deadline on a durable timer; handed back, the AI answers again
// and discloses again.
func TestAHumanTakesOverThenHandsBack(t *testing.T) {
	fx := newFixture(t, "es-MX")
	desk := &recordingDesk{sla: 2 * time.Hour, onShift: true}
	fx.acts.Desk, fx.acts.Translator = desk, upperTranslator{}
	w := newWFEnv(t, fx)
	var ask, silent, agentMsg, again *outcome
	var back *outcome
	w.at(0, func() {
		ask = w.send("t0", TurnRequest{TurnID: "t0", Text: "Quiero hablar con una persona, por favor", Locale: "es-MX"})
	})
	w.at(time.Minute, func() {
		agentMsg = w.update(UpdateAgentMessage, "agent/a1", AgentMessage{TurnID: "a1", AgentName: "Sam", AgentLang: "en", Text: "Hi, I am Sam and I will help you."})
	})
	w.at(2*time.Minute, func() { silent = w.send("t1", TurnRequest{TurnID: "t1", Text: "¿Hola?", Locale: "es-MX"}) })
	w.at(3*time.Hour, func() { back = w.update(UpdateHandBack, "hb", HandBack{By: "sam@shop.example"}) })
	w.at(3*time.Hour+time.Minute, func() { again = w.send("t2", TurnRequest{TurnID: "t2", Text: "Hola", Locale: "es-MX"}) })
	w.run(WorkflowInput{IdleTimeout: 5 * time.Hour})
	noWorkflowError(t, w)

	if r := completed(t, "t0", ask); !r.Handoff {
		t.Fatalf("asking for a person: %+v, want a handoff", r)
	}
	if len(desk.opened) != 1 || desk.opened[0].ConversationID != fx.conv || desk.opened[0].Reason == "" || desk.opened[0].TurnID != "t0" {
		t.Fatalf("desk asked %+v, want one handoff of this conversation with a reason", desk.opened)
	}
	stored := byID(fx.transcript(t))
	am := stored[completed(t, "a1", agentMsg).MessageIDs[0]]
	if am.Author != conversation.AuthorHumanAgent || am.AIGenerated || !strings.HasPrefix(am.Text, "HI, I AM SAM") ||
		am.Meta["original"] != "Hi, I am Sam and I will help you." || am.Meta["translated"] != "true" || am.Lang != "es" {
		t.Errorf("the agent's message: %+v, want it stored as the human agent's, translated to Spanish, original kept", am)
	}
	if r := completed(t, "t1", silent); len(r.MessageIDs) != 1 {
		t.Errorf("a customer message while the agent holds the floor: %+v, want no AI reply", r)
	}
	if len(desk.escalated) != 1 || desk.escalated[0] != "h-"+fx.conv {
		t.Errorf("escalations %v, want the unclaimed handoff escalated once before its 2 h deadline", desk.escalated)
	}
	if !back.done || back.err != nil || back.rejected != nil {
		t.Fatalf("hand back: %+v", back)
	}
	r := completed(t, "t2", again)
	if len(r.MessageIDs) != 2 || r.Handoff {
		t.Fatalf("after the hand-back: %+v, want an AI reply", r)
	}
	ds, err := fx.store.Disclosures(context.Background(), fx.conv)
	if err != nil || len(ds) != 2 || ds[1].Reason != conversation.DisclosureHandback || ds[1].MessageID != r.MessageIDs[1] {
		t.Errorf("disclosures %+v %v, want a second one, for the hand-back, on the AI's reply", ds, err)
	}
	if c := fx.conversation(t); c.Status != conversation.StatusOpen {
		t.Errorf("status after the hand-back: %q", c.Status)
	}
}

// TestOffHoursTheCustomerIsToldWhenToExpectAnAnswer: nobody is on shift; the customer is
// told, in their language, by when a colleague will answer, in their time zone.
func TestOffHoursTheCustomerIsToldWhenToExpectAnAnswer(t *testing.T) {
	fx := newFixture(t, "es-MX")
	fx.acts.Desk = &recordingDesk{sla: 4 * time.Hour}
	w := newWFEnv(t, fx)
	var ask *outcome
	w.at(0, func() {
		ask = w.send("t0", TurnRequest{TurnID: "t0", Text: "Quiero hablar con una persona, por favor", Locale: "es-MX"})
	})
	w.run(WorkflowInput{IdleTimeout: time.Hour})
	noWorkflowError(t, w)
	completed(t, "t0", ask)
	msgs := fx.transcript(t)
	last := msgs[len(msgs)-1]
	if last.Author != conversation.AuthorAI || !strings.Contains(last.Text, "2026-11-23 09:00 CST") || !strings.Contains(last.Text, "equipo") {
		t.Errorf("last message %+v, want the Spanish off-hours notice with 2026-11-23 09:00 CST", last)
	}
}

// TestRepeatedNegativeSentimentHandsOff: a customer upset in two of three messages gets a
// person, with the reason negative_sentiment, instead of another AI answer.
func TestRepeatedNegativeSentimentHandsOff(t *testing.T) {
	fx := newFixture(t, "es-ES")
	desk := &recordingDesk{sla: 2 * time.Hour, onShift: true}
	fx.acts.Desk = desk
	w := newWFEnv(t, fx)
	texts := []string{"Hola", "Estoy molesto, ¿dónde está mi pedido?", "Sigo molesto, ¿dónde está?"}
	outs := make([]*outcome, len(texts))
	for i, text := range texts {
		id := fmt.Sprint("t", i)
		w.at(time.Duration(i)*time.Minute, func() { outs[i] = w.send(id, TurnRequest{TurnID: id, Text: text, Locale: "es-ES"}) })
	}
	w.run(WorkflowInput{IdleTimeout: time.Hour})
	noWorkflowError(t, w)
	if r := completed(t, "t1", outs[1]); r.Handoff {
		t.Fatalf("one upset message handed off: %+v (the test needs a message the engine answers)", r)
	}
	r := completed(t, "t2", outs[2])
	if !r.Handoff || len(r.MessageIDs) != 2 {
		t.Fatalf("the second upset message: %+v, want a handoff", r)
	}
	stored := byID(fx.transcript(t))
	m := stored[r.MessageIDs[1]]
	if m.Author != conversation.AuthorAI || !m.Handoff || m.Meta["handoff_reason"] != ReasonNegativeSentiment || m.Lang != "es" {
		t.Errorf("the handoff message: %+v", m)
	}
	if c := fx.conversation(t); c.Status != conversation.StatusHandoff || c.HandoffReason != ReasonNegativeSentiment {
		t.Errorf("conversation %q %q", c.Status, c.HandoffReason)
	}
	if len(desk.opened) != 1 || desk.opened[0].Reason != ReasonNegativeSentiment {
		t.Errorf("desk %+v", desk.opened)
	}
	if neg := stored[outs[1].result.MessageIDs[0]]; neg.Meta["sentiment"] != "negative" {
		t.Errorf("the upset message's meta %v, want sentiment negative", neg.Meta)
	}
}
