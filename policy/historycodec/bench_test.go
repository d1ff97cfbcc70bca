package historycodec

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
)

// turnPayload is a conversation turn whose JSON is about 2 KiB.
type turnPayload struct {
	TurnID  string
	Locale  string
	Text    string
	History []string
}

func newTurnPayload() turnPayload {
	return turnPayload{
		TurnID:  "turn-0001",
		Locale:  "en-US",
		Text:    strings.Repeat("Where is my order? My email is jane.doe@example.com. ", 20),
		History: []string{strings.Repeat("Thanks for waiting. ", 25), strings.Repeat("Your parcel is in customs. ", 16)},
	}
}

// BenchmarkDataConverter measures ToPayload+FromPayload of a 2 KiB JSON value through the
// codec data converter (key cached, as for every payload of a running workflow but its
// first) and through Temporal's default data converter, alternately in the same run, and
// reports both and their ratio.
func BenchmarkDataConverter(b *testing.B) {
	c := newCodec(b, Options{})
	sealed := converter.WithDataConverterSerializationContext(DataConverter(c),
		converter.WorkflowSerializationContext{WorkflowID: newWorkflowID()})
	plain := converter.GetDefaultDataConverter()
	in := newTurnPayload()
	p, err := plain.ToPayload(in)
	if err != nil {
		b.Fatal(err)
	}
	if n := len(p.Data); n < 2000 || n > 2100 {
		b.Fatalf("payload is %d bytes, want about 2 KiB", n)
	}
	roundTrip := func(dc converter.DataConverter) {
		p, err := dc.ToPayload(in)
		if err != nil {
			b.Fatal(err)
		}
		var out turnPayload
		if err := dc.FromPayload(p, &out); err != nil {
			b.Fatal(err)
		}
	}
	roundTrip(sealed) // creates the key
	var tSealed, tPlain time.Duration
	iterations := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		roundTrip(plain)
		t1 := time.Now()
		roundTrip(sealed)
		tSealed += time.Since(t1)
		tPlain += t1.Sub(t0)
		iterations++
	}
	n := float64(iterations)
	b.ReportMetric(float64(tSealed.Nanoseconds())/n, "codec-ns/op")
	b.ReportMetric(float64(tPlain.Nanoseconds())/n, "default-ns/op")
	b.ReportMetric(float64(tSealed)/float64(tPlain), "codec/default")
}
