package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/attache-dev/attache/web"
)

// fakeAPI serves the page and an in-memory copy of the public chat API that
// the page speaks (conversations, messages, server-sent events), with
// replies scripted by the customer's text. It exists to drive the page in a
// browser apart from the real server; the end-to-end test runs the same
// page against the real one.
type fakeAPI struct {
	t          testing.TB
	tokenDelay time.Duration

	mu             sync.Mutex
	nextID         int
	convs          map[string]*fakeConversation
	created        int                 // conversations created
	identityTokens []string            // the identity_token of each conversation created, "" for none
	attempts       map[string][]string // customer text -> turn_id of each POST
	scripts        map[string]script   // customer text -> behaviour

	running sync.WaitGroup
	stop    chan struct{}
}

// script is what the fake server does with one customer text.
type script struct {
	reply     string   // the AI's reply, streamed word by word as tokens
	lang      string   // language of the reply; "en" when empty
	byMessage bool     // token events carry message_id
	after     []apiMsg // messages that follow the reply (handoff, human agent)
	problem   *problem // answer with this error instead
	rawError  int      // answer with this status and a non-JSON body instead
	quiet     bool     // first POST answers 202 and nothing reaches the event stream
	dropFirst bool     // the first POST's connection is closed without an answer
}

type problem struct {
	Type   string       `json:"type,omitempty"`
	Title  string       `json:"title,omitempty"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []fieldError `json:"errors,omitempty"`
}

type fieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// apiMsg is the Message JSON of the API contract.
type apiMsg struct {
	ID             string    `json:"id"`
	Seq            int       `json:"seq"`
	ConversationID string    `json:"conversation_id"`
	TurnID         string    `json:"turn_id,omitempty"`
	Author         string    `json:"author"`
	Text           string    `json:"text"`
	Lang           string    `json:"lang"`
	AIGenerated    bool      `json:"ai_generated"`
	Intent         string    `json:"intent,omitempty"`
	Handoff        bool      `json:"handoff,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

type fakeConversation struct {
	id, locale string
	createdAt  time.Time
	messages   []apiMsg
	turns      map[string]*fakeTurn
	events     eventLog // events for open streams
}

type fakeTurn struct {
	done     chan struct{}
	messages []apiMsg // the customer's message and the replies
}

type sseEvent struct {
	name string
	id   int // the message's seq; 0 for events without one
	data any
}

const disclosure = "You are chatting with an AI assistant. You can ask for a person at any time."

func newFakeAPI(t testing.TB) *fakeAPI {
	a := &fakeAPI{
		t:          t,
		tokenDelay: 40 * time.Millisecond,
		convs:      map[string]*fakeConversation{},
		attempts:   map[string][]string{},
		scripts:    map[string]script{},
		stop:       make(chan struct{}),
	}
	t.Cleanup(func() {
		close(a.stop)
		a.running.Wait()
	})
	return a
}

func (a *fakeAPI) script(text string, s script) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.scripts[text] = s
}

func (a *fakeAPI) handler() http.Handler {
	mux := http.NewServeMux()
	assets := http.FileServerFS(web.Assets())
	mux.Handle("GET /{$}", assets)
	mux.Handle("GET /static/", http.StripPrefix("/static/", assets))
	mux.HandleFunc("POST /v1/conversations", a.createConversation)
	mux.HandleFunc("GET /v1/conversations/{id}", a.getConversation)
	mux.HandleFunc("POST /v1/conversations/{id}/messages", a.postMessage)
	mux.HandleFunc("GET /v1/conversations/{id}/events", a.events)
	return mux
}

// ---- state, called with a.mu held -------------------------------------------

func (a *fakeAPI) newID(prefix string) string {
	a.nextID++
	return fmt.Sprintf("%s-%d", prefix, a.nextID)
}

func (a *fakeAPI) appendMessage(c *fakeConversation, m apiMsg, publish bool) apiMsg {
	if m.ID == "" {
		m.ID = a.newID("msg")
	}
	m.Seq = len(c.messages) + 1
	m.ConversationID = c.id
	m.CreatedAt = time.Now().UTC()
	c.messages = append(c.messages, m)
	if publish {
		c.publish(sseEvent{name: "message", id: m.Seq, data: m})
	}
	return m
}

func (c *fakeConversation) publish(ev sseEvent) { c.events.add(ev) }

// push adds a message that no customer turn caused (a human agent's, say)
// and sends it on the event stream only.
func (a *fakeAPI) push(convID string, m apiMsg) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.convs[convID]
	if c == nil {
		a.t.Errorf("push to unknown conversation %q", convID)
		return
	}
	a.appendMessage(c, m, true)
}

func (a *fakeAPI) turnAttempts(text string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.attempts[text]...)
}

func (a *fakeAPI) conversationsCreated() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.created
}

// ---- handlers -----------------------------------------------------------------

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeProblem(w http.ResponseWriter, p problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

var notFound = problem{Type: "about:blank", Title: "Not Found", Status: http.StatusNotFound, Detail: "This conversation does not exist."}

func (a *fakeAPI) createConversation(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Locale        string `json:"locale"`
		IdentityToken string `json:"identity_token"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeProblem(w, problem{Title: "Bad Request", Status: http.StatusBadRequest, Detail: "The body is not JSON."})
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	c := &fakeConversation{
		id:        a.newID("conv"),
		locale:    in.Locale,
		createdAt: time.Now().UTC(),
		turns:     map[string]*fakeTurn{},
		events:    newEventLog(),
	}
	a.convs[c.id] = c
	a.created++
	a.identityTokens = append(a.identityTokens, in.IdentityToken)
	a.appendMessage(c, apiMsg{Author: "system", Text: disclosure, Lang: "en"}, true)
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": c.id, "status": "open", "locale": c.locale, "created_at": c.createdAt,
	})
}

func (a *fakeAPI) getConversation(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.convs[r.PathValue("id")]
	if c == nil {
		writeProblem(w, notFound)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": c.id, "status": "open", "locale": c.locale, "created_at": c.createdAt,
		"messages": append([]apiMsg{}, c.messages...),
	})
}

func (a *fakeAPI) postMessage(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text   string `json:"text"`
		Locale string `json:"locale"`
		TurnID string `json:"turn_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.TurnID == "" || strings.TrimSpace(in.Text) == "" {
		writeProblem(w, problem{Title: "Invalid message", Status: http.StatusUnprocessableEntity,
			Detail: "A message needs text and a turn_id.", Errors: []fieldError{{Field: "text", Reason: "required"}}})
		return
	}

	a.mu.Lock()
	c := a.convs[r.PathValue("id")]
	if c == nil {
		a.mu.Unlock()
		writeProblem(w, notFound)
		return
	}
	a.attempts[in.Text] = append(a.attempts[in.Text], in.TurnID)
	attempt := len(a.attempts[in.Text])
	sc, ok := a.scripts[in.Text]
	if !ok {
		sc = script{reply: "Thanks for your message. How else can I help?"}
	}
	switch {
	case sc.problem != nil:
		a.mu.Unlock()
		writeProblem(w, *sc.problem)
		return
	case sc.rawError != 0:
		a.mu.Unlock()
		http.Error(w, "upstream exploded", sc.rawError)
		return
	case sc.dropFirst && attempt == 1:
		a.mu.Unlock()
		// A network failure as the browser sees it: no response at all.
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			a.t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
		return
	}
	tr := c.turns[in.TurnID]
	if tr == nil {
		tr = &fakeTurn{done: make(chan struct{})}
		c.turns[in.TurnID] = tr
		customer := a.appendMessage(c, apiMsg{
			TurnID: in.TurnID, Author: "customer", Text: in.Text, Lang: guessLang(in.Text, in.Locale),
		}, !sc.quiet)
		tr.messages = append(tr.messages, customer)
		a.running.Add(1)
		go a.runTurn(c, tr, in.TurnID, sc)
	}
	a.mu.Unlock()

	if sc.quiet && attempt == 1 {
		writeJSON(w, http.StatusAccepted, map[string]string{"turn_id": in.TurnID, "status": "pending"})
		return
	}
	select {
	case <-tr.done:
		a.mu.Lock()
		msgs := append([]apiMsg{}, tr.messages...)
		a.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"turn_id": in.TurnID, "messages": msgs})
	case <-time.After(5 * time.Second):
		writeJSON(w, http.StatusAccepted, map[string]string{"turn_id": in.TurnID, "status": "pending"})
	}
}

// runTurn streams the scripted reply as tokens, then stores it.
func (a *fakeAPI) runTurn(c *fakeConversation, tr *fakeTurn, turnID string, sc script) {
	defer a.running.Done()
	defer close(tr.done)
	lang := sc.lang
	if lang == "" {
		lang = "en"
	}
	a.mu.Lock()
	replyID := a.newID("msg")
	if !sc.quiet {
		c.publish(sseEvent{name: "turn", data: map[string]string{"turn_id": turnID, "state": "started"}})
	}
	a.mu.Unlock()

	for _, word := range strings.SplitAfter(sc.reply, " ") {
		select {
		case <-time.After(a.tokenDelay):
		case <-a.stop:
			return
		}
		if sc.quiet {
			continue
		}
		token := map[string]string{"turn_id": turnID, "delta": word}
		if sc.byMessage {
			token["message_id"] = replyID
		}
		a.mu.Lock()
		c.publish(sseEvent{name: "token", data: token})
		a.mu.Unlock()
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	// The final message has the id that its tokens announced.
	reply := a.appendMessage(c, apiMsg{ID: replyID, TurnID: turnID, Author: "ai", Text: sc.reply,
		Lang: lang, AIGenerated: true, Intent: "greeting"}, false)
	if !sc.quiet {
		c.publish(sseEvent{name: "message", id: reply.Seq, data: reply})
	}
	tr.messages = append(tr.messages, reply)
	for _, m := range sc.after {
		m.TurnID = turnID
		tr.messages = append(tr.messages, a.appendMessage(c, m, !sc.quiet))
	}
	if !sc.quiet {
		c.publish(sseEvent{name: "turn", data: map[string]string{"turn_id": turnID, "state": "completed"}})
	}
}

func (a *fakeAPI) events(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	c := a.convs[r.PathValue("id")]
	if c == nil {
		a.mu.Unlock()
		writeProblem(w, notFound)
		return
	}
	var backlog []sseEvent
	if last, err := strconv.Atoi(r.Header.Get("Last-Event-ID")); err == nil {
		for _, m := range c.messages {
			if m.Seq > last {
				backlog = append(backlog, sseEvent{name: "message", id: m.Seq, data: m})
			}
		}
	}
	next := len(c.events.events)
	a.mu.Unlock()
	c.events.stream(a.t, w, r, &a.mu, a.stop, backlog, next)
}

// guessLang labels a customer's message the way the real server's language
// detection would for the scripts used here.
func guessLang(text, locale string) string {
	for _, r := range text {
		if unicode.Is(unicode.Arabic, r) {
			return "ar"
		}
	}
	if base, _, _ := strings.Cut(locale, "-"); base != "" {
		return base
	}
	return "en"
}
