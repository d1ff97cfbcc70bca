package evals

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	run := reportRun()
	var first bytes.Buffer
	if err := WriteJSON(&first, run); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.String(), "\n  \"cases\": [") {
		t.Errorf("output is not indented:\n%.300s", first.String())
	}
	if !strings.Contains(first.String(), `<script>alert(\"x\")</script>`) {
		t.Errorf("text was HTML-escaped in JSON; want it as written")
	}
	got, err := ReadJSON(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	// The encoder re-indents raw tool arguments; compare them compacted.
	compactArgs(t, run)
	compactArgs(t, got)
	if !reflect.DeepEqual(got, run) {
		t.Errorf("round trip changed the run:\ngot  %+v\nwant %+v", got, run)
	}
	var second bytes.Buffer
	if err := WriteJSON(&second, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("writing the read-back run gave different bytes: output is not stable")
	}
}

func compactArgs(t *testing.T, r *Run) {
	t.Helper()
	for i := range r.Cases {
		for j := range r.Cases[i].Attempts {
			for k, tc := range r.Cases[i].Attempts[j].ToolCalls {
				var b bytes.Buffer
				if err := json.Compact(&b, tc.Args); err != nil {
					t.Fatalf("compact args: %v", err)
				}
				r.Cases[i].Attempts[j].ToolCalls[k].Args = b.Bytes()
			}
		}
	}
}

func TestReadJSONRejects(t *testing.T) {
	tests := []struct {
		name, doc, wantErr string
	}{
		{"empty", "  \n", "empty document"},
		{"array", `[{"id":"x"}]`, "JSON array"},
		{"string", `"run"`, "JSON string"},
		{"not json", `id: x`, "not JSON"},
		{"no id", `{"cases": []}`, `missing "id"`},
		{"empty id", `{"id": "", "cases": []}`, `empty "id"`},
		{"no cases", `{"id": "r1", "sets": []}`, `missing "cases"`},
		{"null cases", `{"id": "r1", "cases": null}`, `missing "cases"`},
		{"id of the wrong type", `{"id": 5, "cases": []}`, "Run.id"},
		{"case without id", `{"id": "r1", "cases": [{"set": "s", "status": "passed"}]}`, "case 1: missing set or id"},
		{"unknown status", `{"id": "r1", "cases": [{"set": "s", "id": "c", "status": "ok"}]}`, `case s/c: unknown status "ok"`},
		{"duplicate case", `{"id": "r1", "cases": [{"set": "s", "id": "c", "status": "passed"}, {"set": "s", "id": "c", "status": "failed"}]}`, "s/c appears twice"},
		{"trailing data", `{"id": "r1", "cases": []} {}`, "after top-level value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, err := ReadJSON(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("ReadJSON(%s) = %+v, want an error", tt.doc, run)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not say %q", err, tt.wantErr)
			}
		})
	}
}

func TestReadRunFile(t *testing.T) {
	run, err := ReadRunFile(filepath.Join("testdata", "run_head.json"))
	if err != nil {
		t.Fatal(err)
	}
	if run.ID != "head" || len(run.Cases) != 7 {
		t.Errorf("read run %q with %d cases, want head with 7", run.ID, len(run.Cases))
	}
	// The file has no summary: it is computed from the cases.
	if run.Summary.Cases != 7 || run.Summary.NotRunnable != 1 || run.Summary.Passed != 3 {
		t.Errorf("summary = %+v, want 7 cases, 3 passed, 1 not runnable", run.Summary)
	}

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"cases": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRunFile(bad); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("error %v does not name the file", err)
	}
	if _, err := ReadRunFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("reading a missing file succeeded")
	}
}
