package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/attache-dev/attache/internal/testutil/browser"
)

// surveyAPI is the fake chat API with the post-chat survey's route: it keeps each
// conversation's answer and refuses a second one, as the real server does.
type surveyAPI struct {
	*fakeAPI
	mu      sync.Mutex
	answers map[string]csatAnswer
	posts   int
}

type csatAnswer struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

func newSurveyAPI(t *testing.T) *surveyAPI {
	return &surveyAPI{fakeAPI: newFakeAPI(t), answers: map[string]csatAnswer{}}
}

func (s *surveyAPI) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/conversations/{id}/csat", s.postCSAT)
	mux.Handle("/", s.fakeAPI.handler())
	return mux
}

func (s *surveyAPI) postCSAT(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.fakeAPI.mu.Lock()
	known := s.fakeAPI.convs[id] != nil
	s.fakeAPI.mu.Unlock()
	if !known {
		writeProblem(w, notFound)
		return
	}
	var a csatAnswer
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil || a.Score < 1 || a.Score > 5 {
		writeProblem(w, problem{Title: "Invalid request", Status: http.StatusUnprocessableEntity,
			Errors: []fieldError{{Field: "score", Reason: "between 1 and 5"}}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts++
	if _, dup := s.answers[id]; dup {
		writeProblem(w, problem{Title: "Already answered", Status: http.StatusConflict})
		return
	}
	s.answers[id] = a
	writeJSON(w, http.StatusCreated, map[string]any{"conversation_id": id, "answered": true, "score": a.Score, "comment": a.Comment})
}

func (s *surveyAPI) answer(id string) (csatAnswer, bool, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.answers[id]
	return a, ok, s.posts
}

const surveyShown = `!document.getElementById('survey').hidden && !document.getElementById('survey-form').hidden`

func TestSurveyInBrowser(t *testing.T) {
	api := newSurveyAPI(t)
	srv := httptest.NewServer(api.handler())
	t.Cleanup(srv.Close)

	top := browser.New(t)
	top.Do(chromedp.Navigate(srv.URL))
	top.WaitFor(`sessionStorage.getItem('attache.conversation') !== null`)
	convID := browser.Eval[string](top, `sessionStorage.getItem('attache.conversation')`)

	t.Run("asked after a reply when the customer is idle, answered with the keyboard", func(t *testing.T) {
		b := top.For(t)
		if browser.Eval[bool](b, `!document.getElementById('survey').hidden || !document.getElementById('end-chat').hidden`) {
			t.Fatal("the survey or the end-chat button shows before anyone replied")
		}
		browser.Eval[bool](b, `document.querySelector('main.chat').dataset.surveyIdleSeconds = '0.3'; true`)
		typeAndSend(b, "Where is my order?")
		waitForReply(b, "Thanks for your message. How else can I help?")
		b.WaitFor(surveyShown)
		if got := browser.Eval[string](b, `document.getElementById('survey-title').textContent`); got != "How did we do?" {
			t.Errorf("survey title %q", got)
		}
		if browser.Eval[bool](b, `document.getElementById('survey-send').disabled`) == false {
			t.Error("Send is enabled before a score is chosen")
		}
		// Arrow keys move through the scores; Tab reaches the comment, then Send.
		browser.Eval[bool](b, `document.querySelector('#survey input[value="1"]').focus(); true`)
		b.Do(browser.Press(kb.ArrowRight), browser.Press(kb.ArrowRight), browser.Press(kb.ArrowRight))
		b.Screenshot("survey-1280")
		b.Do(browser.Press(kb.Tab))
		b.Do(chromedp.SendKeys(chromedp.CSS("#survey-comment"), "Quick and friendly"), browser.Press(kb.Tab), browser.Press(kb.Enter))
		b.WaitFor(`!document.getElementById('survey-thanks').hidden`)
		b.Screenshot("survey-thanks-1280")

		a, ok, _ := api.answer(convID)
		if !ok || a != (csatAnswer{Score: 4, Comment: "Quick and friendly"}) {
			t.Fatalf("the server got %+v (answered %v), want score 4 with the comment", a, ok)
		}
		if got := browser.Eval[string](b, `localStorage.getItem('attache.csat.' + sessionStorage.getItem('attache.conversation'))`); got != "answered" {
			t.Errorf("localStorage remembers %q, want answered", got)
		}
	})

	t.Run("not asked again in the same conversation", func(t *testing.T) {
		b := top.For(t)
		b.Do(chromedp.Reload())
		b.WaitFor(`document.querySelectorAll('#transcript .msg[data-author="ai"]').length > 0`)
		browser.Eval[bool](b, `document.querySelector('main.chat').dataset.surveyIdleSeconds = '0.1'; true`)
		api.push(convID, apiMsg{Author: "ai", AIGenerated: true, Lang: "en", Text: "Anything else?"})
		waitForReply(b, "Anything else?")
		time.Sleep(600 * time.Millisecond) // six times the idle wait
		if browser.Eval[bool](b, surveyShown) {
			t.Error("the survey is asked again after it was answered")
		}
		if _, _, posts := api.answer(convID); posts != 1 {
			t.Errorf("%d answers posted, want 1", posts)
		}
	})

	t.Run("ending the chat asks, then starts afresh", func(t *testing.T) {
		b := top.For(t)
		if browser.Eval[bool](b, `document.getElementById('end-chat').hidden`) {
			t.Fatal("no end-chat button after replies")
		}
		// This conversation's survey is answered: ending forgets it at once.
		b.Do(chromedp.Click("#end-chat"))
		b.WaitFor(`sessionStorage.getItem('attache.conversation') === null && !document.querySelector('#transcript .msg[data-seq]')`)

		created := api.conversationsCreated()
		typeAndSend(b, "Hello again")
		waitForReply(b, "Thanks for your message. How else can I help?")
		if n := api.conversationsCreated(); n != created+1 {
			t.Fatalf("conversations created = %d, want one new", n-created)
		}
		second := browser.Eval[string](b, `sessionStorage.getItem('attache.conversation')`)
		b.Do(chromedp.Click("#end-chat"))
		b.WaitFor(surveyShown + ` && document.activeElement === document.querySelector('#survey input[value="1"]')`)
		b.Do(browser.Press(kb.ArrowRight), browser.Press(kb.Enter))
		b.WaitFor(`!document.getElementById('survey-thanks').hidden && sessionStorage.getItem('attache.conversation') === null`)
		if a, ok, _ := api.answer(second); !ok || a.Score != 2 || a.Comment != "" {
			t.Errorf("the second conversation's answer is %+v (%v), want score 2", a, ok)
		}
	})

	t.Run("the survey speaks the customer's language, right to left", func(t *testing.T) {
		b := top.For(t)
		b.SetLanguage("ar-EG")
		browser.Eval[bool](b, `sessionStorage.clear(); true`)
		b.Do(chromedp.Reload())
		b.WaitFor(`sessionStorage.getItem('attache.conversation') !== null`)
		browser.Eval[bool](b, `document.querySelector('main.chat').dataset.surveyIdleSeconds = '0.2'; true`)
		typeAndSend(b, "شكرا")
		waitForReply(b, "Thanks for your message. How else can I help?")
		b.WaitFor(surveyShown)
		got := browser.Eval[map[string]string](b, `({
			dir: getComputedStyle(document.getElementById('survey')).direction,
			title: document.getElementById('survey-title').textContent,
			send: document.getElementById('survey-send').textContent,
			five: document.querySelector('#survey input[value="5"]').parentElement.querySelector('.visually-hidden').textContent,
			end: document.getElementById('end-chat').textContent,
		})`)
		want := map[string]string{"dir": "rtl", "title": "ما تقييمك لخدمتنا؟", "send": "إرسال", "five": "جيد جدًا", "end": "إنهاء المحادثة"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
		b.SetViewport(390, 844, chromedp.EmulateMobile)
		b.Screenshot("survey-390-ar")
		b.SetViewport(1280, 800)
		// "Not now" puts it away for this conversation.
		b.Do(chromedp.Click("#survey-close"))
		b.WaitFor(`document.getElementById('survey').hidden`)
		if got := browser.Eval[string](b, `localStorage.getItem('attache.csat.' + sessionStorage.getItem('attache.conversation'))`); got != "later" {
			t.Errorf("after Not now localStorage holds %q, want later", got)
		}
		b.SetLanguage("en-US")
	})

	for _, m := range top.ScriptErrors() {
		t.Errorf("the page logged a script error: %s", m)
	}
}
