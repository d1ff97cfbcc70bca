// Package knowledge is the localized knowledge base the agents answer from: articles with a
// canonical source and per-locale variants (BCP 47), per-market overrides, versions, and the
// passages retrieved for a customer's question.
//
// This package holds the domain types and the small interfaces its users need. Its
// subpackages do the work: hashembed (the offline embedder), importer (Markdown, HTML, CSV
// and JSONL sources, streamed), segment and chunk (text for full-text search and retrieval,
// with Chinese, Japanese and Thai segmented in Go), and pgstore (PostgreSQL + pgvector
// storage and hybrid retrieval).
//
// It is not a CMS: it stores help content for retrieval and curation, not web pages.
package knowledge
