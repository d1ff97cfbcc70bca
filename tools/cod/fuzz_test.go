package cod

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/attache-dev/attache/tools/commerce"
)

// FuzzLoad feeds a shop's cash-on-delivery rules files to Load: a refusal comes without
// rules and names the package; accepted rules have a version, load the same twice, and
// answer Check for any country without panicking, allowing only with a fee in the
// order's currency.
func FuzzLoad(f *testing.F) {
	data, err := os.ReadFile("cod.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(bytes.Replace(data, []byte(`"available": true`), []byte(`"available": "yes"`), 1))
	f.Add(bytes.Replace(data, []byte(`"max_order": "30000"`), []byte(`"max_order": "-1"`), 1))
	f.Add([]byte(`{"version":"1","note":"n","countries":[]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Load(bytes.NewReader(data))
		if err != nil {
			if r != nil || !strings.HasPrefix(err.Error(), "cod: ") {
				t.Fatalf("error %q came with rules, or without the package prefix", err)
			}
			return
		}
		if r.Version() == "" || r.Note() == "" {
			t.Fatalf("accepted rules without version or note: %q, %q", r.Version(), r.Note())
		}
		again, err := Load(bytes.NewReader(data))
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("second load differs: %v", err)
		}
		for _, country := range []string{"TH", "ae", "ID", "DE", ""} {
			c, _ := r.Country(country)
			cur := c.Currency
			if cur == "" {
				cur = "EUR"
			}
			for _, carrier := range append([]string{"", "unknown"}, carrierIDs(r, country)...) {
				d := r.Check(country, carrier, commerce.Money{Amount: 100_00, Currency: cur})
				if d.Allowed && (d.Reason != "" || d.Fee.Amount < 0 || d.Fee.Amount != 0 && d.Fee.Currency != cur) {
					t.Fatalf("Check(%q, %q) = %+v: allowed with a reason or a fee in another currency", country, carrier, d)
				}
				if !d.Allowed && d.Reason == "" {
					t.Fatalf("Check(%q, %q) refused without a reason", country, carrier)
				}
			}
		}
	})
}

func carrierIDs(r *Rules, country string) []string {
	var ids []string
	for _, c := range r.Carriers(country) {
		ids = append(ids, c.ID)
	}
	return ids
}
