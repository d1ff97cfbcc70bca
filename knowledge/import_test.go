package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
)

type memStore map[string]string

func (m memStore) Upsert(_ context.Context, r Record, _ string) (Outcome, error) {
	if r.Body == "fail" {
		return "", errors.New("database down")
	}
	k := r.ExternalID + "/" + r.Locale
	old, ok := m[k]
	m[k] = r.Body
	switch {
	case !ok:
		return Created, nil
	case old == r.Body:
		return Unchanged, nil
	}
	return Updated, nil
}

func TestImportCountsEachOutcomeAndReportsProgress(t *testing.T) {
	store := memStore{"a/en": "old", "b/en": "same"}
	recs := []Record{{ExternalID: "a", Locale: "en", Body: "new"}, {ExternalID: "b", Locale: "en", Body: "same"}, {ExternalID: "c", Locale: "en", Body: "x"}}
	var steps int
	sum, err := Import(context.Background(), store, "test", func(emit func(Record) error, reject func(RowError)) error {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return err
			}
		}
		reject(RowError{Source: "faq.csv", Line: 7, Reason: "locale: required"})
		return nil
	}, func(Summary) { steps++ })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 1 || sum.Updated != 1 || sum.Unchanged != 1 || sum.Rejected != 1 || sum.Total() != 4 || steps != 4 {
		t.Fatalf("summary %+v after %d progress calls", sum, steps)
	}
	if sum.Rejections[0].Line != 7 {
		t.Fatalf("rejections %+v", sum.Rejections)
	}
}

func TestImportStopsAtAStoreErrorKeepingWhatWasStored(t *testing.T) {
	store := memStore{}
	sum, err := Import(context.Background(), store, "test", func(emit func(Record) error, reject func(RowError)) error {
		for _, body := range []string{"one", "fail", "three"} {
			if err := emit(Record{ExternalID: body, Locale: "en", Body: body}); err != nil {
				return err
			}
		}
		return nil
	}, nil)
	if err == nil || sum.Created != 1 || len(store) != 1 {
		t.Fatalf("err %v, summary %+v, store %v", err, sum, store)
	}
}

// memBatchStore stores batches all or nothing, and remembers their sizes.
type memBatchStore struct {
	memStore
	sizes []int
}

func (m *memBatchStore) UpsertBatch(ctx context.Context, recs []Record, by string) ([]Outcome, error) {
	m.sizes = append(m.sizes, len(recs))
	for _, r := range recs {
		if r.Body == "fail" {
			return nil, errors.New("database down")
		}
	}
	outs := make([]Outcome, len(recs))
	for i, r := range recs {
		outs[i], _ = m.Upsert(ctx, r, by)
	}
	return outs, nil
}

// emitN is a source of n records with IDs r0, r1, …; the record at index fail (if any) has
// the body "fail", and after emitting stopAfter records (if > 0) the source itself fails.
func emitN(n, fail, stopAfter int) Source {
	return func(emit func(Record) error, reject func(RowError)) error {
		for i := range n {
			if stopAfter > 0 && i == stopAfter {
				return io.ErrUnexpectedEOF
			}
			body := fmt.Sprint("body ", i)
			if i == fail {
				body = "fail"
			}
			if err := emit(Record{ExternalID: fmt.Sprint("r", i), Locale: "en", Body: body}); err != nil {
				return err
			}
			if i%100 == 99 {
				reject(RowError{Source: "faq.jsonl", Line: i + 1, Reason: "locale: required"})
			}
		}
		return nil
	}
}

func TestImportStoresInBatchesWhenTheStoreCan(t *testing.T) {
	n := 2*ImportBatchSize + 7
	tests := []struct {
		name            string
		fail, stopAfter int
		wantCreated     int
		wantSizes       []int
		wantErr         string
	}{
		{"all stored", -1, 0, n, []int{ImportBatchSize, ImportBatchSize, 7}, ""},
		{"a failing batch keeps the batches before it", ImportBatchSize + 3, 0, ImportBatchSize,
			[]int{ImportBatchSize, ImportBatchSize}, fmt.Sprintf("store a batch of %d records from r%d/en on: database down", ImportBatchSize, ImportBatchSize)},
		{"a failing source keeps what it gave", -1, ImportBatchSize + 5, ImportBatchSize + 5,
			[]int{ImportBatchSize, 5}, io.ErrUnexpectedEOF.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memBatchStore{memStore: memStore{}}
			var steps []Summary
			sum, err := Import(context.Background(), store, "test", emitN(n, tt.fail, tt.stopAfter), func(s Summary) { steps = append(steps, s) })
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if sum.Created != tt.wantCreated || len(store.memStore) != tt.wantCreated || !slices.Equal(store.sizes, tt.wantSizes) {
				t.Fatalf("summary %v, %d stored, batches %v; want %d created in batches %v", sum, len(store.memStore), store.sizes, tt.wantCreated, tt.wantSizes)
			}
			// A report after each stored batch and each rejection, each further than the last.
			stored := len(tt.wantSizes)
			if tt.wantErr != "" && tt.stopAfter == 0 {
				stored--
			}
			if len(steps) != stored+sum.Rejected {
				t.Fatalf("%d progress reports for %d batches and %d rejections", len(steps), stored, sum.Rejected)
			}
			for i := 1; i < len(steps); i++ {
				if steps[i].Total() <= steps[i-1].Total() {
					t.Fatalf("progress went from %v to %v", steps[i-1], steps[i])
				}
			}
		})
	}
}

func TestACancelledImportStoresNothingMore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	store := &memBatchStore{memStore: memStore{}}
	sum, err := Import(ctx, store, "test", emitN(3*ImportBatchSize, -1, 0), func(s Summary) {
		if s.Created > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || sum.Created != ImportBatchSize || len(store.memStore) != ImportBatchSize {
		t.Fatalf("err %v, summary %v, %d stored", err, sum, len(store.memStore))
	}
}
