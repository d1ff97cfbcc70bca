package offline

import (
	"strings"

	"github.com/attache-dev/attache/i18n"
)

// Input is one customer turn.
type Input struct {
	Text string
	// LocaleHint is the customer's locale: browser Accept-Language, profile, or the
	// language the conversation has used so far. It decides for messages too short to
	// tell ("ok", "12345").
	LocaleHint string
	// FirstAIMessage is true when no AI message was sent yet in this conversation (or
	// since a human handed it back): the reply then starts with the AI disclosure.
	FirstAIMessage bool
	// PendingIntent is the intent of the previous turn when that turn asked for a slot
	// (IntentTrack waiting for an order number), "" otherwise.
	PendingIntent string
}

// Reply is the engine's answer to one turn.
type Reply struct {
	Text       string  // in the customer's language
	Lang       string  // the supported locale of Text, e.g. "es", "pt-BR", "zh-Hans"
	Intent     string  // as in Analysis
	Confidence float64 // intent confidence
	// Handoff asks the workflow to pass the conversation to a human; HandoffReason is one
	// of the Reason constants.
	Handoff       bool
	HandoffReason string
	// AwaitingSlot names the slot the reply asked for (SlotOrderNumber), "" if none; the
	// caller passes Intent back as Input.PendingIntent on the next turn.
	AwaitingSlot string
	// Slots are the values extracted from this turn.
	Slots Slots
	// Analyzed is the intent Analyze found, before Respond's decisions mapped intents it has
	// no reply for to unknown: callers with more scenarios (confirmations, returns) read it.
	Analyzed string
}

// Respond answers one customer turn: it analyses the message, decides, and composes the
// reply from the catalog in the customer's language (the detected language when a catalog
// exists for it, else the hint's, else English).
//
// Decisions: a greeting is answered with the greeting (which discloses the AI); thanks
// and goodbye politely; delivery times with where to find them; track_order asks for the
// order number, or with one hands off to a colleague because order tools are not
// connected to the offline engine; cancellations, refunds and payment problems hand off
// ("needs_tool"); a request for a person hands off ("customer_request"); complaints hand
// off ("complaint"); anything unclear hands off ("low_confidence"). Before the first AI
// message of a conversation the disclosure sentence is prefixed.
func (e *Engine) Respond(in Input) Reply {
	pending := in.PendingIntent == IntentTrack
	a := e.analyze(in.Text, in.LocaleHint, pending)
	intent := a.Intent
	conf := a.Confidence

	// The answer to "what is your order number?" is the number, often alone: keep the
	// pending request unless the customer clearly asked for something else.
	if pending && a.Slots.OrderNumber != "" {
		switch intent {
		case IntentUnknown, IntentTrack, IntentThanks, IntentGreeting, IntentDelivery:
			intent = IntentTrack
			conf = max(conf, 0.9)
		}
	}
	// A message that is only an order number, out of the blue, is about that order.
	if intent == IntentUnknown && a.Slots.OrderNumber != "" && mostlyNumber(in.Text, a.Slots.OrderNumber) {
		intent = IntentTrack
		conf = max(conf, 0.6)
	}

	lang := i18n.Match(a.Lang, in.LocaleHint).String()
	r := Reply{Lang: lang, Intent: intent, Confidence: conf, Slots: a.Slots, Analyzed: a.Intent}
	var key string
	var args []any
	switch intent {
	case IntentGreeting:
		key = i18n.KeyGreetingAgain
		if in.FirstAIMessage {
			key = i18n.KeyGreeting
		}
	case IntentThanks:
		key = i18n.KeyThanksReply
	case IntentGoodbye:
		key = i18n.KeyGoodbye
	case IntentDelivery:
		key = i18n.KeyShippingTimeInfo
	case IntentTrack:
		if a.Slots.OrderNumber == "" {
			key = i18n.KeyAskOrderNumber
			r.AwaitingSlot = SlotOrderNumber
		} else {
			key = i18n.KeyOrderHandoff
			args = []any{a.Slots.OrderNumber}
			r.Handoff, r.HandoffReason = true, ReasonNeedsTool
		}
	case IntentCancel:
		key = i18n.KeyCancelHandoff
		r.Handoff, r.HandoffReason = true, ReasonNeedsTool
	case IntentRefund:
		key = i18n.KeyRefundInfoHandoff
		r.Handoff, r.HandoffReason = true, ReasonNeedsTool
	case IntentPayment:
		key = i18n.KeyPaymentIssueHandoff
		r.Handoff, r.HandoffReason = true, ReasonNeedsTool
	case IntentHuman:
		key = i18n.KeyHandoff
		r.Handoff, r.HandoffReason = true, ReasonCustomerRequest
	case IntentComplaint:
		key = i18n.KeyComplaintHandoff
		r.Handoff, r.HandoffReason = true, ReasonComplaint
	default:
		key = i18n.KeyFallbackHandoff
		r.Intent = IntentUnknown
		r.Handoff, r.HandoffReason = true, ReasonLowConfidence
	}
	r.Text = e.cat.Text(lang, key, args...)
	if in.FirstAIMessage && key != i18n.KeyGreeting {
		r.Text = e.cat.WithDisclosure(lang, r.Text)
	}
	return r
}

// mostlyNumber reports whether text is the order number with little around it.
func mostlyNumber(text, order string) bool {
	rest := strings.Replace(text, order, "", 1)
	return countLetters(rest) <= 3
}
