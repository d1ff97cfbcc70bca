package routing

import (
	"strings"
	"time"
)

// marketZones maps each market the project covers to one IANA zone. Countries with several
// zones get the zone of the capital or, where it differs, of most of the population; the
// comment says which. A customer's own zone, when known, always beats this table.
var marketZones = map[string]string{
	// Europe
	"DE": "Europe/Berlin",
	"FR": "Europe/Paris",
	"ES": "Europe/Madrid", // mainland and Balearics; the Canary Islands are an hour behind
	"IT": "Europe/Rome",
	"NL": "Europe/Amsterdam",
	"PL": "Europe/Warsaw",
	"SE": "Europe/Stockholm",
	"AT": "Europe/Vienna",
	"BE": "Europe/Brussels",
	"CH": "Europe/Zurich",
	"IE": "Europe/Dublin",
	"GB": "Europe/London",
	"TR": "Europe/Istanbul",
	// Middle East and North Africa
	"AE": "Asia/Dubai",
	"SA": "Asia/Riyadh",
	"QA": "Asia/Qatar",
	"KW": "Asia/Kuwait",
	"BH": "Asia/Bahrain",
	"OM": "Asia/Muscat",
	"EG": "Africa/Cairo",
	// Asia
	"ID": "Asia/Jakarta", // WIB (Java, Sumatra): capital and most of the population; WITA and WIT are +1h and +2h
	"MY": "Asia/Kuala_Lumpur",
	"TH": "Asia/Bangkok",
	"VN": "Asia/Ho_Chi_Minh",
	"PH": "Asia/Manila",
	"SG": "Asia/Singapore",
	"JP": "Asia/Tokyo",
	"KR": "Asia/Seoul",
	"CN": "Asia/Shanghai", // one legal zone for the whole country
	"TW": "Asia/Taipei",
	"HK": "Asia/Hong_Kong",
	"IN": "Asia/Kolkata",
	// Americas
	"BR": "America/Sao_Paulo",   // Brasília time: capital and most of the population
	"MX": "America/Mexico_City", // central zone: capital and most of the population
	"AR": "America/Argentina/Buenos_Aires",
	"CO": "America/Bogota",
	"CL": "America/Santiago", // mainland; Magallanes and Easter Island differ
	"PE": "America/Lima",
	"US": "America/New_York", // Eastern: the capital and the most populous zone
	"CA": "America/Toronto",  // Eastern: the capital (Ottawa) and the most populous zone
	// Oceania
	"AU": "Australia/Sydney", // Eastern with DST: Canberra, Sydney, Melbourne
	"NZ": "Pacific/Auckland", // the Chatham Islands are 45 minutes ahead
}

// MarketZoneName returns the IANA zone name MarketZone uses for market, and whether the
// market is in the table.
func MarketZoneName(market string) (string, bool) {
	name, ok := marketZones[strings.ToUpper(strings.TrimSpace(market))]
	return name, ok
}

// MarketZone returns the zone to assume for a customer of market whose own zone is
// unknown, or nil if the market is not in the table. Multi-zone countries get the zone of
// the capital or of most of the population (see MarketZoneName's table).
func MarketZone(market string) *time.Location {
	name, ok := MarketZoneName(market)
	if !ok {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Unreachable: the package embeds the zone database and the table is tested.
		return nil
	}
	return loc
}

// ExpectedReply returns when the customer is owed a first reply, in the customer's zone:
// customerTZ if not nil, else MarketZone(d.Market), else UTC. It is the zero time for a
// NoTeam decision.
func ExpectedReply(d Decision, customerTZ *time.Location) time.Time {
	if d.NoTeam || d.DueBy.IsZero() {
		return time.Time{}
	}
	loc := customerTZ
	if loc == nil {
		loc = MarketZone(d.Market)
	}
	if loc == nil {
		loc = time.UTC
	}
	return d.DueBy.In(loc)
}
