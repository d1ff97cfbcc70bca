package offline

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/knowledge/hashembed"
)

// Intents the engine recognises. The names follow the Bitext customer-support data set
// where it has the same intent (all 27 of its intents are here).
const (
	IntentGreeting  = "greeting"
	IntentGoodbye   = "goodbye"
	IntentThanks    = "thanks"
	IntentTrack     = "track_order"
	IntentCancel    = "cancel_order"
	IntentRefund    = "get_refund"
	IntentHuman     = "contact_human_agent"
	IntentDelivery  = "delivery_period"
	IntentPayment   = "payment_issue"
	IntentComplaint = "complaint"

	// Answers to a question the agent asked ("Shall I cancel order DE-10001?").
	IntentConfirm = "confirm" // yes, sí, ja, oui, sim, نعم, ใช่, vâng, ya, はい, 是的
	IntentDeny    = "deny"    // no, nein, non, não, لا, ไม่, không, tidak, いいえ, 不

	IntentChangeOrder = "change_order" // change the items or quantities of an order
	IntentPlaceOrder  = "place_order"  // how to buy

	IntentTrackRefund  = "track_refund"        // where is the refund already asked for
	IntentRefundPolicy = "check_refund_policy" // when is a refund possible, how long it takes
	IntentReturn       = "return_item"         // send the goods back (not in Bitext)

	IntentCancellationFee = "check_cancellation_fee"
	IntentPaymentMethods  = "check_payment_methods"
	IntentCOD             = "cod_question" // cash on delivery (not in Bitext)
	IntentVAT             = "vat_question" // VAT, duties, customs, tax numbers (not in Bitext)

	IntentDeliveryOptions = "delivery_options" // carriers, express, where the shop ships to
	IntentChangeAddress   = "change_shipping_address"
	IntentSetUpAddress    = "set_up_shipping_address"

	IntentService = "contact_customer_service" // reach the service: hours, phone, e-mail

	IntentCreateAccount = "create_account"
	IntentDeleteAccount = "delete_account"
	IntentEditAccount   = "edit_account"
	IntentPassword      = "recover_password"
	IntentRegistration  = "registration_problems"
	IntentSwitchAccount = "switch_account"
	IntentNewsletter    = "newsletter_subscription"

	IntentCheckInvoice = "check_invoice"
	IntentGetInvoice   = "get_invoice"
	IntentReview       = "review"

	// IntentUnknown: out of scope, or not recognised with enough confidence.
	IntentUnknown = "unknown"
)

// Intents lists every intent Analyze may return, unknown last.
func Intents() []string {
	return []string{IntentGreeting, IntentGoodbye, IntentThanks, IntentTrack, IntentCancel,
		IntentRefund, IntentHuman, IntentDelivery, IntentPayment, IntentComplaint,
		IntentConfirm, IntentDeny, IntentChangeOrder, IntentPlaceOrder,
		IntentTrackRefund, IntentRefundPolicy, IntentReturn,
		IntentCancellationFee, IntentPaymentMethods, IntentCOD, IntentVAT,
		IntentDeliveryOptions, IntentChangeAddress, IntentSetUpAddress, IntentService,
		IntentCreateAccount, IntentDeleteAccount, IntentEditAccount, IntentPassword,
		IntentRegistration, IntentSwitchAccount, IntentNewsletter,
		IntentCheckInvoice, IntentGetInvoice, IntentReview,
		IntentUnknown}
}

// Handoff reasons, a fixed set.
const (
	ReasonCustomerRequest = "customer_request" // the customer asked for a person
	ReasonLowConfidence   = "low_confidence"   // the engine did not understand well enough
	ReasonNeedsTool       = "needs_tool"       // answering needs an order, refund or payment system
	ReasonComplaint       = "complaint"        // complaints always go to a person
)

// SlotOrderNumber is the value of Reply.AwaitingSlot when the reply asked for it.
const SlotOrderNumber = "order_number"

// MinConfidence is the confidence below which Analyze reports IntentUnknown and Respond
// hands off. Measured when it was set, on the first ten-intent engine: raw guesses around
// 0.35 were right about half the time; raising the threshold from 0.30 to 0.35 to 0.40
// moved held-out multilingual accuracy 99.1% → 98.7% → 97.8% (short messages lose) and
// Bitext accuracy 92.5% → 93.4% → 94.2% (out-of-scope questions win). It was kept for the
// 35 intents; TestHeldOutAccuracy and TestBitextAccuracy hold the current figures.
//
// Re-checked once every intent got a reply of its own (a wrong intent now answers instead
// of handing off): held-out / Bitext dev accuracy (macro-F1) at 0.30: 97.4% (.968) / 96.6%
// (.973); 0.33: 97.1% (.964) / 96.5% (.974); 0.35: 96.8% (.961) / 96.4% (.974); 0.40: 96.0%
// (.954) / 95.8% (.972). 0.30 costs Bitext macro-F1; 0.33 turns two held-out unknowns into
// right answers and no message into a wrong one — within noise, and the 11 out-of-scope
// held-out messages are too few to show what a lower bar costs, so 0.35 stays.
const MinConfidence = 0.35

//go:embed exemplars/*.json
var exemplarFiles embed.FS

// Engine answers customer messages without a model or a network: it detects language and
// intent, extracts slots and composes replies from the message catalog. It is read-only
// after New and safe for concurrent use.
type Engine struct {
	cat *i18n.Catalog
	emb *hashembed.Embedder

	intents []string // intent names, index = id
	labels  []int    // intent id of each exemplar
	// postings holds the exemplar vectors transposed and sparse: for each dimension, the
	// exemplars with a non-zero value there. The similarity of a message to every exemplar
	// is then a sum over the message's non-zero dimensions, each touching only the
	// exemplars that share that feature (about a sixth of them).
	postings [][]posting
	dims     int
}

// New builds the engine and its exemplar index (about 2,750 multilingual exemplars,
// embedded once). Both arguments are required.
func New(cat *i18n.Catalog, emb *hashembed.Embedder) (*Engine, error) {
	if cat == nil || emb == nil {
		return nil, errors.New("offline: New needs a catalog and an embedder")
	}
	e := &Engine{cat: cat, emb: emb, dims: emb.Dims()}
	ids := make(map[string]int)
	for i, name := range Intents() {
		ids[name] = i
		e.intents = append(e.intents, name)
	}
	files, err := fs.Glob(exemplarFiles, "exemplars/*.json")
	if err != nil {
		return nil, fmt.Errorf("offline: list exemplars: %w", err)
	}
	slices.Sort(files) // deterministic index order
	var vecs [][]float32
	for _, name := range files {
		data, err := exemplarFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("offline: read %s: %w", name, err)
		}
		var byIntent map[string][]string
		if err := json.Unmarshal(data, &byIntent); err != nil {
			return nil, fmt.Errorf("offline: parse %s: %w", path.Base(name), err)
		}
		for _, intent := range slices.Sorted(maps.Keys(byIntent)) {
			id, ok := ids[intent]
			if !ok {
				return nil, fmt.Errorf("offline: %s: unknown intent %q", path.Base(name), intent)
			}
			for _, text := range byIntent[intent] {
				vecs = append(vecs, emb.Embed(maskForIntent(text, extractSlots(text, false))))
				e.labels = append(e.labels, id)
			}
		}
	}
	if len(e.labels) == 0 {
		return nil, errors.New("offline: no exemplars")
	}
	e.postings = make([][]posting, e.dims)
	for j, v := range vecs {
		for d, x := range v {
			if x != 0 {
				e.postings[d] = append(e.postings[d], posting{exemplar: int32(j), weight: x})
			}
		}
	}
	return e, nil
}

// Analysis is what the engine understood of one message.
type Analysis struct {
	Lang           string  // detected BCP 47 base language, e.g. "es" (may be unsupported, e.g. "ko")
	LangConfidence float64 // in [0, 1]
	LangSource     string  // "script", "detector" or "hint" (see i18n.Detection)
	Intent         string  // one of Intents(); IntentUnknown below MinConfidence
	Confidence     float64 // intent confidence in [0, 1]
	Slots          Slots
}

// Analyze detects the language, intent and slots of one customer message. localeHint is
// the customer's locale (browser, profile or the conversation's language so far); it
// decides the language of messages too short to tell ("ok", "12345").
func (e *Engine) Analyze(text, localeHint string) Analysis {
	return e.analyze(text, localeHint, false)
}

// AnalyzeAwaiting is Analyze for the answer to a question: awaiting names the slot the
// previous reply asked for (SlotOrderNumber, SlotPostalCode, SlotName, SlotEmail,
// SlotVATNumber), and a bare value then counts as that slot — "12345" as an order number,
// "10115" as a postal code, "Ana López" as a name. "" behaves like Analyze.
func (e *Engine) AnalyzeAwaiting(text, localeHint, awaiting string) Analysis {
	return e.analyzeFor(text, localeHint, awaiting)
}

func (e *Engine) analyze(text, localeHint string, lenient bool) Analysis {
	awaiting := ""
	if lenient {
		awaiting = SlotOrderNumber
	}
	return e.analyzeFor(text, localeHint, awaiting)
}

func (e *Engine) analyzeFor(text, localeHint, awaiting string) Analysis {
	det := i18n.Detect(text, localeHint)
	a := Analysis{
		Lang:           det.Lang,
		LangConfidence: det.Confidence,
		LangSource:     det.Source,
		Slots:          extractSlotsFor(text, awaiting),
	}
	a.Intent, a.Confidence = e.classify(text, a.Slots)
	return a
}

// scored is an intent with its combined score.
type scored struct {
	intent int
	score  float64
}

// topK is how many nearest exemplars of an intent make its similarity score.
const topK = 3

// classify combines nearest-neighbour similarity to the exemplars with the keyword rules.
//
// An intent's similarity is the mean of its topK best cosines (robust to one lucky
// exemplar); rules add their weights; small talk loses its rule weight when a
// substantive request matched too ("hola, ¿dónde está mi pedido?"). Confidence grows
// with the winning score and with its margin over the runner-up.
func (e *Engine) classify(text string, slots Slots) (string, float64) {
	masked := maskForIntent(text, slots)
	folded := hashembed.Normalize(masked)
	if strings.TrimSpace(folded) == "" {
		return IntentUnknown, 0
	}
	q := e.emb.Embed(masked)

	n := len(e.intents)
	best := make([][topK]float32, n)
	for i := range best {
		for k := range best[i] {
			best[i][k] = -1
		}
	}
	sims := e.similarities(q)
	for j, label := range e.labels {
		s := sims[j]
		b := &best[label]
		if s > b[topK-1] {
			b[topK-1] = s
			for k := topK - 1; k > 0 && b[k] > b[k-1]; k-- {
				b[k], b[k-1] = b[k-1], b[k]
			}
		}
	}

	rs := ruleScores(prepareRules(folded))
	substantive := false
	for id, w := range rs {
		if !socialIntents[e.intents[id]] && w >= medium {
			substantive = true
		}
	}
	scores := make([]scored, n)
	for i, name := range e.intents {
		var sum float32
		cnt := 0
		for _, s := range best[i] {
			if s > -1 {
				sum += s
				cnt++
			}
		}
		sim := 0.0
		if cnt > 0 {
			sim = float64(sum) / float64(cnt)
		}
		w := rs[i]
		if substantive && socialIntents[name] {
			w = 0
		}
		scores[i] = scored{intent: i, score: sim + w}
	}
	slices.SortStableFunc(scores, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	top, second := scores[0], scores[1]
	conf := confidence(top.score, top.score-second.score)
	// One or two words that no rule recognises ("no", "yes", "maybe") share letters with
	// some exemplar by chance: without a near-exact match, that is not understanding.
	if name := e.intents[top.intent]; rs.of(name) == 0 && isShort(folded) && top.score < 0.6 {
		conf = min(conf, MinConfidence/2)
	}
	intent := e.intents[top.intent]
	if intent == IntentUnknown || conf < MinConfidence {
		return IntentUnknown, conf
	}
	return intent, conf
}

// posting is one exemplar's value in one dimension.
type posting struct {
	exemplar int32
	weight   float32
}

// similarities returns the cosine of q with every exemplar (vectors are unit length).
func (e *Engine) similarities(q []float32) []float32 {
	sims := make([]float32, len(e.labels))
	for d, w := range q {
		if w == 0 {
			continue
		}
		for _, p := range e.postings[d] {
			sims[p.exemplar] += w * p.weight
		}
	}
	return sims
}

// confidence maps the winning score and its margin to [0, 1]. A cosine of 0.6 with a
// clear margin is a near-paraphrase of an exemplar; one of 0.2 is noise.
func confidence(score, margin float64) float64 {
	c := 0.6*clamp01((score-0.15)/0.55) + 0.4*clamp01(margin/0.25)
	return clamp01(c)
}

func clamp01(x float64) float64 {
	return min(1, max(0, x))
}

// isShort reports whether a message is one or two short words. Han characters count
// three times: one of them carries about what a short Latin word does.
func isShort(folded string) bool {
	if len(strings.Fields(folded)) > 2 {
		return false
	}
	weight := 0
	for _, r := range folded {
		switch {
		case unicode.Is(unicode.Han, r):
			weight += 3
		case unicode.IsLetter(r):
			weight++
		}
	}
	return weight <= 8
}

var digitsRE = regexp.MustCompile(`\p{N}+`)

// maskForIntent removes what says nothing about the intent and would only add noise to
// the vectors: e-mail addresses, links, the order number, names, VAT numbers, amounts and
// other digits.
func maskForIntent(text string, slots Slots) string {
	text = emailRE.ReplaceAllString(text, " ")
	text = urlRE.ReplaceAllString(text, " ")
	for _, v := range []string{slots.OrderNumber, slots.Name, slots.VATNumber, slots.Amount.Text} {
		if v != "" {
			text = strings.ReplaceAll(text, v, " ")
		}
	}
	return digitsRE.ReplaceAllString(text, " ")
}
