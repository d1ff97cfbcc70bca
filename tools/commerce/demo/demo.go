// Package demo is the multi-market demo shop of the built-in commerce connector: fifteen
// customers in thirteen currencies (EUR in Germany, France and Spain; GBP, USD, SAR, AED,
// THB, VND, IDR, MYR, PHP, JPY, BRL, MXN), their orders in every status, cash-on-delivery
// orders where cash on delivery is offered, and parcels whose histories use the status words
// of the local carriers (DHL, Colissimo, Correos, Royal Mail, UPS, Aramex, Thailand Post,
// GHN, J&T, Pos Laju, Yamato, Correios, Estafeta) — with customs holds, failed delivery
// attempts and delivery estimates. Order IDs are short to type: DE-10001, TH-10002 ...
// README.md lists the customers to try.
//
// Dates are relative to the moment of seeding, so a fresh demo always has parcels on their
// way. It is demo content, not fixtures for tests of other packages, and not a catalogue.
package demo

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
)

// Seed puts the demo shop into s, with dates relative to now. Seeding again changes
// nothing, not even what was changed through the connector since.
func Seed(ctx context.Context, s *pgstore.Store) error {
	if err := s.Put(ctx, Data(time.Now().UTC())); err != nil {
		return fmt.Errorf("seed demo shop: %w", err)
	}
	return nil
}

// market is one country of the demo with its currency and its customer.
type market struct {
	code, currency, carrier string
	rate                    float64 // local currency per US dollar, roughly
	round                   float64 // prices are rounded to this many major units
	cod                     bool    // cash on delivery is offered
	tz                      *time.Location
	customer                commerce.Customer
}

var markets = []market{
	{code: "DE", currency: "EUR", carrier: "DHL", rate: 0.92, round: 1, tz: time.FixedZone("CET", 3600),
		customer: commerce.Customer{ID: "cus_de_lena", FirstName: "Lena", LastName: "Schmidt", Email: "lena.schmidt@example.com",
			Phone: "+4915123456789", Locale: "de-DE",
			Address: commerce.Address{Line1: "Kastanienallee 12", Line2: "Hinterhaus, 3. OG", City: "Berlin", Zip: "10435", Country: "DE"}}},
	{code: "FR", currency: "EUR", carrier: "Colissimo", rate: 0.92, round: 1, tz: time.FixedZone("CET", 3600),
		customer: commerce.Customer{ID: "cus_fr_camille", FirstName: "Camille", LastName: "Dubois", Email: "camille.dubois@example.com",
			Phone: "+33612345678", Locale: "fr-FR",
			Address: commerce.Address{Line1: "18 rue de la République", City: "Lyon", Zip: "69002", Country: "FR"}}},
	{code: "ES", currency: "EUR", carrier: "Correos", rate: 0.92, round: 1, tz: time.FixedZone("CET", 3600),
		customer: commerce.Customer{ID: "cus_es_javier", FirstName: "Javier", LastName: "García López", Email: "javier.garcia@example.com",
			Phone: "+34612345678", Locale: "es-ES",
			Address: commerce.Address{Line1: "Calle de Alcalá 145", Line2: "4º B", City: "Madrid", State: "Madrid", Zip: "28009", Country: "ES"}}},
	{code: "GB", currency: "GBP", carrier: "Royal Mail", rate: 0.79, round: 1, tz: time.UTC,
		customer: commerce.Customer{ID: "cus_gb_oliver", FirstName: "Oliver", LastName: "Bennett", Email: "oliver.bennett@example.com",
			Phone: "+447700900123", Locale: "en-GB",
			Address: commerce.Address{Line1: "27 Oldham Street", Line2: "Flat 4", City: "Manchester", Zip: "M1 1JG", Country: "GB"}}},
	{code: "US", currency: "USD", carrier: "UPS", rate: 1, round: 1, tz: time.FixedZone("CST", -6*3600),
		customer: commerce.Customer{ID: "cus_us_emily", FirstName: "Emily", LastName: "Johnson", Email: "emily.johnson@example.com",
			Phone: "+13125550147", Locale: "en-US",
			Address: commerce.Address{Line1: "1452 N Milwaukee Ave", Line2: "Apt 3R", City: "Chicago", State: "IL", Zip: "60622", Country: "US"}}},
	{code: "SA", currency: "SAR", carrier: "Aramex", rate: 3.75, round: 5, cod: true, tz: time.FixedZone("AST", 3*3600),
		customer: commerce.Customer{ID: "cus_sa_noura", FirstName: "نورة", LastName: "القحطاني", Email: "noura.alqahtani@example.com",
			Phone: "+966501234567", Locale: "ar-SA",
			Address: commerce.Address{Line1: "طريق الملك فهد، حي العليا", Line2: "مبنى 7421", City: "الرياض", Zip: "12214", Country: "SA"}}},
	{code: "AE", currency: "AED", carrier: "Aramex", rate: 3.67, round: 5, cod: true, tz: time.FixedZone("GST", 4*3600),
		customer: commerce.Customer{ID: "cus_ae_omar", FirstName: "Omar", LastName: "Al Mansoori", Email: "omar.almansoori@example.com",
			Phone: "+971501234567", Locale: "ar-AE",
			Address: commerce.Address{Line1: "Villa 23, Street 14, Al Barsha 2", City: "Dubai", State: "Dubai", Country: "AE"}}},
	{code: "TH", currency: "THB", carrier: "Thailand Post", rate: 36, round: 10, cod: true, tz: time.FixedZone("ICT", 7*3600),
		customer: commerce.Customer{ID: "cus_th_somchai", FirstName: "สมชาย", LastName: "ใจดี", Email: "somchai.jaidee@example.com",
			Phone: "+66812345678", Locale: "th-TH",
			Address: commerce.Address{Line1: "99/12 ซอยสุขุมวิท 39", Line2: "แขวงคลองตันเหนือ เขตวัฒนา", City: "กรุงเทพมหานคร", Zip: "10110", Country: "TH"}}},
	{code: "VN", currency: "VND", carrier: "GHN", rate: 25000, round: 1000, cod: true, tz: time.FixedZone("ICT", 7*3600),
		customer: commerce.Customer{ID: "cus_vn_lan", FirstName: "Lan", LastName: "Nguyễn Thị", Email: "nguyen.thi.lan@example.com",
			Phone: "+84912345678", Locale: "vi-VN",
			Address: commerce.Address{Line1: "25 Lý Thường Kiệt", Line2: "Phường Hàng Bài, Quận Hoàn Kiếm", City: "Hà Nội", Zip: "100000", Country: "VN"}}},
	{code: "ID", currency: "IDR", carrier: "J&T Express", rate: 16000, round: 1000, cod: true, tz: time.FixedZone("WIB", 7*3600),
		customer: commerce.Customer{ID: "cus_id_putri", FirstName: "Putri", LastName: "Rahayu", Email: "putri.rahayu@example.com",
			Phone: "+6281234567890", Locale: "id-ID",
			Address: commerce.Address{Line1: "Jl. Kemang Raya No. 8", Line2: "Kel. Bangka, Kec. Mampang Prapatan", City: "Jakarta Selatan", State: "DKI Jakarta", Zip: "12730", Country: "ID"}}},
	{code: "MY", currency: "MYR", carrier: "Pos Laju", rate: 4.7, round: 1, cod: true, tz: time.FixedZone("MYT", 8*3600),
		customer: commerce.Customer{ID: "cus_my_nurul", FirstName: "Nurul Aisyah", LastName: "binti Ahmad", Email: "nurul.aisyah@example.com",
			Phone: "+60123456789", Locale: "ms-MY",
			Address: commerce.Address{Line1: "No. 21, Jalan SS 2/24", City: "Petaling Jaya", State: "Selangor", Zip: "47300", Country: "MY"}}},
	{code: "PH", currency: "PHP", carrier: "J&T Express", rate: 58, round: 10, cod: true, tz: time.FixedZone("PHT", 8*3600),
		customer: commerce.Customer{ID: "cus_ph_maria", FirstName: "Maria Cristina", LastName: "Reyes", Email: "maria.reyes@example.com",
			Phone: "+639171234567", Locale: "fil-PH",
			Address: commerce.Address{Line1: "45 Maginhawa Street", Line2: "Barangay Teachers Village East", City: "Quezon City", State: "Metro Manila", Zip: "1101", Country: "PH"}}},
	{code: "JP", currency: "JPY", carrier: "Yamato", rate: 150, round: 100, tz: time.FixedZone("JST", 9*3600),
		customer: commerce.Customer{ID: "cus_jp_misaki", FirstName: "美咲", LastName: "佐藤", Email: "misaki.sato@example.com",
			Phone: "+819012345678", Locale: "ja-JP",
			Address: commerce.Address{Line1: "渋谷区神南1-2-3", Line2: "サンプルマンション 502", City: "東京都", State: "東京都", Zip: "150-0041", Country: "JP"}}},
	{code: "BR", currency: "BRL", carrier: "Correios", rate: 5.2, round: 1, tz: time.FixedZone("BRT", -3*3600),
		customer: commerce.Customer{ID: "cus_br_joao", FirstName: "João", LastName: "Pereira da Silva", Email: "joao.pereira@example.com",
			Phone: "+5511987654321", Locale: "pt-BR",
			Address: commerce.Address{Line1: "Rua Augusta, 1508", Line2: "Apto 72", City: "São Paulo", State: "SP", Zip: "01304-001", Country: "BR"}}},
	{code: "MX", currency: "MXN", carrier: "Estafeta", rate: 18, round: 10, tz: time.FixedZone("CST", -6*3600),
		customer: commerce.Customer{ID: "cus_mx_sofia", FirstName: "Sofía", LastName: "Hernández Ramírez", Email: "sofia.hernandez@example.com",
			Phone: "+525512345678", Locale: "es-MX",
			Address: commerce.Address{Line1: "Av. Álvaro Obregón 120", Line2: "Col. Roma Norte, Alc. Cuauhtémoc", City: "Ciudad de México", State: "CDMX", Zip: "06700", Country: "MX"}}},
}

// baseVariant is one variant of the demo catalogue.
type baseVariant struct {
	suffix    string
	options   map[string]string
	usdCents  int64
	available bool
}

// base is the demo catalogue in US cents; each market sells it in its own currency.
var base = []struct {
	sku, name string
	variants  []baseVariant
}{
	{"SNK", "Runner Sneakers", []baseVariant{
		{"40W", map[string]string{"size": "EU 40", "color": "white"}, 8900, true},
		{"42W", map[string]string{"size": "EU 42", "color": "white"}, 8900, true},
		{"42B", map[string]string{"size": "EU 42", "color": "black"}, 8900, true},
		{"44B", map[string]string{"size": "EU 44", "color": "black"}, 9500, false},
	}},
	{"HOD", "Merino Hoodie", []baseVariant{
		{"S-GRY", map[string]string{"size": "S", "color": "grey"}, 6400, true},
		{"M-GRY", map[string]string{"size": "M", "color": "grey"}, 6400, true},
		{"L-NVY", map[string]string{"size": "L", "color": "navy"}, 6900, true},
	}},
	{"BTL", "Insulated Bottle", []baseVariant{
		{"500", map[string]string{"capacity": "500 ml"}, 2400, true},
		{"750", map[string]string{"capacity": "750 ml"}, 2900, true},
	}},
	{"HPN", "Wireless Headphones", []baseVariant{
		{"BLK", map[string]string{"color": "black"}, 14900, true},
		{"SLV", map[string]string{"color": "silver"}, 14900, false},
	}},
}

// price converts a US price to a round local price in minor units.
func (m market) price(usdCents int64) commerce.Money {
	major := math.Round(float64(usdCents)/100*m.rate/m.round) * m.round
	money, err := commerce.FromDecimal(major, m.currency)
	if err != nil {
		panic(err) // the currencies above are all ISO 4217
	}
	return money
}

func (m market) products() []commerce.Product {
	var ps []commerce.Product
	for _, b := range base {
		p := commerce.Product{ID: m.code + "-" + b.sku, Name: b.name}
		for _, v := range b.variants {
			p.Variants = append(p.Variants, commerce.Variant{ItemID: m.code + "-" + b.sku + "-" + v.suffix, Options: v.options,
				Available: v.available, Price: m.price(v.usdCents)})
		}
		ps = append(ps, p)
	}
	return ps
}

// item is the order line for a variant ID of the market's catalogue.
func (m market) item(id string) commerce.Item {
	for _, p := range m.products() {
		for _, v := range p.Variants {
			if v.ItemID == m.code+"-"+id {
				return commerce.Item{ItemID: v.ItemID, ProductID: p.ID, Name: p.Name, Options: v.Options, Price: v.Price}
			}
		}
	}
	panic("demo: no item " + id)
}

func (m market) methods() []commerce.PaymentMethod {
	card := map[string]string{"JP": "jcb", "BR": "elo", "FR": "cb"}[m.code]
	if card == "" {
		card = "visa"
	}
	gift := m.price(2500)
	ms := []commerce.PaymentMethod{
		{ID: "pm_" + lower(m.code) + "_card", Kind: "credit_card", Brand: card, Last4: "4242"},
		{ID: "pm_" + lower(m.code) + "_gift", Kind: "gift_card", Balance: &gift},
	}
	switch {
	case m.cod:
		ms = append(ms, commerce.PaymentMethod{ID: "pm_" + lower(m.code) + "_cod", Kind: "cod"},
			commerce.PaymentMethod{ID: "pm_" + lower(m.code) + "_bank", Kind: "bank_transfer", Last4: "0817"})
	case m.code == "DE" || m.code == "FR" || m.code == "ES" || m.code == "GB" || m.code == "US":
		ms = append(ms, commerce.PaymentMethod{ID: "pm_" + lower(m.code) + "_paypal", Kind: "paypal"})
	}
	return ms
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Data is the demo shop with its dates relative to now.
func Data(now time.Time) pgstore.Data {
	var d pgstore.Data
	for _, m := range markets {
		d.Products = append(d.Products, m.products()...)
		c := m.customer
		c.Market = m.code
		c.PaymentMethods = m.methods()
		orders, parcels := m.orders(now)
		for _, o := range orders {
			c.OrderIDs = append(c.OrderIDs, o.ID)
		}
		d.Customers = append(d.Customers, c)
		d.Orders = append(d.Orders, orders...)
		d.Parcels = append(d.Parcels, parcels...)
	}
	return d
}

const day = 24 * time.Hour

// ev is a carrier event some time before now.
type ev struct {
	ago            time.Duration
	code, location string
}

// orderSpec describes one demo order.
type orderSpec struct {
	n        int      // 10001, 10002 ...
	status   string   // commerce.Status...
	items    []string // variant suffixes with product: "SNK-42W"
	cod      bool
	placed   time.Duration // how long ago
	events   []ev          // oldest first; empty: not shipped
	eta      time.Duration // from now; 0: none
	tracking string
	// what happened after the order (for the statuses that say so)
	cancelReason string
	returned     []string
	exchange     map[string]string
	modified     map[string]string // new item → the item it replaced
	carrier      string            // when not the market's usual one
}

// specs are each market's orders: between them every status, cash on delivery where it is
// offered, a customs hold (GB, BR) and failed delivery attempts (ES, SA, TH, JP).
var specs = map[string][]orderSpec{
	"DE": {
		{n: 10001, status: commerce.StatusProcessed, items: []string{"SNK-42W", "BTL-500"}, placed: 3 * day, tracking: "00340434161094042557", eta: 2 * day,
			events: []ev{{60 * time.Hour, "pre-transit", "Hamburg"}, {50 * time.Hour, "transit", "Hamburg"}, {30 * time.Hour, "transit", "Börnicke"}, {8 * time.Hour, "transit", "Berlin"}}},
		{n: 10002, status: commerce.StatusDelivered, items: []string{"HOD-M-GRY"}, placed: 12 * day, tracking: "00340434161094042564",
			events: []ev{{11 * day, "pre-transit", "Hamburg"}, {10 * day, "transit", "Börnicke"}, {9*day + 6*time.Hour, "transit", "Berlin"}, {9 * day, "delivered", "Berlin"}}},
		{n: 10003, status: commerce.StatusPending, items: []string{"HPN-BLK"}, placed: 2 * time.Hour},
		// Above the German approval limit (€200): a return waits for a person's approval.
		{n: 10004, status: commerce.StatusDelivered, items: []string{"HPN-BLK", "SNK-42B", "HOD-L-NVY"}, placed: 7 * day, tracking: "00340434161094042571",
			events: []ev{{6 * day, "pre-transit", "Hamburg"}, {5 * day, "transit", "Börnicke"}, {4*day + 5*time.Hour, "transit", "Berlin"}, {4 * day, "delivered", "Berlin"}}},
	},
	"FR": {
		{n: 10001, status: commerce.StatusDelivered, items: []string{"SNK-40W", "BTL-750"}, placed: 9 * day, tracking: "6A12345678901",
			events: []ev{{8 * day, "DR1", "Vénissieux"}, {8 * day, "PC1", "Saint-Priest PFC"}, {7 * day, "ET1", "Lyon PPDC"}, {6*day + 5*time.Hour, "MD2", "Lyon 02"}, {6 * day, "DI1", "Lyon 02"}}},
		{n: 10002, status: commerce.StatusReturnRequested, items: []string{"HOD-S-GRY", "BTL-500"}, placed: 20 * day, tracking: "6A12345678902",
			events:   []ev{{19 * day, "PC1", "Saint-Priest PFC"}, {18 * day, "MD2", "Lyon 02"}, {18 * day, "DI1", "Lyon 02"}},
			returned: []string{"HOD-S-GRY"}},
	},
	"ES": {
		{n: 10001, status: commerce.StatusProcessed, items: []string{"HOD-L-NVY"}, placed: 5 * day, tracking: "PQ4F6A0712345670128001A", eta: 1 * day,
			events: []ev{{4 * day, "Admitido", "Madrid CTA"}, {3 * day, "En tránsito", "Madrid CTA"}, {26 * time.Hour, "En reparto", "Madrid UR 9"},
				{22 * time.Hour, "Entrega no efectuada. Destinatario ausente. Se deja aviso", "Madrid UR 9"}, {2 * time.Hour, "En reparto", "Madrid UR 9"}}},
		{n: 10002, status: commerce.StatusCancelled, items: []string{"SNK-42B"}, placed: 15 * day, cancelReason: "ordered by mistake"},
	},
	"GB": {
		// Shipped from the EU warehouse: held by UK customs until import VAT is paid.
		{n: 10001, status: commerce.StatusProcessed, items: []string{"SNK-42B", "HOD-M-GRY"}, placed: 6 * day, tracking: "1234567890", eta: 3 * day, carrier: "DHL Express",
			events: []ev{{5 * day, "PU", "Leipzig - Germany"}, {5 * day, "PL", "Leipzig - Germany"}, {4 * day, "DF", "Leipzig - Germany"},
				{3 * day, "AF", "East Midlands - UK"}, {3 * day, "RR", "East Midlands - UK"}, {2 * day, "HP", "East Midlands - UK"}}},
		{n: 10002, status: commerce.StatusDelivered, items: []string{"BTL-750"}, placed: 14 * day, tracking: "QF123456785GB",
			events: []ev{{13 * day, "We've got it", "Manchester Mail Centre"}, {12 * day, "It's on its way", "Manchester Mail Centre"},
				{11*day + 4*time.Hour, "We're delivering your item today", "Manchester Delivery Office"}, {11 * day, "Delivered", "Manchester"}}},
	},
	"US": {
		{n: 10001, status: commerce.StatusDelivered, items: []string{"HPN-BLK"}, placed: 10 * day, tracking: "1Z999AA10123456784",
			events: []ev{{9 * day, "M", "Louisville, KY"}, {9 * day, "P", "Louisville, KY"}, {8 * day, "I", "Hodgkins, IL"}, {7*day + 5*time.Hour, "O", "Chicago, IL"}, {7 * day, "D", "Chicago, IL"}}},
		{n: 10002, status: commerce.StatusExchangeRequested, items: []string{"SNK-42W", "BTL-500"}, placed: 18 * day, tracking: "1Z999AA10123456795",
			events:   []ev{{17 * day, "P", "Louisville, KY"}, {16 * day, "I", "Hodgkins, IL"}, {15 * day, "D", "Chicago, IL"}},
			exchange: map[string]string{"SNK-42W": "SNK-42B"}},
		{n: 10003, status: commerce.StatusPendingModified, items: []string{"HOD-L-NVY", "BTL-750"}, placed: 5 * time.Hour,
			modified: map[string]string{"HOD-L-NVY": "HOD-M-GRY"}},
	},
	"SA": {
		{n: 10001, status: commerce.StatusProcessed, cod: true, items: []string{"SNK-40W"}, placed: 4 * day, tracking: "43829012345", eta: 1 * day,
			events: []ev{{3 * day, "Record created.", "Riyadh"}, {3 * day, "Picked up from shipper", "Riyadh"}, {2 * day, "Received at Destination Facility", "Riyadh"},
				{30 * time.Hour, "Out for Delivery", "Riyadh"}, {26 * time.Hour, "Attempted delivery - Consignee not available", "Riyadh"}, {3 * time.Hour, "Out for Delivery", "Riyadh"}}},
		{n: 10002, status: commerce.StatusPending, cod: true, items: []string{"HOD-M-GRY"}, placed: 1 * time.Hour},
	},
	"AE": {
		{n: 10001, status: commerce.StatusDelivered, cod: true, items: []string{"BTL-500", "HOD-S-GRY"}, placed: 8 * day, tracking: "43829054321",
			events: []ev{{7 * day, "Record created.", "Dubai"}, {7 * day, "Picked up from shipper", "Dubai"}, {6 * day, "Out for Delivery", "Dubai"}, {6*day - 3*time.Hour, "Delivered", "Dubai"}}},
		{n: 10002, status: commerce.StatusPending, cod: true, items: []string{"SNK-42W"}, placed: 30 * time.Minute},
	},
	"TH": {
		{n: 10001, status: commerce.StatusProcessed, cod: true, items: []string{"SNK-42W", "BTL-500"}, placed: 4 * day, tracking: "EF582936155TH", eta: 1 * day,
			events: []ev{{3 * day, "103", "ปณ.บางรัก"}, {3 * day, "201", "ศป.หลักสี่"}, {2 * day, "207", "ปณ.คลองตัน"}, {30 * time.Hour, "301", "ปณ.คลองตัน"},
				{25 * time.Hour, "401", "ปณ.คลองตัน"}, {4 * time.Hour, "301", "ปณ.คลองตัน"}}},
		{n: 10002, status: commerce.StatusDelivered, cod: true, items: []string{"HOD-S-GRY"}, placed: 10 * day, tracking: "EF582936164TH",
			events: []ev{{9 * day, "103", "ปณ.บางรัก"}, {8 * day, "201", "ศป.หลักสี่"}, {7*day + 5*time.Hour, "301", "ปณ.คลองตัน"}, {7 * day, "501", "ปณ.คลองตัน"}}},
	},
	"VN": {
		{n: 10001, status: commerce.StatusProcessed, cod: true, items: []string{"SNK-40W"}, placed: 3 * day, tracking: "GHNLK8VQ7X", eta: 1 * day,
			events: []ev{{70 * time.Hour, "ready_to_pick", "Hà Nội"}, {60 * time.Hour, "picked", "Bưu cục Cầu Giấy"}, {40 * time.Hour, "transporting", "Kho Hà Nội"}, {5 * time.Hour, "delivering", "Bưu cục Hoàn Kiếm"}}},
		{n: 10002, status: commerce.StatusCancelled, cod: true, items: []string{"HPN-BLK"}, placed: 12 * day, cancelReason: "no longer needed"},
	},
	"ID": {
		{n: 10001, status: commerce.StatusProcessed, cod: true, items: []string{"HOD-M-GRY", "BTL-500"}, placed: 4 * day, tracking: "JX1234567890", eta: 2 * day,
			events: []ev{{3 * day, "Paket telah di pick up oleh kurir", "Jakarta Utara"}, {3 * day, "Paket telah dikirim ke Jakarta Gateway", "Jakarta Utara"},
				{1 * day, "Paket telah sampai di Jakarta Selatan Hub", "Jakarta Selatan"}}},
		{n: 10002, status: commerce.StatusDelivered, cod: true, items: []string{"BTL-750"}, placed: 11 * day, tracking: "JX1234567901",
			events: []ev{{10 * day, "Paket telah di pick up oleh kurir", "Jakarta Utara"}, {9*day + 4*time.Hour, "Paket akan dikirimkan ke alamat penerima", "Jakarta Selatan"},
				{9 * day, "Paket telah diterima oleh [Putri]", "Jakarta Selatan"}}},
	},
	"MY": {
		{n: 10001, status: commerce.StatusPending, cod: true, items: []string{"HOD-L-NVY"}, placed: 3 * time.Hour},
		{n: 10002, status: commerce.StatusDelivered, items: []string{"SNK-42B"}, placed: 9 * day, tracking: "ER123456789MY",
			events: []ev{{8 * day, "Item posted over the counter", "Pos Laju Kuala Lumpur"}, {7 * day, "Item dispatched out", "Pos Laju Shah Alam Hub"},
				{6*day + 5*time.Hour, "Item out for delivery", "Pos Laju Petaling Jaya"}, {6 * day, "Item delivered", "Petaling Jaya"}}},
	},
	"PH": {
		{n: 10001, status: commerce.StatusProcessed, cod: true, items: []string{"SNK-42W"}, placed: 5 * day, tracking: "JT0001234567", eta: 2 * day,
			events: []ev{{4 * day, "Picked up", "Pasig DC"}, {3 * day, "Departed", "Pasig DC"}, {2 * day, "Arrived", "Quezon City DC"}}},
		{n: 10002, status: commerce.StatusDelivered, items: []string{"BTL-500", "HOD-M-GRY"}, placed: 13 * day, tracking: "JT0001234578",
			events: []ev{{12 * day, "Picked up", "Pasig DC"}, {11*day + 4*time.Hour, "On delivery", "Quezon City DC"}, {11 * day, "Signed", "Quezon City"}}},
	},
	"JP": {
		{n: 10001, status: commerce.StatusProcessed, items: []string{"HOD-S-GRY"}, placed: 3 * day, tracking: "4567-8901-2345", eta: 1 * day,
			events: []ev{{2 * day, "荷物受付", "羽田クロノゲートベース"}, {2 * day, "発送済み", "羽田クロノゲートベース"}, {1 * day, "作業店通過", "渋谷神南センター"},
				{20 * time.Hour, "配達中", "渋谷神南センター"}, {17 * time.Hour, "持戻（ご不在）", "渋谷神南センター"}}},
		{n: 10002, status: commerce.StatusDelivered, items: []string{"HPN-BLK"}, placed: 15 * day, tracking: "4567-8901-2356",
			events: []ev{{14 * day, "荷物受付", "羽田クロノゲートベース"}, {13*day + 3*time.Hour, "配達中", "渋谷神南センター"}, {13 * day, "配達完了", "渋谷神南センター"}}},
	},
	"BR": {
		{n: 10001, status: commerce.StatusProcessed, items: []string{"HPN-BLK"}, placed: 12 * day, tracking: "LB123456789DE", eta: 6 * day,
			events: []ev{{11 * day, "Objeto postado", "Frankfurt - Alemanha"}, {8 * day, "Objeto recebido pelos Correios do Brasil", "Curitiba / PR"},
				{7 * day, "Objeto encaminhado para fiscalização aduaneira", "Curitiba / PR"}, {5 * day, "Aguardando pagamento", "Curitiba / PR"}}},
		{n: 10002, status: commerce.StatusPending, items: []string{"SNK-42B", "BTL-750"}, placed: 4 * time.Hour},
	},
	"MX": {
		{n: 10001, status: commerce.StatusProcessed, items: []string{"HOD-M-GRY"}, placed: 4 * day, tracking: "8055241527000670104601", eta: 1 * day,
			events: []ev{{3 * day, "Envío registrado", "Querétaro"}, {3 * day, "Recolectado", "Querétaro"}, {1 * day, "En tránsito", "Ciudad de México"}, {6 * time.Hour, "En proceso de entrega", "Ciudad de México"}}},
		{n: 10002, status: commerce.StatusDelivered, items: []string{"BTL-500"}, placed: 16 * day, tracking: "8055241527000670104612",
			events: []ev{{15 * day, "Recolectado", "Querétaro"}, {14*day + 5*time.Hour, "En proceso de entrega", "Ciudad de México"}, {14 * day, "Entregado", "Ciudad de México"}}},
	},
}

// orders builds the market's orders and parcels.
func (m market) orders(now time.Time) ([]commerce.Order, []commerce.Parcel) {
	var (
		orders  []commerce.Order
		parcels []commerce.Parcel
	)
	lc := lower(m.code)
	for _, sp := range specs[m.code] {
		o := commerce.Order{ID: fmt.Sprintf("%s-%d", m.code, sp.n), CustomerID: m.customer.ID, Market: m.code, Status: sp.status,
			Address: m.customer.Address, PlacedAt: now.Add(-sp.placed).Truncate(time.Minute), CashOnDelivery: sp.cod, CancelReason: sp.cancelReason}
		var total int64
		for _, id := range sp.items {
			it := m.item(id)
			o.Items = append(o.Items, it)
			total += it.Price.Amount
		}
		money := func(a int64) commerce.Money { return commerce.Money{Amount: a, Currency: m.currency} }
		payMethod := "pm_" + lc + "_card"
		if m.code == "DE" || m.code == "GB" {
			payMethod = "pm_" + lc + "_paypal"
		}
		var lastAt time.Time
		if len(sp.events) > 0 {
			lastAt = now.Add(-sp.events[len(sp.events)-1].ago).Truncate(time.Minute)
		}
		switch {
		case sp.cod && (sp.status == commerce.StatusDelivered || sp.status == commerce.StatusReturnRequested):
			o.Payments = []commerce.Transaction{{Kind: "payment", Amount: money(total), PaymentMethodID: "pm_" + lc + "_cod", At: lastAt}}
		case !sp.cod:
			var diff int64
			for to, from := range sp.modified {
				diff += m.item(to).Price.Amount - m.item(from).Price.Amount
			}
			o.Payments = []commerce.Transaction{{Kind: "payment", Amount: money(total - diff), PaymentMethodID: payMethod, At: o.PlacedAt}}
			if diff != 0 {
				// The customer swapped an item for another option and paid the difference.
				o.Payments = append(o.Payments, commerce.Transaction{Kind: "payment", Amount: money(diff), PaymentMethodID: payMethod, At: o.PlacedAt.Add(time.Hour)})
			}
		}
		if sp.status == commerce.StatusDelivered || sp.status == commerce.StatusReturnRequested || sp.status == commerce.StatusExchangeRequested {
			o.DeliveredAt = lastAt
		}
		switch sp.status {
		case commerce.StatusCancelled:
			if !sp.cod {
				o.Payments = append(o.Payments, commerce.Transaction{Kind: "refund", Amount: money(total), PaymentMethodID: payMethod, At: o.PlacedAt.Add(time.Hour)})
			}
		case commerce.StatusReturnRequested:
			var back int64
			for _, id := range sp.returned {
				it := m.item(id)
				o.ReturnItemIDs = append(o.ReturnItemIDs, it.ItemID)
				back += it.Price.Amount
			}
			o.Payments = append(o.Payments, commerce.Transaction{Kind: "refund", Amount: money(back), PaymentMethodID: payMethod, At: now.Add(-2 * day).Truncate(time.Minute)})
		case commerce.StatusExchangeRequested:
			o.ExchangeItemIDs = map[string]string{}
			for from, to := range sp.exchange {
				o.ExchangeItemIDs[m.code+"-"+from] = m.code + "-" + to
			}
		}
		if sp.tracking != "" {
			carrier := m.carrier
			if sp.carrier != "" {
				carrier = sp.carrier
			}
			var itemIDs []string
			for _, it := range o.Items {
				itemIDs = append(itemIDs, it.ItemID)
			}
			o.Fulfillments = []commerce.Fulfillment{{Carrier: carrier, TrackingIDs: []string{sp.tracking}, ItemIDs: itemIDs}}
			p := commerce.Parcel{TrackingID: sp.tracking, Carrier: carrier}
			for _, e := range sp.events {
				p.Events = append(p.Events, commerce.CarrierEvent{At: now.Add(-e.ago).Truncate(time.Minute).In(m.tz), Carrier: carrier, Code: e.code, Location: e.location})
			}
			if sp.eta > 0 {
				y, mo, d := now.Add(sp.eta).In(m.tz).Date()
				p.ETA = time.Date(y, mo, d, 18, 0, 0, 0, m.tz) // by the end of that day's round
			}
			parcels = append(parcels, p)
		}
		orders = append(orders, o)
	}
	return orders, parcels
}
