package routing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"

	// The loader must resolve the same zones on every host, including minimal containers
	// without /usr/share/zoneinfo; the embedded database is the fallback (about 450 KB).
	_ "time/tzdata"
)

// fileJSON is the teams file. The JSON tags are the wire format of that file.
type fileJSON struct {
	SLA   slaJSON    `json:"sla"`
	Teams []teamJSON `json:"teams"`
}

type slaJSON struct {
	Default string            `json:"default"`
	Groups  []slaGroupJSON    `json:"groups"`
	Markets map[string]string `json:"markets"`
}

type slaGroupJSON struct {
	Name          string   `json:"name"`
	Markets       []string `json:"markets"`
	FirstResponse string   `json:"first_response"`
}

type teamJSON struct {
	ID           string              `json:"id"`
	Name         string              `json:"name"`
	Languages    []string            `json:"languages"`
	Markets      []string            `json:"markets"`
	Topics       []string            `json:"topics"`
	TimeZone     string              `json:"time_zone"`
	Priority     int                 `json:"priority"`
	Shifts       map[string][]string `json:"shifts"`
	Holidays     []holidayJSON       `json:"holidays"`
	SpecialHours []specialJSON       `json:"special_hours"`
}

type holidayJSON struct {
	Date string `json:"date"`
	Name string `json:"name"`
}

type specialJSON struct {
	Name   string              `json:"name"`
	From   string              `json:"from"`
	To     string              `json:"to"`
	Shifts map[string][]string `json:"shifts"`
}

// Load reads a teams file strictly: unknown fields, trailing data, and any invalid value
// are errors that name the team and field.
func Load(r io.Reader) (*Router, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f fileJSON
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("teams file: %w", describeJSONError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("teams file: unexpected data after the top-level object")
	}
	return compile(f)
}

// Parse is Load over bytes.
func Parse(data []byte) (*Router, error) { return Load(bytes.NewReader(data)) }

func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("field %s: want %s, got JSON %s: %w", te.Field, te.Type, te.Value, err)
	}
	return err
}

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	topicPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
)

func compile(f fileJSON) (*Router, error) {
	sla, err := compileSLA(f.SLA)
	if err != nil {
		return nil, fmt.Errorf("sla: %w", err)
	}
	if len(f.Teams) == 0 {
		return nil, errors.New("teams: at least one team is required")
	}
	r := &Router{sla: sla}
	seen := make(map[string]int, len(f.Teams))
	for i, tj := range f.Teams {
		if prev, dup := seen[tj.ID]; dup && tj.ID != "" {
			return nil, fmt.Errorf("teams[%d].id: duplicate team id %q (also teams[%d])", i, tj.ID, prev)
		}
		seen[tj.ID] = i
		t, err := compileTeam(tj)
		if err != nil {
			if idPattern.MatchString(tj.ID) {
				return nil, fmt.Errorf("team %q: %w", tj.ID, err)
			}
			return nil, fmt.Errorf("teams[%d]: %w", i, err)
		}
		r.teams = append(r.teams, t)
	}
	return r, nil
}

func compileTeam(tj teamJSON) (*team, error) {
	if !idPattern.MatchString(tj.ID) {
		return nil, fmt.Errorf("id %q: want lower-case letters, digits and dashes", tj.ID)
	}
	if strings.TrimSpace(tj.Name) == "" {
		return nil, errors.New("name: required")
	}
	t := &team{Team: Team{ID: tj.ID, Name: tj.Name, Priority: tj.Priority}}
	if tj.Priority < 0 {
		return nil, fmt.Errorf("priority %d: want 0 or more (lower wins ties)", tj.Priority)
	}
	if len(tj.Languages) == 0 {
		return nil, errors.New("languages: at least one BCP 47 tag is required")
	}
	for _, s := range tj.Languages {
		tag, err := parseTag(s)
		if err != nil {
			return nil, fmt.Errorf("languages: %w", err)
		}
		t.Languages = append(t.Languages, tag)
	}
	t.matcher = language.NewMatcher(t.Languages)
	for _, s := range tj.Markets {
		m, err := parseMarket(s)
		if err != nil {
			return nil, fmt.Errorf("markets: %w", err)
		}
		t.Markets = append(t.Markets, m)
	}
	for _, s := range tj.Topics {
		if !topicPattern.MatchString(s) {
			return nil, fmt.Errorf("topics: %q is not an intent name (lower-case snake_case, such as track_order)", s)
		}
		t.Topics = append(t.Topics, s)
	}
	if tj.TimeZone == "" || tj.TimeZone == "Local" {
		return nil, fmt.Errorf("time_zone %q: want an IANA zone such as Asia/Dubai", tj.TimeZone)
	}
	loc, err := time.LoadLocation(tj.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time_zone %q: unknown IANA zone: %w", tj.TimeZone, err)
	}
	t.Location = loc

	week, err := compileWeek(tj.Shifts)
	if err != nil {
		return nil, fmt.Errorf("shifts: %w", err)
	}
	if week.empty() {
		return nil, errors.New("shifts: the team has no shift in the week")
	}
	t.week = week

	t.holidays = make(map[int]string, len(tj.Holidays))
	for i, h := range tj.Holidays {
		d, err := parseDate(h.Date)
		if err != nil {
			return nil, fmt.Errorf("holidays[%d].date: %w", i, err)
		}
		if strings.TrimSpace(h.Name) == "" {
			return nil, fmt.Errorf("holidays[%d].name: required", i)
		}
		if prev, dup := t.holidays[d.key()]; dup {
			return nil, fmt.Errorf("holidays[%d].date: %s is listed twice (also %q)", i, h.Date, prev)
		}
		t.holidays[d.key()] = h.Name
	}

	for i, sj := range tj.SpecialHours {
		w, err := compileSpecial(sj)
		if err != nil {
			return nil, fmt.Errorf("special_hours[%d]: %w", i, err)
		}
		for _, o := range t.special {
			if w.from.key() <= o.to.key() && o.from.key() <= w.to.key() {
				return nil, fmt.Errorf("special_hours[%d]: %q overlaps %q", i, w.name, o.name)
			}
		}
		t.special = append(t.special, w)
	}
	sort.Slice(t.special, func(a, b int) bool { return t.special[a].from.key() < t.special[b].from.key() })
	return t, nil
}

func compileSpecial(sj specialJSON) (special, error) {
	var w special
	if strings.TrimSpace(sj.Name) == "" {
		return w, errors.New("name: required")
	}
	w.name = sj.Name
	var err error
	if w.from, err = parseDate(sj.From); err != nil {
		return w, fmt.Errorf("from: %w", err)
	}
	if w.to, err = parseDate(sj.To); err != nil {
		return w, fmt.Errorf("to: %w", err)
	}
	if w.to.key() < w.from.key() {
		return w, fmt.Errorf("to %s is before from %s", sj.To, sj.From)
	}
	if sj.Shifts == nil {
		return w, errors.New(`shifts: required (write "shifts": {} to close the team for the whole window)`)
	}
	if w.week, err = compileWeek(sj.Shifts); err != nil {
		return w, fmt.Errorf("shifts: %w", err)
	}
	return w, nil
}

var weekdayKeys = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func compileWeek(m map[string][]string) (week, error) {
	var w week
	for k, list := range m {
		wd, ok := weekdayKeys[k]
		if !ok {
			return w, fmt.Errorf("unknown weekday %q (want sun, mon, tue, wed, thu, fri or sat)", k)
		}
		for _, s := range list {
			sh, err := parseShift(s)
			if err != nil {
				return w, fmt.Errorf("%s: %w", k, err)
			}
			w[wd] = append(w[wd], sh)
		}
		sort.Slice(w[wd], func(a, b int) bool { return w[wd][a].start < w[wd][b].start })
	}
	return w, nil
}

// parseShift parses "HH:MM-HH:MM" or the overnight form "HH:MM-HH:MM+1".
func parseShift(s string) (shift, error) {
	body, overnight := strings.CutSuffix(s, "+1")
	a, b, ok := strings.Cut(body, "-")
	if !ok {
		return shift{}, fmt.Errorf("shift %q: want HH:MM-HH:MM", s)
	}
	start, err := parseClock(a, false)
	if err != nil {
		return shift{}, fmt.Errorf("shift %q: start: %w", s, err)
	}
	end, err := parseClock(b, !overnight)
	if err != nil {
		return shift{}, fmt.Errorf("shift %q: end: %w", s, err)
	}
	switch {
	case overnight && end > start:
		return shift{}, fmt.Errorf("shift %q: an overnight shift must end the next day at or before %s (24 hours at most)", s, a)
	case !overnight && end <= start:
		return shift{}, fmt.Errorf("shift %q: ends before it starts; write %s+1 for a shift that ends the next day", s, body)
	}
	return shift{start: start, end: end, overnight: overnight}, nil
}

// parseClock parses "HH:MM" into minutes after midnight; "24:00" only when allow24.
func parseClock(s string, allow24 bool) (int, error) {
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, fmt.Errorf("%q: want HH:MM", s)
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	switch {
	case h == 24 && m == 0 && allow24:
		return 24 * 60, nil
	case h > 23 || m > 59:
		return 0, fmt.Errorf("%q: not a time of day", s)
	}
	return h*60 + m, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseDate(s string) (civilDate, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return civilDate{}, fmt.Errorf("%q: want YYYY-MM-DD", s)
	}
	return civilDate{t.Year(), t.Month(), t.Day()}, nil
}

// parseTag parses a BCP 47 tag strictly: ill-formed tags, unknown subtags and "und" are
// errors.
func parseTag(s string) (language.Tag, error) {
	tag, err := language.Parse(s)
	if err != nil {
		return language.Und, fmt.Errorf("%q is not a valid BCP 47 tag: %w", s, err)
	}
	if tag == language.Und {
		return language.Und, fmt.Errorf("%q names no language", s)
	}
	return tag, nil
}

// parseMarket accepts an upper-case ISO 3166-1 alpha-2 country code.
func parseMarket(s string) (string, error) {
	if s == "UK" {
		return "", errors.New(`"UK" is not the ISO 3166-1 code of the United Kingdom: write GB`)
	}
	if len(s) != 2 || strings.ToUpper(s) != s {
		return "", fmt.Errorf("%q: want an upper-case ISO 3166-1 alpha-2 code such as DE", s)
	}
	r, err := language.ParseRegion(s)
	if err != nil || !r.IsCountry() {
		return "", fmt.Errorf("%q is not an ISO 3166-1 alpha-2 country code", s)
	}
	return s, nil
}

func compileSLA(sj slaJSON) (slaTable, error) {
	t := slaTable{markets: make(map[string]time.Duration)}
	var err error
	if sj.Default == "" {
		return t, errors.New(`default: required (such as "4h")`)
	}
	if t.def, err = parseSLADuration(sj.Default); err != nil {
		return t, fmt.Errorf("default: %w", err)
	}
	source := make(map[string]string)
	for i, g := range sj.Groups {
		if strings.TrimSpace(g.Name) == "" {
			return t, fmt.Errorf("groups[%d].name: required", i)
		}
		d, err := parseSLADuration(g.FirstResponse)
		if err != nil {
			return t, fmt.Errorf("groups[%d] %q: first_response: %w", i, g.Name, err)
		}
		if len(g.Markets) == 0 {
			return t, fmt.Errorf("groups[%d] %q: markets: at least one market is required", i, g.Name)
		}
		for _, s := range g.Markets {
			m, err := parseMarket(s)
			if err != nil {
				return t, fmt.Errorf("groups[%d] %q: markets: %w", i, g.Name, err)
			}
			if prev, dup := source[m]; dup {
				return t, fmt.Errorf("groups[%d] %q: markets: %s is already in group %q", i, g.Name, m, prev)
			}
			source[m] = g.Name
			t.markets[m] = d
		}
	}
	// Market entries override groups; sorted for a stable first error.
	keys := make([]string, 0, len(sj.Markets))
	for k := range sj.Markets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m, err := parseMarket(k)
		if err != nil {
			return t, fmt.Errorf("markets: %w", err)
		}
		d, err := parseSLADuration(sj.Markets[k])
		if err != nil {
			return t, fmt.Errorf("markets.%s: %w", k, err)
		}
		t.markets[m] = d
	}
	return t, nil
}

func parseSLADuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q: want a duration such as 2h or 90m", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q: must be positive", s)
	}
	return d, nil
}
