package adapter_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/agents/model/internal/adapter"
)

func TestKindOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		signs  adapter.Signs
		want   error
	}{
		{"401", http.StatusUnauthorized, adapter.Signs{}, model.ErrAuth},
		{"403 even if it says quota", http.StatusForbidden, adapter.Signs{Quota: true}, model.ErrAuth},
		{"auth event", 0, adapter.Signs{Auth: true}, model.ErrAuth},
		{"429 out of quota", http.StatusTooManyRequests, adapter.Signs{Quota: true}, model.ErrQuotaExceeded},
		{"429", http.StatusTooManyRequests, adapter.Signs{}, model.ErrRateLimited},
		{"rate-limit event", 0, adapter.Signs{RateLimit: true}, model.ErrRateLimited},
		{"408", http.StatusRequestTimeout, adapter.Signs{}, model.ErrUnavailable},
		{"409", http.StatusConflict, adapter.Signs{}, model.ErrUnavailable},
		{"529 overloaded", 529, adapter.Signs{}, model.ErrUnavailable},
		{"500 mentioning context", http.StatusInternalServerError, adapter.Signs{ContextLength: true}, model.ErrUnavailable},
		{"400 context length", http.StatusBadRequest, adapter.Signs{ContextLength: true}, model.ErrContextLength},
		{"413", http.StatusRequestEntityTooLarge, adapter.Signs{}, model.ErrContextLength},
		{"404", http.StatusNotFound, adapter.Signs{}, model.ErrInvalidRequest},
		{"invalid event", 0, adapter.Signs{Invalid: true}, model.ErrInvalidRequest},
		{"302", http.StatusFound, adapter.Signs{}, model.ErrUnavailable},
		{"unknown event", 0, adapter.Signs{}, model.ErrUnavailable},
	}
	for _, tt := range tests {
		if got := adapter.KindOf(tt.status, tt.signs); got != tt.want {
			t.Errorf("%s: KindOf = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	got, err := adapter.Check("p", adapter.Config{Model: "m"}, "https://api.example.com/v1")
	if err != nil || got.BaseURL != "https://api.example.com/v1" || got.Timeout != adapter.DefaultTimeout || got.HTTPClient == nil {
		t.Errorf("defaults = %+v, %v", got, err)
	}
	hc := &http.Client{}
	got, err = adapter.Check("p", adapter.Config{Model: "m", BaseURL: "http://localhost:11434/v1", HTTPClient: hc, Timeout: time.Second}, "https://x")
	if err != nil || got.BaseURL != "http://localhost:11434/v1" || got.Timeout != time.Second || got.HTTPClient != hc {
		t.Errorf("settings = %+v, %v", got, err)
	}
	for _, bad := range []adapter.Config{
		{},
		{Model: "m", BaseURL: "localhost:11434/v1"},
		{Model: "m", BaseURL: "ftp://example.com/v1"},
		{Model: "m", Timeout: -time.Second},
	} {
		if _, err := adapter.Check("p", bad, "https://x"); err == nil || !strings.HasPrefix(err.Error(), "p: ") {
			t.Errorf("Check(%+v) = %v, want an error naming the provider", bad, err)
		}
	}
}

func TestTextSinkAndInterrupted(t *testing.T) {
	t.Parallel()
	stop := errors.New("stop")
	var seen []string
	sink := &adapter.TextSink{
		OnText: func(_ context.Context, d string) error {
			seen = append(seen, d)
			if d == "halt" {
				return stop
			}
			return nil
		},
		Skip: func(b []byte) bool { return b[0] == '[' },
	}
	ctx := context.Background()
	for _, c := range []string{"", "Hello", `[{"id":"1"}]`, " there", "halt"} {
		_ = sink.Chunk(ctx, []byte(c))
	}
	if strings.Join(seen, "|") != "Hello| there|halt" {
		t.Errorf("OnText saw %q", seen)
	}
	if err := adapter.Interrupted("p", ctx, ctx, time.Second, sink); !errors.Is(err, stop) || model.Retryable(err) {
		t.Errorf("Interrupted = %v, want the consumer's error", err)
	}

	callCtx, cancel := context.WithTimeout(ctx, -time.Second)
	defer cancel()
	if err := adapter.Interrupted("p", ctx, callCtx, time.Second, nil); !errors.Is(err, model.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Interrupted = %v, want ErrUnavailable from the adapter's deadline", err)
	}
	cancelled, cancel2 := context.WithCancel(ctx)
	cancel2()
	if err := adapter.Interrupted("p", cancelled, callCtx, time.Second, nil); !errors.Is(err, context.Canceled) || model.Retryable(err) {
		t.Errorf("Interrupted = %v, want the caller's cancellation", err)
	}
	if err := adapter.Interrupted("p", ctx, ctx, time.Second, nil); err != nil {
		t.Errorf("Interrupted = %v, want nil", err)
	}
}
