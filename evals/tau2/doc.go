// Package tau2 runs τ²-bench retail tasks as eval sets (kind tau2-retail): a model plays
// the customer from the task's instructions, the agent answers on Attaché's real
// conversation path, and the attempt is scored as τ² scores it — the ground-truth writes
// must have run with their arguments, and the shop's final state must equal the state the
// ground-truth writes produce.
//
// Each attempt copies the task's users (with their payment methods and orders) into the
// built-in shop twice, under fresh names (IDs, e-mails, ZIP+4 postal codes, order and
// tracking numbers; see names): the conversation runs on one copy, the ground truth is
// applied to the other with the shop's own writer, and the two are compared with every name
// put back. Attempts therefore run in parallel and repeat from a clean state; products are
// shared and read-only. The task's instructions and ground truth are rewritten the same way.
//
// It is not τ² itself: it scores actions and the database, not τ²'s natural-language
// assertions, and the customer simulator follows τ²'s rules in its own prompt. Without a
// model to play the customer the sets are not runnable — never passed.
package tau2
