package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/attache-dev/attache/knowledge"
)

// Format is the kind of content a file or stream holds.
type Format string

// The formats Read and Walk understand.
const (
	Markdown Format = "markdown"
	HTML     Format = "html"
	CSV      Format = "csv"
	JSONL    Format = "jsonl"
)

// Size limits. A source beyond one of them is rejected with a reason, never truncated.
const (
	// MaxFileSize bounds a Markdown or HTML file, which is read whole.
	MaxFileSize = 2 << 20
	// MaxRecordSize bounds one CSV record or one JSONL line as read, quoting and escapes
	// included.
	MaxRecordSize = 1 << 20
	// MaxBodySize bounds a record's body, in bytes, after normalisation (and, for HTML,
	// after sanitising).
	MaxBodySize = 100 << 10
)

// ErrUnsupportedFormat is returned by FormatOf for a file name whose extension is not one
// of the supported ones, and by Read for an unknown Format.
var ErrUnsupportedFormat = errors.New("unsupported file type")

var extensions = map[string]Format{
	".md":       Markdown,
	".markdown": Markdown,
	".html":     HTML,
	".htm":      HTML,
	".csv":      CSV,
	".jsonl":    JSONL,
	".ndjson":   JSONL,
}

const supportedExtensions = ".md, .markdown, .html, .htm, .csv, .jsonl, .ndjson"

// FormatOf returns the format of a file by its extension, case-insensitively. The error
// names the file and wraps ErrUnsupportedFormat.
func FormatOf(name string) (Format, error) {
	if f, ok := extensions[strings.ToLower(filepath.Ext(name))]; ok {
		return f, nil
	}
	return "", fmt.Errorf("%s: %w", name, unsupportedReason(name))
}

// unsupportedReason says why a file name has no format, without naming the file.
func unsupportedReason(name string) error {
	ext := filepath.Ext(name)
	if ext == "" {
		return fmt.Errorf("%w: no file extension (supported: %s)", ErrUnsupportedFormat, supportedExtensions)
	}
	return fmt.Errorf("%w %s (supported: %s)", ErrUnsupportedFormat, ext, supportedExtensions)
}

// Read reads the records of one stream in the given format and calls emit with each valid
// record, in input order, and reject with each row or file that is not, with the reason.
// name identifies the stream in rejections; for Markdown and HTML it is also the path
// relative to the import root from which the default external ID and a locale are taken
// (see the package documentation).
//
// Read keeps one record in memory at a time (plus the set of keys seen, for duplicates).
// For Markdown and HTML it reads at most MaxFileSize+1 bytes of r. It returns nil when the
// stream was read to its end, whatever was rejected; an error when r fails, when ctx is
// done (checked between records), or when emit returns one, which stops the read and is
// wrapped in the returned error.
func Read(ctx context.Context, r io.Reader, format Format, name string, emit func(knowledge.Record) error, reject func(knowledge.RowError)) error {
	if _, ok := formats[format]; !ok {
		return fmt.Errorf("read %s: %w %q", name, ErrUnsupportedFormat, format)
	}
	s := newSession(emit, reject)
	err := s.read(ctx, r, format, name, relName(name))
	if err == nil || err == s.stopped || ctx.Err() != nil {
		return err
	}
	return fmt.Errorf("read %s: %w", name, err)
}

var formats = map[Format]bool{Markdown: true, HTML: true, CSV: true, JSONL: true}

// relName turns the name given to Read into a slash-separated relative path.
func relName(name string) string {
	rel := path.Clean(filepath.ToSlash(name))
	return strings.TrimLeft(rel, "/")
}

// session is one import: its callbacks and the keys of the records emitted so far.
type session struct {
	emit    func(knowledge.Record) error
	reject  func(knowledge.RowError)
	seen    map[string]origin
	sources []string
	// stopped is the error emit returned, once it has; the import ends with it.
	stopped error
}

// origin is where a record was first seen: an index into session.sources and a line.
type origin struct {
	source int
	line   int
}

func newSession(emit func(knowledge.Record) error, reject func(knowledge.RowError)) *session {
	return &session{emit: emit, reject: reject, seen: make(map[string]origin)}
}

// source is one file or stream of a session.
//
// Its read methods return nil at the end of the input, ctx.Err(), session.stopped, or an
// error of the input, with the line it happened after when there is one.
type source struct {
	s    *session
	idx  int
	name string
}

func (s *session) read(ctx context.Context, r io.Reader, format Format, name, rel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.sources = append(s.sources, name)
	src := &source{s: s, idx: len(s.sources) - 1, name: name}
	switch format {
	case Markdown, HTML:
		return src.readDocument(ctx, r, format, rel)
	case CSV:
		return src.readCSV(ctx, r)
	case JSONL:
		return src.readJSONL(ctx, r)
	}
	return fmt.Errorf("read %s: %w %q", name, ErrUnsupportedFormat, format)
}

// rejectf reports a rejected row (line > 0) or file (line 0).
func (src *source) rejectf(line int, externalID, format string, args ...any) {
	src.s.reject(knowledge.RowError{
		Source:     src.name,
		Line:       line,
		ExternalID: externalID,
		Reason:     fmt.Sprintf(format, args...),
	})
}

// accept validates one record, rejects it or emits it. Its error ends the import: ctx is
// done, or emit failed.
func (src *source) accept(ctx context.Context, line int, in fields) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rec, problems := normalise(in)
	if len(problems) > 0 {
		id := rec.ExternalID
		if id == "" {
			id = printableID(in.externalID)
		}
		src.rejectf(line, id, "%s", strings.Join(problems, "; "))
		return nil
	}
	s := src.s
	key := rec.ExternalID + "\x00" + rec.Locale + "\x00" + rec.Market
	if first, ok := s.seen[key]; ok {
		src.rejectf(line, rec.ExternalID, "duplicate of %s: same external_id, locale %s and %s",
			s.where(first, src.idx), rec.Locale, marketName(rec.Market))
		return nil
	}
	s.seen[key] = origin{source: src.idx, line: line}
	if err := s.emit(rec); err != nil {
		if line > 0 {
			s.stopped = fmt.Errorf("import stopped at %s line %d: %w", src.name, line, err)
		} else {
			s.stopped = fmt.Errorf("import stopped at %s: %w", src.name, err)
		}
		return s.stopped
	}
	return nil
}

// where names the origin of an earlier record, as seen from the source with index current.
func (s *session) where(o origin, current int) string {
	switch {
	case o.source == current && o.line > 0:
		return fmt.Sprintf("line %d", o.line)
	case o.line > 0:
		return fmt.Sprintf("%s line %d", s.sources[o.source], o.line)
	default:
		return s.sources[o.source]
	}
}

func marketName(m string) string {
	if m == "" {
		return "no market"
	}
	return "market " + m
}

// printableID returns a raw external ID for a rejection when it is safe to show.
func printableID(raw string) string {
	id := strings.TrimSpace(raw)
	if len(id) > maxExternalID || !validText(id) {
		return ""
	}
	return id
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// openText returns a buffered reader of r without a leading UTF-8 byte order mark, or a
// reason to reject the stream when it starts with a UTF-16 one.
func openText(r io.Reader) (*bufio.Reader, string) {
	br := bufio.NewReaderSize(r, 64<<10)
	b, _ := br.Peek(len(utf8BOM)) // fewer bytes at the end of a short stream
	switch {
	case bytes.HasPrefix(b, utf8BOM):
		_, _ = br.Discard(len(utf8BOM))
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return nil, utf16Reason
	}
	return br, ""
}

const utf16Reason = "file is UTF-16 text; save it as UTF-8"
