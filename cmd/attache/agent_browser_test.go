package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/internal/testutil/browser"
	"github.com/attache-dev/attache/internal/testutil/openaistub"
	"github.com/attache-dev/attache/staff"
	"github.com/attache-dev/attache/tools/identity"
)

// stubTranslations answers the translator's requests from the OpenAI-protocol stub: a few
// known sentences, and anything else prefixed with the target language's name (numbers kept,
// as the translator checks).
func stubTranslations(req openaistub.ChatRequest) (openaistub.Reply, bool) {
	if len(req.Messages) != 2 || !strings.Contains(req.Messages[0].Text(), "You translate customer-service messages") {
		return openaistub.Reply{}, false
	}
	system, text := req.Messages[0].Text(), req.Messages[1].Text()
	known := map[string]string{
		"Your refund is approved; the money is on its way.": "تمت الموافقة على استرداد أموالك؛ المبلغ في طريقه إليك.",
	}
	if t, ok := known[text]; ok {
		return openaistub.Reply{Text: t}, true
	}
	switch {
	case strings.Contains(system, " to English (en)."):
		return openaistub.Reply{Text: "(in English) " + text}, true
	case strings.Contains(system, " to Arabic (ar)."):
		return openaistub.Reply{Text: "(بالعربية) " + text}, true
	}
	return openaistub.Reply{Text: text}, true
}

// TestAnArabicCustomerIsHelpedByAnEnglishSpeakingAgent is the agent console end to end, in
// headless Chromium, on its own stack whose translator is a local server speaking the
// OpenAI protocol: a customer writing in Arabic returns an order above the market's limit,
// then asks for a person; an English-speaking agent signs in, claims the conversation,
// reads the translated summary, approves the pending refund and replies in English; the
// customer sees the answer in Arabic, written by a person.
func TestAnArabicCustomerIsHelpedByAnEnglishSpeakingAgent(t *testing.T) {
	if os.Getenv("ATTACHE_SKIP_BROWSER") == "1" {
		t.Skip("ATTACHE_SKIP_BROWSER=1")
	}
	stub := openaistub.New(t)
	stub.Respond(stubTranslations)
	cfg, err := config.Load(envMap(map[string]string{
		"ATTACHE_HTTP_ADDR": "127.0.0.1:0", "ATTACHE_DATA_DIR": t.TempDir(), "ATTACHE_TURN_WAIT": "20s",
		"ATTACHE_IDENTITY_SECRET":    testIdentitySecret,
		"ATTACHE_TRANSLATE_PROVIDER": "openai", "ATTACHE_TRANSLATE_BASE_URL": stub.URL(), "ATTACHE_TRANSLATE_MODEL": "stub-translator",
	}), config.ModeDev)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewJSONHandler(io.MultiWriter(testLogSink()), &slog.HandlerOptions{Level: slog.LevelInfo}))
	s, err := startDev(ctx, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	if err := seedShop(ctx, cfg, s.pool, logger); err != nil {
		t.Fatal(err)
	}

	// The customer, signed in at the shop as Lena, writes in Arabic.
	signer, err := identity.NewVerifier([]byte(testIdentitySecret))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := signer.Sign(identity.Claims{Email: "lena.schmidt@example.com", Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	widget := apiClient{t: t, base: s.http.URL()}
	code, _, b := widget.do("POST", "/v1/conversations", map[string]string{"locale": "ar", "market": "DE", "identity_token": tok})
	if code != 201 {
		t.Fatalf("create: %d %s", code, b)
	}
	conv := strings.Split(strings.Split(string(b), `"id":"`)[1], `"`)[0]
	for i, text := range []string{"أريد إرجاع طلبي DE-10004", "نعم"} {
		tr := widget.send(conv, fmt.Sprint("t", i), text, "ar")
		t.Logf("%s → %s", text, tr.Messages[len(tr.Messages)-1].Text)
	}
	_, _, approvals := apiClient{t: t, base: s.http.URL(), token: s.admin.Token}.do("GET", "/v1/conversations/"+conv+"/approvals", nil)
	if !strings.Contains(string(approvals), `"currency":"EUR"`) {
		t.Fatalf("no refund waits for approval after the customer's yes: %s", approvals)
	}
	if tr := widget.send(conv, "t9", "أريد التحدث مع موظف من فضلك", "ar"); !tr.Handoff {
		t.Fatalf("asking for a person in Arabic: %+v, want a handoff", tr)
	}

	// The agent: English only, signed in with a password.
	st := staff.New(s.pool, logger)
	const password = "a password for Sam the agent"
	if _, err := st.CreateAccount(ctx, staff.NewAccount{Email: "sam@shop.example", Name: "Sam", Role: staff.RoleAgent, Password: password,
		Languages: []string{"en"}}); err != nil {
		t.Fatal(err)
	}
	b2 := browser.New(t, browser.WindowSize(1400, 1000))
	b2.Do(chromedp.Navigate(s.http.URL() + "/console/agent"))
	b2.WaitFor(`location.pathname === '/login' && document.getElementById('login-form') !== null`)
	b2.Do(chromedp.SendKeys(chromedp.CSS("#login-email"), "sam@shop.example"), chromedp.SendKeys(chromedp.CSS("#login-password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")))
	b2.WaitFor(`location.pathname === '/console/agent' && document.querySelectorAll('#queue li').length > 0`)

	// Claim the conversation; read the summary in English, beside the Arabic transcript.
	b2.Do(chromedp.Click(chromedp.CSS(`#queue li button.claim`)))
	b2.WaitFor(`!document.getElementById('conv-view').hidden && document.getElementById('packet-summary').textContent.includes('(in English)')`)
	if rtl := browser.Eval[bool](b2, `[...document.querySelectorAll('#agent-transcript .original')].some(e => e.lang === 'ar' && getComputedStyle(e).direction === 'rtl')`); !rtl {
		t.Error("no Arabic original is shown right to left")
	}
	if tr := browser.Eval[bool](b2, `[...document.querySelectorAll('#agent-transcript .translation')].some(e => e.textContent.startsWith('(in English)'))`); !tr {
		t.Error("no English translation beside the Arabic transcript")
	}

	// The order the AI looked up is in the packet.
	if orders := browser.Eval[string](b2, `document.getElementById('packet-orders').textContent`); !strings.Contains(orders, "DE-10004") {
		t.Errorf("the packet's orders read %q, want DE-10004", orders)
	}

	// Approve the pending refund.
	b2.WaitFor(`document.querySelector('#approvals li.approval button.approve') !== null`)
	b2.Do(chromedp.Click(chromedp.CSS(`#approvals li.approval button.approve`)))
	b2.WaitFor(`document.getElementById('approval-status').textContent !== '' && !document.getElementById('approval-status').textContent.startsWith('Approving')`)
	if st := browser.Eval[string](b2, `document.getElementById('approval-status').textContent`); !strings.Contains(st, ": ok") {
		t.Errorf("approval status %q", st)
	}

	// Reply in English with the keyboard.
	b2.Do(chromedp.SendKeys(chromedp.CSS("#reply"), "Your refund is approved; the money is on its way."),
		browser.Press(kb.Enter, chromedp.ModifierCtrl))
	b2.WaitFor(`document.getElementById('reply-status').textContent.includes('translated to ar')`)

	// The customer answers; the open conversation shows it without a click.
	if code, _, b := widget.do("POST", "/v1/conversations/"+conv+"/messages", map[string]string{"text": "شكرا جزيلا", "locale": "ar", "turn_id": "t10"}); code/100 != 2 {
		t.Fatalf("the customer's thanks: %d %s", code, b)
	}
	b2.WaitFor(`[...document.querySelectorAll('#agent-transcript .original')].some(e => e.textContent.includes('شكرا جزيلا'))`)

	// The customer sees it in Arabic, written by a person.
	var human *message
	for _, m := range widget.transcript(conv) {
		if m.Author == "human_agent" {
			m := m
			human = &m
		}
	}
	if human == nil || human.Text != "تمت الموافقة على استرداد أموالك؛ المبلغ في طريقه إليك." || human.AIGenerated || human.Lang != "ar" {
		t.Fatalf("the customer's transcript has %+v, want the agent's answer in Arabic, not the AI's", human)
	}
}
