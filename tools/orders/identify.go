package orders

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/commerce"
)

type emailArgs struct {
	Email string `json:"email" desc:"the customer's e-mail address"`
}

type findByEmail struct{ t Tools }

func (findByEmail) Spec() tools.Spec {
	return tools.Spec{Name: "find_user_id_by_email", Effect: tools.Read, Parameters: tools.Schema[emailArgs](),
		Description: "Identify the customer by the e-mail address of their account. Returns the user ID and verifies the customer for this conversation."}
}

func (f findByEmail) Run(ctx context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[emailArgs](inv.Call.Args)
	if err != nil {
		return invalid(err), nil
	}
	return f.t.identify(ctx, commerce.CustomerQuery{Email: strings.TrimSpace(a.Email)}, "email")
}

type nameZipArgs struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Zip       string `json:"zip" desc:"postal code of the customer's address"`
}

type findByNameZip struct{ t Tools }

func (findByNameZip) Spec() tools.Spec {
	return tools.Spec{Name: "find_user_id_by_name_zip", Effect: tools.Read, Parameters: tools.Schema[nameZipArgs](),
		Description: "Identify the customer by first name, last name and postal code. Returns the user ID and verifies the customer for this conversation."}
}

func (f findByNameZip) Run(ctx context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[nameZipArgs](inv.Call.Args)
	if err != nil {
		return invalid(err), nil
	}
	return f.t.identify(ctx, commerce.CustomerQuery{FirstName: a.FirstName, LastName: a.LastName, Zip: strings.TrimSpace(a.Zip)}, "name_zip")
}

func (t Tools) identify(ctx context.Context, q commerce.CustomerQuery, method string) (tools.Result, error) {
	c, err := t.Shop.FindCustomer(ctx, q)
	if errors.Is(err, commerce.ErrNotFound) {
		return tools.Result{Outcome: tools.NotFound, Reason: "customer_not_found", Detail: "no customer matches"}, nil
	}
	if err != nil {
		return result(err)
	}
	r := ok(map[string]string{"user_id": c.ID})
	r.Identity = &tools.Identity{CustomerID: c.ID, Method: method}
	return r, nil
}

type verifyArgs struct {
	Email   string `json:"email" desc:"the e-mail address the order was placed with"`
	OrderID string `json:"order_id" desc:"an order number of the customer"`
}

// verifyCustomer is the check a shop without accounts uses: the e-mail address and an
// order number must belong together.
type verifyCustomer struct{ t Tools }

func (verifyCustomer) Spec() tools.Spec {
	return tools.Spec{Name: "verify_customer", Effect: tools.Read, Parameters: tools.Schema[verifyArgs](),
		Description: "Verify the customer by an order number and the e-mail address it was placed with."}
}

func (v verifyCustomer) Run(ctx context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[verifyArgs](inv.Call.Args)
	if err != nil {
		return invalid(err), nil
	}
	mismatch := tools.Result{Outcome: tools.NotFound, Reason: "identity_mismatch", Detail: "the e-mail address and order number do not match"}
	o, err := v.t.Shop.Order(ctx, normalizeOrderID(a.OrderID))
	if errors.Is(err, commerce.ErrNotFound) {
		return mismatch, nil
	}
	if err != nil {
		return result(err)
	}
	c, err := v.t.Shop.Customer(ctx, o.CustomerID)
	if err != nil {
		return result(err)
	}
	if !strings.EqualFold(strings.TrimSpace(c.Email), strings.TrimSpace(a.Email)) {
		return mismatch, nil
	}
	r := ok(map[string]string{"user_id": c.ID, "order_id": o.ID})
	r.Identity = &tools.Identity{CustomerID: c.ID, Method: "email_order"}
	return r, nil
}

// normalizeOrderID accepts an order number as customers type it: "w2378156" for "#W2378156",
// "de-10001" for "DE-10001".
func normalizeOrderID(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if strings.HasPrefix(s, "W") && len(s) == 8 {
		return "#" + s
	}
	return s
}

// Resolve finds the customer a verified identity token names (see package tools/identity):
// by the shop's customer ID, else by the e-mail address, else by the phone number the
// channel verified. A token that names nobody the shop knows verifies nobody: the zero
// Identity and no error. An error is the shop failing, worth retrying.
func (t Tools) Resolve(ctx context.Context, c conversation.Claimed) (tools.Identity, error) {
	try := []struct {
		ok     bool
		find   func() (commerce.Customer, error)
		method string
	}{
		{c.CustomerID != "", func() (commerce.Customer, error) { return t.Shop.Customer(ctx, c.CustomerID) }, "token"},
		{c.Email != "", func() (commerce.Customer, error) {
			return t.Shop.FindCustomer(ctx, commerce.CustomerQuery{Email: c.Email})
		}, "token"},
		{c.Phone != "", func() (commerce.Customer, error) {
			return t.Shop.FindCustomer(ctx, commerce.CustomerQuery{Phone: c.Phone})
		}, "phone"},
	}
	for _, f := range try {
		if !f.ok {
			continue
		}
		cu, err := f.find()
		if errors.Is(err, commerce.ErrNotFound) {
			continue
		}
		if err != nil {
			return tools.Identity{}, fmt.Errorf("resolve identity: %w", err)
		}
		return tools.Identity{CustomerID: cu.ID, Method: f.method}, nil
	}
	return tools.Identity{}, nil
}
