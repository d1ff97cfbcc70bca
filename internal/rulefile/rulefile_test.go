package rulefile

import (
	"errors"
	"io"
	"strings"
	"testing"
)

type rules struct {
	Version string `json:"version"`
}

func load(rd io.Reader) (*rules, error) {
	var r rules
	if err := Decode(rd, "test file", &r); err != nil {
		return nil, err
	}
	if r.Version == "" {
		return nil, errors.New("version: missing")
	}
	return &r, nil
}

func TestDecodeRefusesUnknownFields(t *testing.T) {
	var r rules
	err := Decode(strings.NewReader(`{"version":"1","verison":"2"}`), "test file", &r)
	if err == nil || !strings.Contains(err.Error(), "parse test file") || !strings.Contains(err.Error(), "verison") {
		t.Errorf("Decode with a misspelt field: %v, want an error naming the file and the field", err)
	}
}

func TestEmbeddedLoadsOnceAndPanicsOnABadFile(t *testing.T) {
	calls := 0
	get := Embedded([]byte(`{"version":"2026-11"}`), func(rd io.Reader) (*rules, error) { calls++; return load(rd) })
	if a, b := get(), get(); a != b || a.Version != "2026-11" || calls != 1 {
		t.Errorf("Embedded: %+v %+v after %d loads, want one shared load", a, b, calls)
	}
	defer func() {
		if recover() == nil {
			t.Error("an invalid embedded file did not panic")
		}
	}()
	Embedded([]byte(`{}`), load)()
}
