package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/stream"
)

// conversationJSON is the wire form of a conversation.
type conversationJSON struct {
	ID            string           `json:"id"`
	Channel       string           `json:"channel"`
	Locale        string           `json:"locale,omitempty"`
	Market        string           `json:"market,omitempty"`
	Status        string           `json:"status"`
	HandoffReason string           `json:"handoff_reason,omitempty"`
	Identified    bool             `json:"identified"` // started with a verified identity token
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
	Messages      []stream.Message `json:"messages,omitempty"`
}

func toConversationJSON(c conversation.Conversation) conversationJSON {
	return conversationJSON{
		ID: c.ID, Channel: c.Channel, Locale: c.Locale, Market: c.Market, Status: string(c.Status),
		HandoffReason: c.HandoffReason, Identified: c.Identity != nil, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}

func toMessagesJSON(ms []conversation.Message) []stream.Message {
	out := make([]stream.Message, len(ms))
	for i, m := range ms {
		out[i] = stream.FromMessage(m)
	}
	return out
}

type createConversationRequest struct {
	Locale  string `json:"locale"`
	Market  string `json:"market"`
	Channel string `json:"channel"`
	// IdentityToken is the shop's signed statement of who the customer is (see package
	// tools/identity); the tools then show that customer their orders without asking.
	IdentityToken string `json:"identity_token"`
}

var channels = map[string]bool{"web": true, "api": true}

func (h *handlers) createConversation(c *gin.Context) {
	var req createConversationRequest
	if !h.decode(c, &req, true) {
		return
	}
	var errs []FieldError
	locale := ""
	if req.Locale != "" {
		tag, err := language.Parse(req.Locale)
		if err != nil {
			errs = append(errs, FieldError{"locale", "not a BCP 47 language tag"})
		} else {
			locale = tag.String()
		}
	}
	market, err := i18n.ParseMarket(req.Market)
	if err != nil {
		errs = append(errs, FieldError{"market", err.Error()})
	}
	if req.Channel == "" {
		req.Channel = "web"
	}
	if !channels[req.Channel] {
		errs = append(errs, FieldError{"channel", "want web or api"})
	}
	var claimed *conversation.Claimed
	if req.IdentityToken != "" {
		switch cl, err := h.verifyIdentity(req.IdentityToken); {
		case err != nil:
			errs = append(errs, FieldError{"identity_token", err.Error()})
		default:
			claimed = cl
		}
	}
	if len(errs) > 0 {
		invalid(c, "The conversation could not be created.", errs...)
		return
	}
	conv, err := h.cfg.Conversations.Create(c.Request.Context(), conversation.NewConversation{Channel: req.Channel, Locale: locale, Market: market,
		Identity: claimed})
	if err != nil {
		h.fail(c, "create conversation", err)
		return
	}
	c.Header("Location", "/v1/conversations/"+conv.ID)
	c.JSON(http.StatusCreated, toConversationJSON(conv))
}

func (h *handlers) getConversation(c *gin.Context) {
	ctx := c.Request.Context()
	conv, ok := h.conversation(c)
	if !ok {
		return
	}
	msgs, err := h.cfg.Conversations.Messages(ctx, conv.ID, 0, maxTranscript)
	if err != nil {
		h.fail(c, "read transcript", err)
		return
	}
	out := toConversationJSON(conv)
	out.Messages = toMessagesJSON(msgs)
	if out.Messages == nil {
		out.Messages = []stream.Message{}
	}
	c.JSON(http.StatusOK, out)
}

type postMessageRequest struct {
	Text   *string `json:"text"`
	Locale string  `json:"locale"`
	TurnID string  `json:"turn_id"`
}

type turnJSON struct {
	TurnID  string `json:"turn_id"`
	Status  string `json:"status"` // "completed" or "pending"
	Handoff bool   `json:"handoff,omitempty"`
	// Coalesced: the message arrived in a burst and is answered with the burst's last one
	// (the answer then comes on the event stream).
	Coalesced bool             `json:"coalesced,omitempty"`
	Messages  []stream.Message `json:"messages,omitempty"`
}

func (h *handlers) postMessage(c *gin.Context) {
	ctx := c.Request.Context()
	var req postMessageRequest
	if !h.decode(c, &req, false) {
		return
	}
	if req.TurnID == "" {
		req.TurnID = c.GetHeader("Idempotency-Key")
	}
	if req.TurnID == "" {
		req.TurnID = uuid.NewString()
	}
	var errs []FieldError
	if req.Text == nil {
		errs = append(errs, FieldError{"text", "required"})
	}
	if req.Locale != "" {
		if _, err := language.Parse(req.Locale); err != nil {
			errs = append(errs, FieldError{"locale", "not a BCP 47 language tag"})
		}
	}
	if len(errs) == 0 {
		if err := agents.ValidateTurn(agents.TurnRequest{TurnID: req.TurnID, Text: *req.Text, Locale: req.Locale}, h.cfg.MaxMessageChars); err != nil {
			field, reason, _ := strings.Cut(err.Error(), ": ")
			errs = append(errs, FieldError{field, reason})
		}
	}
	if len(errs) > 0 {
		invalid(c, "The message was not accepted.", errs...)
		return
	}
	conv, ok := h.conversation(c)
	if !ok {
		return
	}
	if conv.Status == conversation.StatusClosed {
		writeProblem(c, Problem{Type: typeClosed, Title: "Conversation closed", Status: http.StatusConflict,
			Detail: "This conversation is closed; start a new one."})
		return
	}
	res, err := h.cfg.Turns.SendTurn(ctx, conv.ID, agents.TurnRequest{TurnID: req.TurnID, Text: *req.Text, Locale: req.Locale}, h.cfg.TurnWait)
	var invalidTurn *agents.InvalidTurnError
	switch {
	case errors.Is(err, agents.ErrTurnPending):
		c.Header("Location", "/v1/conversations/"+conv.ID)
		c.JSON(http.StatusAccepted, turnJSON{TurnID: req.TurnID, Status: "pending"})
		return
	case errors.As(err, &invalidTurn):
		field, reason, _ := strings.Cut(invalidTurn.Reason, ": ")
		invalid(c, "The message was not accepted.", FieldError{field, reason})
		return
	case err != nil:
		h.cfg.Logger.Error("send turn", "conversation", conv.ID, "turn", req.TurnID, "err", err, "request_id", c.GetString("request_id"))
		unavailable(c)
		return
	}
	msgs, err := h.cfg.Conversations.TurnMessages(ctx, conv.ID, req.TurnID)
	if err != nil {
		h.fail(c, "read turn", err)
		return
	}
	c.JSON(http.StatusOK, turnJSON{TurnID: res.TurnID, Status: "completed", Handoff: res.Handoff, Coalesced: res.Coalesced, Messages: toMessagesJSON(msgs)})
}

// events streams a conversation's live events as server-sent events: stored messages
// (`message`, with the seq as event ID so that a reconnecting client resumes with
// Last-Event-ID), streamed reply pieces (`token`) and turn progress (`turn`).
func (h *handlers) events(c *gin.Context) {
	ctx := c.Request.Context()
	conv, ok := h.conversation(c)
	if !ok {
		return
	}
	after := int64(0)
	for _, v := range []string{c.GetHeader("Last-Event-ID"), c.Query("after")} {
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			invalid(c, "Last-Event-ID / after must be a message seq.", FieldError{"after", "not a non-negative integer"})
			return
		}
		after = n
	}
	// Subscribe before catching up, so nothing falls between the two; duplicates are dropped by seq.
	sub := h.cfg.Events.Subscribe(conv.ID)
	defer sub.Close()

	w := c.Writer
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Connection", "keep-alive")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: 2000\n\n")

	last := after
	if !h.catchUp(ctx, w, conv.ID, &last) {
		return
	}

	tick := time.NewTicker(h.cfg.KeepAlive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			w.Flush()
		case ev, open := <-sub.Events():
			if !open {
				return // dropped for falling behind: the client reconnects and catches up
			}
			if ev.Type == stream.TypeMessage {
				seq, _ := strconv.ParseInt(ev.ID, 10, 64)
				if seq <= last {
					continue
				}
				if len(ev.Data) == 0 || string(ev.Data) == "null" || seq > last+1 {
					// Too large to relay, or maybe a message missed: read from the store.
					if !h.catchUp(ctx, w, conv.ID, &last) {
						return
					}
					continue
				}
				last = seq
			}
			writeSSE(w, ev)
			w.Flush()
		}
	}
}

// catchUp sends the stored messages after *last, advancing it, and reports whether the
// stream can go on.
func (h *handlers) catchUp(ctx context.Context, w gin.ResponseWriter, conversationID string, last *int64) bool {
	const page = 200
	for {
		msgs, err := h.cfg.Conversations.Messages(ctx, conversationID, *last, page)
		if err != nil {
			h.cfg.Logger.Warn("sse catch-up", "conversation", conversationID, "err", err)
			return false
		}
		for _, m := range msgs {
			writeSSE(w, stream.MessageEvent(m))
			*last = m.Seq
		}
		if len(msgs) < page {
			w.Flush()
			return true
		}
	}
}

func writeSSE(w io.Writer, ev stream.Event) {
	if ev.ID != "" {
		fmt.Fprintf(w, "id: %s\n", ev.ID)
	}
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, ev.Data)
}

// conversation loads the conversation named in the path, writing a 404 when it does not exist.
func (h *handlers) conversation(c *gin.Context) (conversation.Conversation, bool) {
	conv, err := h.cfg.Conversations.Get(c.Request.Context(), c.Param("id"))
	if errors.Is(err, conversation.ErrNotFound) {
		notFound(c, "Conversation "+strconv.Quote(c.Param("id")))
		return conv, false
	}
	if err != nil {
		h.fail(c, "get conversation", err)
		return conv, false
	}
	return conv, true
}

// decode reads a JSON body strictly: bounded size, valid UTF-8, known fields only.
func (h *handlers) decode(c *gin.Context, dst any, emptyOK bool) bool {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, h.cfg.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeProblem(c, Problem{Type: typeTooLarge, Title: "Request too large", Status: http.StatusRequestEntityTooLarge,
			Detail: fmt.Sprintf("The request body is larger than %d bytes.", h.cfg.MaxBodyBytes)})
		return false
	case err != nil:
		writeProblem(c, Problem{Type: typeBadJSON, Status: http.StatusBadRequest, Detail: "The request body could not be read."})
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if emptyOK {
			return true
		}
		writeProblem(c, Problem{Type: typeBadJSON, Title: "Malformed request", Status: http.StatusBadRequest,
			Detail: `The request body is empty; send JSON such as {"text": "Hello"}.`})
		return false
	}
	if !utf8.Valid(body) {
		writeProblem(c, Problem{Type: typeBadJSON, Title: "Malformed request", Status: http.StatusBadRequest,
			Detail: "The request body is not valid UTF-8."})
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		writeProblem(c, Problem{Type: typeBadJSON, Title: "Malformed request", Status: http.StatusBadRequest,
			Detail: "The request body is not the expected JSON: " + jsonReason(err)})
		return false
	}
	if dec.More() {
		writeProblem(c, Problem{Type: typeBadJSON, Title: "Malformed request", Status: http.StatusBadRequest,
			Detail: "The request body has data after the JSON object."})
		return false
	}
	return true
}

// jsonReason describes a decoding error without echoing the body.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d.", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be a %s.", typ.Field, typ.Type.Kind())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + "."
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends too early."
	}
	return "want a JSON object."
}

// fail answers 500 for an unexpected error, logging it with the request ID.
func (h *handlers) fail(c *gin.Context, what string, err error) {
	h.cfg.Logger.Error(what, "err", err, "request_id", c.GetString("request_id"))
	writeProblem(c, Problem{Type: typeInternal, Status: http.StatusInternalServerError,
		Detail: "An unexpected error occurred. Quote request " + c.GetString("request_id") + " when reporting it."})
}

// verifyIdentity checks an identity token; the error says why it was refused, for the client.
func (h *handlers) verifyIdentity(token string) (*conversation.Claimed, error) {
	if h.cfg.Identity == nil {
		return nil, errors.New("identity tokens are not enabled on this server (ATTACHE_IDENTITY_SECRET)")
	}
	cl, err := h.cfg.Identity.Verify(token)
	if err != nil {
		return nil, err
	}
	return &conversation.Claimed{CustomerID: cl.Subject, Email: cl.Email, Phone: cl.Phone}, nil
}

type disclosureJSON struct {
	MessageID string    `json:"message_id"`
	Channel   string    `json:"channel"`
	Locale    string    `json:"locale"`
	Text      string    `json:"text"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"disclosed_at"`
}

// listDisclosures answers the evidence that the customer was told they talk to an AI: the
// text, language, channel and message of each disclosure, oldest first. For audits.
func (h *handlers) listDisclosures(c *gin.Context) {
	conv, ok := h.conversation(c)
	if !ok {
		return
	}
	ds, err := h.cfg.Conversations.Disclosures(c.Request.Context(), conv.ID)
	if err != nil {
		h.fail(c, "list disclosures", err)
		return
	}
	out := make([]disclosureJSON, 0, len(ds))
	for _, d := range ds {
		out = append(out, disclosureJSON{MessageID: d.MessageID, Channel: d.Channel, Locale: d.Locale, Text: d.Text, Reason: d.Reason, At: d.At.UTC()})
	}
	c.JSON(http.StatusOK, gin.H{"conversation_id": conv.ID, "disclosures": out})
}
