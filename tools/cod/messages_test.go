package cod

import (
	"strings"
	"testing"

	"github.com/attache-dev/attache/i18n"
)

// TestMessages checks that every decision a customer hears about has its sentence in
// every locale, with the fee or the limit in it.
func TestMessages(t *testing.T) {
	t.Parallel()
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r := Default()
	cases := []Decision{
		r.Check("TH", "Flash", money(100000, "THB")),
		r.Check("TH", "Thailand Post", money(9000000, "THB")),
		r.Check("SG", "Ninja Van", money(5000, "SGD")),
		r.Check("MY", "Pos Laju", money(5000, "MYR")),
		r.Check("DE", "DHL", money(5000, "EUR")),
	}
	for _, d := range cases {
		key := d.MessageKey()
		if key == "" {
			t.Errorf("%+v: no message key", d)
			continue
		}
		for _, tag := range i18n.Supported() {
			loc := tag.String()
			var arg string
			switch key {
			case "cod_allowed":
				arg = d.Fee.Format(loc)
			case "cod_over_limit":
				arg = d.Limit.Format(loc)
			}
			text := cat.Text(loc, key, arg)
			if text == key || (arg != "" && !strings.Contains(text, arg)) {
				t.Errorf("%s %s = %q, want a sentence containing %q", loc, key, text, arg)
			}
		}
	}
	if got := r.Check("SA", "SMSA", money(5000, "USD")).MessageKey(); got != "" {
		t.Errorf("wrong currency has message key %q, want none (the caller's mistake)", got)
	}
}
