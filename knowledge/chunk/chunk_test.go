package chunk

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/attache-dev/attache/knowledge/segment"
)

func readArticle(t testing.TB, lang string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/returns_" + lang + ".md")
	if err != nil {
		t.Fatalf("read article: %v", err)
	}
	return string(b)
}

// TestSplitArticles splits the help-center articles of testdata/ and checks what a reader
// of the passages would notice: the headings they sit under, and passages that must not
// be torn apart (a sentence with abbreviations, a table, a numbered procedure).
func TestSplitArticles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, title string
		opts        Options
		headings    []string
		whole       []string // each must appear, unbroken, within one passage
	}{
		{
			lang: "en", title: "Returns, refunds and VAT",
			headings: []string{
				"Returns, refunds and VAT",
				"Returns, refunds and VAT > Returning an item > Who can return",
				"Returns, refunds and VAT > Returning an item > How to start a return",
				"Returns, refunds and VAT > Returning an item > EU right of withdrawal",
				"Returns, refunds and VAT > Refunds > When will I get my money back?",
				"Returns, refunds and VAT > Refunds > Partial refunds",
				"Returns, refunds and VAT > VAT and import duties > Orders shipped within the EU",
				"Returns, refunds and VAT > VAT and import duties > Orders shipped to the UK, Switzerland and Norway",
				"Returns, refunds and VAT > VAT and import duties > Orders shipped outside Europe",
				"Returns, refunds and VAT > Damaged, faulty or wrong items",
				"Returns, refunds and VAT > Exchanges",
				"Returns, refunds and VAT > Still need help?",
			},
			whole: []string{
				"You can return most items within 30 days of delivery, e.g. clothing, shoes, electronics and home goods.",
				"| Cash on delivery | your bank account (IBAN) | 5-7 business days |",
				"1. Sign in and open **Orders**.\n2. Choose the order (for example #W2378156) and tap **Return items**.\n3. Select the items, the reason and how you want to be refunded.\n4. Print the prepaid label, or show the QR code at a drop-off point.",
				"Tell us by e-mail, by letter or with the form at www.example-shop.eu/withdrawal.",
				"```text\nExample order number: W2378156\nExample return number: R-2025-004417\n```",
			},
		},
		{
			lang: "de", title: "Rücksendungen", opts: Options{MaxRunes: 200, MinRunes: 60},
			headings: []string{
				"Rücksendungen > Widerrufsrecht", "Rücksendungen > Widerrufsrecht",
				"Rücksendungen > Rücksendung starten", "Rücksendungen > Erstattung",
			},
			whole: []string{
				"Die Frist beginnt am Tag der Lieferung, z. B. bei Lieferung am 3. Mai endet sie am 17. Mai.",
				"Bitte geben Sie dabei die Bestell-Nr. 12345 bzw. die Nummer aus Ihrer Bestätigung an.",
				"Wir erstatten den Kaufpreis inkl. MwSt. innerhalb von 14 Tagen nach Eingang der Ware.",
			},
		},
		{
			lang: "es", title: "Devoluciones y reembolsos", opts: Options{MaxRunes: 250, MinRunes: 60},
			headings: []string{
				"Devoluciones y reembolsos > ¿Cómo devuelvo un pedido?",
				"Devoluciones y reembolsos > ¿Cómo devuelvo un pedido?",
				"Devoluciones y reembolsos > ¿Cuándo recibo mi dinero?",
				"Devoluciones y reembolsos > IVA",
			},
			whole: []string{
				"La Sra. López, de nuestro equipo, revisa cada devolución en un plazo de 2 días.",
				"¿No tienes impresora?",
			},
		},
		{
			lang: "ar", title: "الإرجاع والاسترداد", opts: Options{MaxRunes: 150, MinRunes: 40},
			headings: []string{
				"الإرجاع والاسترداد > هل يمكنني إرجاع المنتج؟", "الإرجاع والاسترداد > هل يمكنني إرجاع المنتج؟",
				"الإرجاع والاسترداد > كيف أبدأ طلب الإرجاع؟", "الإرجاع والاسترداد > كيف أبدأ طلب الإرجاع؟",
				"الإرجاع والاسترداد > ضريبة القيمة المضافة",
			},
			whole: []string{
				"افتح التطبيق، ثم اختر **طلباتي**، ثم اضغط على **إرجاع**.",
				"هل دفعت عند الاستلام؟",
			},
		},
		{
			lang: "zh", title: "退货与退款", opts: Options{MaxRunes: 60, MinRunes: 20},
			headings: []string{
				"退货与退款 > 退货政策", "退货与退款 > 退货政策",
				"退货与退款 > 如何申请退货？", "退货与退款 > 如何申请退货？",
				"退货与退款 > 退款什么时候到账？", "退货与退款 > 退款什么时候到账？",
				"退货与退款 > 关税和增值税",
			},
			whole: []string{
				"系统会生成退货单号，例如R-2025-004417。",
				"信用卡退款一般需要3到5个工作日到账；支付宝和微信支付通常1天内到账。",
			},
		},
		{
			lang: "ja", title: "返品・返金について", opts: Options{MaxRunes: 80, MinRunes: 20},
			headings: []string{
				"返品・返金について > 返品できる商品", "返品・返金について > 返品できる商品",
				"返品・返金について > 返品の手順",
				"返品・返金について > 返金の時期", "返品・返金について > 返金の時期",
				"返品・返金について > 消費税と関税",
			},
			whole: []string{
				"「届いた商品が壊れていた」という場合は、48時間以内に写真を添えてご連絡ください。",
				"クレジットカードの場合、返金の反映まで1〜2週間かかることがあります。",
			},
		},
		{
			lang: "th", title: "การคืนสินค้าและการคืนเงิน", opts: Options{MaxRunes: 120, MinRunes: 40},
			headings: []string{
				"การคืนสินค้าและการคืนเงิน > เงื่อนไขการคืนสินค้า", "การคืนสินค้าและการคืนเงิน > เงื่อนไขการคืนสินค้า",
				"การคืนสินค้าและการคืนเงิน > วิธีขอคืนสินค้า", "การคืนสินค้าและการคืนเงิน > วิธีขอคืนสินค้า",
				"การคืนสินค้าและการคืนเงิน > การคืนเงิน", "การคืนสินค้าและการคืนเงิน > การคืนเงิน",
				"การคืนสินค้าและการคืนเงิน > ภาษีมูลค่าเพิ่ม",
			},
			whole: []string{
				"ลูกค้าสามารถคืนสินค้าได้ภายใน 30 วัน",
				"หากชำระเงินปลายทาง",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			md := readArticle(t, tt.lang)
			chunks := Split(tt.lang, tt.title, md, tt.opts)
			checkChunks(t, chunks, tt.opts)
			var got []string
			for _, c := range chunks {
				got = append(got, c.Heading)
			}
			if strings.Join(got, "\n") != strings.Join(tt.headings, "\n") {
				t.Errorf("headings:\n got %q\nwant %q", got, tt.headings)
			}
			for _, w := range tt.whole {
				if !inOneChunk(chunks, w) {
					t.Errorf("%q is not whole in any passage:\n%s", w, dump(chunks))
				}
			}
		})
	}
}

func inOneChunk(chunks []Chunk, s string) bool {
	for _, c := range chunks {
		if strings.Contains(c.Text, s) {
			return true
		}
	}
	return false
}

func dump(chunks []Chunk) string {
	var b strings.Builder
	for _, c := range chunks {
		fmt.Fprintf(&b, "--- %d [%s] (%d runes)\n%s\n", c.Ordinal, c.Heading, utf8.RuneCountInString(c.Text), c.Text)
	}
	return b.String()
}

// checkChunks asserts the guarantees of Split that hold for any input.
func checkChunks(t testing.TB, chunks []Chunk, opts Options) {
	t.Helper()
	max := opts.withDefaults().MaxRunes
	for i, c := range chunks {
		switch {
		case c.Ordinal != i:
			t.Fatalf("chunk %d has Ordinal %d", i, c.Ordinal)
		case strings.TrimSpace(c.Text) == "":
			t.Fatalf("chunk %d is empty", i)
		case utf8.RuneCountInString(c.Text) > max:
			t.Fatalf("chunk %d has %d runes, max %d:\n%s", i, utf8.RuneCountInString(c.Text), max, c.Text)
		case !utf8.ValidString(c.Text) || !utf8.ValidString(c.Heading):
			t.Fatalf("chunk %d is not valid UTF-8", i)
		case strings.ContainsRune(c.Text, 0) || strings.ContainsRune(c.Heading, 0):
			t.Fatalf("chunk %d contains NUL", i)
		}
	}
}

func TestSplitStructure(t *testing.T) {
	t.Parallel()
	type want struct{ heading, text string }
	tests := []struct {
		name      string
		title, md string
		opts      Options
		want      []want
	}{
		{
			name:  "heading path rooted at the title, title heading not repeated",
			title: "Returns",
			md:    "# Returns\n\nSend it back within 30 days, in its box, with the label we e-mail you.\n\n## EU withdrawal\n\nYou may withdraw within 14 days without giving a reason.",
			opts:  Options{MinRunes: 1},
			want: []want{
				{"Returns", "Send it back within 30 days, in its box, with the label we e-mail you."},
				{"Returns > EU withdrawal", "You may withdraw within 14 days without giving a reason."},
			},
		},
		{
			name:  "setext headings",
			title: "Help",
			md:    "Shipping\n========\n\nWe ship in two days.\n\nCosts\n-----\n\nShipping is free over 50 EUR.",
			opts:  Options{MinRunes: 1},
			want: []want{
				{"Help > Shipping", "We ship in two days."},
				{"Help > Shipping > Costs", "Shipping is free over 50 EUR."},
			},
		},
		{
			name:  "empty sections give no chunk, deeper headings close",
			title: "T",
			md:    "## A\n\n### A1\n\n## B\n\nText of B.\n\n#### \n\n## C\n",
			opts:  Options{MinRunes: 1},
			want:  []want{{"T > B", "Text of B."}},
		},
		{
			name:  "short sections merge and keep their own headings",
			title: "Shipping",
			md:    "## Carriers\n\n### DHL\n\n2 days.\n\n### UPS\n\n3 days.\n\n## Costs\n\nFree over 50 EUR.",
			opts:  Options{MinRunes: 100},
			want: []want{{"Shipping",
				"Carriers > DHL\n2 days.\n\nCarriers > UPS\n3 days.\n\nCosts\nFree over 50 EUR."}},
		},
		{
			name:  "an introduction merges into its first subsection",
			title: "Refunds",
			md:    "## Card\n\nOverview:\n\n### Timing\n\nRefunds reach your card within 5 business days after we receive the parcel.",
			opts:  Options{MinRunes: 40},
			want: []want{{"Refunds > Card",
				"Overview:\n\nTiming\nRefunds reach your card within 5 business days after we receive the parcel."}},
		},
		{
			name:  "not headings: hashtags, code comments, thematic breaks",
			title: "T",
			md:    "#returns are easy.\n\n---\n\n```sh\n# not a heading\nattache kb import\n```",
			opts:  Options{MinRunes: 1},
			want:  []want{{"T", "#returns are easy.\n\n```sh\n# not a heading\nattache kb import\n```"}},
		},
		{
			name:  "list items stay whole and together",
			title: "T",
			md:    "Steps:\n\n- Open **Orders**\n  and choose the order.\n- Tap *Return*.\n  1. Pick a reason.\n",
			opts:  Options{MinRunes: 1},
			want:  []want{{"T", "Steps:\n\n- Open **Orders** and choose the order.\n- Tap *Return*.\n  1. Pick a reason."}},
		},
		{
			name:  "a long table repeats its header",
			title: "T",
			md:    "| Country | Window |\n|---|---|\n| Germany | 14 days |\n| France | 14 days |\n| Spain | 30 days |\n| Japan | 8 days |",
			opts:  Options{MaxRunes: 80, MinRunes: 1},
			want: []want{
				{"T", "| Country | Window |\n|---|---|\n| Germany | 14 days |\n| France | 14 days |"},
				{"T", "| Country | Window |\n|---|---|\n| Spain | 30 days |\n| Japan | 8 days |"},
			},
		},
		{
			name:  "a long code block is split between lines and keeps its fences",
			title: "T",
			md:    "```json\n{\"order\": \"W2378156\",\n \"items\": 2,\n \"reason\": \"wrong size\",\n \"refund\": \"card\"}\n```",
			opts:  Options{MaxRunes: 56, MinRunes: 1},
			want: []want{
				{"T", "```json\n{\"order\": \"W2378156\",\n \"items\": 2,\n```"},
				{"T", "```json\n \"reason\": \"wrong size\",\n \"refund\": \"card\"}\n```"},
			},
		},
		{
			name:  "a long sentence is cut at a space",
			title: "T",
			md:    "Refunds for orders paid on delivery go to the bank account you give us",
			opts:  Options{MaxRunes: 30, MinRunes: 1},
			want: []want{
				{"T", "Refunds for orders paid on"},
				{"T", "delivery go to the bank"},
				{"T", "account you give us"},
			},
		},
		{
			name:  "a long Chinese sentence is cut after a comma",
			title: "退款",
			md:    "我们收到退货后会在三个工作日内处理退款，信用卡退款一般需要三到五个工作日到账",
			opts:  Options{MaxRunes: 24, MinRunes: 1},
			want: []want{
				{"退款", "我们收到退货后会在三个工作日内处理退款，"},
				{"退款", "信用卡退款一般需要三到五个工作日到账"},
			},
		},
		{
			name:  "a long Thai phrase is cut between characters, not inside one",
			title: "คืนเงิน",
			md:    "เราจะคืนเงินภายในสามวันทำการ",
			opts:  Options{MaxRunes: 10, MinRunes: 1},
			want: []want{
				// Rune 10 is the vowel sign of "งิ": the cut backs off before it, and before
				// the leading vowel "เ" that belongs to "ง".
				{"คืนเงิน", "เราจะคืน"},
				{"คืนเงิน", "เงินภายในส"},
				{"คืนเงิน", "ามวันทำการ"},
			},
		},
		{
			name:  "block quotes, CRLF and invalid bytes",
			title: "T",
			md:    "> **Note:** labels expire\r\n> after 7 days.\r\n\r\nBad \xff byte.",
			opts:  Options{MinRunes: 1},
			want:  []want{{"T", "**Note:** labels expire after 7 days.\n\nBad \uFFFD byte."}},
		},
		{name: "empty", title: "T", md: "", want: nil},
		{name: "headings only", title: "T", md: "# A\n## B\n", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			chunks := Split("", tt.title, tt.md, tt.opts)
			checkChunks(t, chunks, tt.opts)
			var got []want
			for _, c := range chunks {
				got = append(got, want{c.Heading, c.Text})
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Split:\n%s\nwant %q", dump(chunks), tt.want)
			}
		})
	}
}

func TestSplitDefaults(t *testing.T) {
	t.Parallel()
	md := readArticle(t, "en")
	if a, b := Split("en", "T", md, Options{}), Split("en", "T", md, Options{MaxRunes: 700, MinRunes: 120}); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("zero Options differ from {700, 120}")
	}
	// MinRunes above MaxRunes is clamped, not an endless merge.
	checkChunks(t, Split("en", "T", md, Options{MaxRunes: 100, MinRunes: 5000}), Options{MaxRunes: 100})
}

// Sentence pools for generated articles: realistic sentences that Sentences splits as
// written, including some longer than the smaller MaxRunes values.
var pools = map[string][]string{
	"en": {
		"You can return most items within 30 days of delivery.",
		"Refunds go back to the original payment method, e.g. your card or PayPal.",
		"Prices include VAT at 19% in Germany and 20% in France.",
		"Cash-on-delivery refunds need your IBAN.",
		"Express delivery costs 9.90 EUR and arrives the next business day if you order before 2 p.m. local time, except on public holidays, when it arrives one business day later than usual.",
		"Chat with us 24 hours a day!",
		"Where is my parcel?",
	},
	"de": {
		"Sie können Ihre Bestellung innerhalb von 14 Tagen widerrufen.",
		"Die Erstattung erfolgt z. B. auf Ihre Kreditkarte.",
		"Bitte geben Sie die Bestell-Nr. 12345 an.",
		"Alle Preise inkl. MwSt. zzgl. Versandkosten.",
	},
	"zh": {
		"自签收之日起30天内可以申请退货。",
		"信用卡退款一般需要3到5个工作日到账。",
		"跨境订单的进口关税和增值税由收件人承担，金额以海关计算为准，我们如实申报商品价值，无法将订单标注为礼物，也无法拆分包裹以降低税费。",
		"有问题吗？",
	},
	"ja": {
		"商品到着後30日以内であれば返品できます。",
		"返金の反映まで1〜2週間かかることがあります。",
		"返品ラベルが発行されます！",
	},
	"th": {
		"ลูกค้าสามารถคืนสินค้าได้ภายใน 30 วัน",
		"เราจะคืนเงินภายใน 3 วันทำการ",
		"ราคาสินค้าทั้งหมดรวมภาษีมูลค่าเพิ่ม 7% แล้ว",
		"สินค้าลดราคาและบัตรของขวัญไม่สามารถคืนได้",
	},
	"ar": {
		"يمكنك إرجاع معظم المنتجات خلال 14 يومًا.",
		"هل دفعت عند الاستلام؟",
		"تشمل الأسعار ضريبة القيمة المضافة بنسبة 15%.",
	},
}

// article generates a Markdown article and returns the sentences and table rows it holds,
// in order.
func article(r *rand.Rand, lang string) (string, []string) {
	pool := pools[lang]
	sp := " "
	if lang == "zh" || lang == "ja" {
		sp = ""
	}
	var md strings.Builder
	var parts []string
	sentences := func(n int) string {
		var ss []string
		for range n {
			s := pool[r.IntN(len(pool))]
			ss = append(ss, s)
			parts = append(parts, s)
		}
		return strings.Join(ss, sp)
	}
	for range 1 + r.IntN(12) {
		switch r.IntN(6) {
		case 0:
			fmt.Fprintf(&md, "%s Section %d\n\n", strings.Repeat("#", 1+r.IntN(4)), r.IntN(100))
		case 1:
			for range 1 + r.IntN(4) {
				n := len(parts)
				fmt.Fprintf(&md, "- %s\n", sentences(1+r.IntN(2)))
				parts[n] = "- " + parts[n] // the marker belongs to the item's first sentence
			}
			md.WriteString("\n")
		case 2:
			md.WriteString("| Method | Time |\n|---|---|\n")
			for i := range 1 + r.IntN(6) {
				row := fmt.Sprintf("| method %d | %d days |", i, r.IntN(30))
				parts = append(parts, row)
				md.WriteString(row + "\n")
			}
			md.WriteString("\n")
		default:
			md.WriteString(sentences(1+r.IntN(6)) + "\n\n")
		}
	}
	return md.String(), parts
}

// TestSplitProperties checks, on generated articles in six languages and many sizes,
// that no passage is over MaxRunes or empty, and that every sentence and table row of the
// input is in the passages, in order: whole within one passage when it fits in MaxRunes,
// its words in order across passages when it had to be cut.
func TestSplitProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 3000 {
		langs := []string{"en", "de", "zh", "ja", "th", "ar"}
		lang := langs[i%len(langs)]
		md, parts := article(r, lang)
		opts := Options{MaxRunes: 30 + r.IntN(800), MinRunes: r.IntN(200)}
		chunks := Split(lang, "Article", md, opts)
		checkChunks(t, chunks, opts)
		checkOrder(t, chunks, parts, opts.withDefaults().MaxRunes, md)
		if again := Split(lang, "Article", md, opts); fmt.Sprint(again) != fmt.Sprint(chunks) {
			t.Fatalf("Split is not deterministic")
		}
	}
}

func checkOrder(t *testing.T, chunks []Chunk, parts []string, max int, md string) {
	t.Helper()
	var texts []string
	for _, c := range chunks {
		texts = append(texts, strings.Join(strings.Fields(c.Text), " "))
	}
	ci, at := 0, 0 // chunk and byte offset reached
	for _, p := range parts {
		p = strings.Join(strings.Fields(p), " ") // a paragraph's line breaks are spaces
		if utf8.RuneCountInString(p) > max {
			continue // checked below
		}
		found := false
		for ; ci < len(chunks); ci, at = ci+1, 0 {
			if k := strings.Index(texts[ci][at:], p); k >= 0 {
				at += k + len(p)
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("max %d: %q missing or out of order in\n%s\ninput:\n%s", max, p, dump(chunks), md)
		}
	}
	// Every word (every character in Chinese and Japanese) of the input, in order.
	var all strings.Builder
	for _, c := range chunks {
		all.WriteString(c.Text)
		all.WriteString(" ")
	}
	text := all.String()
	for _, p := range parts {
		for _, w := range strings.Fields(p) {
			for _, piece := range splitWide(w) {
				k := strings.Index(text, piece)
				if k < 0 {
					t.Fatalf("max %d: %q of %q missing in\n%s", max, piece, p, dump(chunks))
				}
				text = text[k+len(piece):]
			}
		}
	}
}

// splitWide splits a word of Chinese or Japanese into its characters, and leaves others whole.
func splitWide(w string) []string {
	if !unicode.In([]rune(w)[0], unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai) {
		return []string{w}
	}
	var out []string
	for _, r := range w {
		out = append(out, string(r))
	}
	return out
}

// TestSplitXQuAD splits the 240 Wikipedia paragraphs of XQuAD (CC BY-SA 4.0, in the
// project's development data beside the checkout) in English, Spanish, German and Chinese
// into small passages: real prose with numbers, abbreviations and names. It is skipped
// when the data is not there.
func TestSplitXQuAD(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "es", "de", "zh"} {
		raw, err := os.ReadFile("../../../shared/evaldata/retrieval/xquad/xquad." + lang + ".json")
		if err != nil {
			t.Skipf("development data not available: %v", err)
		}
		var d struct {
			Data []struct {
				Title      string
				Paragraphs []struct{ Context string }
			}
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("decode %s: %v", lang, err)
		}
		n := 0
		for _, a := range d.Data {
			for _, p := range a.Paragraphs {
				opts := Options{MaxRunes: 200, MinRunes: 50}
				chunks := Split(lang, a.Title, p.Context, opts)
				checkChunks(t, chunks, opts)
				checkOrder(t, chunks, segment.Sentences(lang, p.Context), opts.MaxRunes, p.Context)
				n += len(chunks)
			}
		}
		t.Logf("%s: %d passages", lang, n)
	}
}

func FuzzSplit(f *testing.F) {
	for _, lang := range []string{"en", "de", "es", "ar", "zh", "ja", "th"} {
		b, err := os.ReadFile("testdata/returns_" + lang + ".md")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(lang, string(b), uint16(0), uint16(0))
		f.Add(lang, string(b), uint16(40), uint16(10))
	}
	for _, s := range []string{
		"", "#", "# \n===\n---\n", "```\n", "```\n```", "~~~~\n~~~", "| a |\n|---|\n| b |",
		"a | b\n--- | ---\n1 | 2", "> > ```\n> code\n> ```", "- \n-\n1.\n1)", "e\u0301\u0301\u0301\u0301",
		"เเเเเเเเ", "\u200d\u200d\u200d", "a\x00b\xff", "\r\r\n\r", strings.Repeat("退货，", 50),
	} {
		f.Add("", s, uint16(3), uint16(1))
	}
	f.Fuzz(func(t *testing.T, lang, md string, max, min uint16) {
		opts := Options{MaxRunes: int(max % 2000), MinRunes: int(min % 2000)}
		chunks := Split(lang, "Title", md, opts)
		checkChunks(t, chunks, opts)
	})
}

var (
	sinkChunks []Chunk
	sinkFields []string
)

// BenchmarkSplit splits the help-center articles of testdata/ (English: 4.7 KB). Besides
// ns/op it reports "x-fields", the cost relative to strings.Fields over the same text,
// measured in the same run.
func BenchmarkSplit(b *testing.B) {
	for _, lang := range []string{"en", "zh", "th"} {
		md := readArticle(b, lang)
		b.Run(lang, func(b *testing.B) {
			base := baselineNs(func() { sinkFields = strings.Fields(md) })
			b.SetBytes(int64(len(md)))
			for b.Loop() {
				sinkChunks = Split(lang, "Returns", md, Options{})
			}
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perOp/base, "x-fields")
		})
	}
}

// baselineNs measures f in nanoseconds per call, over at least 50 ms. (testing.Benchmark
// cannot run inside a benchmark: it takes the same lock.)
func baselineNs(f func()) float64 {
	for n := 1; ; n *= 2 {
		start := time.Now()
		for range n {
			f()
		}
		if d := time.Since(start); d >= 50*time.Millisecond {
			return float64(d.Nanoseconds()) / float64(n)
		}
	}
}
