package knowledge

import (
	"context"
	"errors"
)

// ErrNotFound is returned when an article or variant does not exist.
var ErrNotFound = errors.New("knowledge: not found")

// Record is one article variant as a source gives it: a Markdown file, an HTML page, a CSV or
// JSONL row. (ExternalID, Locale, Market) identifies it: importing the same record again
// changes nothing; importing it with another text makes a new version.
type Record struct {
	ExternalID   string   // the source's stable ID of the article (required)
	Locale       string   // BCP 47 tag of this variant (required)
	Title        string   // required
	Body         string   // Markdown text (HTML sources are sanitised into it)
	Market       string   // "" for every market; an ISO 3166-1 alpha-2 code for a market override
	Tags         []string // lower-case topic tags, e.g. "returns", "vat"
	SourceLocale string   // the locale of the canonical source this variant translates; "" = this variant is the source
	URL          string   // where the customer can read the article, if published on a help center
	Status       string   // "published" (default) or "draft"
	// Channels are the channels the variant is for ("web", "whatsapp", ...); none: every channel.
	Channels []string
	// Audience is who may read it: AudienceCustomers (also ""; the agent quotes it) or
	// AudienceAgents (internal guidance for the human team, never shown to customers).
	Audience string
}

// Audiences of the knowledge base.
const (
	AudienceCustomers = "customers"
	AudienceAgents    = "agents"
)

// RowError is an input row or file that was rejected, and why. Nothing of it is stored.
type RowError struct {
	Source     string // file name, or the name given to a stream
	Line       int    // 1-based line (or CSV record) number, 0 when not applicable
	ExternalID string // when known
	Reason     string
}

// Embedder turns texts into vectors. Model names the embedding space: vectors of different
// models (or dimensions) are never compared.
type Embedder interface {
	Model() string
	Dims() int
	EmbedBatch(ctx context.Context, texts []string) ([][]float32, error)
}

// Query is a customer question to retrieve passages for.
type Query struct {
	Text   string
	Locale string // the customer's locale (BCP 47)
	Market string // ISO 3166-1 alpha-2, "" when unknown
	// Channel is the conversation's channel ("web", "whatsapp", ...): variants restricted to
	// other channels are left out. "" leaves out none.
	Channel string
	// Audience is who asks: AudienceCustomers (the default) reads only customer-facing
	// variants; AudienceAgents reads those and the internal ones.
	Audience string
	K        int // how many passages; default 5
}

// Passage is a retrieved chunk of a published article variant, with what a citation needs
// and why it was retrieved.
type Passage struct {
	ChunkID    int64
	ExternalID string
	Title      string
	Heading    string // the section path within the article
	Text       string
	Locale     string // the variant's locale
	Market     string // "" for the market-wide variant, else the override's market
	Version    int
	URL        string

	Score      float64 // reciprocal-rank fusion of the two rankings
	VectorRank int     // 1-based rank by embedding similarity, 0 when not in that ranking
	TextRank   int     // 1-based rank by full-text match, 0 when not in that ranking
	Similarity float64 // cosine similarity of the question's and the passage's embeddings (0 when not ranked)
	TextScore  float64 // full-text rank (ts_rank_cd, normalised by length), 0 when not matched
	// Fallback is true when the passage is not in the customer's locale: no variant in it
	// was published, so the market's or the default language served.
	Fallback bool
}

// Gap reasons.
const (
	GapNoPassage      = "no_passage"                // no good passage for an informational question
	GapFallbackLocale = "fallback_locale"           // answered from another language than the customer's
	GapHandoff        = "handoff_missing_knowledge" // handed to a human for want of knowledge
)

// Gap is one question the knowledge base did not answer well.
type Gap struct {
	ConversationID string // "" when not from a conversation (e.g. the console's test box)
	Question       string
	Locale, Market string
	Reason         string
	TopScore       float64
}
