// Package importer reads knowledge-base content from the files a knowledge manager already
// has — Markdown with YAML front matter, HTML pages, CSV and JSONL exports of FAQs — and
// turns it into validated [knowledge.Record] values, streaming: CSV and JSONL are read one
// record at a time, and a Markdown or HTML file is one record, so memory stays bounded
// however large an import is. Each bad row or file is reported with its reason through a
// reject callback and the import goes on; a record is emitted whole and valid, or not at all.
//
// It is not a store and not a crawler: it touches no database and no network, and it does
// not decide what is new, changed or unchanged (the store does, by external ID, locale and
// market). `attache kb import PATH` uses [Walk]; `POST /v1/knowledge/import` uses [Read]
// with [CSV] or [JSONL].
//
// # Formats
//
// The format of a file is chosen by its extension ([FormatOf]): .md and .markdown are
// Markdown, .html and .htm HTML, .csv CSV, .jsonl and .ndjson JSONL (case-insensitive).
//
// Markdown: optional YAML front matter between a first line "---" and the next line "---",
// with the keys external_id, locale, market, tags (a list, or one string split on "|" or
// ","), title, source_locale, url and status. Any other key rejects the file, naming the key
// (a typo such as "titel" or Hugo's "draft: true" must not pass silently), and so does a key
// given twice or a YAML alias. The title is the front matter's title, else the text of the
// first "# " heading outside fenced code; that heading leaves the body when it is the title
// or repeats it. The body is the rest of the file, as Markdown. TOML front matter ("+++") is
// rejected with a reason. Front matter is parsed with gopkg.in/yaml.v3 into a node tree, so
// that values are taken as written ("market: NO" is Norway, not false).
//
// HTML: parsed with golang.org/x/net/html and sanitised into Markdown-like text: headings
// become "#" to "######", paragraphs and lists ("- ", "1. ") keep their structure, links are
// written as "text (URL)" when the URL is absolute http(s), mailto: or tel: (relative links are
// resolved against the page's URL when one is known, else only their text is kept), table
// rows become "cell | cell" lines, <pre> becomes a fenced code block. script, style, iframe,
// object, embed, form and its controls, noscript, template, svg, math, canvas, audio, video,
// nav and elements with the hidden attribute are dropped with their content; every attribute
// is dropped; images are dropped. When the page has a <main> (else an <article>), only its
// first one is the body. Metadata comes from <meta name="attache:FIELD" content="..."> with
// FIELD one of external_id, locale, market, tags, title, source_locale, url, status (another
// attache: name, or one given twice, rejects the page), then <html lang> for the locale,
// <link rel="canonical"> for the URL when it is absolute http(s), and <title>, else the first
// <h1>, for the title; that <h1> leaves the body when it is the title or repeats it.
//
// CSV: comma-separated, RFC 4180 quoting (quoted fields may span lines), a header row
// naming the columns in any order, case-insensitive: external_id, locale, title and body
// are required; market, tags ("|" or "," separated), url, status and source_locale are
// optional. An unknown or repeated column rejects the whole file, naming it. A record that
// does not parse (a bare quote, a quote in the middle of a quoted field) or has another
// number of fields than the header is rejected with its line number and reading goes on
// with the next line; so is a record where a field other than body spans lines, which is a
// stray quote rather than what the author meant. A record larger than [MaxRecordSize]
// (usually an unclosed quote that swallows the rest of the file) is rejected and ends the
// file, since no later record boundary can be trusted. Blank lines are skipped.
//
// JSONL: one JSON object per line with the same field names (exact case); blank lines are
// skipped. tags is an array of strings or one string split on "|" or ","; external_id may be
// a JSON number; null means absent. An unknown field rejects the line, naming the field. A
// line longer than [MaxRecordSize] is rejected and reading goes on with the next line.
//
// # Locales from paths
//
// For Markdown and HTML, the locale may come from the file's path relative to the import
// root: a file name suffix before the extension ("returns.es.md", "returns.pt-BR.html") or
// the first directory ("es/returns.md", "pt_BR/shipping/cod.md"). Only segments of the form
// ll, ll-Ssss, ll-RR, ll-419 or ll-Ssss-RR ("_" also accepted) with a two-letter ISO 639-1
// language count, so that directories such as "api" or "new" (which are ISO 639 codes too)
// are not taken for locales; a directory named "eu" or "uk" is Basque or Ukrainian, not a
// market. A locale written in the file (front matter, attache:locale, <html lang>) takes
// precedence, but must agree with the path: "es" and "es-MX" agree (the more specific one
// is used), "es" and "fr" do not, and the file is rejected with both named. The same holds
// for a suffix and a directory that disagree.
//
// The default external ID of a Markdown or HTML file is its path relative to the root,
// slash-separated, without extension and without the locale segments above, so that
// "en/returns.md", "es/returns.md" and "returns.de.md" are three locales of the article
// "returns".
//
// # Validation
//
// Every record, whatever its format: external_id, locale, title and body are required;
// external_id is at most 256 bytes and title at most 1 KiB, both on one line (inner
// whitespace is collapsed); body is at most [MaxBodySize] after normalisation. locale and
// source_locale are BCP 47 tags with an explicit language, normalised by golang.org/x/text
// ("pt-br" and "pt_BR" become "pt-BR", "iw" becomes "he"); extensions ("-u-", "-x-") are
// rejected; a source_locale equal to locale means the record is the source and is cleared.
// market is empty (every market) or an officially assigned ISO 3166-1 alpha-2 code,
// upper-cased, plus XK (Kosovo, used by CLDR and payment providers); UK becomes GB; EU and
// other groups are rejected because a market is one country. tags are trimmed,
// lower-cased, inner whitespace collapsed, deduplicated in order; at most 32 tags of at
// most 64 bytes. status is "published" (the default) or "draft". url, when present, is an
// absolute http or https URL.
//
// Text must be valid UTF-8 and contain no NUL byte (text in UTF-16 or a legacy encoding is
// rejected with a reason, with the line of the first bad byte for Markdown and HTML); a
// leading UTF-8 byte order mark is dropped, CRLF and lone CR become LF, and text is put in
// Unicode NFC so that the same visible text always gives the same bytes (re-imports stay
// unchanged). A record with several problems is rejected once, with all of them in its
// reason.
//
// Bodies are untrusted text: Markdown sources may contain raw HTML, and sanitised HTML may
// contain text such as "<b>" that was written as entities. Whoever renders a body must
// escape or sanitise it.
//
// # Duplicates
//
// Within one [Read] or [Walk], a second valid record with the same external ID, locale and
// market as an earlier one is rejected, naming where the first came from. This keeps a set
// of the keys seen (measured: about 120 bytes per record with IDs of 20 bytes, some 120 MB
// for a million records); records themselves are never retained.
//
// # Directory walks
//
// [Walk] visits a directory tree in lexical order (deterministic), skipping without a word:
// hidden files and directories (a name starting with "."; this covers .git and .DS_Store),
// editor backups ending in "~", Thumbs.db and desktop.ini anywhere, and README, LICENSE,
// LICENCE, COPYING, CHANGELOG, CONTRIBUTING, NOTICE and AUTHORS files (any extension) at
// the top of the import root, which describe the content rather than being content. Every
// other file is read, or rejected with a reason: an unsupported extension, a symbolic link
// (never followed inside the tree), something that is not a regular file, a file that
// cannot be read. The root itself may be a file, or a symbolic link to one.
package importer
