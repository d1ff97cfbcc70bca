package pgstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/attache-dev/attache/tools/commerce"
)

// maxKeyLen bounds an idempotency key; the workflow's keys (workflow ID + turn ID + call
// index) are far shorter.
const maxKeyLen = 200

// operation runs one write under its idempotency key, in one transaction:
//
//  1. claim the key in commerce_operations (a concurrent call with the same key waits
//     here until the first commits or rolls back);
//  2. if the key was already there: the same operation and request returns the object as it
//     is now, changing nothing; anything else is commerce.ErrKeyReused;
//  3. else apply the change (which locks what it changes) and read the result.
//
// A refused change rolls the claim back with it, so a refused call can be retried with the
// same key once the state allows it.
func operation[T any](ctx context.Context, s *Store, key, op, objectID string, request any,
	apply func(tx pgx.Tx) error, read func(ctx context.Context, q querier, id string) (T, error)) (T, error) {
	var zero T
	if strings.TrimSpace(key) == "" || len(key) > maxKeyLen {
		return zero, fmt.Errorf("%s %s: the idempotency key must be 1 to %d characters: %w", op, objectID, maxKeyLen, commerce.ErrInvalid)
	}
	hash, err := requestHash(op, request)
	if err != nil {
		return zero, fmt.Errorf("%s %s: %w", op, objectID, err)
	}
	var (
		result   T
		replayed bool
	)
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO commerce_operations (key, operation, request_hash, object_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT (key) DO NOTHING`, key, op, hash, objectID)
		if err != nil {
			return fmt.Errorf("claim idempotency key: %w", err)
		}
		if tag.RowsAffected() == 0 {
			var (
				prevOp, prevObject string
				prevHash           []byte
			)
			if err := tx.QueryRow(ctx, `SELECT operation, request_hash, object_id FROM commerce_operations WHERE key = $1`, key).
				Scan(&prevOp, &prevHash, &prevObject); err != nil {
				return fmt.Errorf("read idempotency key: %w", err)
			}
			if prevOp != op || !bytes.Equal(prevHash, hash) || prevObject != objectID {
				return fmt.Errorf("key was used for %s %s: %w", prevOp, prevObject, commerce.ErrKeyReused)
			}
			replayed = true
		} else if err := apply(tx); err != nil {
			return err
		}
		result, err = read(ctx, tx, objectID)
		return err
	})
	if err != nil {
		return zero, fmt.Errorf("%s %s: %w", op, objectID, err)
	}
	// Order IDs identify no one; customer IDs may hold a name (τ²'s "noah_brown_6181").
	logged := objectID
	if strings.Contains(op, "customer") {
		logged = ""
	}
	if replayed {
		s.logger.DebugContext(ctx, "commerce write replayed", "operation", op, "object", logged)
	} else {
		s.logger.InfoContext(ctx, "commerce write applied", "operation", op, "object", logged)
	}
	return result, nil
}

// requestHash identifies a request: the operation and its arguments, JSON-encoded.
func requestHash(op string, request any) ([]byte, error) {
	b, err := json.Marshal(request)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	h := sha256.New()
	h.Write([]byte(op))
	h.Write([]byte{0})
	h.Write(b)
	return h.Sum(nil), nil
}

func readOrderResult(ctx context.Context, q querier, id string) (commerce.Order, error) {
	st, err := readOrder(ctx, q, id, false)
	return st.Order, err
}

// conflict is a commerce.ErrConflict naming the order's state.
func conflict(o orderState, want string) error {
	return fmt.Errorf("order %s is %s, not %s: %w", o.ID, o.Status, want, commerce.ErrConflict)
}

// invalid is a commerce.ErrInvalid with a reason.
func invalid(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, commerce.ErrInvalid)...)
}
