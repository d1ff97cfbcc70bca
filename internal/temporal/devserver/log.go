package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// slogLogger adapts the server's log.Logger interface to a *slog.Logger.
//
// The server's own common/log package only converts the other way (log.Logger to slog), so
// this small adapter is ours. Records below the floor level are dropped before their tags are
// converted: the server logs a great deal at info and debug.
type slogLogger struct {
	logger *slog.Logger // its handler is a floorHandler
}

var (
	_ log.Logger      = slogLogger{}
	_ log.WithLogger  = slogLogger{}
	_ log.SLogWrapper = slogLogger{}
)

func newSlogLogger(logger *slog.Logger, floor slog.Leveler) slogLogger {
	return slogLogger{logger: slog.New(floorHandler{Handler: logger.Handler(), floor: floor})}
}

func (l slogLogger) Debug(msg string, tags ...tag.Tag) { l.log(slog.LevelDebug, msg, tags) }
func (l slogLogger) Info(msg string, tags ...tag.Tag)  { l.log(slog.LevelInfo, msg, tags) }
func (l slogLogger) Warn(msg string, tags ...tag.Tag)  { l.log(slog.LevelWarn, msg, tags) }
func (l slogLogger) Error(msg string, tags ...tag.Tag) { l.log(slog.LevelError, msg, tags) }

// DPanic is a development-time panic in zap; here it is an error record and no panic.
func (l slogLogger) DPanic(msg string, tags ...tag.Tag) { l.log(slog.LevelError, msg, tags) }

// Panic logs and panics, as the server expects.
func (l slogLogger) Panic(msg string, tags ...tag.Tag) {
	l.log(slog.LevelError, msg, tags)
	panic(&fatalError{msg: msg, detail: tagsText(tags)})
}

// Fatal logs and panics instead of exiting the process: the server calls it when it cannot
// bind a port or build a gRPC server during start, and Start recovers that panic into an
// error so that `attache dev` can report it (or retry with other ports) instead of dying.
func (l slogLogger) Fatal(msg string, tags ...tag.Tag) {
	l.log(slog.LevelError, msg, tags)
	panic(&fatalError{msg: msg, detail: tagsText(tags)})
}

// With returns a logger that adds tags to every record.
func (l slogLogger) With(tags ...tag.Tag) log.Logger {
	return slogLogger{logger: l.logger.With(attrsAsAny(tags)...)}
}

// SLog lets the server's log.NewSlogLogger hand out our *slog.Logger (level floor included)
// instead of wrapping it twice.
func (l slogLogger) SLog() *slog.Logger { return l.logger }

func (l slogLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if !l.logger.Enabled(ctx, level) {
		return
	}
	l.logger.LogAttrs(ctx, level, msg, attrs(tags)...)
}

func attrs(tags []tag.Tag) []slog.Attr {
	out := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		if t == nil {
			continue
		}
		out = append(out, slog.Any(t.Key(), tagValue(t)))
	}
	return out
}

func attrsAsAny(tags []tag.Tag) []any {
	as := attrs(tags)
	out := make([]any, len(as))
	for i, a := range as {
		out[i] = a
	}
	return out
}

// tagValue returns a tag's value; error values are kept as errors so that handlers render
// them the usual way.
func tagValue(t tag.Tag) any {
	v := t.Value()
	if err, ok := v.(error); ok {
		return err
	}
	return v
}

func tagsText(tags []tag.Tag) string {
	var b strings.Builder
	for i, t := range tags {
		if t == nil {
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%v", t.Key(), tagValue(t))
	}
	return b.String()
}

// fatalError is the panic value of Fatal and Panic.
type fatalError struct {
	msg    string
	detail string
}

func (e *fatalError) Error() string {
	if e.detail == "" {
		return e.msg
	}
	return e.msg + ": " + e.detail
}

// floorHandler drops records below floor before handing them on.
type floorHandler struct {
	slog.Handler
	floor slog.Leveler
}

func (h floorHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= h.floor.Level() && h.Handler.Enabled(ctx, level)
}

func (h floorHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return floorHandler{Handler: h.Handler.WithAttrs(as), floor: h.floor}
}

func (h floorHandler) WithGroup(name string) slog.Handler {
	return floorHandler{Handler: h.Handler.WithGroup(name), floor: h.floor}
}
