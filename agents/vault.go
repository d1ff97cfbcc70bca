package agents

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/attache-dev/attache/policy/pii"
)

// vault keeps personal data away from a model: what the model reads has each e-mail
// address, phone number, card, IBAN and national ID replaced by a numbered placeholder
// ([email_1]), and the tool calls the model makes get the real values back before the
// workflow runs them. The same value always gets the same placeholder within a turn.
type vault struct {
	regions []string
	byValue map[string]string // value → placeholder
	byPH    map[string]string // placeholder → value
	count   map[pii.Kind]int
}

func newVault(market string) *vault {
	v := &vault{byValue: map[string]string{}, byPH: map[string]string{}, count: map[pii.Kind]int{}}
	if market != "" {
		v.regions = []string{market}
	}
	return v
}

// placeholderName is the word of a kind's placeholders.
var placeholderName = map[pii.Kind]string{pii.KindCard: "card", pii.KindIBAN: "iban", pii.KindEmail: "email",
	pii.KindPhone: "phone", pii.KindNationalID: "id"}

// redact returns text with its personal data replaced by placeholders.
func (v *vault) redact(text string) string {
	spans := pii.Detect(text, pii.Options{Regions: v.regions})
	if len(spans) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, s := range spans {
		value := text[s.Start:s.End]
		ph, ok := v.byValue[value]
		if !ok {
			v.count[s.Kind]++
			name := placeholderName[s.Kind]
			if name == "" {
				name = string(s.Kind)
			}
			ph = fmt.Sprintf("[%s_%d]", name, v.count[s.Kind])
			v.byValue[value], v.byPH[ph] = ph, value
		}
		b.WriteString(text[last:s.Start])
		b.WriteString(ph)
		last = s.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// empty reports whether nothing was replaced.
func (v *vault) empty() bool { return len(v.byPH) == 0 }

// restoreText puts the real values back in place of the placeholders.
func (v *vault) restoreText(s string) string {
	if v.empty() || !strings.Contains(s, "[") {
		return s
	}
	for ph, value := range v.byPH {
		s = strings.ReplaceAll(s, ph, value)
	}
	return s
}

// restoreArgs puts the real values back into the string values of a tool call's JSON
// arguments; arguments that are not JSON are returned as they are.
func (v *vault) restoreArgs(args json.RawMessage) json.RawMessage {
	if v.empty() {
		return args
	}
	var x any
	if json.Unmarshal(args, &x) != nil {
		return args
	}
	b, err := json.Marshal(v.restoreValue(x))
	if err != nil {
		return args
	}
	return b
}

func (v *vault) restoreValue(x any) any {
	switch t := x.(type) {
	case string:
		return v.restoreText(t)
	case []any:
		for i := range t {
			t[i] = v.restoreValue(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = v.restoreValue(t[k])
		}
	}
	return x
}
