// Package demo is the demo help center of the "Attaché Demo Store" that `go tool task dev`
// seeds into the knowledge base: ten customer-facing articles (shipping times and costs,
// returns, refunds, payment methods, EU VAT, cash on delivery, customs, warranty, reaching a
// person) in eleven locales, with market overrides where a market's rule differs.
//
// The files are Markdown with YAML front matter, laid out as <locale>/<slug>.md for an
// article variant and <locale>/<slug>.<MARKET>.md for a market override, which states only
// the sections that differ (see knowledge.MergeOverride). English is the canonical source;
// every other variant names it in source_locale. The package's tests hold the content to
// that shape and check that every translation carries the same numbers as its English source.
//
// It is demo content, not a policy of any real shop and not legal advice, and it is not the
// importer: it only exposes the files.
package demo

import (
	"embed"
	"io/fs"
)

//go:embed */*.md
var files embed.FS

// Files returns the demo articles as a read-only file system rooted at the locale
// directories: "en/returns.md", "de/returns.DE.md", and so on.
func Files() fs.FS { return files }
