package httpapi

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/policy/pii"
	"github.com/attache-dev/attache/policy/screen"
)

// maxGuardText bounds the text of one guard request.
const maxGuardText = 20_000

type redactRequest struct {
	Text    *string  `json:"text"`
	Regions []string `json:"regions"` // ISO 3166-1 alpha-2: where national phone numbers and IDs are looked for
	Kinds   []string `json:"kinds"`   // card, iban, email, phone, national_id; empty: all
}

type spanJSON struct {
	Kind   string `json:"kind"`
	Scheme string `json:"scheme,omitempty"`
	Start  int    `json:"start"` // byte offsets into the text sent
	End    int    `json:"end"`
}

var piiKinds = map[string]pii.Kind{"card": pii.KindCard, "iban": pii.KindIBAN, "email": pii.KindEmail, "phone": pii.KindPhone,
	"national_id": pii.KindNationalID}

// guardRedact answers the text with personal data replaced by typed placeholders ([card],
// [iban], [email], [phone], [id:BR-CPF]) and the spans found, as the agent redacts before
// text reaches a model, the logs or analytics.
func (h *handlers) guardRedact(c *gin.Context) {
	var req redactRequest
	if !h.decode(c, &req, false) {
		return
	}
	var errs []FieldError
	if req.Text == nil {
		errs = append(errs, FieldError{"text", "required"})
	} else if utf8.RuneCountInString(*req.Text) > maxGuardText {
		errs = append(errs, FieldError{"text", "longer than 20000 characters"})
	}
	opts := pii.Options{}
	for _, r := range req.Regions {
		m, err := i18n.ParseMarket(r)
		if err != nil || m == "" {
			errs = append(errs, FieldError{"regions", "not an ISO 3166-1 alpha-2 code: " + clipText(r)})
			continue
		}
		opts.Regions = append(opts.Regions, m)
	}
	for _, k := range req.Kinds {
		kind, ok := piiKinds[strings.ToLower(k)]
		if !ok {
			errs = append(errs, FieldError{"kinds", "want card, iban, email, phone or national_id, got " + clipText(k)})
			continue
		}
		opts.Kinds = append(opts.Kinds, kind)
	}
	if len(errs) > 0 {
		invalid(c, "The text was not redacted.", errs...)
		return
	}
	text, spans := pii.Redact(*req.Text, opts)
	out := make([]spanJSON, 0, len(spans))
	for _, s := range spans {
		out = append(out, spanJSON{Kind: string(s.Kind), Scheme: s.Scheme, Start: s.Start, End: s.End})
	}
	c.JSON(http.StatusOK, gin.H{"text": text, "spans": out})
}

// clipText shortens a bad value for an error message.
func clipText(s string) string {
	if utf8.RuneCountInString(s) <= 20 {
		return s
	}
	return string([]rune(s)[:20]) + "…"
}

type screenRequest struct {
	Text *string `json:"text"`
}

type reasonJSON struct {
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
}

// guardScreen answers whether a customer message looks like a prompt injection or abuse,
// with a score and the reasons: the deterministic first screen before any model.
func (h *handlers) guardScreen(c *gin.Context) {
	var req screenRequest
	if !h.decode(c, &req, false) {
		return
	}
	switch {
	case req.Text == nil:
		invalid(c, "The text was not screened.", FieldError{"text", "required"})
		return
	case utf8.RuneCountInString(*req.Text) > maxGuardText:
		invalid(c, "The text was not screened.", FieldError{"text", "longer than 20000 characters"})
		return
	}
	v := screen.Screen(*req.Text)
	reasons := make([]reasonJSON, 0, len(v.Reasons))
	for _, r := range v.Reasons {
		reasons = append(reasons, reasonJSON{Code: r.Code, Detail: r.Detail, Start: r.Start, End: r.End})
	}
	c.JSON(http.StatusOK, gin.H{"injection": v.Injection, "abuse": v.Abuse, "score": v.Score, "threshold": screen.Threshold, "reasons": reasons})
}
