package faultyshop

import (
	"context"
	"errors"
	"testing"

	"github.com/attache-dev/attache/tools/commerce"
)

// countingShop applies returns and counts them; the other methods are not called.
type countingShop struct {
	commerce.Connector
	writes, reads int
}

func (c *countingShop) ReturnItems(_ context.Context, _, orderID string, _ []string, _ string) (commerce.Order, error) {
	c.writes++
	return commerce.Order{ID: orderID}, nil
}

func (c *countingShop) Order(_ context.Context, id string) (commerce.Order, error) {
	c.reads++
	return commerce.Order{ID: id}, nil
}

func TestFaultsHappenWhereTheyClaim(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		calls      int
		wantWrites int // writes that reached the shop
		wantErrs   int // calls that returned ErrInjected
		wantCrash  int
	}{
		{"no faults", Options{}, 3, 3, 0, 0},
		{"before the write nothing changes", Options{BeforeWrite: 1}, 3, 0, 3, 0},
		{"a lost response still committed", Options{LostResponse: 1}, 3, 3, 3, 0},
		{"a crash after the write committed", Options{Crash: 1}, 2, 2, 2, 2},
		{"bounded per target: retries get through", Options{BeforeWrite: 1, MaxPerTarget: 2}, 5, 3, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := &countingShop{}
			crashes := 0
			tt.opts.OnCrash = func() { crashes++ }
			s := New(next, tt.opts)
			errs := 0
			for range tt.calls {
				_, err := s.ReturnItems(context.Background(), "k1", "DE-1", []string{"i"}, "")
				if errors.Is(err, ErrInjected) {
					errs++
				} else if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
			}
			if next.writes != tt.wantWrites || errs != tt.wantErrs || crashes != tt.wantCrash {
				t.Errorf("writes %d, injected errors %d, crashes %d; want %d, %d, %d",
					next.writes, errs, crashes, tt.wantWrites, tt.wantErrs, tt.wantCrash)
			}
		})
	}
}

func TestReadErrorsDoNotReachTheShop(t *testing.T) {
	next := &countingShop{}
	var seen []Fault
	s := New(next, Options{ReadError: 1, OnFault: func(f Fault, _ string) { seen = append(seen, f) }})
	if _, err := s.Order(context.Background(), "DE-1"); !errors.Is(err, ErrInjected) {
		t.Fatalf("read error: got %v", err)
	}
	if next.reads != 0 || len(seen) != 1 || seen[0] != ReadError || s.Injected()[ReadError] != 1 {
		t.Errorf("reads %d, faults seen %v, counted %v", next.reads, seen, s.Injected())
	}
}
