package importer

import (
	"os"
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge"
)

func TestReadHTML(t *testing.T) {
	t.Parallel()
	tests := []readCase{
		{
			name: "metadata from meta elements, lang, canonical and title; the repeated h1 leaves the body",
			file: "pages/returns.html",
			input: `<!doctype html><html lang="pt-br"><head><title> Devoluções
				</title><meta name="Attache:External_ID" content="returns"><meta name="attache:tags" content="Returns|Trocas">
				<meta name="attache:source_locale" content="en"><meta name="description" content="ignored">
				<link rel="alternate canonical" href="https://help.example.com/pt-BR/returns"></head>
				<body><h1>Devoluções</h1><p>Você tem
				30   dias.</p></body></html>`,
			records: []knowledge.Record{{
				ExternalID: "returns", Locale: "pt-BR", Title: "Devoluções", Body: "Você tem 30 dias.",
				Tags: []string{"returns", "trocas"}, SourceLocale: "en",
				URL: "https://help.example.com/pt-BR/returns", Status: "published",
			}},
		},
		{
			name: "sanitised structure: headings, lists, links, tables, pre, quotes; no scripts, forms or attributes",
			file: "es/envios.html",
			input: `<html><head><title>Envíos</title><script>alert("head")</script></head><body>
				<nav><a href="/es">Inicio</a></nav>
				<p onclick="evil()" style="color:red">Enviamos a <b>toda</b> España.<br>Islas incluidas.</p>
				<script>document.write("x")</script><style>p{}</style>
				<h3>Plazos</h3>
				<ol><li>Península: 2 días</li><li>Baleares<ul><li>Mallorca</li></ul></li></ol>
				<table><thead><tr><th>Zona</th><th>Precio</th></tr></thead>
				<tbody><tr><td><p>Península</p></td><td>4,95&nbsp;€</td></tr><tr><td></td><td></td></tr></tbody></table>
				<pre>  codigo
    indentado</pre>
				<blockquote><p>Cita.</p></blockquote>
				<p>Ver <a href="https://example.com/tarifas">tarifas</a>, <a href="javascript:evil()">esto</a>,
				<a href="#arriba">arriba</a>, <a href="/relativo">relativo</a> y <a href="https://example.com/x">https://example.com/x</a>.</p>
				<form><input name="q"><button>Buscar</button></form><iframe src="https://evil.example"></iframe>
				<object data="x.swf">fallback</object><p hidden>oculto</p><img src="x.png" alt="foto">
				</body></html>`,
			records: []knowledge.Record{{
				ExternalID: "envios", Locale: "es", Title: "Envíos", Status: "published",
				Body: "Enviamos a toda España.\nIslas incluidas.\n\n### Plazos\n\n1. Península: 2 días\n2. Baleares\n   - Mallorca\n\n" +
					"Zona | Precio\nPenínsula | 4,95 €\n\n```\n  codigo\n    indentado\n```\n\n> Cita.\n\n" +
					"Ver tarifas (https://example.com/tarifas), esto, arriba, relativo y https://example.com/x.",
			}},
		},
		{
			name:  "title from the first h1 when there is no <title>; <main> is the body",
			file:  "faq.de.html",
			input: `<html><body><header><h1>Shop</h1></header><main><p>Vorwort.</p><h1>Widerruf</h1><p>14 Tage.</p></main><footer>Impressum</footer></body></html>`,
			records: []knowledge.Record{{
				ExternalID: "faq", Locale: "de", Title: "Widerruf", Body: "Vorwort.\n\n14 Tage.", Status: "published",
			}},
		},
		{
			name:  "relative links resolved against the page URL",
			file:  "a.html",
			input: `<html lang="en"><head><title>A</title><meta name="attache:url" content="https://help.example.com/en/a"></head><body><p>See <a href="../fr/b">b</a>.</p></body></html>`,
			records: []knowledge.Record{{
				ExternalID: "a", Locale: "en", Title: "A", Body: "See b (https://help.example.com/fr/b).",
				URL: "https://help.example.com/en/a", Status: "published",
			}},
		},
		{
			name:  "meta locale wins over html lang",
			file:  "a.html",
			input: `<html lang="en"><head><title>A</title><meta name="attache:locale" content="ja"></head><body><p>本文。</p></body></html>`,
			records: []knowledge.Record{{
				ExternalID: "a", Locale: "ja", Title: "A", Body: "本文。", Status: "published",
			}},
		},
		{
			name:    "an unknown attache meta name",
			file:    "a.html",
			input:   `<html lang="en"><head><meta name="attache:langauge" content="en"><title>A</title></head><body><p>x</p></body></html>`,
			rejects: []wantReject{{0, `unknown meta name "attache:langauge"`}},
		},
		{
			name:    "a repeated attache meta name",
			file:    "a.html",
			input:   `<html lang="en"><head><meta name="attache:market" content="DE"><meta name="attache:market" content="AT"><title>A</title></head><body><p>x</p></body></html>`,
			rejects: []wantReject{{0, "meta attache:market appears twice"}},
		},
		{
			name:    "html lang disagrees with the directory",
			file:    "es/a.html",
			input:   `<html lang="en"><head><title>A</title></head><body><p>x</p></body></html>`,
			rejects: []wantReject{{0, "<html lang> says locale en but the path says es"}},
		},
		{
			name:    "only scripts: no body",
			file:    "a.html",
			input:   `<html lang="en"><head><title>A</title></head><body><script>x()</script><form><p>Search</p></form></body></html>`,
			rejects: []wantReject{{0, "body is required"}},
		},
		{
			name:    "no title",
			file:    "a.html",
			input:   `<html lang="en"><body><h2>Sub</h2><p>x</p></body></html>`,
			rejects: []wantReject{{0, "title is required"}},
		},
		{
			name:    "not UTF-8",
			file:    "a.html",
			input:   "<html lang=\"fr\"><head><title>Caf\xe9</title></head><body><p>x</p></body></html>",
			rejects: []wantReject{{1, "file is not valid UTF-8"}},
		},
	}
	runReadCases(t, HTML, "", tests, func(t *testing.T, _ readCase, got collected) {
		for _, r := range got.records {
			for _, bad := range []string{"<", "alert", "evil", "document.write", "Buscar", "fallback", "oculto", "foto", "Inicio", "Impressum"} {
				if strings.Contains(r.Body, bad) {
					t.Errorf("body keeps %q:\n%s", bad, r.Body)
				}
			}
		}
	})
}

// TestSampleHTML reads the sample page a README example uses.
func TestSampleHTML(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/samples/cod.id.html")
	if err != nil {
		t.Fatal(err)
	}
	got := readString(t, HTML, "cod.id.html", string(b))
	checkResult(t, got, []knowledge.Record{{
		ExternalID: "cash-on-delivery", Locale: "id", Title: "Bayar di tempat (COD)", Market: "ID",
		Tags: []string{"cod", "pembayaran"}, URL: "https://help.example.com/id/cod", Status: "published",
		Body: `Anda dapat membayar pesanan secara tunai kepada kurir saat paket tiba.

## Syarat

- Total pesanan paling banyak Rp 5.000.000.
- Alamat pengiriman di wilayah yang dilayani kurir COD.
  1. Jabodetabek
  2. Surabaya dan sekitarnya

## Biaya

Total pesanan | Biaya COD
Sampai Rp 1.000.000 | Gratis
Di atas Rp 1.000.000 | 1% dari total

Siapkan uang pas. Lihat juga kebijakan pengembalian (https://help.example.com/id/returns) atau hubungi bantuan@example.com.`,
	}}, nil)
}
