package importer

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge"
)

// streamRows is how many records the streaming tests generate, and streamBody roughly
// how large each body is: 10,000 × 4 KiB is a 40 MiB stream.
const (
	streamRows = 10_000
	streamBody = 4 << 10
)

// streamText is a body of about streamBody bytes that differs per row.
func streamText(i int) string {
	line := fmt.Sprintf("Row %d: your parcel ships within two business days; envío en 48 h, Lieferung in 2 Tagen.\n", i)
	return strings.Repeat(line, streamBody/len(line))
}

// generate writes rows to a pipe from another goroutine, so that the input never exists
// in memory as a whole.
func generate(t *testing.T, write func(w io.Writer) error) io.Reader {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriter(pw)
		err := write(bw)
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
	}()
	t.Cleanup(func() { _ = pr.Close() })
	return pr
}

// TestReadStreamsWithBoundedMemory reads a 40 MiB CSV and a 40 MiB JSONL stream and checks
// that the heap never grows by more than a fraction of that: records are not retained.
func TestReadStreamsWithBoundedMemory(t *testing.T) {
	// Not parallel: it measures the heap of the whole process.
	tests := []struct {
		format Format
		write  func(w io.Writer) error
	}{
		{CSV, func(w io.Writer) error {
			if _, err := io.WriteString(w, "external_id,locale,title,body,tags\n"); err != nil {
				return err
			}
			for i := range streamRows {
				if _, err := fmt.Fprintf(w, "faq-%d,es-MX,\"Pregunta %d\",\"%s\",envíos|plazos\n", i, i, streamText(i)); err != nil {
					return err
				}
			}
			return nil
		}},
		{JSONL, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			for i := range streamRows {
				if err := enc.Encode(map[string]any{
					"external_id": fmt.Sprintf("faq-%d", i), "locale": "de", "title": fmt.Sprintf("Frage %d", i),
					"body": streamText(i), "tags": []string{"versand"},
				}); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	const maxGrowth = 16 << 20 // 40 MiB of input; the key set and buffers need far less
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			before, peak := ms.HeapAlloc, ms.HeapAlloc
			sample := func() {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}

			n, rejected := 0, 0
			err := Read(context.Background(), generate(t, tt.write), tt.format, "stream", func(r knowledge.Record) error {
				n++
				if n%500 == 0 {
					sample()
				}
				if r.Locale == "" || len(r.Body) < streamBody/2 {
					return fmt.Errorf("record %d is not what was written: %+v", n, r)
				}
				return nil
			}, func(e knowledge.RowError) {
				rejected++
				if rejected < 5 {
					t.Errorf("rejected %+v", e)
				}
			})
			sample()
			if err != nil {
				t.Fatal(err)
			}
			if n != streamRows || rejected != 0 {
				t.Errorf("emitted %d and rejected %d, want %d and 0", n, rejected, streamRows)
			}
			growth := int64(peak) - int64(before)
			t.Logf("%s: %d records, peak heap growth %.1f MiB", tt.format, n, float64(growth)/(1<<20))
			if growth > maxGrowth {
				t.Errorf("heap grew by %.1f MiB reading a %d MiB stream, want at most %d MiB",
					float64(growth)/(1<<20), streamRows*streamBody>>20, maxGrowth>>20)
			}
		})
	}
}
