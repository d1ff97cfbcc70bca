package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/evals/analytics"
)

// csatStore keeps the answers of the widget's post-chat survey (an *analytics.CSATStore,
// or one that routes it to the conversation's region).
type csatStore interface {
	Record(ctx context.Context, r analytics.CSATResponse) (analytics.CSATResponse, bool, error)
	Get(ctx context.Context, conversationID string) (analytics.CSATResponse, error)
}

// csatRoutes registers the survey's routes: the widget's, like its other routes (anyone
// holding the conversation's ID).
func (h *handlers) csatRoutes(rt routes) {
	rt.add("POST", "/v1/conversations/:id/csat", customer, h.limitConversation, h.postCSAT)
	rt.add("GET", "/v1/conversations/:id/csat", customer, h.getCSAT)
}

type csatRequest struct {
	Score   *int   `json:"score"`
	Comment string `json:"comment"`
}

type csatAnswerJSON struct {
	ConversationID string     `json:"conversation_id"`
	Answered       bool       `json:"answered"`
	Score          int        `json:"score,omitempty"`
	Comment        string     `json:"comment,omitempty"`
	CreatedAt      *time.Time `json:"created_at,omitempty"`
}

func toCSATJSON(r analytics.CSATResponse) csatAnswerJSON {
	at := r.CreatedAt.UTC()
	return csatAnswerJSON{ConversationID: r.ConversationID, Answered: true, Score: r.Score, Comment: r.Comment, CreatedAt: &at}
}

// postCSAT records the survey's answer: 201 with the stored answer (its comment
// PII-redacted), 200 with it when the same answer is sent again (a retry), 409 when the
// conversation's survey was already answered otherwise — one answer per conversation.
func (h *handlers) postCSAT(c *gin.Context) {
	var req csatRequest
	if !h.decode(c, &req, false) {
		return
	}
	var errs []FieldError
	if req.Score == nil {
		errs = append(errs, FieldError{"score", "required: 1 (bad) to 5 (great)"})
	} else if err := analytics.ValidateCSAT(*req.Score, strings.TrimSpace(req.Comment)); err != nil {
		field, reason, _ := strings.Cut(strings.TrimPrefix(err.Error(), analytics.ErrInvalid.Error()+": "), ": ")
		errs = append(errs, FieldError{field, reason})
	}
	if len(errs) > 0 {
		invalid(c, "The answer was not recorded.", errs...)
		return
	}
	conv, ok := h.conversation(c)
	if !ok {
		return
	}
	rec, created, err := h.cfg.CSAT.Record(c.Request.Context(), analytics.CSATResponse{ConversationID: conv.ID, Score: *req.Score, Comment: req.Comment})
	switch {
	case errors.Is(err, analytics.ErrNotFound):
		notFound(c, "Conversation "+strconv.Quote(conv.ID))
		return
	case errors.Is(err, analytics.ErrAnswered):
		writeProblem(c, Problem{Type: typeConflict, Title: "Already answered", Status: http.StatusConflict,
			Detail: "This conversation's survey was already answered; an answer cannot be changed."})
		return
	case errors.Is(err, analytics.ErrInvalid):
		invalid(c, "The answer was not recorded.", FieldError{"comment", "not accepted"})
		return
	case err != nil:
		h.fail(c, "record csat", err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, toCSATJSON(rec))
}

// getCSAT answers the conversation's survey answer, or answered: false.
func (h *handlers) getCSAT(c *gin.Context) {
	conv, ok := h.conversation(c)
	if !ok {
		return
	}
	rec, err := h.cfg.CSAT.Get(c.Request.Context(), conv.ID)
	switch {
	case errors.Is(err, analytics.ErrNotFound):
		c.JSON(http.StatusOK, csatAnswerJSON{ConversationID: conv.ID})
		return
	case err != nil:
		h.fail(c, "read csat", err)
		return
	}
	c.JSON(http.StatusOK, toCSATJSON(rec))
}
