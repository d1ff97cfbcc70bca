// Package agents runs the AI side of a conversation: one durable Temporal workflow per
// conversation (workflow ID "conversation/{id}"), its activities, and the turn logic that
// decides who answers and how.
//
// Each customer message is a workflow Update whose ID is the client-chosen turn ID, so a
// retried request gets the reply of the first one — also across continue-as-new, because the
// workflow carries the IDs of completed turns into the next run, and also across runs, because
// the activities are idempotent on (conversation, turn) in the store. Transcripts live in
// PostgreSQL; the workflow holds IDs and a little state only.
//
// The answering is pluggable (Responder): the offline engine (agents/offline) needs no model;
// ModelResponder drives a configured model (agents/model). Tools, knowledge retrieval,
// guardrails and human queues are other packages' business; this package orchestrates.
package agents
