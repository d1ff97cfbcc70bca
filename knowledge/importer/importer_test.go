package importer

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge"
)

func TestFormatOf(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]Format{
		"a.md": Markdown, "dir/A.MARKDOWN": Markdown, "x.html": HTML, "x.htm": HTML,
		"faq.csv": CSV, "faq.jsonl": JSONL, "faq.NDJSON": JSONL,
	} {
		if got, err := FormatOf(name); got != want || err != nil {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	for name, msg := range map[string]string{
		"notes.txt": "notes.txt: unsupported file type .txt (supported: .md,",
		"Makefile":  "Makefile: unsupported file type: no file extension",
		"faq.json":  "faq.json: unsupported file type .json",
	} {
		_, err := FormatOf(name)
		if !errors.Is(err, ErrUnsupportedFormat) || err == nil || !strings.HasPrefix(err.Error(), msg) {
			t.Errorf("FormatOf(%q) error = %v, want %q…", name, err, msg)
		}
	}
}

func TestNormalise(t *testing.T) {
	t.Parallel()
	base := fields{externalID: "a", locale: "en", title: "T", body: "B"}
	with := func(f func(*fields)) fields {
		in := base
		f(&in)
		return in
	}
	want := func(f func(*knowledge.Record)) knowledge.Record {
		r := knowledge.Record{ExternalID: "a", Locale: "en", Title: "T", Body: "B", Status: "published"}
		f(&r)
		return r
	}
	tests := []struct {
		name string
		in   fields
		want knowledge.Record
	}{
		{"locale canonical form", with(func(in *fields) { in.locale = " PT_br " }), want(func(r *knowledge.Record) { r.Locale = "pt-BR" })},
		{"deprecated language code", with(func(in *fields) { in.locale = "iw" }), want(func(r *knowledge.Record) { r.Locale = "he" })},
		{"script and region", with(func(in *fields) { in.locale = "zh-hant-hk" }), want(func(r *knowledge.Record) { r.Locale = "zh-Hant-HK" })},
		{"market upper-cased", with(func(in *fields) { in.market = " de " }), want(func(r *knowledge.Record) { r.Market = "DE" })},
		{"market Kosovo", with(func(in *fields) { in.market = "XK" }), want(func(r *knowledge.Record) { r.Market = "XK" })},
		{"market UK is GB", with(func(in *fields) { in.market = "uk" }), want(func(r *knowledge.Record) { r.Market = "GB" })},
		{"one-line fields collapse whitespace", with(func(in *fields) { in.externalID = " a "; in.title = " Two\n  lines\t" }), want(func(r *knowledge.Record) { r.Title = "Two lines" })},
		{"body trimmed of blank lines, CR normalised", with(func(in *fields) { in.body = "\n \n  indented\r\nline\r\r\n\n" }), want(func(r *knowledge.Record) { r.Body = "  indented\nline" })},
		{"text in NFC", with(func(in *fields) { in.title = "Cafe\u0301"; in.body = "n\u0303" }), want(func(r *knowledge.Record) { r.Title = "Café"; r.Body = "ñ" })},
		{"tags", with(func(in *fields) { in.tags = []string{" VAT ", "", "Cash  on delivery", "vat", "ÉTÉ"} }), want(func(r *knowledge.Record) { r.Tags = []string{"vat", "cash on delivery", "été"} })},
		{"status", with(func(in *fields) { in.status = "DRAFT" }), want(func(r *knowledge.Record) { r.Status = "draft" })},
		{"url", with(func(in *fields) { in.url = " HTTPS://help.example.com/a?b=c#d " }), want(func(r *knowledge.Record) { r.URL = "HTTPS://help.example.com/a?b=c#d" })},
		{"source locale", with(func(in *fields) { in.sourceLocale = "EN-us" }), want(func(r *knowledge.Record) { r.SourceLocale = "en-US" })},
		{"source locale same as locale", with(func(in *fields) { in.sourceLocale = "EN" }), want(func(r *knowledge.Record) {})},
	}
	for _, tt := range tests {
		got, problems := normalise(tt.in)
		if len(problems) > 0 || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: normalise = %#v %q\nwant %#v", tt.name, got, problems, tt.want)
		}
	}

	rejected := []struct {
		name, reason string
		in           fields
	}{
		{"und", `locale "und" has no language`, with(func(in *fields) { in.locale = "und" })},
		{"region only", `locale "und-US" has no language`, with(func(in *fields) { in.locale = "und-US" })},
		{"unknown language", `locale "qq" is not a BCP 47 language tag`, with(func(in *fields) { in.locale = "qq" })},
		{"numeric market", `market "419" is not an ISO 3166-1 alpha-2 country code`, with(func(in *fields) { in.market = "419" })},
		{"alpha-3 market", `market "DEU" is not an ISO 3166-1 alpha-2`, with(func(in *fields) { in.market = "DEU" })},
		{"reserved market", `market "UN" is not an ISO 3166-1 alpha-2`, with(func(in *fields) { in.market = "UN" })},
		{"deleted market", `market "YU" is not an ISO 3166-1 alpha-2`, with(func(in *fields) { in.market = "YU" })},
		{"EU", `market "EU" is not a country`, with(func(in *fields) { in.market = "eu" })},
		{"long ID", "external_id is longer than 256 bytes", with(func(in *fields) { in.externalID = strings.Repeat("x", 257) })},
		{"control character in ID", "external_id contains a control character", with(func(in *fields) { in.externalID = "a\x1bb" })},
		{"long title", "title is longer than 1024 bytes", with(func(in *fields) { in.title = strings.Repeat("t", 1025) })},
		{"too many tags", "33 tags, more than 32", with(func(in *fields) {
			for i := range 33 {
				in.tags = append(in.tags, strings.Repeat("t", i+1))
			}
		})},
		{"relative url", `url "/a" is not an absolute http or https URL`, with(func(in *fields) { in.url = "/a" })},
		{"javascript url", `url "javascript:alert(1)" is not`, with(func(in *fields) { in.url = "javascript:alert(1)" })},
		{"url with a space", `url "https://a.example/b c" is not`, with(func(in *fields) { in.url = "https://a.example/b c" })},
		{"NUL in title", "title contains a NUL byte", with(func(in *fields) { in.title = "a\x00" })},
		{"invalid UTF-8 in body", "body is not valid UTF-8", with(func(in *fields) { in.body = "\xc3" })},
		{"long values are clipped in reasons", `status "` + strings.Repeat("s", 61) + `…" is neither`, with(func(in *fields) { in.status = strings.Repeat("s", 100) })},
	}
	for _, tt := range rejected {
		_, problems := normalise(tt.in)
		if len(problems) != 1 || !strings.Contains(problems[0], tt.reason) {
			t.Errorf("%s: problems = %q, want one containing %q", tt.name, problems, tt.reason)
		}
	}
}

// failingReader returns its data and then an error.
type failingReader struct {
	data string
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.data == "" {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rows := "external_id,locale,title,body\na,en,A,x\nb,en,B,y\n"

	t.Run("input error", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("connection reset")
		for _, format := range []Format{CSV, JSONL, Markdown, HTML} {
			var c collected
			input := rows
			if format == JSONL {
				input = `{"external_id":"a","locale":"en","title":"A","body":"x"}` + "\n"
			}
			err := Read(ctx, &failingReader{input, boom}, format, "upload", c.emit, c.reject)
			if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "read upload: ") {
				t.Errorf("%s: Read = %v, want %v", format, err, boom)
			}
		}
	})

	t.Run("emit stops the read", func(t *testing.T) {
		t.Parallel()
		stop := errors.New("database is down")
		n := 0
		err := Read(ctx, strings.NewReader(rows), CSV, "faq.csv", func(knowledge.Record) error { n++; return stop }, func(knowledge.RowError) {})
		if !errors.Is(err, stop) || n != 1 || err.Error() != "import stopped at faq.csv line 2: database is down" {
			t.Errorf("Read = %v after %d records", err, n)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(ctx)
		n := 0
		err := Read(ctx, strings.NewReader(rows), CSV, "faq.csv", func(knowledge.Record) error { n++; cancel(); return nil }, func(knowledge.RowError) {})
		if !errors.Is(err, context.Canceled) || n != 1 {
			t.Errorf("Read = %v after %d records, want context.Canceled after 1", err, n)
		}
	})

	t.Run("unknown format", func(t *testing.T) {
		t.Parallel()
		err := Read(ctx, strings.NewReader(""), "yaml", "x", func(knowledge.Record) error { return nil }, func(knowledge.RowError) {})
		if !errors.Is(err, ErrUnsupportedFormat) {
			t.Errorf("Read = %v, want ErrUnsupportedFormat", err)
		}
	})

	t.Run("a large Markdown stream is not read past the limit", func(t *testing.T) {
		t.Parallel()
		r := &countingReader{r: io.LimitReader(endless{}, 10*MaxFileSize)}
		var c collected
		if err := Read(ctx, r, Markdown, "big.md", c.emit, c.reject); err != nil {
			t.Fatal(err)
		}
		if len(c.rejects) != 1 || c.rejects[0].Reason != "file is larger than 2 MiB" {
			t.Errorf("rejects = %+v", c.rejects)
		}
		if r.n > MaxFileSize+64<<10 {
			t.Errorf("read %d bytes of a stream over the %d limit", r.n, MaxFileSize)
		}
	})
}

// endless is an endless stream of "x".
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
