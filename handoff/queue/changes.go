package queue

import (
	"context"
	"fmt"
	"time"
)

// A cursor is a position in the feed of queue changes, for [Store.Since]: the oldest
// transaction that was still running when the previous read was taken (a PostgreSQL xid8,
// which fits an int64). 0 is the beginning of time.
//
// Why not simply "versions above the highest seen": versions come from a sequence when a row
// is written, but transactions commit in another order, so a change that drew version 4 can
// become visible after one that drew version 5 was read; a reader that moved on to 5 would
// never see it. Every row carries the ID of the transaction that last wrote it, and a reader
// asks for the rows written by transactions that had not finished at its previous read: none
// is missed, at the price of re-reading the ones that were already visible then.

// Head returns the cursor of the present: [Store.Since] from it returns the changes made from
// now on (and possibly a few made just before). A live view reads Head, then [Store.Queue],
// then follows Since from the head.
func (s *Store) Head(ctx context.Context) (int64, error) {
	var head int64
	if err := s.db.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&head); err != nil {
		return 0, fmt.Errorf("read handoff feed head: %w", err)
	}
	return head, nil
}

// Since returns the handoffs changed since cursor, as they stand now, in the order of their
// latest change, and the cursor to pass next time. A handoff changed several times appears
// once, in its latest state. A handoff may come again, unchanged (same Version), in the next
// call: keep, per ID, the copy with the highest Version. Deleted handoffs (their conversation
// was erased) do not appear.
//
// The result holds every change since the oldest transaction that was running at the
// previous call; a transaction left open for a long time somewhere in the cluster makes it
// grow until that transaction ends.
func (s *Store) Since(ctx context.Context, cursor int64) ([]Handoff, int64, error) {
	if cursor < 0 {
		return nil, 0, fmt.Errorf("%w: negative cursor", ErrInvalid)
	}
	// The head is read before the rows, in an earlier snapshot: a transaction it reports
	// as finished was finished for the row query too, so the next call misses nothing.
	next, err := s.Head(ctx)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+columns+` FROM handoffs
		WHERE changed_xid >= $1::text::xid8 ORDER BY version`, fmt.Sprint(cursor))
	if err != nil {
		return nil, 0, fmt.Errorf("read handoff changes: %w", err)
	}
	hs, err := collect(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("read handoff changes: %w", err)
	}
	return hs, next, nil
}

// Watch follows the queue's changes from cursor: it calls [Store.Since] every interval and
// passes fn the handoffs it has not passed before in that state, with the cursor to resume
// from (for an SSE event ID), until ctx ends or fn or a read fails. It returns the error
// that stopped it (ctx.Err() when ctx ended).
//
// Within one Watch a handoff state is delivered once; a new Watch from a stored cursor may
// deliver again some states delivered before it.
func (s *Store) Watch(ctx context.Context, cursor int64, interval time.Duration, fn func(changed []Handoff, cursor int64) error) error {
	if interval <= 0 {
		return fmt.Errorf("%w: watch interval must be positive", ErrInvalid)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	// What the previous read returned. A handoff read again unchanged was read by the
	// previous call (its writer was running at that call, else the cursor would have passed
	// it), so remembering one read back is enough.
	var last map[string]int64
	for {
		hs, next, err := s.Since(ctx, cursor)
		if err != nil {
			return err
		}
		seen := make(map[string]int64, len(hs))
		fresh := make([]Handoff, 0, len(hs))
		for _, h := range hs {
			seen[h.ID] = h.Version
			if v, ok := last[h.ID]; !ok || h.Version > v {
				fresh = append(fresh, h)
			}
		}
		last, cursor = seen, next
		if len(fresh) > 0 {
			if err := fn(fresh, cursor); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
