package main

// End-to-end tests: the whole service on the embedded default — the real Temporal server
// in-process, PGlite over the wire, the worker, the API — driven over HTTP.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/internal/testutil/syncbuf"
)

var (
	sharedOnce  sync.Once
	sharedStack *devStack
	sharedErr   error
)

// stack returns the dev stack shared by the tests of this package, started on first use
// with its data in a temporary directory.
func stack(t testing.TB) *devStack {
	t.Helper()
	sharedOnce.Do(func() {
		cfg, err := config.Load(envMap(map[string]string{
			"ATTACHE_HTTP_ADDR":       "127.0.0.1:0",
			"ATTACHE_DATA_DIR":        tempDirForPackage(),
			"ATTACHE_TURN_WAIT":       "20s",
			"ATTACHE_IDENTITY_SECRET": testIdentitySecret,
			"ATTACHE_EVAL_SETS":       "../../evals/sets",
			// The suites make many requests from one address; the limits have their own tests.
			"ATTACHE_RATE_LIMIT_IP":           "0",
			"ATTACHE_RATE_LIMIT_CONVERSATION": "0",
		}), config.ModeDev)
		if err != nil {
			sharedErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		logger := slog.New(slog.NewJSONHandler(io.MultiWriter(&stackLogs, testLogSink()), &slog.HandlerOptions{Level: slog.LevelDebug}))
		sharedStack, sharedErr = startDev(ctx, cfg, logger)
		if sharedErr == nil {
			_, sharedErr = seedKnowledge(ctx, sharedStack.kb, logger)
		}
		if sharedErr == nil {
			sharedErr = seedShop(ctx, cfg, sharedStack.pool, logger)
		}
	})
	if sharedErr != nil {
		t.Fatalf("start the embedded stack: %v", sharedErr)
	}
	return sharedStack
}

// testIdentitySecret signs the identity tokens of the tests (the shared stack's secret).
const testIdentitySecret = "test-identity-secret-0123456789abcdef"

// stackLogs holds everything the shared stack logged, at debug level.
var stackLogs syncbuf.Buffer

// testLogSink shows the stack's logs when ATTACHE_TEST_LOG=1.
func testLogSink() io.Writer {
	if os.Getenv("ATTACHE_TEST_LOG") == "1" {
		return os.Stderr
	}
	return io.Discard
}

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

type apiClient struct {
	t     testing.TB
	base  string
	token string // a staff API key sent as a bearer token; "" for none (the widget)
}

// as returns the client sending token as its staff credentials.
func (c apiClient) as(token string) apiClient {
	c.token = token
	return c
}

// staffAPI is a client of the shared stack authenticated as its dev admin.
func staffAPI(t testing.TB) apiClient {
	s := stack(t)
	return apiClient{t: t, base: s.http.URL(), token: s.admin.Token}
}

func (c apiClient) do(method, path string, body any, header ...string) (int, http.Header, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, out
}

type message struct {
	ID          string `json:"id"`
	Seq         int64  `json:"seq"`
	TurnID      string `json:"turn_id"`
	Author      string `json:"author"`
	Text        string `json:"text"`
	Lang        string `json:"lang"`
	Intent      string `json:"intent"`
	AIGenerated bool   `json:"ai_generated"`
	Handoff     bool   `json:"handoff"`
}

type turn struct {
	TurnID   string    `json:"turn_id"`
	Status   string    `json:"status"`
	Handoff  bool      `json:"handoff"`
	Messages []message `json:"messages"`
}

func (c apiClient) newConversation(locale string) string {
	c.t.Helper()
	code, _, b := c.do("POST", "/v1/conversations", map[string]string{"locale": locale})
	if code != http.StatusCreated {
		c.t.Fatalf("create conversation: %d %s", code, b)
	}
	var out struct{ ID string }
	_ = json.Unmarshal(b, &out)
	return out.ID
}

func (c apiClient) send(conv, turnID, text, locale string) turn {
	c.t.Helper()
	code, _, b := c.do("POST", "/v1/conversations/"+conv+"/messages", map[string]string{"text": text, "locale": locale, "turn_id": turnID})
	if code != http.StatusOK {
		c.t.Fatalf("send %q: %d %s", text, code, b)
	}
	var tr turn
	if err := json.Unmarshal(b, &tr); err != nil {
		c.t.Fatal(err)
	}
	return tr
}

func (c apiClient) transcript(conv string) []message {
	c.t.Helper()
	code, _, b := c.do("GET", "/v1/conversations/"+conv, nil)
	if code != http.StatusOK {
		c.t.Fatalf("transcript: %d %s", code, b)
	}
	var out struct{ Messages []message }
	_ = json.Unmarshal(b, &out)
	return out.Messages
}

// reply returns the AI's reply of a turn: the message after the customer's. A handoff turn
// may end with a second AI message, the off-hours notice (when no team is on shift now).
func reply(t *testing.T, tr turn) message {
	t.Helper()
	n := len(tr.Messages)
	offHours := n == 3 && tr.Messages[2].Author == "ai" && tr.Messages[2].Handoff
	if (n != 2 && !offHours) || tr.Messages[0].Author != "customer" || tr.Messages[1].Author != "ai" {
		t.Fatalf("turn %s: want the customer's message and an AI reply, got %+v", tr.TurnID, tr.Messages)
	}
	return tr.Messages[1]
}

func TestConversationAnswersInTheCustomersLanguage(t *testing.T) {
	c := apiClient{t: t, base: stack(t).http.URL()}
	conv := c.newConversation("en-US")

	hello := reply(t, c.send(conv, "t-hello", "Hello", "en-US"))
	if hello.Lang != "en" || !hello.AIGenerated || hello.Intent != "greeting" {
		t.Fatalf("reply to Hello: %+v", hello)
	}
	if !strings.Contains(strings.ToLower(hello.Text), "ai") {
		t.Errorf("first AI message does not disclose it is an AI: %q", hello.Text)
	}

	where := reply(t, c.send(conv, "t-where", "¿Dónde está mi pedido?", "en-US"))
	if where.Lang != "es" || where.Intent != "track_order" || where.Handoff {
		t.Fatalf("reply to ¿Dónde está mi pedido?: %+v", where)
	}
	if !strings.Contains(strings.ToLower(where.Text), "pedido") {
		t.Errorf("Spanish reply does not ask about the order: %q", where.Text)
	}

	// The slot is filled on the next turn: the engine remembers it asked for an order number,
	// and before it reads an order it asks who is asking — still in Spanish.
	num := reply(t, c.send(conv, "t-number", "W2378156", "en-US"))
	if num.Lang != "es" || num.Handoff || num.Intent != "track_order" || !strings.Contains(num.Text, "W2378156") ||
		!strings.Contains(num.Text, "correo") {
		t.Fatalf("reply to the order number: %+v, want a Spanish question for the e-mail address of that order", num)
	}
	person := reply(t, c.send(conv, "t-person", "Prefiero hablar con una persona", "en-US"))
	if person.Lang != "es" || !person.Handoff {
		t.Fatalf("reply to the request for a person: %+v", person)
	}
	// A human now holds the floor: the AI stays silent.
	after := c.send(conv, "t-after", "¿Hola?", "en-US")
	if len(after.Messages) != 1 || !after.Handoff {
		t.Fatalf("after a handoff the AI must not answer: %+v", after)
	}
	code, _, b := c.do("GET", "/v1/conversations/"+conv, nil)
	if code != 200 || !bytes.Contains(b, []byte(`"status":"handoff"`)) {
		t.Fatalf("conversation after handoff: %d %s", code, b)
	}
}

// The demo shop answers the README's first example: who is asking, then where the parcel is.
func TestDemoCustomerTracksAnOrderAfterProvingWhoSheIs(t *testing.T) {
	c := apiClient{t: t, base: stack(t).http.URL()}
	conv := c.newConversation("de-DE")
	ask := reply(t, c.send(conv, "t-where", "Wo ist meine Bestellung DE-10001?", "de-DE"))
	if ask.Lang != "de" || ask.Handoff || !strings.Contains(ask.Text, "DE-10001") || !strings.Contains(ask.Text, "E-Mail") {
		t.Fatalf("reply to the order question: %+v, want a German question for the e-mail address", ask)
	}
	wrong := reply(t, c.send(conv, "t-wrong", "jemand@example.com", "de-DE"))
	if wrong.Handoff || strings.Contains(wrong.Text, "DHL") {
		t.Fatalf("a wrong e-mail address got: %+v", wrong)
	}
	status := reply(t, c.send(conv, "t-email", "lena.schmidt@example.com", "de-DE"))
	if status.Lang != "de" || status.Handoff || status.Intent != "track_order" || !strings.Contains(status.Text, "DE-10001") ||
		!strings.Contains(status.Text, "DHL") {
		t.Fatalf("reply after the right e-mail address: %+v, want the parcel's status in German", status)
	}
}

func TestRetriedTurnReturnsTheSameReplyAndStoresNothingTwice(t *testing.T) {
	c := apiClient{t: t, base: stack(t).http.URL()}
	conv := c.newConversation("de-DE")
	first := c.send(conv, "turn-1", "Hallo, wo ist meine Bestellung?", "de-DE")
	for range 3 {
		again := c.send(conv, "turn-1", "Hallo, wo ist meine Bestellung?", "de-DE")
		if again.Messages[1].ID != first.Messages[1].ID || again.Messages[1].Text != first.Messages[1].Text {
			t.Fatalf("retry got a different reply: %+v vs %+v", again.Messages, first.Messages)
		}
	}
	// The Idempotency-Key header works the same way.
	code, _, b := c.do("POST", "/v1/conversations/"+conv+"/messages", map[string]string{"text": "Danke"}, "Idempotency-Key", "turn-2")
	code2, _, b2 := c.do("POST", "/v1/conversations/"+conv+"/messages", map[string]string{"text": "Danke"}, "Idempotency-Key", "turn-2")
	if code != 200 || code2 != 200 || !bytes.Equal(b, b2) {
		t.Fatalf("Idempotency-Key retry: %d %s / %d %s", code, b, code2, b2)
	}
	if n := len(c.transcript(conv)); n != 4 {
		t.Fatalf("transcript has %d messages, want 4 (two turns, each once)", n)
	}
}

func TestConcurrentDuplicatesOfOneTurnRunItOnce(t *testing.T) {
	c := apiClient{t: t, base: stack(t).http.URL()}
	conv := c.newConversation("fr-FR")
	var wg sync.WaitGroup
	replies := make([]string, 6)
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := c.send(conv, "same-turn", "Bonjour, où est ma commande ?", "fr-FR")
			replies[i] = tr.Messages[len(tr.Messages)-1].ID
		}()
	}
	wg.Wait()
	for _, id := range replies {
		if id != replies[0] {
			t.Fatalf("concurrent duplicates got different replies: %v", replies)
		}
	}
	if n := len(c.transcript(conv)); n != 2 {
		t.Fatalf("transcript has %d messages, want 2", n)
	}
}

func TestContinueAsNewKeepsCompletedTurns(t *testing.T) {
	s := stack(t)
	c := apiClient{t: t, base: s.http.URL()}
	conv := c.newConversation("pt-BR")
	turns := &agents.Client{Temporal: s.tc, TaskQueue: s.cfg.TaskQueue, MaxTurnsPerRun: 2}
	ctx := context.Background()
	var first agents.TurnResult
	for i, text := range []string{"Olá", "Obrigado", "Tchau"} {
		res, err := turns.SendTurn(ctx, conv, agents.TurnRequest{TurnID: fmt.Sprint("can-", i), Text: text, Locale: "pt-BR"}, 20*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = res
		}
	}
	// The first run continued as new after two turns; a retry of turn 0 reaches the new run.
	var st agents.State
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, err := s.tc.QueryWorkflow(ctx, agents.WorkflowID(conv), "", agents.QueryState)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Get(&st); err != nil {
			t.Fatal(err)
		}
		if st.Runs >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st.Runs < 1 || st.CompletedTurns != 3 {
		t.Fatalf("after 3 turns with MaxTurnsPerRun=2: %+v, want Runs ≥ 1 and 3 completed turns carried", st)
	}
	again, err := turns.SendTurn(ctx, conv, agents.TurnRequest{TurnID: "can-0", Text: "Olá", Locale: "pt-BR"}, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(again.MessageIDs) != fmt.Sprint(first.MessageIDs) {
		t.Fatalf("retry after continue-as-new: %v, first time %v", again.MessageIDs, first.MessageIDs)
	}
	if n := len(c.transcript(conv)); n != 6 {
		t.Fatalf("transcript has %d messages, want 6", n)
	}
}

func TestBadInputGetsA4xxProblem(t *testing.T) {
	c := apiClient{t: t, base: stack(t).http.URL()}
	conv := c.newConversation("")
	msgs := "/v1/conversations/" + conv + "/messages"
	big := `{"text":"` + strings.Repeat("a", 1<<20) + `"}`
	tests := []struct {
		name, method, path string
		body               any
		status             int
		detail             string
	}{
		{"empty body", "POST", msgs, "", 400, "empty"},
		{"1 MB message", "POST", msgs, big, 413, "larger than"},
		{"invalid UTF-8", "POST", msgs, []byte("{\"text\":\"caf\xe9\"}"), 400, "UTF-8"},
		{"not JSON", "POST", msgs, "text=hello", 400, "JSON"},
		{"unknown field", "POST", msgs, `{"txt":"hello"}`, 400, "unknown field"},
		{"wrong type", "POST", msgs, `{"text":42}`, 400, "text"},
		{"missing text", "POST", msgs, `{"locale":"en"}`, 422, "text"},
		{"blank text", "POST", msgs, `{"text":"   "}`, 422, "empty"},
		{"too many characters", "POST", msgs, `{"text":"` + strings.Repeat("é", 4001) + `"}`, 422, "longer than 4000"},
		{"NUL character", "POST", msgs, `{"text":"a\u0000b"}`, 422, "NUL"},
		{"bad locale", "POST", msgs, `{"text":"hi","locale":"not a tag!"}`, 422, "locale"},
		{"unknown conversation", "POST", "/v1/conversations/00000000-0000-0000-0000-000000000000/messages", `{"text":"hi"}`, 404, "does not exist"},
		{"malformed conversation id", "GET", "/v1/conversations/%27%3B--", nil, 404, "does not exist"},
		{"unknown conversation events", "GET", "/v1/conversations/00000000-0000-0000-0000-000000000000/events", nil, 404, "does not exist"},
		{"bad market", "POST", "/v1/conversations", `{"market":"Germany"}`, 422, "market"},
		{"EU is not a market", "POST", "/v1/conversations", `{"market":"EU"}`, 422, "not a country"},
		{"withdrawn country code", "POST", "/v1/knowledge/search", `{"query":"x","market":"YU"}`, 422, "market"},
		{"unknown path", "GET", "/v1/nothing", nil, 404, "does not exist"},
		{"wrong method", "DELETE", msgs, nil, 405, "not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h, b := apiClient{t: t, base: c.base, token: stack(t).admin.Token}.do(tt.method, tt.path, tt.body)
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, b)
			}
			if ct := h.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q", ct)
			}
			var p struct {
				Type, Title, Detail string
				Status              int
				Errors              []struct{ Field, Reason string }
			}
			if err := json.Unmarshal(b, &p); err != nil || p.Status != tt.status || p.Title == "" {
				t.Fatalf("not a problem document: %s", b)
			}
			if !strings.Contains(string(b), tt.detail) {
				t.Fatalf("problem does not say %q: %s", tt.detail, b)
			}
		})
	}
	// Nothing of the rejected requests was stored.
	if n := len(c.transcript(conv)); n != 0 {
		t.Fatalf("rejected requests left %d messages", n)
	}
}

func TestEventsStreamTokensThenTheStoredMessage(t *testing.T) {
	c := apiClient{t: t, base: stack(t).http.URL()}
	conv := c.newConversation("es")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/v1/conversations/"+conv+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	sent := make(chan string, 1)
	go func() {
		code, _, b := c.do("POST", "/v1/conversations/"+conv+"/messages", map[string]string{"text": "Hola, ¿cuánto tarda el envío?", "turn_id": "sse-1"})
		sent <- fmt.Sprintf("%d %s", code, b)
	}()
	defer func() {
		if got := <-sent; !strings.HasPrefix(got, "200 ") {
			t.Errorf("POST during the stream: %s", got)
		}
	}()

	var tokens strings.Builder
	var aiText string
	var ids []string
	sc := bufio.NewScanner(resp.Body)
	event, id := "", ""
	for sc.Scan() && aiText == "" {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			data := strings.TrimPrefix(line, "data: ")
			switch event {
			case "token":
				var tk struct{ Delta string }
				_ = json.Unmarshal([]byte(data), &tk)
				tokens.WriteString(tk.Delta)
			case "message":
				var m message
				_ = json.Unmarshal([]byte(data), &m)
				ids = append(ids, id)
				if m.Author == "ai" {
					aiText = m.Text
				}
			}
			event, id = "", ""
		}
	}
	if aiText == "" {
		t.Fatal("no AI message on the stream")
	}
	if tokens.String() != aiText {
		t.Fatalf("streamed tokens %q do not add up to the stored reply %q", tokens.String(), aiText)
	}
	if len(ids) != 2 || ids[0] == "" || ids[1] == "" {
		t.Fatalf("message events need ids (seq) for Last-Event-ID: %v", ids)
	}

	// Reconnecting with Last-Event-ID resumes after that message.
	req2, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/v1/conversations/"+conv+"/events", nil)
	req2.Header.Set("Last-Event-ID", ids[0])
	resp2, err := http.DefaultClient.Do(req2)
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	sc2 := bufio.NewScanner(resp2.Body)
	for sc2.Scan() {
		if line := sc2.Text(); strings.HasPrefix(line, "id: ") {
			if got := strings.TrimPrefix(line, "id: "); got != ids[1] {
				t.Fatalf("resumed at id %s, want %s", got, ids[1])
			}
			break
		}
	}
}

func TestHealthReadinessAndOpenAPI(t *testing.T) {
	c := apiClient{t: t, base: stack(t).http.URL()}
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, _, b := c.do("GET", p, nil); code != 200 {
			t.Fatalf("%s: %d %s", p, code, b)
		}
	}
	code, _, b := c.do("GET", "/v1/openapi.json", nil)
	if code != 200 {
		t.Fatalf("openapi: %d", code)
	}
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi document: %v %s", err, doc.OpenAPI)
	}
	for _, p := range []string{"/v1/conversations", "/v1/conversations/{id}", "/v1/conversations/{id}/messages", "/v1/conversations/{id}/events", "/healthz", "/readyz"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("openapi.json lacks %s", p)
		}
	}
	if code, h, b := c.do("GET", "/", nil); code != 200 || !strings.Contains(h.Get("Content-Type"), "text/html") || !bytes.Contains(b, []byte("<html")) {
		t.Fatalf("web chat page: %d %s", code, h.Get("Content-Type"))
	}
}

// TestLogsCarryNoCustomerText sends messages full of personal data and checks that nothing
// of them reaches the logs, even at debug level.
func TestLogsCarryNoCustomerText(t *testing.T) {
	c := apiClient{t: t, base: stack(t).http.URL()}
	conv := c.newConversation("en")
	secrets := []string{"maria.gonzalez@example.com", "4111 1111 1111 1111", "+34 612 345 678", "Calle Falsa 123"}
	c.send(conv, "pii-1", "My email is "+secrets[0]+" and my card "+secrets[1], "en")
	c.send(conv, "pii-2", "Call me at "+secrets[2]+", I live at "+secrets[3], "en")
	// A rejected message must not be logged either.
	c.do("POST", "/v1/conversations/"+conv+"/messages", `{"text":"`+secrets[0]+strings.Repeat("x", 5000)+`"}`)
	logs := stackLogs.String()
	if !strings.Contains(logs, "turn answered") {
		t.Fatal("the stack logged nothing: the test would prove nothing")
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the logs contain customer data %q", s)
		}
	}
}

// TestMarketsAreStoredAsTheImporterStoresThem: the API and the importer read market codes the
// same way, so a conversation's market finds the overrides imported for it.
func TestMarketsAreStoredAsTheImporterStoresThem(t *testing.T) {
	c := apiClient{t: t, base: stack(t).http.URL()}
	code, _, b := c.do("POST", "/v1/conversations", `{"market":"uk"}`)
	if code != 201 || !bytes.Contains(b, []byte(`"market":"GB"`)) {
		t.Fatalf("create with market uk: %d %s, want market GB", code, b)
	}
	if ps := c.as(stack(t).admin.Token).search("Wie lange habe ich Zeit für eine Rücksendung?", "de", "de"); len(ps) == 0 || ps[0].Market != "DE" {
		t.Fatalf("search with market de: %+v, want the DE override", ps)
	}
}
