package routing

import (
	"time"
)

// HorizonDays is how far ahead Route looks for a team's next opening.
const HorizonDays = 62

// civilDate is a calendar date without a zone.
type civilDate struct {
	y int
	m time.Month
	d int
}

func (c civilDate) key() int { return c.y*10000 + int(c.m)*100 + c.d }

// addDays uses UTC arithmetic, which has no daylight-saving gaps.
func (c civilDate) addDays(n int) civilDate {
	t := time.Date(c.y, c.m, c.d+n, 12, 0, 0, 0, time.UTC)
	return civilDate{t.Year(), t.Month(), t.Day()}
}

func (c civilDate) weekday() time.Weekday {
	return time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Weekday()
}

// shift is one working period in minutes after local midnight of the date it starts on.
type shift struct {
	start, end int
	overnight  bool // end is on the next date
}

// bounds returns the instants of s on date c in loc.
func (s shift) bounds(c civilDate, loc *time.Location) (start, end time.Time) {
	start = time.Date(c.y, c.m, c.d, s.start/60, s.start%60, 0, 0, loc)
	ed := c.d
	if s.overnight {
		ed++
	}
	// Hour 24 normalises to midnight of the next day.
	end = time.Date(c.y, c.m, ed, s.end/60, s.end%60, 0, 0, loc)
	return start, end
}

type week [7][]shift

func (w *week) empty() bool {
	for _, day := range w {
		if len(day) > 0 {
			return false
		}
	}
	return true
}

type special struct {
	name     string
	from, to civilDate
	week     week
}

// dayPlan returns the shifts that start on c and why they differ from the weekly shifts
// (a holiday or special-hours name; "" for a plain day).
func (t *team) dayPlan(c civilDate) ([]shift, string) {
	k := c.key()
	if name, ok := t.holidays[k]; ok {
		return nil, "holiday: " + name
	}
	for i := range t.special {
		w := &t.special[i]
		if k >= w.from.key() && k <= w.to.key() {
			return w.week[c.weekday()], "special hours: " + w.name
		}
	}
	return t.week[c.weekday()], ""
}

// status reports whether t is on shift at now and, if so, when the current shift ends;
// otherwise when it next opens within HorizonDays (zero if it does not). note explains the
// plan of the team's current local date.
func (t *team) status(now time.Time) (onShift bool, closes, opens time.Time, note string) {
	local := now.In(t.Location)
	today := civilDate{local.Year(), local.Month(), local.Day()}
	_, note = t.dayPlan(today)
	for i := -1; i <= HorizonDays; i++ {
		c := today.addDays(i)
		shifts, _ := t.dayPlan(c)
		for _, s := range shifts {
			start, end := s.bounds(c, t.Location)
			if !now.Before(start) && now.Before(end) {
				if !onShift || end.After(closes) {
					closes = end
				}
				onShift = true
				continue
			}
			if start.After(now) && (opens.IsZero() || start.Before(opens)) {
				opens = start
			}
		}
		// Shifts starting on later dates start after every shift of date c, and a shift
		// lasts at most 24 hours, so dates after today cannot contain now.
		if i >= 0 && (onShift || !opens.IsZero()) {
			break
		}
	}
	if onShift {
		opens = time.Time{}
	}
	return onShift, closes, opens, note
}
