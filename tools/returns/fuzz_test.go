package returns

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var reasons = []string{ReasonStatutory, ReasonShopPolicy, ReasonNotDelivered, ReasonWindowClosed,
	ReasonExcluded, ReasonUnknownMarket}

// checkEligibility asserts what any answer of Eligible must satisfy, and that a window
// once closed stays closed.
func checkEligibility(t *testing.T, r *Rules, market, category string, delivered, now time.Time) {
	t.Helper()
	e := r.Eligible(market, delivered, now, category)
	ctx := func() string {
		return market + "/" + category + " delivered " + delivered.String() + " at " + now.String()
	}
	if !slices.Contains(reasons, e.Reason) {
		t.Fatalf("%s: reason %q", ctx(), e.Reason)
	}
	if e.Statutory && !e.OK && e.Reason != ReasonNotDelivered {
		t.Fatalf("%s: statutory but not OK: %+v", ctx(), e)
	}
	if e.OK && !delivered.IsZero() && !now.Before(e.Deadline) {
		t.Fatalf("%s: OK after the deadline %v", ctx(), e.Deadline)
	}
	if e.Reason == ReasonWindowClosed {
		later := r.Eligible(market, delivered, now.Add(30*24*time.Hour), category)
		if later.OK {
			t.Fatalf("%s: closed, then open again a month later: %+v", ctx(), later)
		}
	}
	if e.OK && !delivered.IsZero() && now.After(delivered) {
		earlier := r.Eligible(market, delivered, delivered.Add(now.Sub(delivered)/2), category)
		if !earlier.OK {
			t.Fatalf("%s: open, but closed halfway since delivery: %+v", ctx(), earlier)
		}
	}
}

// FuzzEligible asks the default rules about any market, category and pair of dates.
func FuzzEligible(f *testing.F) {
	base := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC).Unix()
	for _, s := range []struct {
		market, category string
		delivered, now   int64
	}{
		{"DE", "apparel", base - 10*86400, base},
		{"de", "Sealed_Hygiene", base - 3*86400, base},
		{"UK", "", base - 20*86400, base},
		{"US", "custom_made", 0, base},
		{"TH", "apparel", base - 40*86400, base},
		{"ZZ", "x", base, base},
		{"FR", "apparel", base, base - 86400},
	} {
		f.Add(s.market, s.category, s.delivered, s.now)
	}
	r := Default()
	f.Fuzz(func(t *testing.T, market, category string, delivered, now int64) {
		// Dates within a few centuries either side of the epoch.
		const span = 1 << 33
		d, n := time.Time{}, time.Unix(now%span, 0).UTC()
		if delivered != 0 {
			d = time.Unix(delivered%span, 0).UTC()
		}
		checkEligibility(t, r, market, category, d, n)
	})
}

// FuzzLoad feeds returns rules files to Load: a refusal comes without rules and names the
// package; accepted rules load the same twice and keep Eligible's invariants.
func FuzzLoad(f *testing.F) {
	data, err := os.ReadFile("returns.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"version":"1","note":"n"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Load(bytes.NewReader(data))
		if err != nil {
			if r != nil || !strings.HasPrefix(err.Error(), "returns: ") {
				t.Fatalf("error %q came with rules, or without the package prefix", err)
			}
			return
		}
		if r.Version() == "" || r.Note() == "" {
			t.Fatalf("accepted rules without version or note")
		}
		again, err := Load(bytes.NewReader(data))
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("second load differs: %v", err)
		}
		delivered := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
		for _, m := range []string{"DE", "GB", "US", "TH", "JP"} {
			for _, days := range []int{0, 1, 13, 14, 15, 30, 100} {
				checkEligibility(t, r, m, "apparel", delivered, delivered.AddDate(0, 0, days))
			}
		}
	})
}
