package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestTheAIDisclosureIsShownOnceAndEvidenced: the first AI message of a conversation tells
// the customer, in their language, that they talk to an AI; the evidence (text, language,
// channel, message) can be exported; later messages do not repeat it.
func TestTheAIDisclosureIsShownOnceAndEvidenced(t *testing.T) {
	c := staffAPI(t)
	conv := c.newConversation("es-MX")
	first := reply(t, c.send(conv, "d1", "Hola, ¿hacen envíos a Monterrey?", "es-MX"))
	second := reply(t, c.send(conv, "d2", "Gracias", "es-MX"))

	code, _, b := c.do("GET", "/v1/conversations/"+conv+"/disclosures", nil)
	if code != http.StatusOK {
		t.Fatalf("disclosures: %d %s", code, b)
	}
	var out struct {
		Disclosures []struct {
			MessageID string `json:"message_id"`
			Channel   string `json:"channel"`
			Locale    string `json:"locale"`
			Text      string `json:"text"`
			Reason    string `json:"reason"`
		} `json:"disclosures"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Disclosures) != 1 {
		t.Fatalf("disclosures: %s, want exactly one", b)
	}
	d := out.Disclosures[0]
	if d.MessageID != first.ID || d.Channel != "web" || d.Locale != "es" || d.Reason != "first_ai_message" || d.Text == "" {
		t.Fatalf("evidence %+v, want the first reply's Spanish disclosure on the web", d)
	}
	if !strings.HasPrefix(first.Text, d.Text) {
		t.Fatalf("the first reply %q does not begin with the recorded disclosure %q", first.Text, d.Text)
	}
	if strings.Contains(second.Text, d.Text) {
		t.Fatalf("the second reply repeats the disclosure: %q", second.Text)
	}
	if code, _, _ := c.do("GET", "/v1/conversations/00000000-0000-0000-0000-000000000000/disclosures", nil); code != http.StatusNotFound {
		t.Fatalf("unknown conversation: %d, want 404", code)
	}
}
