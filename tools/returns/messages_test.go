package returns

import (
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/tools/tracking"
)

// TestMessages checks that every answer a customer hears has its sentence in every
// locale, with the last day in it.
func TestMessages(t *testing.T) {
	t.Parallel()
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r := Default()
	delivered := day("2026-11-02 15:00")
	cases := []Eligibility{
		r.Eligible("DE", delivered, day("2026-11-05 10:00"), ""),
		r.Eligible("DE", delivered, day("2026-11-25 10:00"), ""),
		r.Eligible("SA", delivered, day("2026-11-25 10:00"), ""),
		r.Eligible("SA", delivered, day("2026-11-03 10:00"), "perishable"),
	}
	for _, e := range cases {
		key := e.MessageKey()
		if key == "" {
			t.Errorf("%+v: no message key", e)
			continue
		}
		for _, tag := range i18n.Supported() {
			loc := tag.String()
			var date string
			if !e.LastDay().IsZero() && e.OK {
				date = tracking.FormatDate(loc, e.LastDay())
			}
			text := cat.Text(loc, key, date)
			if text == key || !strings.Contains(text, date) {
				t.Errorf("%s %s = %q, want a sentence containing %q", loc, key, text, date)
			}
		}
	}
	if got := cat.Text("de", KeySealCondition); got == KeySealCondition {
		t.Errorf("catalog has no %q", KeySealCondition)
	}
	if got := cases[0].LastDay(); !got.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("LastDay = %v, want 2 December 2026 (30 days after 2 November)", got)
	}
	if got := cat.Text("en", cases[0].MessageKey(), tracking.FormatDate("en", cases[0].LastDay())); !strings.Contains(got, "until Wednesday, December 2, 2026") {
		t.Errorf("en: %q", got)
	}
}
