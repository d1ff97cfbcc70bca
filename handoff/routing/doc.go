// Package routing decides which human team takes a conversation the AI hands off, and by
// when that team owes the customer a first reply.
//
// It is for: loading the teams file (languages, markets, topics, time zone, weekly shifts,
// holidays, special-hours windows such as Ramadan, priorities, and the first-response SLA
// table per market) with a strict loader that names the bad field; answering Route for one
// handoff at one instant — the team, whether it is on shift, whether the agent needs
// translation, when the team opens if nobody is on shift, and the SLA due time; and
// expressing that due time in the customer's time zone (MarketZone, ExpectedReply).
//
// It is not for: the queue that holds routed items, agent assignment inside a team, or the
// SLA timers themselves — those are durable Temporal timers in the handoff workflow, which
// takes the due time computed here. Routing does no I/O after loading, keeps no state
// between calls, reads no clock (the caller passes Now) and is safe for concurrent use.
//
// # Shifts
//
// Shifts are written "HH:MM-HH:MM" in the team's IANA zone, with "24:00" allowed as an end.
// A shift that ends the next day is written with an explicit "+1" ("21:00-01:00+1"); a
// shift whose end is not after its start without "+1" is rejected, because in a teams file
// "17:00-09:00" is more often a typo than a night shift. A shift belongs to the date it
// starts on: a holiday closes the shifts that start on that date, and a special-hours
// window replaces the weekly shifts of the dates it covers (weekdays it does not list are
// closed). Wall-clock times are converted with the zone's rules for that date, so a shift
// spanning a daylight-saving change is an hour shorter or longer in elapsed time.
//
// # Choosing a team
//
// A team is eligible when it serves the customer's market and topic (an empty list serves
// all). Among eligible teams on shift now, the one that speaks the customer's language best
// wins (language.Matcher confidence Exact > High > Low > No), then the lower priority
// number, then the team ID. A Low or No match sets Decision.Translate: the agent works
// through translation. When no eligible team is on shift, NextOpen is the earliest opening
// of any eligible team, and the team chosen is, among those opening at most an hour after
// NextOpen, the best language match, then the earliest opening, then priority. Openings
// are looked for HorizonDays ahead; an eligible team that never opens in that horizon is
// listed but not chosen, and if none opens the decision is NoTeam.
//
// # SLA due time
//
// The first-response SLA of the customer's market (market entry, else its group, else the
// default) is elapsed time, not business hours. The clock starts at the handoff (Now) when
// the chosen team is on shift, and at the chosen team's opening (Decision.OpensAt) when
// nobody is on shift: DueBy = OpensAt + SLA. A team closing soon after the handoff does not
// stop the clock.
package routing
