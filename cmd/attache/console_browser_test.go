package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attache-dev/attache/internal/testutil/browser"
)

// passageRow is one row of the console's "Test as a customer" table.
type passageRow struct {
	ExternalID, Locale, Text string
}

const passageRowsJS = `[...document.querySelectorAll('#test-results tbody tr.passage')].map((r) => ({
	ExternalID: r.dataset.externalId, Locale: r.dataset.locale, Text: r.querySelector('td.text').textContent,
}))`

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestConsoleEditsATranslationAndTheTestBoxSeesIt drives the knowledge console in headless
// Chromium against the real service: a staff member edits the Spanish translation of an
// article, and what a Spanish-speaking customer's question retrieves changes; editing the
// English source marks the translation stale until it is saved again.
func TestConsoleEditsATranslationAndTheTestBoxSeesIt(t *testing.T) {
	s := stack(t)
	c := apiClient{t: t, base: s.http.URL(), token: s.admin.Token}
	// An article of this test's own, so that the demo content other tests rely on stays as it is.
	id := fmt.Sprintf("console-surf-%d", time.Now().UnixNano())
	jsonl := fmt.Sprintf(`{"external_id":%[1]q,"locale":"en","title":"Returning sports gear","body":"## Window\n\nYou can return unused items within 30 days."}
{"external_id":%[1]q,"locale":"es","title":"Devolver material deportivo","body":"## Plazo\n\nPuedes devolver los artículos sin usar en un plazo de 30 días.","source_locale":"en"}
`, id)
	if code, _, b := c.do("POST", "/v1/knowledge/import?format=jsonl&name=console.jsonl", jsonl); code != 200 || !strings.Contains(string(b), `"created":2`) {
		t.Fatalf("import: %d %s", code, b)
	}
	const (
		question = "¿Puedo devolver una tabla de surf?"
		sentence = "Las devoluciones de tablas de surf se aceptan durante 90 días."
	)

	b := browser.New(t, browser.WindowSize(1400, 1000))
	// Not signed in, the console sends the staff member to sign in, then back.
	b.Do(chromedp.Navigate(s.http.URL() + "/console/knowledge"))
	b.WaitFor(`location.pathname === '/login' && document.getElementById('login-form') !== null`)
	password, err := os.ReadFile(s.admin.PasswordFile)
	if err != nil {
		t.Fatal(err)
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("#login-email"), s.admin.Email), chromedp.SendKeys(chromedp.CSS("#login-password"), "wrong password!"),
		chromedp.Click(chromedp.CSS("#login-submit")))
	b.WaitFor(`document.getElementById('login-status').classList.contains('error')`)
	b.Do(chromedp.SetValue(chromedp.CSS("#login-password"), strings.TrimSpace(string(password))), chromedp.Click(chromedp.CSS("#login-submit")))
	b.WaitFor(`location.pathname === '/console/knowledge' && document.querySelectorAll('#article-list li').length > 0`)
	listItem := `#article-list li[data-external-id=` + jsString(id) + `]`
	b.Do(chromedp.SendKeys(chromedp.CSS("#article-search"), id))
	b.WaitFor(`document.querySelectorAll('#article-list li').length === 1 && document.querySelector(` + jsString(listItem) + `)`)
	b.Do(chromedp.Click(chromedp.CSS(listItem + " button")))
	b.WaitFor(`document.getElementById('translation-locale').value === 'es' && document.getElementById('translation-body').value.includes('30 días')`)
	if src := browser.Eval[string](b, `document.getElementById('source-body').value`); !strings.Contains(src, "30 days") {
		t.Fatalf("the source pane shows %q, want the English source", src)
	}

	ask := func() []passageRow {
		t.Helper()
		browser.Eval[bool](b, `document.querySelector('#test-results tbody').replaceChildren(), true`)
		b.Do(chromedp.SetValue(chromedp.CSS("#test-query"), question), chromedp.SetValue(chromedp.CSS("#test-locale"), "es"),
			chromedp.Click(chromedp.CSS("#test-run")))
		b.WaitFor(`document.getElementById('test-status').textContent.endsWith('.') && !document.getElementById('test-status').textContent.startsWith('Retrieving')`)
		return browser.Eval[[]passageRow](b, passageRowsJS)
	}
	before := ask()
	for _, p := range before {
		if strings.Contains(p.Text, sentence) {
			t.Fatalf("before the edit a passage already says %q: %+v", sentence, p)
		}
	}

	// Edit the Spanish translation with the keyboard, at the end of its text, and save.
	browser.Eval[bool](b, `(() => { const t = document.getElementById('translation-body'); t.focus(); t.setSelectionRange(t.value.length, t.value.length); return true; })()`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#translation-body"), " "+sentence),
		chromedp.Click(chromedp.CSS("#translation-save")))
	b.WaitFor(`document.getElementById('save-status').textContent.includes('Saved as version 2')`)
	// The history lists both versions, newest first, the edit recorded as the signed-in admin's.
	b.WaitFor(`document.querySelectorAll('#history tbody tr').length === 2`)
	if top := browser.Eval[string](b, `document.querySelector('#history tbody tr').textContent`); !strings.HasPrefix(top, "2") || !strings.Contains(top, s.admin.Email) {
		t.Errorf("the newest history entry reads %q, want version 2 by %s", top, s.admin.Email)
	}

	after := ask()
	if len(after) == 0 || after[0].ExternalID != id || after[0].Locale != "es" || !strings.Contains(after[0].Text, sentence) {
		t.Fatalf("after the edit the top passage is %+v, want %s in es with %q; before: %+v", after, id, sentence, before)
	}

	// Editing the English source makes the Spanish translation stale, in the list too.
	staleBadge := listItem + ` .badge.stale[data-locale="es"]`
	if browser.Eval[bool](b, `!!document.querySelector(`+jsString(staleBadge)+`)`) {
		t.Fatal("the translation is stale before its source changed")
	}
	choose := func(value string) {
		t.Helper()
		browser.Eval[bool](b, `(() => { const s = document.getElementById('translation-locale'); s.value = `+jsString(value)+
			`; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
		b.WaitFor(`document.getElementById('translation-title').lang === ` + jsString(value))
	}
	choose("en")
	b.Do(chromedp.SetValue(chromedp.CSS("#translation-body"), "## Window\n\nYou can return unused items within 90 days."),
		chromedp.Click(chromedp.CSS("#translation-save")))
	b.WaitFor(`document.getElementById('save-status').textContent.includes('Saved as version 2')`)
	b.WaitFor(`!!document.querySelector(` + jsString(staleBadge) + `)`)
	b.Do(chromedp.Click(chromedp.CSS("#stale-only")))
	b.WaitFor(`document.querySelectorAll('#article-list li').length === 1 && !!document.querySelector(` + jsString(listItem) + `)`)

	choose("es")
	b.WaitFor(`!!document.getElementById('translation-stale')`)
	if dir := browser.Eval[string](b, `document.getElementById('translation-body').dir`); dir != "ltr" {
		t.Errorf("the Spanish text area is %q, want ltr", dir)
	}
	b.Screenshot("console-editor")
	browser.Eval[bool](b, `document.getElementById('test-results').scrollIntoView(), true`)
	b.Screenshot("console-knowledge")

	// Saving the translation against the new source clears the badge.
	b.Do(chromedp.SetValue(chromedp.CSS("#translation-body"), "## Plazo\n\nPuedes devolver los artículos sin usar en un plazo de 90 días. "+sentence),
		chromedp.Click(chromedp.CSS("#translation-save")))
	b.WaitFor(`document.getElementById('save-status').textContent.includes('Saved as version 3')`)
	b.WaitFor(`!document.querySelector(` + jsString(staleBadge) + `) && !document.getElementById('translation-stale')`)

	// The source changes again; a reviewer finds the translation still right and says so.
	choose("en")
	b.Do(chromedp.SetValue(chromedp.CSS("#translation-body"), "## Window\n\nYou can return unused items within 90 days of delivery."),
		chromedp.Click(chromedp.CSS("#translation-save")))
	b.WaitFor(`document.getElementById('save-status').textContent.includes('Saved as version 3')`)
	choose("es")
	b.WaitFor(`!!document.getElementById('translation-reviewed')`)
	b.Do(chromedp.Click(chromedp.CSS("#translation-reviewed")))
	b.WaitFor(`document.getElementById('save-status').textContent.includes('reviewed') && !document.getElementById('translation-stale')`)
	b.WaitFor(`!document.querySelector(` + jsString(staleBadge) + `)`)
	if body := browser.Eval[string](b, `document.getElementById('translation-body').value`); !strings.Contains(body, sentence) {
		t.Errorf("marking as reviewed changed the text: %q", body)
	}

	if errs := b.ScriptErrors(); len(errs) > 0 {
		t.Errorf("the page logged script errors: %+v", errs)
	}
}
