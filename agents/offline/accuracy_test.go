package offline

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// heldOutCase is one line of testdata/heldout.tsv.
type heldOutCase struct{ lang, intent, text, batch string }

// loadHeldOut reads testdata/heldout.tsv: customer messages in the 11 languages, written
// after the exemplars and rules, in batches (the batch names, in file order).
func loadHeldOut(tb testing.TB) (cases []heldOutCase, batches []string) {
	tb.Helper()
	f, err := os.Open("testdata/heldout.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	batch := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "# batch: "); ok {
			batch, _, _ = strings.Cut(name, " ")
			batches = append(batches, batch)
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 {
			tb.Fatalf("heldout.tsv: bad line %q", line)
		}
		cases = append(cases, heldOutCase{lang: cols[0], intent: cols[1], text: cols[2], batch: batch})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return cases, batches
}

// loadBitext reads the Bitext dev set's utterances and intents; it skips the test when the
// shared evaluation data is not beside the checkout.
func loadBitext(tb testing.TB) (texts, intents []string) {
	tb.Helper()
	f, err := os.Open(bitextPath)
	if errors.Is(err, os.ErrNotExist) {
		tb.Skipf("Bitext dev set not found at %s (it lives beside the checkout, see the evaldata README); skipping", bitextPath)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		tb.Fatal(err)
	}
	col := func(name string) int {
		i := slices.Index(header, name)
		if i < 0 {
			tb.Fatalf("bitext: no column %q in %v", name, header)
		}
		return i
	}
	textCol, intentCol := col("instruction"), col("intent")
	known := Intents()
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return texts, intents
		}
		if err != nil {
			tb.Fatal(err)
		}
		want := rec[intentCol]
		if !slices.Contains(known, want) {
			tb.Errorf("bitext intent %q is not one of Intents()", want)
			want = IntentUnknown
		}
		texts, intents = append(texts, rec[textCol]), append(intents, want)
	}
}

// BenchmarkIntentAccuracy reports the offline engine's intent accuracy and macro-F1 on the
// Bitext dev set (English, 27 intents; the set the exemplars were tuned on) and on the
// held-out multilingual set (11 languages), so that `go tool task bench` prints them next
// to the speed figures. ns/op is one message of the two sets, analysed in turn; the
// accuracies come from one full pass over both after the timed loop. The baseline of the
// same run is the majority class — always answering Bitext's most frequent intent — and
// "x-majority" is how many times its accuracy the engine's is.
func BenchmarkIntentAccuracy(b *testing.B) {
	e, _ := newTestEngine(b)
	texts, gold := loadBitext(b)
	held, _ := loadHeldOut(b)
	var heldText, heldGold []string
	for _, hc := range held {
		heldText, heldGold = append(heldText, hc.text), append(heldGold, hc.intent)
	}
	all := append(slices.Clone(texts), heldText...)
	i := 0
	for b.Loop() {
		sink += len(e.Analyze(all[i%len(all)], "").Intent)
		i++
	}
	b.StopTimer()
	run := func(texts []string) []string {
		pred := make([]string, len(texts))
		for i, t := range texts {
			pred[i] = e.Analyze(t, "").Intent
		}
		return pred
	}
	pred, heldPred := run(texts), run(heldText)
	acc := accuracy(gold, pred)
	b.ReportMetric(acc, "bitext-accuracy")
	b.ReportMetric(macroF1(gold, pred), "bitext-macroF1")
	b.ReportMetric(accuracy(heldGold, heldPred), "heldout-accuracy")
	b.ReportMetric(macroF1(heldGold, heldPred), "heldout-macroF1")
	if m := majorityAccuracy(gold); m > 0 {
		b.ReportMetric(acc/m, "x-majority")
	}
}

// majorityAccuracy is the accuracy of always answering the most frequent label.
func majorityAccuracy(gold []string) float64 {
	counts := map[string]int{}
	best := 0
	for _, g := range gold {
		counts[g]++
		best = max(best, counts[g])
	}
	if len(gold) == 0 {
		return 0
	}
	return float64(best) / float64(len(gold))
}
