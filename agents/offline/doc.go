// Package offline is Attaché's offline engine: it answers customer messages with no model,
// no network and no randomness. It serves the embedded default (no LLM configured), the
// "standard scenario" rollout stage, and the test suites, which need an agent whose every
// answer can be asserted.
//
// For each message it
//   - detects the language (i18n.Detect: writing system, short-message lexicon, lingua-go
//     for Latin script, the customer's locale hint when the text does not say);
//   - recognises the intent among greeting, goodbye, thanks, track_order, cancel_order,
//     get_refund, contact_human_agent, delivery_period, payment_issue, complaint, or
//     unknown — by nearest neighbours among about 1,250 exemplars written for eleven
//     languages (exemplars/*.json, embedded with the hashing embedder), combined with
//     keyword rules in every supported language (rules.go);
//   - extracts slots: order numbers ("#W2378156", "pedido 4567", "注文番号 123456", not
//     phone numbers, dates or amounts) and e-mail addresses;
//   - composes the reply from the i18n catalog in the customer's language, with the AI
//     disclosure before the first AI message, and decides whether to hand off to a human
//     and why (customer_request, low_confidence, needs_tool, complaint).
//
// It does not look up orders, move money or retrieve knowledge-base articles yet: requests
// that need them are handed off with the reason needs_tool. It keeps no conversation
// state; the caller passes what the previous turn asked for (Input.PendingIntent). It does
// not translate.
//
// Measured on this project's data (go test -v -run Accuracy ./agents/offline/): see
// TestHeldOutAccuracy and TestBitextAccuracy for the figures and how they are computed.
package offline
