package httpapi

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"github.com/attache-dev/attache/agents/offline"
	"github.com/attache-dev/attache/tools/commerce"
)

// analyzer reads a customer message the way the agent does.
type analyzer interface {
	Analyze(text, localeHint string) (offline.Analysis, error)
}

type analyzeRequest struct {
	Text   *string `json:"text"`
	Locale string  `json:"locale"`
}

type slotsJSON struct {
	OrderNumber string      `json:"order_number,omitempty"`
	Email       string      `json:"email,omitempty"`
	Amount      *amountJSON `json:"amount,omitempty"`
	VATNumber   string      `json:"vat_number,omitempty"`
	PostalCode  string      `json:"postal_code,omitempty"`
	Name        string      `json:"name,omitempty"`
}

type amountJSON struct {
	moneyJSON
	Text string `json:"text"` // as written
}

type analysisJSON struct {
	Language           string    `json:"language"`
	LanguageConfidence float64   `json:"language_confidence"`
	LanguageSource     string    `json:"language_source"`
	Intent             string    `json:"intent"`
	Confidence         float64   `json:"confidence"`
	Slots              slotsJSON `json:"slots"`
}

// nluAnalyze answers the language, intent and slots the offline engine reads in a message —
// the same reading every turn starts with. For the console and for evaluators.
func (h *handlers) nluAnalyze(c *gin.Context) {
	var req analyzeRequest
	if !h.decode(c, &req, false) {
		return
	}
	var errs []FieldError
	switch {
	case req.Text == nil || strings.TrimSpace(*req.Text) == "":
		errs = append(errs, FieldError{"text", "required"})
	case utf8.RuneCountInString(*req.Text) > h.cfg.MaxMessageChars:
		errs = append(errs, FieldError{"text", "longer than the message limit"})
	}
	if req.Locale != "" {
		if _, err := language.Parse(req.Locale); err != nil {
			errs = append(errs, FieldError{"locale", "not a BCP 47 language tag"})
		}
	}
	if len(errs) > 0 {
		invalid(c, "The text was not analysed.", errs...)
		return
	}
	a, err := h.cfg.NLU.Analyze(*req.Text, req.Locale)
	if err != nil {
		h.cfg.Logger.Error("analyze", "err", err, "request_id", c.GetString("request_id"))
		unavailableBecause(c, "The language models could not be loaded. Retry.")
		return
	}
	out := analysisJSON{Language: a.Lang, LanguageConfidence: a.LangConfidence, LanguageSource: a.LangSource,
		Intent: a.Intent, Confidence: a.Confidence, Slots: slotsJSON{OrderNumber: a.Slots.OrderNumber, Email: a.Slots.Email,
			VATNumber: a.Slots.VATNumber, PostalCode: a.Slots.PostalCode, Name: a.Slots.Name}}
	if am := a.Slots.Amount; !am.IsZero() {
		m := toMoneyJSON(&commerce.Money{Amount: am.Minor, Currency: am.Currency})
		out.Slots.Amount = &amountJSON{moneyJSON: *m, Text: am.Text}
	}
	c.JSON(http.StatusOK, out)
}
