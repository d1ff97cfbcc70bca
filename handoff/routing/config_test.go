package routing

import (
	"strings"
	"testing"
)

const validFile = `{
  "sla": {"default": "4h", "groups": [{"name": "EU", "markets": ["DE", "FR"], "first_response": "2h"}], "markets": {"JP": "1h"}},
  "teams": [
    {"id": "a", "name": "Team A", "languages": ["de", "en"], "markets": ["DE"], "topics": ["refund"],
     "time_zone": "Europe/Berlin", "priority": 1,
     "shifts": {"mon": ["09:00-17:00"], "fri": ["22:00-02:00+1"]},
     "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}],
     "special_hours": [{"name": "Sale", "from": "2026-11-27", "to": "2026-11-30", "shifts": {"sat": ["10:00-18:00"]}}]},
    {"id": "b", "name": "Team B", "languages": ["ja"], "time_zone": "Asia/Tokyo", "shifts": {"tue": ["00:00-24:00"]}}
  ]
}`

func TestLoadValid(t *testing.T) {
	t.Parallel()
	r, err := Parse([]byte(validFile))
	if err != nil {
		t.Fatalf("valid file rejected: %v", err)
	}
	teams := r.Teams()
	if len(teams) != 2 || teams[0].ID != "a" || teams[0].Location.String() != "Europe/Berlin" || teams[1].Priority != 0 {
		t.Errorf("Teams() = %+v", teams)
	}
	if got := r.FirstResponseSLA("FR"); got.String() != "2h0m0s" {
		t.Errorf("FR SLA = %v, want 2h", got)
	}
}

func TestDemoLoads(t *testing.T) {
	t.Parallel()
	r := demo(t)
	if n := len(r.Teams()); n < 5 {
		t.Errorf("demo has %d teams, want at least 5", n)
	}
	if string(DemoFile()) != string(demoTeams) {
		t.Error("DemoFile differs from the embedded file")
	}
}

// TestLoadRejects: each broken file is refused with a message that names the team and the
// field, so an operator can fix it without reading code.
func TestLoadRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		old, new  string // one replacement in validFile
		wantParts []string
	}{
		{"bad zone", `"Europe/Berlin"`, `"Europe/Berln"`, []string{`team "a"`, `time_zone "Europe/Berln"`, "unknown IANA zone"}},
		{"empty zone", `"time_zone": "Asia/Tokyo"`, `"time_zone": ""`, []string{`team "b"`, `time_zone ""`}},
		{"Local zone", `"Asia/Tokyo"`, `"Local"`, []string{`team "b"`, `time_zone "Local"`}},
		{"bad time", `"09:00-17:00"`, `"09:00-25:00"`, []string{`team "a"`, "shifts: mon", `"09:00-25:00"`, "end", "not a time of day"}},
		{"bad time format", `"09:00-17:00"`, `"9-17"`, []string{"shifts: mon", `"9-17"`, "HH:MM"}},
		{"end before start", `"09:00-17:00"`, `"17:00-09:00"`, []string{"shifts: mon", "ends before it starts", "17:00-09:00+1"}},
		{"zero-length shift", `"09:00-17:00"`, `"09:00-09:00"`, []string{"shifts: mon", "ends before it starts"}},
		{"overnight longer than a day", `"22:00-02:00+1"`, `"22:00-23:00+1"`, []string{"shifts: fri", "24 hours at most"}},
		{"24:00 as a start", `"00:00-24:00"`, `"24:00-24:00"`, []string{`team "b"`, "start", `"24:00"`}},
		{"unknown weekday", `"mon": [`, `"monday": [`, []string{`team "a"`, `unknown weekday "monday"`}},
		{"bad language tag", `"languages": ["de", "en"]`, `"languages": ["de", "english"]`, []string{`team "a"`, "languages", `"english"`, "BCP 47"}},
		{"ill-formed tag", `"languages": ["ja"]`, `"languages": ["ja_JP!"]`, []string{`team "b"`, `"ja_JP!"`}},
		{"und tag", `"languages": ["ja"]`, `"languages": ["und"]`, []string{`team "b"`, "names no language"}},
		{"no languages", `"languages": ["ja"]`, `"languages": []`, []string{`team "b"`, "languages: at least one"}},
		{"unknown field", `"time_zone": "Asia/Tokyo"`, `"timezone": "Asia/Tokyo"`, []string{`unknown field "timezone"`}},
		{"unknown SLA field", `"default": "4h"`, `"default": "4h", "fallback": "8h"`, []string{`unknown field "fallback"`}},
		{"wrong JSON type", `"priority": 1`, `"priority": "high"`, []string{"teams.priority", "int"}},
		{"negative priority", `"priority": 1`, `"priority": -1`, []string{`team "a"`, "priority -1"}},
		{"duplicate team id", `{"id": "b"`, `{"id": "a"`, []string{"teams[1].id", `duplicate team id "a"`, "teams[0]"}},
		{"bad team id", `{"id": "b"`, `{"id": "Team B"`, []string{"teams[1]", `id "Team B"`}},
		{"missing name", `"name": "Team B", `, ``, []string{`team "b"`, "name: required"}},
		{"UK is not GB", `"markets": ["DE"]`, `"markets": ["UK"]`, []string{`team "a"`, "markets", "write GB"}},
		{"lower-case market", `"markets": ["DE"]`, `"markets": ["de"]`, []string{`team "a"`, `"de"`, "upper-case"}},
		{"unknown market", `"markets": ["DE"]`, `"markets": ["ZZ"]`, []string{`team "a"`, `"ZZ" is not an ISO 3166-1`}},
		{"bad topic", `"topics": ["refund"]`, `"topics": ["Track Order"]`, []string{`team "a"`, "topics", `"Track Order"`}},
		{"no shifts", `"shifts": {"tue": ["00:00-24:00"]}`, `"shifts": {}`, []string{`team "b"`, "no shift in the week"}},
		{"bad holiday date", `"2026-12-25"`, `"2026-02-30"`, []string{`team "a"`, "holidays[0].date", `"2026-02-30"`}},
		{"holiday without name", `"name": "Christmas Day"`, `"name": ""`, []string{"holidays[0].name: required"}},
		{"duplicate holiday", `{"date": "2026-12-25", "name": "Christmas Day"}`, `{"date": "2026-12-25", "name": "Christmas Day"}, {"date": "2026-12-25", "name": "Xmas"}`, []string{"holidays[1].date", "listed twice"}},
		{"special window reversed", `"from": "2026-11-27", "to": "2026-11-30"`, `"from": "2026-11-30", "to": "2026-11-27"`, []string{"special_hours[0]", "is before from"}},
		{"special window without shifts", `, "shifts": {"sat": ["10:00-18:00"]}}`, `}`, []string{"special_hours[0]", "shifts: required"}},
		{"special window bad shift", `"10:00-18:00"`, `"18:00-10:00"`, []string{"special_hours[0]", "shifts: sat", "ends before it starts"}},
		{"overlapping special windows", `"shifts": {"sat": ["10:00-18:00"]}}]`, `"shifts": {"sat": ["10:00-18:00"]}}, {"name": "Late", "from": "2026-11-30", "to": "2026-12-02", "shifts": {}}]`, []string{"special_hours[1]", `"Late" overlaps "Sale"`}},
		{"missing SLA default", `"default": "4h", `, ``, []string{"sla: default: required"}},
		{"bad SLA duration", `"first_response": "2h"`, `"first_response": "2 hours"`, []string{`sla: groups[0] "EU": first_response`, `"2 hours"`}},
		{"negative SLA", `"JP": "1h"`, `"JP": "-1h"`, []string{"sla: markets.JP", "positive"}},
		{"SLA market in two groups", `"first_response": "2h"}]`, `"first_response": "2h"}, {"name": "West", "markets": ["FR"], "first_response": "3h"}]`, []string{`sla: groups[1] "West"`, `FR is already in group "EU"`}},
		{"SLA bad market", `"JP": "1h"`, `"Japan": "1h"`, []string{"sla: markets", `"Japan"`}},
		{"unknown top-level field", `"teams": [`, `"teams": [], "x": [`, []string{`unknown field "x"`}},
		{"trailing data", `  ]
}`, `  ]
} {}`, []string{"unexpected data after"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(validFile, tt.old) {
				t.Fatalf("test is broken: %q not in validFile", tt.old)
			}
			_, err := Parse([]byte(strings.Replace(validFile, tt.old, tt.new, 1)))
			if err == nil {
				t.Fatal("accepted, want an error")
			}
			for _, part := range tt.wantParts {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not mention %q", err, part)
				}
			}
		})
	}
}

func TestLoadRejectsEmptyTeamList(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(`{"sla": {"default": "4h"}, "teams": []}`))
	if err == nil || !strings.Contains(err.Error(), "at least one team") {
		t.Errorf("err = %v, want at least one team", err)
	}
}
