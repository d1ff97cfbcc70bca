package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// jsonFields are the fields a JSONL object may have: the CSV columns.
var jsonFields = csvColumns

// readJSONL reads one JSON object per line; blank lines are skipped.
func (src *source) readJSONL(ctx context.Context, r io.Reader) error {
	br, reason := openText(r)
	if reason != "" {
		src.rejectf(1, "", "%s", reason)
		return nil
	}
	var buf []byte
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, tooLong, err := readLine(br, buf[:0], MaxRecordSize)
		buf = line
		if err != nil && err != io.EOF {
			return fmt.Errorf("line %d: %w", n, err)
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case tooLong:
			src.rejectf(n, "", "line is longer than %s", byteSize(MaxRecordSize))
		case len(bytes.TrimSpace(line)) == 0:
		default:
			in, reason := parseJSONLine(line)
			if reason != "" {
				src.rejectf(n, printableID(in.externalID), "%s", reason)
			} else if err := src.accept(ctx, n, in); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine appends the next line of br, with its line break, to buf. A line longer than
// max is read to its end but not kept: tooLong reports it. err is io.EOF after the last
// line, which may be empty.
func readLine(br *bufio.Reader, buf []byte, max int) (line []byte, tooLong bool, err error) {
	for {
		frag, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(bytes.TrimRight(frag, "\r\n")) > max {
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, frag...)
			}
		}
		if err != bufio.ErrBufferFull {
			return buf, tooLong, err
		}
	}
}

// parseJSONLine reads one JSONL object. On a problem, in holds what could be read (for
// the external ID in the rejection) and reason says what is wrong.
func parseJSONLine(line []byte) (in fields, reason string) {
	if !utf8.Valid(line) {
		return in, "line is not valid UTF-8"
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			return in, "line is not a JSON object"
		case errors.As(err, &syntax):
			return in, fmt.Sprintf("invalid JSON at byte %d: %v", syntax.Offset, err)
		}
		return in, fmt.Sprintf("invalid JSON: %v", err)
	}
	if obj == nil {
		return in, "line is not a JSON object"
	}

	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var problems, unknown []string
	for _, k := range keys {
		raw := bytes.TrimSpace(obj[k])
		switch dest := in.field(k); {
		case in.list(k) != nil:
			list, ok := jsonTags(raw)
			if !ok {
				problems = append(problems, fmt.Sprintf("field %q must be an array of strings or a string", k))
			}
			*in.list(k) = list
		case k == "body":
			if !jsonString(raw, &in.body) {
				problems = append(problems, `field "body" must be a string`)
			}
		case dest != nil:
			if k == "external_id" && len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
				*dest = string(raw) // a numeric ID, as written
				continue
			}
			if !jsonString(raw, dest) {
				problems = append(problems, fmt.Sprintf("field %q must be a string", clip(k)))
			}
		default:
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		problems = append(problems, unknownNames("field", unknown, jsonFields))
	}
	return in, strings.Join(problems, "; ")
}

// jsonString decodes a JSON string or null into dest.
func jsonString(raw []byte, dest *string) bool {
	if string(raw) == "null" {
		*dest = ""
		return true
	}
	if len(raw) == 0 || raw[0] != '"' {
		return false
	}
	return json.Unmarshal(raw, dest) == nil
}

// jsonTags decodes tags written as an array of strings, one string, or null.
func jsonTags(raw []byte) ([]string, bool) {
	var s string
	if jsonString(raw, &s) {
		return splitTags(s), true
	}
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, false
	}
	tags := make([]string, 0, len(items))
	for _, item := range items {
		if !jsonString(bytes.TrimSpace(item), &s) {
			return nil, false
		}
		tags = append(tags, s)
	}
	return tags, true
}
