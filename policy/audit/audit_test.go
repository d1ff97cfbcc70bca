package audit

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
)

// The tests of this package share one database and therefore one chain: they do not run in
// parallel, and the ones that tamper with the table restore it before they end.
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	realpg.Stop()
	os.Exit(code)
}

func newLog(t testing.TB) (*Log, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.Pool(t)
	return New(pool), pool
}

func mustVerify(t *testing.T, l *Log) Report {
	t.Helper()
	rep, err := l.Verify(context.Background(), nil)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK {
		t.Fatalf("verify: broken at %d: %s", rep.BrokenAt, rep.Reason)
	}
	return rep
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	// On a real, multi-session PostgreSQL (package realpg: the table needs no pgvector): PGlite
	// runs every connection on one session, where concurrent appenders are serialised anyway.
	ctx := context.Background()
	u := realpg.NewDatabase(t)
	realpg.ApplyMigrations(t, u, "audit_log")
	pool, err := pgxpool.New(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	l := New(pool)
	subject := "conv:concurrent"
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				_, err := l.Append(ctx, Entry{Actor: fmt.Sprintf("staff:w%d@shop", w), Action: "approval.decided",
					Subject: subject, Details: map[string]any{"worker": w, "i": i}})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("append: %v", err)
	}
	rep := mustVerify(t, l)
	recs, err := l.Entries(ctx, Filter{Subject: subject, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != workers*each {
		t.Fatalf("%d entries for the subject, want %d", len(recs), workers*each)
	}
	// The whole table is one chain 1..N; this test's entries are part of it.
	if rep.Entries < int64(workers*each) || recs[len(recs)-1].Seq > rep.Entries {
		t.Fatalf("verified %d entries, the last of this test is %d", rep.Entries, recs[len(recs)-1].Seq)
	}
	all, err := l.Entries(ctx, Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range all {
		if r.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i+1, r.Seq)
		}
		if i > 0 && string(r.PrevHash) != string(all[i-1].Hash) {
			t.Fatalf("entry %d does not link to entry %d", r.Seq, all[i-1].Seq)
		}
	}
	if last := all[len(all)-1]; rep.Entries == int64(len(all)) && hex.EncodeToString(rep.Head) != hex.EncodeToString(last.Hash) {
		t.Fatalf("head %x, last entry's hash %x", rep.Head, last.Hash)
	}
}

// TestDetailsRoundTrip: details that jsonb stores differently from how Go writes them (key
// order, exponents, trailing zeros, HTML characters, non-ASCII) still verify.
func TestDetailsRoundTrip(t *testing.T) {
	l, _ := newLog(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		details map[string]any
	}{
		{"nil", nil},
		{"numbers", map[string]any{"big": json.Number("1e2"), "zero": json.Number("1.50"), "n": 12345678901234567, "f": 0.1}},
		{"text", map[string]any{"z": "<b>&</b>", "a": "Größe ½ 日本語", "nested": map[string]any{"y": []any{1, "x", nil, true}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := l.Append(ctx, Entry{Actor: "system", Action: "test.details", Subject: "details:" + tt.name, Details: tt.details})
			if err != nil {
				t.Fatal(err)
			}
			mustVerify(t, l)
			got, err := l.Entries(ctx, Filter{Subject: "details:" + tt.name})
			if err != nil || len(got) != 1 {
				t.Fatalf("entries: %v %d", err, len(got))
			}
			a, _ := json.Marshal(rec.Details)
			b, _ := json.Marshal(got[0].Details)
			if string(a) != string(b) || !got[0].At.Equal(rec.At) || string(got[0].Hash) != string(rec.Hash) {
				t.Fatalf("appended %s at %v, read back %s at %v", a, rec.At, b, got[0].At)
			}
		})
	}
}

func TestAppendRejects(t *testing.T) {
	l, _ := newLog(t)
	tests := []struct {
		name string
		e    Entry
	}{
		{"no actor", Entry{Action: "x.y"}},
		{"no action", Entry{Actor: "system"}},
		{"huge details", Entry{Actor: "system", Action: "x.y", Details: map[string]any{"s": strings.Repeat("a", MaxDetailsBytes)}}},
		{"unencodable", Entry{Actor: "system", Action: "x.y", Details: map[string]any{"c": make(chan int)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := l.Append(context.Background(), tt.e); !errors.Is(err, ErrInvalid) {
				t.Fatalf("append: %v, want ErrInvalid", err)
			}
		})
	}
	mustVerify(t, l)
}

func TestTableIsAppendOnly(t *testing.T) {
	l, pool := newLog(t)
	ctx := context.Background()
	rec, err := l.Append(ctx, Entry{Actor: "system", Action: "test.append_only", Subject: "append-only"})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE audit_log SET actor = 'mallory' WHERE seq = $1`,
		`DELETE FROM audit_log WHERE seq = $1`,
		`TRUNCATE audit_log`,
	} {
		var err error
		if strings.Contains(stmt, "$1") {
			_, err = pool.Exec(ctx, stmt, rec.Seq)
		} else {
			_, err = pool.Exec(ctx, stmt)
		}
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("%s: %v, want refused", stmt, err)
		}
	}
	mustVerify(t, l)
}

// withTriggerDisabled runs f with the append-only trigger off (as the table owner) and
// turns it back on whatever happens.
func withTriggerDisabled(t *testing.T, pool *pgxpool.Pool, f func()) {
	t.Helper()
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := pool.Exec(ctx, `ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`); err != nil {
			t.Fatal(err)
		}
	}()
	f()
}

func TestVerifyFindsTampering(t *testing.T) {
	l, pool := newLog(t)
	ctx := context.Background()
	var recs []Record
	for i := range 3 {
		r, err := l.Append(ctx, Entry{Actor: "staff:lena@shop", Action: "approval.decided", Subject: "tamper",
			Details: map[string]any{"decision": "reject", "i": i}})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	mid := recs[1]
	l.pageSize = 7 // several pages, so the walk crosses page boundaries

	t.Run("changed details", func(t *testing.T) {
		withTriggerDisabled(t, pool, func() {
			if _, err := pool.Exec(ctx, `UPDATE audit_log SET details = jsonb_set(details, '{decision}', '"approve"') WHERE seq = $1`, mid.Seq); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if _, err := pool.Exec(ctx, `UPDATE audit_log SET details = jsonb_set(details, '{decision}', '"reject"') WHERE seq = $1`, mid.Seq); err != nil {
					t.Fatal(err)
				}
			}()
			rep, err := l.Verify(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK || rep.BrokenAt != mid.Seq || !strings.Contains(rep.Reason, "contents changed") || rep.Entries != mid.Seq-1 {
				t.Fatalf("report %+v, want broken at %d with changed contents", rep, mid.Seq)
			}
		})
		mustVerify(t, l)
	})

	t.Run("rehashed entry breaks the next link", func(t *testing.T) {
		withTriggerDisabled(t, pool, func() {
			if _, err := pool.Exec(ctx, `UPDATE audit_log SET hash = sha256(hash) WHERE seq = $1`, mid.Seq); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if _, err := pool.Exec(ctx, `UPDATE audit_log SET hash = $2 WHERE seq = $1`, mid.Seq, mid.Hash); err != nil {
					t.Fatal(err)
				}
			}()
			rep, err := l.Verify(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			// The changed hash no longer matches the entry's contents: found at the entry itself.
			if rep.OK || rep.BrokenAt != mid.Seq {
				t.Fatalf("report %+v, want broken at %d", rep, mid.Seq)
			}
		})
		mustVerify(t, l)
	})

	t.Run("deleted entry", func(t *testing.T) {
		withTriggerDisabled(t, pool, func() {
			if _, err := pool.Exec(ctx, `DELETE FROM audit_log WHERE seq = $1`, mid.Seq); err != nil {
				t.Fatal(err)
			}
		})
		rep, err := l.Verify(ctx, nil)
		// Put it back (INSERT is allowed) before judging, so the other tests see one chain.
		details, _ := marshal(mid.Details)
		if _, ierr := pool.Exec(ctx, `INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
			mid.Seq, mid.At, mid.Actor, mid.Action, mid.Subject, string(details), mid.PrevHash, mid.Hash); ierr != nil {
			t.Fatal(ierr)
		}
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || rep.BrokenAt != mid.Seq || !strings.Contains(rep.Reason, "missing") {
			t.Fatalf("report %+v, want entry %d missing", rep, mid.Seq)
		}
		mustVerify(t, l)
	})

	t.Run("inserted entry", func(t *testing.T) {
		// A row slipped in at the end with a made-up hash: the chain shows it.
		head := mustVerify(t, l)
		withTriggerDisabled(t, pool, func() {
			if _, err := pool.Exec(ctx, `INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)
				VALUES ($1, now(), 'mallory', 'approval.decided', 'tamper', '{}', $2, $2)`, head.Entries+1, head.Head); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if _, err := pool.Exec(ctx, `DELETE FROM audit_log WHERE seq = $1`, head.Entries+1); err != nil {
					t.Fatal(err)
				}
			}()
			rep, err := l.Verify(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK || rep.BrokenAt != head.Entries+1 {
				t.Fatalf("report %+v, want broken at %d", rep, head.Entries+1)
			}
		})
		mustVerify(t, l)
	})
}
