// Package handoff will hold escalation packets, routed queues, SLA timers and approvals.
//
// It is not built yet: the foundation records a handoff on the conversation (status
// "handoff" with a reason) and tells the customer, in their language, that a person will
// answer.
package handoff
