package importer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/attache-dev/attache/knowledge"
)

// collected is what one Read or Walk reported.
type collected struct {
	records []knowledge.Record
	rejects []knowledge.RowError
}

func (c *collected) emit(r knowledge.Record) error {
	c.records = append(c.records, r)
	return nil
}

func (c *collected) reject(e knowledge.RowError) { c.rejects = append(c.rejects, e) }

// readString reads input with Read and fails the test on an error.
func readString(t testing.TB, format Format, name, input string) collected {
	t.Helper()
	var c collected
	if err := Read(context.Background(), strings.NewReader(input), format, name, c.emit, c.reject); err != nil {
		t.Fatalf("Read: %v", err)
	}
	return c
}

// wantReject is an expected rejection: its line and words its reason must contain.
type wantReject struct {
	line   int
	reason string
}

// checkResult compares what was read with what was expected, and checks that every
// emitted record is valid.
func checkResult(t *testing.T, got collected, records []knowledge.Record, rejects []wantReject) {
	t.Helper()
	for _, r := range got.records {
		if err := checkRecord(r); err != nil {
			t.Errorf("emitted an invalid record %+v: %v", r, err)
		}
	}
	if len(got.records) != len(records) {
		t.Errorf("emitted %d records, want %d:\n got %s", len(got.records), len(records), describe(got))
	} else {
		for i := range records {
			if !reflect.DeepEqual(got.records[i], records[i]) {
				t.Errorf("record %d:\n got %#v\nwant %#v", i, got.records[i], records[i])
			}
		}
	}
	if len(got.rejects) != len(rejects) {
		t.Errorf("rejected %d, want %d:\n got %s", len(got.rejects), len(rejects), describe(got))
		return
	}
	for i, w := range rejects {
		g := got.rejects[i]
		if g.Line != w.line || !strings.Contains(g.Reason, w.reason) {
			t.Errorf("rejection %d = line %d %q, want line %d containing %q", i, g.Line, g.Reason, w.line, w.reason)
		}
	}
}

func describe(c collected) string {
	var b strings.Builder
	for _, r := range c.records {
		fmt.Fprintf(&b, "\n  record %q %s %q", r.ExternalID, r.Locale, r.Title)
	}
	for _, e := range c.rejects {
		fmt.Fprintf(&b, "\n  reject %s:%d %q: %s", e.Source, e.Line, e.ExternalID, e.Reason)
	}
	return b.String()
}

// checkRecord checks what every emitted record must satisfy. It is written apart from the
// package's own validation so that the fuzz tests can catch that validation letting
// something through.
func checkRecord(r knowledge.Record) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	text := func(name, s string, multiline bool) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || strings.ContainsRune(s, '\r') {
			bad("%s is not clean text: %q", name, s)
		}
		if !multiline && (strings.ContainsAny(s, "\n\t") || strings.TrimSpace(s) != s) {
			bad("%s is not one trimmed line: %q", name, s)
		}
		if !norm.NFC.IsNormalString(s) {
			bad("%s is not NFC: %q", name, s)
		}
	}
	text("external_id", r.ExternalID, false)
	text("title", r.Title, false)
	text("body", r.Body, true)
	if r.ExternalID == "" || len(r.ExternalID) > 256 {
		bad("external_id %q", r.ExternalID)
	}
	if r.Title == "" || len(r.Title) > 1024 {
		bad("title %q", r.Title)
	}
	if strings.TrimSpace(r.Body) == "" || len(r.Body) > MaxBodySize {
		bad("body of %d bytes", len(r.Body))
	}
	for name, loc := range map[string]string{"locale": r.Locale, "source_locale": r.SourceLocale} {
		if loc == "" && name == "source_locale" {
			continue
		}
		tag, err := language.Parse(loc)
		if err != nil || tag.String() != loc || loc == "und" {
			bad("%s %q is not a canonical tag (%v)", name, loc, err)
		}
	}
	if r.SourceLocale == r.Locale && r.SourceLocale != "" {
		bad("source_locale equals locale")
	}
	if r.Market != "" {
		reg, err := language.ParseRegion(r.Market)
		if len(r.Market) != 2 || strings.ToUpper(r.Market) != r.Market || err != nil || !reg.IsCountry() || r.Market == "UK" {
			bad("market %q", r.Market)
		}
	}
	seen := map[string]bool{}
	for _, tag := range r.Tags {
		text("tag", tag, false)
		if tag == "" || tag != strings.ToLower(tag) || seen[tag] || len(tag) > 64 {
			bad("tag %q", tag)
		}
		seen[tag] = true
	}
	if len(r.Tags) > 32 {
		bad("%d tags", len(r.Tags))
	}
	if r.Status != "published" && r.Status != "draft" {
		bad("status %q", r.Status)
	}
	if r.URL != "" {
		u, err := url.Parse(r.URL)
		if err != nil || u.Host == "" || (strings.ToLower(u.Scheme) != "http" && strings.ToLower(u.Scheme) != "https") {
			bad("url %q", r.URL)
		}
	}
	return errors.Join(errs...)
}

// rec is a published record with only the required fields.
func rec(id, locale, title, body string) knowledge.Record {
	return knowledge.Record{ExternalID: id, Locale: locale, Title: title, Body: body, Status: "published"}
}

// readCase is one input given to Read and what Read must report for it.
type readCase struct {
	name    string
	file    string // the name given to Read, a path relative to the import root; empty: the runner's default
	input   string
	records []knowledge.Record
	rejects []wantReject
}

// runReadCases reads every case with format in a parallel subtest, checks what was reported
// with checkResult and then, when also is not nil, runs the caller's own checks on it.
// A case without a file name is read under file.
func runReadCases(t *testing.T, format Format, file string, cases []readCase, also func(t *testing.T, tc readCase, got collected)) {
	t.Helper()
	for _, tc := range cases {
		if tc.file == "" {
			tc.file = file
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := readString(t, format, tc.file, tc.input)
			checkResult(t, got, tc.records, tc.rejects)
			if also != nil {
				also(t, tc, got)
			}
		})
	}
}

// writeFile writes content to the slash-separated path rel under dir, creating the
// directories on the way.
func writeFile(t testing.TB, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
