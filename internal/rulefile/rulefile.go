// Package rulefile reads the versioned rule files of the tools (VAT, cash on delivery,
// returns, carrier mappings): strictly, so that a misspelt field in a shop's own file is an
// error rather than a rule silently left out, and the embedded default once per process.
//
// It is not where any rule is checked: each rules package validates its own content.
package rulefile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// Decode reads one JSON document into v, refusing unknown fields. what names the file in
// the error ("cod rules file").
func Decode(rd io.Reader, what string, v any) error {
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("parse %s: %w", what, err)
	}
	return nil
}

// Embedded returns a function that loads the embedded file with load on first use and
// returns the same rules afterwards. It panics if the embedded file is invalid, which each
// package's tests rule out.
func Embedded[R any](data []byte, load func(io.Reader) (*R, error)) func() *R {
	return sync.OnceValue(func() *R {
		r, err := load(bytes.NewReader(data))
		if err != nil {
			panic(err)
		}
		return r
	})
}
