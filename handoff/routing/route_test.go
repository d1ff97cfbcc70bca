package routing

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"
)

// at returns the instant of wall time "2006-01-02 15:04" in zone.
func at(t *testing.T, wall, zone string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := time.ParseInLocation("2006-01-02 15:04", wall, loc)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func utc(t *testing.T, wall string) time.Time { return at(t, wall, "UTC") }

func demo(t testing.TB) *Router {
	t.Helper()
	r, err := Demo()
	if err != nil {
		t.Fatalf("demo teams file: %v", err)
	}
	return r
}

func candidate(d Decision, id string) (Candidate, bool) {
	for _, c := range d.Candidates {
		if c.TeamID == id {
			return c, true
		}
	}
	return Candidate{}, false
}

// TestRouteDemo asserts what an operator of the demo stack would see for typical handoffs.
func TestRouteDemo(t *testing.T) {
	t.Parallel()
	r := demo(t)
	tests := []struct {
		name       string
		req        Request
		team       string
		onShift    bool
		translate  bool
		confidence language.Confidence
		opensAt    time.Time // zero when on shift
		nextOpen   time.Time
		dueBy      time.Time
		reason     string // substring
		closed     map[string]string
	}{
		{
			name: "ar-SA customer goes to the Gulf desk",
			req:  Request{Language: "ar-SA", Market: "SA", Topic: "refund", Now: at(t, "2026-11-23 12:00", "Asia/Dubai")},
			team: "gulf-ar", onShift: true, confidence: language.High, // ar means ar-EG: region differs
			dueBy:  at(t, "2026-11-23 15:00", "Asia/Dubai"), // GCC 3h from the handoff
			reason: "speaks ar-SA as ar",
		},
		{
			name: "pt-BR customer goes to the Spanish/Portuguese LATAM desk",
			req:  Request{Language: "pt-BR", Market: "BR", Topic: "track_order", Now: at(t, "2026-11-24 12:00", "America/Mexico_City")},
			team: "latam-es-pt", onShift: true, confidence: language.Exact, // pt means pt-BR
			dueBy: at(t, "2026-11-24 16:00", "America/Mexico_City"), // default 4h
		},
		{
			name: "de-AT customer goes to the EU desk",
			req:  Request{Language: "de-AT", Market: "AT", Topic: "track_order", Now: at(t, "2026-11-23 10:00", "Europe/Vienna")},
			team: "eu-de-en", onShift: true, confidence: language.High, // de means de-DE
			dueBy: at(t, "2026-11-23 12:00", "Europe/Vienna"), // EU 2h
		},
		{
			name: "ja customer goes to the Japan desk",
			req:  Request{Language: "ja", Market: "JP", Topic: "track_order", Now: at(t, "2026-11-24 10:00", "Asia/Tokyo")},
			team: "jp", onShift: true, confidence: language.Exact,
			dueBy: at(t, "2026-11-24 11:00", "Asia/Tokyo"), // JP 1h
		},
		{
			name: "complaint in Germany: the complaints desk's priority 5 beats the EU desk's 10",
			req:  Request{Language: "de-DE", Market: "DE", Topic: "complaint", Now: at(t, "2026-11-23 10:00", "Europe/Berlin")},
			team: "eu-complaints", onShift: true, confidence: language.Exact, // de means de-DE
			dueBy: at(t, "2026-11-23 12:00", "Europe/Berlin"),
		},
		{
			name: "ar customer at 03:00 Dubai: nobody on shift, Gulf desk opens 09:00 Dubai",
			req:  Request{Language: "ar-SA", Market: "SA", Topic: "refund", Now: at(t, "2026-11-23 03:00", "Asia/Dubai")},
			team: "gulf-ar", onShift: false, confidence: language.High,
			opensAt: at(t, "2026-11-23 09:00", "Asia/Dubai"),
			// The English desk opens at 05:00 UTC too; the Arabic speakers win the tie.
			nextOpen: utc(t, "2026-11-23 05:00"),
			dueBy:    at(t, "2026-11-23 12:00", "Asia/Dubai"),
			reason:   "nobody on shift: gulf-ar opens 2026-11-23T05:00:00Z",
		},
		{
			name: "a German speaker waits an hour for German rather than the English desk that opens first",
			req:  Request{Language: "de", Market: "DE", Topic: "refund", Now: at(t, "2026-11-29 23:00", "Europe/Berlin")},
			team: "eu-de-en", onShift: false, confidence: language.Exact,
			opensAt:  at(t, "2026-11-30 07:00", "Europe/Berlin"), // Cyber Monday hours
			nextOpen: utc(t, "2026-11-30 05:00"),
			dueBy:    at(t, "2026-11-30 09:00", "Europe/Berlin"),
		},
		{
			name: "Ramadan: 16:00 Dubai falls between the day and night shifts",
			req:  Request{Language: "ar", Market: "AE", Topic: "refund", Now: at(t, "2026-03-01 16:00", "Asia/Dubai")},
			team: "gulf-ar", onShift: false, confidence: language.Exact,
			opensAt:  at(t, "2026-03-01 21:00", "Asia/Dubai"),
			nextOpen: at(t, "2026-03-01 21:00", "Asia/Dubai"),
			dueBy:    at(t, "2026-03-02 00:00", "Asia/Dubai"),
			reason:   "special hours: Ramadan 1447",
		},
		{
			name: "Ramadan: 09:30 Dubai is before the 10:00 start",
			req:  Request{Language: "ar", Market: "AE", Topic: "refund", Now: at(t, "2026-03-01 09:30", "Asia/Dubai")},
			team: "gulf-ar", onShift: false, confidence: language.Exact,
			opensAt:  at(t, "2026-03-01 10:00", "Asia/Dubai"),
			nextOpen: at(t, "2026-03-01 10:00", "Asia/Dubai"),
			dueBy:    at(t, "2026-03-01 13:00", "Asia/Dubai"),
		},
		{
			name: "Ramadan: the night shift runs past midnight",
			req:  Request{Language: "ar", Market: "AE", Topic: "refund", Now: at(t, "2026-03-02 00:30", "Asia/Dubai")},
			team: "gulf-ar", onShift: true, confidence: language.Exact,
			dueBy:  at(t, "2026-03-02 03:30", "Asia/Dubai"),
			reason: "until 2026-03-01T21:00:00Z", // 01:00 Dubai
		},
		{
			name: "after Ramadan: 16:00 Dubai is inside the weekly shift",
			req:  Request{Language: "ar", Market: "AE", Topic: "refund", Now: at(t, "2026-03-23 16:00", "Asia/Dubai")},
			team: "gulf-ar", onShift: true, confidence: language.Exact,
			dueBy: at(t, "2026-03-23 19:00", "Asia/Dubai"),
		},
		{
			name: "after Ramadan: no night shift at 00:30 Dubai, the English desk takes it",
			req:  Request{Language: "ar", Market: "AE", Topic: "refund", Now: at(t, "2026-03-24 00:30", "Asia/Dubai")},
			team: "global-en", onShift: true, translate: true, confidence: language.No,
			dueBy:  at(t, "2026-03-24 03:30", "Asia/Dubai"),
			reason: "no suitable team speaks ar (best match No), translate",
			closed: map[string]string{"gulf-ar": ""},
		},
		{
			name: "UAE National Day closes the Gulf desk: the English desk takes it with translation",
			req:  Request{Language: "ar-AE", Market: "AE", Topic: "refund", Now: at(t, "2026-12-02 11:00", "Asia/Dubai")},
			team: "global-en", onShift: true, translate: true, confidence: language.No,
			dueBy:  at(t, "2026-12-02 14:00", "Asia/Dubai"),
			reason: "gulf-ar closed (holiday: UAE National Day)",
			closed: map[string]string{"gulf-ar": "holiday: UAE National Day"},
		},
		{
			name: "Labour Thanksgiving Day closes the Japan desk; the English desk opens first",
			req:  Request{Language: "ja", Market: "JP", Topic: "refund", Now: at(t, "2026-11-23 10:00", "Asia/Tokyo")},
			team: "global-en", onShift: false, translate: true, confidence: language.No,
			opensAt:  utc(t, "2026-11-23 05:00"),
			nextOpen: utc(t, "2026-11-23 05:00"),
			dueBy:    utc(t, "2026-11-23 06:00"),
			closed:   map[string]string{"jp": "holiday: Labour Thanksgiving Day"},
		},
		{
			name: "English customer in Mexico on Sunday: nobody on shift, LATAM desk speaks no English",
			req:  Request{Language: "en-US", Market: "MX", Topic: "refund", Now: at(t, "2026-11-22 12:00", "America/Mexico_City")},
			team: "global-en", onShift: false, confidence: language.Exact,
			opensAt:  utc(t, "2026-11-23 05:00"),
			nextOpen: utc(t, "2026-11-23 05:00"),
			dueBy:    utc(t, "2026-11-23 09:00"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := r.Route(tt.req)
			if d.NoTeam || d.TeamID != tt.team {
				t.Fatalf("team = %q (NoTeam %v), want %q; reason: %s", d.TeamID, d.NoTeam, tt.team, d.Reason)
			}
			if d.OnShift != tt.onShift || d.Translate != tt.translate || d.Confidence != tt.confidence {
				t.Errorf("OnShift, Translate, Confidence = %v, %v, %v; want %v, %v, %v; reason: %s",
					d.OnShift, d.Translate, d.Confidence, tt.onShift, tt.translate, tt.confidence, d.Reason)
			}
			if !d.OpensAt.Equal(tt.opensAt) || !d.NextOpen.Equal(tt.nextOpen) {
				t.Errorf("OpensAt, NextOpen = %v, %v; want %v, %v", d.OpensAt.UTC(), d.NextOpen.UTC(), tt.opensAt.UTC(), tt.nextOpen.UTC())
			}
			if !d.DueBy.Equal(tt.dueBy) {
				t.Errorf("DueBy = %v, want %v", d.DueBy.UTC(), tt.dueBy.UTC())
			}
			if !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", d.Reason, tt.reason)
			}
			if d.Candidates[0].TeamID != d.TeamID {
				t.Errorf("Candidates[0] = %s, want the chosen team %s first", d.Candidates[0].TeamID, d.TeamID)
			}
			for id, note := range tt.closed {
				c, ok := candidate(d, id)
				if !ok || c.OnShift || c.Note != note {
					t.Errorf("candidate %s = %+v (found %v), want closed with note %q", id, c, ok, note)
				}
			}
		})
	}
}

// TestExpectedReplyInCustomerZone: the 03:00 Dubai case tells a Saudi customer "11:00",
// their own wall clock (Riyadh is an hour behind Dubai).
func TestExpectedReplyInCustomerZone(t *testing.T) {
	t.Parallel()
	r := demo(t)
	d := r.Route(Request{Language: "ar-SA", Market: "SA", Topic: "refund", Now: at(t, "2026-11-23 03:00", "Asia/Dubai")})
	riyadh, _ := time.LoadLocation("Asia/Riyadh")
	tests := []struct {
		name string
		tz   *time.Location
		want string
	}{
		{"customer zone known", riyadh, "2026-11-23 11:00 +03"},
		{"customer zone from the market", nil, "2026-11-23 11:00 +03"},
		{"customer zone given elsewhere", time.UTC, "2026-11-23 08:00 UTC"},
	}
	for _, tt := range tests {
		if got := ExpectedReply(d, tt.tz).Format("2006-01-02 15:04 MST"); got != tt.want {
			t.Errorf("%s: ExpectedReply = %s, want %s", tt.name, got, tt.want)
		}
	}
	if got := ExpectedReply(Decision{NoTeam: true}, nil); !got.IsZero() {
		t.Errorf("ExpectedReply(NoTeam) = %v, want zero", got)
	}
	unknown := d
	unknown.Market = "XX"
	if got := ExpectedReply(unknown, nil); got.Location() != time.UTC {
		t.Errorf("ExpectedReply for an unknown market is in %v, want UTC", got.Location())
	}
}

const berlinFile = `{
  "sla": {"default": "2h"},
  "teams": [
    {"id": "day", "name": "Day desk", "languages": ["de"], "time_zone": "Europe/Berlin",
     "shifts": {"mon": ["08:00-20:00"], "tue": ["08:00-20:00"], "wed": ["08:00-20:00"], "thu": ["08:00-20:00"], "fri": ["08:00-20:00"]}},
    {"id": "night", "name": "Night desk", "languages": ["de"], "time_zone": "Europe/Berlin", "topics": ["fraud"],
     "shifts": {"sat": ["22:00-06:00+1"]}}
  ]
}`

// TestDaylightSavingBerlin: shifts are wall-clock times in Berlin on both sides of the
// 2026 changes (29 March 02:00 → 03:00, 25 October 03:00 → 02:00).
func TestDaylightSavingBerlin(t *testing.T) {
	t.Parallel()
	r, err := Parse([]byte(berlinFile))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		topic   string
		now     time.Time
		team    string
		onShift bool
		opens   time.Time
		closes  time.Time
	}{
		{"March: weekend, Monday opens 08:00 CEST = 06:00 UTC", "refund", utc(t, "2026-03-28 12:00"), "day", false, utc(t, "2026-03-30 06:00"), time.Time{}},
		{"March: Friday before the change closes 20:00 CET = 19:00 UTC", "refund", utc(t, "2026-03-27 18:30"), "day", true, time.Time{}, utc(t, "2026-03-27 19:00")},
		{"March: night shift ends 06:00 CEST = 04:00 UTC (7 hours)", "fraud", utc(t, "2026-03-29 03:30"), "night", true, time.Time{}, utc(t, "2026-03-29 04:00")},
		{"March: 04:30 UTC is 06:30 CEST, after the night shift", "fraud", utc(t, "2026-03-29 04:30"), "night", false, utc(t, "2026-04-04 20:00"), time.Time{}},
		{"October: weekend, Monday opens 08:00 CET = 07:00 UTC", "refund", utc(t, "2026-10-23 19:00"), "day", false, utc(t, "2026-10-26 07:00"), time.Time{}},
		{"October: night shift ends 06:00 CET = 05:00 UTC (9 hours)", "fraud", utc(t, "2026-10-25 04:30"), "night", true, time.Time{}, utc(t, "2026-10-25 05:00")},
		{"October: night shift started 22:00 CEST = 20:00 UTC", "fraud", utc(t, "2026-10-24 19:59"), "night", false, utc(t, "2026-10-24 20:00"), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := r.Route(Request{Language: "de-DE", Market: "DE", Topic: tt.topic, Now: tt.now})
			c, ok := candidate(d, tt.team)
			if !ok {
				t.Fatalf("team %s not a candidate: %s", tt.team, d.Reason)
			}
			if c.OnShift != tt.onShift || !c.OpensAt.Equal(tt.opens) || !c.ClosesAt.Equal(tt.closes) {
				t.Errorf("OnShift %v OpensAt %v ClosesAt %v; want %v %v %v",
					c.OnShift, c.OpensAt.UTC(), c.ClosesAt.UTC(), tt.onShift, tt.opens.UTC(), tt.closes.UTC())
			}
		})
	}
}

const tieFile = `{
  "sla": {"default": "4h", "markets": {"US": "1h"}},
  "teams": [
    {"id": "b-en", "name": "B", "languages": ["en"], "markets": ["US"], "time_zone": "UTC", "priority": 2, "shifts": {"mon": ["00:00-24:00"]}},
    {"id": "a-en", "name": "A", "languages": ["en"], "markets": ["US"], "time_zone": "UTC", "priority": 2, "shifts": {"mon": ["00:00-24:00"]}},
    {"id": "c-en", "name": "C", "languages": ["en"], "markets": ["US"], "time_zone": "UTC", "priority": 1, "topics": ["refund"], "shifts": {"mon": ["00:00-24:00"]}},
    {"id": "hans", "name": "Simplified", "languages": ["zh-Hans"], "markets": ["US"], "time_zone": "UTC", "priority": 0, "shifts": {"mon": ["00:00-24:00"]}},
    {"id": "hant", "name": "Traditional", "languages": ["zh-Hant"], "markets": ["US"], "time_zone": "UTC", "priority": 9, "topics": ["complaint"], "shifts": {"mon": ["00:00-24:00"]}},
    {"id": "closed", "name": "Closed for the season", "languages": ["en"], "markets": ["CA"], "time_zone": "UTC",
     "shifts": {"mon": ["09:00-17:00"]},
     "special_hours": [{"name": "Winter closure", "from": "2026-11-01", "to": "2027-03-31", "shifts": {}}]}
  ]
}`

// TestTieBreaksAndLanguage covers the ordering rules and the no-team outcomes.
func TestTieBreaksAndLanguage(t *testing.T) {
	t.Parallel()
	r, err := Parse([]byte(tieFile))
	if err != nil {
		t.Fatal(err)
	}
	monday := utc(t, "2026-11-23 10:00")
	tests := []struct {
		name       string
		req        Request
		team       string
		translate  bool
		confidence language.Confidence
		order      []string // Candidates prefix
		noTeam     string   // Reason substring when NoTeam
	}{
		{"equal priority: team ID breaks the tie", Request{Language: "en", Market: "US", Topic: "track_order"},
			"a-en", false, language.Exact, []string{"a-en", "b-en", "hans"}, ""},
		{"lower priority number wins", Request{Language: "en", Market: "US", Topic: "refund"},
			"c-en", false, language.Exact, []string{"c-en", "a-en", "b-en"}, ""},
		{"language beats priority: priority 0 speaks no English", Request{Language: "en-GB", Market: "US", Topic: "refund"},
			"c-en", false, language.High, []string{"c-en", "a-en", "b-en", "hans"}, ""},
		{"zh-Hant customer, only a zh-Hans team fits: Low match, translate", Request{Language: "zh-Hant", Market: "US", Topic: "refund"},
			"hans", true, language.Low, []string{"hans"}, ""},
		{"zh-Hant customer with a zh-Hant team", Request{Language: "zh-Hant-TW", Market: "US", Topic: "complaint"},
			"hant", false, language.Exact, []string{"hant", "hans"}, ""},
		{"unknown customer language: priority decides, no translation flag", Request{Language: "", Market: "us", Topic: "refund"},
			"hans", false, language.No, []string{"hans", "c-en"}, ""},
		{"no team serves the market", Request{Language: "en", Market: "GB", Topic: "refund"},
			"", false, 0, nil, "no team: none serves market GB and topic refund"},
		{"the only team is closed beyond the horizon", Request{Language: "en", Market: "CA", Topic: "refund"},
			"", false, 0, []string{"closed"}, "none opens within 62 days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.req.Now = monday
			d := r.Route(tt.req)
			if tt.noTeam != "" {
				if !d.NoTeam || d.TeamID != "" || !d.DueBy.IsZero() || !strings.Contains(d.Reason, tt.noTeam) {
					t.Errorf("got NoTeam %v team %q due %v reason %q; want NoTeam with %q", d.NoTeam, d.TeamID, d.DueBy, d.Reason, tt.noTeam)
				}
			} else if d.NoTeam || d.TeamID != tt.team || d.Translate != tt.translate || d.Confidence != tt.confidence {
				t.Errorf("got team %q translate %v confidence %v; want %q %v %v; reason %s",
					d.TeamID, d.Translate, d.Confidence, tt.team, tt.translate, tt.confidence, d.Reason)
			}
			var got []string
			for _, c := range d.Candidates {
				got = append(got, c.TeamID)
			}
			if len(got) < len(tt.order) || strings.Join(got[:len(tt.order)], ",") != strings.Join(tt.order, ",") {
				t.Errorf("Candidates = %v, want prefix %v", got, tt.order)
			}
		})
	}
}

func TestFirstResponseSLA(t *testing.T) {
	t.Parallel()
	r := demo(t)
	for market, want := range map[string]time.Duration{"DE": 2 * time.Hour, "se": 2 * time.Hour, "CH": 2 * time.Hour, "SA": 3 * time.Hour, "JP": time.Hour, "BR": 4 * time.Hour, "": 4 * time.Hour} {
		if got := r.FirstResponseSLA(market); got != want {
			t.Errorf("FirstResponseSLA(%q) = %v, want %v", market, got, want)
		}
	}
}

func TestMarketZone(t *testing.T) {
	t.Parallel()
	covered := strings.Fields("DE FR ES IT NL PL SE AE SA QA KW BH OM EG ID MY TH VN PH SG JP KR CN TW HK IN BR MX AR CO CL PE US CA GB AU NZ TR")
	for _, m := range covered {
		if MarketZone(m) == nil {
			t.Errorf("MarketZone(%s) = nil", m)
		}
	}
	// Every demo team's market has a zone, so its customers get a local due time.
	for _, tm := range demo(t).Teams() {
		for _, m := range tm.Markets {
			if _, ok := MarketZoneName(m); !ok {
				t.Errorf("team %s market %s has no zone", tm.ID, m)
			}
		}
	}
	noon := utc(t, "2026-07-01 12:00")
	for market, want := range map[string]string{"us": "08:00", "BR": "09:00", "ID": "19:00", "AU": "22:00", "IN": "17:30", "MX": "06:00"} {
		if got := noon.In(MarketZone(market)).Format("15:04"); got != want {
			t.Errorf("12:00 UTC in MarketZone(%s) = %s, want %s", market, got, want)
		}
	}
	if MarketZone("XX") != nil {
		t.Error("MarketZone(XX) is not nil")
	}
}
