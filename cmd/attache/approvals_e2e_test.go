package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestReturnAboveTheLimitIsApprovedOverHTTP: a demo customer returns an order worth more
// than the German limit; after her yes the refund waits, a person lists and approves it over
// the API, the customer is told, and approving again neither refunds twice nor fails.
func TestReturnAboveTheLimitIsApprovedOverHTTP(t *testing.T) {
	st := stack(t)
	c := apiClient{t: t, base: st.http.URL(), token: st.admin.Token}
	conv := c.newConversation("en-GB")
	ask := reply(t, c.send(conv, "t-return", "I want to return my order DE-10004", "en-GB"))
	if ask.Handoff || !strings.Contains(ask.Text, "DE-10004") {
		t.Fatalf("reply to the return request: %+v, want a question for the e-mail address", ask)
	}
	preview := reply(t, c.send(conv, "t-email", "lena.schmidt@example.com", "en-GB"))
	if preview.Handoff || !strings.Contains(preview.Text, "DE-10004") {
		t.Fatalf("reply after the e-mail address: %+v, want the return's details to confirm", preview)
	}
	wait := reply(t, c.send(conv, "t-yes", "yes", "en-GB"))
	if wait.Handoff {
		t.Fatalf("reply to the yes: %+v, want the customer told a person approves", wait)
	}

	// The approval is in the agents' queue, though the AI keeps the conversation.
	if code, _, b := c.do("GET", "/v1/handoffs", nil); code != http.StatusOK ||
		!strings.Contains(string(b), `"conversation_id":"`+conv+`","reason":"approval_needed"`) {
		t.Errorf("the handoff queue: %d %.400s, want the approval of this conversation", code, b)
	}
	code, _, b := c.do("GET", "/v1/conversations/"+conv+"/approvals", nil)
	if code != http.StatusOK {
		t.Fatalf("list approvals: %d %s", code, b)
	}
	var list struct {
		Approvals []struct {
			Key    string `json:"key"`
			Tool   string `json:"tool"`
			Amount struct {
				Amount   float64 `json:"amount"`
				Currency string  `json:"currency"`
			} `json:"amount"`
		} `json:"approvals"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Approvals) != 1 || list.Approvals[0].Amount.Currency != "EUR" || list.Approvals[0].Amount.Amount <= 200 {
		t.Fatalf("approvals: %s, want one return above €200", b)
	}
	key := list.Approvals[0].Key
	path := "/v1/conversations/" + conv + "/approvals/" + key

	for _, bad := range []struct {
		body string
		want int
	}{
		{`{}`, http.StatusUnprocessableEntity},
		{`{"by": "lead@shop.example"}`, http.StatusUnprocessableEntity},
		{`{"approve": "yes", "by": "lead@shop.example"}`, http.StatusBadRequest},
		{`{"approve": true, "by": "x", "extra": 1}`, http.StatusBadRequest},
	} {
		if code, _, b := c.do("POST", path, bad.body); code != bad.want || !strings.Contains(string(b), `"status"`) {
			t.Errorf("POST %s: %d %s, want %d with a problem", bad.body, code, b, bad.want)
		}
	}
	if code, _, b := c.do("POST", "/v1/conversations/"+conv+"/approvals/refund_order:nope", `{"approve": true, "by": "lead@shop.example"}`); code != http.StatusNotFound {
		t.Errorf("unknown key: %d %s, want 404", code, b)
	}
	if code, _, b := c.do("POST", "/v1/conversations/no-such-conversation/approvals/"+key, `{"approve": true, "by": "lead@shop.example"}`); code != http.StatusNotFound {
		t.Errorf("unknown conversation: %d %s, want 404", code, b)
	}

	type decision struct {
		Outcome    string   `json:"outcome"`
		Verified   bool     `json:"verified"`
		MessageIDs []string `json:"message_ids"`
	}
	decide := func() decision {
		code, _, b := c.do("POST", path, `{"approve": true, "by": "lead@shop.example", "note": "regular customer"}`)
		if code != http.StatusOK {
			t.Fatalf("approve: %d %s", code, b)
		}
		var d decision
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := decide()
	if first.Outcome != "ok" || !first.Verified || len(first.MessageIDs) != 1 {
		t.Fatalf("approval: %+v, want a verified refund and one message to the customer", first)
	}
	again := decide()
	if again.Outcome != "ok" || strings.Join(again.MessageIDs, ",") != strings.Join(first.MessageIDs, ",") {
		t.Fatalf("approving again: %+v, want the first decision's result %+v", again, first)
	}
	code, _, b = c.do("GET", "/v1/conversations/"+conv+"/approvals", nil)
	if code != http.StatusOK || !strings.Contains(string(b), `"approvals":[]`) {
		t.Fatalf("approvals after the decision: %d %s, want none", code, b)
	}
	// The decision is the signed-in staff member's, whatever "by" said, and it is audited.
	code, _, b = c.do("GET", "/v1/audit?action=approval.decided&subject=conversation:"+conv, nil)
	if code != http.StatusOK || !strings.Contains(string(b), `"actor":"staff:`+devAdminEmail+`"`) || !strings.Contains(string(b), `"key":"`+key+`"`) {
		t.Errorf("audit of the decision: %d %s", code, b)
	}
	// Decided, the approval's queue entry is settled.
	if code, _, b := c.do("GET", "/v1/handoffs", nil); code != http.StatusOK || strings.Contains(string(b), `"conversation_id":"`+conv+`"`) {
		t.Errorf("the handoff queue after the decision: %d %.400s, want this conversation gone", code, b)
	}
	// Without staff credentials nobody may look or decide.
	anon := apiClient{t: t, base: st.http.URL()}
	if code, _, _ := anon.do("POST", path, `{"approve": true}`); code != http.StatusUnauthorized {
		t.Errorf("deciding without credentials: %d, want 401", code)
	}
	msgs := c.transcript(conv)
	last := msgs[len(msgs)-1]
	if last.Author != "ai" || last.ID != first.MessageIDs[0] || !strings.Contains(last.Text, "DE-10004") {
		t.Fatalf("the customer's last message: %+v, want the approval's outcome", last)
	}
	// The AI still has the conversation after the approval.
	if after := reply(t, c.send(conv, "t-thanks", "Thank you!", "en-GB")); after.Handoff {
		t.Errorf("after the approval: %+v, want the AI to answer, not a handoff", after)
	}

	var writes int
	var status string
	if err := st.pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM commerce_operations WHERE object_id = 'DE-10004'),
		(SELECT status FROM commerce_orders WHERE id = 'DE-10004')`).Scan(&writes, &status); err != nil {
		t.Fatalf("read the shop: %v", err)
	}
	if writes != 1 || status == "delivered" {
		t.Fatalf("DE-10004: %d writes, status %q; want one write that changed the order", writes, status)
	}
}
