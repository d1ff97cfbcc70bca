package i18n

import (
	"strings"
	"testing"

	"golang.org/x/text/language"
)

// TestCountries checks the market list against golang.org/x/text: every code in it is a
// country there, and it has the 249 officially assigned codes plus XK.
func TestCountries(t *testing.T) {
	if len(countries) != 250 {
		t.Errorf("%d market codes, want 249 + XK", len(countries))
	}
	for c := range countries {
		r, err := language.ParseRegion(c)
		if err != nil || !r.IsCountry() || r.String() != c {
			t.Errorf("%s is not a country for x/text: %v %v", c, r, err)
		}
	}
}

func TestParseMarket(t *testing.T) {
	for in, want := range map[string]string{"de": "DE", " MX ": "MX", "uk": "GB", "XK": "XK", "": ""} {
		if got, err := ParseMarket(in); err != nil || got != want {
			t.Errorf("ParseMarket(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, reason := range map[string]string{"EU": "not a country", "Germany": "not an ISO 3166-1", "YU": "not an ISO 3166-1", "UN": "not an ISO 3166-1"} {
		if _, err := ParseMarket(in); err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("ParseMarket(%q) = %v, want an error saying %q", in, err, reason)
		}
	}
}
