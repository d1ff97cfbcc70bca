package knowledge

import (
	"context"
	"errors"
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
