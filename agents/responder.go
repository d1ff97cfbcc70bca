package agents

import (
	"context"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/attache-dev/attache/agents/offline"
	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/knowledge"
	"github.com/attache-dev/attache/tools"
)

// TurnContext is what a responder knows when it answers a turn.
type TurnContext struct {
	ConversationID string
	Text           string
	LocaleHint     string
	FirstAIMessage bool // no AI message was sent yet: the reply must disclose that it is an AI
	PendingIntent  string
	Market         string                 // ISO 3166-1 alpha-2, "" when unknown
	History        []conversation.Message // recent messages before this turn, oldest first
	Passages       []knowledge.Passage    // knowledge-base passages retrieved for this turn, best first

	Memory   map[string]string // slots given in earlier turns
	Identity tools.Identity    // the verified customer, if any
	Pending  *PendingAction    // a write waiting for the customer's yes
	Steps    []ToolStep        // this turn's tool calls so far, with results
	Tools    []tools.Spec      // the tools the responder may call; empty: answer now
	// NoMoreTools: the reply must be final (the budget of rounds is spent, or it reports an
	// event); calls it asks for are ignored.
	NoMoreTools bool
	Event       string // EventApprovalDecided..., "" for a customer turn
}

// Reply is a responder's answer.
type Reply struct {
	Text          string
	Lang          string
	Intent        string
	Confidence    float64
	Handoff       bool
	HandoffReason string
	PendingIntent string   // the intent waiting for the customer's next message, "" if none
	Engine        string   // "offline" or "model"
	Citations     []string // the knowledge-base passages the reply rests on: "external_id@locale/vN"
	Gap           string   // a knowledge gap this turn revealed (knowledge.Gap* reason), "" if none
	TabooRules    []string // the taboo rules the outgoing text hit, recorded with the message

	// Stage is the rollout stage that answered ("" when no rollout policy is configured);
	// Canary: the conversation is in the canary share of that stage. Draft is, in the
	// assist stage, the AI's answer for a person to edit and send.
	Stage  string
	Canary bool
	Draft  string

	Calls        []tools.Call      // tools to run before the reply is final (Text is then ignored)
	Confirmation string            // ConfirmYes or ConfirmNo when the message answers a pending confirmation
	Memory       map[string]string // slots to remember for later turns
}

// Responder answers a customer turn, calling onText with pieces of the reply as they are
// produced (for the live stream) before returning the whole reply.
type Responder interface {
	Respond(ctx context.Context, tc TurnContext, onText func(delta string)) (Reply, error)
}

// OfflineResponder answers with the offline engine: no model, no network, deterministic.
// With a catalog it also answers informational questions extractively from the knowledge
// base, citing the article.
type OfflineResponder struct {
	Engine  *offline.Engine
	Catalog *i18n.Catalog // nil: no answers from the knowledge base
}

// IntentKnowledgeAnswer is the intent of a reply taken from the knowledge base.
const IntentKnowledgeAnswer = "knowledge_answer"

// informational intents are questions the knowledge base may answer; others need a person
// or a tool whatever the help center says.
var informational = map[string]bool{"unknown": true, "delivery_period": true}

// Respond implements Responder. The engine composes the whole reply at once; it is handed to
// the live stream word by word so that the widget shows every reply the same way.
func (r OfflineResponder) Respond(_ context.Context, tc TurnContext, onText func(string)) (Reply, error) {
	out := r.Engine.Respond(offline.Input{
		Text: tc.Text, LocaleHint: tc.LocaleHint, FirstAIMessage: tc.FirstAIMessage, PendingIntent: tc.PendingIntent,
	})
	reply := Reply{
		Text: out.Text, Lang: out.Lang, Intent: out.Intent, Confidence: out.Confidence,
		Handoff: out.Handoff, HandoffReason: out.HandoffReason, Engine: "offline",
	}
	if out.AwaitingSlot != "" {
		reply.PendingIntent = out.Intent
	}
	if r.withTools(tc, out, &reply) {
		// a standard scenario with tools: the dialog composed the reply or asked for calls
	} else if r.Catalog != nil && tc.PendingIntent == "" && (informational[out.Intent] || out.HandoffReason == offline.ReasonLowConfidence) {
		r.fromKnowledge(&reply, tc)
	}
	for _, piece := range splitWords(reply.Text) {
		onText(piece)
	}
	return reply, nil
}

// fromKnowledge replaces the engine's reply by the best passage when the retrieval is sure of
// it — both the vector and the full-text ranking put it near the top — and otherwise records
// the gap.
func (r OfflineResponder) fromKnowledge(reply *Reply, tc TurnContext) {
	if len(tc.Passages) == 0 || !answerable(tc.Passages[0]) {
		reply.Gap = knowledge.GapNoPassage
		if reply.Handoff {
			reply.Gap = knowledge.GapHandoff
		}
		return
	}
	p := tc.Passages[0]
	key := i18n.KeyKBAnswer
	if p.Fallback {
		key = i18n.KeyKBAnswerFallback
		reply.Gap = knowledge.GapFallbackLocale
	}
	text := r.Catalog.Text(reply.Lang, key, p.Text, citation(p))
	if tc.FirstAIMessage {
		text = r.Catalog.WithDisclosure(reply.Lang, text)
	}
	reply.Text = text
	reply.Intent = IntentKnowledgeAnswer
	reply.Handoff, reply.HandoffReason = false, ""
	reply.Citations = []string{citationKey(p)}
}

// minTextScore is the full-text score (ts_rank_cd normalised by length) a passage needs to
// be quoted without a model. On the demo help center, questions the articles answer scored
// 0.37 and more, unrelated ones ("Can I bring my dog?", "Do you sell gift cards?") 0.09 and less.
const minTextScore = 0.2

// answerable says whether a passage is trustworthy enough to answer with, without a model:
// both rankings must have found it near their top, and the question's words must really
// occur in it.
func answerable(p knowledge.Passage) bool {
	return p.TextRank >= 1 && p.TextRank <= 3 && p.VectorRank >= 1 && p.VectorRank <= 5 && p.TextScore >= minTextScore
}

// citation is how a passage is credited in a reply: the article's title, and its address
// when it is published on a help center.
func citation(p knowledge.Passage) string {
	if p.URL != "" {
		return p.Title + " — " + p.URL
	}
	return p.Title
}

func citationKey(p knowledge.Passage) string {
	return fmt.Sprintf("%s@%s/v%d", p.ExternalID, p.Locale, p.Version)
}

// splitWords cuts text into pieces that end after a space (or, for scripts written without
// spaces, after each character), so that concatenating them gives text back exactly.
func splitWords(text string) []string {
	var out []string
	start := 0
	for i, c := range text {
		end := i + utf8.RuneLen(c)
		if c == ' ' || c == '\n' || unicode.In(c, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai) {
			out = append(out, text[start:end])
			start = end
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}
