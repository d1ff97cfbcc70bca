// Package evals is Attaché's regression evaluation: the set format, the runner, the
// scorer and the reports that tell whether a change to a prompt, a model, an article or the
// code made the agent better or worse for customers.
//
//   - Sets (set.go, fixtures.go) are YAML files of cases: market, locale, channel, the
//     customer, the shop they start from (copies of the demo shop, renamed per attempt so
//     that attempts run in parallel and repeat from a clean state), the customer's turns,
//     and what must come of them — intent, tool calls and arguments, the orders' final
//     state, handoff and reason, reply texts, reply language, disclosure, taboo hits and a
//     latency budget. Unknown fields are errors. evals/sets holds the shipped sets.
//   - The Runner runs every case k times (pass^k) through a Driver — package evals/live
//     drives the real conversation path of a running Attaché — in parallel with progress,
//     and Score checks each attempt. A set that needs what the run lacks (τ²-retail tasks
//     need a model to play the customer) is reported not runnable, never passed.
//   - Reports: Summarize, WriteJSON/ReadJSON, WriteJUnit for CI, WriteHTML (one
//     self-contained page with charts), WriteTable for the terminal, and Compare for the
//     regressions between two runs.
//
// It is not a benchmark of models in general: the cases are a shop's own expectations of
// its agent, and a passing set says the agent still does what the shop decided it should.
package evals
