// Package packet builds the handoff packet: everything a human agent needs to take over
// a conversation from the AI without asking the customer to repeat themselves — why it
// was handed off, who the customer is, the facts the AI established (orders looked up,
// tool calls and their idempotency keys, approvals pending, AI disclosure), the
// customer's mood, the transcript, and a short extractive summary in the customer's
// language. [Localize] adds the summary and every message translated into the agent's
// language beside the originals.
//
// [Build] is a pure function of [Input]: no clock, no I/O, no randomness, so it may run
// in workflow code or an activity and gives the same packet for the same input. The
// input types are plain structs of this package; the caller maps conversation and agent
// types onto them. The [Packet] is the JSON document stored with the queue item and
// shown in the agent console.
//
// It also holds the small, honest negative-sentiment scorer ([Sentiment]: keyword and
// emoji lists for the product's eleven languages, no negation handling) and the
// "repeated negative sentiment" trigger ([ShouldHandOff]).
//
// It is not a queue, a router, an SLA timer or an approval workflow, it stores nothing,
// and it does not decide when to hand off beyond that sentiment trigger. The summary is
// extractive and template-based, not model-written.
package packet
