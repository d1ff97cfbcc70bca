package orders

import (
	"encoding/json"
	"time"

	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/returns"
	"github.com/attache-dev/attache/tools/tracking"
)

// ReturnWindow applies a returns rule file to delivered orders. An order whose delivery
// date the shop does not know (imported history) is judged by the shop's state alone.
type ReturnWindow struct {
	Rules *returns.Rules
	Now   func() time.Time // nil: time.Now
}

// Window implements Returns.
func (w ReturnWindow) Window(market string, o commerce.Order) string {
	if o.DeliveredAt.IsZero() {
		return ""
	}
	if market == "" {
		market = o.Market
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	e := w.Rules.Eligible(market, o.DeliveredAt, now(), "")
	if e.OK || e.Reason == "" || e.Reason == returns.ReasonUnknownMarket {
		return ""
	}
	return "return_" + e.Reason
}

// ParcelText normalises carrier events with a tracking rule file and words the status and
// ETA for the customer.
type ParcelText struct {
	Rules   *tracking.Rules
	Catalog tracking.Catalog
}

// Describe implements Parcels: {"status", "text", "eta", "eta_text", "last_location", "rules"}.
func (p ParcelText) Describe(parcel commerce.Parcel, locale string) json.RawMessage {
	s := p.Rules.Normalize(parcel)
	v := map[string]string{
		"status": string(s.Current), "text": tracking.StatusText(p.Catalog, locale, s),
		"eta_text": tracking.ETAText(p.Catalog, locale, s), "last_location": s.Last.Location, "rules": s.RulesVersion,
	}
	if !s.ETA.IsZero() {
		v["eta"] = s.ETA.Format("2006-01-02")
	}
	return data(v)
}
