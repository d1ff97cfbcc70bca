package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/tools/commerce"
)

// approvals reads and decides the writes that wait for a person's approval.
type approvals interface {
	PendingApprovals(ctx context.Context, conversationID string) ([]agents.PendingAction, error)
	Decide(ctx context.Context, conversationID string, d agents.Decision) (agents.DecisionResult, error)
}

// approvalJSON is one write waiting for approval: what it would do, and what it was checked
// against.
type approvalJSON struct {
	Key       string          `json:"key"`
	Tool      string          `json:"tool"`
	Arguments json.RawMessage `json:"arguments"`
	Amount    *moneyJSON      `json:"amount,omitempty"`
	Preview   json.RawMessage `json:"preview,omitempty"`
	TurnID    string          `json:"turn_id"`
	Since     time.Time       `json:"since"`
}

type moneyJSON struct {
	Amount   float64 `json:"amount"` // in major units: 282.00
	Currency string  `json:"currency"`
	Minor    int64   `json:"minor"` // in minor units: 28200
}

func toMoneyJSON(m *commerce.Money) *moneyJSON {
	if m == nil {
		return nil
	}
	return &moneyJSON{Amount: m.Decimal(), Currency: m.Currency, Minor: m.Amount}
}

// listApprovals answers the writes of a conversation waiting for approval, oldest first.
func (h *handlers) listApprovals(c *gin.Context) {
	conv, ok := h.conversation(c)
	if !ok {
		return
	}
	pending, err := h.cfg.Approvals.PendingApprovals(c.Request.Context(), conv.ID)
	if err != nil {
		h.cfg.Logger.Error("read approvals", "conversation", conv.ID, "err", err, "request_id", c.GetString("request_id"))
		unavailableBecause(c, "The approvals could not be read. Retry.")
		return
	}
	out := make([]approvalJSON, 0, len(pending))
	for _, p := range pending {
		out = append(out, approvalJSON{Key: p.Key, Tool: p.Call.Name, Arguments: p.Call.Args, Amount: toMoneyJSON(p.Preview.Amount),
			Preview: p.Preview.Data, TurnID: p.TurnID, Since: p.Since})
	}
	c.JSON(http.StatusOK, gin.H{"approvals": out})
}

type decisionRequest struct {
	Approve *bool  `json:"approve"`
	By      string `json:"by"`
	Note    string `json:"note"`
}

type decisionJSON struct {
	Key        string     `json:"key"`
	Outcome    string     `json:"outcome"`
	Reason     string     `json:"reason,omitempty"`
	Verified   bool       `json:"verified"`
	Amount     *moneyJSON `json:"amount,omitempty"`
	MessageIDs []string   `json:"message_ids"`
}

// maxDecisionText bounds the free-text fields of a decision.
const maxDecisionText = 500

// decideApproval approves or denies a pending write. The approved call runs before the
// answer; deciding the same key again answers with the first decision's result.
func (h *handlers) decideApproval(c *gin.Context) {
	var req decisionRequest
	if !h.decode(c, &req, false) {
		return
	}
	var errs []FieldError
	if req.Approve == nil {
		errs = append(errs, FieldError{"approve", "required: true or false"})
	}
	if len(req.By) > maxDecisionText {
		errs = append(errs, FieldError{"by", "too long"})
	}
	if len(req.Note) > maxDecisionText {
		errs = append(errs, FieldError{"note", "too long"})
	}
	if len(errs) > 0 {
		invalid(c, "The decision was not accepted.", errs...)
		return
	}
	conv, ok := h.conversation(c)
	if !ok {
		return
	}
	key := c.Param("key")
	// The decision is recorded as the signed-in staff member's; "by" is only a label.
	by := editor(c)
	res, err := h.cfg.Approvals.Decide(c.Request.Context(), conv.ID, agents.Decision{Key: key, Approve: *req.Approve, By: by, Note: req.Note})
	var bad *agents.InvalidTurnError
	switch {
	case errors.Is(err, agents.ErrNoApproval):
		notFound(c, "A pending approval "+key+" in this conversation")
		return
	case errors.As(err, &bad):
		field, reason, _ := strings.Cut(bad.Reason, ": ")
		invalid(c, "The decision was not accepted.", FieldError{field, reason})
		return
	case err != nil:
		h.cfg.Logger.Error("decide approval", "conversation", conv.ID, "err", err, "request_id", c.GetString("request_id"))
		unavailableBecause(c, "The decision could not be completed. Send it again: it is applied once.")
		return
	}
	h.audit(c, actor(c), "approval.decided", "conversation:"+conv.ID, map[string]any{"key": key, "approve": *req.Approve,
		"outcome": string(res.Result.Outcome)})
	ids := res.MessageIDs
	if ids == nil {
		ids = []string{}
	}
	c.JSON(http.StatusOK, decisionJSON{Key: key, Outcome: string(res.Result.Outcome), Reason: res.Result.Reason,
		Verified: res.Result.Verified, Amount: toMoneyJSON(res.Result.Amount), MessageIDs: ids})
}
