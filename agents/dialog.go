package agents

import (
	"encoding/json"
	"strings"

	"github.com/attache-dev/attache/agents/offline"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/commerce"
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
	keyActionDeclined   = "action_declined"
	keyApprovalWait     = "approval_wait"        // {0} amount
	keyApprovalDone     = "approval_done"        // {0} order, {1} amount
	keyApprovalDenied   = "approval_denied"      // {0} order
	keyCannotCancel     = "cannot_cancel"        // {0} order, {1} status sentence
	keyNotDelivered     = "return_not_delivered" // {0} order, {1} status sentence
	keyActionRefused    = "action_refused"       // {0} order
	keyToolFailed       = "tool_failed"
)

// Handoff reasons of tool scenarios.
const (
	ReasonToolFailure = "tool_failure"
	ReasonPolicyLimit = "policy_limit"
)

// Memory slots.
const (
	memOrder  = "order_id"
	memEmail  = "email"
	memIntent = "intent"
)

// orderIntents are the standard scenarios the offline engine completes with tools.
var orderIntents = map[string]bool{
	offline.IntentTrack: true, offline.IntentCancel: true, offline.IntentRefund: true, offline.IntentReturn: true,
}

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
// one (the engine's reply stands).
func (r OfflineResponder) withTools(tc TurnContext, out offline.Reply, reply *Reply) bool {
	if r.Catalog == nil || (len(tc.Tools) == 0 && len(tc.Steps) == 0 && tc.Event == "") {
		return false
	}
	d := &dialog{r: r, tc: tc, reply: reply, slots: out.Slots, mem: map[string]string{}}
	for k, v := range tc.Memory {
		d.mem[k] = v
	}
	if out.Slots.OrderNumber != "" {
		d.mem[memOrder] = out.Slots.OrderNumber
	}
	if out.Slots.Email != "" {
		d.mem[memEmail] = out.Slots.Email
	}
	defer func() { reply.Memory = d.mem }()

	if tc.Event == EventApprovalDecided && len(tc.Steps) > 0 {
		d.approvalDecided(tc.Steps[0])
		return true
	}
	if p := tc.Pending; p != nil && p.Kind == AwaitConfirmation && len(tc.Steps) == 0 && tc.Event == "" {
		// The engine's reply treats a bare yes as unclear; its analysis knows better.
		switch out.Analyzed {
		case offline.IntentConfirm:
			reply.Confirmation = ConfirmYes
			reply.Calls = []tools.Call{p.Call}
			return true
		case offline.IntentDeny:
			reply.Confirmation = ConfirmNo
			d.say(keyActionDeclined)
			reply.Intent, reply.Handoff, reply.HandoffReason = offline.IntentDeny, false, ""
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
	if len(tc.Steps) > 0 || (tc.PendingIntent != "" && orderIntents[tc.PendingIntent] && !orderIntents[intent] && (out.Slots.OrderNumber != "" || out.Slots.Email != "")) {
		intent = d.mem[memIntent] // a later round, or the slot the last turn asked for
	}
	if !orderIntents[intent] {
		return false
	}
	d.mem[memIntent] = intent
	reply.Intent, reply.Handoff, reply.HandoffReason, reply.PendingIntent = intent, false, "", ""
	d.order(intent)
	return true
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
	PaymentMethods []string  `json:"payment_method_ids"`
	Order          *orderDoc `json:"order"`
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
