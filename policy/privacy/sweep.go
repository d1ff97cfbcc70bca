package privacy

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// Sweep deletes the conversations whose market's retention period has passed since their
// last update, and the knowledge gaps without a conversation that are older than the
// longest period, a batch at a time (each batch its own transaction, so a large backlog
// never holds one long transaction). It shreds the history keys of the deleted
// conversations' workflows before deleting them; it terminates nothing, since workflows of
// conversations that old have long ended.
func (s *Store) Sweep(ctx context.Context, now time.Time) (Summary, error) {
	return s.sweep(ctx, now, nil)
}

// sweep is Sweep with a callback after every batch (the activity heartbeats there).
func (s *Store) sweep(ctx context.Context, now time.Time, progress func(Summary)) (Summary, error) {
	sum := Summary{Deleted: emptyCounts()}
	markets := make([]string, 0, len(s.retention.Markets))
	for m := range s.retention.Markets {
		markets = append(markets, m)
	}
	sort.Strings(markets)
	days := make([]int32, len(markets))
	for i, m := range markets {
		days[i] = int32(s.retention.Markets[m])
	}
	for {
		rows, err := s.db.Query(ctx, `SELECT c.id::text FROM conversations c
			LEFT JOIN unnest($1::text[], $2::int[]) AS r (market, days) ON r.market = upper(c.market)
			WHERE c.updated_at < $3::timestamptz - make_interval(days => coalesce(r.days, $4::int))
			ORDER BY c.updated_at, c.id LIMIT $5`, markets, days, now, s.retention.DefaultDays, s.batch)
		ids, err := collect(rows, err, "expired conversations", pgx.RowTo[string])
		if err != nil {
			return sum, fmt.Errorf("retention sweep: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		n, err := s.shred(ctx, ids)
		if err != nil {
			return sum, fmt.Errorf("retention sweep: %w", err)
		}
		sum.Shredded += n
		err = pgx.BeginTxFunc(ctx, s.db, pgx.TxOptions{}, func(tx pgx.Tx) error {
			return deleteConversations(ctx, tx, ids, sum.Deleted)
		})
		if err != nil {
			return sum, fmt.Errorf("retention sweep: %w", err)
		}
		if progress != nil {
			progress(sum)
		}
		if len(ids) < s.batch {
			break
		}
	}
	cutoff := now.AddDate(0, 0, -s.retention.Longest())
	for {
		tag, err := s.db.Exec(ctx, `DELETE FROM kb_gaps WHERE id IN (
			SELECT g.id FROM kb_gaps g
			WHERE g.created_at < $1
			  AND (g.conversation_id IS NULL OR NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = g.conversation_id))
			LIMIT $2)`, cutoff, s.batch)
		if err != nil {
			return sum, fmt.Errorf("retention sweep: delete old knowledge gaps: %w", err)
		}
		sum.Deleted["kb_gaps"] += tag.RowsAffected()
		if progress != nil {
			progress(sum)
		}
		if tag.RowsAffected() < int64(s.batch) {
			break
		}
	}
	s.log.InfoContext(ctx, "retention sweep done", "conversations", sum.Deleted["conversations"],
		"messages", sum.Deleted["messages"], "kb_gaps", sum.Deleted["kb_gaps"], "shredded", sum.Shredded)
	return sum, nil
}
