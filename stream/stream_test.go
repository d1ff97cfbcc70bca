package stream

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func TestHubDeliversInOrderToEverySubscriberOfTheConversation(t *testing.T) {
	h := NewHub()
	a, b, other := h.Subscribe("c1"), h.Subscribe("c1"), h.Subscribe("c2")
	defer a.Close()
	defer b.Close()
	defer other.Close()
	for i := range 3 {
		_ = h.Publish(context.Background(), Event{ConversationID: "c1", Type: TypeToken, Data: json.RawMessage(fmt.Sprint(i))})
	}
	for _, s := range []*Subscription{a, b} {
		for i := range 3 {
			ev := <-s.Events()
			if string(ev.Data) != fmt.Sprint(i) {
				t.Fatalf("event %d: got %s", i, ev.Data)
			}
		}
	}
	select {
	case ev := <-other.Events():
		t.Fatalf("other conversation got %+v", ev)
	default:
	}
}

func TestHubDropsASubscriberThatFallsBehind(t *testing.T) {
	h := NewHub()
	slow := h.Subscribe("c")
	for range subscriberBuffer + 1 {
		_ = h.Publish(context.Background(), Event{ConversationID: "c", Type: TypeToken, Data: json.RawMessage(`1`)})
	}
	if !slow.Dropped() {
		t.Fatal("slow subscriber not dropped")
	}
	n := 0
	for range slow.Events() { // closed after the buffered events
		n++
	}
	if n != subscriberBuffer {
		t.Fatalf("drained %d events, want %d", n, subscriberBuffer)
	}
	if h.Subscribers("c") != 0 {
		t.Fatal("dropped subscriber still registered")
	}
	slow.Close() // idempotent
}

// BenchmarkHubPublish measures fanning an event out to a subscriber against a bare buffered
// channel send in the same run (the hub's lock and lookup are the difference). Both fill a
// buffer and drain it in turn, so no send ever finds it full.
func BenchmarkHubPublish(b *testing.B) {
	h := NewHub()
	s := h.Subscribe("c")
	defer s.Close()
	bare := make(chan Event, subscriberBuffer)
	ev := Event{ConversationID: "c", Type: TypeToken, Data: json.RawMessage(`{"delta":"hola"}`)}
	run := func(send func(), ch <-chan Event) time.Duration {
		start := time.Now()
		for i := range b.N {
			send()
			if (i+1)%subscriberBuffer == 0 || i == b.N-1 {
				for len(ch) > 0 {
					<-ch
				}
			}
		}
		return time.Since(start)
	}
	baseline := run(func() { bare <- ev }, bare)
	b.ResetTimer()
	hub := run(func() { _ = h.Publish(context.Background(), ev) }, s.Events())
	if s.Dropped() {
		b.Fatal("the subscriber was dropped: the measurement is void")
	}
	b.ReportMetric(float64(hub)/float64(max(baseline, 1)), "x-channel-send")
}
