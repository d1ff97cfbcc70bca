package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
)

// eventLog is a fake server's append-only record of the events its streams send, guarded
// by the fake's own mutex.
type eventLog struct {
	events  []sseEvent
	changed chan struct{} // closed and replaced on every append
}

func newEventLog() eventLog { return eventLog{changed: make(chan struct{})} }

// add records ev and wakes the streams; the caller holds the fake's lock.
func (l *eventLog) add(ev sseEvent) {
	l.events = append(l.events, ev)
	close(l.changed)
	l.changed = make(chan struct{})
}

// stream answers text/event-stream: backlog first, then every event added after the first
// next ones, until the client leaves or stop is closed. mu is the lock that guards l.
func (l *eventLog) stream(t testing.TB, w http.ResponseWriter, r *http.Request, mu *sync.Mutex, stop <-chan struct{}, backlog []sseEvent, next int) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	pending := backlog
	for {
		for _, ev := range pending {
			data, err := json.Marshal(ev.data)
			if err != nil {
				t.Errorf("marshal event: %v", err)
				return
			}
			fmt.Fprintf(w, "event: %s\n", ev.name)
			if ev.id > 0 {
				fmt.Fprintf(w, "id: %d\n", ev.id)
			}
			fmt.Fprintf(w, "data: %s\n\n", data)
		}
		if err := rc.Flush(); err != nil {
			return
		}
		mu.Lock()
		changed, fresh := l.changed, next < len(l.events)
		mu.Unlock()
		if !fresh {
			select {
			case <-changed:
			case <-r.Context().Done():
				return
			case <-stop:
				return
			}
		}
		mu.Lock()
		pending = slices.Clone(l.events[next:])
		next = len(l.events)
		mu.Unlock()
	}
}
