package tau2

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
)

// names is one copy's renaming of a task's users and orders. Every name a customer, the
// agent or the ground truth could use to reach the copy is its own:
//
//   - user IDs and payment-method IDs get "-<tag>" ("aarav_lee_1982-4821");
//   - e-mail addresses get "+<tag>" before the "@";
//   - the users' postal codes become ZIP+4 codes ("85025" → "85025-4821"), so a lookup by
//     name and postal code finds this copy only;
//   - order IDs and tracking numbers are fresh numbers of the same shape ("#W" and seven
//     digits, twelve digits): agents and tools read order numbers by their shape.
//
// The tag is four digits; the player makes sure no copy already uses them.
type names struct {
	tag    string
	pairs  map[string]string // original → copy: IDs, e-mails, tracking numbers
	zips   map[string]string // original postal code → the copy's
	back   map[string]string // copy → original: users, orders, payment methods
	users  []string          // the copy's user IDs
	orders []string          // the copy's order IDs
	r      *strings.Replacer
}

var (
	zipTextRE = regexp.MustCompile(`\b\d{5}\b`)
	zipJSONRE = regexp.MustCompile(`"\d{5}"`)
)

// newNames renames users (and their orders) of d with fresh names.
func newNames(d *db, users []string) (*names, error) {
	tag, err := digits(4)
	if err != nil {
		return nil, err
	}
	n := &names{tag: tag, pairs: map[string]string{}, zips: map[string]string{}, back: map[string]string{}}
	taken := map[string]bool{}
	fresh := func(prefix string, k int) (string, error) {
		for {
			s, err := digits(k)
			if err != nil {
				return "", err
			}
			if s[0] != '0' && !taken[prefix+s] {
				taken[prefix+s] = true
				return prefix + s, nil
			}
		}
	}
	for _, id := range users {
		u, ok := d.user(id)
		if !ok {
			return nil, fmt.Errorf("user %s is not in the database", id)
		}
		n.rename(id, id+"-"+tag)
		n.users = append(n.users, id+"-"+tag)
		if at := strings.LastIndexByte(u.Email, '@'); at > 0 {
			n.pairs[u.Email] = u.Email[:at] + "+" + tag + u.Email[at:]
		}
		if u.Address.Zip != "" {
			n.zips[u.Address.Zip] = u.Address.Zip + "-" + tag
		}
		for pm := range u.PaymentMethods {
			n.rename(pm, pm+"-"+tag)
		}
		for _, oid := range u.Orders {
			o, ok := d.order(oid)
			if !ok {
				continue
			}
			nid, err := fresh("#W", 7)
			if err != nil {
				return nil, err
			}
			n.rename(oid, nid)
			// Customers write order numbers without the '#' too.
			n.pairs[strings.TrimPrefix(oid, "#")] = strings.TrimPrefix(nid, "#")
			n.orders = append(n.orders, nid)
			for _, f := range o.Fulfillments {
				for _, t := range f.TrackingID {
					if n.pairs[t] == "" {
						if n.pairs[t], err = fresh("", len(t)); err != nil {
							return nil, err
						}
					}
				}
			}
		}
	}
	n.r = replacer(n.pairs)
	return n, nil
}

func (n *names) rename(from, to string) {
	n.pairs[from] = to
	n.back[to] = from
}

// original is the name a copy's ID stands for ("" when it is none of the copy's).
func (n *names) original(id string) string { return n.back[id] }

// text rewrites free text: the task's instructions.
func (n *names) text(s string) string {
	return zipTextRE.ReplaceAllStringFunc(n.r.Replace(s), func(z string) string {
		if c, ok := n.zips[z]; ok {
			return c
		}
		return z
	})
}

// json rewrites a JSON document of the database; postal codes only where they are a
// whole string value.
func (n *names) json(raw json.RawMessage) json.RawMessage {
	return json.RawMessage(zipJSONRE.ReplaceAllStringFunc(n.r.Replace(string(raw)), func(q string) string {
		if c, ok := n.zips[q[1:len(q)-1]]; ok {
			return `"` + c + `"`
		}
		return q
	}))
}

// value rewrites a decoded JSON value: an action's arguments.
func (n *names) value(v any) any {
	switch x := v.(type) {
	case string:
		return n.text(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = n.value(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = n.value(val)
		}
		return out
	}
	return v
}

// replacer rewrites the longest names first, so that one name inside another is not
// rewritten piecemeal.
func replacer(pairs map[string]string) *strings.Replacer {
	keys := make([]string, 0, len(pairs))
	for k := range pairs {
		if k != "" {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	flat := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		flat = append(flat, k, pairs[k])
	}
	return strings.NewReplacer(flat...)
}

// digits is k random decimal digits.
func digits(k int) (string, error) {
	var b strings.Builder
	for range k {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", fmt.Errorf("random names: %w", err)
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String(), nil
}
