package segment

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct{ tag, want string }{
		{"pt-BR", "pt"},
		{"zh-Hant-TW", "zh"},
		{"en_GB", "en"},
		{"EN-us", "en"},
		{"es-419", "es"},
		{"iw", "he"}, // deprecated code, canonicalised
		{"in", "id"},
		{"th", "th"},
		{"en-XYZW", "en"}, // bad region, usable language
		{"und", ""},
		{"", ""},
		{"  ", ""},
		{"x-private", ""},
		{"12", ""},
	}
	for _, tt := range tests {
		if got := Language(tt.tag); got != tt.want {
			t.Errorf("Language(%q) = %q, want %q", tt.tag, got, tt.want)
		}
	}
}

// stockConfigs are the text-search configurations of stock PostgreSQL 15 (Debian
// 15.18, pg_ts_config) and of PGlite 0.5 (PostgreSQL 18.6): the same list in both.
var stockConfigs = map[string]bool{
	"arabic": true, "armenian": true, "basque": true, "catalan": true, "danish": true,
	"dutch": true, "english": true, "finnish": true, "french": true, "german": true,
	"greek": true, "hindi": true, "hungarian": true, "indonesian": true, "irish": true,
	"italian": true, "lithuanian": true, "nepali": true, "norwegian": true,
	"portuguese": true, "romanian": true, "russian": true, "serbian": true, "simple": true,
	"spanish": true, "swedish": true, "tamil": true, "turkish": true, "yiddish": true,
}

func TestFTSConfig(t *testing.T) {
	t.Parallel()
	tests := []struct{ tag, want string }{
		{"en-GB", "english"},
		{"de-AT", "german"},
		{"fr-CA", "french"},
		{"es-MX", "spanish"},
		{"pt-BR", "portuguese"},
		{"it", "italian"},
		{"nl-BE", "dutch"},
		{"ar-SA", "arabic"},
		{"id", "indonesian"},
		{"tr", "turkish"},
		{"ru", "russian"},
		{"nb-NO", "norwegian"},
		{"zh-Hans-CN", "simple"},
		{"ja", "simple"},
		{"ko", "simple"},
		{"th", "simple"},
		{"vi", "simple"},
		{"he", "simple"},
		{"fa", "simple"},
		{"ms", "simple"}, // Malay is close to Indonesian but not its stemmer
		{"pl", "simple"},
		{"", "simple"},
		{"not a tag", "simple"},
	}
	for _, tt := range tests {
		if got := FTSConfig(tt.tag); got != tt.want {
			t.Errorf("FTSConfig(%q) = %q, want %q", tt.tag, got, tt.want)
		}
	}
}

// TestFTSConfigExists guards against naming a configuration Postgres does not have: the
// query would fail with "text search configuration does not exist".
func TestFTSConfigExists(t *testing.T) {
	t.Parallel()
	for _, a := range "abcdefghijklmnopqrstuvwxyz" {
		for _, b := range "abcdefghijklmnopqrstuvwxyz" {
			tag := string(a) + string(b)
			if c := FTSConfig(tag); !stockConfigs[c] {
				t.Errorf("FTSConfig(%q) = %q, not a stock configuration", tag, c)
			}
		}
	}
}

// match emulates `to_tsvector('simple', ForIndex(...)) @@ to_tsquery('simple', ForQuery(...))`
// for the OR queries ForQuery builds: the simple configuration keeps every token as a
// lexeme, lower-cased. The Chinese, Japanese and Thai pairs below were also checked on
// PGlite (PostgreSQL 18) by hand; a database test belongs with the store.
func match(index, query string) bool {
	lexemes := strings.Fields(strings.ToLower(index))
	for _, q := range strings.Split(query, " | ") {
		prefix := strings.HasSuffix(q, ":*")
		q = strings.Trim(strings.TrimSuffix(q, ":*"), "'")
		for _, l := range lexemes {
			if l == q || (prefix && strings.HasPrefix(l, q)) {
				return true
			}
		}
	}
	return false
}

func TestFullTextMatchesUnsegmentedScripts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lang, doc, query string
		want                   bool
	}{
		{"zh question finds returns policy", "zh", "退货政策：30天内可以退货", "可以退货吗", true},
		{"zh invoice question misses returns policy", "zh", "退货政策：30天内可以退货", "发票抬头怎么修改", false},
		{"zh one character", "zh", "支持退货", "退", true},
		{"ja question finds returns policy", "ja", "返品は商品到着後30日以内に可能です。", "返品できますか", true},
		// Without leaving out "でき", "きま", "ます" the question would match any polite text.
		{"ja returns question misses shipping text", "ja", "配送には通常3日かかります。ご了承ください。", "返品できますか", false},
		{"ja katakana", "ja", "クレジットカードで支払う", "カード", true},
		{"th question finds returns policy", "th", "สามารถคืนสินค้าได้ภายใน 30 วัน", "คืนสินค้าได้ไหม", true},
		{"th returns question misses free shipping", "th", "ค่าจัดส่งฟรีเมื่อสั่งซื้อครบ 500 บาท", "คืนสินค้า", false},
		{"ko", "ko", "배송은 보통 3일 걸립니다", "배송 얼마나 걸려요", true},
		{"vi without tone marks", "vi", "Đơn hàng của bạn đang được giao", "don hang", true},
		{"vi with tone marks", "vi", "Don hang cua ban dang duoc giao", "đơn hàng", true},
		{"order number inside Chinese", "zh", "订单W2378156已发货", "w2378156", true},
		{"full-width digits", "ja", "注文番号１２３４５", "12345", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			idx, q := ForIndex(tt.lang, tt.doc), ForQuery(tt.lang, tt.query)
			if got := match(idx, q); got != tt.want {
				t.Errorf("match = %v, want %v\nindex: %q\nquery: %q", got, tt.want, idx, q)
			}
			// The raw text is one lexeme to Postgres and matches nothing.
			if tt.want && tt.lang != "vi" && tt.lang != "ko" && match(tt.doc, q) {
				t.Errorf("raw text matches too, the test shows nothing: %q", tt.doc)
			}
		})
	}
}

func TestClassifyFastPathsAgree(t *testing.T) {
	t.Parallel()
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if fast, slow := classify(r), classifySlow(r); fast != slow {
			t.Fatalf("classify(%U) = %d, classifySlow = %d", r, fast, slow)
		}
	}
}

func TestForIndex(t *testing.T) {
	t.Parallel()
	tests := []struct{ lang, text, want string }{
		{"zh", "退货政策：30天内可以退货", "退货 货政 政策 30 天内 内可 可以 以退 退货"},
		{"zh-TW", "退", "退"},
		{"ja", "ラーメン、返品", "ラー ーメ メン 返品"},
		{"th", "คืนสินค้า", "คืน นสิ สิน นค้ ค้า"}, // tone and vowel marks stay with their consonant
		{"th", "ต่างๆ", "ต่า าง"},                  // the repetition sign is not a character of a bigram
		{"vi", "Đơn hàng", "đơn don hàng hang"},
		{"pl", "Zwrot towaru", "zwrot towaru"},
		{"ko", "배송이", "배송 송이"},
		{"zh", "价格1.5元", "价格 1.5 元"},
		{"en", "Where is my order?", "Where is my order?"}, // Postgres stems it
		{"en", "ｒｅｔｕｒｎ　１２", "return 12"},                   // NFKC
		{"de", "R\x00ückgabe \xff", "Rückgabe \uFFFD"},     // what Postgres text accepts
		{"zh", "", ""},
		{"zh", "！？。", ""},
	}
	for _, tt := range tests {
		if got := ForIndex(tt.lang, tt.text); got != tt.want {
			t.Errorf("ForIndex(%q, %q) = %q, want %q", tt.lang, tt.text, got, tt.want)
		}
	}
}

func TestForQuery(t *testing.T) {
	t.Parallel()
	tests := []struct{ lang, text, want string }{
		{"en", "Where is my order #W2378156?", "'where' | 'is' | 'my' | 'order' | 'w2378156'"},
		{"en", "Is it 1.5 kg or 1,5?", "'is' | 'it' | '1.5' | 'kg' | 'or' | '1' | '5'"},
		{"de", "Rückgabe RÜCKGABE", "'rückgabe'"},
		{"en", "a' | b & !c:* <-> (d) \\ ''", "'a' | 'b' | 'c' | 'd'"},
		{"zh", "可以退货吗？", "'可以' | '以退' | '退货' | '货吗'"},
		{"zh", "退", "'退':*"},
		{"ja", "返品できますか", "'返品' | '品で'"},
		{"ja", "ですか", "'です' | 'すか'"}, // nothing else left: kana bigrams stay
		{"vi", "đơn hàng", "'đơn' | 'don' | 'hàng' | 'hang'"},
		{"en", "?!... 🙂 ---", ""},
		{"zh", "", ""},
		{"th", "ๆ", ""},
	}
	for _, tt := range tests {
		if got := ForQuery(tt.lang, tt.text); got != tt.want {
			t.Errorf("ForQuery(%q, %q) = %q, want %q", tt.lang, tt.text, got, tt.want)
		}
	}
}

func TestForQueryBoundsTerms(t *testing.T) {
	t.Parallel()
	var long strings.Builder
	for i := range 500 {
		long.WriteString("word")
		long.WriteString(strings.Repeat("x", i%7))
		long.WriteString(string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + " ")
	}
	long.WriteString(strings.Repeat("z", 5000))
	for _, lang := range []string{"en", "zh"} {
		q := ForQuery(lang, long.String())
		if n := strings.Count(q, " | ") + 1; n != maxQueryTerms {
			t.Errorf("%s: %d terms, want %d", lang, n, maxQueryTerms)
		}
		if strings.Contains(q, "zzzz") {
			t.Errorf("%s: a 5000-letter word made it into the query", lang)
		}
	}
}

// safeTerm is the only shape a ForQuery term may have: a quoted run of letters, digits and
// marks, dots only between ASCII digits, optionally a prefix match.
var safeTerm = regexp.MustCompile(`^'[\p{L}\p{N}\p{M}]+(\.[0-9]+)*'(:\*)?$`)

func checkQuery(t *testing.T, in, q string) {
	t.Helper()
	if q == "" {
		return
	}
	for term := range strings.SplitSeq(q, " | ") {
		if !safeTerm.MatchString(term) {
			t.Fatalf("ForQuery(%q) = %q: unsafe term %q", in, q, term)
		}
		if strings.HasSuffix(term, ":*") && !oneCharacter(strings.Trim(term, "':*")) {
			t.Fatalf("ForQuery(%q) = %q: prefix match on more than one character %q", in, q, term)
		}
	}
}

// oneCharacter reports a letter followed by combining marks only.
func oneCharacter(s string) bool {
	for i, r := range s {
		if (i == 0) == unicode.IsMark(r) {
			return false
		}
	}
	return s != ""
}

func FuzzForQuery(f *testing.F) {
	for _, s := range []string{
		"Where is my order #W2378156?", "可以退货吗", "返品できますか", "คืนสินค้าได้ไหม",
		"đơn hàng", "a' | b & !c:* <-> (d)", "''", "\\'", "1.5.", ".5", "5.", "x:*", "!!",
		"\xff\xfe", "a\x00b", "ๆๆ", "\u0e48\u0e48", "e\u0301\u0301", "🙂👍🏽", "ﷺ", "Ⅻ ½ ①",
	} {
		f.Add("en", s)
		f.Add("zh", s)
	}
	f.Fuzz(func(t *testing.T, lang, text string) {
		q := ForQuery(lang, text)
		checkQuery(t, text, q)
		idx := ForIndex(lang, text)
		if !utf8.ValidString(idx) || strings.IndexByte(idx, 0) >= 0 {
			t.Fatalf("ForIndex(%q, %q) = %q: not valid Postgres text", lang, text, idx)
		}
	})
}

func TestSentences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lang, text string
		want             []string
	}{
		{"en abbreviations, decimals, URL", "en",
			"Returns are free, e.g. for shoes. Refunds take 3.5 days! See www.example-shop.eu/returns. Then call Dr. Smith.",
			[]string{"Returns are free, e.g. for shoes.", "Refunds take 3.5 days!", "See www.example-shop.eu/returns.", "Then call Dr. Smith."}},
		{"en list number and quote", "en",
			`2. Open the app. Tap "Return items." Done?`,
			[]string{"2. Open the app.", `Tap "Return items."`, "Done?"}},
		{"en e-mail and question in URL", "en",
			"Write to help@example.com. Or open https://example.com/help?topic=returns. Thanks",
			[]string{"Write to help@example.com.", "Or open https://example.com/help?topic=returns.", "Thanks"}},
		{"en blank line ends a sentence", "en",
			"Free returns\n\nWe pay the label",
			[]string{"Free returns", "We pay the label"}},
		{"de z. B., ordinal, Nr.", "de",
			"Bitte senden Sie z. B. Schuhe bis zum 3. Mai zurück. Die Bestell-Nr. 12345 steht auf der Rechnung. Danke!",
			[]string{"Bitte senden Sie z. B. Schuhe bis zum 3. Mai zurück.", "Die Bestell-Nr. 12345 steht auf der Rechnung.", "Danke!"}},
		{"de inkl. MwSt.", "de",
			"Alle Preise inkl. MwSt. zzgl. Versand. Der Versand kostet ca. 5 Euro.",
			[]string{"Alle Preise inkl. MwSt. zzgl. Versand.", "Der Versand kostet ca. 5 Euro."}},
		{"es inverted marks, Sra.", "es",
			"¿Dónde está mi pedido? Lo enviamos ayer. La Sra. López lo recibirá pronto. ¡Gracias!",
			[]string{"¿Dónde está mi pedido?", "Lo enviamos ayer.", "La Sra. López lo recibirá pronto.", "¡Gracias!"}},
		{"ar question mark and comma", "ar",
			"هل يمكنني إرجاع المنتج؟ نعم، خلال 30 يومًا. الشحن مجاني.",
			[]string{"هل يمكنني إرجاع المنتج؟", "نعم، خلال 30 يومًا.", "الشحن مجاني."}},
		{"zh full-width stops", "zh",
			"退货政策：30天内可以退货。运费由买家承担！有问题吗？请联系客服。",
			[]string{"退货政策：30天内可以退货。", "运费由买家承担！", "有问题吗？", "请联系客服。"}},
		{"zh decimal", "zh", "运费是12.5元。谢谢", []string{"运费是12.5元。", "谢谢"}},
		{"ja quotes hold their stops", "ja",
			"「返品できますか？」と聞かれました。はい、できます!次にラベルを印刷します。",
			[]string{"「返品できますか？」と聞かれました。", "はい、できます!", "次にラベルを印刷します。"}},
		{"ja unbalanced quote does not stop splitting", "ja",
			"「返品について。配送について。",
			[]string{"「返品について。", "配送について。"}},
		{"th spaces between phrases", "th",
			"สามารถคืนสินค้าได้ภายใน 30 วัน หากสินค้ายังไม่ได้ใช้งาน ต่างๆ นานา ค่าส่ง iPhone ฟรี",
			[]string{"สามารถคืนสินค้าได้ภายใน 30 วัน", "หากสินค้ายังไม่ได้ใช้งาน", "ต่างๆ นานา", "ค่าส่ง iPhone ฟรี"}},
		{"hi danda", "hi", "आपका ऑर्डर भेज दिया गया है। धन्यवाद।",
			[]string{"आपका ऑर्डर भेज दिया गया है।", "धन्यवाद।"}},
		{"empty", "en", " \n\t ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Sentences(tt.lang, tt.text)
			if strings.Join(got, "\x1f") != strings.Join(tt.want, "\x1f") {
				t.Errorf("Sentences:\n got %q\nwant %q", got, tt.want)
			}
			checkRoundTrip(t, tt.text, got)
		})
	}
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// checkRoundTrip asserts that the sentences are the text, cut: nothing lost, added or
// reordered, no empty sentence, none with surrounding white space.
func checkRoundTrip(t *testing.T, text string, sentences []string) {
	t.Helper()
	for _, s := range sentences {
		if s == "" || strings.TrimSpace(s) != s {
			t.Fatalf("Sentences(%q): untrimmed or empty sentence %q", text, s)
		}
	}
	for _, s := range sentences {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			t.Fatalf("Sentences(%q): sentence %q is not valid Postgres text", text, s)
		}
	}
	if got, want := stripSpace(strings.Join(sentences, "")), stripSpace(sanitize(text)); got != want {
		t.Fatalf("Sentences(%q) joined = %q, want the text back", text, strings.Join(sentences, "|"))
	}
}

func FuzzSentences(f *testing.F) {
	for _, s := range []string{
		"Returns are free, e.g. for shoes. Refunds take 3.5 days!", "z. B. am 3. Mai.",
		"退货。运费！", "「返品？」と。", "「。", "สินค้า ฟรี ๆ ", "؟؟ . ، ..", "a.\n\n.b", "\xff.\xfe ",
		"1. 2. 3.", "...", "?!", "” ．",
	} {
		f.Add("en", s)
		f.Add("de", s)
	}
	f.Fuzz(func(t *testing.T, lang, text string) {
		checkRoundTrip(t, text, Sentences(lang, text))
	})
}
