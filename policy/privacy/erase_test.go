package privacy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// hits counts, per table of the public schema, the rows whose JSON form contains needle
// (case-insensitively). Every table is scanned, including ones added after this test.
func hits(t *testing.T, pool *pgxpool.Pool, needle string) map[string]int {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 {
		t.Fatalf("only %d tables in the public schema: %v", len(tables), tables)
	}
	out := map[string]int{}
	for _, table := range tables {
		var n int
		q := `SELECT count(*) FROM ` + pgx.Identifier{table}.Sanitize() + ` t WHERE strpos(lower(row_to_json(t)::text), lower($1)) > 0`
		if err := pool.QueryRow(ctx, q, needle).Scan(&n); err != nil {
			t.Fatalf("scan %s: %v", table, err)
		}
		if n > 0 {
			out[table] = n
		}
	}
	return out
}

func needles(c customer) []string {
	return []string{c.Email, c.Phone, c.PhoneShown, c.PhoneNational, c.Name, c.CustomerID}
}

func TestEraseLeavesNoTraceOfTheCustomer(t *testing.T) {
	ctx := context.Background()
	shred, term := &fakeShredder{}, &fakeTerminator{}
	s, pool := newStore(t, Config{Shredder: shred, Terminator: term})
	a, b := newCustomer(t, "anna"), newCustomer(t, "bruno")
	now := time.Now()

	// Anna: a conversation found by e-mail (stored in mixed case) and phone, one by the
	// shop's customer ID, one without identity that staff attributed to her.
	a1 := seedConversation(t, pool, a, map[string]string{"email": strings.ToUpper(a.Email[:1]) + a.Email[1:], "phone": a.Phone}, "DE", now)
	a2 := seedConversation(t, pool, a, map[string]string{"customer_id": a.CustomerID}, "FR", now)
	a3 := seedConversation(t, pool, a, nil, "DE", now)
	seedGap(t, pool, "Is "+a.Email+" subscribed?", now)          // quotes her e-mail, no conversation
	seedGap(t, pool, "call back "+a.PhoneNational+" today", now) // her phone in national format
	// Bruno: same shapes, and the same market.
	b1 := seedConversation(t, pool, b, map[string]string{"email": b.Email, "phone": b.Phone, "customer_id": b.CustomerID}, "DE", now)
	seedGap(t, pool, "Is "+b.Email+" subscribed?", now)

	for _, n := range needles(a) {
		if len(hits(t, pool, n)) == 0 {
			t.Fatalf("before erasure, %q is nowhere: the scan below could not fail", n)
		}
	}
	before := map[string]map[string]int{}
	for _, n := range needles(b) {
		before[n] = hits(t, pool, n)
	}

	sum, err := s.Erase(ctx, Subject{Email: "  " + strings.ToUpper(a.Email) + " ", Phone: a.PhoneShown,
		IdentitySubject: a.CustomerID, ConversationIDs: []string{a3.ID}}, "staff-7")
	if err != nil {
		t.Fatalf("erase: %v", err)
	}
	want := map[string]int64{"conversations": 3, "participants": 6, "messages": 12, "ai_disclosures": 3, "consents": 3, "kb_gaps": 5}
	for table, n := range want {
		if sum.Deleted[table] != n {
			t.Errorf("deleted %d rows of %s, want %d (summary %v)", sum.Deleted[table], table, n, sum.Deleted)
		}
	}

	// Not one row anywhere still holds Anna's name, e-mail, phone or customer ID.
	for _, n := range needles(a) {
		if h := hits(t, pool, n); len(h) > 0 {
			t.Errorf("after erasure, %q is still in %v", n, h)
		}
	}
	// Bruno's data is untouched.
	for _, n := range needles(b) {
		if got := hits(t, pool, n); !mapsEqual(got, before[n]) {
			t.Errorf("%q: rows before %v, after %v", n, before[n], got)
		}
	}
	if !exists(t, pool, b1.ID) {
		t.Error("bruno's conversation was deleted")
	}

	convs := []string{a1.ID, a2.ID, a3.ID}
	slices.Sort(convs)
	var wantWF []string
	for _, c := range convs {
		wantWF = append(wantWF, "conversation/"+c)
	}
	if got := shred.shredded(); !slices.Equal(got, wantWF) {
		t.Errorf("shredded %v, want %v", got, wantWF)
	}
	if got := slices.Sorted(slices.Values(term.ids)); !slices.Equal(got, convs) {
		t.Errorf("terminated %v, want %v", got, convs)
	}
	if sum.Shredded != 3 || sum.Terminated != 3 {
		t.Errorf("summary says %d shredded, %d terminated; want 3, 3", sum.Shredded, sum.Terminated)
	}

	// The request is recorded, done, with counts and without a raw identifier.
	reqs, err := s.Requests(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(reqs, func(r Request) bool { return r.ID == sum.RequestID })
	if i < 0 {
		t.Fatalf("request %s not listed", sum.RequestID)
	}
	r := reqs[i]
	if r.Kind != KindErasure || r.Status != StatusDone || r.RequestedBy != "staff-7" || r.CompletedAt == nil ||
		r.Summary["messages"] != 12 || r.DueAt.Sub(r.RequestedAt) != ResponseDeadline {
		t.Errorf("request recorded as %+v", r)
	}

	// An export of Anna now finds nothing but the record of her erasure.
	bundle, err := s.Export(ctx, Subject{Email: a.Email, Phone: a.Phone, IdentitySubject: a.CustomerID}, "staff-7")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(bundle.Conversations) + len(bundle.Messages) + len(bundle.Participants) + len(bundle.Disclosures) +
		len(bundle.Consents) + len(bundle.KnowledgeGaps); n != 0 {
		t.Errorf("export after erasure found %d rows: %+v", n, bundle)
	}
	if !slices.ContainsFunc(bundle.Requests, func(r Request) bool { return r.ID == sum.RequestID }) {
		t.Errorf("export after erasure does not list the erasure request")
	}

	// Erasing again is a done request that deleted nothing.
	again, err := s.Erase(ctx, Subject{Email: a.Email}, "staff-7")
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range again.Deleted {
		if n != 0 {
			t.Errorf("second erasure deleted %d rows of %s", n, table)
		}
	}
	if again.RequestID == "" || again.RequestID == sum.RequestID {
		t.Errorf("second erasure recorded as %q", again.RequestID)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestEraseKeepsEverythingWhenShreddingFails(t *testing.T) {
	ctx := context.Background()
	shred := &fakeShredder{err: errors.New("kms unavailable")}
	s, pool := newStore(t, Config{Shredder: shred})
	c := newCustomer(t, "carla")
	cv := seedConversation(t, pool, c, map[string]string{"email": c.Email}, "IT", time.Now())

	_, err := s.Erase(ctx, Subject{Email: c.Email}, "staff-1")
	if err == nil {
		t.Fatal("erase succeeded although the keys could not be shredded")
	}
	if !exists(t, pool, cv.ID) {
		t.Error("conversation deleted although its history key was not shredded")
	}
	reqs, err := s.Requests(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) == 0 || reqs[0].Status != StatusFailed || reqs[0].Failure != "shred" {
		t.Fatalf("newest request: %+v, want a failed erasure at step shred", reqs)
	}

	// Once the key store is back, repeating the request erases.
	shred.err = nil
	sum, err := s.Erase(ctx, Subject{Email: c.Email}, "staff-1")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Deleted["conversations"] != 1 || exists(t, pool, cv.ID) {
		t.Errorf("retry deleted %v", sum.Deleted)
	}
}

func TestEraseRefusesBadInput(t *testing.T) {
	s, _ := newStore(t, Config{})
	ctx := context.Background()
	if _, err := s.Erase(ctx, Subject{}, "staff-1"); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty subject: %v, want ErrInvalid", err)
	}
	if _, err := s.Erase(ctx, Subject{Email: "x@example.com"}, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("no requester: %v, want ErrInvalid", err)
	}
}

// startingTerminator starts a new conversation of the customer the first time it is called,
// as a customer who keeps chatting while being erased would.
type startingTerminator struct {
	fakeTerminator
	start func() string
	newID string
}

func (f *startingTerminator) Terminate(ctx context.Context, id string) error {
	if f.newID == "" {
		f.newID = f.start()
	}
	return f.fakeTerminator.Terminate(ctx, id)
}

func TestEraseCatchesAConversationStartedMeanwhile(t *testing.T) {
	ctx := context.Background()
	shred := &fakeShredder{}
	pool := newPool(t)
	c := newCustomer(t, "ines")
	first := seedConversation(t, pool, c, map[string]string{"email": c.Email}, "ES", time.Now())
	term := &startingTerminator{start: func() string {
		return seedConversation(t, pool, c, map[string]string{"email": c.Email}, "ES", time.Now()).ID
	}}
	s, _ := newStore(t, Config{Shredder: shred, Terminator: term})

	sum, err := s.Erase(ctx, Subject{Email: c.Email}, "staff-2")
	if err != nil {
		t.Fatalf("erase: %v", err)
	}
	if exists(t, pool, first.ID) || exists(t, pool, term.newID) || sum.Deleted["conversations"] != 2 {
		t.Errorf("deleted %v; both conversations should be gone", sum.Deleted)
	}
	want := []string{"conversation/" + first.ID, "conversation/" + term.newID}
	slices.Sort(want)
	if got := shred.shredded(); !slices.Equal(got, want) {
		t.Errorf("shredded %v, want %v", got, want)
	}
	if sum.Terminated != 2 || len(term.ids) != 2 {
		t.Errorf("terminated %v", term.ids)
	}
}
