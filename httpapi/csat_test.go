package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/evals/analytics"
)

// knownConversations knows a few conversation IDs; the real store is tested in
// conversation/pgstore.
type knownConversations struct {
	conversations
	ids map[string]bool
}

func (k knownConversations) Get(_ context.Context, id string) (conversation.Conversation, error) {
	if !k.ids[id] {
		return conversation.Conversation{}, conversation.ErrNotFound
	}
	return conversation.Conversation{ID: id, Channel: "web", Status: conversation.StatusOpen}, nil
}

// memCSAT keeps answers in memory with the store's contract (one per conversation, the
// same answer again is not an error); analytics.CSATStore is tested on PostgreSQL.
type memCSAT struct {
	mu      sync.Mutex
	answers map[string]analytics.CSATResponse
}

func (m *memCSAT) Record(_ context.Context, r analytics.CSATResponse) (analytics.CSATResponse, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.Comment = strings.ReplaceAll(strings.TrimSpace(r.Comment), "anna@example.com", "[email]")
	if prev, ok := m.answers[r.ConversationID]; ok {
		if prev.Score != r.Score || prev.Comment != r.Comment {
			return prev, false, analytics.ErrAnswered
		}
		return prev, false, nil
	}
	r.CreatedAt = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	m.answers[r.ConversationID] = r
	return r, true, nil
}

func (m *memCSAT) Get(_ context.Context, id string) (analytics.CSATResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.answers[id]; ok {
		return r, nil
	}
	return analytics.CSATResponse{}, analytics.ErrNotFound
}

func TestCSATAnswersAndProblems(t *testing.T) {
	const conv, other = "0196a0a0-0000-7000-8000-0000000000c1", "0196a0a0-0000-7000-8000-0000000000c2"
	api := New(Config{Logger: quietLogger(), Conversations: knownConversations{ids: map[string]bool{conv: true, other: true}},
		CSAT: &memCSAT{answers: map[string]analytics.CSATResponse{}}})
	long := `{"score": 3, "comment": "` + strings.Repeat("é", analytics.MaxCommentChars+1) + `"}`
	steps := []struct {
		name, method, conv, body string
		status                   int
		field                    string // the problem's field
		check                    func(t *testing.T, body map[string]any)
	}{
		{name: "not answered yet", method: "GET", conv: conv, status: 200, check: func(t *testing.T, b map[string]any) {
			if b["answered"] != false {
				t.Errorf("answered = %v, want false", b["answered"])
			}
		}},
		{name: "score 0", method: "POST", conv: conv, body: `{"score": 0}`, status: 422, field: "score"},
		{name: "score 6", method: "POST", conv: conv, body: `{"score": 6}`, status: 422, field: "score"},
		{name: "no score", method: "POST", conv: conv, body: `{"comment": "ok"}`, status: 422, field: "score"},
		{name: "comment too long", method: "POST", conv: conv, body: long, status: 422, field: "comment"},
		{name: "a score as text", method: "POST", conv: conv, body: `{"score": "5"}`, status: 400},
		{name: "unknown field", method: "POST", conv: conv, body: `{"score": 5, "stars": 5}`, status: 400},
		{name: "unknown conversation", method: "POST", conv: "0196a0a0-0000-7000-8000-0000000000ff", body: `{"score": 5}`, status: 404},
		{name: "unknown conversation, read", method: "GET", conv: "0196a0a0-0000-7000-8000-0000000000ff", status: 404},
		{name: "answered", method: "POST", conv: conv, body: `{"score": 4, "comment": "Quick. Write to anna@example.com"}`, status: 201,
			check: func(t *testing.T, b map[string]any) {
				if b["score"] != 4.0 || b["comment"] != "Quick. Write to [email]" || b["answered"] != true {
					t.Errorf("answer = %v, want score 4 and the redacted comment", b)
				}
			}},
		{name: "the same answer again (a retry)", method: "POST", conv: conv, body: `{"score": 4, "comment": "Quick. Write to anna@example.com"}`, status: 200},
		{name: "another answer", method: "POST", conv: conv, body: `{"score": 1}`, status: 409},
		{name: "read back", method: "GET", conv: conv, status: 200, check: func(t *testing.T, b map[string]any) {
			if b["answered"] != true || b["score"] != 4.0 {
				t.Errorf("answer = %v, want the score 4", b)
			}
		}},
		{name: "another conversation is its own", method: "POST", conv: other, body: `{"score": 2}`, status: 201},
	}
	for _, s := range steps {
		req := httptest.NewRequest(s.method, "/v1/conversations/"+s.conv+"/csat", strings.NewReader(s.body))
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != s.status {
			t.Errorf("%s: %d %s, want %d", s.name, rec.Code, rec.Body, s.status)
			continue
		}
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Errorf("%s: not JSON: %s", s.name, rec.Body)
			continue
		}
		if s.status >= 400 {
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s: Content-Type %q, want problem JSON", s.name, ct)
			}
		}
		if s.field != "" {
			errs, _ := body["errors"].([]any)
			if len(errs) != 1 || errs[0].(map[string]any)["field"] != s.field {
				t.Errorf("%s: errors %v, want one naming %q", s.name, body["errors"], s.field)
			}
		}
		if s.check != nil {
			s.check(t, body)
		}
	}
}

func TestCSATRoutesAreOnlyServedWithAStore(t *testing.T) {
	api := New(Config{Logger: quietLogger(), Conversations: knownConversations{}})
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/conversations/x/csat", strings.NewReader(`{"score": 5}`)))
	if rec.Code != http.StatusNotFound {
		t.Errorf("without a CSAT store: %d, want 404", rec.Code)
	}
}
