package analytics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Dimension is what a summary's groups are keyed by.
type Dimension string

// The dimensions of a summary.
const (
	DimMarket   Dimension = "market"
	DimLanguage Dimension = "language"
	DimIntent   Dimension = "intent"
	DimChannel  Dimension = "channel"
	DimStage    Dimension = "stage"
)

// Dimensions lists the dimensions a summary may be grouped by.
func Dimensions() []Dimension {
	return []Dimension{DimMarket, DimLanguage, DimIntent, DimChannel, DimStage}
}

// Unknown is the group key of conversations without a value for the dimension.
const Unknown = "unknown"

// DefaultReopenWindow is how long after an AI answer a customer's new message counts as the
// conversation reopening, and how long a conversation must be quiet to count as resolved.
const DefaultReopenWindow = 24 * time.Hour

// ErrInvalid is returned for a query the Store cannot answer (an unknown dimension, an
// empty time window); its message says which field.
var ErrInvalid = errors.New("invalid analytics query")

// Filter selects conversations: those started in [From, To), with the given dimension
// values ("" = any). Markets compare upper-case, the rest lower-case.
type Filter struct {
	From, To                                 time.Time
	Market, Language, Intent, Channel, Stage string
}

// normalize checks the window and canonicalises the values.
func (f Filter) normalize() (Filter, error) {
	if f.From.IsZero() || f.To.IsZero() || !f.From.Before(f.To) {
		return f, fmt.Errorf("%w: from must be before to", ErrInvalid)
	}
	f.Market = strings.ToUpper(strings.TrimSpace(f.Market))
	f.Language = baseLanguage(f.Language)
	f.Intent = strings.TrimSpace(f.Intent)
	f.Channel = strings.ToLower(strings.TrimSpace(f.Channel))
	f.Stage = strings.ToLower(strings.TrimSpace(f.Stage))
	return f, nil
}

// baseLanguage is a BCP 47 tag's language subtag, lower-case: "pt-BR" → "pt".
func baseLanguage(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// Durations are the median and 90th percentile of a set of durations, in seconds; both are
// 0 when Count is 0.
type Durations struct {
	Count       int
	Median, P90 float64
}

// CSAT is the survey's answers: the mean score (1 to 5) and how many said 4 or 5.
type CSAT struct {
	Responses      int
	Mean           float64 // 0 without responses
	Satisfied      int     // scores 4 and 5
	SatisfiedShare float64 // Satisfied / Responses; 0 without responses
}

// Guardrails counts guardrail hits by kind.
type Guardrails struct {
	Taboo     int // AI replies the cultural-taboo screen rewrote
	Injection int // customer messages flagged as prompt injection
	Abuse     int // customer messages flagged as abusive
	Card      int // customer messages with a card number replaced by "[card]"
}

// Total is the sum of every kind.
func (g Guardrails) Total() int { return g.Taboo + g.Injection + g.Abuse + g.Card }

// ReasonCount is how many handoffs gave one reason, and their share of the conversations.
type ReasonCount struct {
	Reason string
	Count  int
	Rate   float64 // Count / conversations
}

// Figures are the figures of a set of conversations.
type Figures struct {
	Conversations  int
	Resolved       int     // resolved by the AI
	ResolutionRate float64 // Resolved / Conversations
	Reopened       int
	HandedOff      int     // conversations handed to people
	HandoffRate    float64 // HandedOff / Conversations
	// Handoffs counts handoff rows, approval requests included; HandoffsByReason splits
	// them, most frequent first.
	Handoffs           int
	HandoffsByReason   []ReasonCount
	FirstResponse      Durations
	HumanFirstResponse Durations
	Resolution         Durations
	SLATracked         int // handoffs with a first-response deadline
	SLABreaches        int
	CSAT               CSAT
	Guardrails         Guardrails
	ToolFailures       int // handoffs for a failed tool
	ToolCalls          int // tool calls the AI replies record (meta tool_calls); 0 when none do
}

// Group is the figures of the conversations with one value of the dimension.
type Group struct {
	Key string
	Figures
}

// Summary is the figures of a window in total and, when By is set, per group.
type Summary struct {
	Filter Filter
	By     Dimension // "" for totals only
	Total  Figures
	Groups []Group // by key; none without By
}

// Options configures a Store.
type Options struct {
	// ExcludeEval leaves out the conversations of evaluation runs (eval_conversations),
	// when that table exists.
	ExcludeEval bool
	// ReopenWindow: see DefaultReopenWindow, used when zero.
	ReopenWindow time.Duration
	// Now is the clock; time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger
}

// Store computes figures from the database.
type Store struct {
	db           *pgxpool.Pool
	excludeEval  bool
	reopenWindow time.Duration
	now          func() time.Time
	logger       *slog.Logger
}

// New returns a Store. With ExcludeEval it looks once whether eval_conversations exists;
// the table is expected to come with the schema, not to appear later.
func New(ctx context.Context, db *pgxpool.Pool, opts Options) (*Store, error) {
	s := &Store{db: db, reopenWindow: opts.ReopenWindow, now: opts.Now, logger: opts.Logger}
	if s.reopenWindow <= 0 {
		s.reopenWindow = DefaultReopenWindow
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if opts.ExcludeEval {
		if err := db.QueryRow(ctx, `SELECT to_regclass('eval_conversations') IS NOT NULL`).Scan(&s.excludeEval); err != nil {
			return nil, fmt.Errorf("look for eval_conversations: %w", err)
		}
		if !s.excludeEval {
			s.logger.Warn("analytics: no eval_conversations table; evaluation conversations are counted")
		}
	}
	return s, nil
}

// args are a query's parameters in the order of the CTE p.
func (s *Store) args(f Filter, now time.Time) []any {
	return []any{f.From, f.To, now, s.reopenWindow.Seconds(), f.Market, f.Language, f.Intent, f.Channel, f.Stage}
}

// Summary computes the figures of the conversations f selects, in total and grouped by
// the dimension by ("" for totals only). The three statements run in one read-only
// snapshot, so their figures agree.
func (s *Store) Summary(ctx context.Context, f Filter, by Dimension) (Summary, error) {
	f, err := f.normalize()
	if err != nil {
		return Summary{}, err
	}
	if _, ok := groupColumns[by]; !ok {
		return Summary{}, fmt.Errorf("%w: by must be one of market, language, intent, channel, stage", ErrInvalid)
	}
	args := s.args(f, s.now())
	groups := map[string]*Figures{}
	var total Figures
	fig := func(key string, isTotal bool) *Figures {
		if isTotal {
			return &total
		}
		if g, ok := groups[key]; ok {
			return g
		}
		g := &Figures{}
		groups[key] = g
		return g
	}
	var order []string
	err = pgx.BeginTxFunc(ctx, s.db, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, s.query(by, true, false, conversationFigures), args...)
		if err != nil {
			return fmt.Errorf("conversation figures: %w", err)
		}
		for rows.Next() {
			var key string
			var isTotal bool
			var c Figures
			var frMed, frP90, resMed, resP90 *float64
			if err := rows.Scan(&key, &isTotal, &c.Conversations, &c.Resolved, &c.Reopened, &c.HandedOff,
				&frMed, &frP90, &c.FirstResponse.Count, &resMed, &resP90, &c.Resolution.Count,
				&c.CSAT.Responses, &c.CSAT.Mean, &c.CSAT.Satisfied,
				&c.Guardrails.Taboo, &c.Guardrails.Injection, &c.Guardrails.Abuse, &c.Guardrails.Card, &c.ToolCalls); err != nil {
				rows.Close()
				return fmt.Errorf("conversation figures: %w", err)
			}
			if by == "" && !isTotal {
				continue
			}
			c.FirstResponse.Median, c.FirstResponse.P90 = deref(frMed), deref(frP90)
			c.Resolution.Median, c.Resolution.P90 = deref(resMed), deref(resP90)
			if !isTotal {
				order = append(order, key)
			}
			*fig(key, isTotal) = c
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("conversation figures: %w", err)
		}

		rows, err = tx.Query(ctx, s.query(by, false, true, handoffFigures), args...)
		if err != nil {
			return fmt.Errorf("handoff figures: %w", err)
		}
		for rows.Next() {
			var key string
			var isTotal bool
			var handoffs, tracked, breaches, hfrN, toolFailures int
			var hfrMed, hfrP90 *float64
			if err := rows.Scan(&key, &isTotal, &handoffs, &tracked, &breaches, &hfrMed, &hfrP90, &hfrN, &toolFailures); err != nil {
				rows.Close()
				return fmt.Errorf("handoff figures: %w", err)
			}
			if by == "" && !isTotal {
				continue
			}
			c := fig(key, isTotal)
			c.Handoffs, c.SLATracked, c.SLABreaches, c.ToolFailures = handoffs, tracked, breaches, toolFailures
			c.HumanFirstResponse = Durations{Count: hfrN, Median: deref(hfrMed), P90: deref(hfrP90)}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("handoff figures: %w", err)
		}

		rows, err = tx.Query(ctx, s.query(by, false, true, handoffReasons), args...)
		if err != nil {
			return fmt.Errorf("handoff reasons: %w", err)
		}
		for rows.Next() {
			var key, reason string
			var isTotal bool
			var n int
			if err := rows.Scan(&key, &isTotal, &reason, &n); err != nil {
				rows.Close()
				return fmt.Errorf("handoff reasons: %w", err)
			}
			if by == "" && !isTotal {
				continue
			}
			c := fig(key, isTotal)
			c.HandoffsByReason = append(c.HandoffsByReason, ReasonCount{Reason: reason, Count: n})
		}
		return rows.Err()
	})
	if err != nil {
		return Summary{}, fmt.Errorf("analytics summary: %w", err)
	}
	out := Summary{Filter: f, By: by, Total: finish(total)}
	for _, k := range order {
		out.Groups = append(out.Groups, Group{Key: k, Figures: finish(*groups[k])})
	}
	return out, nil
}

// finish fills in the rates.
func finish(f Figures) Figures {
	f.ResolutionRate = ratio(f.Resolved, f.Conversations)
	f.HandoffRate = ratio(f.HandedOff, f.Conversations)
	f.CSAT.SatisfiedShare = ratio(f.CSAT.Satisfied, f.CSAT.Responses)
	for i := range f.HandoffsByReason {
		f.HandoffsByReason[i].Rate = ratio(f.HandoffsByReason[i].Count, f.Conversations)
	}
	return f
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
