// Package queue keeps the handoff queue: the conversations the AI passed to human agents,
// who claims each one, and how it ends (resolved by the person, or handed back to the AI).
//
// It is for:
//   - opening a handoff for a conversation, once: [Store.Open] is idempotent per
//     conversation, because the workflow's activity that calls it is retried, and a
//     conversation has at most one open (queued or claimed) handoff, enforced by a unique
//     index;
//   - claiming, atomically: of any number of agents who click "take" at once, exactly one
//     wins ([Store.Claim]); the others get a [*ClaimedError] naming who holds it;
//   - the agent console's queue view ([Store.Queue]), internal notes ([Store.AddNote]), and
//     a live feed of queue changes for server-sent events ([Store.Since], [Store.Watch]),
//     by polling, because PGlite, the embedded database, has no LISTEN/NOTIFY between
//     connections.
//
// Every write is one atomic SQL statement (Open at most a few, retried), so the store is
// correct on a multi-session PostgreSQL under real concurrency and on PGlite's single,
// serialized session alike.
//
// It is not for:
//   - routing: handoff/routing decides the team, language and priority; this package
//     stores what it is given;
//   - the packet's content: the summary, translation and transcript pointers are opaque
//     JSON here, stored and returned as they are;
//   - timers: the conversation workflow's Temporal timers decide when a handoff breaches its
//     SLA and call [Store.Escalate]; nothing here runs on a schedule;
//   - the conversation's own state or the customer's messages (package conversation), and
//     permissions: callers check that the staff account may act on the handoff.
package queue
