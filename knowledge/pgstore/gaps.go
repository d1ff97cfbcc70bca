package pgstore

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/attache-dev/attache/knowledge"
)

const maxGapQuestionRune = 500

// RecordGap logs a question the knowledge base did not answer well.
func (s *Store) RecordGap(ctx context.Context, g knowledge.Gap) error {
	q := []rune(strings.TrimSpace(g.Question))
	if len(q) > maxGapQuestionRune {
		q = q[:maxGapQuestionRune]
	}
	var conv *string
	if g.ConversationID != "" {
		conv = &g.ConversationID
	}
	_, err := s.db.Exec(ctx, `INSERT INTO kb_gaps (conversation_id, question, norm, locale, market, reason, top_score)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, conv, string(q), normalizeQuestion(string(q)), g.Locale, g.Market, g.Reason, g.TopScore)
	if err != nil {
		return fmt.Errorf("record knowledge gap: %w", err)
	}
	return nil
}

// GapGroup is the same question asked (after normalisation) in one locale and market.
type GapGroup struct {
	Locale, Market string
	Example        string   // the most recent wording
	Count          int      // how many times it was asked
	Reasons        []string // why it was a gap
	LastSeen       time.Time
}

// GapFilter narrows the gap report; zero values mean "all".
type GapFilter struct {
	Locale, Market string
	Since          time.Time
	Limit          int // default 100
}

// Gaps returns the gap report: questions grouped per locale and market, newest first.
func (s *Store) Gaps(ctx context.Context, f GapFilter) ([]GapGroup, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := s.db.Query(ctx, `
		SELECT locale, market, (array_agg(question ORDER BY created_at DESC))[1], count(*),
			array_agg(DISTINCT reason ORDER BY reason), max(created_at)
		FROM kb_gaps
		WHERE ($1 = '' OR locale = $1) AND ($2 = '' OR market = $2) AND created_at >= $3
		GROUP BY locale, market, norm
		ORDER BY max(created_at) DESC
		LIMIT $4`, f.Locale, f.Market, f.Since, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("gap report: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (GapGroup, error) {
		var g GapGroup
		err := r.Scan(&g.Locale, &g.Market, &g.Example, &g.Count, &g.Reasons, &g.LastSeen)
		return g, err
	})
}

// normalizeQuestion makes wordings that differ only in case, width, punctuation and spacing
// group together.
func normalizeQuestion(q string) string {
	// The cases package documents a Caser as possibly stateful and not to be shared
	// between goroutines; gaps are recorded concurrently, so each call takes its own.
	q = cases.Fold().String(norm.NFKC.String(q))
	var b strings.Builder
	space := false
	for _, r := range q {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
			continue
		}
		space = true
	}
	return b.String()
}
