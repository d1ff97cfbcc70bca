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

// Import stores every record of src, one at a time — so an import of any size holds one
// record in memory and a failure keeps what was stored before it — and calls progress after
// each record (and rejection) with the running summary. by names who imported.
func Import(ctx context.Context, store upserter, by string, src Source, progress func(Summary)) (Summary, error) {
	start := time.Now()
	var sum Summary
	report := func() {
		sum.Duration = time.Since(start)
		if progress != nil {
			progress(sum)
		}
	}
	err := src(func(rec Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		out, err := store.Upsert(ctx, rec, by)
		if err != nil {
			return fmt.Errorf("store %s/%s: %w", rec.ExternalID, rec.Locale, err)
		}
		switch out {
		case Created:
			sum.Created++
		case Updated:
			sum.Updated++
		default:
			sum.Unchanged++
		}
		report()
		return nil
	}, func(re RowError) {
		sum.Rejected++
		if len(sum.Rejections) < maxRejections {
			sum.Rejections = append(sum.Rejections, re)
		} else {
			sum.Truncated = true
		}
		report()
	})
	sum.Duration = time.Since(start)
	return sum, err
}
