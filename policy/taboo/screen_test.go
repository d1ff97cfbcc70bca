package taboo

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	inRamadan  = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	outRamadan = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
)

// screenCase is one message to one market: the verdict's action, the rules that hit (in
// order), and, where it matters, the replaced text and the matched original text.
type screenCase struct {
	name     string
	market   string
	locale   string
	at       time.Time // zero: outside Ramadan
	text     string
	action   Action
	rules    []string
	wantText string   // "" : unchanged
	matches  []string // original text of the hits, when checked
}

var screenCases = []screenCase{
	// Gulf states.
	{name: "gcc pork offer en", market: "SA", locale: "en", text: "Get 20% off our pork ribs today!", action: ActionBlock, rules: []string{"gcc.pork.promo"}, matches: []string{"pork"}},
	{name: "gcc pork-free is fine", market: "SA", locale: "en", text: "Our sausages are pork-free, 20% off today!", action: ActionNone},
	{name: "gcc turkey bacon offer", market: "AE", locale: "en", text: "Turkey bacon is on sale this week.", action: ActionNone},
	{name: "gcc pork without offer", market: "AE", locale: "en", text: "This pizza contains pork, as the label says.", action: ActionNone},
	{name: "gcc pork offer ar", market: "KW", locale: "ar", text: "خصم 30٪ على لحم الخنزير هذا الأسبوع", action: ActionBlock, rules: []string{"gcc.pork.promo"}, matches: []string{"لحم الخنزير"}},
	{name: "gcc pork-free ar", market: "KW", locale: "ar", text: "جميع منتجاتنا خالي من لحم الخنزير، واستفد من خصم 10٪.", action: ActionNone},
	{name: "gcc wine offer ar", market: "QA", locale: "ar", text: "عرض خاص على النبيذ الأحمر", action: ActionBlock, rules: []string{"gcc.alcohol.promo"}},
	{name: "gcc alcohol-free perfume", market: "QA", locale: "en", text: "Our alcohol-free perfume is 15% off.", action: ActionNone},
	{name: "gcc wine red dress", market: "BH", locale: "en", text: "The wine red dress is on sale until Friday.", action: ActionNone},
	{name: "gcc full-width wine sale", market: "AE", locale: "en", text: "Ｗｉｎｅ ＳＡＬＥ ｔｏｄａｙ", action: ActionBlock, rules: []string{"gcc.alcohol.promo"}, matches: []string{"Ｗｉｎｅ"}},
	{name: "gcc offsets after ligature", market: "SA", locale: "en", text: "ﬁnd ＰＯＲＫ ribs at a special price", action: ActionBlock, rules: []string{"gcc.pork.promo"}, matches: []string{"ＰＯＲＫ"}},
	{name: "gcc thumbs up skin tone", market: "SA", locale: "en", text: "Thanks 👍🏽 see you soon", action: ActionReplace, rules: []string{"gcc.gesture.thumbs_up"}, wantText: "Thanks see you soon", matches: []string{"👍🏽"}},
	{name: "gcc thumbs up variation selector", market: "OM", locale: "ar", text: "شكراً لك 👍\uFE0F", action: ActionReplace, rules: []string{"gcc.gesture.thumbs_up"}, wantText: "شكراً لك", matches: []string{"👍\uFE0F"}},
	{name: "gcc quran on doormat", market: "SA", locale: "en", text: "This doormat with Quran calligraphy ships tomorrow.", action: ActionRewrite, rules: []string{"gcc.religion.sacred_on_products"}},
	{name: "gcc quran stand", market: "SA", locale: "en", text: "The wooden Quran stand is back in stock.", action: ActionNone},
	{name: "gcc rules not in DE", market: "DE", locale: "en", text: "Get 20% off our pork ribs today!", action: ActionNone},

	// Ramadan window (Gulf, Indonesia, Malaysia).
	{name: "ramadan beer offer id", market: "ID", locale: "id", at: inRamadan, text: "Diskon 20% untuk bir hari ini", action: ActionBlock, rules: []string{"idmy.alcohol.promo", "ramadan.alcohol.promo"}},
	{name: "outside ramadan beer offer id", market: "ID", locale: "id", at: outRamadan, text: "Diskon 20% untuk bir hari ini", action: ActionRewrite, rules: []string{"idmy.alcohol.promo"}},
	{name: "ramadan 2027", market: "MY", locale: "ms", at: time.Date(2027, 2, 20, 9, 0, 0, 0, time.UTC), text: "Tawaran istimewa: bir import murah!", action: ActionBlock, rules: []string{"idmy.alcohol.promo", "ramadan.alcohol.promo"}},
	{name: "ramadan 2028 ends", market: "MY", locale: "ms", at: time.Date(2028, 3, 5, 9, 0, 0, 0, time.UTC), text: "Tawaran istimewa: bir import murah!", action: ActionRewrite, rules: []string{"idmy.alcohol.promo"}},
	{name: "ramadan lunch deal gcc", market: "AE", locale: "en", at: inRamadan, text: "Try our lunch deal at any branch.", action: ActionRewrite, rules: []string{"ramadan.food.daytime"}},
	{name: "lunch deal outside ramadan", market: "AE", locale: "en", at: outRamadan, text: "Try our lunch deal at any branch.", action: ActionNone},
	{name: "ramadan makan siang", market: "ID", locale: "id", at: inRamadan, text: "Ada promo makan siang di semua cabang.", action: ActionRewrite, rules: []string{"ramadan.food.daytime"}},

	// Indonesia and Malaysia.
	{name: "id pork offer", market: "ID", locale: "id", text: "Promo daging babi panggang, beli 2 gratis 1!", action: ActionRewrite, rules: []string{"idmy.pork.promo"}, matches: []string{"daging babi"}},
	{name: "id tanpa babi", market: "ID", locale: "id", text: "Semua produk kami tanpa babi, diskon 10% hari ini.", action: ActionNone},
	{name: "id bir pletok", market: "ID", locale: "id", text: "Promo bir pletok khas Betawi, beli 2 lebih murah.", action: ActionNone},
	{name: "my khinzir offer", market: "MY", locale: "ms", text: "Jualan murah daging khinzir minggu ini.", action: ActionRewrite, rules: []string{"idmy.pork.promo"}},
	{name: "my bebas khinzir", market: "MY", locale: "ms", text: "Produk ini bebas khinzir dan ada promosi minggu ini.", action: ActionNone},
	{name: "id parcel status", market: "ID", locale: "id", text: "Paket Anda sudah dikirim dan tiba besok.", action: ActionNone},

	// Thailand.
	{name: "th monarchy no spaces", market: "TH", locale: "th", text: "สินค้านี้เหมาะกับในหลวงมาก", action: ActionBlock, rules: []string{"th.monarchy"}, matches: []string{"ในหลวง"}},
	{name: "th luang prabang", market: "TH", locale: "th", text: "เราส่งสินค้าไปในหลวงพระบางได้", action: ActionNone},
	{name: "th monarchy en", market: "TH", locale: "en", text: "Like the Thai royal family, we value tradition.", action: ActionBlock, rules: []string{"th.monarchy"}},
	{name: "th king size bed", market: "TH", locale: "en", text: "The king-size bed frame ships in two boxes.", action: ActionNone},
	{name: "th buddha decor", market: "TH", locale: "en", text: "Our Buddha heads make great home decor!", action: ActionRewrite, rules: []string{"th.religion.buddha_decor"}},
	{name: "th buddha decor th", market: "TH", locale: "th", text: "พระพุทธรูปสำหรับตกแต่งบ้าน ลดราคา 20%", action: ActionRewrite, rules: []string{"th.religion.buddha_decor"}},
	{name: "th parcel", market: "TH", locale: "th", text: "พัสดุของคุณจะถึงภายในวันพรุ่งนี้ค่ะ", action: ActionNone},

	// Japan.
	{name: "jp 4 piece gift", market: "JP", locale: "ja", text: "お祝いのギフトに4点セットはいかがですか。", action: ActionRewrite, rules: []string{"jp.numbers.gift_sets"}, matches: []string{"4点セット"}},
	{name: "jp full-width 9", market: "JP", locale: "ja", text: "お見舞いには９個入りの詰め合わせがおすすめです。", action: ActionRewrite, rules: []string{"jp.numbers.gift_sets"}, matches: []string{"９個入り"}},
	{name: "jp 4 piece not a gift", market: "JP", locale: "ja", text: "フライパン4点セットは明日発送します。", action: ActionNone},
	{name: "jp 5 piece gift", market: "JP", locale: "ja", text: "ギフトに5点セットはいかがですか。", action: ActionNone},
	{name: "jp 14 piece gift", market: "JP", locale: "ja", text: "ギフト用の14個入りです。", action: ActionNone},
	{name: "jp en 4-piece gift", market: "JP", locale: "en", text: "A 4-piece gift set is available.", action: ActionRewrite, rules: []string{"jp.numbers.gift_sets"}, matches: []string{"4-piece"}},
	{name: "jp casual ending", market: "JP", locale: "ja", text: "明日届くよ。楽しみにしてね！", action: ActionRewrite, rules: []string{"ja.register.casual"}},
	{name: "jp casual da yo", market: "JP", locale: "ja", text: "在庫はあるんだよ。", action: ActionRewrite, rules: []string{"ja.register.casual"}},
	{name: "jp polite", market: "JP", locale: "ja", text: "ご注文ありがとうございます。明日お届けいたします。", action: ActionNone},
	// The agent's own confirmation question: "してよろしいですか" is not "してよ".
	{name: "jp polite confirmation", market: "JP", locale: "ja", text: "ご注文JP-10001をキャンセルしてよろしいですか？", action: ActionNone},
	{name: "jp casual shite yo", market: "JP", locale: "ja", text: "早く確認してよ。", action: ActionRewrite, rules: []string{"ja.register.casual"}},

	// China.
	{name: "cn 4 gift box", market: "CN", locale: "zh", text: "这款4件装礼盒很适合送礼", action: ActionRewrite, rules: []string{"cn.numbers.gift_sets"}, matches: []string{"4件装"}},
	{name: "cn bedding set", market: "CN", locale: "zh", text: "四件套床上用品明天发货。", action: ActionNone},
	{name: "cn white gift wrap", market: "CN", locale: "zh", text: "我们可以用白色包装纸为您包装礼物。", action: ActionRewrite, rules: []string{"cn.colours.gift_wrap"}},
	{name: "cn white gift wrap en", market: "CN", locale: "en", text: "We can add a Black Ribbon to your order.", action: ActionRewrite, rules: []string{"cn.colours.gift_wrap"}, matches: []string{"Black Ribbon"}},
	{name: "cn red gift wrap", market: "CN", locale: "zh", text: "我们可以用红色包装纸为您包装礼物。", action: ActionNone},
	{name: "cn clock gift", market: "CN", locale: "zh", text: "送钟给长辈是不错的选择。", action: ActionRewrite, rules: []string{"cn.gifts.clock"}},
	{name: "cn taiwan roc address", market: "CN", locale: "en", text: "Ship to Taiwan (ROC) in 5 days.", action: ActionReplace, rules: []string{"cn.place_names.taiwan_address"}, wantText: "Ship to Taiwan, China in 5 days.", matches: []string{"Taiwan (ROC)"}},
	{name: "cn taiwan roc zh", market: "CN", locale: "zh", text: "寄往中华民国（台湾）需要五天。", action: ActionReplace, rules: []string{"cn.place_names.taiwan_address"}, wantText: "寄往中国台湾需要五天。"},
	{name: "cn taiwan country", market: "CN", locale: "en", text: "Taiwan is a country we ship to weekly.", action: ActionRewrite, rules: []string{"cn.place_names.taiwan_country"}},
	{name: "cn republic of china", market: "CN", locale: "en", text: "Orders from the Republic of China take longer.", action: ActionRewrite, rules: []string{"cn.place_names.taiwan_country"}},
	{name: "cn prc is fine", market: "CN", locale: "en", text: "We ship across the People's Republic of China.", action: ActionNone},
	{name: "cn taiwanese customers", market: "CN", locale: "en", text: "Our Taiwanese customers love it.", action: ActionNone},
	{name: "taiwan roc outside cn", market: "US", locale: "en", text: "Ship to Taiwan (ROC) in 5 days.", action: ActionNone},

	// India.
	{name: "in kashmir wording", market: "IN", locale: "en", text: "We do not deliver to Indian-administered Kashmir yet.", action: ActionRewrite, rules: []string{"in.place_names.kashmir"}},
	{name: "in kashmir hi", market: "IN", locale: "hi", text: "हम आज़ाद कश्मीर में डिलीवरी नहीं करते।", action: ActionRewrite, rules: []string{"in.place_names.kashmir"}},
	{name: "in jammu and kashmir", market: "IN", locale: "en", text: "We deliver to Jammu and Kashmir and Ladakh in 7 days.", action: ActionNone},
	{name: "in beef offer", market: "IN", locale: "en", text: "Beef jerky is 25% off this weekend!", action: ActionRewrite, rules: []string{"in.food.beef_promo"}},
	{name: "in beef offer hi", market: "IN", locale: "hi", text: "बीफ़ पर 25% की छूट!", action: ActionRewrite, rules: []string{"in.food.beef_promo"}},
	{name: "in no beef", market: "IN", locale: "en", text: "All snacks are vegetarian, no beef, and 25% off.", action: ActionNone},
	{name: "in ganesh doormat", market: "IN", locale: "en", text: "The Ganesha doormat is back in stock.", action: ActionRewrite, rules: []string{"in.religion.deity_products"}},
	{name: "in ganesh idol", market: "IN", locale: "en", text: "The brass Ganesha idol is back in stock.", action: ActionNone},

	// European Union and German register.
	{name: "eu slogan", market: "DE", locale: "de", text: "Jedem das Seine: Ihr Rabatt wartet!", action: ActionBlock, rules: []string{"eu.history.nazi_slogans"}},
	{name: "eu slogan case fold", market: "AT", locale: "de", text: "MEINE EHRE HEISST TREUE", action: ActionBlock, rules: []string{"eu.history.nazi_slogans"}},
	{name: "de du forms", market: "DE", locale: "de", text: "Kannst du mir deine Bestellnummer geben?", action: ActionRewrite, rules: []string{"de.register.du", "de.register.du"}, matches: []string{"du", "deine"}},
	{name: "de Du capitalised", market: "CH", locale: "de-CH", text: "Danke für Deine Nachricht!", action: ActionRewrite, rules: []string{"de.register.du"}},
	{name: "de Sie", market: "DE", locale: "de", text: "Können Sie mir Ihre Bestellnummer geben? Wir liefern nach Dubai durch DHL, direkt.", action: ActionNone},
	{name: "de register not for en", market: "DE", locale: "en", text: "Do you need the dir command?", action: ActionNone},

	// Latin America.
	{name: "mx coger", market: "MX", locale: "es-MX", text: "Puede coger su paquete en la tienda.", action: ActionRewrite, rules: []string{"latam.language.coger"}},
	{name: "mx recoger", market: "MX", locale: "es-MX", text: "Puede recoger su paquete en la tienda.", action: ActionNone},
	{name: "es coger in spain", market: "ES", locale: "es", text: "Puede coger su paquete en la tienda.", action: ActionNone},
	{name: "ar cogió", market: "AR", locale: "es-AR", text: "El repartidor cogió el paquete ayer.", action: ActionRewrite, rules: []string{"latam.language.coger"}},
	{name: "br ok hand", market: "BR", locale: "pt-BR", text: "Tudo certo 👌🏾 seu pedido chegou.", action: ActionReplace, rules: []string{"latam.gesture.ok_br"}, wantText: "Tudo certo seu pedido chegou."},
	{name: "mx ok hand fine", market: "MX", locale: "es-MX", text: "Todo listo 👌", action: ActionNone},
	{name: "br rapariga", market: "BR", locale: "pt-BR", text: "A rapariga da loja vai ajudar.", action: ActionRewrite, rules: []string{"latam.language.pt_false_friends"}},
	{name: "br pedido", market: "BR", locale: "pt-BR", text: "Seu pedido foi enviado e chega amanhã.", action: ActionNone},
	{name: "tr ok hand", market: "TR", locale: "tr", text: "Siparişiniz hazır 👌", action: ActionReplace, rules: []string{"tr.gesture.ok"}, wantText: "Siparişiniz hazır"},

	// Arabic register and every market.
	{name: "ar endearment", market: "EG", locale: "ar", text: "أهلاً حبيبي، طلبك في الطريق.", action: ActionRewrite, rules: []string{"ar.register.endearment"}},
	{name: "ar formal", market: "EG", locale: "ar", text: "أهلاً بحضرتك، طلبك في الطريق.", action: ActionNone},
	{name: "global middle finger", market: "US", locale: "en", text: "Oops 🖕 sorry", action: ActionReplace, rules: []string{"global.gesture.middle_finger"}, wantText: "Oops sorry"},
}

func TestScreen(t *testing.T) {
	s := Default()
	for _, c := range screenCases {
		t.Run(c.name, func(t *testing.T) {
			at := c.at
			if at.IsZero() {
				at = outRamadan
			}
			v := s.Screen(c.text, Context{Market: c.market, Locale: c.locale, At: at})
			var rules []string
			for _, h := range v.Hits {
				rules = append(rules, h.RuleID)
				if c.text[h.Start:h.End] != h.Match || h.Match == "" {
					t.Errorf("hit %s: text[%d:%d] = %q, Match %q", h.RuleID, h.Start, h.End, c.text[h.Start:h.End], h.Match)
				}
			}
			slices.Sort(rules)
			want := slices.Sorted(slices.Values(c.rules))
			if v.Action != c.action || !slices.Equal(rules, want) {
				t.Fatalf("Screen(%q, %s/%s) = %s %v, want %s %v", c.text, c.market, c.locale, v.Action, rules, c.action, want)
			}
			wantText := c.text
			if c.wantText != "" {
				wantText = c.wantText
			}
			if v.Text != wantText {
				t.Errorf("Text = %q, want %q", v.Text, wantText)
			}
			if c.matches != nil {
				var got []string
				for _, h := range v.Hits {
					got = append(got, h.Match)
				}
				if !slices.Equal(got, c.matches) {
					t.Errorf("matches = %q, want %q", got, c.matches)
				}
			}
		})
	}
}

func TestObserverEvents(t *testing.T) {
	var events []Event
	s := Default().WithObserver(func(e Event) { events = append(events, e) })
	at := outRamadan
	v := s.Screen("Kannst du mir deine Bestellnummer geben?", Context{Market: "de", Locale: "de-DE", At: at})
	if len(events) != len(v.Hits) || len(events) != 2 {
		t.Fatalf("events = %d, hits = %d, want 2 each", len(events), len(v.Hits))
	}
	for _, e := range events {
		if e.RuleID != "de.register.du" || e.Pack != "de-register" || e.PackVersion == "" ||
			e.Category != "register" || e.Action != ActionRewrite || e.Market != "DE" || !e.At.Equal(at) {
			t.Errorf("event = %+v", e)
		}
	}
	if Default().Screen("du", Context{Locale: "de"}).Action != ActionRewrite {
		t.Error("Default() screener lost its rules after WithObserver")
	}
	events = nil
	s.Screen("Können Sie mir helfen?", Context{Market: "DE", Locale: "de", At: at})
	if len(events) != 0 {
		t.Errorf("events without hits: %+v", events)
	}
}

func TestDefaultPacks(t *testing.T) {
	packs := Default().Packs()
	byID := map[string]Pack{}
	for _, p := range packs {
		byID[p.ID] = p
		if p.Version == "" || p.Name == "" || len(p.Rules) == 0 {
			t.Errorf("pack %s: version %q, name %q, %d rules", p.ID, p.Version, p.Name, len(p.Rules))
		}
	}
	for id, markets := range map[string][]string{
		"gcc": {"SA", "AE", "QA", "KW", "BH", "OM"}, "idmy": {"ID", "MY"}, "th": {"TH"}, "jp": {"JP"},
		"cn": {"CN"}, "in": {"IN"}, "eu": {"DE", "FR", "PL"}, "latam": {"MX", "BR", "AR"},
		"ramadan": {"SA", "ID", "MY"},
	} {
		p, ok := byID[id]
		if !ok {
			t.Errorf("pack %s missing", id)
			continue
		}
		for _, m := range markets {
			if !slices.Contains(p.Markets, m) {
				t.Errorf("pack %s does not cover %s", id, m)
			}
		}
	}
	if w := byID["ramadan"].Windows; len(w) != 3 || w[0].From.Year() != 2026 || w[2].To.Year() != 2028 {
		t.Errorf("ramadan windows = %+v, want one per year 2026-2028", w)
	}
	if err := Validate(embedded); err != nil {
		t.Fatal(err)
	}
}

// The matcher's view of word characters must agree with knowledge/segment's, whose
// tokeniser is the project's reference: a run of three dense characters becomes two
// bigrams there, a run of three word characters one word.
func TestScriptClassesAgreeWithSegment(t *testing.T) {
	for _, r := range "aé9жبअกขไ漢かカ한〇๕ー-,!%🙂" {
		three := strings.Repeat(string(r), 3)
		out := segmentIndex(three)
		switch {
		case dense(r):
			if want := strings.Repeat(string(r), 2) + " " + strings.Repeat(string(r), 2); out != want {
				t.Errorf("%q: dense here, segment gives %q", r, out)
			}
		case wordRune(r):
			// (segment adds a form without diacritics after the word: "ééé eee")
			if first, _, _ := strings.Cut(out, " "); first != three {
				t.Errorf("%q: word character here, segment gives %q", r, out)
			}
		default:
			if out != "" {
				t.Errorf("%q: separator here, segment gives %q", r, out)
			}
		}
	}
}

// TestScreenConcurrent screens from several goroutines at once (run with -race): the
// verdicts must be those of TestScreen.
func TestScreenConcurrent(t *testing.T) {
	s := Default()
	errs := make(chan string, 4*len(screenCases))
	done := make(chan bool)
	for range 4 {
		go func() {
			for _, c := range screenCases {
				at := c.at
				if at.IsZero() {
					at = outRamadan
				}
				if v := s.Screen(c.text, Context{Market: c.market, Locale: c.locale, At: at}); v.Action != c.action {
					errs <- c.name
				}
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
	close(errs)
	for name := range errs {
		t.Errorf("%s: different verdict when screened concurrently", name)
	}
}
