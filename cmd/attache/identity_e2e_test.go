package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/tools/identity"
)

// TestAnIdentityTokenShowsTheCustomerHerOrdersOnly: a conversation started with a signed
// identity token (the shop's logged-in page, or a channel that verified the phone number)
// answers about the customer's own orders without asking who she is, and about nobody
// else's; a forged or expired token is refused when the conversation starts.
func TestAnIdentityTokenShowsTheCustomerHerOrdersOnly(t *testing.T) {
	c := apiClient{t: t, base: stack(t).http.URL()}
	signer, err := identity.NewVerifier([]byte(testIdentitySecret))
	if err != nil {
		t.Fatal(err)
	}
	token := func(cl identity.Claims) string {
		if cl.Expiry.IsZero() {
			cl.Expiry = time.Now().Add(time.Hour)
		}
		tok, err := signer.Sign(cl)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	start := func(locale, tok string) string {
		code, _, b := c.do("POST", "/v1/conversations", map[string]string{"locale": locale, "identity_token": tok})
		if code != http.StatusCreated || !strings.Contains(string(b), `"identified":true`) {
			t.Fatalf("create with a token: %d %s", code, b)
		}
		return strings.Split(strings.Split(string(b), `"id":"`)[1], `"`)[0]
	}

	byEmail := start("de-DE", token(identity.Claims{Email: "lena.schmidt@example.com"}))
	r := reply(t, c.send(byEmail, "t1", "Wo ist meine Bestellung DE-10001?", "de-DE"))
	if r.Handoff || !strings.Contains(r.Text, "DHL") || strings.Contains(r.Text, "E-Mail") {
		t.Fatalf("with Lena's token: %+v, want the parcel's status without a question for the e-mail address", r)
	}
	other := reply(t, c.send(byEmail, "t2", "Wo ist meine Bestellung GB-10001?", "de-DE"))
	if strings.Contains(other.Text, "DHL Express") || strings.Contains(other.Text, "customs") || strings.Contains(other.Text, "Zoll") {
		t.Fatalf("Lena asked about Oliver's order and got: %+v", other)
	}

	byPhone := start("en-GB", token(identity.Claims{Phone: "+447700900123"}))
	r = reply(t, c.send(byPhone, "t1", "Where is my order GB-10001?", "en-GB"))
	if r.Handoff || !strings.Contains(r.Text, "GB-10001") || strings.Contains(r.Text, "e-mail") {
		t.Fatalf("with Oliver's verified phone: %+v, want the order's status without a question", r)
	}

	forger, _ := identity.NewVerifier([]byte("not the shop's secret, 32 bytes long"))
	forged, _ := forger.Sign(identity.Claims{Email: "lena.schmidt@example.com", Expiry: time.Now().Add(time.Hour)})
	for name, tok := range map[string]string{
		"forged":  forged,
		"expired": token(identity.Claims{Email: "lena.schmidt@example.com", Expiry: time.Now().Add(-time.Hour)}),
		"garbage": "eyJhbGciOiJub25lIn0.e30.",
	} {
		code, _, b := c.do("POST", "/v1/conversations", map[string]string{"identity_token": tok})
		if code != http.StatusUnprocessableEntity || !strings.Contains(string(b), "identity_token") {
			t.Errorf("%s token: %d %s, want 422 naming identity_token", name, code, b)
		}
	}
}
