package agents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/handoff/packet"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/policy/screen"
	"github.com/attache-dev/attache/policy/taboo"
	"github.com/attache-dev/attache/stream"
	"github.com/attache-dev/attache/tools"
)

// ErrTypeInvalid marks activity failures that retrying cannot fix.
const ErrTypeInvalid = "InvalidInput"

// historyTurns is how many recent messages a responder sees.
const historyTurns = 12

// store is what the activities need of the conversation store.
type store interface {
	Get(ctx context.Context, id string) (conversation.Conversation, error)
	Append(ctx context.Context, nm conversation.NewMessage) (conversation.Message, bool, error)
	TurnMessages(ctx context.Context, conversationID, turnID string) ([]conversation.Message, error)
	Messages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]conversation.Message, error)
	CountAI(ctx context.Context, conversationID string, beforeSeq int64) (int, error)
	SetStatus(ctx context.Context, id string, st conversation.Status, reason string) error
	SetLocale(ctx context.Context, id, locale string) error
	DisclosureDue(ctx context.Context, conversationID, channel string) (reason string, err error)
	RecordDisclosure(ctx context.Context, d conversation.Disclosure) error
	AddParticipant(ctx context.Context, conversationID string, kind conversation.Author, displayName string) error
}

// knowledgeBase is what the activities need of the knowledge base.
type knowledgeBase interface {
	Search(ctx context.Context, q knowledge.Query) ([]knowledge.Passage, error)
	RecordGap(ctx context.Context, g knowledge.Gap) error
}

// Activities are the conversation workflow's I/O. Its fields are its dependencies.
type Activities struct {
	Store     store
	Events    stream.Publisher
	Responder Responder
	Knowledge knowledgeBase   // nil: answer without a knowledge base
	Tools     *tools.Registry // nil: no tools
	// Identities resolves who a conversation's verified identity token names; nil: tokens
	// verify nobody.
	Identities identityResolver
	// Catalog words the AI disclosure the activities enforce and record; nil leaves the
	// disclosure to the responder and records no evidence.
	Catalog *i18n.Catalog
	// Guarded answers a customer message the input screen flagged as a prompt injection,
	// instead of Responder: the offline engine, which no text can instruct. nil: Responder.
	Guarded Responder
	// Taboo screens every outgoing AI message against the market's and locale's policy
	// packs (a *taboo.Screener, or a *taboo.Live that admins' edits replace); nil sends
	// replies unscreened.
	Taboo tabooScreener
	// Rewriter rewrites a reply a taboo rule asks to have rewritten (the configured model);
	// nil hands such a reply to a person.
	Rewriter Rewriter
	// Desk routes and queues handoffs for the human agents; nil: a handoff is a status only.
	Desk HandoffDesk
	// Translator translates human agents' messages into the customer's language; nil passes
	// them through, marked untranslated.
	Translator Translator
	// Rollout decides, per market × intent, whether the AI answers or a person does; nil:
	// the AI answers (the autonomous stage everywhere).
	Rollout Rollout
	Logger  *slog.Logger
}

// identityResolver finds the shop's customer a verified identity token names (the zero
// Identity when the shop knows nobody by it).
type identityResolver interface {
	Resolve(ctx context.Context, c conversation.Claimed) (tools.Identity, error)
}

// SaveInboundInput is a customer message to persist.
type SaveInboundInput struct {
	ConversationID, TurnID, Text, Locale string
}

// SavedMessage identifies a stored message.
type SavedMessage struct {
	ID  string
	Seq int64
	// Negative: the customer's message reads as upset (a keyword and emoji score, in the
	// message's language); repeated, it hands the conversation to a person.
	Negative bool
}

// SaveInbound stores the customer's message (once per turn, however often it is retried)
// and announces it on the live stream.
func (a *Activities) SaveInbound(ctx context.Context, in SaveInboundInput) (SavedMessage, error) {
	lang := i18n.Detect(in.Text, in.Locale).Lang
	meta := screenMeta(screen.Screen(in.Text))
	negative, _ := packet.Sentiment(in.Text, lang)
	if negative {
		if meta == nil {
			meta = map[string]string{}
		}
		meta["sentiment"] = "negative"
	}
	m, created, err := a.Store.Append(ctx, conversation.NewMessage{
		ConversationID: in.ConversationID, TurnID: in.TurnID, Author: conversation.AuthorCustomer,
		Text: in.Text, Lang: lang, Meta: meta,
	})
	if errors.Is(err, conversation.ErrNotFound) {
		return SavedMessage{}, temporal.NewNonRetryableApplicationError("conversation not found", ErrTypeInvalid, err)
	}
	if err != nil {
		return SavedMessage{}, err
	}
	if created {
		a.publish(ctx, stream.MessageEvent(m))
	}
	return SavedMessage{ID: m.ID, Seq: m.Seq, Negative: m.Meta["sentiment"] == "negative"}, nil
}

// screenMeta records the input screen's verdict with the customer's message: "injection"
// and "abuse" flags and the reason codes, never the text.
func screenMeta(v screen.Verdict) map[string]string {
	if !v.Injection && !v.Abuse {
		return nil
	}
	meta := map[string]string{}
	if v.Injection {
		meta["screen_injection"] = strconv.FormatFloat(v.Score, 'f', 2, 64)
	}
	if v.Abuse {
		meta["screen_abuse"] = "true"
	}
	codes := make([]string, 0, len(v.Reasons))
	for _, r := range v.Reasons {
		if !slices.Contains(codes, r.Code) {
			codes = append(codes, r.Code)
		}
	}
	meta["screen_reasons"] = strings.Join(codes, " ")
	return meta
}

// RespondInput is the turn the AI answers, with what the workflow knows of the conversation.
type RespondInput struct {
	ConversationID, TurnID, Text, Locale string
	// Event is set instead of a customer message when the AI speaks because something
	// happened (EventApprovalDecided); Steps then says what.
	Event         string
	PendingIntent string
	Memory        map[string]string
	Identity      tools.Identity
	Pending       *PendingAction
	Steps         []ToolStep // the tool calls of this turn so far, with their results
	NoMoreTools   bool       // the responder must answer now
}

// RespondResult is what the AI's answer did: either tool calls to run before answering
// (nothing is stored then), or the stored reply.
type RespondResult struct {
	Calls        []PlannedCall
	Confirmation string // the customer's answer to a pending confirmation: ConfirmYes, ConfirmNo or ""
	Market       string // the conversation's market, for the tools' policies
	Locale       string // the customer's language

	// Identity is the customer the conversation's identity token names, resolved this turn;
	// the zero Identity when the workflow already knew the customer or there is no token.
	Identity tools.Identity

	// Replayed: the reply was stored by an earlier attempt (a worker died after storing it);
	// this result is rebuilt from the store, with the memory stored with the reply (none for
	// replies stored before memory was; the workflow then keeps what it had).
	Replayed bool

	MessageIDs    []string
	Handoff       bool
	HandoffReason string
	PendingIntent string
	Memory        map[string]string
}

// Respond lets the responder answer the turn, streams its text, stores the reply and, when
// the responder hands off, marks the conversation for a human. A retry after the reply was
// stored returns the stored reply instead of answering again.
func (a *Activities) Respond(ctx context.Context, in RespondInput) (RespondResult, error) {
	// Beat from the start: the reads below can be slow, and a dead worker is noticed by the
	// missing beats, not by the end of the whole timeout.
	stopBeat := heartbeat(ctx, RespondHeartbeatTimeout/4)
	defer stopBeat()
	msgs, err := a.Store.TurnMessages(ctx, in.ConversationID, in.TurnID)
	if err != nil {
		return RespondResult{}, err
	}
	var inbound *conversation.Message
	var done []conversation.Message
	for i, m := range msgs {
		switch m.Author {
		case conversation.AuthorAI:
			done = append(done, m)
		case conversation.AuthorCustomer:
			inbound = &msgs[i]
		}
	}
	if len(done) > 0 {
		// An earlier attempt stored the reply but may have failed before recording the
		// handoff; recording it again is idempotent, losing it leaves nobody answering.
		r := resultOf(done)
		r.Replayed = true
		if r.Handoff {
			if err := a.Store.SetStatus(ctx, in.ConversationID, conversation.StatusHandoff, r.HandoffReason); err != nil {
				return RespondResult{}, err
			}
		}
		return r, nil
	}
	if inbound == nil && in.Event == "" {
		return RespondResult{}, temporal.NewNonRetryableApplicationError("turn has no customer message", ErrTypeInvalid, nil)
	}
	conv, err := a.Store.Get(ctx, in.ConversationID)
	if err != nil {
		return RespondResult{}, fmt.Errorf("read conversation: %w", err)
	}
	var before int64 // an event has no message of its own: count every AI message, no history
	if inbound != nil {
		before = inbound.Seq
	}
	prior, err := a.Store.CountAI(ctx, in.ConversationID, before)
	if err != nil {
		return RespondResult{}, err
	}
	// Before the first AI message, and again on a new channel, the customer is told they talk
	// to an AI.
	disclose, err := a.Store.DisclosureDue(ctx, in.ConversationID, conv.Channel)
	if err != nil {
		return RespondResult{}, err
	}
	history, err := a.recent(ctx, in.ConversationID, before)
	if err != nil {
		return RespondResult{}, err
	}

	hint := languageHint(history, in.Locale)
	if hint == "" {
		hint = conv.Locale
	}
	var passages []knowledge.Passage
	if in.Event == "" && len(in.Steps) == 0 {
		passages = a.retrieve(ctx, conv, in.Text, hint)
	}
	market := conv.Market
	var resolved tools.Identity
	if !in.Identity.Verified() && conv.Identity != nil && a.Identities != nil {
		if resolved, err = a.Identities.Resolve(ctx, *conv.Identity); err != nil {
			return RespondResult{}, err
		}
		in.Identity = resolved
	}

	a.publish(ctx, stream.TurnEvent(in.ConversationID, in.TurnID, stream.TurnStarted))
	tc := TurnContext{
		ConversationID: in.ConversationID, Text: in.Text, LocaleHint: hint, Market: market,
		FirstAIMessage: disclose != "", PendingIntent: in.PendingIntent, History: history, Passages: passages,
		Memory: in.Memory, Identity: in.Identity, Pending: in.Pending, Steps: in.Steps, Event: in.Event,
		NoMoreTools: in.NoMoreTools,
	}
	if a.Tools != nil && !in.NoMoreTools {
		tc.Tools = a.Tools.Specs()
	}
	// Text streams only once the reply is final: a round that asks for tools says nothing,
	// and a screened reply is streamed once it passed the screen.
	var held []string
	responder := a.Responder
	if a.Guarded != nil && inbound != nil && inbound.Meta["screen_injection"] != "" {
		// A message that tries to instruct the agent is not shown to a model.
		a.Logger.Info("input flagged as injection; the offline engine answers", "conversation", in.ConversationID,
			"reasons", inbound.Meta["screen_reasons"])
		responder = a.Guarded
	}
	reply, err := responder.Respond(ctx, tc, func(delta string) {
		if in.NoMoreTools && a.Taboo == nil {
			a.publish(ctx, stream.TokenEvent(in.ConversationID, in.TurnID, delta))
		} else {
			held = append(held, delta)
		}
	})
	if err != nil {
		return RespondResult{}, fmt.Errorf("respond to turn %s: %w", in.TurnID, err)
	}
	staged := a.staged(ctx, in, conv, reply)
	if staged.Handoff && !reply.Handoff {
		held = splitWords(staged.Text) // a person answers: stream what the customer is told
	}
	reply = staged
	if len(reply.Calls) > 0 && !in.NoMoreTools {
		return RespondResult{Calls: a.plan(reply.Calls), Confirmation: reply.Confirmation, Market: market, Locale: reply.Lang,
			Memory: reply.Memory, Identity: resolved}, nil
	}
	if a.Taboo != nil {
		if text, changed := a.screen(ctx, in.ConversationID, conv.Market, &reply); changed {
			held = splitWords(text)
		}
	}
	var disclosure string
	if disclose != "" && a.Catalog != nil {
		// No AI message goes out undisclosed, whatever the responder wrote.
		disclosure = a.Catalog.Text(reply.Lang, i18n.KeyDisclosure)
		if !strings.Contains(reply.Text, disclosure) {
			a.Logger.Warn("the reply lacked the AI disclosure; it was added", "conversation", in.ConversationID, "engine", reply.Engine)
			reply.Text = a.Catalog.WithDisclosure(reply.Lang, reply.Text)
			held = append([]string{disclosure + " "}, held...)
		}
	}
	for _, d := range held {
		a.publish(ctx, stream.TokenEvent(in.ConversationID, in.TurnID, d))
	}

	m, created, err := a.Store.Append(ctx, conversation.NewMessage{
		ConversationID: in.ConversationID, TurnID: in.TurnID, Author: conversation.AuthorAI,
		Text: reply.Text, Lang: reply.Lang, Intent: reply.Intent, Handoff: reply.Handoff,
		Meta: replyMeta(reply),
	})
	if err != nil {
		return RespondResult{}, err
	}
	if disclosure != "" {
		err := a.Store.RecordDisclosure(ctx, conversation.Disclosure{ConversationID: in.ConversationID, MessageID: m.ID,
			Channel: conv.Channel, Locale: reply.Lang, Text: disclosure, Reason: disclose})
		if err != nil {
			return RespondResult{}, err
		}
	}
	if reply.Handoff {
		if err := a.Store.SetStatus(ctx, in.ConversationID, conversation.StatusHandoff, reply.HandoffReason); err != nil {
			return RespondResult{}, err
		}
	}
	if reply.Lang != "" && prior == 0 {
		if err := a.Store.SetLocale(ctx, in.ConversationID, reply.Lang); err != nil {
			return RespondResult{}, err
		}
	}
	if reply.Gap != "" && a.Knowledge != nil && created && in.Event == "" {
		err := a.Knowledge.RecordGap(ctx, knowledge.Gap{ConversationID: in.ConversationID, Question: in.Text,
			Locale: reply.Lang, Market: market, Reason: reply.Gap, TopScore: topScore(passages)})
		if err != nil {
			a.Logger.Warn("record knowledge gap", "conversation", in.ConversationID, "err", err)
		}
	}
	if created {
		a.publish(ctx, stream.MessageEvent(m))
	}
	a.publish(ctx, stream.TurnEvent(in.ConversationID, in.TurnID, stream.TurnCompleted))
	a.Logger.Info("turn answered", "conversation", in.ConversationID, "turn", in.TurnID,
		"lang", reply.Lang, "intent", reply.Intent, "confidence", reply.Confidence, "handoff", reply.Handoff)
	r := resultOf([]conversation.Message{m})
	r.Confirmation, r.Market, r.Locale, r.Memory = reply.Confirmation, market, reply.Lang, reply.Memory
	r.Identity = resolved
	return r, nil
}

// plan attaches to each call the spec the registry holds for it; a call to a tool that does
// not exist keeps the zero spec, which the workflow refuses.
func (a *Activities) plan(calls []tools.Call) []PlannedCall {
	out := make([]PlannedCall, len(calls))
	for i, c := range calls {
		out[i].Call = c
		if a.Tools == nil {
			continue
		}
		out[i].Spec, _ = a.Tools.Spec(c.Name)
	}
	return out
}

func replyMeta(r Reply) map[string]string {
	meta := map[string]string{"confidence": strconv.FormatFloat(r.Confidence, 'f', 3, 64), "engine": r.Engine}
	if len(r.Citations) > 0 {
		meta["citations"] = strings.Join(r.Citations, " ")
	}
	if r.PendingIntent != "" {
		meta["pending_intent"] = r.PendingIntent
	}
	if r.HandoffReason != "" {
		meta["handoff_reason"] = r.HandoffReason
	}
	if r.Stage != "" {
		meta["rollout_stage"] = r.Stage
		if r.Canary {
			meta["rollout_canary"] = "true"
		}
	}
	if r.Draft != "" {
		meta["draft"] = r.Draft
	}
	if len(r.TabooRules) > 0 {
		meta["taboo_rules"] = strings.Join(r.TabooRules, " ")
	}
	if len(r.Memory) > 0 {
		// So that a reply replayed after a worker died restores what the turn remembered.
		if b, err := json.Marshal(r.Memory); err == nil {
			meta["memory"] = string(b)
		}
	}
	return meta
}

// resultOf derives a turn's result from its stored replies — the same on the first run and
// on a retry that finds the reply already stored.
func resultOf(replies []conversation.Message) RespondResult {
	var r RespondResult
	for _, m := range replies {
		r.MessageIDs = append(r.MessageIDs, m.ID)
		r.PendingIntent = m.Meta["pending_intent"]
		if mem := m.Meta["memory"]; mem != "" {
			_ = json.Unmarshal([]byte(mem), &r.Memory)
		}
		if m.Handoff {
			r.Handoff = true
			r.HandoffReason = m.Meta["handoff_reason"]
		}
	}
	return r
}

func (a *Activities) recent(ctx context.Context, conversationID string, beforeSeq int64) ([]conversation.Message, error) {
	from := max(beforeSeq-historyTurns-1, 0)
	msgs, err := a.Store.Messages(ctx, conversationID, from, historyTurns+1)
	if err != nil {
		return nil, err
	}
	out := msgs[:0]
	for _, m := range msgs {
		if m.Seq < beforeSeq {
			out = append(out, m)
		}
	}
	return out, nil
}

// publish sends a live event; live events are best-effort, the store is the record.
func (a *Activities) publish(ctx context.Context, ev stream.Event) {
	if err := a.Events.Publish(ctx, ev); err != nil {
		a.Logger.Warn("publish live event", "conversation", ev.ConversationID, "type", ev.Type, "err", err)
	}
}

// heartbeat records activity heartbeats every interval until the returned stop is called.
// Outside an activity (direct calls in tests and benchmarks) it does nothing.
func heartbeat(ctx context.Context, every time.Duration) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}

// languageHint is the language to assume when a message says too little to tell (an order
// number, "ok"): the language the conversation was last held in, else the client's locale.
func languageHint(history []conversation.Message, clientLocale string) string {
	for i := len(history) - 1; i >= 0; i-- {
		if m := history[i]; m.Author == conversation.AuthorAI && m.Lang != "" {
			return m.Lang
		}
	}
	return clientLocale
}

// retrieve finds knowledge-base passages for the customer's message, in the conversation's
// market. The knowledge base is an aid: when it fails, the turn goes on without it.
func (a *Activities) retrieve(ctx context.Context, conv conversation.Conversation, text, locale string) []knowledge.Passage {
	if a.Knowledge == nil {
		return nil
	}
	// The customer reads only what is meant for customers, on the conversation's channel.
	ps, err := a.Knowledge.Search(ctx, knowledge.Query{Text: text, Locale: locale, Market: conv.Market, Channel: conv.Channel,
		Audience: knowledge.AudienceCustomers, K: 3})
	if err != nil {
		a.Logger.Warn("knowledge search failed; answering without it", "conversation", conv.ID, "err", err)
		return nil
	}
	return ps
}

func topScore(ps []knowledge.Passage) float64 {
	if len(ps) == 0 {
		return 0
	}
	return ps[0].Score
}

// ReasonTaboo is the handoff reason when the taboo screen blocked a reply.
const ReasonTaboo = "taboo_block"

// screen runs the market's taboo packs over an outgoing reply: replacements are applied; a
// reply a rule would have rewritten or blocked is not sent — a person takes over with the
// catalog's handoff message (a model rewrite is not wired yet). Every hit is logged, without
// the text, for evals and analytics. It reports the text to send and whether it changed.
func (a *Activities) screen(ctx context.Context, conversationID, market string, reply *Reply) (string, bool) {
	v := a.Taboo.WithObserver(func(e taboo.Event) {
		a.Logger.Info("taboo hit", "conversation", conversationID, "rule", e.RuleID, "pack", e.Pack, "pack_version", e.PackVersion,
			"category", e.Category, "action", e.Action.String(), "market", e.Market, "locale", e.Locale)
	})
	tctx := taboo.Context{Market: market, Locale: reply.Lang, At: activityNow(ctx)}
	verdict := v.Screen(reply.Text, tctx)
	for _, h := range verdict.Hits {
		reply.TabooRules = append(reply.TabooRules, h.RuleID)
	}
	if verdict.Action == taboo.ActionRewrite && a.Rewriter != nil {
		// The model rewrites; the rewrite is screened again and sent only when nothing but
		// replacements remain.
		text, err := a.Rewriter.Rewrite(ctx, verdict.Text, reply.Lang, verdict.Hits)
		if err != nil {
			a.Logger.Warn("taboo rewrite failed; a person takes over", "conversation", conversationID, "err", err)
		} else if again := v.Screen(text, tctx); again.Action <= taboo.ActionReplace {
			reply.Text = again.Text
			return reply.Text, true
		}
	}
	switch verdict.Action {
	case taboo.ActionNone:
		return reply.Text, false
	case taboo.ActionReplace:
		reply.Text = verdict.Text
	default:
		text := i18n.KeyHandoff
		if a.Catalog != nil {
			text = a.Catalog.Text(reply.Lang, i18n.KeyHandoff)
		}
		reply.Text, reply.Handoff, reply.HandoffReason, reply.Calls = text, true, ReasonTaboo, nil
	}
	return reply.Text, true
}

// Rewriter rewrites a reply so that it no longer does what the taboo rules hit object to.
type Rewriter interface {
	Rewrite(ctx context.Context, text, lang string, hits []taboo.Hit) (string, error)
}

// activityNow is the time a rule's date window is checked against.
func activityNow(context.Context) time.Time { return time.Now() }

// tabooScreener gives the screener to use for one reply, reporting hits to the observer;
// both screenings of a reply (before and after a rewrite) use the same one.
type tabooScreener interface {
	WithObserver(o taboo.Observer) *taboo.Screener
}
