package routing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Router routes handoffs over a loaded teams file. It is immutable and safe for concurrent
// use.
type Router struct {
	teams []*team
	sla   slaTable
}

// Team is one human team as loaded from the teams file.
type Team struct {
	ID        string
	Name      string
	Languages []language.Tag
	Markets   []string // empty serves every market
	Topics    []string // empty serves every topic
	Location  *time.Location
	Priority  int // lower wins ties
}

type team struct {
	Team
	matcher  language.Matcher
	week     week
	holidays map[int]string // civilDate.key → name
	special  []special
}

type slaTable struct {
	def     time.Duration
	markets map[string]time.Duration
}

// FirstResponseSLA returns the first-response SLA of market: its own entry, else its
// group's, else the default.
func (r *Router) FirstResponseSLA(market string) time.Duration {
	if d, ok := r.sla.markets[strings.ToUpper(market)]; ok {
		return d
	}
	return r.sla.def
}

// Teams returns the loaded teams in file order.
func (r *Router) Teams() []Team {
	out := make([]Team, len(r.teams))
	for i, t := range r.teams {
		out[i] = t.Team
		out[i].Languages = slices.Clone(t.Languages)
		out[i].Markets = slices.Clone(t.Markets)
		out[i].Topics = slices.Clone(t.Topics)
	}
	return out
}

// Request is one handoff to route.
type Request struct {
	Language string    // the customer's BCP 47 tag, such as "ar-SA"; "" if unknown
	Market   string    // ISO 3166-1 alpha-2, such as "AE"
	Topic    string    // the intent name, such as "refund"
	Priority int       // carried to the Decision for the queue; it does not change the team
	Now      time.Time // the instant of the handoff
}

// Candidate is one eligible team as Route saw it.
type Candidate struct {
	TeamID        string
	TeamName      string
	Priority      int
	Confidence    language.Confidence // how well the team speaks the customer's language
	AgentLanguage language.Tag        // the team language that matched best
	OnShift       bool
	ClosesAt      time.Time // on shift: end of the current shift
	OpensAt       time.Time // off shift: next opening within HorizonDays; zero if none
	Note          string    // today's holiday or special hours in the team's zone, if any
}

// Decision is where a handoff goes and by when the customer is owed a first reply.
type Decision struct {
	// NoTeam is set when no team serves the market and topic, or none opens within
	// HorizonDays. All other fields but Reason, Candidates and the request echo are zero.
	NoTeam bool

	TeamID        string
	TeamName      string
	OnShift       bool                // the chosen team is on shift at the request's Now
	Translate     bool                // the agent does not speak the customer's language (Low or No match)
	Confidence    language.Confidence // of the chosen team
	AgentLanguage language.Tag        // the chosen team's language for this customer

	// NextOpen is the earliest opening of any eligible team when none is on shift;
	// OpensAt is the chosen team's opening (at most an hour after NextOpen). Both are zero
	// when OnShift.
	NextOpen time.Time
	OpensAt  time.Time

	SLA   time.Duration // the market's first-response SLA
	DueBy time.Time     // Now + SLA on shift; OpensAt + SLA otherwise

	Market   string // echoed from the request, upper case
	Topic    string
	Priority int

	Reason     string      // one line for logs; holds no customer data beyond language, market and topic
	Candidates []Candidate // every eligible team, the chosen one first
}

// sameHour is the window after NextOpen in which a better language match beats an earlier
// opening.
const sameHour = time.Hour

// Route decides which team takes req. It never fails: an impossible request yields a
// Decision with NoTeam set and a Reason.
func (r *Router) Route(req Request) Decision {
	market := strings.ToUpper(strings.TrimSpace(req.Market))
	d := Decision{Market: market, Topic: req.Topic, Priority: req.Priority}

	customer, langErr := language.Parse(req.Language)
	known := langErr == nil && customer != language.Und

	for _, t := range r.teams {
		if !t.serves(market, req.Topic) {
			continue
		}
		c := Candidate{TeamID: t.ID, TeamName: t.Name, Priority: t.Priority, Confidence: language.No}
		if known {
			_, idx, conf := t.matcher.Match(customer)
			c.Confidence = conf
			if conf != language.No {
				c.AgentLanguage = t.Languages[idx]
			}
		}
		c.OnShift, c.ClosesAt, c.OpensAt, c.Note = t.status(req.Now)
		d.Candidates = append(d.Candidates, c)
	}
	if len(d.Candidates) == 0 {
		d.NoTeam = true
		d.Reason = fmt.Sprintf("no team: none serves market %s and topic %s", orDash(market), orDash(req.Topic))
		return d
	}

	for _, c := range d.Candidates {
		if !c.OnShift && !c.OpensAt.IsZero() && (d.NextOpen.IsZero() || c.OpensAt.Before(d.NextOpen)) {
			d.NextOpen = c.OpensAt
		}
	}
	anyOn := slices.ContainsFunc(d.Candidates, func(c Candidate) bool { return c.OnShift })
	if anyOn {
		d.NextOpen = time.Time{}
	}
	slices.SortStableFunc(d.Candidates, func(a, b Candidate) int { return compare(a, b, d.NextOpen) })

	best := d.Candidates[0]
	if !best.OnShift && best.OpensAt.IsZero() {
		d.NoTeam = true
		d.Reason = fmt.Sprintf("no team: %d team(s) serve market %s and topic %s but none opens within %d days",
			len(d.Candidates), orDash(market), orDash(req.Topic), HorizonDays)
		return d
	}

	d.TeamID, d.TeamName = best.TeamID, best.TeamName
	d.OnShift = best.OnShift
	d.Confidence, d.AgentLanguage = best.Confidence, best.AgentLanguage
	d.Translate = known && best.Confidence <= language.Low
	d.SLA = r.FirstResponseSLA(market)

	var b strings.Builder
	if d.OnShift {
		d.DueBy = req.Now.Add(d.SLA)
		fmt.Fprintf(&b, "on shift: %s until %s", best.TeamID, best.ClosesAt.UTC().Format(time.RFC3339))
	} else {
		d.OpensAt = best.OpensAt
		d.DueBy = best.OpensAt.Add(d.SLA)
		fmt.Fprintf(&b, "nobody on shift: %s opens %s (next opening of any team %s)",
			best.TeamID, best.OpensAt.UTC().Format(time.RFC3339), d.NextOpen.UTC().Format(time.RFC3339))
	}
	switch {
	case !known:
		b.WriteString("; customer language unknown")
	case d.Translate:
		fmt.Fprintf(&b, "; no suitable team speaks %s (best match %s), translate", req.Language, best.Confidence)
	default:
		fmt.Fprintf(&b, "; speaks %s as %s (%s)", req.Language, best.AgentLanguage, best.Confidence)
	}
	if best.Note != "" {
		fmt.Fprintf(&b, "; %s", best.Note)
	}
	for _, c := range d.Candidates[1:] {
		if c.Confidence > best.Confidence && c.Note != "" {
			fmt.Fprintf(&b, "; %s closed (%s)", c.TeamID, c.Note)
		}
	}
	fmt.Fprintf(&b, "; first response due %s (sla %s for %s)", d.DueBy.UTC().Format(time.RFC3339), d.SLA, orDash(market))
	d.Reason = b.String()
	return d
}

// compare orders candidates best first. On-shift teams come first, by language match,
// priority and ID. Off-shift teams opening within an hour of nextOpen come next, by
// language match, opening, priority and ID; then the others by opening (never last).
func compare(a, b Candidate, nextOpen time.Time) int {
	if a.OnShift != b.OnShift {
		return boolFirst(a.OnShift)
	}
	if !a.OnShift {
		as, bs := soon(a, nextOpen), soon(b, nextOpen)
		if as != bs {
			return boolFirst(as)
		}
		if !as {
			if a.OpensAt.IsZero() != b.OpensAt.IsZero() {
				return boolFirst(!a.OpensAt.IsZero())
			}
			if c := a.OpensAt.Compare(b.OpensAt); c != 0 {
				return c
			}
		}
	}
	if a.Confidence != b.Confidence {
		return int(b.Confidence) - int(a.Confidence)
	}
	if !a.OnShift {
		if c := a.OpensAt.Compare(b.OpensAt); c != 0 {
			return c
		}
	}
	if a.Priority != b.Priority {
		return a.Priority - b.Priority
	}
	return strings.Compare(a.TeamID, b.TeamID)
}

func soon(c Candidate, nextOpen time.Time) bool {
	return !c.OpensAt.IsZero() && c.OpensAt.Sub(nextOpen) <= sameHour
}

func boolFirst(a bool) int {
	if a {
		return -1
	}
	return 1
}

func (t *team) serves(market, topic string) bool {
	return (len(t.Markets) == 0 || slices.Contains(t.Markets, market)) &&
		(len(t.Topics) == 0 || slices.Contains(t.Topics, topic))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
