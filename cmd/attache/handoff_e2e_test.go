package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/staff"
)

// agentKey creates a staff account of role with languages and returns an API key of it.
func agentKey(t *testing.T, s *devStack, name string, role staff.Role, languages ...string) (string, staff.Account) {
	t.Helper()
	st := staff.New(s.pool, s.logger)
	a, err := st.CreateAccount(context.Background(), staff.NewAccount{Email: fmt.Sprintf("%s-%d@shop.example", strings.ToLower(name), time.Now().UnixNano()),
		Name: name, Role: role, Languages: languages})
	if err != nil {
		t.Fatal(err)
	}
	k, _, err := st.CreateAPIKey(context.Background(), a.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return k, a
}

// TestACustomerAsksForAPersonAndAnAgentTakesOver: the handoff is queued with its packet and
// reason; of two agents claiming at once, one wins; the agent reads the packet and the
// transcript, replies (offline: untranslated, marked so), the AI stays silent, then hands
// back and the AI answers again, disclosing again.
func TestACustomerAsksForAPersonAndAnAgentTakesOver(t *testing.T) {
	s := stack(t)
	widget := apiClient{t: t, base: s.http.URL()}
	conv := widget.newConversationIn("es-MX", "MX")
	first := widget.send(conv, "t1", "Quiero hablar con una persona, por favor", "es-MX")
	if !first.Handoff {
		t.Fatalf("asking for a person: %+v, want a handoff", first)
	}
	// Whether or not the Latin American desk is on shift now, the customer knows what happens:
	// a colleague answers here, or by when one will (the off-hours notice names a time).
	if last := first.Messages[len(first.Messages)-1]; last.Author != "ai" || !last.Handoff {
		t.Fatalf("the last message of the handoff turn: %+v", last)
	}

	samKey, sam := agentKey(t, s, "Sam", staff.RoleAgent, "en")
	lenaKey, _ := agentKey(t, s, "Lena", staff.RoleAgent, "de", "en")
	agent, other := apiClient{t: t, base: s.http.URL(), token: samKey}, apiClient{t: t, base: s.http.URL(), token: lenaKey}

	// The handoff is in the queue.
	var id string
	waitFor(t, 20*time.Second, "the handoff in the queue", func() bool {
		_, _, b := agent.do("GET", "/v1/handoffs", nil)
		for _, part := range strings.Split(string(b), `{"id":"`)[1:] {
			if strings.Contains(part, `"conversation_id":"`+conv+`"`) {
				id = part[:36]
				return strings.Contains(part, `"reason":"customer_request"`) && strings.Contains(part, `"status":"queued"`)
			}
		}
		return false
	})

	// Two agents claim at once: one wins, the other is told who.
	codes := make(chan int, 2)
	for _, c := range []apiClient{agent, other} {
		go func() {
			code, _, _ := c.do("POST", "/v1/handoffs/"+id+"/claim", nil)
			codes <- code
		}()
	}
	c1, c2 := <-codes, <-codes
	if !(c1 == 200 && c2 == 409 || c1 == 409 && c2 == 200) {
		t.Fatalf("two claims at once: %d and %d, want one 200 and one 409", c1, c2)
	}
	_, _, view := agent.do("GET", "/v1/handoffs/"+id, nil)
	holder, notHolder := agent, other
	if !strings.Contains(string(view), `"claimed_by":"`+sam.ID+`"`) {
		holder, notHolder = other, agent // Lena won the race
	}
	if code, _, b := holder.do("GET", "/v1/handoffs/"+id, nil); code != 200 || !strings.Contains(string(b), "Quiero hablar con una persona") ||
		!strings.Contains(string(b), `"reason":"customer_request"`) || !strings.Contains(string(b), `"summary":"`) {
		t.Fatalf("the handoff view: %d %.600s", code, b)
	}

	// The holder replies; the AI says nothing while the agent holds the floor.
	code, _, b := holder.do("POST", "/v1/handoffs/"+id+"/messages", map[string]string{"text": "Hello, I will help you with your order.", "turn_id": "m1"})
	if code != 200 || !strings.Contains(string(b), `"translated":false`) {
		t.Fatalf("reply: %d %s", code, b)
	}
	if code, _, _ := notHolder.do("POST", "/v1/handoffs/"+id+"/messages", map[string]string{"text": "me too"}); code != 409 {
		t.Errorf("a reply from an agent who does not hold it: %d, want 409", code)
	}
	quiet := widget.send(conv, "t2", "Gracias", "es-MX")
	if len(quiet.Messages) != 1 {
		t.Errorf("a customer message while the agent holds the floor: %+v, want no AI reply", quiet.Messages)
	}
	tr := widget.transcript(conv)
	var human *message
	for i := range tr {
		if tr[i].Author == "human_agent" {
			human = &tr[i]
		}
	}
	if human == nil || human.AIGenerated || human.Text != "Hello, I will help you with your order." {
		t.Fatalf("the customer's transcript: %+v, want the agent's message as the agent's", tr)
	}

	// Handed back, the AI answers again and discloses again.
	if code, _, b := holder.do("POST", "/v1/handoffs/"+id+"/handback", nil); code != 200 || !strings.Contains(string(b), `"status":"handed_back"`) {
		t.Fatalf("hand back: %d %s", code, b)
	}
	again := reply(t, widget.send(conv, "t3", "Hola otra vez", "es-MX"))
	if again.Handoff || !strings.Contains(strings.ToLower(again.Text), "ia") {
		t.Errorf("the AI after the hand-back: %+v, want an answer that discloses the AI again", again)
	}
	staffClient := staffAPI(t)
	_, _, ds := staffClient.do("GET", "/v1/conversations/"+conv+"/disclosures", nil)
	if !strings.Contains(string(ds), `"reason":"handback"`) {
		t.Errorf("disclosures: %s, want one for the hand-back", ds)
	}
	// The customer's data export holds the handoff and its packet.
	if code, _, b := staffClient.do("POST", "/v1/privacy/exports", map[string]any{"conversation_ids": []string{conv}}); code != 200 ||
		!strings.Contains(string(b), `"handoffs":[{`) || !strings.Contains(string(b), `"reason":"customer_request"`) {
		t.Errorf("export: %d %.300s", code, b)
	}
	if code, _, _ := widget.do("GET", "/v1/handoffs", nil); code != http.StatusUnauthorized {
		t.Errorf("the queue without credentials: %d", code)
	}
}
