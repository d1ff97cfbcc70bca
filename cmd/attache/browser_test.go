package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/attache-dev/attache/internal/testutil/browser"
)

// bubble is what a customer sees of one message in the web chat.
type bubble struct {
	Author, Text, Lang, Dir, Badge, BadgeLabel string
	Live                                       bool
}

const bubblesJS = `[...document.querySelectorAll('#transcript .msg[data-id]')].map((e) => ({
	Author: e.dataset.author, Text: e.querySelector('.text')?.textContent ?? '', Lang: e.lang, Dir: e.dir,
	Badge: e.querySelector('.ai-badge')?.textContent ?? '',
	BadgeLabel: e.querySelector('.ai-badge')?.getAttribute('aria-label') ?? '',
	Live: e.classList.contains('live'),
}))`

// TestWebChatAnswersInTheCustomersLanguage drives the embedded web chat in headless Chromium
// against the real service: HTTP API, Temporal workflow, PGlite, offline engine.
func TestWebChatAnswersInTheCustomersLanguage(t *testing.T) {
	s := stack(t)
	b := browser.New(t)
	b.Do(chromedp.Navigate(s.http.URL() + "/"))
	b.WaitFor(`sessionStorage.getItem('attache.conversation') !== null`)

	send := func(text string, wantAIMessages int) bubble {
		t.Helper()
		b.Do(chromedp.SendKeys(chromedp.CSS("#composer textarea"), text), browser.Press(kb.Enter))
		b.WaitFor(`document.querySelectorAll('#transcript .msg[data-author="ai"][data-id]').length >= ` + string(rune('0'+wantAIMessages)))
		var last bubble
		for _, m := range browser.Eval[[]bubble](b, bubblesJS) {
			if m.Author == "ai" {
				last = m
			}
		}
		return last
	}

	hello := send("Hello", 1)
	if hello.Lang != "en" || hello.Badge != "AI" || hello.BadgeLabel != "AI-generated" {
		t.Fatalf("reply to Hello: %+v, want English and marked as AI-generated", hello)
	}
	if !strings.Contains(hello.Text, "AI") {
		t.Errorf("the first AI message does not disclose that it is an AI: %q", hello.Text)
	}

	where := send("¿Dónde está mi pedido?", 2)
	if where.Lang != "es" || where.Badge != "AI" || !strings.Contains(strings.ToLower(where.Text), "pedido") {
		t.Fatalf("reply to ¿Dónde está mi pedido?: %+v, want Spanish, about the order, marked as AI", where)
	}
	if where.BadgeLabel == "AI-generated" || where.BadgeLabel == "" {
		t.Errorf("the Spanish reply's AI label is %q, want it in Spanish", where.BadgeLabel)
	}

	// Every message once, nothing left half-streamed, and the server has the same transcript.
	bubbles := browser.Eval[[]bubble](b, bubblesJS)
	if len(bubbles) != 4 {
		t.Fatalf("the page shows %d messages, want 4: %+v", len(bubbles), bubbles)
	}
	for _, m := range bubbles {
		if m.Live {
			t.Errorf("a streaming bubble was left behind: %+v", m)
		}
	}
	conv := browser.Eval[string](b, `sessionStorage.getItem('attache.conversation')`)
	if n := len(apiClient{t: t, base: s.http.URL()}.transcript(conv)); n != 4 {
		t.Fatalf("the server stored %d messages, want 4", n)
	}
	if errs := b.ScriptErrors(); len(errs) > 0 {
		t.Errorf("the page logged script errors: %+v", errs)
	}
	b.Screenshot("webchat-es")
}
