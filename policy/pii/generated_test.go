package pii

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var sentenceTemplates = []string{
	"Meine Kartennummer ist %s, bitte buchen Sie ab.",
	"Please refund to %s as soon as possible.",
	"Mi número es %s y el pedido 10001 no llegó.",
	"رقم الحساب %s شكرا لك",
	"หมายเลข %s ครับ ขอบคุณ",
	"番号は%sです。よろしくお願いします。",
	"我的号码是%s，谢谢。",
	"Pode usar %s? Obrigado.",
	"%s",
	"Je vous envoie %s.\nCordialement",
}

var digitScripts = []rune{'0', 0x660, 0x6F0, 0xE50, 0xFF10}

// transliterate writes the ASCII digits of s in the script whose zero is z.
func transliterate(s string, z rune) string {
	if z == '0' {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isDigit(r) {
			return z + (r - '0')
		}
		return r
	}, s)
}

func randDigits(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.IntN(10))
	}
	return b
}

var cardPrefixes = []struct {
	prefix  string
	lengths []int
}{
	{"4", []int{13, 16, 19}}, {"51", []int{16}}, {"55", []int{16}}, {"2221", []int{16}}, {"2720", []int{16}},
	{"34", []int{15}}, {"37", []int{15}}, {"6011", []int{16, 19}}, {"65", []int{16}}, {"3528", []int{16}},
	{"3589", []int{19}}, {"62", []int{16, 19}}, {"50", []int{16, 18}}, {"58", []int{13}}, {"36", []int{14}},
	{"2200", []int{16}},
}

// randCard returns a Luhn-valid card number in a random brand and grouping.
func randCard(rng *rand.Rand) string {
	p := cardPrefixes[rng.IntN(len(cardPrefixes))]
	n := p.lengths[rng.IntN(len(p.lengths))]
	d := append([]byte(p.prefix), randDigits(rng, n-len(p.prefix))...)
	for c := byte('0'); c <= '9'; c++ {
		d[n-1] = c
		if luhn(string(d)) {
			break
		}
	}
	s := string(d)
	sep := []string{"", " ", "-"}[rng.IntN(3)]
	if sep == "" {
		return s
	}
	sizes := []int{4, 4, 4, 4, 4}
	if n == 15 {
		sizes = []int{4, 6, 5}
	}
	var parts []string
	for i, k := 0, 0; i < n; k++ {
		j := min(n, i+sizes[k])
		parts = append(parts, s[i:j])
		i = j
	}
	return strings.Join(parts, sep)
}

// lettered BBANs start with a four-letter bank code.
var letteredBBAN = map[string]bool{"GB": true, "NL": true, "IE": true, "MT": true, "BG": true, "RO": true}

func randIBAN(rng *rand.Rand, countries []string) string {
	cc := countries[rng.IntN(len(countries))]
	bban := randDigits(rng, ibanLengths[cc]-4)
	if letteredBBAN[cc] {
		for i := range 4 {
			bban[i] = byte('A' + rng.IntN(26))
		}
	}
	rem := 0
	for _, c := range string(bban) + cc + "00" {
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A') + 10) % 97
		}
	}
	s := fmt.Sprintf("%s%02d%s", cc, 98-rem, bban)
	if rng.IntN(2) == 0 {
		var parts []string
		for i := 0; i < len(s); i += 4 {
			parts = append(parts, s[i:min(len(s), i+4)])
		}
		s = strings.Join(parts, " ")
	}
	if rng.IntN(5) == 0 {
		s = strings.ToLower(s)
	}
	return s
}

// TestGeneratedRecall embeds 10,000 random valid cards and 10,000 random valid
// IBANs in sentences of several languages and scripts and requires that
// at least 99.9% of each are redacted exactly.
func TestGeneratedRecall(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	countries := make([]string, 0, len(ibanLengths))
	for cc := range ibanLengths {
		countries = append(countries, cc)
	}
	slices.Sort(countries)
	const n = 10000
	for _, kind := range []Kind{KindCard, KindIBAN} {
		hits := 0
		var misses []string
		for range n {
			var v string
			if kind == KindCard {
				v = transliterate(randCard(rng), digitScripts[rng.IntN(len(digitScripts))])
			} else {
				v = randIBAN(rng, countries)
			}
			tpl := sentenceTemplates[rng.IntN(len(sentenceTemplates))]
			text := fmt.Sprintf(tpl, v)
			at := strings.Index(text, v)
			ok := false
			for _, s := range Detect(text, Options{Regions: []string{"DE", "US"}}) {
				if s.Kind == kind && s.Start == at && s.End == at+len(v) {
					ok = true
				}
			}
			if ok {
				hits++
			} else if len(misses) < 5 {
				misses = append(misses, text)
			}
		}
		recall := float64(hits) / n
		t.Logf("%s recall on %d generated cases: %.4f", kind, n, recall)
		if recall < 0.999 {
			t.Errorf("%s recall %.4f < 0.999; e.g. %q", kind, recall, misses)
		}
	}
}

// TestBenignFalsePositives runs the Bitext customer-service corpus (real
// customer requests and agent replies, none with real card numbers, IBANs
// or IDs) through Detect with every market's regions enabled.
func TestBenignFalsePositives(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "evaldata", "intents", "bitext_dev.csv")
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("bitext_dev.csv not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatalf("read header: %v", err)
	}
	cols := []int{slices.Index(header, "instruction"), slices.Index(header, "response")}
	opts := Options{Regions: []string{"US", "DE", "BR", "SA", "TH", "ID", "MY", "IN", "NL", "SE", "MX"}}
	texts, flagged, phones := 0, 0, 0
	var examples []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		for _, c := range cols {
			texts++
			for _, s := range Detect(rec[c], opts) {
				if s.Kind == KindPhone {
					phones++
					continue
				}
				if s.Kind == KindEmail {
					continue
				}
				flagged++
				if len(examples) < 5 {
					examples = append(examples, string(s.Kind)+"/"+s.Scheme+": "+rec[c][s.Start:s.End])
				}
			}
		}
	}
	rate := float64(flagged) / float64(texts)
	t.Logf("benign texts %d: card/IBAN/ID false positives %d (%.5f per text), phones flagged %d; %q",
		texts, flagged, rate, phones, examples)
	if rate > 0.0005 {
		t.Errorf("false-positive rate %.5f > 0.0005: %q", rate, examples)
	}
}
