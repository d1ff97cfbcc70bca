package web_test

import (
	"fmt"
	"io/fs"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/attache-dev/attache/internal/testutil/browser"
	"github.com/attache-dev/attache/web"
)

var (
	agentMia  = agentAccount{ID: "acc-mia", Name: "Mia"}
	agentLena = agentAccount{ID: "acc-lena", Name: "Lena"}
)

const (
	arCustomerText  = "وصلني الخلاط مكسورًا وأريد استرداد المبلغ."
	arCustomerEn    = "The blender arrived broken and I want my money back."
	arAIText        = "آسف لذلك. سأحوّلك إلى زميل ليوافق على الاسترداد."
	arAIEn          = "Sorry about that. I am passing you to a colleague to approve the refund."
	arSummary       = "Blender A-1042 arrived broken; the customer wants a refund of €282, which needs approval."
	agentReplyText  = "Your refund of €282 is approved."
	agentReplyForAr = "تمت الموافقة على استرداد 282 يورو."
)

// newAgentFake returns the fake API with an Arabic handoff (an Arabic transcript
// with English translations and a pending €282 refund) and a Spanish one.
func newAgentFake(t *testing.T) *fakeAgentAPI {
	api := newFakeAgentAPI(t, agentMia)
	now := time.Now().UTC()
	api.add(handoffJSON{
		ID: "h-ar", ConversationID: "conv-ar", Reason: "approval_needed", ReasonText: "Refund above the AI's limit",
		Team: "refunds", Language: "ar", Market: "AE", Priority: "high", Status: "queued",
		SLADueAt: now.Add(4 * time.Minute), CreatedAt: now.Add(-10 * time.Minute), Summary: arSummary, SummaryTranslated: true,
	}, handoffDetail{
		packet: map[string]any{
			"reason": "approval_needed", "reason_text": "Refund above the AI's limit",
			"customer": map[string]any{"name": "Layla Haddad", "email": "layla@example.com", "customer_id": "c-77"},
			"market":   "AE", "locale": "ar-AE", "language": "ar", "summary": arSummary, "summary_translated": true, "untranslated": false,
			"facts": map[string]any{
				"orders": []any{map[string]any{"id": "A-1042", "status": "delivered", "total": map[string]any{"amount": 282, "currency": "EUR"}}},
				"tool_calls": []any{
					map[string]any{"name": "lookup_order", "arguments": map[string]any{"order_id": "A-1042"}, "outcome": "ok", "key": "turn-1/lookup_order"},
					map[string]any{"name": "refund", "arguments": map[string]any{"order_id": "A-1042", "amount": 282}, "outcome": "needs_approval", "key": "turn-2/refund"},
				},
				"approvals_pending": []any{map[string]any{"key": "turn-2/refund", "tool": "refund", "amount": map[string]any{"amount": 282, "currency": "EUR"}}},
				"disclosed":         true,
			},
			"sentiment": map[string]any{"negative": true, "last_negative": true},
		},
		transcript: []map[string]any{
			{"id": "m1", "author": "customer", "text": arCustomerText, "lang": "ar", "translation": arCustomerEn, "translated": true, "created_at": now.Add(-12 * time.Minute)},
			{"id": "m2", "author": "ai", "text": arAIText, "lang": "ar", "translation": arAIEn, "translated": true, "created_at": now.Add(-11 * time.Minute)},
		},
		translate: map[string]string{agentReplyText: agentReplyForAr},
	}, approvalJSON{Key: "turn-2/refund", Tool: "refund", Arguments: map[string]any{"order_id": "A-1042"},
		Amount: map[string]any{"amount": 282, "currency": "EUR", "minor": 28200}, Since: now.Add(-10 * time.Minute)})
	api.add(handoffJSON{
		ID: "h-es", ConversationID: "conv-es", Reason: "customer_asked", ReasonText: "The customer asked for a person",
		Team: "support", Language: "es", Market: "MX", Priority: "normal", Status: "queued",
		SLADueAt: now.Add(25 * time.Minute), CreatedAt: now.Add(-3 * time.Minute),
		Summary: "The customer asks whether a gift order can be rerouted.", SummaryTranslated: true,
	}, handoffDetail{
		packet: map[string]any{"reason": "customer_asked", "language": "es", "summary": "The customer asks whether a gift order can be rerouted.", "summary_translated": true},
		transcript: []map[string]any{
			{"id": "m9", "author": "customer", "text": "¿Puedo cambiar la dirección de un regalo?", "lang": "es",
				"translation": "Can I change the address of a gift?", "translated": true, "created_at": now.Add(-4 * time.Minute)},
		},
	})
	return api
}

// queueItem is what an agent sees of one queue entry.
type queueItem struct {
	ID        string `json:"id"`
	Reason    string `json:"reason"`
	SLA       string `json:"sla"`
	Overdue   bool   `json:"overdue"`
	Escalated bool   `json:"escalated"`
	Badges    string `json:"badges"`
	Claim     bool   `json:"claim"`
	Current   bool   `json:"current"`
}

const queueJS = `[...document.querySelectorAll('#queue li')].map((li) => ({
	id: li.dataset.id,
	reason: li.querySelector('.reason')?.textContent ?? '',
	sla: li.querySelector('.sla')?.textContent ?? '',
	overdue: li.querySelector('.sla')?.classList.contains('overdue') ?? false,
	escalated: !!li.querySelector('.badge.escalated'),
	badges: li.querySelector('.badges')?.textContent ?? '',
	claim: !!li.querySelector('button.claim'),
	current: li.querySelector('button.item')?.getAttribute('aria-current') === 'true',
}))`

func queue(b *browser.Browser) []queueItem { return browser.Eval[[]queueItem](b, queueJS) }

func queueIDs(items []queueItem) []string {
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

var countdownRE = regexp.MustCompile(`^\d{2}:\d{2}$`)

func TestAgentConsoleInBrowser(t *testing.T) {
	api := newAgentFake(t)
	srv := httptest.NewServer(api.handler())
	t.Cleanup(srv.Close)

	top := browser.New(t)
	top.Do(chromedp.Navigate(srv.URL + "/console/agent"))
	top.WaitFor(`document.querySelectorAll('#queue li').length === 2 && document.querySelector('#queue .sla').textContent !== ''`)

	t.Run("the queue shows both handoffs with a live SLA countdown", func(t *testing.T) {
		b := top.For(t)
		items := queue(b)
		if got := queueIDs(items); !slices.Equal(got, []string{"h-ar", "h-es"}) {
			t.Fatalf("queue = %v, want h-ar (due first) then h-es", got)
		}
		for _, it := range items {
			if !countdownRE.MatchString(it.SLA) || it.Overdue {
				t.Errorf("%s: SLA %q (overdue %v), want a mm:ss countdown that is not overdue", it.ID, it.SLA, it.Overdue)
			}
			if !it.Claim {
				t.Errorf("%s has no Claim button", it.ID)
			}
		}
		if items[0].Reason != "Refund above the AI's limit" || items[0].Badges == "" {
			t.Errorf("first item reason %q badges %q, want the reason text and language/market badges", items[0].Reason, items[0].Badges)
		}
		b.WaitFor(fmt.Sprintf(`document.querySelector('#queue li[data-id="h-ar"] .sla').textContent !== %s`, js(items[0].SLA)))
	})

	t.Run("events add an escalated handoff at the top and change it", func(t *testing.T) {
		b := top.For(t)
		now := time.Now().UTC()
		// Due after the other two: it comes first because it is escalated.
		de := handoffJSON{ID: "h-de", ConversationID: "conv-de", Reason: "negative_sentiment", ReasonText: "The customer is upset",
			Language: "de", Market: "DE", Status: "queued", Escalated: true,
			SLADueAt: now.Add(40 * time.Minute), CreatedAt: now.Add(-20 * time.Minute), Summary: "Late delivery, second complaint."}
		api.publish(de)
		b.WaitFor(`document.querySelectorAll('#queue li').length === 3`)
		items := queue(b)
		if got := queueIDs(items); !slices.Equal(got, []string{"h-de", "h-ar", "h-es"}) {
			t.Fatalf("queue = %v, want the escalated h-de first", got)
		}
		if !items[0].Escalated || items[0].Overdue || !countdownRE.MatchString(items[0].SLA) {
			t.Errorf("h-de: escalated badge %v, overdue %v, SLA %q; want an escalated badge and a countdown on time",
				items[0].Escalated, items[0].Overdue, items[0].SLA)
		}

		de.SLADueAt = now.Add(-90 * time.Second)
		api.publish(de)
		b.WaitFor(`document.querySelector('#queue li[data-id="h-de"] .sla').textContent.startsWith('overdue')`)
		if got := queue(b); len(got) != 3 || !got[0].Overdue {
			t.Errorf("after the SLA moved, queue = %+v, want 3 items with h-de overdue", got)
		}
		colors := browser.Eval[[]string](b, `['h-de', 'h-ar'].map((id) =>
			getComputedStyle(document.querySelector('#queue li[data-id="' + id + '"] .sla')).color)`)
		if colors[0] == colors[1] {
			t.Errorf("the overdue countdown has the same colour (%s) as one on time", colors[0])
		}
	})

	t.Run("claiming opens the conversation; a lost race shows who has it", func(t *testing.T) {
		b := top.For(t)
		b.Do(chromedp.Click(chromedp.CSS(`#queue li[data-id="h-ar"] button.claim`)))
		b.WaitFor(`document.getElementById('conv-heading').textContent === "Refund above the AI's limit" &&
			document.getElementById('conv-meta').textContent.includes('claimed by you')`)
		if got := queueIDs(queue(b)); !slices.Equal(got, []string{"h-ar", "h-de", "h-es"}) {
			t.Errorf("queue = %v, want the handoff claimed by me first", got)
		}

		api.takeQuietly("h-es", agentLena)
		b.Do(chromedp.Click(chromedp.CSS(`#queue li[data-id="h-es"] button.claim`)))
		b.WaitFor(`document.getElementById('queue-status').textContent === 'Claimed by Lena.'`)
		b.WaitFor(`document.querySelector('#queue li[data-id="h-es"] .badges').textContent.includes('claimed by Lena')`)
		if browser.Eval[bool](b, `document.getElementById('queue-status').classList.contains('error')`) != true {
			t.Error("the 409 detail is not shown as an error")
		}
		if h := browser.Eval[string](b, `document.getElementById('conv-heading').textContent`); h != "Refund above the AI's limit" {
			t.Errorf("after the lost claim the view shows %q, want the Arabic handoff still", h)
		}
		actions, _, _, _ := api.recorded()
		if !slices.Equal(actions, []string{"claim h-ar", "claim h-es"}) {
			t.Errorf("actions posted = %q, want both claims", actions)
		}
	})

	t.Run("packet and transcript: summary, Arabic original right to left beside its translation", func(t *testing.T) {
		b := top.For(t)
		b.WaitFor(`document.querySelectorAll('#agent-transcript .amsg').length === 2`)
		got := browser.Eval[map[string]string](b, `(() => {
			const m = document.querySelector('#agent-transcript .amsg[data-author="customer"]');
			const o = m.querySelector('.original'), tr = m.querySelector('.translation');
			return {
				summary: document.getElementById('packet-summary').textContent,
				untranslatedHidden: String(getComputedStyle(document.getElementById('summary-mark')).display === 'none'),
				who: m.querySelector('.who').textContent,
				aiWho: document.querySelector('#agent-transcript .amsg[data-author="ai"] .who').textContent,
				original: o.textContent, originalLang: o.lang, originalDir: getComputedStyle(o).direction, originalAttr: o.getAttribute('dir'),
				translation: tr.textContent, translationLang: tr.lang, translationDir: getComputedStyle(tr).direction,
				sideBySide: String(Math.abs(o.getBoundingClientRect().top - tr.getBoundingClientRect().top) < 2),
				toolKey: document.querySelector('#tool-calls tr[data-key="turn-2/refund"] .outcome')?.textContent ?? '',
				customer: document.getElementById('packet-customer').textContent,
			};
		})()`)
		want := map[string]string{
			"summary": arSummary, "untranslatedHidden": "true", "who": "Customer", "aiWho": "AI",
			"original": arCustomerText, "originalLang": "ar", "originalDir": "rtl", "originalAttr": "auto",
			"translation": arCustomerEn, "translationLang": "en", "translationDir": "ltr", "sideBySide": "true",
			"toolKey": "needs_approval",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
		if !regexp.MustCompile(`Layla Haddad`).MatchString(got["customer"]) {
			t.Errorf("customer facts %q lack the customer's name", got["customer"])
		}
		b.Screenshot("agent-1280")
	})

	t.Run("approving the pending refund posts approve:true", func(t *testing.T) {
		b := top.For(t)
		sel := `#approvals li[data-key="turn-2/refund"]`
		b.WaitFor(fmt.Sprintf(`document.querySelector(%s)?.querySelector('.amount').textContent.includes('282')`, js(sel)))
		b.Do(chromedp.Click(chromedp.CSS(sel + " button.approve")))
		b.WaitFor(`document.getElementById('approval-status').textContent.includes('executed')`)
		b.WaitFor(fmt.Sprintf(`!document.querySelector(%s)`, js(sel)))
		_, decisions, _, _ := api.recorded()
		if len(decisions) != 1 || decisions[0] != (approvalDecision{Conversation: "conv-ar", Key: "turn-2/refund", Approve: true}) {
			t.Errorf("decisions posted = %+v, want one approval of turn-2/refund in conv-ar", decisions)
		}
	})

	t.Run("Ctrl+Enter sends a reply, shown as mine and translated", func(t *testing.T) {
		b := top.For(t)
		b.Do(chromedp.SendKeys(chromedp.CSS("#reply"), agentReplyText), browser.Press(kb.Enter, chromedp.ModifierCtrl))
		b.WaitFor(`document.querySelector('#agent-transcript .amsg[data-who="you"]') !== null`)
		_, _, replies, _ := api.recorded()
		if len(replies) != 1 || replies[0].Handoff != "h-ar" || replies[0].Text != agentReplyText ||
			!regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(replies[0].TurnID) {
			t.Fatalf("replies posted = %+v, want one with the text and a UUID turn_id", replies)
		}
		got := browser.Eval[map[string]string](b, `(() => {
			const m = document.querySelector('#agent-transcript .amsg[data-who="you"]');
			return {who: m.querySelector('.who').textContent, delivery: m.querySelector('.delivery').textContent,
				sent: m.querySelector('.original').textContent, sentLang: m.querySelector('.original').lang,
				sentDir: getComputedStyle(m.querySelector('.original')).direction,
				mine: m.querySelector('.translation').textContent, box: document.getElementById('reply').value};
		})()`)
		browser.Eval[bool](b, `document.querySelector('#agent-transcript .amsg[data-who="you"]').scrollIntoView({block: 'center'}); true`)
		b.Screenshot("agent-1280-reply")
		want := map[string]string{"who": "You", "delivery": "translated to ar", "sent": agentReplyForAr, "sentLang": "ar",
			"sentDir": "rtl", "mine": agentReplyText, "box": ""}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
	})

	t.Run("an internal note is added", func(t *testing.T) {
		b := top.For(t)
		const note = "Refund approved; customer was polite about the delay."
		b.Do(chromedp.SendKeys(chromedp.CSS("#note"), note), chromedp.Click(chromedp.CSS("#note-add")))
		b.WaitFor(fmt.Sprintf(`[...document.querySelectorAll('#notes .note p')].some((p) => p.textContent === %s)`, js(note)))
		if _, _, _, notes := api.recorded(); !slices.Equal(notes, []string{note}) {
			t.Errorf("notes posted = %q, want %q", notes, note)
		}
	})

	t.Run("handing back to the AI", func(t *testing.T) {
		b := top.For(t)
		b.Do(chromedp.Click(chromedp.CSS("#conv-handback")))
		b.WaitFor(`document.getElementById('conv-status').textContent.startsWith('Handed back')`)
		b.WaitFor(`!document.querySelector('#queue li[data-id="h-ar"]')`)
		actions, _, _, _ := api.recorded()
		if actions[len(actions)-1] != "handback h-ar" {
			t.Errorf("last action = %q, want handback h-ar", actions[len(actions)-1])
		}
		if !browser.Eval[bool](b, `document.getElementById('reply').disabled`) {
			t.Error("the reply box still accepts text after the hand-back")
		}
	})

	t.Run("keyboard only: Tab reaches the first queue item, arrows move, Enter opens", func(t *testing.T) {
		b := top.For(t)
		b.Do(chromedp.Reload())
		b.WaitFor(`document.querySelectorAll('#queue li').length === 2`)
		b.Do(browser.Press(kb.Tab))
		focus := browser.Eval[map[string]string](b, `({id: document.activeElement.closest('#queue li')?.dataset.id ?? '',
			cls: document.activeElement.className, visible: String(document.activeElement.matches(':focus-visible')),
			outline: getComputedStyle(document.activeElement).outlineStyle})`)
		if focus["id"] != "h-de" || focus["cls"] != "item" {
			t.Fatalf("after one Tab the focus is on %v, want the first queue item (h-de)", focus)
		}
		if focus["visible"] != "true" || focus["outline"] == "none" {
			t.Errorf("the focused queue item shows no focus ring: %v", focus)
		}
		b.Do(browser.Press(kb.Enter))
		b.WaitFor(`document.getElementById('conv-heading').textContent === 'The customer is upset'`)
		if !queue(b)[0].Current {
			t.Error("the opened queue item is not marked aria-current")
		}
		b.Do(browser.Press(kb.ArrowDown))
		if id := browser.Eval[string](b, `document.activeElement.closest('#queue li')?.dataset.id ?? ''`); id != "h-es" {
			t.Errorf("ArrowDown moved the focus to %q, want h-es", id)
		}
		b.Do(browser.Press(kb.Enter))
		b.WaitFor(`document.getElementById('conv-heading').textContent === 'The customer asked for a person'`)
	})

	for _, m := range top.ScriptErrors() {
		t.Errorf("the page logged a script error: %s", m)
	}
}

// TestAgentConsoleSendsSignedOutAgentsToSignIn: without a session the page goes to
// the sign-in page and asks to come back.
func TestAgentConsoleSendsSignedOutAgentsToSignIn(t *testing.T) {
	api := newAgentFake(t)
	api.signedOut = true
	srv := httptest.NewServer(api.handler())
	t.Cleanup(srv.Close)
	b := browser.New(t)
	b.Do(chromedp.Navigate(srv.URL + "/console/agent?handoff=h-ar"))
	b.WaitFor(`location.pathname === '/login'`)
	if got := browser.Eval[string](b, `new URLSearchParams(location.search).get('next')`); got != "/console/agent?handoff=h-ar" {
		t.Errorf("next = %q, want the agent console with its query", got)
	}
}

// The agent console loads only embedded files from /static/ and nothing from
// another origin: staff networks may have no internet.
func TestAgentPageLoadsEmbeddedAssetsOnly(t *testing.T) {
	src, err := fs.ReadFile(web.Assets(), "agent.html")
	if err != nil {
		t.Fatalf("agent.html is not embedded: %v", err)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(refs) < 5 {
		t.Fatalf("agent.html references %d files, want its icon, three stylesheets and its script", len(refs))
	}
	for _, m := range refs {
		ref := m[1]
		if !strings.HasPrefix(ref, "/static/") {
			t.Errorf("agent.html loads %q, not from /static/", ref)
			continue
		}
		if _, err := fs.Stat(web.Assets(), strings.TrimPrefix(ref, "/static/")); err != nil {
			t.Errorf("agent.html loads %q, which is not embedded: %v", ref, err)
		}
	}
	for _, name := range []string{"agent.html", "agent.js", "agent.css"} {
		b, err := fs.ReadFile(web.Assets(), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, bad := range []string{"://", "@import", "url("} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s contains %q: the page must not load anything from another origin", name, bad)
			}
		}
	}
}
