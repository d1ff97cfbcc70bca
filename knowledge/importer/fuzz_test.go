package importer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge"
)

// fuzzRead reads input and fails on a panic, an invalid record, a rejection without a
// reason, or an error from Read (the input cannot fail and emit never does).
func fuzzRead(t *testing.T, format Format, name string, input []byte) {
	err := Read(context.Background(), strings.NewReader(string(input)), format, name,
		func(r knowledge.Record) error {
			if err := checkRecord(r); err != nil {
				t.Fatalf("emitted an invalid record %#v: %v", r, err)
			}
			return nil
		},
		func(e knowledge.RowError) {
			if e.Reason == "" || e.Source != name || e.Line < 0 {
				t.Fatalf("rejection without a reason or a source: %+v", e)
			}
		})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
}

// fuzzFormat fuzzes Read with format under the file name name, seeded with the sample
// files of that format and with seeds.
func fuzzFormat(f *testing.F, format Format, name string, seeds ...string) {
	addSamples(f, format)
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		fuzzRead(t, format, name, input)
	})
}

// addSamples seeds a fuzz test with the sample files of one format.
func addSamples(f *testing.F, format Format) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*", "*"))
	more, _ := filepath.Glob(filepath.Join("testdata", "*", "*", "*"))
	for _, p := range append(paths, more...) {
		if got, err := FormatOf(p); err != nil || got != format {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzReadJSONL(f *testing.F) {
	fuzzFormat(f, JSONL, "fuzz.jsonl",
		`{"external_id":"a","locale":"en","title":"A","body":"x"}`,
		`{"external_id":1e3,"locale":"pt_br","title":" A ","body":"x\r\ny","tags":"A|b,a","market":"uk","source_locale":"pt-BR"}`,
		`{"external_id":"a","locale":"en","title":"A","body":"\u0000"}`+"\n\n"+`{"a":1}`,
		`{"external_id":"a","locale":"en","title":"A","body":"x","tags":[null,"B"],"url":"http://x"}`,
		"\ufeff{\"external_id\":\"a\",\"locale\":\"und\",\"title\":\"A\",\"body\":\"x\"}\r\n[1]\nnull\n\"s\"\n{",
	)
}

func FuzzReadCSV(f *testing.F) {
	fuzzFormat(f, CSV, "fuzz.csv",
		"external_id,locale,title,body\na,en,A,x\n",
		"body,title,locale,external_id,tags,market,status,url,source_locale\r\n\"x\r\ny\",A,es-419,a,\"b|C,c\",mx,draft,https://e.x/a,en\r\n",
		"external_id,locale,title,body\na,en,\"A\nB\",x\nb,en,B \"q\",x\nc,en,\"C\"x,y\nd,en\n\"e,en,E,x\n",
		"external_id,locale,title\n",
		"\ufeffexternal_id;locale;title;body\n",
	)
}

func FuzzReadMarkdown(f *testing.F) {
	// The name gives a locale and an ID, so that most inputs reach validation.
	fuzzFormat(f, Markdown, "es/fuzz.md",
		"---\nexternal_id: a\nlocale: en\ntitle: T\ntags: [a, B]\n---\nBody.\n",
		"# Title #\n\nBody\r\n",
		"---\nlocale: de\n---\n```\n# code\n```\n# T\n\n\nx",
		"---\na: &x [1]\nb: *x\n---\n",
		"---\ntitle:\n---\n#\n# \t#\n~~~\n# T\n~~~~\n",
		"+++\n",
		"\ufeff---\r\nlocale: es\r\n---\r\n# Hola\r\nMundo\r\n",
	)
}

func FuzzReadHTML(f *testing.F) {
	fuzzFormat(f, HTML, "en/fuzz.html",
		`<html lang="en"><head><title>T</title></head><body><p>x</p></body></html>`,
		`<h1>T</h1><ul><li>a<ol><li>b<table><tr><td><pre>c</pre></td></tr></table></li></ol></li></ul><a href="x"><p>y</p></a>`,
		`<html lang="x-klingon"><meta name="attache:tags" content="A|a"><title>`+"\u00a0"+`</title><blockquote><h2>q<br>r</h2></blockquote>`,
	)
}
