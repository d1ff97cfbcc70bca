package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-dev/attache/web"
)

// fakeAgentAPI serves the agent console page and an in-memory copy of the staff
// handoff API it speaks (queue, event stream, claim and the other actions,
// packet and transcript, approvals, replies and notes), and records what the
// page posted. It exists to drive the page in a browser apart from the real
// server.
type fakeAgentAPI struct {
	t         testing.TB
	me        agentAccount
	signedOut bool // every API call answers 401

	mu        sync.Mutex
	handoffs  map[string]*handoffJSON
	details   map[string]handoffDetail
	approvals map[string][]approvalJSON // conversation id -> pending approvals
	takenBy   map[string]agentAccount   // handoff id -> who claimed it without telling the page
	actions   []string                  // "claim h-ar", "handback h-ar", ...
	decisions []approvalDecision
	replies   []agentReply
	notes     []string
	feed      eventLog // handoff events for open streams
	nextID    int

	stop chan struct{}
	wg   sync.WaitGroup
}

type agentAccount struct{ ID, Name string }

// handoffJSON is the H of the API contract.
type handoffJSON struct {
	ID                string    `json:"id"`
	ConversationID    string    `json:"conversation_id"`
	Reason            string    `json:"reason"`
	ReasonText        string    `json:"reason_text"`
	Team              string    `json:"team"`
	Language          string    `json:"language"`
	Market            string    `json:"market"`
	Priority          string    `json:"priority"`
	Status            string    `json:"status"`
	ClaimedBy         string    `json:"claimed_by"`
	ClaimedByName     string    `json:"claimed_by_name"`
	SLADueAt          time.Time `json:"sla_due_at"`
	Escalated         bool      `json:"escalated"`
	CreatedAt         time.Time `json:"created_at"`
	Summary           string    `json:"summary"`
	SummaryTranslated bool      `json:"summary_translated"`
}

// handoffDetail is the rest of GET /v1/handoffs/{id}: packet, transcript and
// notes, kept as generic JSON values.
type handoffDetail struct {
	packet     map[string]any
	transcript []map[string]any
	notes      []map[string]any
	// translate maps an agent's reply to the text the customer receives; a
	// reply not in it is sent untranslated.
	translate map[string]string
}

type approvalJSON struct {
	Key       string         `json:"key"`
	Tool      string         `json:"tool"`
	Arguments map[string]any `json:"arguments"`
	Amount    map[string]any `json:"amount"`
	Since     time.Time      `json:"since"`
}

type approvalDecision struct {
	Conversation, Key string
	Approve           bool
	Note              string
}

type agentReply struct {
	Handoff, Text, TurnID string
}

func newFakeAgentAPI(t testing.TB, me agentAccount) *fakeAgentAPI {
	a := &fakeAgentAPI{
		t:         t,
		me:        me,
		handoffs:  map[string]*handoffJSON{},
		details:   map[string]handoffDetail{},
		approvals: map[string][]approvalJSON{},
		takenBy:   map[string]agentAccount{},
		feed:      newEventLog(),
		stop:      make(chan struct{}),
	}
	t.Cleanup(func() {
		close(a.stop)
		a.wg.Wait()
	})
	return a
}

func (a *fakeAgentAPI) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>Sign in</title><p>Sign in")
	})
	assets := http.FileServerFS(web.Assets())
	mux.Handle("GET /static/", http.StripPrefix("/static/", assets))
	mux.HandleFunc("GET /console/agent", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, web.Assets(), "agent.html")
	})
	mux.HandleFunc("GET /v1/auth/me", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"id": a.me.ID, "email": "mia@shop.example", "name": a.me.Name,
			"role": "agent", "languages": []string{"en"}, "via": "session"})
	})
	mux.HandleFunc("GET /v1/handoffs", a.list)
	mux.HandleFunc("GET /v1/handoffs/events", a.events)
	mux.HandleFunc("GET /v1/handoffs/{id}", a.get)
	for _, act := range []string{"claim", "release", "resolve", "handback"} {
		mux.HandleFunc("POST /v1/handoffs/{id}/"+act, func(w http.ResponseWriter, r *http.Request) { a.act(w, r, act) })
	}
	mux.HandleFunc("POST /v1/handoffs/{id}/messages", a.reply)
	mux.HandleFunc("POST /v1/handoffs/{id}/notes", a.note)
	mux.HandleFunc("GET /v1/conversations/{id}/approvals", a.listApprovals)
	mux.HandleFunc("POST /v1/conversations/{id}/approvals/{key}", a.decide)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.signedOut && strings.HasPrefix(r.URL.Path, "/v1/") {
			writeProblem(w, problem{Title: "Unauthorized", Status: http.StatusUnauthorized, Detail: "Sign in to continue."})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// ---- set-up and inspection, for tests -------------------------------------------

func (a *fakeAgentAPI) add(h handoffJSON, d handoffDetail, approvals ...approvalJSON) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.handoffs[h.ID] = &h
	a.details[h.ID] = d
	a.approvals[h.ConversationID] = approvals
}

// publish adds or changes a handoff and sends it on the event stream.
func (a *fakeAgentAPI) publish(h handoffJSON) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.details[h.ID]; !ok {
		a.details[h.ID] = handoffDetail{packet: map[string]any{"summary": h.Summary}}
	}
	a.handoffs[h.ID] = &h
	a.publishLocked(h)
}

func (a *fakeAgentAPI) publishLocked(h handoffJSON) { a.feed.add(sseEvent{name: "handoff", data: h}) }

// takeQuietly makes another agent the owner of a handoff without an event, as
// when two agents claim at once: the page learns of it from the 409.
func (a *fakeAgentAPI) takeQuietly(id string, by agentAccount) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.takenBy[id] = by
}

func (a *fakeAgentAPI) recorded() (actions []string, decisions []approvalDecision, replies []agentReply, notes []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.actions), slices.Clone(a.decisions), slices.Clone(a.replies), slices.Clone(a.notes)
}

// ---- handlers ------------------------------------------------------------------

func (a *fakeAgentAPI) list(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("status") != "open" {
		writeProblem(w, problem{Title: "Bad Request", Status: http.StatusBadRequest, Detail: "status must be open"})
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	out := []handoffJSON{}
	for _, h := range a.handoffs {
		if h.Status == "queued" || h.Status == "claimed" {
			out = append(out, *h)
		}
	}
	// The server's order is not the page's: the page sorts.
	slices.SortFunc(out, func(x, y handoffJSON) int { return x.CreatedAt.Compare(y.CreatedAt) })
	writeJSON(w, http.StatusOK, map[string]any{"handoffs": out})
}

func (a *fakeAgentAPI) get(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	h, ok := a.handoffs[r.PathValue("id")]
	if !ok {
		writeProblem(w, problem{Title: "Not Found", Status: http.StatusNotFound, Detail: "No such handoff."})
		return
	}
	d := a.details[h.ID]
	writeJSON(w, http.StatusOK, map[string]any{"handoff": h, "packet": d.packet,
		"transcript": nonNil(d.transcript), "notes": nonNil(d.notes)})
}

func nonNil(s []map[string]any) []map[string]any {
	if s == nil {
		return []map[string]any{}
	}
	return s
}

func (a *fakeAgentAPI) act(w http.ResponseWriter, r *http.Request, act string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id := r.PathValue("id")
	h, ok := a.handoffs[id]
	if !ok {
		writeProblem(w, problem{Title: "Not Found", Status: http.StatusNotFound, Detail: "No such handoff."})
		return
	}
	a.actions = append(a.actions, act+" "+id)
	if by, taken := a.takenBy[id]; taken {
		h.Status, h.ClaimedBy, h.ClaimedByName = "claimed", by.ID, by.Name
	}
	if h.ClaimedBy != "" && h.ClaimedBy != a.me.ID {
		writeProblem(w, problem{Title: "Conflict", Status: http.StatusConflict, Detail: fmt.Sprintf("Claimed by %s.", h.ClaimedByName)})
		return
	}
	switch act {
	case "claim":
		h.Status, h.ClaimedBy, h.ClaimedByName = "claimed", a.me.ID, a.me.Name
	case "release":
		h.Status, h.ClaimedBy, h.ClaimedByName = "queued", "", ""
	case "resolve":
		h.Status = "resolved"
	case "handback":
		h.Status = "handed_back"
	}
	a.publishLocked(*h)
	writeJSON(w, http.StatusOK, h)
}

func (a *fakeAgentAPI) reply(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text   string `json:"text"`
		TurnID string `json:"turn_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Text == "" || in.TurnID == "" {
		writeProblem(w, problem{Title: "Invalid message", Status: http.StatusUnprocessableEntity, Detail: "A reply needs text and a turn_id."})
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	id := r.PathValue("id")
	h, ok := a.handoffs[id]
	if !ok || h.ClaimedBy != a.me.ID {
		writeProblem(w, problem{Title: "Conflict", Status: http.StatusConflict, Detail: "Claim the conversation before you reply."})
		return
	}
	a.replies = append(a.replies, agentReply{Handoff: id, Text: in.Text, TurnID: in.TurnID})
	a.nextID++
	msg := map[string]any{"id": fmt.Sprintf("msg-agent-%d", a.nextID), "original": in.Text, "text": in.Text, "translated": false, "lang": "en"}
	if tr, ok := a.details[id].translate[in.Text]; ok {
		msg["text"], msg["translated"], msg["lang"] = tr, true, h.Language
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": msg})
}

func (a *fakeAgentAPI) note(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == "" {
		writeProblem(w, problem{Title: "Invalid note", Status: http.StatusUnprocessableEntity, Detail: "A note needs a body."})
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.notes = append(a.notes, in.Body)
	writeJSON(w, http.StatusCreated, map[string]any{"author": a.me.Name, "body": in.Body, "created_at": time.Now().UTC()})
}

func (a *fakeAgentAPI) listApprovals(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := append([]approvalJSON{}, a.approvals[r.PathValue("id")]...)
	writeJSON(w, http.StatusOK, map[string]any{"approvals": out})
}

func (a *fakeAgentAPI) decide(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Approve *bool  `json:"approve"`
		Note    string `json:"note"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Approve == nil {
		writeProblem(w, problem{Title: "Invalid decision", Status: http.StatusUnprocessableEntity, Detail: "approve must be true or false."})
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	conv, key := r.PathValue("id"), r.PathValue("key")
	i := slices.IndexFunc(a.approvals[conv], func(p approvalJSON) bool { return p.Key == key })
	if i < 0 {
		writeProblem(w, problem{Title: "Not Found", Status: http.StatusNotFound, Detail: "Nothing waits for this approval."})
		return
	}
	p := a.approvals[conv][i]
	a.approvals[conv] = slices.Delete(a.approvals[conv], i, i+1)
	a.decisions = append(a.decisions, approvalDecision{Conversation: conv, Key: key, Approve: *in.Approve, Note: in.Note})
	outcome := "denied"
	if *in.Approve {
		outcome = "executed"
	}
	writeJSON(w, http.StatusOK, map[string]any{"key": key, "outcome": outcome, "verified": true,
		"amount": p.Amount, "message_ids": []string{"msg-refund-1"}})
}

func (a *fakeAgentAPI) events(w http.ResponseWriter, r *http.Request) {
	a.wg.Add(1)
	defer a.wg.Done()
	a.mu.Lock()
	next := len(a.feed.events)
	a.mu.Unlock()
	a.feed.stream(a.t, w, r, &a.mu, a.stop, nil, next)
}
