package evals

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// WriteJSON writes r as indented JSON. The output is stable: fields come in the order of
// the Go types and map keys sorted, so two writes of the same run are byte-identical and
// runs diff well. Text is not HTML-escaped (a "<" stays "<").
func WriteJSON(w io.Writer, r *Run) error {
	if r == nil {
		return errors.New("write run json: nil run")
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write run json: %w", err)
	}
	return nil
}

// ReadJSON reads a run written by WriteJSON. It rejects a document that is not a run, with
// an error that names what is wrong: not a JSON object, no "id", no "cases", a case without
// set or id, a case with an unknown status, two cases with the same key, or data after the
// run. Unknown fields are accepted, so a newer writer's runs can still be read.
//
// When the document has no "summary", the summary is computed from the cases.
func ReadJSON(r io.Reader) (*Run, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("read run: empty document")
	}
	if trimmed[0] != '{' {
		return nil, fmt.Errorf("read run: not a run: the document is %s, want a JSON object", jsonKind(trimmed[0]))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	for _, name := range []string{"id", "cases"} {
		if v, ok := fields[name]; !ok || string(v) == "null" {
			return nil, fmt.Errorf("read run: not a run: missing %q", name)
		}
	}
	var run Run
	if err := json.Unmarshal(trimmed, &run); err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	if run.ID == "" {
		return nil, errors.New(`read run: not a run: empty "id"`)
	}
	seen := make(map[string]bool, len(run.Cases))
	for i, c := range run.Cases {
		if c.Set == "" || c.ID == "" {
			return nil, fmt.Errorf("read run %s: case %d: missing set or id", run.ID, i+1)
		}
		switch c.Status {
		case StatusPassed, StatusFailed, StatusError, StatusNotRunnable:
		default:
			return nil, fmt.Errorf("read run %s: case %s: unknown status %q", run.ID, c.Key(), c.Status)
		}
		if seen[c.Key()] {
			return nil, fmt.Errorf("read run %s: case %s appears twice", run.ID, c.Key())
		}
		seen[c.Key()] = true
	}
	if _, ok := fields["summary"]; !ok {
		run.Summary = Summarize(run.Cases)
	}
	return &run, nil
}

// ReadRunFile reads the run stored in the JSON file at path.
func ReadRunFile(path string) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read run file: %w", err)
	}
	defer f.Close()
	run, err := ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return run, nil
}

// jsonKind names the kind of JSON value that starts with b.
func jsonKind(b byte) string {
	switch {
	case b == '[':
		return "a JSON array"
	case b == '"':
		return "a JSON string"
	case b == 't' || b == 'f':
		return "a JSON boolean"
	case b == 'n':
		return "null"
	case b == '-' || (b >= '0' && b <= '9'):
		return "a JSON number"
	default:
		return "not JSON"
	}
}
