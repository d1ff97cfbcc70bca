package i18n

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// detectCases are short customer messages as they arrive on chat channels — typos,
// missing accents, lower case, order numbers — written for this test, eleven supported
// languages plus a few that must be recognised and answered elsewhere.
var detectCases = []struct {
	text, want string
}{
	// English
	{"where is my order??", "en"},
	{"hi, i ordered a jacket last week and it still hasnt arrived", "en"},
	{"can i get a refund pls", "en"},
	{"I want to cancel my order #W2378156", "en"},
	{"how long does shipping to canada take", "en"},
	{"my card was charged twice", "en"},
	{"this is the worst service ever", "en"},
	{"can I talk to a real person", "en"},
	{"Thank you so much for your help!", "en"},
	// Spanish
	{"¿Dónde está mi pedido?", "es"},
	{"donde esta mi pedido", "es"},
	{"hola buenas, quiero cancelar mi compra", "es"},
	{"necesito un reembolso, el producto llego roto", "es"},
	{"cuanto tarda el envio a mexico", "es"},
	{"quiero hablar con una persona real porfa", "es"},
	{"no me deja pagar con mi tarjeta", "es"},
	{"muchas gracias por todo", "es"},
	{"el paquete no a llegado todavia", "es"},
	// German
	{"Wo ist meine Bestellung?", "de"},
	{"wo bleibt mein paket", "de"},
	{"ich moechte meine bestellung stornieren", "de"},
	{"Ich hätte gerne mein Geld zurück", "de"},
	{"wie lange dauert der versand nach österreich", "de"},
	{"Kann ich bitte mit einem Mitarbeiter sprechen", "de"},
	{"die zahlung hat nicht funktioniert", "de"},
	{"danke für die schnelle hilfe", "de"},
	// French
	{"Où est ma commande ?", "fr"},
	{"ou est mon colis svp", "fr"},
	{"je veux annuler ma commande", "fr"},
	{"je voudrais etre rembourse", "fr"},
	{"combien de temps pour la livraison en belgique", "fr"},
	{"je veux parler a un conseiller", "fr"},
	{"mon paiement a été refusé", "fr"},
	{"merci beaucoup, bonne journée", "fr"},
	// Portuguese
	{"cadê meu pedido?", "pt"},
	{"onde esta minha encomenda", "pt"},
	{"quero cancelar minha compra", "pt"},
	{"quero meu dinheiro de volta", "pt"},
	{"quanto tempo demora a entrega pra sao paulo", "pt"},
	{"quero falar com um atendente", "pt"},
	{"o pagamento nao foi aprovado", "pt"},
	{"obrigada pela ajuda!", "pt"},
	// Vietnamese, with and without diacritics
	{"Đơn hàng của tôi đâu rồi?", "vi"},
	{"don hang cua toi dau roi", "vi"},
	{"tôi muốn hủy đơn hàng", "vi"},
	{"toi muon huy don", "vi"},
	{"khi nào tôi nhận được hàng", "vi"},
	{"cho tôi gặp nhân viên", "vi"},
	{"tôi muốn được hoàn tiền", "vi"},
	{"cảm ơn shop nhiều", "vi"},
	// Indonesian
	{"pesanan saya belum sampai", "id"},
	{"kak paket saya dimana ya", "id"},
	{"saya mau batalin pesanan", "id"},
	{"gimana cara refund dana saya", "id"},
	{"berapa lama pengiriman ke surabaya", "id"},
	{"saya mau bicara dengan admin manusia", "id"},
	{"pembayaran saya gagal terus", "id"},
	{"makasih banyak ya kak", "id"},
	// Arabic
	{"أين طلبي؟", "ar"},
	{"وين الطلب حقي", "ar"},
	{"أريد إلغاء الطلب", "ar"},
	{"أبغى استرجاع فلوسي", "ar"},
	{"كم يستغرق التوصيل إلى الرياض", "ar"},
	{"أريد التحدث مع موظف", "ar"},
	// Thai
	{"พัสดุของฉันอยู่ที่ไหน", "th"},
	{"ขอยกเลิกคำสั่งซื้อค่ะ", "th"},
	{"อยากได้เงินคืนครับ", "th"},
	{"ส่งกี่วันถึงคะ", "th"},
	{"ขอคุยกับเจ้าหน้าที่", "th"},
	{"ขอบคุณค่ะ", "th"},
	// Japanese
	{"注文した商品がまだ届きません", "ja"},
	{"注文をキャンセルしたいです", "ja"},
	{"返金してもらえますか？", "ja"},
	{"配送にどのくらいかかりますか", "ja"},
	{"オペレーターと話したい", "ja"},
	{"ありがとうございました", "ja"},
	// Chinese, simplified and traditional
	{"我的订单到哪了", "zh"},
	{"我要取消订单", "zh"},
	{"怎么退款", "zh"},
	{"发货要多久", "zh"},
	{"转人工", "zh"},
	{"我的訂單什麼時候到", "zh"},
	{"谢谢", "zh"},
	// Harder: unaccented Romance languages, code-mixing, one or two words.
	{"mi pedido no llego", "es"},
	{"meu pedido nao chegou", "pt"},
	{"preciso de ajuda", "pt"},
	{"olá, quero cancelar", "pt"},
	{"hola quiero cancelar", "es"},
	{"ma commande n'est pas arrivee", "fr"},
	{"aidez moi", "fr"},
	{"bestellung nicht angekommen", "de"},
	{"order saya belum datang", "id"},
	{"paket belum dateng", "id"},
	{"pls help, order not arrived yet", "en"},
	{"shop oi sao chua giao hang", "vi"},
	{"giup toi voi", "vi"},
	{"nhân viên", "vi"},
	// Languages without a catalog, recognised by their script
	{"주문한 상품이 아직 안 왔어요", "ko"},
	{"איפה ההזמנה שלי", "he"},
	{"سفارش من کجاست؟ پیگیری کنید", "fa"},
	{"Где мой заказ?", "ru"},
}

// TestDetectAccuracy measures language identification on detectCases and fails below the
// floor. Measured when written: 101/101. On the 72 Latin-script rows, lingua-go alone
// gets 69/72 in high-accuracy mode and 65/72 in low-accuracy mode; the short-message
// lexicon, the character cues, the unaccented-Vietnamese and Spanish/Portuguese word
// lists make up the rest. The floor leaves room for a lingua-go model update.
func TestDetectAccuracy(t *testing.T) {
	t.Parallel()
	correct := 0
	perLang := map[string][2]int{}
	for _, tc := range detectCases {
		got := Detect(tc.text)
		c := perLang[tc.want]
		c[1]++
		if got.Lang == tc.want {
			correct++
			c[0]++
		} else {
			t.Logf("miss: Detect(%q) = %s (%.2f, %s), want %s", tc.text, got.Lang, got.Confidence, got.Source, tc.want)
		}
		perLang[tc.want] = c
	}
	acc := float64(correct) / float64(len(detectCases))
	var sb strings.Builder
	for _, l := range []string{"en", "es", "de", "fr", "pt", "vi", "id", "ar", "th", "ja", "zh"} {
		fmt.Fprintf(&sb, " %s %d/%d", l, perLang[l][0], perLang[l][1])
	}
	t.Logf("language detection accuracy: %d/%d = %.1f%% ;%s", correct, len(detectCases), 100*acc, sb.String())
	if len(detectCases) < 60 {
		t.Fatalf("only %d cases; the table must keep at least 60", len(detectCases))
	}
	if acc < 0.95 {
		t.Errorf("accuracy %.1f%% is below the 95%% floor", 100*acc)
	}
}

func TestDetectShortMessagesUseHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text   string
		hints  []string
		want   string
		source string
	}{
		{"ok", []string{"es-MX"}, "es", SourceHint},
		{"hi", []string{"pt-BR"}, "pt", SourceHint},
		{"#W2378156", []string{"de-DE,de;q=0.9,en;q=0.8"}, "de", SourceHint},
		{"12345678", []string{"ja"}, "ja", SourceHint},
		{"ok", nil, "en", SourceHint},
		{"", nil, "en", SourceHint},
		{"agent", []string{"fr"}, "fr", SourceHint},
		{"si", []string{"es"}, "es", SourceHint},
		{"ok", []string{"", "not a tag!", "id"}, "id", SourceHint},
		// Short but certain: the text wins over the hint.
		{"Hello", []string{"es"}, "en", SourceDetector},
		{"hola", []string{"en-US"}, "es", SourceDetector},
		{"obrigado!", []string{"es"}, "pt", SourceDetector},
		{"danke", nil, "de", SourceDetector},
		{"cam on", []string{"en"}, "vi", SourceDetector},
		{"terima kasih", nil, "id", SourceDetector},
		{"ありがとう", []string{"en"}, "ja", SourceScript},
		{"注文番号は123456です", []string{"en"}, "ja", SourceScript},
		{"คำสั่งซื้อ12345ยังไม่มา", nil, "th", SourceScript},
		{"order W2378156 donde esta", []string{"en"}, "es", SourceDetector},
		// A clear sentence is not overridden by the browser's locale.
		{"quero falar com um atendente", []string{"es-ES"}, "pt", SourceDetector},
		// One word shared by Spanish and Portuguese: the hint decides.
		{"reembolso", []string{"es"}, "es", SourceHint},
		{"reembolso", []string{"pt-BR"}, "pt", SourceHint},
		{"where is my order", []string{"de"}, "en", SourceDetector},
	}
	for _, tt := range tests {
		got := Detect(tt.text, tt.hints...)
		if got.Lang != tt.want || got.Source != tt.source {
			t.Errorf("Detect(%q, %q) = %+v, want Lang %s from %s", tt.text, tt.hints, got, tt.want, tt.source)
		}
		if got.Confidence < 0 || got.Confidence > 1 {
			t.Errorf("Detect(%q): confidence %f outside [0, 1]", tt.text, got.Confidence)
		}
	}
	if d := Detect("ok"); d.Confidence != 0 {
		t.Errorf("Detect(\"ok\") with no hint: confidence %f, want 0 (nothing said)", d.Confidence)
	}
}

func TestDetectScriptConfidence(t *testing.T) {
	t.Parallel()
	pure := Detect("ขอยกเลิกคำสั่งซื้อค่ะ")
	mixed := Detect("ขอยกเลิก order W2378156 please")
	if pure.Source != SourceScript || pure.Confidence < 0.95 {
		t.Errorf("pure Thai: %+v, want script with confidence ≥ 0.95", pure)
	}
	if mixed.Lang == "th" && mixed.Confidence >= pure.Confidence {
		t.Errorf("mixed Thai/English %+v is as confident as pure Thai %+v", mixed, pure)
	}
}

// BenchmarkDetect reports ns/op for detecting the language of one short message, cycling
// through the test table (Latin-script messages go through lingua, the others stop at the
// script check), and "x-baseline": the ratio to lower-casing and splitting the same texts,
// timed in the same run. It also reports the heap held after loading the models.
func BenchmarkDetect(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	WarmUp()
	load := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)

	b.ResetTimer()
	i := 0
	for b.Loop() {
		sink += len(Detect(detectCases[i%len(detectCases)].text).Lang)
		i++
	}
	detectNs := float64(b.Elapsed().Nanoseconds())
	baseStart := time.Now()
	for i := range b.N {
		sink += len(strings.Fields(strings.ToLower(detectCases[i%len(detectCases)].text)))
	}
	if baseNs := float64(time.Since(baseStart).Nanoseconds()); baseNs > 0 {
		b.ReportMetric(detectNs/baseNs, "x-baseline")
	}
	if after.HeapAlloc > before.HeapAlloc {
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-models")
	}
	b.ReportMetric(load.Seconds(), "s-load")
}

var sink int
