// Package faulttest holds the exactly-once fault-injection test of refunds: a few hundred
// return and refund conversations run through the real conversation workflow on the real
// Temporal server (devserver) and a real PostgreSQL (realpg; PGlite on request), while worker
// processes are killed with SIGKILL at random moments — and right after a refund committed —
// and the shop connector fails before writes, loses responses after writes committed, and
// answers slowly. It then counts refunds per order in the database: none duplicated, none
// lost, none without the customer's yes, and no reply claiming a refund that is not there.
//
// It has no code outside its tests; it is not a benchmark and not an example of wiring (see
// cmd/attache for that). The test binary re-executes itself as the worker processes
// (TestWorkerProcess, gated by an environment variable).
package faulttest
