package knowledge

import (
	"context"
	"fmt"
	"time"
)

// Outcome says what storing a record did.
type Outcome string

const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
)

// maxRejections is how many rejected rows a summary lists; it counts them all.
const maxRejections = 1000

// ImportBatchSize is how many records Import hands a batch upserter at once: large enough
// that a batch costs a few round trips per hundred records, small enough that one batch's
// text, chunks and vectors fit easily in memory and a failed batch is cheap to redo.
const ImportBatchSize = 200

// Summary is what an import did.
type Summary struct {
	Created, Updated, Unchanged, Rejected int
	Rejections                            []RowError // the first maxRejections, in input order
	Truncated                             bool       // more rows were rejected than Rejections lists
	Duration                              time.Duration
}

// String is the one-line account of an import: "3 created, 1 updated, 10 unchanged, 2 rejected".
func (s Summary) String() string {
	return fmt.Sprintf("%d created, %d updated, %d unchanged, %d rejected", s.Created, s.Updated, s.Unchanged, s.Rejected)
}

// Total is how many records or rows the import saw.
func (s Summary) Total() int { return s.Created + s.Updated + s.Unchanged + s.Rejected }

// Source streams records to emit and rejected rows to reject (importer.Read and Walk are sources).
type Source func(emit func(Record) error, reject func(RowError)) error

type upserter interface {
	Upsert(ctx context.Context, rec Record, by string) (Outcome, error)
}

// batchUpserter is the optional upgrade of an upserter that stores many records in one
// transaction: all of recs, with one outcome each in order, or none of them and an error.
// Records with the same key in one batch must be stored as if one after the other.
type batchUpserter interface {
	UpsertBatch(ctx context.Context, recs []Record, by string) ([]Outcome, error)
}

// Import stores every record of src and calls progress with the running summary after each
// stored batch and each rejection. by names who imported.
//
// When store has an UpsertBatch method, records are stored ImportBatchSize at a time, each
// batch in one call; otherwise one at a time with Upsert. Either way an import of any size
// holds at most one batch in memory, and a failure keeps every batch stored before it: the
// summary counts exactly what was stored, and the error names the failed batch's first
// record. When src fails after emitting records that are not stored yet, they are stored
// (unless ctx is done) before Import returns src's error.
func Import(ctx context.Context, store upserter, by string, src Source, progress func(Summary)) (Summary, error) {
	start := time.Now()
	var sum Summary
	report := func() {
		sum.Duration = time.Since(start)
		if progress != nil {
			progress(sum)
		}
	}
	put, size := oneAtATime(store), 1
	if b, ok := store.(batchUpserter); ok {
		put, size = b.UpsertBatch, ImportBatchSize
	}
	batch := make([]Record, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		outs, err := put(ctx, batch, by)
		if err == nil && len(outs) != len(batch) {
			err = fmt.Errorf("the store returned %d outcomes for %d records", len(outs), len(batch))
		}
		if err != nil {
			first, n := batch[0], len(batch)
			batch = batch[:0] // nothing of it was stored, and it is not tried again
			if n == 1 {
				return fmt.Errorf("store %s/%s: %w", first.ExternalID, first.Locale, err)
			}
			return fmt.Errorf("store a batch of %d records from %s/%s on: %w", n, first.ExternalID, first.Locale, err)
		}
		for _, out := range outs {
			switch out {
			case Created:
				sum.Created++
			case Updated:
				sum.Updated++
			default:
				sum.Unchanged++
			}
		}
		clear(batch) // drop the texts now, not when the next batch overwrites them
		batch = batch[:0]
		report()
		return nil
	}
	err := src(func(rec Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch = append(batch, rec)
		if len(batch) < size {
			return nil
		}
		return flush()
	}, func(re RowError) {
		sum.Rejected++
		if len(sum.Rejections) < maxRejections {
			sum.Rejections = append(sum.Rejections, re)
		} else {
			sum.Truncated = true
		}
		report()
	})
	switch {
	case err == nil:
		err = flush()
	case ctx.Err() == nil && len(batch) > 0:
		// The source failed (a broken stream, an oversized upload); what it gave before the
		// failure is valid and is stored, as it would have been one record at a time.
		if ferr := flush(); ferr != nil {
			err = fmt.Errorf("%w (and then: %w)", err, ferr)
		}
	}
	sum.Duration = time.Since(start)
	return sum, err
}

// oneAtATime adapts a plain upserter to the batch shape: with batches of one record, a
// failure leaves no record of the batch stored.
func oneAtATime(store upserter) func(context.Context, []Record, string) ([]Outcome, error) {
	return func(ctx context.Context, recs []Record, by string) ([]Outcome, error) {
		outs := make([]Outcome, 0, len(recs))
		for _, rec := range recs {
			out, err := store.Upsert(ctx, rec, by)
			if err != nil {
				return nil, err
			}
			outs = append(outs, out)
		}
		return outs, nil
	}
}
