// Package handoff is the human side of Attaché: when the AI should not go on, a conversation
// is routed to a team (handoff/routing: languages, markets, topics, shifts, holidays, SLAs),
// given a packet the agent reads instead of asking the customer to repeat themselves
// (handoff/packet), queued for agents to claim (handoff/queue), and shown to an agent in the
// agent's language (handoff/translate). Desk puts these together for the conversation
// workflow and the agent console.
//
// It is not for: deciding when to hand off (the agents do), the floor control and SLA timers
// (the conversation workflow, on Temporal's durable timers), or staff approvals of writes
// (the workflow's approvals, decided through the API).
package handoff
