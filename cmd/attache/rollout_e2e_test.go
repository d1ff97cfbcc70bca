package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestABadLiveFigureDemotesAKeyWithAnAuditRecord: Iceland × contact_human_agent is at the
// standard stage; twenty customers there in a row ask for a person, so the live handoff
// rate is 100 % — far over the threshold. The live check moves the key down to assist and
// audits it with the figures as evidence; another market's rule stays.
func TestABadLiveFigureDemotesAKeyWithAnAuditRecord(t *testing.T) {
	admin := staffAPI(t)
	widget := apiClient{t: t, base: admin.base}
	for _, m := range []string{"IS", "LU"} {
		code, _, b := admin.do("PUT", "/v1/rollout/rules", map[string]any{
			"key": map[string]string{"market": m, "intent": "contact_human_agent"}, "stage": "standard",
			"reason": "people answer requests for a person while the new team settles in"})
		if code != 200 {
			t.Fatalf("set the %s rule: %d %s", m, code, b)
		}
	}
	for i := range 20 {
		conv := widget.newConversationIn("en", "IS")
		if r := reply(t, widget.send(conv, "t1", "I want to talk to a human", "en")); !r.Handoff {
			t.Fatalf("customer %d: %+v, want a handoff", i, r)
		}
	}
	code, _, b := admin.do("POST", "/v1/rollout/check", "{}")
	if code != 200 {
		t.Fatalf("check: %d %s", code, b)
	}
	var res struct {
		Demoted []struct {
			Key struct {
				Market, Intent string
			} `json:"key"`
			FromStage string `json:"from_stage"`
			ToStage   string `json:"to_stage"`
			By        string `json:"by"`
			Reason    string `json:"reason"`
		} `json:"demoted"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, d := range res.Demoted {
		if d.Key.Market == "LU" {
			t.Errorf("LU was demoted without a single conversation: %+v", d)
		}
		if d.Key.Market == "IS" && d.Key.Intent == "contact_human_agent" {
			found = true
			if d.FromStage != "standard" || d.ToStage != "assist" || !strings.Contains(strings.ToLower(d.Reason), "handoff") {
				t.Errorf("demotion %+v: want standard → assist for the handoff rate", d)
			}
		}
	}
	if !found {
		t.Fatalf("check: %s, want Iceland × contact_human_agent demoted", b)
	}
	code, _, b = admin.do("GET", "/v1/audit?action=rollout.demoted", nil)
	if code != 200 || !strings.Contains(string(b), "IS/contact_human_agent") || !strings.Contains(string(b), "system:rollout-monitor") {
		t.Fatalf("audit: %d %.600s, want the demotion by the monitor", code, b)
	}
	code, _, b = admin.do("GET", "/v1/rollout/decide?market=IS&intent=contact_human_agent", nil)
	if code != 200 || !strings.Contains(string(b), `"assist"`) {
		t.Errorf("decide after the demotion: %d %s", code, b)
	}
}

// TestTheAssistStageHandsTheTurnToAPersonWithADraft: in Luxembourg, order questions are at
// the assist stage. The customer is told a colleague answers; the agent console shows the
// AI's answer as a draft to edit and send.
func TestTheAssistStageHandsTheTurnToAPersonWithADraft(t *testing.T) {
	admin := staffAPI(t)
	widget := apiClient{t: t, base: admin.base}
	code, _, b := admin.do("PUT", "/v1/rollout/rules", map[string]any{
		"key": map[string]string{"market": "LU", "intent": "track_order"}, "stage": "assist", "reason": "a new market: people send what the AI drafts"})
	if code != 200 {
		t.Fatalf("set the rule: %d %s", code, b)
	}
	conv := widget.newConversationIn("de", "LU")
	r := reply(t, widget.send(conv, "t1", "Wo ist meine Bestellung DE-10001?", "de"))
	if !r.Handoff || strings.Contains(r.Text, "DE-10001") {
		t.Fatalf("reply %+v: want the customer told a colleague answers, not the AI's answer", r)
	}
	code, _, b = admin.do("GET", "/v1/handoffs", nil)
	var list struct {
		Handoffs []struct {
			ID             string `json:"id"`
			ConversationID string `json:"conversation_id"`
			Reason         string `json:"reason"`
		} `json:"handoffs"`
	}
	if err := json.Unmarshal(b, &list); code != 200 || err != nil {
		t.Fatalf("handoffs: %d %v", code, err)
	}
	var id string
	for _, h := range list.Handoffs {
		if h.ConversationID == conv {
			id = h.ID
			if h.Reason != "rollout_stage" {
				t.Errorf("reason %q, want rollout_stage", h.Reason)
			}
		}
	}
	if id == "" {
		t.Fatalf("the conversation is not in the queue: %s", b)
	}
	code, _, b = admin.do("GET", "/v1/handoffs/"+id, nil)
	var view struct {
		Draft *struct {
			Text string `json:"text"`
			Lang string `json:"lang"`
		} `json:"draft"`
	}
	if err := json.Unmarshal(b, &view); code != 200 || err != nil || view.Draft == nil {
		t.Fatalf("handoff view: %d %v %.500s, want a draft", code, err, b)
	}
	if !strings.Contains(view.Draft.Text, "DE-10001") || view.Draft.Lang != "de" {
		t.Errorf("draft %+v: want the AI's German answer about DE-10001", *view.Draft)
	}
}
