// Package knowledge will hold the localized knowledge base: articles, locales, chunking,
// embedding and hybrid retrieval on pgvector and full text.
//
// Today it provides only the hashing embedder (subpackage hashembed), which the offline
// engine also uses to match customer messages against multilingual intent exemplars.
package knowledge
