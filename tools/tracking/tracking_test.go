package tracking

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/tools/commerce"
)

func TestEmbeddedMapping(t *testing.T) {
	t.Parallel()
	r, err := Load(bytes.NewReader(embedded))
	if err != nil {
		t.Fatalf("embedded carriers.json: %v", err)
	}
	if r.Version() == "" {
		t.Error("no version")
	}
	for _, name := range []string{"DHL", "UPS", "FedEx", "Thailand Post", "Kerry Express", "KEX", "Flash Express", "J&T Express",
		"Ninja Van", "GHN", "Aramex", "SMSA", "Yamato", "Sagawa", "Japan Post", "Correios", "Estafeta", "Royal Mail",
		"La Poste", "Colissimo", "PostNL", "SF Express", "ヤマト運輸", "佐川急便"} {
		if r.CarrierID(name) == "" {
			t.Errorf("carrier %q is not in the mapping", name)
		}
	}
	if Default().Version() != r.Version() {
		t.Error("Default() is not the embedded file")
	}
}

// TestClassify is a table of what carriers really write, in their languages.
func TestClassify(t *testing.T) {
	t.Parallel()
	r := Default()
	tests := []struct {
		carrier, raw string
		want         Code
		by           string
	}{
		// Codes.
		{"DHL Express", "OK", Delivered, ByCode},
		{"DHL", "wc", OutForDelivery, ByCode},
		{"DHL", "NH", FailedAttempt, ByCode},
		{"DHL", "RT", Returned, ByCode},
		{"UPS", "M", InfoReceived, ByCode},
		{"UPS", "X", Exception, ByCode},
		{"FedEx", "OD", OutForDelivery, ByCode},
		{"FedEx", "CD", CustomsHold, ByCode},
		{"Thailand Post", "501", Delivered, ByCode},
		{"Thailand Post", "401", FailedAttempt, ByCode},
		{"Thailand Post", "301", OutForDelivery, ByCode},
		{"Flash Express", "4", Delivered, ByCode},
		{"GHN", "delivery_fail", FailedAttempt, ByCode},
		{"GHN", "waiting_to_return", FailedAttempt, ByCode},
		{"GHN", "returned", Returned, ByCode},
		{"Ninja Van", "On Vehicle for Delivery", OutForDelivery, ByCode},
		{"Colissimo", "DI1", Delivered, ByCode},
		{"La Poste", "DI2", Returned, ByCode},
		{"Colissimo", "AG1", OutForDelivery, ByCode},
		{"SF Express", "80", Delivered, ByCode},
		// A code of one carrier means nothing for another: "OK" is not a UPS status.
		{"UPS", "OK", Unknown, ""},
		// Phrases.
		{"Correios", "Objeto entregue ao remetente", Returned, ByPhrase},
		{"Correios", "Objeto entregue ao destinatário", Delivered, ByPhrase},
		{"Correios", "Fiscalização aduaneira finalizada", InTransit, ByPhrase},
		{"Correios", "Aguardando pagamento", CustomsHold, ByPhrase},
		{"Kerry Express", "นำส่งไม่สำเร็จ ผู้รับไม่อยู่", FailedAttempt, ByPhrase},
		{"KEX", "นำส่งสำเร็จ", Delivered, ByPhrase},
		{"Royal Mail", "Sorry we missed you", FailedAttempt, ByPhrase},
		{"Yamato", "ご不在のため持戻", FailedAttempt, ByPhrase},
		{"SMSA", "Proof of Delivery Captured", Delivered, ByPhrase},
		{"PostNL", "Zending is bezorgd", Delivered, ByPhrase},
		// Keywords, for any carrier, in many languages.
		{"UPS", "Delivered", Delivered, ByKeyword},
		{"UPS", "The receiver was not available for delivery.", FailedAttempt, ByPhrase},
		{"", "Shipment on hold - undelivered", FailedAttempt, ByKeyword},
		{"", "Out For Delivery Today", OutForDelivery, ByKeyword},
		{"", "Customs clearance in progress", CustomsHold, ByKeyword},
		{"", "Released from customs", InTransit, ByKeyword},
		{"Sagawa", "配達完了", Delivered, ByKeyword},
		{"Japan Post", "お届け先にお届け済み", Delivered, ByPhrase},
		{"Japan Post", "通関手続中", CustomsHold, ByKeyword},
		{"Estafeta", "En tránsito", InTransit, ByKeyword},
		{"Estafeta", "Entregado", Delivered, ByKeyword},
		{"La Poste", "Votre colis est livré", Delivered, ByKeyword},
		{"", "Paket telah diterima", Unknown, ""}, // ambiguous without the carrier
		{"J&T", "Paket telah diterima oleh [BUDI]", Delivered, ByPhrase},
		{"GHTK", "Giao hàng thành công", Delivered, ByKeyword},
		{"GHTK", "Giao hàng thất bại - khách không nghe máy", FailedAttempt, ByKeyword},
		{"GHTK", "Đang giao hàng", OutForDelivery, ByKeyword},
		{"GHTK", "Giao hàng thành công", Delivered, ByKeyword},                   // precomposed
		{"GHTK", "Giao ha\u0300ng tha\u0300nh co\u0302ng", Delivered, ByKeyword}, // decomposed
		{"SF Express", "快件已签收", Delivered, ByKeyword},
		{"SF Express", "派送不成功", FailedAttempt, ByPhrase},
		{"Aramex", "تم التسليم", Delivered, ByKeyword},
		{"Naqel", "خرجت للتوصيل", OutForDelivery, ByKeyword},
		{"Naqel", "Held in customs - supporting documents required", CustomsHold, ByKeyword},
		{"DHL", "Transport delay", Exception, ByKeyword},
		{"", "Label created", InfoReceived, ByKeyword},
		{"", "Shipment delivered to sender", Returned, ByKeyword},
		{"", "xyzzy", Unknown, ""},
		{"DHL", "", Unknown, ""},
	}
	for _, tt := range tests {
		got, by := r.Classify(tt.carrier, tt.raw)
		if got != tt.want || by != tt.by {
			t.Errorf("Classify(%q, %q) = %s by %q, want %s by %q", tt.carrier, tt.raw, got, by, tt.want, tt.by)
		}
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	eta := at("2026-12-02T00:00:00+07:00")
	tests := []struct {
		name    string
		parcel  commerce.Parcel
		current Code
		lastRaw string
		eta     time.Time
		unknown int // events not recognised
	}{
		{"Thailand Post, in order", commerce.Parcel{TrackingID: "EB315050240TH", Carrier: "Thailand Post", ETA: eta, Events: []commerce.CarrierEvent{
			{At: at("2026-11-28T09:00:00+07:00"), Code: "103"},
			{At: at("2026-11-29T09:00:00+07:00"), Code: "201"},
			{At: at("2026-11-30T08:00:00+07:00"), Code: "301"},
		}}, OutForDelivery, "301", eta, 0},
		{"newest first, delivered: no ETA", commerce.Parcel{Carrier: "DHL", ETA: eta, Events: []commerce.CarrierEvent{
			{At: at("2026-11-30T14:00:00Z"), Code: "OK"},
			{At: at("2026-11-30T07:00:00Z"), Code: "WC"},
			{At: at("2026-11-28T07:00:00Z"), Code: "PU"},
		}}, Delivered, "OK", time.Time{}, 0},
		{"an unknown last event keeps the last known status", commerce.Parcel{Carrier: "UPS", Events: []commerce.CarrierEvent{
			{At: at("2026-11-28T07:00:00Z"), Code: "I"},
			{At: at("2026-11-29T07:00:00Z"), Code: "Scan 7731"},
		}}, InTransit, "I", time.Time{}, 1},
		{"handed over to a local carrier", commerce.Parcel{Carrier: "SF Express", Events: []commerce.CarrierEvent{
			{At: at("2026-11-20T07:00:00Z"), Code: "50"},
			{At: at("2026-11-27T07:00:00Z"), Carrier: "Thailand Post", Code: "202"},
		}}, CustomsHold, "202", time.Time{}, 0},
		{"no events", commerce.Parcel{Carrier: "FedEx", ETA: eta}, Unknown, "", eta, 0},
	}
	for _, tt := range tests {
		s := Normalize(tt.parcel)
		unknown := 0
		for _, e := range s.History {
			if e.Status == Unknown {
				unknown++
			}
		}
		if s.Current != tt.current || s.Last.CarrierRaw != tt.lastRaw || !s.ETA.Equal(tt.eta) || unknown != tt.unknown ||
			len(s.History) != len(tt.parcel.Events) || s.RulesVersion != Default().Version() {
			t.Errorf("%s: Normalize = %+v; want current %s, last %q, ETA %v, %d unknown", tt.name, s, tt.current, tt.lastRaw, tt.eta, tt.unknown)
		}
		for i := 1; i < len(s.History); i++ {
			if s.History[i].At.Before(s.History[i-1].At) {
				t.Errorf("%s: history not oldest first", tt.name)
			}
		}
	}
}

func TestFormatDate(t *testing.T) {
	t.Parallel()
	d := time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC) // a Wednesday
	tests := []struct{ locale, want string }{
		{"en", "Wednesday, December 2, 2026"},
		{"en-GB", "Wednesday, December 2, 2026"},
		{"es-MX", "miércoles, 2 de diciembre de 2026"},
		{"de", "Mittwoch, 2. Dezember 2026"},
		{"fr", "mercredi 2 décembre 2026"},
		{"pt-BR", "quarta-feira, 2 de dezembro de 2026"},
		{"ar", "الأربعاء، ٢ ديسمبر ٢٠٢٦"},
		{"th", "วันพุธที่ 2 ธันวาคม พ.ศ. 2569"},
		{"vi", "Thứ Tư, 2 tháng 12, 2026"},
		{"id", "Rabu, 2 Desember 2026"},
		{"ja", "2026年12月2日水曜日"},
		{"zh-Hans", "2026年12月2日星期三"},
		{"ko", "Wednesday, December 2, 2026"},
		{"", "Wednesday, December 2, 2026"},
	}
	for _, tt := range tests {
		if got := FormatDate(tt.locale, d); got != tt.want {
			t.Errorf("FormatDate(%q) = %q, want %q", tt.locale, got, tt.want)
		}
	}
	if got := FormatDate("fr", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); got != "mardi 1er décembre 2026" {
		t.Errorf("French first of the month: %q", got)
	}
}

// TestTexts checks the customer's sentences: every status in every locale, in the
// locale's script, and the ETA sentence with the date.
func TestTexts(t *testing.T) {
	t.Parallel()
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	scripts := map[string]*unicode.RangeTable{"ar": unicode.Arabic, "th": unicode.Thai, "ja": unicode.Hiragana, "zh-Hans": unicode.Han}
	for _, tag := range i18n.Supported() {
		loc := tag.String()
		seen := make(map[string]Code)
		for _, c := range append(Codes(), Unknown) {
			text := StatusText(cat, loc, Status{Current: c})
			if text == c.Key() {
				t.Errorf("%s: catalog has no %q", loc, c.Key())
			}
			if prev, dup := seen[text]; dup {
				t.Errorf("%s: %s and %s have the same sentence %q", loc, prev, c, text)
			}
			seen[text] = c
			if rt := scripts[loc]; rt != nil && c == Delivered && !strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(rt, r) }) {
				t.Errorf("%s: %q is not in the locale's script", loc, text)
			}
		}
		eta := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
		s := Status{Current: InTransit, ETA: eta}
		if got, date := ETAText(cat, loc, s), FormatDate(loc, eta); !strings.Contains(got, date) || got == KeyETA {
			t.Errorf("%s: ETAText = %q, want it to contain %q", loc, got, date)
		}
		if got := ETAText(cat, loc, Status{Current: Delivered}); got != "" {
			t.Errorf("%s: ETAText without an ETA = %q, want empty", loc, got)
		}
	}
	if got := StatusText(cat, "de-AT", Status{Current: CustomsHold}); !strings.Contains(got, "Zoll") {
		t.Errorf("de-AT customs: %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	valid := string(embedded)
	tests := []struct{ name, from, to, want string }{
		{"no version", `"version": "2026-11.1"`, `"version": ""`, "version: missing"},
		{"misspelt status", `"DL": "delivered"`, `"DL": "deliverd"`, `carriers[2] (fedex): codes["DL"]: "deliverd" is not a status`},
		{"same code twice", `"OK": "delivered"`, `"OK": "delivered", "ok": "exception"`, `carriers[0] (dhl): codes["ok"]: the same code twice`},
		{"name of two carriers", `"names": ["PostNL"]`, `"names": ["PostNL", "DHL"]`, `carriers[20] (postnl): name "DHL" is also carriers[0]'s`},
		{"empty phrase", `{"contains": "record created", "status": "info_received"}`, `{"contains": " ", "status": "info_received"}`, `carriers[10] (aramex): phrases[0]: contains: empty`},
		{"a status no keyword reaches", `{"status": "exception", "words": [`, `{"status": "in_transit", "words": [`, "keywords: no entry for exception"},
	}
	for _, tt := range tests {
		if !strings.Contains(valid, tt.from) {
			t.Fatalf("%s: the embedded file no longer contains %q", tt.name, tt.from)
		}
		_, err := Load(strings.NewReader(strings.Replace(valid, tt.from, tt.to, 1)))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}
