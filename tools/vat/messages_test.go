package vat

import (
	"strings"
	"testing"

	"github.com/attache-dev/attache/i18n"
)

// TestMessages checks that every assessment a customer hears about has its sentence in
// every locale, with the VAT amount in it.
func TestMessages(t *testing.T) {
	t.Parallel()
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r := Default()
	cases := []Assessment{
		r.ForConsignment("DE", eur(10000), false, false),
		r.ForConsignment("DE", eur(20000), false, false),
		r.ForConsignment("DE", eur(20000), true, true),
		r.ForConsignment("DE", eur(20000), true, false),
	}
	for _, a := range cases {
		key := a.MessageKey()
		if key == "" {
			t.Errorf("%s: no message key", a.Reason)
			continue
		}
		for _, tag := range i18n.Supported() {
			vat := a.VAT.Format(tag.String())
			text := cat.Text(tag.String(), key, vat)
			if text == key {
				t.Errorf("%s: catalog has no %q", tag, key)
			}
			if a.Reason == ReasonIOSS && !strings.Contains(text, vat) {
				t.Errorf("%s %s = %q, want the amount %q in it", tag, key, text, vat)
			}
		}
	}
	if got := r.ForConsignment("CH", eur(100), false, false).MessageKey(); got != "" {
		t.Errorf("a non-EU destination has message key %q, want none", got)
	}
}
