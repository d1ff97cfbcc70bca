package privacy

import (
	"errors"
	"strings"
	"testing"
)

func TestEmbeddedRetention(t *testing.T) {
	r, err := DefaultRetention()
	if err != nil {
		t.Fatalf("embedded retention.json: %v", err)
	}
	if r.DefaultDays != 730 {
		t.Errorf("default is %d days, want 730", r.DefaultDays)
	}
	for _, m := range strings.Fields("DE FR ES IT NL AE SA ID MY TH JP CN IN BR MX") {
		if _, ok := r.Markets[m]; !ok {
			t.Errorf("market %s has no retention period", m)
		}
	}
	if r.Days("de") != r.Markets["DE"] || r.Days("") != 730 || r.Days("ZZ") != 730 {
		t.Errorf("Days: de=%d ''=%d ZZ=%d", r.Days("de"), r.Days(""), r.Days("ZZ"))
	}
	if r.Longest() < r.Markets["BR"] || r.Longest() < r.DefaultDays {
		t.Errorf("Longest() = %d", r.Longest())
	}
}

func TestParseRetentionRejects(t *testing.T) {
	tests := []struct {
		name, json, field string
	}{
		{"not JSON", `{"default": `, "retention policy"},
		{"unknown field", `{"default": {"days": 30}, "marketz": {}}`, "marketz"},
		{"unknown entry field", `{"default": {"days": 30, "weeks": 2}}`, "weeks"},
		{"no default", `{"markets": {"DE": {"days": 30}}}`, "default: missing"},
		{"default without days", `{"default": {}}`, "default.days: missing"},
		{"zero days", `{"default": {"days": 0}}`, "default.days: 0 is outside"},
		{"negative market days", `{"default": {"days": 30}, "markets": {"DE": {"days": -1}}}`, "markets.DE.days: -1"},
		{"too long", `{"default": {"days": 30}, "markets": {"FR": {"days": 40000}}}`, "markets.FR.days: 40000"},
		{"days as string", `{"default": {"days": "30"}}`, "days"},
		{"lower-case market", `{"default": {"days": 30}, "markets": {"de": {"days": 30}}}`, "markets.de"},
		{"three-letter market", `{"default": {"days": 30}, "markets": {"DEU": {"days": 30}}}`, "markets.DEU"},
		{"market without days", `{"default": {"days": 30}, "markets": {"JP": null}}`, "markets.JP.days: missing"},
		{"trailing data", `{"default": {"days": 30}} {}`, "data after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRetention([]byte(tt.json))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("ParseRetention(%s) = %v; want ErrInvalid naming %q", tt.json, err, tt.field)
			}
		})
	}
	r, err := ParseRetention([]byte(`{"note": "x", "default": {"days": 90}, "markets": {"DE": {"days": 30, "note": "y"}}}`))
	if err != nil || r.Days("DE") != 30 || r.Days("FR") != 90 {
		t.Errorf("a valid policy: %+v, %v", r, err)
	}
}
