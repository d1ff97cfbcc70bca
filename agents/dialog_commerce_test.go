package agents

// The commerce scenarios of the offline dialog — VAT and cash-on-delivery questions, a yes
// with nothing pending, refunds and a shipping-address change — through the workflow in
// Temporal's test environment with the real activities, tools and PostgreSQL.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/agents/offline"
	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/cod"
	"github.com/attache-dev/attache/tools/commerce"
	shop "github.com/attache-dev/attache/tools/commerce/pgstore"
	"github.com/attache-dev/attache/tools/orders"
	"github.com/attache-dev/attache/tools/vat"
)

// rulesFixture is a conversation in market (may be "") with the VAT and cash-on-delivery
// tools and the catalog.
func rulesFixture(t *testing.T, market string) (*fixture, *i18n.Catalog) {
	t.Helper()
	fx := newFixture(t, "")
	c, err := fx.store.Create(context.Background(), conversation.NewConversation{Market: market})
	if err != nil {
		t.Fatal(err)
	}
	fx.conv = c.ID
	return fx, fx.withTools(t, vat.Tool{}, cod.Tool{})
}

// converse sends turns one minute apart through the workflow and returns the AI's last
// stored message for each.
func converse(t *testing.T, fx *fixture, locale string, turns ...string) []conversation.Message {
	t.Helper()
	w := newWFEnv(t, fx)
	w.env.SetTestTimeout(2 * time.Minute) // several tool activities per turn on the shared database
	return w.converse(t, locale, turns...)
}

// TestVATAndCashOnDeliveryQuestions asks what customers ask about taxes and paying the
// courier, in eight languages, and checks the answer the rules give, in their language.
func TestVATAndCashOnDeliveryQuestions(t *testing.T) {
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	eur := func(cents int64, lang string) string {
		return commerce.Money{Amount: cents, Currency: "EUR"}.Format(lang)
	}
	tests := []struct {
		name, market string
		turns        []string
		lang         string
		intent       string
		want         []string // in the last reply
		handoff      bool
	}{
		{name: "German rates, in English", market: "DE", turns: []string{"What VAT do I pay in Germany?"}, lang: "en", intent: offline.IntentVAT,
			want: []string{"Germany: the standard VAT rate is 19%; reduced rates (7%)", cat.Text("en", keyVATIOSSRule, eur(15000, "en"))}},
		{name: "French rate, in German", market: "DE", turns: []string{"Welche Mehrwertsteuer zahle ich in Frankreich?"}, lang: "de", intent: offline.IntentVAT,
			want: []string{"Frankreich: Der normale Mehrwertsteuersatz beträgt 20%"}},
		{name: "an order under €150, in Spanish", market: "DE", turns: []string{"¿Cuánto IVA pago en España por un pedido de 100 €?"}, lang: "es", intent: offline.IntentVAT,
			want: []string{"España: el tipo general de IVA es del 21%", cat.Text("es", keyVATIOSS, eur(2100, "es"))}},
		{name: "the market's rates, in Japanese", market: "DE", turns: []string{"消費税はいくらですか"}, lang: "ja", intent: offline.IntentVAT,
			want: []string{"ドイツの付加価値税（VAT）の標準税率は19%"}},
		{name: "a business with a valid VAT number", market: "DE", turns: []string{"Is my VAT number DE136695976 valid? We buy as a company."},
			lang: "en", intent: offline.IntentVAT,
			want: []string{cat.Text("en", "vat_reverse_charge"), cat.Text("en", keyVATNumberValid, "DE136695976")}},
		{name: "a mistyped VAT number", market: "DE", turns: []string{"My VAT number is DE136695977, do I pay VAT?"}, lang: "en", intent: offline.IntentVAT,
			want: []string{cat.Text("en", keyVATNumberInvalid, "DE136695977"), cat.Text("en", "vat_b2b_no_number")}},
		{name: "no country known: asks, then answers", market: "", turns: []string{"How much VAT will I pay?", "Austria"}, lang: "en", intent: offline.IntentVAT,
			want: []string{"Austria: the standard VAT rate is 20%"}},
		{name: "COD in Thailand, in English", market: "DE", turns: []string{"Is cash on delivery available in Thailand?"}, lang: "en", intent: offline.IntentCOD,
			want: []string{"Thailand: yes, cash on delivery is available", "Thailand Post, KEX (Kerry Express), Flash Express, J&T Express",
				cat.Text("en", keyCODRefusalBlock, 2, 180), cat.Text("en", keyCODRefusalCharge)}},
		{name: "COD in Thailand, in Thai", market: "TH", turns: []string{"มีเก็บเงินปลายทางที่ประเทศไทยไหม"}, lang: "th", intent: offline.IntentCOD,
			want: []string{"Flash Express", cat.Text("th", keyCODRefusalCharge)}},
		{name: "COD in Saudi Arabia, in Arabic", market: "AE", turns: []string{"هل الدفع عند الاستلام متاح في السعودية؟"}, lang: "ar", intent: offline.IntentCOD,
			want: []string{"SMSA Express", "Aramex", cat.Text("ar", keyCODRefusalBlock, 2, 180)}},
		{name: "COD in the market, in Vietnamese", market: "VN", turns: []string{"Có thanh toán khi nhận hàng không?"}, lang: "vi", intent: offline.IntentCOD,
			want: []string{"GHN (Giao Hàng Nhanh)", cat.Text("vi", keyCODRefusalBlock, 2, 90)}},
		{name: "COD in Indonesian, for an amount", market: "ID", turns: []string{"Apakah bisa bayar di tempat di Indonesia untuk Rp 100.000?"}, lang: "id", intent: offline.IntentCOD,
			want: []string{strings.Split(cat.Text("id", keyCODAllowed, "{fee}"), "{fee}")[0]}},
		{name: "COD where the shop has none", market: "DE", turns: []string{"Can I pay cash on delivery in Singapore?"}, lang: "en", intent: offline.IntentCOD,
			want: []string{cat.Text("en", keyCODUnavailableIn, "Singapore")}},
		{name: "a bare ok with nothing pending", market: "DE", turns: []string{"ok"}, lang: "en", intent: offline.IntentConfirm,
			want: []string{cat.Text("en", offline.KeyAcknowledged)}},
		{name: "a bare sí with nothing pending", market: "ES", turns: []string{"Hola, ¿dónde está mi pedido?", "sí"}, lang: "es", intent: offline.IntentConfirm,
			want: []string{cat.Text("es", offline.KeyAcknowledged)}},
		{name: "customer service is a request for a person", market: "DE", turns: []string{"customer service please"}, lang: "en", intent: offline.IntentService,
			want: []string{cat.Text("en", i18n.KeyHandoff)}, handoff: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx, _ := rulesFixture(t, tt.market)
			replies := converse(t, fx, "", tt.turns...)
			last := replies[len(replies)-1]
			if last.Lang != tt.lang || last.Intent != tt.intent || last.Handoff != tt.handoff {
				t.Errorf("reply in %s, intent %s, handoff %v; want %s, %s, %v: %q", last.Lang, last.Intent, last.Handoff, tt.lang, tt.intent, tt.handoff, last.Text)
			}
			for _, w := range tt.want {
				if !strings.Contains(last.Text, w) {
					t.Errorf("reply %q\nwant it to contain %q", last.Text, w)
				}
			}
			if c := fx.conversation(t); (c.Status == conversation.StatusHandoff) != tt.handoff {
				t.Errorf("conversation status %s, want handoff %v", c.Status, tt.handoff)
			}
		})
	}
}

func TestChangeShippingAddressAsksIdentityThenTheAddressThenConfirmsAndChangesOnce(t *testing.T) {
	fx, st, ids := shopFixture(t)
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	replies := converse(t, fx, "en",
		"I need to change the shipping address of order "+ids.pending,
		ids.email,
		"somewhere in Berlin",
		"Friedrichstraße 123, 10117 Berlin, Germany",
		"yes",
		"yes",
	)
	newAddress := "Friedrichstraße 123, 10117 Berlin, Germany"
	want := []string{
		cat.Text("en", keyAskEmail, ids.pending),
		cat.Text("en", keyAskAddress, ids.pending),
		cat.Text("en", keyAddressUnclear),
		cat.Text("en", keyConfirmAddress, ids.pending, newAddress),
		cat.Text("en", keyAddressDone, ids.pending, newAddress),
		cat.Text("en", offline.KeyAcknowledged), // the change is done: a second yes changes nothing
	}
	for i, r := range replies {
		if !strings.HasSuffix(r.Text, want[i]) || r.Handoff {
			t.Errorf("reply %d: %q (handoff %v)\nwant %q", i, r.Text, r.Handoff, want[i])
		}
	}
	o, err := st.Order(context.Background(), ids.pending)
	if err != nil {
		t.Fatal(err)
	}
	if got := (commerce.Address{Line1: "Friedrichstraße 123", City: "Berlin", Zip: "10117", Country: "DE"}); o.Address != got {
		t.Errorf("order address %+v, want %+v", o.Address, got)
	}
}

func TestChangeShippingAddressOfAShippedOrderHandsOff(t *testing.T) {
	fx, _, ids := shopFixture(t)
	replies := converse(t, fx, "en",
		"Please change the delivery address of order "+ids.delivered+", my e-mail is "+ids.email,
		"Friedrichstraße 123, 10117 Berlin, Germany",
	)
	if r := replies[1]; !r.Handoff || !strings.Contains(r.Text, "can't change the address of order "+ids.delivered) {
		t.Errorf("reply to the address: %q (handoff %v), want the refusal and a colleague", r.Text, r.Handoff)
	}
}

func TestTrackRefundReadsTheOrder(t *testing.T) {
	fx, st, ids := shopFixture(t)
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	// A refund on the pending order: cancel it first, directly in the shop.
	if _, err := st.CancelOrder(context.Background(), "test-cancel-"+ids.pending, ids.pending, "no longer needed"); err != nil {
		t.Fatal(err)
	}
	replies := converse(t, fx, "en",
		"Where is my refund for order "+ids.pending+"? My e-mail is "+ids.email,
		"where is the refund for order "+ids.delivered+"?",
	)
	if want := cat.Text("en", keyRefundStatus, ids.pending, commerce.Money{Amount: 4900, Currency: "EUR"}.Format("en")); !strings.HasSuffix(replies[0].Text, want) {
		t.Errorf("refund of the cancelled order: %q\nwant %q", replies[0].Text, want)
	}
	if want := cat.Text("en", keyRefundNone, ids.delivered, cat.Text("en", keyOrderDelivered, ids.delivered)); replies[1].Text != want {
		t.Errorf("refund of the delivered order: %q\nwant %q", replies[1].Text, want)
	}
}

// The order tools' names the dialog calls must exist.
func TestDialogToolNamesExist(t *testing.T) {
	reg, err := tools.NewRegistry(orders.Tools{Shop: shop.New(pgtest.Pool(t), pgtest.Logger())}.All()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{toolOrderDetails, toolAddress, "verify_customer", "track_order", "cancel_pending_order", "return_delivered_order_items"} {
		if _, ok := reg.Spec(name); !ok {
			t.Errorf("no tool %s", name)
		}
	}
}

// TestAYesThatNamesTheActionConfirmsIt: "Yes, please cancel it" answers the question "Shall
// I cancel order …?" — the request in it is the very action asked about — and cancels once;
// "No, don't cancel it" declines.
func TestAYesThatNamesTheActionConfirmsIt(t *testing.T) {
	for _, tc := range []struct {
		answer string
		want   string
	}{
		{"Yes, please cancel it.", commerce.StatusCancelled},
		{"No, don't cancel it", commerce.StatusPending},
	} {
		t.Run(tc.answer, func(t *testing.T) {
			fx, st, ids := shopFixture(t)
			replies := converse(t, fx, "en", "Please cancel my order "+ids.pending, ids.email, tc.answer)
			last := replies[len(replies)-1]
			if last.Handoff || strings.Contains(last.Text, "Shall I") {
				t.Errorf("reply to %q: %q, want the outcome, not the question again", tc.answer, last.Text)
			}
			o, err := st.Order(context.Background(), ids.pending)
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != tc.want {
				t.Errorf("order status %q, want %q", o.Status, tc.want)
			}
		})
	}
}
