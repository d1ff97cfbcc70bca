// Package faultyshop wraps a commerce connector with the failures a real shop system shows:
// calls that fail before they change anything, writes that commit and then lose their
// response (the payment went through, the caller hears an error), a process that dies right
// after a write committed, and added latency. Faults are drawn from a seeded random source,
// so a run can be repeated from its logged seed.
//
// It is for fault-injection tests only (agents/faulttest): it is not a retry layer, not a
// mock with expectations, and it decides nothing about idempotency — the wrapped connector
// must apply each write at most once per key, which is exactly what the tests check.
package faultyshop

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/attache-dev/attache/tools/commerce"
)

// ErrInjected is the error every injected failure wraps. It is none of commerce's expected
// errors, so the tools treat it as the shop failing and the activity is retried.
var ErrInjected = errors.New("injected shop failure")

// Fault is a kind of injected failure.
type Fault string

const (
	// ReadError: a read fails (nothing to lose).
	ReadError Fault = "read_error"
	// BeforeWrite: a write fails before it reaches the shop; nothing changed.
	BeforeWrite Fault = "before_write"
	// LostResponse: a write committed in the shop, then the caller got an error.
	LostResponse Fault = "lost_response"
	// Crash: a write committed, then Options.OnCrash ran (a test kills its process there).
	Crash Fault = "crash"
)

// Options say how often each fault happens. Probabilities are per call, in [0, 1].
type Options struct {
	Seed uint64

	ReadError    float64
	BeforeWrite  float64
	LostResponse float64
	Crash        float64 // ignored without OnCrash

	// MaxLatency adds a uniformly random delay in [0, MaxLatency) to every call.
	MaxLatency time.Duration

	// MaxPerTarget bounds the faults injected for one target (a write's idempotency key, or
	// a read's operation and object) in this Shop's life, so that retries eventually get
	// through and a lost write is the system's fault, not bad luck. 0 = no bound.
	MaxPerTarget int

	// OnFault, if set, is told of every fault as it is injected (before OnCrash).
	OnFault func(f Fault, op string)
	// OnCrash is called after a write chosen to crash committed; it is expected not to
	// return (it kills the process). If it returns, the call reports a lost response.
	OnCrash func()
}

// Shop is a commerce.Connector that injects faults into another. It is safe for concurrent
// use.
type Shop struct {
	next commerce.Connector
	opts Options

	mu       sync.Mutex
	rnd      *rand.Rand
	perKey   map[string]int
	injected map[Fault]int
}

var _ commerce.Connector = (*Shop)(nil)

// New wraps next.
func New(next commerce.Connector, opts Options) *Shop {
	return &Shop{
		next: next, opts: opts,
		rnd:    rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		perKey: make(map[string]int), injected: make(map[Fault]int),
	}
}

// Injected returns how many faults of each kind were injected so far.
func (s *Shop) Injected() map[Fault]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[Fault]int, len(s.injected))
	for k, v := range s.injected {
		out[k] = v
	}
	return out
}

// draw picks the fault of a call on target, if any, and its latency. faults are tried in
// order, each with its probability.
func (s *Shop) draw(target string, faults ...Fault) (Fault, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var delay time.Duration
	if s.opts.MaxLatency > 0 {
		delay = time.Duration(s.rnd.Int64N(int64(s.opts.MaxLatency)))
	}
	if s.opts.MaxPerTarget > 0 && s.perKey[target] >= s.opts.MaxPerTarget {
		return "", delay
	}
	x := s.rnd.Float64()
	for _, f := range faults {
		p := s.probability(f)
		if x < p {
			s.perKey[target]++
			s.injected[f]++
			return f, delay
		}
		x -= p
	}
	return "", delay
}

func (s *Shop) probability(f Fault) float64 {
	switch f {
	case ReadError:
		return s.opts.ReadError
	case BeforeWrite:
		return s.opts.BeforeWrite
	case LostResponse:
		return s.opts.LostResponse
	case Crash:
		if s.opts.OnCrash == nil {
			return 0
		}
		return s.opts.Crash
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (s *Shop) notify(f Fault, op string) {
	if s.opts.OnFault != nil {
		s.opts.OnFault(f, op)
	}
}

// read runs a read with its faults.
func read[T any](ctx context.Context, s *Shop, op, id string, call func() (T, error)) (T, error) {
	var zero T
	f, delay := s.draw(op+"/"+id, ReadError)
	if err := sleep(ctx, delay); err != nil {
		return zero, err
	}
	if f != "" {
		s.notify(f, op)
		return zero, fmt.Errorf("%s %s: %w", op, id, ErrInjected)
	}
	return call()
}

// write runs a write with its faults: before it, or after it committed.
func write[T any](ctx context.Context, s *Shop, op, key string, call func() (T, error)) (T, error) {
	var zero T
	f, delay := s.draw(key, BeforeWrite, LostResponse, Crash)
	if err := sleep(ctx, delay); err != nil {
		return zero, err
	}
	if f == BeforeWrite {
		s.notify(f, op)
		return zero, fmt.Errorf("%s: %w before the write", op, ErrInjected)
	}
	v, err := call()
	if err != nil || f == "" {
		return v, err
	}
	s.notify(f, op)
	if f == Crash {
		s.opts.OnCrash()
	}
	return zero, fmt.Errorf("%s: %w after the write committed", op, ErrInjected)
}

// FindCustomer implements commerce.Reader.
func (s *Shop) FindCustomer(ctx context.Context, q commerce.CustomerQuery) (commerce.Customer, error) {
	return read(ctx, s, "find_customer", q.Email+q.Phone+q.LastName, func() (commerce.Customer, error) { return s.next.FindCustomer(ctx, q) })
}

// Customer implements commerce.Reader.
func (s *Shop) Customer(ctx context.Context, id string) (commerce.Customer, error) {
	return read(ctx, s, "customer", id, func() (commerce.Customer, error) { return s.next.Customer(ctx, id) })
}

// Order implements commerce.Reader.
func (s *Shop) Order(ctx context.Context, id string) (commerce.Order, error) {
	return read(ctx, s, "order", id, func() (commerce.Order, error) { return s.next.Order(ctx, id) })
}

// Product implements commerce.Reader.
func (s *Shop) Product(ctx context.Context, id string) (commerce.Product, error) {
	return read(ctx, s, "product", id, func() (commerce.Product, error) { return s.next.Product(ctx, id) })
}

// Parcel implements commerce.Reader.
func (s *Shop) Parcel(ctx context.Context, trackingID string) (commerce.Parcel, error) {
	return read(ctx, s, "parcel", trackingID, func() (commerce.Parcel, error) { return s.next.Parcel(ctx, trackingID) })
}

// CancelOrder implements commerce.Writer.
func (s *Shop) CancelOrder(ctx context.Context, key, orderID, reason string) (commerce.Order, error) {
	return write(ctx, s, "cancel_order", key, func() (commerce.Order, error) { return s.next.CancelOrder(ctx, key, orderID, reason) })
}

// ModifyOrderAddress implements commerce.Writer.
func (s *Shop) ModifyOrderAddress(ctx context.Context, key, orderID string, a commerce.Address) (commerce.Order, error) {
	return write(ctx, s, "modify_order_address", key, func() (commerce.Order, error) {
		return s.next.ModifyOrderAddress(ctx, key, orderID, a)
	})
}

// ModifyOrderItems implements commerce.Writer.
func (s *Shop) ModifyOrderItems(ctx context.Context, key, orderID string, swaps []commerce.ItemSwap, paymentMethodID string) (commerce.Order, error) {
	return write(ctx, s, "modify_order_items", key, func() (commerce.Order, error) {
		return s.next.ModifyOrderItems(ctx, key, orderID, swaps, paymentMethodID)
	})
}

// ModifyOrderPayment implements commerce.Writer.
func (s *Shop) ModifyOrderPayment(ctx context.Context, key, orderID, paymentMethodID string) (commerce.Order, error) {
	return write(ctx, s, "modify_order_payment", key, func() (commerce.Order, error) {
		return s.next.ModifyOrderPayment(ctx, key, orderID, paymentMethodID)
	})
}

// ReturnItems implements commerce.Writer.
func (s *Shop) ReturnItems(ctx context.Context, key, orderID string, itemIDs []string, paymentMethodID string) (commerce.Order, error) {
	return write(ctx, s, "return_items", key, func() (commerce.Order, error) {
		return s.next.ReturnItems(ctx, key, orderID, itemIDs, paymentMethodID)
	})
}

// ExchangeItems implements commerce.Writer.
func (s *Shop) ExchangeItems(ctx context.Context, key, orderID string, swaps []commerce.ItemSwap, paymentMethodID string) (commerce.Order, error) {
	return write(ctx, s, "exchange_items", key, func() (commerce.Order, error) {
		return s.next.ExchangeItems(ctx, key, orderID, swaps, paymentMethodID)
	})
}

// RefundOrder implements commerce.Writer.
func (s *Shop) RefundOrder(ctx context.Context, key string, r commerce.Refund) (commerce.Order, error) {
	return write(ctx, s, "refund_order", key, func() (commerce.Order, error) { return s.next.RefundOrder(ctx, key, r) })
}

// ModifyCustomerAddress implements commerce.Writer.
func (s *Shop) ModifyCustomerAddress(ctx context.Context, key, customerID string, a commerce.Address) (commerce.Customer, error) {
	return write(ctx, s, "modify_customer_address", key, func() (commerce.Customer, error) {
		return s.next.ModifyCustomerAddress(ctx, key, customerID, a)
	})
}
