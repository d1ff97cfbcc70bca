package agents

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/attache-dev/attache/agents/offline"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/knowledge/hashembed"
	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/cod"
	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/vat"
)

// Catalog keys of the offline engine's standard scenarios with tools.
const (
	keyAskEmail         = "ask_email"            // {0} order number
	keyIdentityMismatch = "identity_mismatch"    // {0} order number
	keyOrderNotFound    = "order_not_found"      // {0} order number
	keyOrderPending     = "order_status_pending" // {0} order number
	keyOrderProcessed   = "order_status_processed"
	keyOrderDelivered   = "order_status_delivered"
	keyOrderCancelled   = "order_status_cancelled"
	keyOrderOther       = "order_status_other" // {0} order number, {1} status as the shop writes it
	keyParcelLine       = "parcel_line"        // {0} tracking number, {1} carrier, {2} status text, {3} ETA sentence
	keyConfirmCancel    = "confirm_cancel"     // {0} order, {1} amount refunded
	keyConfirmReturn    = "confirm_return"     // {0} number of items, {1} order, {2} amount
	keyCancelDone       = "cancel_done"        // {0} order, {1} amount
	keyReturnDone       = "return_done"        // {0} order, {1} amount
	keyConfirmRefund    = "confirm_refund"     // {0} order, {1} amount
	keyRefundDone       = "refund_done"        // {0} order, {1} amount
	keyActionDeclined   = "action_declined"
	keyApprovalWait     = "approval_wait"        // {0} amount
	keyApprovalDone     = "approval_done"        // {0} order, {1} amount
	keyApprovalDenied   = "approval_denied"      // {0} order
	keyCannotCancel     = "cannot_cancel"        // {0} order, {1} status sentence
	keyNotDelivered     = "return_not_delivered" // {0} order, {1} status sentence
	keyActionRefused    = "action_refused"       // {0} order
	keyToolFailed       = "tool_failed"

	keyVATRate          = "vat_rate"               // {0} country, {1} standard rate
	keyVATRateReduced   = "vat_rate_reduced"       // {0} country, {1} standard rate, {2} reduced rates
	keyVATIOSSRule      = "vat_ioss_rule"          // {0} the €150 threshold
	keyVATIOSS          = "vat_ioss"               // {0} the VAT charged at checkout
	keyVATNotEU         = "vat_not_eu"             // {0} country
	keyVATNumberValid   = "vat_number_valid"       // {0} VAT number
	keyVATNumberFormat  = "vat_number_format_only" // {0} VAT number
	keyVATNumberInvalid = "vat_number_invalid"     // {0} VAT number
	keyVATAskCountry    = "vat_ask_country"
	keyCODAvailableIn   = "cod_available_in"   // {0} country, {1} limit, {2} carriers
	keyCODUnavailableIn = "cod_unavailable_in" // {0} country
	keyCODAllowed       = "cod_allowed"        // {0} fee
	keyCODOverLimit     = "cod_over_limit"     // {0} limit
	keyCODRefusalBlock  = "cod_refusal_block"  // {0} refusals, {1} days
	keyCODRefusalCharge = "cod_refusal_charged"
	keyCODAskCountry    = "cod_ask_country"
	keyAskAddress       = "ask_address"         // {0} order
	keyAddressUnclear   = "address_unclear"     // asks again for the whole address
	keyConfirmAddress   = "confirm_address"     // {0} order, {1} the address read back
	keyAddressDone      = "address_done"        // {0} order, {1} the address
	keyAddressRefused   = "address_not_pending" // {0} order, {1} status sentence
	keyRefundStatus     = "refund_status"       // {0} order, {1} amount refunded
	keyRefundNone       = "refund_status_none"  // {0} order, {1} status sentence
)

// Tools the dialog calls by name.
const (
	toolOrderDetails = "get_order_details"
	toolAddress      = "modify_pending_order_address"
)

// Handoff reasons of tool scenarios.
const (
	ReasonToolFailure = "tool_failure"
	ReasonPolicyLimit = "policy_limit"
)

// Memory slots.
const (
	memOrder   = "order_id"
	memEmail   = "email"
	memIntent  = "intent"
	memAwait   = "awaiting" // what the last question asked for beyond the order and e-mail
	memAddress = "address"  // the new address read from the customer's message, as tool arguments
)

// awaitAddress is memAwait while the dialog waits for a new shipping address.
const awaitAddress = "address"

// orderIntents are the standard scenarios the offline engine completes with the order tools.
var orderIntents = map[string]bool{
	offline.IntentTrack: true, offline.IntentCancel: true, offline.IntentRefund: true, offline.IntentReturn: true,
	offline.IntentTrackRefund: true, offline.IntentChangeAddress: true,
}

// ruleIntents are answered by a read tool of the same name, with no identity needed.
var ruleIntents = map[string]string{offline.IntentVAT: vat.ToolName, offline.IntentCOD: cod.ToolName}

// knowledgeFirst are the informational intents the knowledge base answers when it is sure
// of a passage; otherwise the engine's general answer stands. Without tools, the scenarios
// that need them are answered from the knowledge base too when it can.
var (
	knowledgeFirst = map[string]bool{
		offline.IntentRefundPolicy: true, offline.IntentCancellationFee: true, offline.IntentPaymentMethods: true,
		offline.IntentDeliveryOptions: true, offline.IntentPlaceOrder: true, offline.IntentSetUpAddress: true,
		offline.IntentCreateAccount: true, offline.IntentEditAccount: true, offline.IntentPassword: true,
		offline.IntentSwitchAccount: true, offline.IntentNewsletter: true, offline.IntentCheckInvoice: true,
		offline.IntentGetInvoice: true, offline.IntentRegistration: true,
	}
	knowledgeWithoutTools = map[string]bool{
		offline.IntentReturn: true, offline.IntentVAT: true, offline.IntentCOD: true,
	}
)

// dialog is one offline turn with tools: the engine's reading of the message and what the
// workflow knows.
type dialog struct {
	r     OfflineResponder
	tc    TurnContext
	reply *Reply
	slots offline.Slots
	mem   map[string]string
}

// withTools continues a standard scenario with tools; it reports false when the turn is not
// one (the engine's reply stands). Without tools it only lets the knowledge base answer the
// informational intents it is sure about.
func (r OfflineResponder) withTools(tc TurnContext, out offline.Reply, reply *Reply) bool {
	if r.Catalog == nil {
		return false
	}
	if len(tc.Tools) == 0 && len(tc.Steps) == 0 && tc.Event == "" {
		return r.knowledgeAnswer(tc, out.Intent, reply, knowledgeFirst[out.Intent] || knowledgeWithoutTools[out.Intent])
	}
	d := &dialog{r: r, tc: tc, reply: reply, slots: out.Slots, mem: map[string]string{}}
	for k, v := range tc.Memory {
		d.mem[k] = v
	}
	// A postal code in the address the last turn asked for is no order number.
	awaitingAddress := tc.PendingIntent == offline.IntentChangeAddress && d.mem[memAwait] == awaitAddress
	if out.Slots.OrderNumber != "" && !awaitingAddress {
		d.mem[memOrder] = out.Slots.OrderNumber
	}
	if out.Slots.Email != "" {
		d.mem[memEmail] = out.Slots.Email
	}
	defer func() { reply.Memory = d.mem }()
	// An address or a country name alone says little about the customer's language
	// ("Friedrichstraße 123, 10117 Berlin" is no German): a scenario that asked for one
	// goes on in the conversation's.
	keepLanguage := awaitingAddress || (tc.PendingIntent == offline.IntentChangeAddress && d.mem[memAddress] != "") ||
		(ruleIntents[tc.PendingIntent] != "" && utf8.RuneCountInString(tc.Text) <= 30 && d.countryInText() != "")

	if tc.Event == EventApprovalDecided && len(tc.Steps) > 0 {
		// An event has no customer text: the engine's reading of it (not understood, a
		// handoff) means nothing. What the decision's outcome says is the whole reply.
		reply.Handoff, reply.HandoffReason = false, ""
		d.approvalDecided(tc.Steps[0])
		return true
	}
	if p := tc.Pending; p != nil && p.Kind == AwaitConfirmation && len(tc.Steps) == 0 && tc.Event == "" {
		// The engine's reply treats a bare yes as unclear; its analysis knows better.
		answer := out.Analyzed
		if answer != offline.IntentConfirm && answer != offline.IntentDeny && answer == d.mem[memIntent] {
			// "Ja, bitte stornieren": the answer goes on to name the very action asked about.
			answer = offline.StartsWithAnswer(tc.Text)
		}
		switch answer {
		case offline.IntentConfirm:
			reply.Confirmation = ConfirmYes
			reply.Calls = []tools.Call{p.Call}
			return true
		case offline.IntentDeny:
			reply.Confirmation = ConfirmNo
			d.say(keyActionDeclined)
			reply.Intent, reply.Handoff, reply.HandoffReason = offline.IntentDeny, false, ""
			delete(d.mem, memAwait)
			delete(d.mem, memAddress)
			return true
		}
	}
	intent := out.Intent
	if !orderIntents[intent] && tc.Event == "" && len(tc.Steps) == 0 {
		// The engine's reply knows no return scenario; its analysis does.
		if orderIntents[out.Analyzed] {
			intent = out.Analyzed
		}
	}
	switch {
	case len(tc.Steps) > 0:
		intent = d.mem[memIntent] // a later round of this turn
	case awaitingAddress && d.answersAddress(intent):
		intent = offline.IntentChangeAddress // the new address the last turn asked for
	case tc.PendingIntent != "" && orderIntents[tc.PendingIntent] && !orderIntents[intent] && (out.Slots.OrderNumber != "" || out.Slots.Email != ""):
		intent = d.mem[memIntent] // the slot the last turn asked for
	case ruleIntents[tc.PendingIntent] != "" && !orderIntents[intent] && ruleIntents[intent] == "" && d.countryInText() != "":
		intent = tc.PendingIntent // the country the last turn asked for
	}
	if tool := ruleIntents[intent]; tool != "" && d.hasTool(tool) {
		// A general question ("Is VAT included in the price?") names no country: the help
		// center answers it when it is sure of a passage, before the tool asks for one.
		if d.country() == "" && d.slots.Amount.IsZero() {
			if r.knowledgeAnswer(tc, intent, reply, true) {
				return true
			}
			reply.Gap = "" // the tool's question follows; no gap
		}
		if keepLanguage && intent == tc.PendingIntent {
			d.keepLanguage()
		}
		d.mem[memIntent] = intent
		reply.Intent, reply.Handoff, reply.HandoffReason, reply.PendingIntent = intent, false, "", ""
		if intent == offline.IntentVAT {
			d.vat()
		} else {
			d.cod()
		}
		return true
	}
	if !orderIntents[intent] {
		return r.knowledgeAnswer(tc, intent, reply, knowledgeFirst[intent] || ruleIntents[intent] != "")
	}
	if intent != offline.IntentChangeAddress {
		delete(d.mem, memAwait)
	} else if keepLanguage {
		d.keepLanguage()
	}
	d.mem[memIntent] = intent
	reply.Intent, reply.Handoff, reply.HandoffReason, reply.PendingIntent = intent, false, "", ""
	d.order(intent)
	return true
}

// knowledgeAnswer lets the knowledge base answer an informational intent when the
// retrieval is sure of a passage; it reports whether it did.
func (r OfflineResponder) knowledgeAnswer(tc TurnContext, intent string, reply *Reply, informational bool) bool {
	if !informational || tc.PendingIntent != "" || len(tc.Steps) > 0 || tc.Event != "" {
		return false
	}
	r.fromKnowledge(reply, tc)
	return reply.Intent == IntentKnowledgeAnswer
}

// keepLanguage answers in the conversation's language, the one of the last AI message.
func (d *dialog) keepLanguage() {
	if d.tc.LocaleHint != "" {
		d.reply.Lang = i18n.Match(d.tc.LocaleHint).String()
	}
}

// hasTool reports whether the turn may call the named tool.
func (d *dialog) hasTool(name string) bool {
	return slices.ContainsFunc(d.tc.Tools, func(s tools.Spec) bool { return s.Name == name })
}

func (d *dialog) say(key string, args ...any) {
	d.sayText(d.r.Catalog.Text(d.reply.Lang, key, args...))
}

// sayText replies with text composed from the catalog, disclosing the AI first if needed.
func (d *dialog) sayText(text string) {
	if d.tc.FirstAIMessage {
		text = d.r.Catalog.WithDisclosure(d.reply.Lang, text)
	}
	d.reply.Text = text
}

func (d *dialog) ask(key string, args ...any) {
	d.say(key, args...)
	d.reply.PendingIntent = d.mem[memIntent]
}

func (d *dialog) handoff(reason, key string, args ...any) {
	d.say(key, args...)
	d.reply.Handoff, d.reply.HandoffReason = true, reason
}

func (d *dialog) call(name string, args any) {
	b, _ := json.Marshal(args)
	d.reply.Calls = append(d.reply.Calls, tools.Call{ID: name, Name: name, Args: b})
}

// last returns this turn's latest step of a tool.
func (d *dialog) last(name string) (tools.Result, bool) {
	for i := len(d.tc.Steps) - 1; i >= 0; i-- {
		if d.tc.Steps[i].Call.Name == name {
			return d.tc.Steps[i].Result, true
		}
	}
	return tools.Result{}, false
}

// order runs an order scenario one step further: order number, identity, then the intent's
// tool, then the reply from its result.
func (d *dialog) order(intent string) {
	id := d.mem[memOrder]
	if id == "" {
		d.ask(i18n.KeyAskOrderNumber)
		return
	}
	if !d.tc.Identity.Verified() {
		if r, ok := d.last("verify_customer"); ok {
			delete(d.mem, memEmail)
			if r.Outcome == tools.Failed {
				d.handoff(ReasonToolFailure, keyToolFailed)
				return
			}
			d.ask(keyIdentityMismatch, id)
			return
		}
		if d.mem[memEmail] == "" {
			d.ask(keyAskEmail, id)
			return
		}
		d.call("verify_customer", map[string]string{"email": d.mem[memEmail], "order_id": id})
		return
	}
	switch intent {
	case offline.IntentTrack:
		d.track(id)
	case offline.IntentCancel:
		d.act(id, "cancel_pending_order", map[string]string{"order_id": id, "reason": "no longer needed"}, keyConfirmCancel, keyCancelDone, keyCannotCancel)
	case offline.IntentTrackRefund:
		d.refundStatus(id)
	case offline.IntentChangeAddress:
		d.changeAddress(id)
	default:
		d.returnOrder(id)
	}
}

// orderOf decodes the order view of a result (get_order_details, or a write's preview).
func orderOf(r tools.Result) orderDoc {
	var v orderDoc
	_ = json.Unmarshal(r.Data, &v) // a refusal may carry no order: the zero doc
	if v.Order != nil {
		return *v.Order
	}
	return v
}

// orderDoc is the part of an order view the dialog reads.
type orderDoc struct {
	OrderID string `json:"order_id"`
	Status  string `json:"status"`
	Items   []struct {
		ItemID string `json:"item_id"`
	} `json:"items"`
	PaymentMethods []string         `json:"payment_method_ids"`
	Refunded       moneyDoc         `json:"refunded"`
	ShipTo         commerce.Address `json:"ship_to"`
	Order          *orderDoc        `json:"order"`
}

// moneyDoc is money as the order tools write it: "45.00" and "EUR".
type moneyDoc struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// money converts it, false when it holds none.
func (m moneyDoc) money() (commerce.Money, bool) {
	f, err := strconv.ParseFloat(m.Amount, 64)
	if err != nil || m.Currency == "" {
		return commerce.Money{}, false
	}
	v, err := commerce.FromDecimal(f, m.Currency)
	return v, err == nil
}

func (d *dialog) statusSentence(o orderDoc) string {
	key := map[string]string{
		commerce.StatusPending: keyOrderPending, commerce.StatusProcessed: keyOrderProcessed,
		commerce.StatusDelivered: keyOrderDelivered, commerce.StatusCancelled: keyOrderCancelled,
	}[o.Status]
	if key == "" {
		return d.r.Catalog.Text(d.reply.Lang, keyOrderOther, o.OrderID, o.Status)
	}
	return d.r.Catalog.Text(d.reply.Lang, key, o.OrderID)
}

func (d *dialog) notFoundOrFailed(r tools.Result, id string) bool {
	switch r.Outcome {
	case tools.NotFound:
		delete(d.mem, memOrder)
		d.ask(keyOrderNotFound, id)
		return true
	case tools.Failed, tools.Invalid:
		d.handoff(ReasonToolFailure, keyToolFailed)
		return true
	}
	return false
}

func (d *dialog) track(id string) {
	r, ok := d.last("track_order")
	if !ok {
		d.call("track_order", map[string]string{"order_id": id})
		return
	}
	if d.notFoundOrFailed(r, id) {
		return
	}
	var v struct {
		OrderID string `json:"order_id"`
		Status  string `json:"order_status"`
		Parcels []struct {
			TrackingID string `json:"tracking_id"`
			Carrier    string `json:"carrier"`
			Tracking   struct {
				Text string `json:"text"`
				ETA  string `json:"eta_text"`
			} `json:"tracking"`
		} `json:"parcels"`
	}
	_ = json.Unmarshal(r.Data, &v)
	lines := []string{d.statusSentence(orderDoc{OrderID: v.OrderID, Status: v.Status})}
	for _, p := range v.Parcels {
		if p.Tracking.Text == "" {
			continue
		}
		lines = append(lines, d.r.Catalog.Text(d.reply.Lang, keyParcelLine, p.TrackingID, p.Carrier, p.Tracking.Text, p.Tracking.ETA))
	}
	d.sayText(strings.Join(lines, "\n"))
}

func (d *dialog) returnOrder(id string) {
	if _, ok := d.last("return_delivered_order_items"); ok {
		d.act(id, "return_delivered_order_items", nil, keyConfirmReturn, keyReturnDone, keyNotDelivered)
		return
	}
	r, ok := d.last("get_order_details")
	if !ok {
		d.call("get_order_details", map[string]string{"order_id": id})
		return
	}
	if d.notFoundOrFailed(r, id) {
		return
	}
	o := orderOf(r)
	if o.Status != commerce.StatusDelivered {
		d.say(keyNotDelivered, id, d.statusSentence(o))
		return
	}
	items := make([]string, len(o.Items))
	for i, it := range o.Items {
		items[i] = it.ItemID
	}
	pm := ""
	if len(o.PaymentMethods) > 0 {
		pm = o.PaymentMethods[0]
	}
	d.call("return_delivered_order_items", map[string]any{"order_id": id, "item_ids": items, "payment_method_id": pm})
}

// act proposes a write and then reports on it: confirmation question, approval wait, done,
// refused, or failed.
func (d *dialog) act(id, tool string, args any, confirmKey, doneKey, refusedKey string) {
	r, ok := d.last(tool)
	if !ok {
		d.call(tool, args)
		return
	}
	amount := ""
	if r.Amount != nil {
		amount = r.Amount.Format(d.reply.Lang)
	}
	o := orderOf(r)
	switch r.Outcome {
	case tools.NeedsConfirmation:
		if confirmKey == keyConfirmReturn {
			d.ask(confirmKey, len(o.Items), id, amount)
		} else {
			d.ask(confirmKey, id, amount)
		}
	case tools.NeedsApproval:
		d.say(keyApprovalWait, amount)
	case tools.OK:
		if !r.Verified {
			d.handoff(ReasonToolFailure, keyToolFailed)
			return
		}
		d.say(doneKey, id, amount)
	default:
		d.endOfWrite(r, id, refusedKey)
	}
}

// endOfWrite tells a write's outcome other than its preview, its approval wait and its
// success: refused (with the order's status when known), declined, not found or failed.
func (d *dialog) endOfWrite(r tools.Result, id, refusedKey string) {
	switch o := orderOf(r); r.Outcome {
	case tools.Refused:
		if o.Status != "" {
			d.handoff(ReasonPolicyLimit, refusedKey, id, d.statusSentence(o))
		} else {
			d.handoff(ReasonPolicyLimit, keyActionRefused, id)
		}
	case tools.Denied:
		d.say(keyActionDeclined)
	default:
		if !d.notFoundOrFailed(r, id) {
			d.handoff(ReasonToolFailure, keyToolFailed)
		}
	}
}

func (d *dialog) approvalDecided(s ToolStep) {
	o := orderOf(s.Result)
	amount := ""
	if s.Result.Amount != nil {
		amount = s.Result.Amount.Format(d.reply.Lang)
	}
	d.reply.Intent = "approval"
	switch {
	case s.Result.Outcome == tools.OK && s.Result.Verified:
		d.say(keyApprovalDone, o.OrderID, amount)
	case s.Result.Outcome == tools.Denied:
		d.handoff(ReasonPolicyLimit, keyApprovalDenied, o.OrderID)
	default:
		d.handoff(ReasonToolFailure, keyToolFailed)
	}
}

// text is a catalog sentence in the reply's language.
func (d *dialog) text(key string, args ...any) string {
	return d.r.Catalog.Text(d.reply.Lang, key, args...)
}

// countryLookup runs a read tool about a country: it asks for the country when neither the
// message nor the conversation names one, calls the tool with args(country), and once the
// tool answered decodes its data (a failure hands off). ok is false while there is nothing
// to tell yet.
func countryLookup[T any](d *dialog, tool, askCountryKey string, args func(country string) any) (info T, ok bool) {
	r, called := d.last(tool)
	if !called {
		if country := d.country(); country == "" {
			d.ask(askCountryKey)
		} else {
			d.call(tool, args(country))
		}
		return info, false
	}
	if r.Outcome != tools.OK || json.Unmarshal(r.Data, &info) != nil {
		d.handoff(ReasonToolFailure, keyToolFailed)
		return info, false
	}
	return info, true
}

// amountArg is the amount the customer named, in major units, with its currency; zero and
// "" when they named none.
func (d *dialog) amountArg() (float64, string) {
	a := d.slots.Amount
	if a.IsZero() {
		return 0, ""
	}
	return commerce.Money{Amount: a.Minor, Currency: a.Currency}.Decimal(), a.Currency
}

// vat answers a VAT question with vat_info: the destination's rates, the €150 rule (or
// what it means for the amount given), and what the VAT number given is worth.
func (d *dialog) vat() {
	info, ok := countryLookup[vat.Info](d, vat.ToolName, keyVATAskCountry, func(country string) any {
		args := vat.InfoArgs{Country: country, VATNumber: d.slots.VATNumber, B2B: d.slots.VATNumber != ""}
		args.Amount, args.Currency = d.amountArg()
		return args
	})
	if !ok {
		return
	}
	name := d.countryName(info.Country)
	var lines []string
	if !info.EU {
		lines = append(lines, d.text(keyVATNotEU, name))
	} else {
		if len(info.ReducedRates) > 0 {
			lines = append(lines, d.text(keyVATRateReduced, name, info.StandardRate, d.list(info.ReducedRates)))
		} else {
			lines = append(lines, d.text(keyVATRate, name, info.StandardRate))
		}
		a := info.Assessment
		switch {
		case a != nil && a.Reason == vat.ReasonIOSS && a.VAT != nil:
			lines = append(lines, d.text(keyVATIOSS, a.VAT.Money().Format(d.reply.Lang)))
		case a != nil && (a.Reason == vat.ReasonImport || a.Reason == vat.ReasonReverseCharge || a.Reason == vat.ReasonB2BNoNumber):
			lines = append(lines, d.text(a.MessageKey))
		default:
			lines = append(lines, d.text(keyVATIOSSRule, info.IOSSThreshold.Money().Format(d.reply.Lang)))
		}
	}
	if n := info.VATNumber; n != nil {
		switch {
		case n.WellFormed && n.ChecksumValid:
			lines = append(lines, d.text(keyVATNumberValid, n.Number))
		case n.Problem == "":
			lines = append(lines, d.text(keyVATNumberFormat, n.Number))
		default:
			lines = append(lines, d.text(keyVATNumberInvalid, n.Number))
		}
	}
	d.sayText(strings.Join(lines, " "))
}

// cod answers a cash-on-delivery question with cod_info: whether it is offered in the
// country, up to what and with whom (or, with an amount, for this order and at what fee),
// and what refusing a parcel costs.
func (d *dialog) cod() {
	info, ok := countryLookup[cod.Info](d, cod.ToolName, keyCODAskCountry, func(country string) any {
		args := cod.InfoArgs{Country: country}
		args.Amount, args.Currency = d.amountArg()
		return args
	})
	if !ok {
		return
	}
	name := d.countryName(info.Country)
	if !info.Available {
		d.sayText(d.text(keyCODUnavailableIn, name))
		return
	}
	var lines []string
	dec := info.Decision
	switch {
	case dec != nil && dec.Allowed && dec.Fee != nil:
		lines = append(lines, d.text(keyCODAllowed, dec.Fee.Money().Format(d.reply.Lang)))
	case dec != nil && dec.Reason == cod.ReasonOverLimit && dec.Limit != nil:
		lines = append(lines, d.text(keyCODOverLimit, dec.Limit.Money().Format(d.reply.Lang)))
	default:
		names := make([]string, len(info.Carriers))
		for i, c := range info.Carriers {
			names[i] = c.Name
		}
		limit := ""
		if info.MaxOrder != nil {
			limit = info.MaxOrder.Money().Format(d.reply.Lang)
		}
		lines = append(lines, d.text(keyCODAvailableIn, name, limit, d.list(names)))
	}
	if p := info.Refusal; p != nil {
		if p.BlockAfter > 0 {
			lines = append(lines, d.text(keyCODRefusalBlock, p.BlockAfter, p.WindowDays))
		}
		if p.ReturnShippingCharged {
			lines = append(lines, d.text(keyCODRefusalCharge))
		}
	}
	d.sayText(strings.Join(lines, " "))
}

// refundStatus tells what was refunded on an order so far.
func (d *dialog) refundStatus(id string) {
	r, ok := d.last(toolOrderDetails)
	if !ok {
		d.call(toolOrderDetails, map[string]string{"order_id": id})
		return
	}
	if d.notFoundOrFailed(r, id) {
		return
	}
	o := orderOf(r)
	if m, ok := o.Refunded.money(); ok && m.Amount > 0 {
		d.say(keyRefundStatus, id, m.Format(d.reply.Lang))
		return
	}
	d.say(keyRefundNone, id, d.statusSentence(o))
}

// changeAddress collects the new address in one message, reads back what the tool
// understood for the customer to confirm, and reports the change once the shop shows it.
func (d *dialog) changeAddress(id string) {
	if r, ok := d.last(toolAddress); ok {
		o := orderOf(r)
		delete(d.mem, memAddress)
		delete(d.mem, memAwait)
		switch r.Outcome {
		case tools.NeedsConfirmation:
			var p struct {
				Details commerce.Address `json:"details"`
			}
			_ = json.Unmarshal(r.Data, &p) // a preview always carries its details
			d.mem[memAwait] = awaitAddress // a corrected address replaces this one
			d.ask(keyConfirmAddress, id, d.formatAddress(p.Details))
		case tools.OK:
			if !r.Verified {
				d.handoff(ReasonToolFailure, keyToolFailed)
				return
			}
			d.say(keyAddressDone, id, d.formatAddress(o.ShipTo))
		case tools.Invalid:
			if r.Reason != "bad_arguments" {
				d.handoff(ReasonToolFailure, keyToolFailed) // no such tool: nothing to ask the customer
				return
			}
			// The tool refused the fields (a country it does not know): ask for the address again.
			d.mem[memAwait] = awaitAddress
			d.ask(keyAddressUnclear)
		default:
			d.endOfWrite(r, id, keyAddressRefused)
		}
		return
	}
	args := d.mem[memAddress]
	if args == "" {
		if d.mem[memAwait] != awaitAddress || d.tc.PendingIntent != offline.IntentChangeAddress {
			d.mem[memAwait] = awaitAddress
			d.ask(keyAskAddress, id)
			return
		}
		a, ok := parseAddress(d.tc.Text, d.tc.Market)
		if !ok {
			d.ask(keyAddressUnclear)
			return
		}
		a["order_id"] = id
		b, _ := json.Marshal(a)
		args = string(b)
		d.mem[memAddress] = args
		delete(d.mem, memAwait)
	}
	d.reply.Calls = append(d.reply.Calls, tools.Call{ID: toolAddress, Name: toolAddress, Args: json.RawMessage(args)})
}

// answersAddress reports whether this message is the address the last turn asked for: it
// reads as one, or the engine saw nothing else in it.
func (d *dialog) answersAddress(intent string) bool {
	switch intent {
	case offline.IntentUnknown, offline.IntentChangeAddress, offline.IntentSetUpAddress, offline.IntentDeliveryOptions:
		return true
	}
	_, ok := parseAddress(d.tc.Text, d.tc.Market)
	return ok && !orderIntents[intent] && intent != offline.IntentHuman && intent != offline.IntentService && intent != offline.IntentDeny
}

// formatAddress writes an address on one line for a read-back: lines, postal code and
// city, and the country in the customer's language.
func (d *dialog) formatAddress(a commerce.Address) string {
	parts := []string{a.Line1}
	if a.Line2 != "" {
		parts = append(parts, a.Line2)
	}
	city := strings.TrimSpace(a.Zip + " " + a.City)
	if a.State != "" {
		city += " " + a.State
	}
	parts = append(parts, city)
	if a.Country != "" {
		parts = append(parts, d.countryName(a.Country))
	}
	return strings.Join(parts, ", ")
}

// list joins items the way the reply's language writes a short list.
func (d *dialog) list(items []string) string {
	sep := ", "
	switch d.reply.Lang {
	case "ja", "zh-Hans":
		sep = "、"
	case "ar":
		sep = "، "
	}
	return strings.Join(items, sep)
}

// country is the country a VAT or cash-on-delivery question is about: the one the
// customer named, else the issuer of the VAT number given, else the conversation's market.
func (d *dialog) country() string {
	if c := d.countryInText(); c != "" {
		return c
	}
	if n := d.slots.VATNumber; len(n) >= 2 {
		if n[:2] == "EL" {
			return "GR"
		}
		return n[:2]
	}
	return strings.ToUpper(d.tc.Market)
}

func (d *dialog) countryInText() string { return findCountry(d.tc.Text) }

// countryName is a country's name in the reply's language ("Deutschland", "ประเทศไทย").
func (d *dialog) countryName(code string) string {
	reg, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(language.Make(d.reply.Lang)).Name(reg); n != "" {
		return n
	}
	return code
}

// countryRegions are the countries a customer's message is searched for: the EU member
// states, the cash-on-delivery markets and the large markets beside them.
var countryRegions = []string{
	"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
	"LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
	"TH", "VN", "ID", "MY", "PH", "SG", "SA", "AE", "QA", "KW", "BH", "OM", "EG", "JO",
	"GB", "US", "CH", "NO", "JP", "CN", "KR", "BR", "MX", "CA", "AU", "IN",
}

// countryAliases are what customers write beside the names CLDR gives.
var countryAliases = map[string]string{
	"uk": "GB", "britain": "GB", "great britain": "GB", "england": "GB", "usa": "US", "america": "US",
	"holland": "NL", "czechia": "CZ", "czech republic": "CZ", "uae": "AE", "emirates": "AE", "viet nam": "VN",
	"korea": "KR", "السعودية": "SA", "الإمارات": "AE", "الامارات": "AE", "الكويت": "KW", "قطر": "QA",
	"البحرين": "BH", "عمان": "OM", "مصر": "EG", "الأردن": "JO", "الاردن": "JO", "ไทย": "TH", "泰国": "TH",
	"deutschland": "DE", "espana": "ES", "italia": "IT", "osterreich": "AT", "nederland": "NL", "polska": "PL",
	"sverige": "SE", "danmark": "DK", "suomi": "FI", "eire": "IE", "magyarorszag": "HU", "hellas": "GR",
}

// countryStopwords are names too common as ordinary words to be taken for a country
// (Vietnamese "Anh", the United Kingdom, is also "you").
var countryStopwords = map[string]bool{"anh": true}

type namedCountry struct {
	folded string
	code   string
}

// countryNames lists the names of countryRegions in the eleven catalog languages and
// English, folded like the message, longest first. Built once, read-only.
var countryNames = sync.OnceValue(func() []namedCountry {
	seen := map[string]bool{}
	var out []namedCountry
	add := func(name, code string, alias bool) {
		f := strings.TrimSpace(hashembed.Normalize(name))
		if !alias && utf8.RuneCountInString(f) < 3 && !strings.ContainsFunc(f, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			return // "Ý", "Mỹ": single syllables that are ordinary words elsewhere
		}
		if f == "" || seen[f] || countryStopwords[f] {
			return
		}
		seen[f] = true
		out = append(out, namedCountry{folded: f, code: code})
	}
	for _, lang := range []string{"en", "es", "de", "fr", "pt", "ar", "th", "vi", "id", "ja", "zh-Hans"} {
		namer := display.Regions(language.Make(lang))
		for _, code := range countryRegions {
			add(namer.Name(language.MustParseRegion(code)), code, false)
		}
	}
	for _, alias := range slices.Sorted(maps.Keys(countryAliases)) {
		add(alias, countryAliases[alias], true)
	}
	slices.SortStableFunc(out, func(a, b namedCountry) int { return len(b.folded) - len(a.folded) })
	return out
})

// findCountry returns the ISO code of the first country named in text, "" if none. Names
// in Latin script and katakana must stand as words; Arabic, Thai and Han names may be
// glued to the words around them ("بألمانيا", "ในเยอรมนี", "德国的").
func findCountry(text string) string {
	folded := hashembed.Normalize(text)
	best, bestAt := "", len(folded)+1
	for _, n := range countryNames() {
		from := 0
		for {
			i := strings.Index(folded[from:], n.folded)
			if i < 0 {
				break
			}
			i += from
			if i < bestAt && standsAlone(folded, i, i+len(n.folded)) {
				best, bestAt = n.code, i
				break
			}
			from = i + len(n.folded)
		}
	}
	return best
}

// standsAlone reports whether folded[i:j] is not part of a longer word of its script.
func standsAlone(folded string, i, j int) bool {
	first, _ := utf8.DecodeRuneInString(folded[i:])
	last, _ := utf8.DecodeLastRuneInString(folded[:j])
	before, _ := utf8.DecodeLastRuneInString(folded[:i])
	after, _ := utf8.DecodeRuneInString(folded[j:])
	joined := func(a, b rune) bool {
		switch {
		case unicode.Is(unicode.Latin, a):
			return unicode.IsLetter(b) || unicode.IsDigit(b)
		case unicode.Is(unicode.Katakana, a):
			return unicode.Is(unicode.Katakana, b) || b == 'ー'
		}
		return false
	}
	return (i == 0 || !joined(first, before)) && (j == len(folded) || !joined(last, after))
}

var (
	// postalCodeRE finds the postal code of an address part: 10115, 75008, 1010, 01310-100,
	// 100-0001, 1012 AB, SW1A 1AA.
	postalCodeRE = regexp.MustCompile(`(?i)(?:^|\s)(\d{3}-\d{4}|\d{5}-\d{3}|\d{4} ?[a-z]{2}|[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}|\d{4,6})(?:\s|$)`)
	// addressIntroRE is what may come before the address itself: "my new address is",
	// "Meine neue Adresse ist", "Nueva dirección:".
	addressIntroRE = regexp.MustCompile(`(?i)^(?:[^\d,:]*:|[^\d,]*?\b(?:address|adresse|anschrift|direcci[oó]n|endere[cç]o|alamat|địa chỉ|dia chi)\b[^\d,]*?\s(?:is|ist|es|est|é|adalah|là|la)\s+)`)
)

// parseAddress reads a postal address written on one line or several, its parts separated
// by commas, semicolons or line breaks ("Hauptstraße 5, 10115 Berlin, Germany"): the
// street line (letters and a number), the postal code with the city in the same part or the
// next, the country by name (else defaultCountry), and anything left as the second line.
// It reports false unless street, postal code, city and country were all found.
func parseAddress(text, defaultCountry string) (map[string]string, bool) {
	var parts []string
	for _, p := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '，' || r == '、' }) {
		if p = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), ".。")); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return nil, false
	}
	parts[0] = strings.TrimSpace(addressIntroRE.ReplaceAllString(parts[0], ""))
	country := ""
	rest := parts[:0:0]
	for _, p := range parts {
		if c := findCountry(p); c != "" && country == "" && utf8.RuneCountInString(p) <= 40 && !strings.ContainsAny(p, "0123456789") {
			country = c
			continue
		}
		rest = append(rest, p)
	}
	if country == "" {
		country = strings.ToUpper(defaultCountry)
	}
	a := map[string]string{"country": country}
	zipAt := -1
	for i, p := range rest {
		if i == 0 && len(rest) > 1 {
			continue // the street line comes first; its house number is no postal code
		}
		if m := postalCodeRE.FindStringSubmatchIndex(p); m != nil {
			a["zip"] = strings.ToUpper(p[m[2]:m[3]])
			a["city"] = strings.TrimSpace(p[:m[2]] + " " + p[m[3]:])
			zipAt = i
			break
		}
	}
	if zipAt < 0 {
		return nil, false
	}
	if a["city"] == "" && zipAt+1 < len(rest) {
		a["city"] = rest[zipAt+1]
		rest = slices.Delete(slices.Clone(rest), zipAt+1, zipAt+2)
	}
	var others []string
	for i, p := range rest {
		switch {
		case i == zipAt:
		case a["address1"] == "":
			a["address1"] = p
		default:
			others = append(others, p)
		}
	}
	if len(others) > 0 {
		a["address2"] = strings.Join(others, ", ")
	}
	letters := strings.ContainsFunc(a["address1"], unicode.IsLetter)
	if !letters || a["city"] == "" || a["country"] == "" {
		return nil, false
	}
	return a, true
}
