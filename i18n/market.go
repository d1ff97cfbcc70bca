package i18n

import (
	"fmt"
	"strings"
)

// ParseMarket returns the canonical code of a market — an ISO 3166-1 alpha-2 country, in
// any case; "UK" is GB — or an error that says why s is not one. "" is no market.
func ParseMarket(s string) (string, error) {
	m := strings.ToUpper(strings.TrimSpace(s))
	switch {
	case m == "":
		return "", nil
	case m == "UK":
		// ISO 3166-1 reserves UK at the request of the United Kingdom, whose code is GB.
		return "GB", nil
	case m == "EU":
		return "", fmt.Errorf(`market "EU" is not a country: leave market empty for every market, or write one record per country`)
	case IsCountry(m):
		return m, nil
	}
	return "", fmt.Errorf("market %q is not an ISO 3166-1 alpha-2 country code (such as DE, MX or JP)", s)
}

// IsCountry reports whether code is an officially assigned ISO 3166-1 alpha-2 code (upper
// case), or XK.
func IsCountry(code string) bool { return countries[code] }

// countries are the officially assigned ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which
// CLDR, golang.org/x/text and payment and shipping providers use as a country code.
var countries = func() map[string]bool {
	const codes = `
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
XK
YE YT
ZA ZM ZW`
	set := make(map[string]bool, 250)
	for _, c := range strings.Fields(codes) {
		set[c] = true
	}
	return set
}()
