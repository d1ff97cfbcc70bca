package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// csvColumns are the columns a CSV file may have, required ones first.
var csvColumns = []string{"external_id", "locale", "title", "body", "market", "tags", "url", "status", "source_locale", "channels", "audience"}

const csvRequired = 4 // the first csvColumns are required

// errRecordTooLarge stops a CSV reader that has read more than MaxRecordSize of one record.
var errRecordTooLarge = errors.New("record too large")

// boundedReader fails once more than limit bytes were read past mark, so that a CSV record
// that never ends (an unclosed quote) cannot make encoding/csv buffer the rest of the input.
type boundedReader struct {
	r     io.Reader
	n     int64 // bytes read so far
	mark  int64 // offset at which the current record starts
	limit int64
	eof   bool // the input has ended
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n-b.mark > b.limit {
		return 0, errRecordTooLarge
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// atEOF reports whether cr has parsed all of the input.
func (b *boundedReader) atEOF(cr *csv.Reader) bool {
	return b.eof && cr.InputOffset() == b.n
}

// readCSV reads a CSV file with a header row, one record per row.
func (src *source) readCSV(ctx context.Context, r io.Reader) error {
	text, reason := openText(r)
	if reason != "" {
		src.rejectf(1, "", "%s", reason)
		return nil
	}
	br := &boundedReader{r: text, limit: MaxRecordSize}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false

	header, err := cr.Read()
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		src.rejectf(0, "", "file is empty; a CSV file needs a header row (%s)", strings.Join(csvColumns[:csvRequired], ","))
		return nil
	case errors.Is(err, errRecordTooLarge):
		src.rejectf(1, "", "header row is larger than %s", byteSize(MaxRecordSize))
		return nil
	case errors.As(err, &pe):
		src.rejectf(pe.StartLine, "", "header row: %s", csvReason(pe, br.atEOF(cr)))
		return nil
	case err != nil:
		return err
	}
	cols, reason := csvHeader(header)
	if reason != "" {
		headerLine, _ := cr.FieldPos(0)
		src.rejectf(headerLine, "", "%s", reason)
		return nil
	}
	idCol := cols["external_id"]
	lastLine := recordEnd(cr, header)

	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		br.mark = cr.InputOffset()
		rec, err := cr.Read()
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, errRecordTooLarge):
			src.rejectf(lastLine+1, "", "record is larger than %s (an unclosed quote?); the rest of the file was not read", byteSize(MaxRecordSize))
			return nil
		case errors.As(err, &pe):
			where := ""
			if pe.Line > pe.StartLine {
				where = fmt.Sprintf(" (lines %d-%d)", pe.StartLine, pe.Line)
			}
			src.rejectf(pe.StartLine, "", "%s%s", csvReason(pe, br.atEOF(cr)), where)
			lastLine = pe.Line
			continue
		case err != nil:
			return fmt.Errorf("after line %d: %w", lastLine, err)
		}
		line, _ := cr.FieldPos(0)
		end := recordEnd(cr, rec)
		lastLine = end
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of spaces
		}
		if len(rec) != len(header) {
			id := ""
			if idCol < len(rec) {
				id = printableID(rec[idCol])
			}
			where := ""
			if end > line {
				where = fmt.Sprintf(" (lines %d-%d; a stray quote?)", line, end)
			}
			src.rejectf(line, id, "%d fields, but the header has %d%s", len(rec), len(header), where)
			continue
		}
		if reason := csvSpans(cr, rec, cols); reason != "" {
			src.rejectf(line, printableID(rec[idCol]), "%s", reason)
			continue
		}
		// csvHeader let only known columns through, so every column lands in a field.
		in := fields{body: rec[cols["body"]]}
		for name, i := range cols {
			if list := in.list(name); list != nil {
				*list = splitTags(rec[i])
			} else if dest := in.field(name); dest != nil {
				*dest = rec[i]
			}
		}
		if err := src.accept(ctx, line, in); err != nil {
			return err
		}
	}
}

// recordEnd returns the line on which the record just read ends.
func recordEnd(cr *csv.Reader, rec []string) int {
	if len(rec) == 0 {
		return 0
	}
	last := len(rec) - 1
	line, _ := cr.FieldPos(last)
	return line + strings.Count(rec[last], "\n")
}

// csvHeader maps column names to indexes, or says what is wrong with the header.
func csvHeader(header []string) (map[string]int, string) {
	if len(header) == 1 && strings.ContainsAny(header[0], ";\t") {
		return nil, "header has one column; separate columns with commas"
	}
	cols := make(map[string]int, len(header))
	var unknown []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case name == "":
			return nil, fmt.Sprintf("column %d of the header has no name", i+1)
		case !validText(name):
			return nil, "header is not valid UTF-8 text"
		}
		if _, dup := cols[name]; dup {
			return nil, fmt.Sprintf("column %q appears twice", clip(name))
		}
		cols[name] = i
		if !slices.Contains(csvColumns, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		return nil, unknownNames("column", unknown, csvColumns)
	}
	var missing []string
	for _, c := range csvColumns[:csvRequired] {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Sprintf("missing required column %s", strings.Join(missing, ", "))
	}
	return cols, ""
}

// csvReason says what a CSV parse error means for the person who wrote the file.
// atEOF reports that the whole input has been parsed.
func csvReason(pe *csv.ParseError, atEOF bool) string {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return `a quote inside a field that does not start with one (quote the field and double the quote: "B ""quoted""")`
	case errors.Is(pe.Err, csv.ErrQuote) && atEOF:
		// encoding/csv says the same for both, and only an unclosed quote reaches the end.
		return "a quoted field is not closed, or text follows its closing quote"
	case errors.Is(pe.Err, csv.ErrQuote):
		return "text after the closing quote of a field"
	}
	return pe.Err.Error()
}

// csvSpans says which field other than body spans lines, which is a stray quote rather than
// what the author meant.
func csvSpans(cr *csv.Reader, rec []string, cols map[string]int) string {
	for _, name := range csvColumns {
		i, ok := cols[name]
		if !ok || name == "body" || !strings.Contains(rec[i], "\n") {
			continue
		}
		line, _ := cr.FieldPos(i)
		return fmt.Sprintf("%s spans lines %d-%d (a stray quote?)", name, line, line+strings.Count(rec[i], "\n"))
	}
	return ""
}
