package packet

import (
	"encoding/json"
	"testing"
	"time"
)

var (
	sinkPacket Packet
	sinkBytes  []byte
)

// BenchmarkBuild builds the packet of a 40-message conversation and, in the same loop,
// marshals the same input to JSON — the least any handoff does with it — reporting the
// ratio of the two as build/marshal.
func BenchmarkBuild(b *testing.B) {
	in := longConversation(40)
	var build, marshal time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		sinkPacket = Build(in)
		mid := time.Now()
		data, err := json.Marshal(in)
		if err != nil {
			b.Fatal(err)
		}
		sinkBytes = data
		build += mid.Sub(start)
		marshal += time.Since(mid)
	}
	if marshal > 0 {
		b.ReportMetric(float64(build)/float64(marshal), "build/marshal")
		b.ReportMetric(float64(build.Nanoseconds())/float64(b.N), "build-ns/op")
		b.ReportMetric(float64(marshal.Nanoseconds())/float64(b.N), "marshal-ns/op")
	}
}
