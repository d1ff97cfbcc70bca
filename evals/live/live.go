// Package live drives eval cases through a running Attaché: the customer's turns go in by
// the HTTP API the widget uses (so validation, identity, rate limits, the workflow, tools
// and guardrails all take part), and what happened is read back from where the service
// keeps it — the conversation store (messages with their annotations, disclosures), the
// workflow's history (the tools it ran) and the shop (the orders' final state).
//
// It is the evals.Driver of `attache eval run` and of runs started from the eval console.
// It is not a load generator: attempts are independent conversations, not a traffic model.
package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
)

// Conversations is what the driver reads of the conversation store.
type Conversations interface {
	Get(ctx context.Context, id string) (conversation.Conversation, error)
	Messages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]conversation.Message, error)
	TurnMessages(ctx context.Context, conversationID, turnID string) ([]conversation.Message, error)
	Disclosures(ctx context.Context, conversationID string) ([]conversation.Disclosure, error)
}

// Driver runs attempts against one Attaché deployment.
type Driver struct {
	// HTTP reaches the API at Base ("http://127.0.0.1:8080").
	HTTP *http.Client
	Base string
	// Conversations reads transcripts and disclosures (with every region's database).
	Conversations Conversations
	// Shop is the built-in commerce connector the fixtures go into.
	Shop *pgstore.Store
	// Tools is the registry the workers run: it says which calls change the shop.
	Tools interface {
		Spec(name string) (tools.Spec, bool)
	}
	// Temporal reads the workflows' histories; its DataConverter opens sealed payloads.
	Temporal  client.Client
	Converter converter.DataConverter
	// SignIdentity signs an identity token for a verified customer; nil refuses cases with
	// one.
	SignIdentity func(email string) (string, error)
	// OnConversation is told each conversation an attempt creates (to keep it out of the
	// live analytics); nil: nothing.
	OnConversation func(ctx context.Context, conversationID, runID string) error
	// Pending is how long a turn answered 202 is polled for before the attempt fails.
	Pending time.Duration
	Logger  *slog.Logger
}

// Attempt runs one attempt of a scripted case.
func (d *Driver) Attempt(ctx context.Context, a evals.AttemptSpec) (evals.Observation, error) {
	sess, err := d.Open(ctx, a)
	if err != nil {
		return evals.Observation{ConversationID: sessionID(sess)}, err
	}
	for i, t := range a.Case.Turns {
		if _, err := sess.Send(ctx, t.Text, t.Locale); err != nil {
			obs, oerr := sess.Finish(ctx)
			return obs, errors.Join(fmt.Errorf("turn %d: %w", i+1, err), oerr)
		}
	}
	return sess.Finish(ctx)
}

// Session is one attempt's conversation, driven turn by turn (a simulated customer writes
// each message after reading the last reply).
type Session struct {
	d       *Driver
	a       evals.AttemptSpec
	obs     evals.Observation
	latency map[string]time.Duration
	turnOf  map[string]int
}

func sessionID(s *Session) string {
	if s == nil {
		return ""
	}
	return s.obs.ConversationID
}

// Open puts the attempt's shop in place and opens its conversation.
func (d *Driver) Open(ctx context.Context, a evals.AttemptSpec) (*Session, error) {
	c := a.Case
	if len(a.Shop.Data.Customers)+len(a.Shop.Data.Orders) > 0 {
		if d.Shop == nil {
			return nil, errors.New("the case has shop fixtures, but the shop is not the built-in connector")
		}
		for _, id := range a.Shop.OrderIDs {
			if _, err := d.Shop.Order(ctx, id); err == nil {
				return nil, fmt.Errorf("fixture order %s exists already: run again (the attempt tag collided)", id)
			}
		}
		if err := d.Shop.Put(ctx, a.Shop.Data); err != nil {
			return nil, fmt.Errorf("put fixtures: %w", err)
		}
	}
	body := map[string]any{"locale": c.Locale, "market": c.Market, "channel": c.Channel}
	if c.Customer.Verified {
		if d.SignIdentity == nil {
			return nil, errors.New("the case has a verified customer, but no identity secret is configured (ATTACHE_IDENTITY_SECRET)")
		}
		tok, err := d.SignIdentity(c.Customer.Email)
		if err != nil {
			return nil, fmt.Errorf("sign identity: %w", err)
		}
		body["identity_token"] = tok
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := d.call(ctx, "POST", "/v1/conversations", body, http.StatusCreated, &created); err != nil {
		return nil, fmt.Errorf("open conversation: %w", err)
	}
	s := &Session{d: d, a: a, latency: map[string]time.Duration{}, turnOf: map[string]int{}}
	s.obs.ConversationID = created.ID
	if d.OnConversation != nil {
		if err := d.OnConversation(ctx, created.ID, a.RunID); err != nil {
			return s, fmt.Errorf("record the eval conversation: %w", err)
		}
	}
	return s, nil
}

// ConversationID is the session's conversation.
func (s *Session) ConversationID() string { return s.obs.ConversationID }

// Send sends the customer's next message (locale "" is the case's) and returns the
// replies to it, once they are stored.
func (s *Session) Send(ctx context.Context, text, locale string) ([]evals.Line, error) {
	n := len(s.turnOf) + 1
	turnID := "eval-" + strconv.Itoa(n)
	s.turnOf[turnID] = n
	if locale == "" {
		locale = s.a.Case.Locale
	}
	start := time.Now()
	var res struct {
		Status string `json:"status"`
	}
	id := s.obs.ConversationID
	if err := s.d.call(ctx, "POST", "/v1/conversations/"+id+"/messages",
		map[string]any{"text": text, "locale": locale, "turn_id": turnID}, 0, &res); err != nil {
		return nil, err
	}
	if res.Status == "pending" {
		if err := s.d.awaitReply(ctx, id, turnID); err != nil {
			return nil, err
		}
	}
	s.latency[turnID] = time.Since(start)
	msgs, err := s.d.Conversations.TurnMessages(ctx, id, turnID)
	if err != nil {
		return nil, err
	}
	var out []evals.Line
	for _, m := range msgs {
		if m.Author != conversation.AuthorCustomer {
			out = append(out, evals.Line{Turn: n, Author: string(m.Author), Text: m.Text, Lang: m.Lang, Intent: m.Intent, Handoff: m.Handoff})
		}
	}
	return out, nil
}

// Finish reads back what the attempt left: transcript, tools, handoff, disclosure and the
// shop's orders.
func (s *Session) Finish(ctx context.Context) (evals.Observation, error) {
	obs := s.obs
	err := s.d.observe(ctx, &obs, s.a, s.turnOf, s.latency)
	return obs, err
}

func (d *Driver) observe(ctx context.Context, obs *evals.Observation, a evals.AttemptSpec, turnOf map[string]int, latency map[string]time.Duration) error {
	conv, err := d.Conversations.Get(ctx, obs.ConversationID)
	if err != nil {
		return fmt.Errorf("read conversation: %w", err)
	}
	msgs, err := d.Conversations.Messages(ctx, obs.ConversationID, 0, 1000)
	if err != nil {
		return fmt.Errorf("read transcript: %w", err)
	}
	turn := 0
	for _, m := range msgs {
		if n, ok := turnOf[m.TurnID]; ok {
			turn = n
		}
		l := evals.Line{Turn: max(turn, 1), Author: string(m.Author), Text: m.Text, Lang: m.Lang, Intent: m.Intent, Handoff: m.Handoff}
		if m.Author == conversation.AuthorCustomer {
			l.Latency = latency[m.TurnID]
		}
		if rules := m.Meta["taboo_rules"]; rules != "" {
			l.TabooHits = strings.Fields(rules)
		}
		if m.Handoff {
			obs.Handoff = true
			if r := m.Meta["handoff_reason"]; r != "" {
				obs.HandoffReason = r
			}
		}
		obs.Transcript = append(obs.Transcript, l)
	}
	if conv.Status == conversation.StatusHandoff {
		obs.Handoff = true
	}
	if conv.HandoffReason != "" {
		obs.HandoffReason = conv.HandoffReason
	}
	ds, err := d.Conversations.Disclosures(ctx, obs.ConversationID)
	if err != nil {
		return fmt.Errorf("read disclosures: %w", err)
	}
	obs.Disclosed = len(ds) > 0
	if obs.ToolCalls, err = d.toolCalls(ctx, obs.ConversationID); err != nil {
		return err
	}
	obs.Orders = map[string]evals.OrderState{}
	for _, id := range a.Shop.OrderIDs {
		o, err := d.Shop.Order(ctx, id)
		if err != nil {
			return fmt.Errorf("read order %s: %w", id, err)
		}
		ref := o.Refunded()
		scale, _ := commerce.Scale(ref.Currency)
		obs.Orders[id] = evals.OrderState{Status: o.Status, Refunded: ref.Amount, Currency: ref.Currency, Scale: scale}
	}
	return nil
}

// awaitReply polls the transcript until the turn has a reply.
func (d *Driver) awaitReply(ctx context.Context, conversationID, turnID string) error {
	wait := d.Pending
	if wait == 0 {
		wait = 2 * time.Minute
	}
	deadline := time.Now().Add(wait)
	for {
		msgs, err := d.Conversations.TurnMessages(ctx, conversationID, turnID)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Author != conversation.AuthorCustomer {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no reply within %s", wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// toolCalls reads the tools the conversation's workflow ran or proposed from its history:
// what the workflow did, not what a reply claims. A previewed call that never ran is
// "proposed"; an activity that failed for good is "failed".
func (d *Driver) toolCalls(ctx context.Context, conversationID string) ([]evals.ToolCall, error) {
	if d.Temporal == nil {
		return nil, nil
	}
	type sched struct {
		kind string
		inv  tools.Invocation
	}
	scheduled := map[int64]sched{}
	var out []evals.ToolCall
	ran := map[string]bool{}
	var previews []tools.Invocation
	dc := d.Converter
	if dc == nil {
		dc = converter.GetDefaultDataConverter()
	}
	it := d.Temporal.GetWorkflowHistory(ctx, agents.WorkflowID(conversationID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("read workflow history: %w", err)
		}
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			attr := ev.GetActivityTaskScheduledEventAttributes()
			kind := attr.GetActivityType().GetName()
			if kind != "RunTool" && kind != "PreviewTool" {
				continue
			}
			var inv tools.Invocation
			if err := dc.FromPayloads(attr.GetInput(), &inv); err != nil {
				return nil, fmt.Errorf("decode %s input: %w", kind, err)
			}
			scheduled[ev.GetEventId()] = sched{kind, inv}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			attr := ev.GetActivityTaskCompletedEventAttributes()
			s, ok := scheduled[attr.GetScheduledEventId()]
			if !ok {
				continue
			}
			var r tools.Result
			if err := dc.FromPayloads(attr.GetResult(), &r); err != nil {
				return nil, fmt.Errorf("decode %s result: %w", s.kind, err)
			}
			if s.kind == "PreviewTool" {
				previews = append(previews, s.inv)
				continue
			}
			ran[s.inv.Key] = true
			out = append(out, d.toolCall(s.inv, string(r.Outcome), r.Reason))
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
			id := failedScheduledID(ev)
			if s, ok := scheduled[id]; ok && s.kind == "RunTool" {
				ran[s.inv.Key] = true
				out = append(out, d.toolCall(s.inv, string(tools.Failed), "activity failed"))
			}
		}
	}
	for _, p := range previews {
		if !ran[p.Key] {
			out = append(out, d.toolCall(p, "proposed", ""))
		}
	}
	return out, nil
}

// toolCall is an invocation as the run reports it, with the tool's effect from the registry.
func (d *Driver) toolCall(inv tools.Invocation, outcome, reason string) evals.ToolCall {
	effect := "unknown"
	if d.Tools != nil {
		if s, ok := d.Tools.Spec(inv.Call.Name); ok {
			effect = string(s.Effect)
		}
	}
	return evals.ToolCall{Name: inv.Call.Name, Args: args(inv.Call.Args), Outcome: outcome, Error: reason, Effect: effect}
}

func failedScheduledID(ev *historypb.HistoryEvent) int64 {
	if a := ev.GetActivityTaskFailedEventAttributes(); a != nil {
		return a.GetScheduledEventId()
	}
	return ev.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId()
}

func args(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage(`{}`)
	}
	return raw
}

// call makes one API request; want 0 accepts any 2xx.
func (d *Driver) call(ctx context.Context, method, path string, body any, want int, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(d.Base, "/")+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if (want != 0 && resp.StatusCode != want) || resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %.300s", method, path, resp.Status, rb)
	}
	if out != nil {
		if err := json.Unmarshal(rb, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}
