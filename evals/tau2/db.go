package tau2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/attache-dev/attache/evals"
)

// db is a τ² retail database as its JSON file has it, kept as JSON values: products are
// copied into the shop unchanged, users and orders are rewritten under an attempt's names.
type db struct {
	Products map[string]json.RawMessage `json:"products"`
	Users    map[string]json.RawMessage `json:"users"`
	Orders   map[string]json.RawMessage `json:"orders"`
}

// user is the part of a τ² user the player reads.
type user struct {
	UserID string `json:"user_id"`
	Name   struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	} `json:"name"`
	Address struct {
		Zip string `json:"zip"`
	} `json:"address"`
	Email          string                     `json:"email"`
	PaymentMethods map[string]json.RawMessage `json:"payment_methods"`
	Orders         []string                   `json:"orders"`
}

// order is the part of a τ² order the player reads.
type order struct {
	OrderID string `json:"order_id"`
	UserID  string `json:"user_id"`
	Items   []struct {
		ProductID string `json:"product_id"`
	} `json:"items"`
	Fulfillments []struct {
		TrackingID []string `json:"tracking_id"`
	} `json:"fulfillments"`
}

// loadDB reads the set's database file.
func loadDB(s *evals.Set) (*db, error) {
	b, err := os.ReadFile(s.File(s.Tau2.DB))
	if err != nil {
		return nil, fmt.Errorf("%s: tau2.db: %w", s.Path, err)
	}
	var d db
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: tau2.db: %s is not a τ² retail database: %w", s.Path, s.Tau2.DB, err)
	}
	if len(d.Products) == 0 || len(d.Users) == 0 {
		return nil, fmt.Errorf("%s: tau2.db: %s has no products or no users", s.Path, s.Tau2.DB)
	}
	return &d, nil
}

func (d *db) user(id string) (user, bool) {
	raw, ok := d.Users[id]
	if !ok {
		return user{}, false
	}
	var u user
	return u, json.Unmarshal(raw, &u) == nil
}

func (d *db) order(id string) (order, bool) {
	raw, ok := d.Orders[id]
	if !ok {
		return order{}, false
	}
	var o order
	return o, json.Unmarshal(raw, &o) == nil
}

// taskUsers are the users a task is about: those its ground-truth actions name (by user ID,
// e-mail, name and postal code, or one of their orders), and those its known info names by
// user ID, e-mail, or full name with postal code. Sorted; usually one.
func (d *db) taskUsers(t evals.Tau2Task) []string {
	known := t.UserScenario.Instructions.KnownInfo
	found := map[string]bool{}
	for id := range d.Users {
		u, ok := d.user(id)
		if !ok {
			continue
		}
		name := u.Name.FirstName + " " + u.Name.LastName
		if strings.Contains(known, id) || (u.Email != "" && strings.Contains(strings.ToLower(known), strings.ToLower(u.Email))) ||
			(strings.Contains(known, name) && u.Address.Zip != "" && strings.Contains(known, u.Address.Zip)) {
			found[id] = true
		}
		for _, a := range t.EvaluationCriteria.Actions {
			arg := func(k string) string { s, _ := a.Arguments[k].(string); return s }
			switch {
			case arg("user_id") == id,
				a.Name == "find_user_id_by_email" && strings.EqualFold(arg("email"), u.Email),
				a.Name == "find_user_id_by_name_zip" && strings.EqualFold(arg("first_name"), u.Name.FirstName) &&
					strings.EqualFold(arg("last_name"), u.Name.LastName) && arg("zip") == u.Address.Zip,
				arg("order_id") != "" && slices.Contains(u.Orders, arg("order_id")):
				found[id] = true
			}
		}
	}
	var out []string
	for id := range found {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// document is a τ² database JSON of products, users and orders in the order the shop's
// loader needs them (products first, then users, then orders); users and orders only when
// there are any (the loader refuses orders without users before them).
func document(products, users, orders map[string]json.RawMessage) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, sec := range []struct {
		name string
		m    map[string]json.RawMessage
	}{{"products", products}, {"users", users}, {"orders", orders}} {
		if i > 0 && len(sec.m) == 0 {
			continue
		}
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:{", sec.name)
		keys := make([]string, 0, len(sec.m))
		for k := range sec.m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for j, k := range keys {
			if j > 0 {
				b.WriteByte(',')
			}
			kb, err := json.Marshal(k)
			if err != nil {
				return nil, err
			}
			b.Write(kb)
			b.WriteByte(':')
			b.Write(sec.m[k])
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
