package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/policy/privacy"
)

// privacyStore carries out data-subject requests and keeps consent records.
type privacyStore interface {
	Export(ctx context.Context, s privacy.Subject, requestedBy string) (privacy.Bundle, error)
	Erase(ctx context.Context, s privacy.Subject, requestedBy string) (privacy.Summary, error)
	Requests(ctx context.Context, limit int) ([]privacy.Request, error)
	RecordConsent(ctx context.Context, c privacy.Consent) (privacy.Consent, error)
	Consents(ctx context.Context, conversationID string) ([]privacy.Consent, error)
}

// subjectRequest names a customer by any of the identifiers Attaché holds.
type subjectRequest struct {
	Email           string   `json:"email"`
	Phone           string   `json:"phone"`
	CustomerID      string   `json:"customer_id"`
	ConversationIDs []string `json:"conversation_ids"`
}

func (h *handlers) subject(c *gin.Context) (privacy.Subject, bool) {
	var req subjectRequest
	if !h.decode(c, &req, false) {
		return privacy.Subject{}, false
	}
	s := privacy.Subject{Email: req.Email, Phone: req.Phone, IdentitySubject: req.CustomerID, ConversationIDs: req.ConversationIDs}
	if _, err := s.Normalize(); err != nil {
		invalid(c, "The request was not accepted: "+strings.TrimPrefix(err.Error(), "invalid privacy request: ")+".",
			FieldError{"subject", "give email, phone (international), customer_id or conversation_ids"})
		return s, false
	}
	return s, true
}

// privacyExport answers a JSON bundle of everything Attaché holds about a customer, and
// records the request.
func (h *handlers) privacyExport(c *gin.Context) {
	s, ok := h.subject(c)
	if !ok {
		return
	}
	b, err := h.cfg.Privacy.Export(c.Request.Context(), s, actor(c))
	if err != nil {
		h.fail(c, "privacy export", err)
		return
	}
	h.audit(c, actor(c), "privacy.exported", "privacy_request:"+b.RequestID, map[string]any{
		"conversations": len(b.Conversations), "messages": len(b.Messages)})
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="attache-export-`+b.RequestID+`.json"`)
	c.JSON(http.StatusOK, b)
}

// privacyErase erases everything about a customer: rows in every table, and the keys of
// their conversations' Temporal history. It answers what was deleted, per table.
func (h *handlers) privacyErase(c *gin.Context) {
	s, ok := h.subject(c)
	if !ok {
		return
	}
	sum, err := h.cfg.Privacy.Erase(c.Request.Context(), s, actor(c))
	if err != nil {
		h.cfg.Logger.Error("privacy erasure", "err", err, "request_id", c.GetString("request_id"))
		unavailableBecause(c, "The erasure did not complete and was recorded as failed; nothing was half-deleted. Send it again.")
		return
	}
	counts := map[string]any{"terminated": sum.Terminated, "shredded": sum.Shredded}
	for t, n := range sum.Deleted {
		counts[t] = n
	}
	h.audit(c, actor(c), "privacy.erased", "privacy_request:"+sum.RequestID, counts)
	c.JSON(http.StatusOK, gin.H{"request_id": sum.RequestID, "deleted": sum.Deleted, "workflows_terminated": sum.Terminated,
		"history_keys_shredded": sum.Shredded})
}

// privacyRequests lists data-subject requests, newest first.
func (h *handlers) privacyRequests(c *gin.Context) {
	var errs []FieldError
	limit := limitParam(c, 100, &errs)
	if len(errs) > 0 {
		invalid(c, "The query was not accepted.", errs...)
		return
	}
	rs, err := h.cfg.Privacy.Requests(c.Request.Context(), limit)
	if err != nil {
		h.fail(c, "privacy requests", err)
		return
	}
	if rs == nil {
		rs = []privacy.Request{}
	}
	c.JSON(http.StatusOK, gin.H{"requests": rs, "response_deadline_days": int(privacy.ResponseDeadline / (24 * time.Hour))})
}

type consentRequest struct {
	Purpose       string `json:"purpose"`
	Granted       *bool  `json:"granted"`
	PolicyVersion string `json:"policy_version"`
	Locale        string `json:"locale"`
}

// recordConsent records a customer's consent (or its withdrawal) for one purpose in their
// conversation; the newest record per purpose is the one in force.
func (h *handlers) recordConsent(c *gin.Context) {
	var req consentRequest
	if !h.decode(c, &req, false) {
		return
	}
	if req.Granted == nil {
		invalid(c, "The consent was not recorded.", FieldError{"granted", "required: true or false"})
		return
	}
	conv, ok := h.conversation(c)
	if !ok {
		return
	}
	locale := req.Locale
	if locale == "" {
		locale = conv.Locale
	}
	rec, err := h.cfg.Privacy.RecordConsent(c.Request.Context(), privacy.Consent{ConversationID: conv.ID, Purpose: privacy.Purpose(req.Purpose),
		Granted: *req.Granted, PolicyVersion: req.PolicyVersion, Locale: locale, Channel: conv.Channel})
	switch {
	case errors.Is(err, privacy.ErrInvalid):
		invalid(c, "The consent was not recorded: "+strings.TrimPrefix(err.Error(), "invalid privacy request: ")+".",
			FieldError{"purpose", "one of " + purposeList()}, FieldError{"policy_version", "the version of the text the customer was shown"})
		return
	case errors.Is(err, privacy.ErrNotFound):
		notFound(c, "Conversation "+strconv.Quote(conv.ID))
		return
	case err != nil:
		h.fail(c, "record consent", err)
		return
	}
	c.JSON(http.StatusCreated, rec)
}

func purposeList() string {
	var s []string
	for _, p := range privacy.Purposes {
		s = append(s, string(p))
	}
	return strings.Join(s, ", ")
}

// listConsents answers a conversation's consent records, oldest first.
func (h *handlers) listConsents(c *gin.Context) {
	conv, ok := h.conversation(c)
	if !ok {
		return
	}
	cs, err := h.cfg.Privacy.Consents(c.Request.Context(), conv.ID)
	if err != nil {
		h.fail(c, "consents", err)
		return
	}
	if cs == nil {
		cs = []privacy.Consent{}
	}
	c.JSON(http.StatusOK, gin.H{"consents": cs})
}
