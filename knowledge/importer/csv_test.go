package importer

import (
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge"
)

func TestReadCSV(t *testing.T) {
	t.Parallel()
	tests := []readCase{
		{
			name: "columns in any order and case; BOM; CRLF; a quoted multi-line body; optional columns",
			input: "\ufeffTitle , BODY,locale,external_id,tags,market,status,url,source_locale\r\n" +
				"¿Cuándo llega?,\"Entre 3 y 5 días.\r\n\r\nSin costo extra.\",es_mx,faq-1,\"Envíos|plazos, ENVÍOS\",mx,,https://help.example.com/faq-1,en\r\n",
			records: []knowledge.Record{{
				ExternalID: "faq-1", Locale: "es-MX", Title: "¿Cuándo llega?", Body: "Entre 3 y 5 días.\n\nSin costo extra.",
				Market: "MX", Tags: []string{"envíos", "plazos"}, URL: "https://help.example.com/faq-1",
				SourceLocale: "en", Status: "published",
			}},
		},
		{
			name: "bad records are rejected with their line and reading goes on",
			input: "external_id,locale,title,body\n" + // 1
				"a,en,A,\"first\nsecond\"\n" + // 2-3
				"\n" + // 4: blank, skipped
				"b,en,B \"quoted\",x\n" + // 5: bare quote
				"c,en,C\n" + // 6: three fields
				"d,en,\"D\"x,y\n" + // 7: text after a closing quote
				"e,en,E,ok\n", // 8
			records: []knowledge.Record{rec("a", "en", "A", "first\nsecond"), rec("e", "en", "E", "ok")},
			rejects: []wantReject{
				{5, `a quote inside a field that does not start with one (quote the field and double the quote: "B ""quoted""")`},
				{6, "3 fields, but the header has 4"},
				{7, "text after the closing quote of a field"},
			},
		},
		{
			name: "a stray quote that swallows lines names them",
			input: "external_id,locale,title,body\n" +
				"a,en,\"A,x\n" + // 2: opens a quote
				"b,en,B,y\n" +
				"c,en,\",C,z\n" + // 4: closes it: one record of five fields
				"d,en,D,w\n" +
				"e,en,\"E\n" + // 6: opens a quote
				"\",y\n", // 7: closes it: the title spans two lines
			records: []knowledge.Record{rec("d", "en", "D", "w")},
			rejects: []wantReject{
				{2, "5 fields, but the header has 4 (lines 2-4; a stray quote?)"},
				{6, "title spans lines 6-7 (a stray quote?)"},
			},
		},
		{
			name:    "a quote never closed runs to the end of the file",
			input:   "external_id,locale,title,body\na,en,A,x\nb,en,\"B,y\nc,en,C,z\n",
			records: []knowledge.Record{rec("a", "en", "A", "x")},
			rejects: []wantReject{{3, "a quoted field is not closed, or text follows its closing quote (lines 3-4)"}},
		},
		{
			name: "field validation, each reason",
			input: "external_id,locale,title,body,market,tags,status,url\n" +
				",en,T,x,,,,\n" + // 2
				"a,,T,x,,,,\n" + // 3
				"a,english,T,x,,,,\n" + // 4
				"a,en,,x,,,,\n" + // 5
				"a,en,T,,,,,\n" + // 6
				"a,en,T,x,EU,,,\n" + // 7
				"a,en,T,x,XY,,,\n" + // 8
				"a,en,T,x,,,archived,\n" + // 9
				"a,en,T,x,,,,www.example.com\n" + // 10
				"a,en,Caf\xe9,x,,,,\n" + // 11
				"a,en,T,x,,\"" + strings.Repeat("toolong", 10) + "\",,\n" + // 12
				"a,en-US-u-ca-gregory,T,x,,,,\n" + // 13
				"a,en,T,\"   \n\t\",,,,\n", // 14
			rejects: []wantReject{
				{2, "external_id is required"},
				{3, "locale is required"},
				{4, `locale "english" is not a BCP 47 language tag`},
				{5, "title is required"},
				{6, "body is required"},
				{7, `market "EU" is not a country`},
				{8, `market "XY" is not an ISO 3166-1 alpha-2 country code`},
				{9, `status "archived" is neither published nor draft`},
				{10, `url "www.example.com" is not an absolute http or https URL`},
				{11, "title is not valid UTF-8"},
				{12, "is longer than 64 bytes"},
				{13, "has extensions"},
				{14, "body is required"},
			},
		},
		{
			name: "duplicates of external_id, locale and market are rejected naming the first line",
			input: "external_id,locale,title,body,market\n" +
				"a,es,A,x,\n" +
				"a,es,A,x,MX\n" + // another market: fine
				"a,es-419,A,x,\n" + // another locale: fine
				"a,ES,A again,y,\n", // same key once normalised
			records: []knowledge.Record{rec("a", "es", "A", "x"), {ExternalID: "a", Locale: "es", Title: "A", Body: "x", Market: "MX", Status: "published"}, rec("a", "es-419", "A", "x")},
			rejects: []wantReject{{5, "duplicate of line 2: same external_id, locale es and no market"}},
		},
		{
			name:    "an unknown column rejects the file, naming it",
			input:   "external_id,locale,question,answer\na,en,Q,A\n",
			rejects: []wantReject{{1, `unknown columns "answer" (did you mean body?), "question" (did you mean title?)`}},
		},
		{
			name:    "the header line is counted after blank lines",
			input:   "\n\nexternal_id,locale,title,body,extra\n",
			rejects: []wantReject{{3, `unknown column "extra"`}},
		},
		{
			name:    "a missing required column",
			input:   "external_id,locale,title\na,en,T\n",
			rejects: []wantReject{{1, "missing required column body"}},
		},
		{
			name:    "a repeated column",
			input:   "external_id,locale,title,body,Title\n",
			rejects: []wantReject{{1, `column "title" appears twice`}},
		},
		{
			name:    "a column without a name",
			input:   "external_id,locale,title,body,\n",
			rejects: []wantReject{{1, "column 5 of the header has no name"}},
		},
		{
			name:    "semicolons",
			input:   "external_id;locale;title;body\na;en;T;x\n",
			rejects: []wantReject{{1, "separate columns with commas"}},
		},
		{
			name:    "an empty file",
			input:   "",
			rejects: []wantReject{{0, "file is empty; a CSV file needs a header row"}},
		},
		{
			name:    "a bad header row",
			input:   "external_id,\"locale\"x,title,body\n",
			rejects: []wantReject{{1, "header row: text after the closing quote of a field"}},
		},
		{
			name:    "UTF-16",
			input:   "\xff\xfee\x00x\x00",
			rejects: []wantReject{{1, "file is UTF-16 text; save it as UTF-8"}},
		},
		{
			name:    "only a header",
			input:   "external_id,locale,title,body\n",
			records: nil,
		},
	}
	runReadCases(t, CSV, "faq.csv", tests, nil)
}

// TestReadCSVRecordTooLarge: a quote that is never closed in a large file does not make the
// reader buffer the rest of it; the records before it are kept.
func TestReadCSVRecordTooLarge(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("external_id,locale,title,body\na,en,A,x\n")
	b.WriteString("b,en,B,\"never closed\n")
	for b.Len() < 3*MaxRecordSize {
		b.WriteString("c,en,C,more text that is now inside the quoted field\n")
	}
	got := readString(t, CSV, "big.csv", b.String())
	checkResult(t, got,
		[]knowledge.Record{{ExternalID: "a", Locale: "en", Title: "A", Body: "x", Status: "published"}},
		[]wantReject{{3, "record is larger than 1 MiB (an unclosed quote?); the rest of the file was not read"}})
}
