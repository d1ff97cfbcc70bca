package i18n

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"golang.org/x/text/language"
)

// requiredKeys are the sentences the offline engine and the web UI use.
var requiredKeys = []string{
	KeyGreeting, KeyGreetingAgain, KeyDisclosure, KeyWithDisclosure, KeyAskOrderNumber,
	KeyOrderHandoff, KeyHandoff, KeyFallbackHandoff, KeyThanksReply, KeyGoodbye,
	KeyRefundInfoHandoff, KeyCancelHandoff, KeyShippingTimeInfo, KeyPaymentIssueHandoff,
	KeyComplaintHandoff, KeyAILabel, KeyKBAnswer, KeyKBAnswerFallback,
}

func newTestCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := NewCatalog()
	if err != nil {
		t.Fatalf("NewCatalog: %v", err)
	}
	return c
}

// TestCatalogComplete checks every key in every supported locale, with the placeholders
// English has, and a text that is not the key itself.
func TestCatalogComplete(t *testing.T) {
	t.Parallel()
	c := newTestCatalog(t)
	keys := c.Keys()
	for _, k := range requiredKeys {
		if !slices.Contains(keys, k) {
			t.Errorf("catalog has no key %q", k)
		}
	}
	for _, tag := range Supported() {
		for _, key := range keys {
			text, ok := c.texts[tag][key]
			if !ok {
				t.Errorf("%s: missing %q", tag, key)
				continue
			}
			if got, want := placeholders(text), placeholders(c.texts[language.English][key]); !slices.Equal(got, want) {
				t.Errorf("%s %q: placeholders %v, English has %v", tag, key, got, want)
			}
			if out := c.Text(tag.String(), key, "A1", "B2", "C3", "D4"); out == key || strings.Contains(out, "%!") {
				t.Errorf("%s %q renders as %q", tag, key, out)
			}
		}
	}
}

// TestCatalogIsTranslated guards against a locale file that was copied from English and
// never translated: apart from the joining pattern, no text may equal the English one.
func TestCatalogIsTranslated(t *testing.T) {
	t.Parallel()
	c := newTestCatalog(t)
	en := c.texts[language.English]
	for _, tag := range Supported()[1:] {
		for key, text := range c.texts[tag] {
			if key != KeyWithDisclosure && text == en[key] {
				t.Errorf("%s %q is identical to English: %q", tag, key, text)
			}
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	c := newTestCatalog(t)
	tests := []struct {
		lang, key string
		args      []any
		contains  string
	}{
		{"en", KeyGreeting, nil, "AI assistant"},
		{"en", KeyGreeting, nil, "agent"},
		{"es", KeyAskOrderNumber, nil, "número de pedido"},
		{"es-MX", KeyAskOrderNumber, nil, "número de pedido"},
		{"pt", KeyAskOrderNumber, nil, "número do seu pedido"},
		{"pt-PT", KeyHandoff, nil, "equipe"},
		{"de-AT", KeyGreeting, nil, "Ihnen"}, // formal register
		{"fr-CA", KeyOrderHandoff, []any{"W2378156"}, "commande W2378156"},
		{"ja", KeyOrderHandoff, []any{"123456"}, "ご注文番号123456"},
		{"zh-Hant-TW", KeyAskOrderNumber, nil, "订单号"},
		{"ko", KeyAskOrderNumber, nil, "order number"},
		{"", KeyGoodbye, nil, "Thank you"},
		{"fr-CH, fr;q=0.9, en;q=0.8", KeyThanksReply, nil, "plaisir"},
		{"ar", KeyOrderHandoff, []any{"#4711"}, "#4711"},
		{"en", KeyOrderHandoff, []any{"100%-off-9876"}, "100%-off-9876"},
		{"th", KeyAILabel, nil, "AI"},
		{"en", KeyWithDisclosure, []any{"A.", "B."}, "A. B."},
		{"ja", KeyWithDisclosure, []any{"A。", "B。"}, "A。B。"},
	}
	for _, tt := range tests {
		if got := c.Text(tt.lang, tt.key, tt.args...); !strings.Contains(got, tt.contains) {
			t.Errorf("Text(%q, %q, %v) = %q, want it to contain %q", tt.lang, tt.key, tt.args, got, tt.contains)
		}
	}
	if got := c.Text("es", "no_such_key"); got != "no_such_key" {
		t.Errorf("unknown key: got %q, want the key back", got)
	}
}

// TestTextScript checks that each locale really answers in its own writing system.
func TestTextScript(t *testing.T) {
	t.Parallel()
	c := newTestCatalog(t)
	tests := []struct {
		lang   string
		script *unicode.RangeTable
	}{
		{"ar", unicode.Arabic}, {"th", unicode.Thai}, {"ja", unicode.Hiragana}, {"zh", unicode.Han},
	}
	for _, tt := range tests {
		for _, key := range requiredKeys {
			if key == KeyWithDisclosure || key == KeyAILabel {
				continue
			}
			text := c.Text(tt.lang, key, "1")
			if !strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(tt.script, r) }) {
				t.Errorf("Text(%s, %s) = %q has no letter of the locale's script", tt.lang, key, text)
			}
		}
	}
}

// TestCatalogValidation feeds broken locale sets to the loader: each must be refused with
// a message naming the problem.
func TestCatalogValidation(t *testing.T) {
	t.Parallel()
	full := func() fstest.MapFS {
		fsys := fstest.MapFS{}
		for _, tag := range Supported() {
			fsys[tag.String()+".json"] = &fstest.MapFile{Data: []byte(`{"a": "x {0}", "b": "y"}`)}
		}
		return fsys
	}
	if _, err := loadCatalog(full()); err != nil {
		t.Fatalf("a complete set was refused: %v", err)
	}
	tests := []struct {
		name   string
		change func(fstest.MapFS)
		want   string
	}{
		{"missing key", func(f fstest.MapFS) { f["de.json"].Data = []byte(`{"a": "x {0}"}`) }, `de: missing key "b"`},
		{"placeholder dropped", func(f fstest.MapFS) { f["ja.json"].Data = []byte(`{"a": "x", "b": "y"}`) }, `ja: "a" has placeholders`},
		{"extra key", func(f fstest.MapFS) { f["th.json"].Data = []byte(`{"a": "{0}", "b": "y", "c": "z"}`) }, `th: key "c"`},
		{"empty text", func(f fstest.MapFS) { f["vi.json"].Data = []byte(`{"a": "{0}", "b": " "}`) }, `vi: empty text`},
		{"missing locale", func(f fstest.MapFS) { delete(f, "id.json") }, `id: no locale file`},
		{"unsupported locale", func(f fstest.MapFS) { f["ko.json"] = &fstest.MapFile{Data: []byte(`{}`)} }, `not a supported locale`},
		{"bad json", func(f fstest.MapFS) { f["es.json"].Data = []byte(`{"a": `) }, `parse es.json`},
	}
	for _, tt := range tests {
		fsys := full()
		tt.change(fsys)
		_, err := loadCatalog(fsys)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestToPrintf(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"order {0}", "order %[1]v"},
		{"{1} then {0}", "%[2]v then %[1]v"},
		{"100% sure", "100%% sure"},
		{"{x} {}", "{x} {}"},
	}
	for _, tt := range tests {
		if got := toPrintf(tt.in); got != tt.want {
			t.Errorf("toPrintf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
