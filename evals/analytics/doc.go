// Package analytics computes how Attaché's conversations go, from the database that holds
// them: resolution by the AI, handoffs by reason, first-response and resolution times, SLA
// breaches, customer satisfaction (CSAT) and guardrail hits, in total and per market,
// language, intent, channel or rollout stage. It also keeps the answers of the widget's
// post-chat survey (csat_responses), serves the figures to Prometheus at scrape time and
// gives the staged rollout its live figures.
//
// Every figure is computed with SQL over the tables the agents and the handoff desk write
// (conversations, messages, handoffs, csat_responses); nothing is counted in memory, so that
// any number of API and worker processes agree. Conversations of evaluation runs
// (eval_conversations) are left out when the Store is asked to.
//
// Definitions, per conversation started in the window:
//   - language: the base of the first customer message's detected language, else of the
//     conversation's locale; intent: the first non-empty intent of an AI reply; stage: the
//     rollout_stage annotation of the first AI reply that has one; "unknown" when empty.
//   - handed off: a handoff row other than approval_needed (an approval request leaves the
//     conversation with the AI), or status handoff.
//   - reopened: the customer wrote again more than the reopen window (24 h by default)
//     after an AI answer.
//   - resolved by the AI: an AI reply, not handed off, not reopened, and quiet (no message
//     for the reopen window) or closed.
//   - first response: the customer's first message to the first AI or human reply after it;
//     human first response: a handoff's creation to the first human_agent message after it;
//     resolution time: the first customer message to the last AI message (AI-resolved) or to
//     the last resolved handoff (handed off, none still open).
//   - SLA breach: a handoff with a due time first claimed or answered by a person after it,
//     or neither and still unresolved (or resolved) after it.
//   - guardrail hits: AI replies the taboo screen rewrote (meta taboo_rules), customer
//     messages the input screen flagged as injection or abuse, and customer messages with a
//     card number replaced by "[card]".
//
// It is not for: business intelligence over the shop's orders (the commerce tables), per-agent
// performance reviews, real-time alerting logic (Prometheus rules do that from /metrics) or
// the rollout decision itself (evals/rollout judges the figures).
package analytics
