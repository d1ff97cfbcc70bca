package devserver

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

func TestSlogLogger(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		floor slog.Level
		log   func(l log.Logger)
		want  []string // substrings of the output; none when empty
	}{
		{"info dropped at the default floor", slog.LevelWarn,
			func(l log.Logger) { l.Info("shard acquired", tag.ShardID(1)) }, nil},
		{"warn passed with its tags", slog.LevelWarn,
			func(l log.Logger) { l.Warn("slow persistence", tag.WorkflowID("conversation/42"), tag.Attempt(3)) },
			[]string{"level=WARN", `msg="slow persistence"`, "wf-id=conversation/42", "attempt=3"}},
		{"error keeps the error text", slog.LevelWarn,
			func(l log.Logger) { l.Error("persistence failed", tag.Error(errors.New("disk full"))) },
			[]string{"level=ERROR", `error="disk full"`}},
		{"debug passed when the floor is lowered", slog.LevelDebug,
			func(l log.Logger) { l.Debug("poll", tag.NewStringTag("queue", "q1")) },
			[]string{"level=DEBUG", "queue=q1"}},
		{"With tags on every record", slog.LevelWarn,
			func(l log.Logger) { log.With(l, tag.NewStringTag("service", "history")).Warn("x") },
			[]string{"service=history", "msg=x"}},
		{"DPanic logs and returns", slog.LevelWarn,
			func(l log.Logger) { l.DPanic("odd state") },
			[]string{"level=ERROR", `msg="odd state"`}},
		{"slog view keeps the floor", slog.LevelWarn,
			func(l log.Logger) { log.NewSlogLogger(l).Info("chatty") }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			l := newSlogLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), tc.floor)
			tc.log(l)
			out := buf.String()
			if len(tc.want) == 0 && out != "" {
				t.Errorf("logged %q, want nothing", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
		})
	}
}

func TestSlogLoggerFatalPanicsWithError(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := newSlogLogger(slog.New(slog.NewTextHandler(&buf, nil)), slog.LevelWarn)
	defer func() {
		r := recover()
		fe, ok := r.(*fatalError)
		if !ok {
			t.Fatalf("Fatal panicked with %v (%T), want *fatalError", r, r)
		}
		if want := "Failed to start gRPC listener: address=127.0.0.1:7233"; fe.Error() != want {
			t.Errorf("panic %q, want %q", fe.Error(), want)
		}
		if !strings.Contains(buf.String(), "level=ERROR") {
			t.Errorf("Fatal did not log at error: %q", buf.String())
		}
	}()
	l.Fatal("Failed to start gRPC listener", tag.Address("127.0.0.1:7233"))
}
