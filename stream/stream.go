// Package stream carries live conversation events — stored messages, streamed reply tokens,
// turn progress — from whoever produces them (the worker's activities) to whoever shows them
// (the API's server-sent-event streams).
//
// Hub fans events out inside one process. In a deployment where `attache serve` and
// `attache worker` are separate processes, PGRelay forwards the worker's events through
// PostgreSQL NOTIFY to every API replica's Hub. Events are best-effort and ephemeral: a
// subscriber that falls behind is dropped and reconnects, catching up on messages from the
// store; tokens are never stored.
package stream

import (
	"context"
	"encoding/json"
	"sync"
)

// Event types.
const (
	TypeMessage = "message" // Data is a stored message (as the API renders it); ID is its seq
	TypeToken   = "token"   // Data is {"turn_id","delta"}
	TypeTurn    = "turn"    // Data is {"turn_id","state"}
)

// Event is one live event of a conversation.
type Event struct {
	ConversationID string          `json:"c"`
	Type           string          `json:"t"`
	ID             string          `json:"i,omitempty"` // SSE id (a message seq), "" for tokens
	Data           json.RawMessage `json:"d"`
}

// Publisher is what producers use.
type Publisher interface {
	Publish(ctx context.Context, ev Event) error
}

// subscriberBuffer is how many events a slow subscriber may lag before it is dropped.
const subscriberBuffer = 256

// Hub is an in-process publish/subscribe of events by conversation.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[*Subscription]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: make(map[string]map[*Subscription]struct{})} }

// Subscription receives a conversation's events until Close, or until it falls behind, in
// which case Events is closed and Dropped reports true.
type Subscription struct {
	hub     *Hub
	conv    string
	ch      chan Event
	once    sync.Once
	dropped bool
}

// Events returns the channel of events. It is closed by Close or when the subscriber is dropped.
func (s *Subscription) Events() <-chan Event { return s.ch }

// Dropped reports whether the hub dropped this subscriber for falling behind.
func (s *Subscription) Dropped() bool {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.dropped
}

// Close ends the subscription. It is safe to call more than once.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	s.closeLocked()
}

func (s *Subscription) closeLocked() {
	s.once.Do(func() {
		if m := s.hub.subs[s.conv]; m != nil {
			delete(m, s)
			if len(m) == 0 {
				delete(s.hub.subs, s.conv)
			}
		}
		close(s.ch)
	})
}

// Subscribe starts receiving the events of one conversation.
func (h *Hub) Subscribe(conversationID string) *Subscription {
	s := &Subscription{hub: h, conv: conversationID, ch: make(chan Event, subscriberBuffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.subs[conversationID]
	if m == nil {
		m = make(map[*Subscription]struct{})
		h.subs[conversationID] = m
	}
	m[s] = struct{}{}
	return s
}

// Publish delivers ev to the conversation's subscribers without blocking: a subscriber whose
// buffer is full is dropped (and will catch up from the store when it reconnects).
func (h *Hub) Publish(_ context.Context, ev Event) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[ev.ConversationID] {
		select {
		case s.ch <- ev:
		default:
			s.dropped = true
			s.closeLocked()
		}
	}
	return nil
}

// Subscribers returns how many subscriptions a conversation has (for tests and metrics).
func (h *Hub) Subscribers(conversationID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[conversationID])
}
