package screen

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type sample struct {
	lang, text string
}

// loadSet reads a testdata file of "language<TAB>message" lines; "#" starts
// a comment line and a literal \n in a message stands for a newline.
func loadSet(t *testing.T, name string) []sample {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lang, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s: line without a tab: %q", name, line)
		}
		out = append(out, sample{lang, strings.ReplaceAll(text, `\n`, "\n")})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return out
}

// rate is a count of hits over a total.
type rate struct{ hit, n int }

func (r rate) value() float64 {
	if r.n == 0 {
		return 0
	}
	return float64(r.hit) / float64(r.n)
}

// flagged runs Screen over a set and returns the overall and per-language
// rates of Injection, plus the texts on the unexpected side.
func flagged(set []sample, want bool) (rate, map[string]*rate, []string) {
	var all rate
	per := map[string]*rate{}
	var wrong []string
	for _, s := range set {
		v := Screen(s.text)
		if per[s.lang] == nil {
			per[s.lang] = &rate{}
		}
		all.n++
		per[s.lang].n++
		if v.Injection {
			all.hit++
			per[s.lang].hit++
		}
		if v.Injection != want {
			wrong = append(wrong, s.lang+": "+s.text)
		}
	}
	return all, per, wrong
}

func logPerLang(t *testing.T, what string, per map[string]*rate) {
	t.Helper()
	langs := make([]string, 0, len(per))
	for l := range per {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	var b strings.Builder
	for _, l := range langs {
		b.WriteString(l + "=" + strings.TrimRight(strings.TrimRight(ftoa(per[l].value()), "0"), ".") + " ")
	}
	t.Logf("%s per language: %s", what, b.String())
}

func ftoa(f float64) string {
	s := []byte("0.000")
	n := int(f*1000 + 0.5)
	if n >= 1000 {
		return "1"
	}
	s[2] = byte('0' + n/100)
	s[3] = byte('0' + n/10%10)
	s[4] = byte('0' + n%10)
	return string(s)
}

// TestMeasured measures precision, recall and false-positive rates on the
// project's sets. Floors are set a little under what was measured when the
// rules were frozen. The tuning figures only show the rules still do what
// they were tuned to do; the held-out figures are the estimate, and they
// are low for paraphrased attacks outside English: that is the honest
// limit of a keyword screen, and why tools enforce identity regardless.
func TestMeasured(t *testing.T) {
	for _, split := range []struct {
		name          string
		inj, ben      string
		minRecall     float64
		maxFPR        float64
		minPrecision  float64
		allLangRecall float64
	}{
		// measured at freeze (rules v3): recall 0.998, FPR 0, precision 1
		{"tune", "injection_tune.tsv injection_tune2.tsv injection_tune3.tsv", "benign_tune.tsv benign_tune2.tsv benign_tune3.tsv", 0.99, 0.005, 0.99, 0.95},
		// measured at freeze (rules v3): recall 0.351, FPR 0, precision 1, lowest language 0.2 (fr)
		{"heldout", "injection_heldout.tsv", "benign_heldout.tsv", 0.30, 0.02, 0.95, 0.15},
	} {
		t.Run(split.name, func(t *testing.T) {
			var inj, ben []sample
			for _, n := range strings.Fields(split.inj) {
				inj = append(inj, loadSet(t, n)...)
			}
			for _, n := range strings.Fields(split.ben) {
				ben = append(ben, loadSet(t, n)...)
			}
			tp, perInj, missed := flagged(inj, true)
			fp, perBen, falseHits := flagged(ben, false)
			recall := tp.value()
			fpr := fp.value()
			precision := float64(tp.hit) / float64(max(1, tp.hit+fp.hit))
			t.Logf("%s: injection n=%d recall=%.3f; hard negatives n=%d FPR=%.3f; precision=%.3f", split.name, tp.n, recall, fp.n, fpr, precision)
			logPerLang(t, split.name+" recall", perInj)
			logPerLang(t, split.name+" hard-negative FPR", perBen)
			for _, m := range missed {
				t.Logf("missed: %s", m)
			}
			for _, m := range falseHits {
				t.Logf("false positive: %s", m)
			}
			if recall < split.minRecall {
				t.Errorf("recall %.3f < floor %.2f", recall, split.minRecall)
			}
			if fpr > split.maxFPR {
				t.Errorf("hard-negative FPR %.3f > ceiling %.2f", fpr, split.maxFPR)
			}
			if precision < split.minPrecision {
				t.Errorf("precision %.3f < floor %.2f", precision, split.minPrecision)
			}
			for l, r := range perInj {
				if r.value() < split.allLangRecall {
					t.Errorf("recall for %s %.3f < floor %.2f", l, r.value(), split.allLangRecall)
				}
			}
			// Hard negatives include angry complaints: none of them is abuse.
			for _, s := range ben {
				if v := Screen(s.text); v.Abuse {
					t.Errorf("abuse flagged on benign %s message %q: %v", s.lang, s.text, v.Reasons)
				}
			}
		})
	}
}

// TestBitextFalsePositives measures the injection false-positive rate on
// 2,257 real English e-commerce customer messages (Bitext, CDLA-Sharing-1.0),
// and abuse hits on its messages tagged offensive (W) and on the others.
func TestBitextFalsePositives(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "evaldata", "intents", "bitext_dev.csv")
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("bitext_dev.csv not present beside the checkout")
	}
	if err != nil {
		t.Fatalf("open bitext: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read bitext: %v", err)
	}
	col := slices.Index(rows[0], "instruction")
	tags := slices.Index(rows[0], "tags")
	if col < 0 || tags < 0 {
		t.Fatalf("bitext header without instruction/tags: %v", rows[0])
	}
	var inj, abuseW, abuseOther rate
	for _, r := range rows[1:] {
		v := Screen(r[col])
		inj.n++
		if v.Injection {
			inj.hit++
			t.Logf("injection false positive: %q %v", r[col], v.Reasons)
		}
		offensive := strings.Contains(r[tags], "W")
		a := &abuseOther
		if offensive {
			a = &abuseW
		}
		a.n++
		if v.Abuse {
			a.hit++
			if !offensive {
				t.Logf("abuse on a message not tagged offensive: %q", r[col])
			}
		}
	}
	t.Logf("bitext: n=%d injection FPR=%.4f; abuse on W-tagged %d/%d, on others %d/%d (%.4f)",
		inj.n, inj.value(), abuseW.hit, abuseW.n, abuseOther.hit, abuseOther.n, abuseOther.value())
	if inj.value() > 0.002 {
		t.Errorf("bitext injection FPR %.4f > 0.002", inj.value())
	}
	if abuseOther.value() > 0.005 {
		t.Errorf("bitext abuse rate on non-offensive messages %.4f > 0.005", abuseOther.value())
	}
}
