package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/attache-dev/attache/internal/testutil/browser"
)

// bubble is what a customer sees of one message on the page.
type bubble struct {
	ID         string `json:"id"`
	Author     string `json:"author"`
	Text       string `json:"text"`
	Lang       string `json:"lang"`
	Dir        string `json:"dir"`
	Badge      string `json:"badge"`
	BadgeLabel string `json:"badgeLabel"`
	Live       bool   `json:"live"`
	Pending    bool   `json:"pending"`
	Handoff    bool   `json:"handoff"`
}

const transcriptJS = `[...document.querySelectorAll('#transcript .msg')].map((e) => ({
	id: e.dataset.id || '',
	author: e.dataset.author,
	text: e.querySelector('.text')?.textContent ?? '',
	lang: e.lang,
	dir: e.dir,
	badge: e.querySelector('.ai-badge')?.textContent ?? '',
	badgeLabel: e.querySelector('.ai-badge')?.getAttribute('aria-label') ?? '',
	live: e.classList.contains('live'),
	pending: e.classList.contains('pending'),
	handoff: e.classList.contains('handoff'),
}))`

func transcript(b *browser.Browser) []bubble {
	return browser.Eval[[]bubble](b, transcriptJS)
}

func find(bubbles []bubble, author, text string) []bubble {
	var out []bubble
	for _, m := range bubbles {
		if m.Author == author && m.Text == text {
			out = append(out, m)
		}
	}
	return out
}

func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func typeAndSend(b *browser.Browser, text string) {
	b.Do(chromedp.SendKeys(chromedp.CSS("#composer textarea"), text), browser.Press(kb.Enter))
}

func waitForReply(b *browser.Browser, text string) {
	b.WaitFor(fmt.Sprintf(`[...document.querySelectorAll('.msg[data-author="ai"][data-id] .text')]
		.some((e) => e.textContent === %s)`, js(text)))
}

// exactlyOne fails unless the transcript shows the message once.
func exactlyOne(t *testing.T, bubbles []bubble, author, text string) bubble {
	t.Helper()
	got := find(bubbles, author, text)
	if len(got) != 1 {
		t.Fatalf("the transcript shows the %s message %q %d times, want once; transcript: %+v", author, text, len(got), bubbles)
	}
	if got[0].Live || got[0].Pending || got[0].ID == "" {
		t.Errorf("the %s message %q is still provisional: %+v", author, text, got[0])
	}
	return got[0]
}

func TestChatPageInBrowser(t *testing.T) {
	api := newFakeAPI(t)
	srv := httptest.NewServer(api.handler())
	t.Cleanup(srv.Close)

	top := browser.New(t)
	top.Do(chromedp.Navigate(srv.URL))
	// The conversation starts by itself, with the server's AI disclosure.
	top.WaitFor(fmt.Sprintf(`[...document.querySelectorAll('.msg[data-author="system"] .text')]
		.some((e) => e.textContent === %s)`, js(disclosure)))
	convID := browser.Eval[string](top, `sessionStorage.getItem('attache.conversation')`)
	if convID == "" {
		t.Fatal("the page did not keep its conversation id in sessionStorage")
	}

	t.Run("a reply streams token by token and is marked as AI", func(t *testing.T) {
		b := top.For(t)
		const reply = "Hi! I can help with orders, deliveries and refunds. What do you need?"
		api.script("Hello", script{reply: reply})
		// Record every text the streaming bubble shows.
		browser.Eval[bool](b, `window.liveTexts = [];
			new MutationObserver(() => {
				const live = document.querySelector('.msg.live .text');
				if (live && window.liveTexts.at(-1) !== live.textContent) window.liveTexts.push(live.textContent);
			}).observe(document.getElementById('transcript'), {subtree: true, childList: true, characterData: true});
			true`)

		typeAndSend(b, "Hello")
		waitForReply(b, reply)
		b.WaitFor(`document.getElementById('typing').hidden`)

		bubbles := transcript(b)
		exactlyOne(t, bubbles, "customer", "Hello")
		ai := exactlyOne(t, bubbles, "ai", reply)
		if ai.Badge != "AI" || ai.BadgeLabel != "AI-generated" {
			t.Errorf("AI reply badge = %q labelled %q, want \"AI\" labelled \"AI-generated\"", ai.Badge, ai.BadgeLabel)
		}
		if ai.Lang != "en" || ai.Dir != "ltr" {
			t.Errorf("AI reply lang=%q dir=%q, want en, ltr", ai.Lang, ai.Dir)
		}
		for _, m := range bubbles {
			if m.Live {
				t.Errorf("a streaming bubble is left after the final message: %+v", m)
			}
		}
		live := browser.Eval[[]string](b, `window.liveTexts`)
		if len(live) < 3 {
			t.Fatalf("the reply was shown in %d steps (%q), want it to grow token by token", len(live), live)
		}
		for i, s := range live {
			if !strings.HasPrefix(reply, s) || (i > 0 && len(s) <= len(live[i-1])) {
				t.Fatalf("streamed texts %q do not grow towards the reply %q", live, reply)
			}
		}
		if v := browser.Eval[string](b, `document.querySelector('#composer textarea').value`); v != "" {
			t.Errorf("the composer still holds %q after sending", v)
		}
	})

	t.Run("an Arabic reply is right to left", func(t *testing.T) {
		b := top.For(t)
		const question = "مرحبا، أين طلبي؟"
		const reply = "أهلًا! طلبك في الطريق وسيصل خلال يومين."
		api.script(question, script{reply: reply, lang: "ar", byMessage: true})
		typeAndSend(b, question)
		waitForReply(b, reply)

		bubbles := transcript(b)
		ai := exactlyOne(t, bubbles, "ai", reply)
		if ai.Dir != "rtl" || ai.Lang != "ar" {
			t.Errorf("Arabic reply dir=%q lang=%q, want rtl, ar", ai.Dir, ai.Lang)
		}
		if ai.BadgeLabel != "تم إنشاؤه بواسطة الذكاء الاصطناعي" {
			t.Errorf("Arabic reply badge label = %q, want the Arabic for AI-generated", ai.BadgeLabel)
		}
		if c := exactlyOne(t, bubbles, "customer", question); c.Dir != "rtl" {
			t.Errorf("the customer's Arabic message has dir=%q, want rtl", c.Dir)
		}
	})

	t.Run("Shift+Enter adds a line and Enter sends", func(t *testing.T) {
		b := top.For(t)
		api.script("Line one\nline two", script{reply: "Got both lines."})
		b.Do(
			chromedp.SendKeys(chromedp.CSS("#composer textarea"), "Line one"),
			browser.Press(kb.Enter, chromedp.ModifierShift),
			chromedp.SendKeys(chromedp.CSS("#composer textarea"), "line two"),
		)
		if n := len(find(transcript(b), "customer", "Line one")); n != 0 {
			t.Fatal("Shift+Enter sent the message")
		}
		b.Do(browser.Press(kb.Enter))
		waitForReply(b, "Got both lines.")
		exactlyOne(t, transcript(b), "customer", "Line one\nline two")
	})

	t.Run("a pending turn is asked for again with the same turn id", func(t *testing.T) {
		b := top.For(t)
		const question = "Where is my parcel?"
		const reply = "Your parcel left our warehouse yesterday and arrives on Friday."
		api.script(question, script{reply: reply, quiet: true})
		typeAndSend(b, question)
		waitForReply(b, reply)

		attempts := api.turnAttempts(question)
		if len(attempts) < 2 {
			t.Fatalf("the page sent the turn %d times, want a retry after 202", len(attempts))
		}
		for _, id := range attempts[1:] {
			if id != attempts[0] {
				t.Fatalf("the retry used turn ids %q, want the same one each time", attempts)
			}
		}
		bubbles := transcript(b)
		exactlyOne(t, bubbles, "customer", question)
		exactlyOne(t, bubbles, "ai", reply)
	})

	t.Run("a network failure is retried with the same turn id", func(t *testing.T) {
		b := top.For(t)
		const question = "Can I pay cash on delivery?"
		const reply = "Yes, cash on delivery is available for orders up to 200 EUR."
		api.script(question, script{reply: reply, dropFirst: true})
		typeAndSend(b, question)
		waitForReply(b, reply)

		attempts := api.turnAttempts(question)
		if len(attempts) != 2 || attempts[0] != attempts[1] {
			t.Fatalf("turn ids sent = %q, want the same id twice", attempts)
		}
		bubbles := transcript(b)
		exactlyOne(t, bubbles, "customer", question)
		exactlyOne(t, bubbles, "ai", reply)
	})

	t.Run("an error is shown and the text is kept", func(t *testing.T) {
		tests := []struct {
			name        string
			text        string
			sc          script
			wantError   string
			wantInvalid bool
		}{
			{
				name: "problem detail",
				text: "Please read my whole story",
				sc: script{problem: &problem{Type: "https://attache.dev/problems/invalid-message", Title: "Invalid message",
					Status: 422, Detail: "Please keep your message under 2,000 characters.",
					Errors: []fieldError{{Field: "text", Reason: "too_long"}}}},
				wantError:   "Please keep your message under 2,000 characters.",
				wantInvalid: true,
			},
			{
				name:      "problem title only",
				text:      "Is anyone there?",
				sc:        script{problem: &problem{Title: "This conversation is closed.", Status: 403}},
				wantError: "This conversation is closed.",
			},
			{
				name:      "not a problem document",
				text:      "Hello again",
				sc:        script{rawError: http.StatusInternalServerError},
				wantError: "Your message could not be sent. Please try again.",
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b := top.For(t)
				api.script(tt.text, tt.sc)
				typeAndSend(b, tt.text)
				b.WaitFor(`document.getElementById('error').textContent !== ''`)
				if h := browser.Eval[float64](b, `document.getElementById('error').getBoundingClientRect().height`); h < 10 {
					t.Errorf("the error line is %.0f px high; want it visible", h)
				}

				if got := browser.Eval[string](b, `document.getElementById('error').textContent`); got != tt.wantError {
					t.Errorf("error line = %q, want %q", got, tt.wantError)
				}
				if got := browser.Eval[string](b, `document.querySelector('#composer textarea').value`); got != tt.text {
					t.Errorf("composer holds %q after the error, want the typed text %q", got, tt.text)
				}
				if got := find(transcript(b), "customer", tt.text); len(got) != 0 {
					t.Errorf("the rejected message is still shown as sent: %+v", got)
				}
				invalid := browser.Eval[bool](b, `document.querySelector('#composer textarea').getAttribute('aria-invalid') === 'true'`)
				if invalid != tt.wantInvalid {
					t.Errorf("textarea aria-invalid = %v, want %v", invalid, tt.wantInvalid)
				}
				if tt.name == "problem detail" {
					b.Screenshot("chat-error-1280")
				}
				browser.Eval[bool](b, `document.querySelector('#composer textarea').value = ''; true`)
			})
		}

		b := top.For(t)
		api.script("Thanks", script{reply: "You're welcome!"})
		typeAndSend(b, "Thanks")
		waitForReply(b, "You're welcome!")
		if msg := browser.Eval[string](b, `document.getElementById('error').textContent`); msg != "" {
			t.Errorf("the error line still says %q after a message was sent successfully", msg)
		}
	})

	t.Run("a handoff and a human agent's message arrive on the stream", func(t *testing.T) {
		b := top.For(t)
		api.push(convID, apiMsg{Author: "system", Handoff: true, Lang: "en",
			Text: "I'm passing you to our support team. Someone will reply within 10 minutes."})
		api.push(convID, apiMsg{Author: "human_agent", Lang: "en",
			Text: "Hi, this is Mia from the support team. Let me check that refund for you."})
		b.WaitFor(`document.querySelector('.msg[data-author="human_agent"]') !== null`)

		bubbles := transcript(b)
		handoff := exactlyOne(t, bubbles, "system", "I'm passing you to our support team. Someone will reply within 10 minutes.")
		if !handoff.Handoff {
			t.Errorf("the handoff note is not styled as a handoff: %+v", handoff)
		}
		agent := exactlyOne(t, bubbles, "human_agent", "Hi, this is Mia from the support team. Let me check that refund for you.")
		if agent.Badge != "" {
			t.Errorf("a human agent's message carries the AI badge %q", agent.Badge)
		}
	})

	t.Run("message text is shown as text, with links", func(t *testing.T) {
		b := top.For(t)
		const text = `<img src=x onerror="document.body.dataset.owned=1"> Returns: https://shop.example/returns?lang=en.`
		api.push(convID, apiMsg{Author: "ai", AIGenerated: true, Lang: "en", Text: text})
		b.WaitFor(fmt.Sprintf(`[...document.querySelectorAll('.msg .text')].some((e) => e.textContent === %s)`, js(text)))
		got := browser.Eval[map[string]string](b, `(() => {
			const el = [...document.querySelectorAll('.msg .text')].at(-1);
			const a = el.querySelector('a');
			return {img: String(el.querySelectorAll('img').length), owned: document.body.dataset.owned || '',
				href: a?.getAttribute('href') || '', rel: a?.rel || ''};
		})()`)
		want := map[string]string{"img": "0", "owned": "", "href": "https://shop.example/returns?lang=en", "rel": "noopener noreferrer"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
	})

	t.Run("layout on desktop and phone", func(t *testing.T) {
		b := top.For(t)
		for _, size := range []struct {
			name          string
			width, height int
			opts          []chromedp.EmulateViewportOption
		}{
			{name: "chat-1280", width: 1280, height: 800},
			{name: "chat-390", width: 390, height: 844, opts: []chromedp.EmulateViewportOption{chromedp.EmulateMobile}},
			{name: "chat-360", width: 360, height: 740, opts: []chromedp.EmulateViewportOption{chromedp.EmulateMobile}},
		} {
			b.SetViewport(size.width, size.height, size.opts...)
			b.WaitFor(fmt.Sprintf(`window.innerWidth === %d`, size.width))
			browser.Eval[bool](b, `{ const t = document.getElementById('transcript'); t.scrollTop = t.scrollHeight; } true`)
			if w := browser.Eval[int](b, `document.documentElement.scrollWidth`); w > size.width {
				t.Errorf("%s: the page is %d px wide, wider than the %d px screen", size.name, w, size.width)
			}
			box := browser.Eval[[]float64](b, `(() => {
				const r = document.getElementById('send').getBoundingClientRect();
				return [r.left, r.right, r.bottom];
			})()`)
			if box[0] < 0 || box[1] > float64(size.width) || box[2] > float64(size.height) {
				t.Errorf("%s: the send button at %v is off screen", size.name, box)
			}
			b.Screenshot(size.name)
		}
		b.SetViewport(1280, 800)
	})

	t.Run("the AI badge label follows the message language", func(t *testing.T) {
		b := top.For(t)
		samples := []struct{ lang, text, dir string }{
			{"en", "Your order ships today.", "ltr"},
			{"es", "Tu pedido se envía hoy.", "ltr"},
			{"de", "Ihre Bestellung wird heute versandt.", "ltr"},
			{"fr", "Votre commande part aujourd’hui.", "ltr"},
			{"pt-BR", "Seu pedido será enviado hoje.", "ltr"},
			{"ar", "سيتم شحن طلبك اليوم.", "rtl"},
			{"th", "คำสั่งซื้อของคุณจะจัดส่งวันนี้", "ltr"},
			{"vi", "Đơn hàng của bạn sẽ được gửi hôm nay.", "ltr"},
			{"id", "Pesanan Anda dikirim hari ini.", "ltr"},
			{"ja", "ご注文の商品は本日発送されます。", "ltr"},
			{"zh-Hans", "您的订单今天发货。", "ltr"},
		}
		for _, s := range samples {
			api.push(convID, apiMsg{Author: "ai", AIGenerated: true, Lang: s.lang, Text: s.text})
		}
		b.WaitFor(fmt.Sprintf(`[...document.querySelectorAll('.msg .text')].some((e) => e.textContent === %s)`,
			js(samples[len(samples)-1].text)))

		bubbles := transcript(b)
		labels := map[string]string{}
		for _, s := range samples {
			m := exactlyOne(t, bubbles, "ai", s.text)
			if m.Badge != "AI" || m.BadgeLabel == "" {
				t.Errorf("%s: badge %q labelled %q, want \"AI\" with a label", s.lang, m.Badge, m.BadgeLabel)
			}
			if m.Lang != s.lang || m.Dir != s.dir {
				t.Errorf("%s: lang=%q dir=%q, want %s, %s", s.lang, m.Lang, m.Dir, s.lang, s.dir)
			}
			if other, dup := labels[m.BadgeLabel]; dup {
				t.Errorf("%s and %s share the badge label %q; want one per language", other, s.lang, m.BadgeLabel)
			}
			labels[m.BadgeLabel] = s.lang
		}
	})

	t.Run("a reload shows the same conversation once", func(t *testing.T) {
		b := top.For(t)
		before := transcript(b)
		created := api.conversationsCreated()
		b.Do(chromedp.Reload())
		b.WaitFor(fmt.Sprintf(`document.querySelectorAll('#transcript .msg[data-id]').length >= %d`, len(before)))
		b.WaitFor(`!document.querySelector('#transcript .msg.pending')`)

		after := transcript(b)
		if len(after) != len(before) {
			t.Errorf("after a reload the transcript has %d messages, want %d", len(after), len(before))
		}
		seen := map[string]bool{}
		for i, m := range after {
			if seen[m.ID] {
				t.Errorf("message %s is shown twice after the reload", m.ID)
			}
			seen[m.ID] = true
			if i < len(before) && (m.ID != before[i].ID || m.Text != before[i].Text) {
				t.Errorf("message %d after the reload is %q (%s), want %q (%s)", i, m.Text, m.ID, before[i].Text, before[i].ID)
			}
		}
		if n := api.conversationsCreated(); n != created {
			t.Errorf("the reload created %d new conversations, want 0", n-created)
		}
	})

	t.Run("a stored conversation the server no longer has is replaced", func(t *testing.T) {
		b := top.For(t)
		created := api.conversationsCreated()
		browser.Eval[bool](b, `sessionStorage.setItem('attache.conversation', 'conv-erased'); true`)
		b.Do(chromedp.Reload())
		b.WaitFor(`(() => {
			const id = sessionStorage.getItem('attache.conversation');
			return id && id !== 'conv-erased' && document.querySelector('.msg[data-author="system"]');
		})()`)
		if n := api.conversationsCreated(); n != created+1 {
			t.Errorf("conversations created = %d, want one new", n-created)
		}
		if n := len(transcript(b)); n != 1 {
			t.Errorf("the new conversation shows %d messages, want just the disclosure", n)
		}
	})

	t.Run("the page speaks the browser's language", func(t *testing.T) {
		b := top.For(t)
		b.SetLanguage("ar-EG")
		browser.Eval[bool](b, `sessionStorage.clear(); true`)
		b.Do(chromedp.Reload())
		b.WaitFor(`document.querySelector('.msg[data-author="system"]') !== null`)
		got := browser.Eval[map[string]string](b, `({
			dir: document.documentElement.dir,
			lang: document.documentElement.lang,
			placeholder: document.querySelector('#composer textarea').placeholder,
			send: document.getElementById('send').getAttribute('aria-label'),
		})`)
		want := map[string]string{"dir": "rtl", "lang": "ar-EG", "placeholder": "اكتب رسالتك…", "send": "إرسال"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
		const reply = "سيتم شحن طلبك غدًا."
		api.script("متى يصل طلبي؟", script{reply: reply, lang: "ar"})
		typeAndSend(b, "متى يصل طلبي؟")
		waitForReply(b, reply)
		b.SetViewport(390, 844, chromedp.EmulateMobile)
		b.Screenshot("chat-390-ar")
		b.SetViewport(1280, 800)
		b.SetLanguage("en-US")
	})

	for _, m := range top.ScriptErrors() {
		t.Errorf("the page logged a script error: %s", m)
	}
}

// TestAnIdentityTokenInTheHashStartsAnIdentifiedConversation: a shop's logged-in page opens
// the chat with #identity_token=...; the page sends the token when it starts the
// conversation and removes it from the address.
func TestAnIdentityTokenInTheHashStartsAnIdentifiedConversation(t *testing.T) {
	api := newFakeAPI(t)
	srv := httptest.NewServer(api.handler())
	t.Cleanup(srv.Close)
	b := browser.New(t)
	b.Do(chromedp.Navigate(srv.URL + "/#identity_token=eyJ.signed.token"))
	b.WaitFor(`sessionStorage.getItem('attache.conversation') !== null`)
	api.mu.Lock()
	tokens := slices.Clone(api.identityTokens)
	api.mu.Unlock()
	if len(tokens) != 1 || tokens[0] != "eyJ.signed.token" {
		t.Fatalf("conversations created with tokens %q, want one with the page's token", tokens)
	}
	if h := browser.Eval[string](b, `location.hash`); h != "" {
		t.Fatalf("the address still holds %q", h)
	}
}
