package tracking

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzClassify feeds carrier status codes and texts, which come from carriers' APIs, to
// the default mapping: the answer is a status of the taxonomy with how it was found, and
// does not depend on case of ASCII letters or on how the text is spaced.
func FuzzClassify(f *testing.F) {
	for _, s := range [][2]string{
		{"DHL Express", "OK"}, {"DHL", "wc"}, {"UPS", "M"}, {"Kerry Express", "Delivered to recipient"},
		{"ヤマト運輸", "配達完了"}, {"", "Out for delivery"}, {"unknown", "Zugestellt"},
		{"J&T Express", "Paket sedang dikirim"}, {"", "đã giao hàng"}, {"DHL", "  "}, {"\xff", "\xfe"},
	} {
		f.Add(s[0], s[1])
	}
	r := Default()
	f.Fuzz(func(t *testing.T, carrier, raw string) {
		code, by := r.Classify(carrier, raw)
		if code != Unknown && !code.Valid() {
			t.Fatalf("Classify(%q, %q) = %q, not in the taxonomy", carrier, raw, code)
		}
		switch by {
		case "":
			if code != Unknown {
				t.Fatalf("Classify(%q, %q) = %s without saying how", carrier, raw, code)
			}
		case ByCode, ByPhrase, ByKeyword:
			if code == Unknown {
				t.Fatalf("Classify(%q, %q) = unknown, matched %s", carrier, raw, by)
			}
		default:
			t.Fatalf("Classify(%q, %q) matched by %q", carrier, raw, by)
		}
		respaced := " " + strings.ReplaceAll(raw, " ", "\t \n") + "\r\n"
		if c, b := r.Classify(carrier, respaced); c != code || b != by {
			t.Fatalf("Classify(%q, %q) = %s by %q, but %s by %q respaced as %q", carrier, raw, code, by, c, b, respaced)
		}
		if isASCII(raw) {
			if c, b := r.Classify(strings.ToUpper(carrier), strings.ToUpper(raw)); isASCII(carrier) && (c != code || b != by) {
				t.Fatalf("Classify(%q, %q) = %s by %q, but %s by %q in upper case", carrier, raw, code, by, c, b)
			}
		}
	})
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// FuzzLoad feeds carrier mapping files to Load: a refusal comes without rules and names
// the package; accepted rules have a version, load the same twice, and classify only into
// the taxonomy.
func FuzzLoad(f *testing.F) {
	data, err := os.ReadFile("carriers.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"version":"1"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Load(bytes.NewReader(data))
		if err != nil {
			if r != nil || !strings.HasPrefix(err.Error(), "tracking: ") {
				t.Fatalf("error %q came with rules, or without the package prefix", err)
			}
			return
		}
		if r.Version() == "" {
			t.Fatal("accepted a mapping without a version")
		}
		again, err := Load(bytes.NewReader(data))
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("second load differs: %v", err)
		}
		for _, raw := range []string{"OK", "delivered", "配達完了", "x"} {
			if c, _ := r.Classify("DHL", raw); c != Unknown && !c.Valid() {
				t.Fatalf("Classify(DHL, %q) = %q, not in the taxonomy", raw, c)
			}
		}
	})
}
