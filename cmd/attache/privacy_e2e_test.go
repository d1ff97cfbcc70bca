package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/policy/historycodec"
	"github.com/attache-dev/attache/policy/privacy"
	"github.com/attache-dev/attache/tools/identity"
)

// plantedCard is a test card number a customer pastes into the chat.
const plantedCard = "4111 1111 1111 1111"

// tablesHolding counts, per table of the database, the rows whose JSON form contains s.
func tablesHolding(t *testing.T, s *devStack, needle string) map[string]int {
	t.Helper()
	ctx := context.Background()
	rows, err := s.pool.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 20 {
		t.Fatalf("found only %d tables: %v", len(tables), tables)
	}
	found := map[string]int{}
	for _, tb := range tables {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %q x WHERE strpos(lower(row_to_json(x)::text), lower($1)) > 0`, tb)
		if err := s.pool.QueryRow(ctx, q, needle).Scan(&n); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		if n > 0 {
			found[tb] = n
		}
	}
	return found
}

// rawHistory is a conversation's Temporal history as stored: every event's bytes, payloads
// as they are (sealed), none decoded.
func rawHistory(t *testing.T, tc client.Client, conv string) (events [][]byte, payloads int) {
	t.Helper()
	it := tc.GetWorkflowHistory(context.Background(), agents.WorkflowID(conv), "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		b, err := ev.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, b)
		if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil {
			payloads += len(a.GetAcceptedRequest().GetInput().GetArgs().GetPayloads())
		}
	}
	return events, payloads
}

// openTurns counts the customer turns of a conversation's history that the codec can open.
func openTurns(t *testing.T, s *devStack, conv string) int {
	t.Helper()
	dc := historycodec.DataConverter(s.codec)
	it := s.tc.GetWorkflowHistory(context.Background(), agents.WorkflowID(conv), "", false, 0)
	opened := 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil {
			var req agents.TurnRequest
			if err := dc.FromPayloads(a.GetAcceptedRequest().GetInput().GetArgs(), &req); err == nil && req.Text != "" {
				opened++
			}
		}
	}
	return opened
}

// TestCardsNeverLandAndAnErasureLeavesNoTrace: a customer pastes a card number with her
// e-mail address into the chat; the card number is found nowhere afterwards — not in any
// table, not in the logs, not in Temporal history — and her e-mail address is in history
// only sealed. An admin exports her data, then erases it: no table, no export and no
// history read finds her any more, another customer's data is intact, and both requests
// are audited without naming her.
func TestCardsNeverLandAndAnErasureLeavesNoTrace(t *testing.T) {
	s := stack(t)
	admin := staffAPI(t)
	widget := apiClient{t: t, base: s.http.URL()}
	signer, err := identity.NewVerifier([]byte(testIdentitySecret))
	if err != nil {
		t.Fatal(err)
	}
	n := time.Now().UnixNano()
	email := fmt.Sprintf("noor.haddad.%d@example.com", n)
	otherEmail := fmt.Sprintf("omar.%d@example.com", n)
	start := func(mail string) string {
		tok, err := signer.Sign(identity.Claims{Subject: "cust-" + mail, Email: mail, Expiry: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		code, _, b := widget.do("POST", "/v1/conversations", map[string]string{"locale": "en", "market": "DE", "identity_token": tok})
		if code != http.StatusCreated {
			t.Fatalf("create: %d %s", code, b)
		}
		return strings.Split(strings.Split(string(b), `"id":"`)[1], `"`)[0]
	}
	conv, other := start(email), start(otherEmail)
	tr := widget.send(conv, "t1", "Hello, I am "+email+" and my card "+plantedCard+" was charged twice. Where is my parcel?", "en")
	if len(tr.Messages) < 2 || strings.Contains(tr.Messages[0].Text, "4111") || !strings.Contains(tr.Messages[0].Text, "[card]") {
		t.Fatalf("the stored customer message: %+v, want the card number replaced by [card]", tr.Messages)
	}
	widget.send(other, "t1", "Hello, I am "+otherEmail+". Where is my parcel?", "en")
	if code, _, b := widget.do("POST", "/v1/conversations/"+conv+"/consents", map[string]any{"purpose": "ai_processing", "granted": true, "policy_version": "2026-11"}); code != 201 {
		t.Fatalf("consent: %d %s", code, b)
	}
	if code, _, b := widget.do("POST", "/v1/conversations/"+conv+"/consents", map[string]any{"purpose": "telepathy", "granted": true, "policy_version": "1"}); code != 422 || !strings.Contains(string(b), "purpose") {
		t.Errorf("an unknown purpose: %d %s, want 422 naming the field", code, b)
	}

	// The card number is nowhere: tables, logs, history (sealed or not).
	for _, form := range []string{plantedCard, strings.ReplaceAll(plantedCard, " ", "")} {
		if found := tablesHolding(t, s, form); len(found) > 0 {
			t.Errorf("the card number %q is stored in %v", form, found)
		}
		if strings.Contains(stackLogs.String(), form) {
			t.Errorf("the logs contain the card number %q", form)
		}
	}
	events, payloads := rawHistory(t, s.tc, conv)
	if payloads == 0 {
		t.Fatal("history holds no update payloads: the scan below would prove nothing")
	}
	for _, ev := range events {
		for _, needle := range []string{"4111", email, "charged twice"} {
			if strings.Contains(string(ev), needle) {
				t.Fatalf("history holds %q in the clear: %.300q", needle, ev)
			}
		}
	}
	if openTurns(t, s, conv) == 0 {
		t.Fatal("her turns in history do not open with the codec before the erasure: the check after it would prove nothing")
	}
	if found := tablesHolding(t, s, email); found["conversations"] != 1 || found["messages"] == 0 {
		t.Fatalf("before the erasure her e-mail address is in %v: the scans below would prove nothing", found)
	}

	// Export: a bundle of everything about her, and nothing about anybody else.
	code, h, b := admin.do("POST", "/v1/privacy/exports", map[string]string{"email": strings.ToUpper(email)})
	if code != 200 || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v %s", code, h, b)
	}
	for _, want := range []string{conv, "charged twice", `"purpose":"ai_processing"`, `"schema_version"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the export lacks %q: %.500s", want, b)
		}
	}
	if strings.Contains(string(b), other) || strings.Contains(string(b), otherEmail) {
		t.Errorf("the export holds another customer's data")
	}
	if code, _, b := admin.do("POST", "/v1/privacy/exports", map[string]string{"phone": "0151 123"}); code != 422 {
		t.Errorf("a national phone number: %d %s, want 422", code, b)
	}
	if code, _, _ := widget.do("POST", "/v1/privacy/erasures", map[string]string{"email": email}); code != 401 {
		t.Errorf("an erasure without staff credentials: %d, want 401", code)
	}

	// Erasure.
	code, _, b = admin.do("POST", "/v1/privacy/erasures", map[string]string{"email": email})
	if code != 200 || !strings.Contains(string(b), `"conversations":1`) || !strings.Contains(string(b), `"history_keys_shredded":1`) {
		t.Fatalf("erase: %d %s", code, b)
	}
	if found := tablesHolding(t, s, email); len(found) > 0 {
		t.Errorf("after the erasure her e-mail address is still in %v", found)
	}
	if found := tablesHolding(t, s, "cust-"+email); len(found) > 0 {
		t.Errorf("after the erasure her customer ID is still in %v", found)
	}
	// The history key's tombstone keeps the conversation's ID (a random UUID that now names
	// nothing), so that no new key is made for it; nothing else does.
	if found := tablesHolding(t, s, conv); len(found) != 1 || found["history_keys"] != 1 {
		t.Errorf("after the erasure her conversation's ID is in %v, want only the key's tombstone", found)
	}
	if code, _, _ := widget.do("GET", "/v1/conversations/"+conv, nil); code != 404 {
		t.Errorf("her conversation after the erasure: %d, want 404", code)
	}
	_, _, b = admin.do("POST", "/v1/privacy/exports", map[string]string{"email": email})
	if strings.Contains(string(b), conv) || strings.Contains(string(b), "charged twice") || !strings.Contains(string(b), `"conversations":[]`) {
		t.Errorf("an export after the erasure finds her: %.500s", b)
	}
	// History still holds the sealed events, and they can no longer be opened.
	events, _ = rawHistory(t, s.tc, conv)
	if len(events) == 0 {
		t.Fatal("no history to read")
	}
	if opened := openTurns(t, s, conv); opened > 0 {
		t.Errorf("%d turns of her history still open after the erasure", opened)
	}
	// The other customer is intact.
	if code, _, b := widget.do("GET", "/v1/conversations/"+other, nil); code != 200 || !strings.Contains(string(b), otherEmail) {
		t.Errorf("the other customer's conversation: %d %.300s", code, b)
	}
	// Both requests are recorded and audited, without her address.
	code, _, b = admin.do("GET", "/v1/privacy/requests", nil)
	if code != 200 || !strings.Contains(string(b), `"kind":"erasure"`) || strings.Contains(string(b), email) {
		t.Errorf("requests: %d %.500s", code, b)
	}
	code, _, b = admin.do("GET", "/v1/audit?action=privacy.erased", nil)
	if code != 200 || !strings.Contains(string(b), `"actor":"staff:`+devAdminEmail+`"`) || strings.Contains(string(b), email) {
		t.Errorf("audit: %d %.500s", code, b)
	}
}

// TestRetentionRunsOnASchedule: the worker keeps the daily retention schedule, and a run of it
// sweeps (here: nothing is old enough, so it deletes nothing and succeeds).
func TestRetentionRunsOnASchedule(t *testing.T) {
	s := stack(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h := s.tc.ScheduleClient().GetHandle(ctx, privacy.ScheduleID)
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatalf("the retention schedule: %v", err)
	}
	if iv := desc.Schedule.Spec.Intervals; len(iv) != 1 || iv[0].Every != retentionEvery {
		t.Errorf("schedule spec %+v, want every %s", desc.Schedule.Spec, retentionEvery)
	}
	before := len(desc.Info.RecentActions)
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		desc, err = h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(desc.Info.RecentActions); n > before {
			run := desc.Info.RecentActions[n-1].StartWorkflowResult
			var sum privacy.Summary
			if err := s.tc.GetWorkflow(ctx, run.WorkflowID, run.FirstExecutionRunID).Get(ctx, &sum); err != nil {
				t.Fatalf("the sweep: %v", err)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal("the triggered sweep did not start within a minute")
		case <-time.After(200 * time.Millisecond):
		}
	}
}
