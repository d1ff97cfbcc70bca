package importer

import (
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge"
)

func TestReadJSONL(t *testing.T) {
	t.Parallel()
	tests := []readCase{
		{
			name: "every field; tags as an array or a string; null; numeric ID; BOM; CRLF; blank lines",
			input: "\ufeff" + `{"external_id":"faq-7","locale":"ja","title":"返品について","body":"30日以内に\r\n返品できます。","market":"jp","tags":["Returns"," 返品 ","returns"],"url":"https://help.example.com/ja/faq-7","status":"draft","source_locale":"en"}` + "\r\n" +
				"\n   \n" +
				`{"external_id":42,"locale":"ar","title":"الشحن","body":"يصل الطلب خلال ٥ أيام.","tags":"shipping|الشحن","market":null,"url":null}` + "\n" +
				`{"external_id":"last","locale":"th","title":"ชำระเงิน","body":"เก็บเงินปลายทาง"}`, // no final newline
			records: []knowledge.Record{
				{
					ExternalID: "faq-7", Locale: "ja", Title: "返品について", Body: "30日以内に\n返品できます。", Market: "JP",
					Tags: []string{"returns", "返品"}, URL: "https://help.example.com/ja/faq-7", Status: "draft", SourceLocale: "en",
				},
				{ExternalID: "42", Locale: "ar", Title: "الشحن", Body: "يصل الطلب خلال ٥ أيام.", Tags: []string{"shipping", "الشحن"}, Status: "published"},
				rec("last", "th", "ชำระเงิน", "เก็บเงินปลายทาง"),
			},
		},
		{
			name: "bad lines are rejected with their line number and reading goes on",
			input: `{"external_id":"a","locale":"en","title":"A","body":"x"}` + "\n" + // 1
				`{"external_id":"b","locale":"en","titel":"B","body":"x","Market":"DE"}` + "\n" + // 2
				`{"external_id":"c","locale":"en","title":"C","body":"x"` + "\n" + // 3
				`["external_id","d"]` + "\n" + // 4
				`null` + "\n" + // 5
				`{"external_id":"e","locale":"en","title":7,"body":"x","tags":[1]}` + "\n" + // 6
				"{\"external_id\":\"f\",\"locale\":\"en\",\"title\":\"F\xff\",\"body\":\"x\"}\n" + // 7
				`{"external_id":"g","locale":"en","title":"G","body":"nul\u0000"}` + "\n" + // 8
				`{"external_id":"h","locale":"en","title":"H","body":"x"} {}` + "\n" + // 9
				`{"external_id":"a","locale":"en","title":"A2","body":"y"}` + "\n" + // 10
				`{"external_id":"i","locale":"en","title":"I","body":"x"}` + "\n", // 11
			records: []knowledge.Record{rec("a", "en", "A", "x"), rec("i", "en", "I", "x")},
			rejects: []wantReject{
				{2, `unknown fields "Market" (did you mean market?), "titel" (did you mean title?)`},
				{3, "invalid JSON at byte"},
				{4, "line is not a JSON object"},
				{5, "line is not a JSON object"},
				{6, `field "tags" must be an array of strings or a string; field "title" must be a string`},
				{7, "line is not valid UTF-8"},
				{8, "body contains a NUL byte"},
				{9, "invalid JSON"},
				{10, "duplicate of line 1: same external_id, locale en and no market"},
			},
		},
		{
			name: "a line over the size limit is rejected and the next one is read",
			input: `{"external_id":"a","locale":"en","title":"A","body":"` + strings.Repeat("x", MaxRecordSize) + `"}` + "\n" +
				`{"external_id":"b","locale":"en","title":"B","body":"x"}` + "\n",
			records: []knowledge.Record{rec("b", "en", "B", "x")},
			rejects: []wantReject{{1, "line is longer than 1 MiB"}},
		},
		{
			name:    "a body over its limit within a line that is not",
			input:   `{"external_id":"a","locale":"en","title":"A","body":"` + strings.Repeat("y", MaxBodySize+1) + `"}`,
			rejects: []wantReject{{1, "body is 102401 bytes, over the 100 KiB limit"}},
		},
		{
			name:    "the external ID of a rejected line is reported",
			input:   `{"external_id":"z-1","locale":"en","title":"","body":"x"}`,
			rejects: []wantReject{{1, "title is required"}},
		},
		{
			name:    "UTF-16",
			input:   "\xfe\xff\x00{",
			rejects: []wantReject{{1, "file is UTF-16 text; save it as UTF-8"}},
		},
		{
			name:    "an empty stream",
			input:   "",
			records: nil,
		},
	}
	runReadCases(t, JSONL, "faq.jsonl", tests, nil)
}

func TestRejectionNamesExternalID(t *testing.T) {
	t.Parallel()
	got := readString(t, JSONL, "faq.jsonl", `{"external_id":" z-1 ","locale":"en","title":"","body":"x"}`)
	if len(got.rejects) != 1 || got.rejects[0].ExternalID != "z-1" || got.rejects[0].Source != "faq.jsonl" {
		t.Fatalf("rejects = %+v, want one naming z-1 in faq.jsonl", got.rejects)
	}
}
