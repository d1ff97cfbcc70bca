package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/knowledge"
)

// benchRows is how many records one benchmark iteration reads.
const benchRows = 1000

// benchBodies are FAQ answers in a few languages, about 600 bytes each once repeated.
var benchBodies = []string{
	"Standard delivery takes 3-5 business days. Express delivery arrives the next business day if you order before 2 pm.\nYou get a tracking link by e-mail.",
	"La entrega estándar tarda de 3 a 5 días hábiles. El envío exprés llega al día hábil siguiente si pides antes de las 14 h.\nRecibirás el enlace de seguimiento por correo.",
	"Die Standardlieferung dauert 2-4 Werktage. Bei Expressversand kommt die Bestellung am nächsten Werktag, wenn Sie vor 14 Uhr bestellen.",
	"通常配送は2〜4営業日でお届けします。離島への配送は追加で数日かかる場合があります。追跡番号はメールでお知らせします。",
}

// benchLocales are the locales of benchBodies, in the same order.
var benchLocales = []string{"en", "es-MX", "de", "ja"}

func benchCSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"external_id", "locale", "market", "title", "body", "tags"})
	markets := []string{"", "MX", "DE", "JP"}
	for i := range benchRows {
		k := i % len(benchBodies)
		_ = w.Write([]string{
			fmt.Sprintf("faq-%d", i), benchLocales[k], markets[k], fmt.Sprintf("Question %d about delivery", i),
			strings.Repeat(benchBodies[k]+"\n", 4), "shipping|Delivery|faq",
		})
	}
	w.Flush()
	return b.Bytes()
}

// BenchmarkReadCSV measures records per second through Read, and the ratio of its time to
// a plain encoding/csv read of the same bytes (x-baseline): the cost of validation and
// normalisation on top of parsing.
func BenchmarkReadCSV(b *testing.B) {
	benchRead(b, CSV, "bench.csv", benchCSV(), plainCSV, benchRows+1)
}

// benchRead measures Read of data as format and then baseline over the same bytes, and
// reports records per second for both and their ratio (x-baseline). baseline must count
// want records, so that a broken baseline cannot flatter the ratio.
func benchRead(b *testing.B, format Format, name string, data []byte, baseline func([]byte) int, want int) {
	b.Helper()
	ctx := context.Background()
	emit := func(knowledge.Record) error { return nil }
	reject := func(e knowledge.RowError) { b.Fatalf("rejected %+v", e) }
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Read(ctx, bytes.NewReader(data), format, name, emit, reject); err != nil {
			b.Fatal(err)
		}
	}
	readNs := float64(b.Elapsed().Nanoseconds())

	start := time.Now()
	for range b.N {
		if n := baseline(data); n != want {
			b.Fatalf("baseline read %d records", n)
		}
	}
	baseNs := float64(time.Since(start).Nanoseconds())
	b.ReportMetric(float64(b.N*benchRows)/(readNs/1e9), "rows/s")
	b.ReportMetric(float64(b.N*benchRows)/(baseNs/1e9), "baseline-rows/s")
	if baseNs > 0 {
		b.ReportMetric(readNs/baseNs, "x-baseline")
	}
}

// plainCSV reads every record of data with encoding/csv and nothing else.
func plainCSV(data []byte) int {
	r := csv.NewReader(bytes.NewReader(data))
	n := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			return n
		}
		n++
	}
}

func benchJSONL() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for i := range benchRows {
		k := i % len(benchBodies)
		_ = enc.Encode(map[string]any{
			"external_id": fmt.Sprintf("faq-%d", i), "locale": benchLocales[k], "title": fmt.Sprintf("Question %d", i),
			"body": strings.Repeat(benchBodies[k]+"\n", 4), "tags": []string{"shipping", "faq"},
		})
	}
	return b.Bytes()
}

// BenchmarkReadJSONL is BenchmarkReadCSV for JSONL; the baseline decodes each line into a
// struct with encoding/json.
func BenchmarkReadJSONL(b *testing.B) {
	benchRead(b, JSONL, "bench.jsonl", benchJSONL(), plainJSONL, benchRows)
}

func plainJSONL(data []byte) int {
	type row struct {
		ExternalID, Locale, Title, Body string
		Tags                            []string
	}
	n := 0
	for line := range bytes.Lines(data) {
		var r row
		if json.Unmarshal(line, &r) == nil {
			n++
		}
	}
	return n
}
