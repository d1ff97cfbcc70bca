package orders

import (
	"context"
	"encoding/json"

	"github.com/attache-dev/attache/tools"
)

type userArgs struct {
	UserID string `json:"user_id"`
}

type userDetails struct{ t Tools }

func (userDetails) Spec() tools.Spec {
	return tools.Spec{Name: "get_user_details", Effect: tools.Read, Identity: true, Parameters: tools.Schema[userArgs](),
		Description: "The verified customer's profile: name, e-mail, default address, payment methods and order IDs."}
}

func (u userDetails) Run(ctx context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[userArgs](inv.Call.Args)
	if err != nil {
		return invalid(err), nil
	}
	if a.UserID != inv.Identity.CustomerID {
		return tools.Result{Outcome: tools.NotFound, Reason: "not_found", Detail: "only the verified customer's profile can be read"}, nil
	}
	c, err := u.t.Shop.Customer(ctx, a.UserID)
	if err != nil {
		return result(err)
	}
	type pm struct {
		ID      string     `json:"id"`
		Kind    string     `json:"kind"`
		Brand   string     `json:"brand,omitempty"`
		Last4   string     `json:"last_four,omitempty"`
		Balance *moneyView `json:"balance,omitempty"`
	}
	v := struct {
		UserID         string   `json:"user_id"`
		FirstName      string   `json:"first_name"`
		LastName       string   `json:"last_name"`
		Email          string   `json:"email"`
		Address        any      `json:"address"`
		PaymentMethods []pm     `json:"payment_methods"`
		Orders         []string `json:"orders"`
	}{UserID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Address: c.Address, Orders: c.OrderIDs}
	for _, p := range c.PaymentMethods {
		x := pm{ID: p.ID, Kind: p.Kind, Brand: p.Brand, Last4: p.Last4}
		if p.Balance != nil {
			b := viewMoney(*p.Balance)
			x.Balance = &b
		}
		v.PaymentMethods = append(v.PaymentMethods, x)
	}
	return ok(v), nil
}

type orderArgs struct {
	OrderID string `json:"order_id" desc:"the order number, e.g. #W2378156 or DE-10001"`
}

type orderDetails struct{ t Tools }

func (orderDetails) Spec() tools.Spec {
	return tools.Spec{Name: "get_order_details", Effect: tools.Read, Identity: true, Parameters: tools.Schema[orderArgs](),
		Description: "Status, items, prices, payments, shipping address and tracking numbers of one of the verified customer's orders."}
}

func (d orderDetails) Run(ctx context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[orderArgs](inv.Call.Args)
	if err != nil {
		return invalid(err), nil
	}
	o, refusal, err := d.t.ownOrder(ctx, inv, normalizeOrderID(a.OrderID))
	if refusal != nil || err != nil {
		return deref(refusal), err
	}
	return ok(viewOrder(o)), nil
}

func deref(r *tools.Result) tools.Result {
	if r == nil {
		return tools.Result{}
	}
	return *r
}

type productArgs struct {
	ProductID string `json:"product_id"`
}

type productDetails struct{ t Tools }

func (productDetails) Spec() tools.Spec {
	return tools.Spec{Name: "get_product_details", Effect: tools.Read, Parameters: tools.Schema[productArgs](),
		Description: "A product's variants with their item IDs, options, availability and price."}
}

func (p productDetails) Run(ctx context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[productArgs](inv.Call.Args)
	if err != nil {
		return invalid(err), nil
	}
	pr, err := p.t.Shop.Product(ctx, a.ProductID)
	if err != nil {
		return result(err)
	}
	type variant struct {
		ItemID    string            `json:"item_id"`
		Options   map[string]string `json:"options"`
		Available bool              `json:"available"`
		Price     moneyView         `json:"price"`
	}
	v := struct {
		ProductID string    `json:"product_id"`
		Name      string    `json:"name"`
		Variants  []variant `json:"variants"`
	}{ProductID: pr.ID, Name: pr.Name}
	for _, x := range pr.Variants {
		v.Variants = append(v.Variants, variant{x.ItemID, x.Options, x.Available, viewMoney(x.Price)})
	}
	return ok(v), nil
}

type trackOrder struct{ t Tools }

func (trackOrder) Spec() tools.Spec {
	return tools.Spec{Name: "track_order", Effect: tools.Read, Identity: true, Parameters: tools.Schema[orderArgs](),
		Description: "Where the parcels of one of the verified customer's orders are: a normalised status (info_received, in_transit, customs_hold, out_for_delivery, delivered, failed_attempt, exception, returned), the last scan and the expected delivery date."}
}

func (tr trackOrder) Run(ctx context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[orderArgs](inv.Call.Args)
	if err != nil {
		return invalid(err), nil
	}
	o, refusal, err := tr.t.ownOrder(ctx, inv, normalizeOrderID(a.OrderID))
	if refusal != nil || err != nil {
		return deref(refusal), err
	}
	type parcel struct {
		TrackingID string          `json:"tracking_id"`
		Carrier    string          `json:"carrier"`
		Tracking   json.RawMessage `json:"tracking"`
	}
	v := struct {
		OrderID string   `json:"order_id"`
		Status  string   `json:"order_status"`
		Parcels []parcel `json:"parcels"`
	}{OrderID: o.ID, Status: o.Status, Parcels: []parcel{}}
	for _, f := range o.Fulfillments {
		for _, id := range f.TrackingIDs {
			p, err := tr.t.Shop.Parcel(ctx, id)
			if err != nil {
				if r, err := result(err); err != nil || r.Outcome != tools.NotFound {
					return r, err
				}
				p.TrackingID, p.Carrier = id, f.Carrier
			}
			var desc json.RawMessage
			if tr.t.Parcels != nil {
				desc = tr.t.Parcels.Describe(p, inv.Locale)
			} else {
				desc = data(p.Events)
			}
			v.Parcels = append(v.Parcels, parcel{TrackingID: id, Carrier: p.Carrier, Tracking: desc})
		}
	}
	return ok(v), nil
}
