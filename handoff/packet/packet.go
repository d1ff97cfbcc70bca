package packet

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/currency"

	"github.com/attache-dev/attache/i18n"
)

// Packet is the handoff packet: the JSON document the agent console shows.
type Packet struct {
	ConversationID string    `json:"conversation_id"`
	At             time.Time `json:"at,omitzero"`
	Reason         Reason    `json:"reason"`
	ReasonText     string    `json:"reason_text"`
	ReasonDetail   string    `json:"reason_detail,omitempty"`
	Customer       Customer  `json:"customer"`
	Market         string    `json:"market,omitempty"`
	Locale         string    `json:"locale,omitempty"`
	Channel        string    `json:"channel,omitempty"`
	// Language is the customer's base language; Direction is "rtl" or "ltr" for it.
	Language   string           `json:"language"`
	Direction  string           `json:"direction"`
	Facts      Facts            `json:"facts"`
	Sentiment  SentimentSummary `json:"sentiment"`
	Transcript []Line           `json:"transcript"`
	Summary    Summary          `json:"summary"`

	// Set by Localize.
	AgentLanguage        string           `json:"agent_language,omitempty"`
	SummaryTranslated    *Translated      `json:"summary_translated,omitempty"`
	TranscriptTranslated []TranslatedLine `json:"transcript_translated,omitempty"`
}

// Customer is who the customer is, from the identity claims.
type Customer struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// Verified is true when at least one claim was confirmed by a system.
	Verified bool        `json:"verified"`
	Claims   []ClaimFact `json:"claims,omitempty"`
}

// ClaimFact is an identity claim as shown to the agent.
type ClaimFact struct {
	Kind     string `json:"kind"`
	Value    string `json:"value"`
	Verified bool   `json:"verified"`
	Source   string `json:"source,omitempty"`
}

// Facts are what the AI established.
type Facts struct {
	Orders           []OrderFact    `json:"orders"`
	ToolCalls        []ToolCallFact `json:"tool_calls"`
	PendingApprovals []ApprovalFact `json:"pending_approvals"`
	Disclosure       DisclosureFact `json:"disclosure"`
}

// OrderFact is an order looked up.
type OrderFact struct {
	ID       string    `json:"id"`
	Status   string    `json:"status,omitempty"`
	Total    string    `json:"total,omitempty"` // "1450.00 SAR"
	PlacedAt time.Time `json:"placed_at,omitzero"`
	Tracking string    `json:"tracking,omitempty"`
}

// ToolCallFact is a tool call with its result and idempotency key.
type ToolCallFact struct {
	Name    string          `json:"name"`
	Args    json.RawMessage `json:"args,omitempty"`
	Outcome string          `json:"outcome"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   string          `json:"error,omitempty"`
	Key     string          `json:"key,omitempty"`
	At      time.Time       `json:"at,omitzero"`
}

// ApprovalFact is a pending approval.
type ApprovalFact struct {
	Key         string    `json:"key"`
	Tool        string    `json:"tool"`
	Amount      string    `json:"amount"` // "1450.00 SAR"
	AmountMinor int64     `json:"amount_minor"`
	Currency    string    `json:"currency"`
	OrderID     string    `json:"order_id,omitempty"`
	RequestedAt time.Time `json:"requested_at,omitzero"`
}

// DisclosureFact says whether and when the AI disclosed itself.
type DisclosureFact struct {
	Disclosed bool      `json:"disclosed"`
	At        time.Time `json:"at,omitzero"`
}

// SentimentSummary is the customer's mood over the conversation.
type SentimentSummary struct {
	CustomerMessages int `json:"customer_messages"`
	NegativeMessages int `json:"negative_messages"`
	// Repeated is ShouldHandOff over the customer messages.
	Repeated     bool          `json:"repeated"`
	LastNegative *NegativeLine `json:"last_negative,omitempty"`
}

// NegativeLine points at the customer's last negative message.
type NegativeLine struct {
	Index  int       `json:"index"` // into Transcript
	Text   string    `json:"text"`
	Score  float64   `json:"score"`
	Source string    `json:"source"`
	At     time.Time `json:"at,omitzero"`
}

// Line is one transcript message, original text.
type Line struct {
	Author string            `json:"author"`
	Text   string            `json:"text"`
	Lang   string            `json:"lang,omitempty"`
	At     time.Time         `json:"at,omitzero"`
	Intent string            `json:"intent,omitempty"`
	Meta   map[string]string `json:"meta,omitempty"`
}

// Summary is the short extractive summary, in Lang (the customer's language when the
// summary templates cover it, else English; quotes of the customer stay as written).
type Summary struct {
	Lang    string   `json:"lang"`
	Wants   []string `json:"wants"`
	Done    []string `json:"done"`
	Pending []string `json:"pending"`
	Next    string   `json:"next"`
	// Text is the whole summary as labelled lines, the form that is translated.
	Text string `json:"text"`
}

// Translated is a text translated for the agent.
type Translated struct {
	Text string `json:"text"`
	From string `json:"from"`
	To   string `json:"to"`
	// Untranslated is true when the text could not be translated and Text is the
	// original (the passthrough was used).
	Untranslated bool   `json:"untranslated"`
	Engine       string `json:"engine"`
}

// TranslatedLine is a transcript message's translation beside its original.
type TranslatedLine struct {
	Index    int    `json:"index"` // into Transcript
	Author   string `json:"author"`
	Original string `json:"original"`
	Translated
}

// Build assembles the packet from in. It is deterministic and reads no clock; an
// unknown reason becomes ReasonOther.
func Build(in Input) Packet {
	reason := in.Reason
	if !reason.Valid() {
		reason = ReasonOther
	}
	lines := transcript(in.Messages)
	lang := customerLanguage(in, lines)
	p := Packet{
		ConversationID: in.Conversation.ID,
		At:             in.At,
		Reason:         reason,
		ReasonText:     reason.Description(),
		ReasonDetail:   in.ReasonDetail,
		Customer:       customer(in.Conversation.Claims),
		Market:         in.Conversation.Market,
		Locale:         in.Conversation.Locale,
		Channel:        in.Conversation.Channel,
		Language:       lang,
		Direction:      i18n.Direction(lang),
		Facts:          facts(in),
		Transcript:     lines,
	}
	p.Sentiment = sentimentSummary(in, lines)
	p.Summary = summarize(in, p.Facts, p.Sentiment, lang)
	return p
}

func customer(claims []Claim) Customer {
	var c Customer
	// A verified claim wins over a typed one of the same kind; otherwise the first.
	verified := map[string]bool{}
	for _, cl := range claims {
		c.Claims = append(c.Claims, ClaimFact(cl))
		if cl.Verified {
			c.Verified = true
		}
		var field *string
		switch cl.Kind {
		case ClaimCustomerID:
			field = &c.ID
		case ClaimName:
			field = &c.Name
		case ClaimEmail:
			field = &c.Email
		case ClaimPhone:
			field = &c.Phone
		default:
			continue
		}
		if *field == "" || (cl.Verified && !verified[cl.Kind]) {
			*field = cl.Value
			verified[cl.Kind] = verified[cl.Kind] || cl.Verified
		}
	}
	return c
}

func facts(in Input) Facts {
	f := Facts{
		Orders:           make([]OrderFact, 0, len(in.Orders)),
		ToolCalls:        make([]ToolCallFact, 0, len(in.ToolCalls)),
		PendingApprovals: make([]ApprovalFact, 0, len(in.Approvals)),
		Disclosure:       DisclosureFact{Disclosed: in.Disclosure.Disclosed, At: in.Disclosure.At},
	}
	for _, o := range in.Orders {
		f.Orders = append(f.Orders, OrderFact{ID: o.ID, Status: o.Status, Total: FormatMoney(o.Total), PlacedAt: o.PlacedAt, Tracking: o.Tracking})
	}
	for _, t := range in.ToolCalls {
		f.ToolCalls = append(f.ToolCalls, ToolCallFact{
			Name: t.Name, Args: cloneRaw(t.Args), Outcome: t.Outcome, Result: cloneRaw(t.Result),
			Error: t.Error, Key: t.Key, At: t.At,
		})
	}
	for _, a := range in.Approvals {
		f.PendingApprovals = append(f.PendingApprovals, ApprovalFact{
			Key: a.Key, Tool: a.Tool, Amount: FormatMoney(a.Amount), AmountMinor: a.Amount.Minor,
			Currency: strings.ToUpper(a.Amount.Currency), OrderID: a.OrderID, RequestedAt: a.RequestedAt,
		})
	}
	return f
}

// cloneRaw copies a JSON value, dropping it when it is not valid JSON so that the
// packet always marshals.
func cloneRaw(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || !json.Valid(r) {
		return nil
	}
	return append(json.RawMessage(nil), r...)
}

// transcript copies the messages, resolving each language tag to its base language
// (parsed once per distinct tag).
func transcript(msgs []Message) []Line {
	bases := map[string]string{}
	out := make([]Line, len(msgs))
	for i, m := range msgs {
		var meta map[string]string
		if len(m.Meta) > 0 {
			meta = make(map[string]string, len(m.Meta))
			for k, v := range m.Meta {
				meta[k] = v
			}
		}
		base, ok := bases[m.Lang]
		if !ok {
			base = i18n.BaseOf(m.Lang)
			bases[m.Lang] = base
		}
		out[i] = Line{Author: m.Author, Text: m.Text, Lang: base, At: m.CreatedAt, Intent: m.Intent, Meta: meta}
	}
	return out
}

// customerLanguage is the most frequent language of the customer's messages (the
// latest wins a tie), else the conversation locale's, else the detected language of
// the customer's text.
func customerLanguage(in Input, lines []Line) string {
	count := map[string]int{}
	best, bestN := "", 0
	var text []string
	for i, m := range in.Messages {
		if m.Author != AuthorCustomer {
			continue
		}
		text = append(text, m.Text)
		l := lines[i].Lang
		if l == "" {
			continue
		}
		count[l]++
		if count[l] >= bestN {
			best, bestN = l, count[l]
		}
	}
	if best != "" {
		return best
	}
	if l := i18n.BaseOf(in.Conversation.Locale); l != "" {
		return l
	}
	if len(text) == 0 {
		return "en"
	}
	return i18n.Detect(strings.Join(text, "\n")).Lang
}

// FormatMoney renders m as "1450.00 SAR", with the currency's standard number of
// decimals (none for JPY, three for KWD); "" for a zero Money.
func FormatMoney(m Money) string {
	if m == (Money{}) {
		return ""
	}
	code := strings.ToUpper(m.Currency)
	scale := 2
	if u, err := currency.ParseISO(code); err == nil {
		scale, _ = currency.Standard.Rounding(u)
	}
	v := m.Minor
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	if scale == 0 {
		return fmt.Sprintf("%s%d %s", sign, v, code)
	}
	pow := int64(1)
	for range scale {
		pow *= 10
	}
	return strings.TrimSpace(fmt.Sprintf("%s%d.%0*d %s", sign, v/pow, scale, v%pow, code))
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}
