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
	// (IntentTrack waiting for an order number; see OrderScenario), "" otherwise.
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
	// Analyzed is the intent Analyze found, before Respond's decisions (an order number
	// answering the pending question, a bare order number read as track_order): callers
	// with more scenarios (confirmations, tools) read it.
	Analyzed string
}

// Catalog keys of the engine's replies beyond the sentences i18n requires of every locale.
const (
	KeyAcknowledged         = "acknowledged"           // a yes or no with no question pending
	KeyReturnHandoff        = "return_handoff"         // returns go to a colleague
	KeyRefundPolicyInfo     = "refund_policy_info"     // when and how refunds are paid
	KeyRefundStatusInfo     = "refund_status_info"     // where a refund goes, asks for the order number
	KeyCancellationFeeInfo  = "cancellation_fee_info"  // cancelling before shipping is free
	KeyPaymentMethodsInfo   = "payment_methods_info"   // the methods are shown at checkout
	KeyDeliveryOptionsInfo  = "delivery_options_info"  // carriers and options are shown at checkout
	KeyPlaceOrderInfo       = "place_order_info"       // how to order
	KeyChangeOrderHandoff   = "change_order_handoff"   // changing items goes to a colleague
	KeyAddressChangeHandoff = "address_change_handoff" // changing an order's address goes to a colleague
	KeyAddressSetupInfo     = "address_setup_info"     // saving addresses in the account
	KeyAccountCreateInfo    = "account_create_info"    // how to create an account
	KeyPasswordInfo         = "password_info"          // how to reset a password
	KeyAccountSettingsInfo  = "account_settings_info"  // details are changed in the account settings
	KeyAccountHandoff       = "account_handoff"        // closing an account, failed sign-ups
	KeyNewsletterInfo       = "newsletter_info"        // subscribing and unsubscribing
	KeyInvoiceInfo          = "invoice_info"           // where invoices are
	KeyReviewThanks         = "review_thanks"          // thanks for the feedback
	KeyVATGeneral           = "vat_general"            // EU VAT and the €150 rule, asks for the country
	KeyCODGeneral           = "cod_general"            // cash on delivery depends on country and carrier
)

// OrderScenario reports whether an intent's next turn may be the order number alone: after
// Respond asked for it (or a caller with tools did), Input.PendingIntent names one of them.
func OrderScenario(intent string) bool { return orderScenarios[intent] }

var orderScenarios = map[string]bool{
	IntentTrack: true, IntentCancel: true, IntentRefund: true, IntentReturn: true,
	IntentTrackRefund: true, IntentChangeAddress: true,
}

// reply is what Respond says to an intent: a catalog sentence, and whether (and why) a
// person takes over.
type reply struct {
	key    string
	reason string // "" = no handoff
	// askOrder: without an order number, the reply asks for it (AwaitingSlot).
	askOrder bool
}

// replies maps every intent Analyze returns, except greeting, track_order and unknown, to
// its reply; doc.go lists them. It is read-only.
var replies = map[string]reply{
	IntentThanks:          {key: i18n.KeyThanksReply},
	IntentGoodbye:         {key: i18n.KeyGoodbye},
	IntentDelivery:        {key: i18n.KeyShippingTimeInfo},
	IntentCancel:          {key: i18n.KeyCancelHandoff, reason: ReasonNeedsTool},
	IntentRefund:          {key: i18n.KeyRefundInfoHandoff, reason: ReasonNeedsTool},
	IntentReturn:          {key: KeyReturnHandoff, reason: ReasonNeedsTool},
	IntentTrackRefund:     {key: KeyRefundStatusInfo, askOrder: true},
	IntentPayment:         {key: i18n.KeyPaymentIssueHandoff, reason: ReasonNeedsTool},
	IntentHuman:           {key: i18n.KeyHandoff, reason: ReasonCustomerRequest},
	IntentService:         {key: i18n.KeyHandoff, reason: ReasonCustomerRequest},
	IntentComplaint:       {key: i18n.KeyComplaintHandoff, reason: ReasonComplaint},
	IntentConfirm:         {key: KeyAcknowledged},
	IntentDeny:            {key: KeyAcknowledged},
	IntentChangeOrder:     {key: KeyChangeOrderHandoff, reason: ReasonNeedsTool},
	IntentPlaceOrder:      {key: KeyPlaceOrderInfo},
	IntentRefundPolicy:    {key: KeyRefundPolicyInfo},
	IntentCancellationFee: {key: KeyCancellationFeeInfo},
	IntentPaymentMethods:  {key: KeyPaymentMethodsInfo},
	IntentCOD:             {key: KeyCODGeneral},
	IntentVAT:             {key: KeyVATGeneral},
	IntentDeliveryOptions: {key: KeyDeliveryOptionsInfo},
	IntentChangeAddress:   {key: KeyAddressChangeHandoff, reason: ReasonNeedsTool},
	IntentSetUpAddress:    {key: KeyAddressSetupInfo},
	IntentCreateAccount:   {key: KeyAccountCreateInfo},
	IntentDeleteAccount:   {key: KeyAccountHandoff, reason: ReasonNeedsTool},
	IntentEditAccount:     {key: KeyAccountSettingsInfo},
	IntentPassword:        {key: KeyPasswordInfo},
	IntentRegistration:    {key: KeyAccountHandoff, reason: ReasonNeedsTool},
	IntentSwitchAccount:   {key: KeyAccountSettingsInfo},
	IntentNewsletter:      {key: KeyNewsletterInfo},
	IntentCheckInvoice:    {key: KeyInvoiceInfo},
	IntentGetInvoice:      {key: KeyInvoiceInfo},
	IntentReview:          {key: KeyReviewThanks},
}

// Respond answers one customer turn: it analyses the message, decides, and composes the
// reply from the catalog in the customer's language (the detected language when a catalog
// exists for it, else the hint's, else English).
//
// Every intent has a reply (doc.go lists them): a greeting is answered with the greeting
// (which discloses the AI); informational questions (refund policy, payment methods, VAT,
// cash on delivery, accounts, invoices ...) with a general answer from the catalog; a yes
// or no with no question pending with a polite "what else?"; track_order and track_refund
// ask for the order number, and with one hand off to a colleague because the engine alone
// looks up no order; cancellations, refunds, returns, changes to an order or its address,
// payment problems and account closures hand off ("needs_tool"); a request for a person or
// for customer service hands off ("customer_request"); complaints hand off ("complaint");
// anything unclear hands off ("low_confidence"). Before the first AI message of a
// conversation the disclosure sentence is prefixed.
func (e *Engine) Respond(in Input) Reply {
	pending := orderScenarios[in.PendingIntent]
	a := e.analyze(in.Text, in.LocaleHint, pending)
	intent := a.Intent
	conf := a.Confidence

	// The answer to "what is your order number?" is the number, often alone: keep the
	// pending request unless the customer clearly asked for something else.
	if pending && a.Slots.OrderNumber != "" {
		switch intent {
		case IntentUnknown, in.PendingIntent, IntentThanks, IntentGreeting, IntentDelivery, IntentConfirm:
			intent = in.PendingIntent
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
	rep, ok := replies[intent]
	switch {
	case intent == IntentGreeting:
		key = i18n.KeyGreetingAgain
		if in.FirstAIMessage {
			key = i18n.KeyGreeting
		}
	case intent == IntentTrack || (ok && rep.askOrder):
		key = rep.key
		if intent == IntentTrack {
			key = i18n.KeyAskOrderNumber
		}
		if a.Slots.OrderNumber == "" {
			r.AwaitingSlot = SlotOrderNumber
		} else {
			key = i18n.KeyOrderHandoff
			args = []any{a.Slots.OrderNumber}
			r.Handoff, r.HandoffReason = true, ReasonNeedsTool
		}
	case ok:
		key = rep.key
		r.Handoff, r.HandoffReason = rep.reason != "", rep.reason
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
