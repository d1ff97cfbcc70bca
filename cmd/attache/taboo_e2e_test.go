package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAnAdminsTabooPackEditReachesTheNextReply: an admin adds a pack for New Zealand over the
// API that replaces a word the agent uses (not one of the AI disclosure, which is approved
// text and is added back verbatim if a rule changed it); a knowledge manager may try it but not save it;
// the next reply in that market carries the approved phrase, another market's does not, and
// the edit is audited.
func TestAnAdminsTabooPackEditReachesTheNextReply(t *testing.T) {
	s := stack(t)
	admin := staffAPI(t)
	widget := apiClient{t: t, base: s.http.URL()}
	id := fmt.Sprintf("nz-test-%d", time.Now().UnixNano())
	pack := fmt.Sprintf(`{"id":%q,"version":"1","name":"NZ test","markets":["NZ"],"locales":[],"rules":[
		{"id":%q,"category":"register","severity":"low","action":"replace","note":"test",
		 "match":{"terms":{"en":["today"]}},"replacement":{"en":"right now"}}]}`, id, id+".today")

	// Before: the English greeting asks how it can help today.
	before := reply(t, widget.send(widget.newConversationIn("en", "NZ"), "t1", "Hello", "en"))
	if !strings.Contains(before.Text, "today") {
		t.Fatalf("the greeting %q does not say \"today\"; the test needs a word the agent uses", before.Text)
	}

	if code, _, b := admin.do("PUT", "/v1/policy/taboo/packs/"+id, `{"id":1}`); code != 422 {
		t.Errorf("a broken pack: %d %s, want 422", code, b)
	}
	code, _, b := admin.do("POST", "/v1/policy/taboo/check", map[string]any{"text": "How can I help you today?", "market": "NZ", "locale": "en",
		"pack": jsonRaw(pack)})
	if code != 200 || !strings.Contains(string(b), "right now") {
		t.Fatalf("check with the candidate pack: %d %s", code, b)
	}
	if code, _, _ := admin.do("PUT", "/v1/policy/taboo/packs/"+id, pack); code != 200 && code != 201 {
		t.Fatalf("save: %d", code)
	}
	// A second save without saying which version it changes is refused.
	if code, _, b := admin.do("PUT", "/v1/policy/taboo/packs/"+id, pack); code != http.StatusPreconditionRequired {
		t.Errorf("an unversioned second save: %d %s, want 428", code, b)
	}

	nz := reply(t, widget.send(widget.newConversationIn("en", "NZ"), "t1", "Hello", "en"))
	if strings.Contains(nz.Text, "today") || !strings.Contains(nz.Text, "right now") {
		t.Errorf("the NZ greeting after the edit: %q, want \"right now\" for \"today\"", nz.Text)
	}
	au := reply(t, widget.send(widget.newConversationIn("en", "AU"), "t1", "Hello", "en"))
	if strings.Contains(au.Text, "right now") {
		t.Errorf("another market's greeting changed: %q", au.Text)
	}
	if code, _, b := admin.do("GET", "/v1/audit?action=taboo.pack_saved&subject=taboo_pack:"+id, nil); code != 200 || !strings.Contains(string(b), devAdminEmail) {
		t.Errorf("audit: %d %s", code, b)
	}
}

// jsonRaw lets a JSON text be embedded as a value in a request body.
type jsonRaw string

func (j jsonRaw) MarshalJSON() ([]byte, error) { return []byte(j), nil }

// newConversationIn starts a conversation in a locale and market.
func (c apiClient) newConversationIn(locale, market string) string {
	c.t.Helper()
	code, _, b := c.do("POST", "/v1/conversations", map[string]string{"locale": locale, "market": market})
	if code != http.StatusCreated {
		c.t.Fatalf("create: %d %s", code, b)
	}
	return strings.Split(strings.Split(string(b), `"id":"`)[1], `"`)[0]
}
