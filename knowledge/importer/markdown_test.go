package importer

import (
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge"
)

func TestReadMarkdown(t *testing.T) {
	t.Parallel()
	tests := []readCase{
		{
			name: "front matter gives every field",
			file: "returns.md",
			input: "---\nexternal_id: returns-policy\nlocale: pt-br\nmarket: br\ntags: [Returns, \" Refunds \", returns]\n" +
				"title: Política de devolução\nsource_locale: en\nurl: https://help.example.com/pt-BR/returns\nstatus: Draft\n---\n\n" +
				"Você tem **30 dias** para devolver.\r\n\r\n- Guarde a nota fiscal.\r\n",
			records: []knowledge.Record{{
				ExternalID: "returns-policy", Locale: "pt-BR", Title: "Política de devolução",
				Body: "Você tem **30 dias** para devolver.\n\n- Guarde a nota fiscal.", Market: "BR",
				Tags: []string{"returns", "refunds"}, SourceLocale: "en",
				URL: "https://help.example.com/pt-BR/returns", Status: "draft",
			}},
		},
		{
			name:  "title from the first heading, which leaves the body; ID and locale from the path",
			file:  "es/envios/plazos.md",
			input: "Intro line.\n\n# Plazos de entrega #\n\nEntre 3 y 5 días hábiles.\n",
			records: []knowledge.Record{{
				ExternalID: "envios/plazos", Locale: "es", Title: "Plazos de entrega",
				Body: "Intro line.\n\nEntre 3 y 5 días hábiles.", Status: "published",
			}},
		},
		{
			name:  "a heading inside fenced code is not the title",
			file:  "cli.en.md",
			input: "```sh\n# not a title\n```\n\n# Using the CLI\n\nRun it.\n",
			records: []knowledge.Record{{
				ExternalID: "cli", Locale: "en", Title: "Using the CLI",
				Body: "```sh\n# not a title\n```\n\nRun it.", Status: "published",
			}},
		},
		{
			name:  "a heading repeating the front matter title leaves the body; BOM dropped; tags as one string",
			file:  "a.md",
			input: "\ufeff---\nlocale: de\ntitle: Rückgabe\ntags: rückgabe|Versand, vat\n---\n# Rückgabe\nText.\n",
			records: []knowledge.Record{{
				ExternalID: "a", Locale: "de", Title: "Rückgabe", Body: "Text.",
				Tags: []string{"rückgabe", "versand", "vat"}, Status: "published",
			}},
		},
		{
			name:  "another heading than the front matter title stays",
			file:  "a.md",
			input: "---\nlocale: de\ntitle: Rückgabe\n---\n# Rücksendung\nText.\n",
			records: []knowledge.Record{{
				ExternalID: "a", Locale: "de", Title: "Rückgabe", Body: "# Rücksendung\nText.", Status: "published",
			}},
		},
		{
			name:  "tags: a YAML list with empty and repeated items",
			file:  "a.md",
			input: "---\nlocale: de\ntags:\n  - VAT\n  -\n  - \"vat \"\n  - Zoll\n---\n# Zoll\nText.\n",
			records: []knowledge.Record{{
				ExternalID: "a", Locale: "de", Title: "Zoll", Body: "Text.",
				Tags: []string{"vat", "zoll"}, Status: "published",
			}},
		},
		{
			name:  "a more specific front matter locale agrees with the directory",
			file:  "es/cod.md",
			input: "---\nlocale: es-MX\nmarket: mx\n---\n# Pago contra entrega\nDisponible en CDMX.\n",
			records: []knowledge.Record{{
				ExternalID: "cod", Locale: "es-MX", Title: "Pago contra entrega", Body: "Disponible en CDMX.",
				Market: "MX", Status: "published",
			}},
		},
		{
			name:  "UK is GB; source_locale equal to locale is cleared; empty front matter values",
			file:  "en-GB/vat.md",
			input: "---\nmarket: UK\nsource_locale: en_gb\nurl:\ntags:\n---\n# VAT\nPrices include VAT.\n",
			records: []knowledge.Record{{
				ExternalID: "vat", Locale: "en-GB", Title: "VAT", Body: "Prices include VAT.",
				Market: "GB", Status: "published",
			}},
		},
		{
			name:    "unknown front matter keys are named, with suggestions",
			file:    "es/a.md",
			input:   "---\ntitel: Hola\ndraft: true\n---\nHola.\n",
			rejects: []wantReject{{2, `unknown front matter keys "draft" (did you mean status?), "titel" (did you mean title?)`}},
		},
		{
			name:    "no locale anywhere",
			file:    "guides/cod.md",
			input:   "# Cash on delivery\nPay the courier.\n",
			rejects: []wantReject{{0, "locale is required"}},
		},
		{
			name:    "front matter locale disagrees with the directory",
			file:    "fr/retours.md",
			input:   "---\nlocale: es\n---\n# Retours\nTexte.\n",
			rejects: []wantReject{{0, "the front matter says locale es but the path says fr"}},
		},
		{
			name:    "file name and directory disagree",
			file:    "es/returns.fr.md",
			input:   "# Retours\nTexte.\n",
			rejects: []wantReject{{0, "the file name says locale fr but the directory says es"}},
		},
		{
			name:    "front matter never closed",
			file:    "es/a.md",
			input:   "---\ntitle: x\n\n# Hola\n",
			rejects: []wantReject{{1, "front matter has no closing --- line"}},
		},
		{
			name:    "front matter is not YAML",
			file:    "es/a.md",
			input:   "---\ntitle: x\n  bad: [\n---\nHola.\n",
			rejects: []wantReject{{3, "front matter is not valid YAML: mapping values are not allowed in this context"}},
		},
		{
			name:    "front matter is a list",
			file:    "es/a.md",
			input:   "---\n- a\n- b\n---\nHola.\n",
			rejects: []wantReject{{2, "front matter is not a set of key: value lines"}},
		},
		{
			name:    "front matter key given twice",
			file:    "es/a.md",
			input:   "---\ntitle: a\ntitle: b\n---\nHola.\n",
			rejects: []wantReject{{3, `front matter key "title" appears twice`}},
		},
		{
			name:    "a YAML alias",
			file:    "es/a.md",
			input:   "---\nexternal_id: &x a\ntitle: *x\n---\nHola.\n",
			rejects: []wantReject{{3, `front matter key "title" is a YAML alias`}},
		},
		{
			name:    "title as a mapping",
			file:    "es/a.md",
			input:   "---\ntitle:\n  es: Hola\n---\nHola.\n",
			rejects: []wantReject{{2, `front matter key "title" must be text`}},
		},
		{
			name:    "tags as a mapping",
			file:    "es/a.md",
			input:   "---\ntags: {a: b}\n---\n# T\nHola.\n",
			rejects: []wantReject{{2, `"tags" must be a list of words or one string`}},
		},
		{
			name:    "TOML front matter",
			file:    "es/a.md",
			input:   "+++\ntitle = \"x\"\n+++\nHola.\n",
			rejects: []wantReject{{1, "TOML front matter (+++) is not supported"}},
		},
		{
			name:    "only a heading: no body",
			file:    "es/a.md",
			input:   "# Solo un título\n\n",
			rejects: []wantReject{{0, "body is required"}},
		},
		{
			name:    "no title",
			file:    "es/a.md",
			input:   "## Not level one\nText.\n",
			rejects: []wantReject{{0, "title is required"}},
		},
		{
			name:    "not UTF-8, with the line",
			file:    "es/a.md",
			input:   "# Título\nLínea dos\nPrecio: 10\xa4\n",
			rejects: []wantReject{{3, "file is not valid UTF-8"}},
		},
		{
			name:    "UTF-16",
			file:    "es/a.md",
			input:   "\xff\xfe#\x00 \x00",
			rejects: []wantReject{{1, "file is UTF-16 text"}},
		},
		{
			name:    "a NUL byte",
			file:    "es/a.md",
			input:   "# Título\n\nTexto\x00.\n",
			rejects: []wantReject{{3, "file contains a NUL byte"}},
		},
		{
			name:    "several problems at once",
			file:    "a.md",
			input:   "---\nlocale: xx-invalid\nmarket: EU\nstatus: archived\nurl: ftp://example.com/a\nsource_locale: x-klingon\n---\n# T\nBody.\n",
			rejects: []wantReject{{0, `locale "xx-invalid" is not a BCP 47 language tag (such as es, pt-BR or zh-Hant-TW); market "EU" is not a country: leave market empty for every market, or write one record per country; status "archived" is neither published nor draft; url "ftp://example.com/a" is not an absolute http or https URL; source_locale "x-klingon" has no language (such as es, pt-BR or zh-Hant-TW)`}},
		},
		{
			name:    "a body over the limit",
			file:    "es/a.md",
			input:   "# T\n" + strings.Repeat("palabra ", MaxBodySize/8+1),
			rejects: []wantReject{{0, "over the 100 KiB limit"}},
		},
		{
			name:    "a file over the limit",
			file:    "es/a.md",
			input:   "# T\n" + strings.Repeat("x", MaxFileSize),
			rejects: []wantReject{{0, "file is larger than 2 MiB"}},
		},
	}
	runReadCases(t, Markdown, "", tests, func(t *testing.T, tt readCase, got collected) {
		for _, e := range got.rejects {
			if e.Source != tt.file {
				t.Errorf("rejection names %q, want %q", e.Source, tt.file)
			}
		}
	})
}

func TestParsePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rel, id, locale, problem string
	}{
		{"returns.md", "returns", "", ""},
		{"es/returns.md", "returns", "es", ""},
		{"returns.es.md", "returns", "es", ""},
		{"pt_BR/shipping/cod.md", "shipping/cod", "pt-BR", ""},
		{"zh-hant-tw/faq.html", "faq", "zh-Hant-TW", ""},
		{"es-419/faq.html", "faq", "es-419", ""},
		{"help/es/returns.md", "help/es/returns", "", ""}, // only the first directory counts
		{"api/new/v1.2.md", "api/new/v1.2", "", ""},       // three-letter codes and versions are not locales
		{"es/returns.es-MX.md", "returns", "es-MX", ""},
		{"de/returns.fr.md", "returns", "", "the file name says locale fr but the directory says de"},
		{"xx/returns.md", "xx/returns", "", ""}, // two letters, but no language
	}
	for _, tt := range tests {
		got := parsePath(tt.rel)
		if got.id != tt.id || got.locale != tt.locale || got.problem != tt.problem {
			t.Errorf("parsePath(%q) = %+v, want id %q locale %q problem %q", tt.rel, got, tt.id, tt.locale, tt.problem)
		}
	}
}
