package queue

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	realpg.Stop()
	os.Exit(code)
}

// newStore returns a store on the shared PGlite database.
func newStore(t testing.TB) *Store {
	t.Helper()
	return New(pgtest.Pool(t), pgtest.Logger())
}

// newConversation inserts a bare conversation row (the handoff's foreign key) and returns its ID.
func newConversation(t testing.TB, db DB) string {
	t.Helper()
	id := uuid.NewString()
	if _, err := db.Exec(context.Background(), `INSERT INTO conversations (id) VALUES ($1)`, id); err != nil {
		t.Fatalf("insert conversation: %v", err)
	}
	return id
}

// team returns a team name no other test uses, so Queue sees only this test's handoffs.
func team(name string) string {
	return name + "-" + uuid.NewString()[:8]
}

func open(t testing.TB, s *Store, nh NewHandoff) Handoff {
	t.Helper()
	if nh.ConversationID == "" {
		nh.ConversationID = newConversation(t, s.db)
	}
	if nh.Reason == "" {
		nh.Reason = ReasonLowConfidence
	}
	if nh.Team == "" {
		nh.Team = team("support")
	}
	if nh.Packet == nil {
		nh.Packet = json.RawMessage(`{"summary":"parcel late"}`)
	}
	h, created, err := s.Open(context.Background(), nh)
	if err != nil || !created {
		t.Fatalf("Open: created=%v, %v", created, err)
	}
	return h
}

func TestOpenIsIdempotentPerConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	conv := newConversation(t, s.db)
	sla := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	first, created, err := s.Open(ctx, NewHandoff{
		ConversationID: conv, Reason: ReasonComplaint, Team: "returns-de", Language: "de-AT", Market: "AT",
		SLADueAt: sla, Packet: json.RawMessage(`{"summary": "Paket beschädigt", "lang": "de"}`),
	})
	if err != nil || !created {
		t.Fatalf("first Open: created=%v, %v", created, err)
	}
	if first.Status != StatusQueued || first.Priority != PriorityNormal || !first.SLADueAt.Equal(sla) ||
		first.Team != "returns-de" || first.Language != "de-AT" || first.Reason != ReasonComplaint {
		t.Fatalf("first handoff = %+v", first)
	}
	var packet map[string]string
	if err := json.Unmarshal(first.Packet, &packet); err != nil || packet["summary"] != "Paket beschädigt" {
		t.Fatalf("packet came back as %s (%v)", first.Packet, err)
	}

	// The activity is retried, or a second trigger fires: same handoff, nothing changed.
	again, created, err := s.Open(ctx, NewHandoff{ConversationID: conv, Reason: ReasonCustomerRequest,
		Team: "general", Priority: PriorityUrgent, Packet: json.RawMessage(`{}`)})
	if err != nil || created {
		t.Fatalf("second Open: created=%v, %v; want the open one", created, err)
	}
	if again.ID != first.ID || again.Version != first.Version || again.Team != "returns-de" {
		t.Fatalf("second Open returned %+v, want %+v unchanged", again, first)
	}
	if got, err := s.OpenFor(ctx, conv); err != nil || got.ID != first.ID {
		t.Fatalf("OpenFor = %v, %v", got.ID, err)
	}

	// Once the first is closed, the conversation can be handed off again.
	if _, err := s.Claim(ctx, first.ID, "agent-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HandBack(ctx, first.ID, "agent-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenFor(ctx, conv); !errors.Is(err, ErrNotFound) {
		t.Fatalf("OpenFor after hand-back: %v, want ErrNotFound", err)
	}
	second, created, err := s.Open(ctx, NewHandoff{ConversationID: conv, Reason: ReasonNegativeSentiment,
		Team: "returns-de", Packet: json.RawMessage(`{}`)})
	if err != nil || !created || second.ID == first.ID {
		t.Fatalf("Open after hand-back: %v created=%v %v; want a new handoff", second.ID, created, err)
	}
}

// A retry of the workflow's activity that comes after the agent closed the handoff finds
// that handoff by the stable ID, instead of queueing the conversation again.
func TestOpenWithStableIDAfterClose(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	conv := newConversation(t, s.db)
	nh := NewHandoff{ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte("conversation/"+conv+"/turn-7")).String(),
		ConversationID: conv, Reason: ReasonToolFailure, Team: "logistics", Packet: json.RawMessage(`{}`)}
	h, created, err := s.Open(ctx, nh)
	if err != nil || !created || h.ID != nh.ID {
		t.Fatalf("Open = %s created=%v, %v; want %s created", h.ID, created, err, nh.ID)
	}
	if _, err := s.Claim(ctx, h.ID, "kim"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(ctx, h.ID, "kim"); err != nil {
		t.Fatal(err)
	}
	again, created, err := s.Open(ctx, nh)
	if err != nil || created || again.ID != h.ID || again.Status != StatusResolved {
		t.Fatalf("retried Open = %s %s created=%v, %v; want the resolved %s", again.ID, again.Status, created, err, h.ID)
	}
	if _, err := s.OpenFor(ctx, conv); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the retry queued the conversation again: %v", err)
	}
	other := nh
	other.ConversationID = newConversation(t, s.db)
	if _, _, err := s.Open(ctx, other); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Open with another conversation's handoff ID: %v, want ErrInvalid", err)
	}
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	conv := newConversation(t, s.db)
	valid := NewHandoff{ConversationID: conv, Reason: ReasonOther, Team: "t", Packet: json.RawMessage(`{}`)}
	tests := []struct {
		name   string
		change func(*NewHandoff)
		want   error
	}{
		{"conversation ID not a UUID", func(n *NewHandoff) { n.ConversationID = "c-1" }, ErrInvalid},
		{"handoff ID not a UUID", func(n *NewHandoff) { n.ID = "h-1" }, ErrInvalid},
		{"unknown conversation", func(n *NewHandoff) { n.ConversationID = uuid.NewString() }, ErrNoConversation},
		{"reason outside the taxonomy", func(n *NewHandoff) { n.Reason = "bored" }, ErrInvalid},
		{"no team", func(n *NewHandoff) { n.Team = " " }, ErrInvalid},
		{"priority too high", func(n *NewHandoff) { n.Priority = 6 }, ErrInvalid},
		{"negative priority", func(n *NewHandoff) { n.Priority = -1 }, ErrInvalid},
		{"language not BCP 47", func(n *NewHandoff) { n.Language = "en_US" }, ErrInvalid},
		{"no packet", func(n *NewHandoff) { n.Packet = nil }, ErrInvalid},
		{"packet not JSON", func(n *NewHandoff) { n.Packet = json.RawMessage(`{"a":`) }, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nh := valid
			tt.change(&nh)
			if _, _, err := s.Open(context.Background(), nh); !errors.Is(err, tt.want) {
				t.Fatalf("Open: %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := s.OpenFor(context.Background(), conv); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a rejected Open left a handoff behind: %v", err)
	}
}

// TestLifecycle walks one handoff through what agents do to it, in order, including the
// mistakes and the retries.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	h := open(t, s, NewHandoff{})
	steps := []struct {
		name       string
		do         func() (Handoff, error)
		wantErr    error
		wantHolder string // for a *ClaimedError: who holds it
		wantStatus Status
		wantBy     string
	}{
		{"bob claims", func() (Handoff, error) { return s.Claim(ctx, h.ID, "bob") }, nil, "", StatusClaimed, "bob"},
		{"bob clicks again", func() (Handoff, error) { return s.Claim(ctx, h.ID, "bob") }, nil, "", StatusClaimed, "bob"},
		{"carol is too late", func() (Handoff, error) { return s.Claim(ctx, h.ID, "carol") }, ErrAlreadyClaimed, "bob", StatusClaimed, "bob"},
		{"carol cannot release bob's", func() (Handoff, error) { return s.Release(ctx, h.ID, "carol") }, ErrNotHolder, "bob", StatusClaimed, "bob"},
		{"carol cannot resolve bob's", func() (Handoff, error) { return s.Resolve(ctx, h.ID, "carol") }, ErrNotHolder, "bob", StatusClaimed, "bob"},
		{"bob releases", func() (Handoff, error) { return s.Release(ctx, h.ID, "bob") }, nil, "", StatusQueued, ""},
		{"bob's release is retried", func() (Handoff, error) { return s.Release(ctx, h.ID, "bob") }, nil, "", StatusQueued, ""},
		{"nobody holds it to hand back", func() (Handoff, error) { return s.HandBack(ctx, h.ID, "bob") }, ErrNotHolder, "", StatusQueued, ""},
		{"carol claims", func() (Handoff, error) { return s.Claim(ctx, h.ID, "carol") }, nil, "", StatusClaimed, "carol"},
		{"carol resolves", func() (Handoff, error) { return s.Resolve(ctx, h.ID, "carol") }, nil, "", StatusResolved, "carol"},
		{"carol's resolve is retried", func() (Handoff, error) { return s.Resolve(ctx, h.ID, "carol") }, nil, "", StatusResolved, "carol"},
		{"resolved cannot be handed back", func() (Handoff, error) { return s.HandBack(ctx, h.ID, "carol") }, ErrClosed, "", StatusResolved, "carol"},
		{"resolved cannot be claimed", func() (Handoff, error) { return s.Claim(ctx, h.ID, "bob") }, ErrClosed, "", StatusResolved, "carol"},
		{"resolved cannot be reassigned", func() (Handoff, error) { return s.Reassign(ctx, h.ID, "billing") }, ErrClosed, "", StatusResolved, "carol"},
	}
	for _, st := range steps {
		got, err := st.do()
		if !errors.Is(err, st.wantErr) {
			t.Fatalf("%s: error %v, want %v", st.name, err, st.wantErr)
		}
		var ce *ClaimedError
		if errors.As(err, &ce) != (st.wantHolder != "") || (ce != nil && (ce.By != st.wantHolder || ce.At.IsZero())) {
			t.Fatalf("%s: error %#v, want a ClaimedError naming %q", st.name, err, st.wantHolder)
		}
		if got.Status != st.wantStatus || got.ClaimedBy != st.wantBy {
			t.Fatalf("%s: handoff is %s by %q, want %s by %q", st.name, got.Status, got.ClaimedBy, st.wantStatus, st.wantBy)
		}
	}
	final, err := s.Get(ctx, h.ID)
	if err != nil || final.ResolvedAt.IsZero() || final.ClaimedAt.IsZero() {
		t.Fatalf("final = %+v, %v; want resolved and claim times", final, err)
	}
}

func TestUnknownHandoff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	for _, id := range []string{uuid.NewString(), "not-a-uuid", ""} {
		ops := map[string]func() error{
			"Get":      func() error { _, err := s.Get(ctx, id); return err },
			"Claim":    func() error { _, err := s.Claim(ctx, id, "a"); return err },
			"Release":  func() error { _, err := s.Release(ctx, id, "a"); return err },
			"Resolve":  func() error { _, err := s.Resolve(ctx, id, "a"); return err },
			"HandBack": func() error { _, err := s.HandBack(ctx, id, "a"); return err },
			"Escalate": func() error { _, err := s.Escalate(ctx, id, time.Now()); return err },
			"Reassign": func() error { _, err := s.Reassign(ctx, id, "x"); return err },
			"AddNote":  func() error { _, err := s.AddNote(ctx, id, "a", "hello"); return err },
			"Notes":    func() error { _, err := s.Notes(ctx, id); return err },
		}
		for name, op := range ops {
			if err := op(); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s(%q): %v, want ErrNotFound", name, id, err)
			}
		}
	}
}

func TestEscalateRecordsTheFirstBreachOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	h := open(t, s, NewHandoff{})
	t1 := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	first, err := s.Escalate(ctx, h.ID, t1)
	if err != nil || !first.EscalatedAt.Equal(t1) {
		t.Fatalf("Escalate = %v, %v; want escalated at %v", first.EscalatedAt, err, t1)
	}
	// A retried timer activity: nothing changes, not even the version the live view sees.
	again, err := s.Escalate(ctx, h.ID, t1.Add(time.Minute))
	if err != nil || !again.EscalatedAt.Equal(t1) || again.Version != first.Version {
		t.Fatalf("second Escalate = %v (version %d), %v; want %v unchanged (version %d)", again.EscalatedAt, again.Version, err, t1, first.Version)
	}

	// A timer that fires after the agent finished changes nothing and is no error.
	closed := open(t, s, NewHandoff{})
	if _, err := s.Claim(ctx, closed.ID, "dana"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(ctx, closed.ID, "dana"); err != nil {
		t.Fatal(err)
	}
	late, err := s.Escalate(ctx, closed.ID, t1)
	if err != nil || !late.EscalatedAt.IsZero() {
		t.Fatalf("Escalate after resolve = %v, %v; want no escalation, no error", late.EscalatedAt, err)
	}
	if _, err := s.Escalate(ctx, h.ID, time.Time{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Escalate without a time: %v, want ErrInvalid", err)
	}
}

func TestReassignMovesToTheOtherTeamsQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	from, to := team("general"), team("billing")
	h := open(t, s, NewHandoff{Team: from})
	if _, err := s.Claim(ctx, h.ID, "erin"); err != nil {
		t.Fatal(err)
	}
	moved, err := s.Reassign(ctx, h.ID, to)
	if err != nil || moved.Team != to || moved.Status != StatusQueued || moved.ClaimedBy != "" || !moved.ClaimedAt.IsZero() {
		t.Fatalf("Reassign = %+v, %v; want queued in %s, held by nobody", moved, err, to)
	}
	same, err := s.Reassign(ctx, h.ID, to)
	if err != nil || same.Version != moved.Version {
		t.Fatalf("Reassign to the same team changed it: version %d → %d, %v", moved.Version, same.Version, err)
	}
	for tm, want := range map[string]int{from: 0, to: 1} {
		q, err := s.Queue(ctx, Filter{Teams: []string{tm}})
		if err != nil || len(q) != want {
			t.Errorf("queue of %s has %d, %v; want %d", tm, len(q), err, want)
		}
	}
	if _, err := s.Reassign(ctx, h.ID, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Reassign to no team: %v, want ErrInvalid", err)
	}
}

func TestQueueOrderAndFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	tm, other := team("asia"), team("eu")
	soon := time.Now().Add(10 * time.Minute).UTC()
	later := soon.Add(time.Hour)
	// Opened in this order; served in another.
	normalNoSLA := open(t, s, NewHandoff{Team: tm, Language: "ja"})
	normalLater := open(t, s, NewHandoff{Team: tm, Language: "zh-Hant-TW", SLADueAt: later})
	normalSoon := open(t, s, NewHandoff{Team: tm, Language: "zh-Hans", SLADueAt: soon})
	urgent := open(t, s, NewHandoff{Team: tm, Language: "TH", Priority: PriorityUrgent})
	low := open(t, s, NewHandoff{Team: tm, Language: "zht", Priority: PriorityLow, SLADueAt: soon})
	normalNoSLA2 := open(t, s, NewHandoff{Team: tm})
	elsewhere := open(t, s, NewHandoff{Team: other, Language: "ja"})
	claimed, err := s.Claim(ctx, normalLater.ID, "fumi")
	if err != nil {
		t.Fatal(err)
	}
	resolved := open(t, s, NewHandoff{Team: tm, Language: "ja", Priority: PriorityUrgent})
	if _, err := s.Claim(ctx, resolved.ID, "fumi"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(ctx, resolved.ID, "fumi"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		f    Filter
		want []Handoff
	}{
		{"open, in serving order", Filter{Teams: []string{tm}},
			[]Handoff{urgent, normalSoon, claimed, normalNoSLA, normalNoSLA2, low}},
		{"two teams", Filter{Teams: []string{tm, other}, Languages: []string{"ja"}},
			[]Handoff{normalNoSLA, elsewhere}},
		{"language prefix, any case", Filter{Teams: []string{tm}, Languages: []string{"ZH"}},
			[]Handoff{normalSoon, claimed}},
		{"a tag matches itself, not a longer language", Filter{Teams: []string{tm}, Languages: []string{"zh-hant-tw", "th"}},
			[]Handoff{urgent, claimed}},
		{"claimed only", Filter{Teams: []string{tm}, Status: StatusClaimed}, []Handoff{claimed}},
		{"resolved only", Filter{Teams: []string{tm}, Status: StatusResolved}, []Handoff{resolved}},
		{"limit", Filter{Teams: []string{tm}, Limit: 2}, []Handoff{urgent, normalSoon}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Queue(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), ids(tt.want)) {
				t.Fatalf("queue = %v, want %v", ids(got), ids(tt.want))
			}
		})
	}
	for _, f := range []Filter{{Status: "open"}, {Languages: []string{"en%"}}} {
		if _, err := s.Queue(ctx, f); !errors.Is(err, ErrInvalid) {
			t.Errorf("Queue(%+v): %v, want ErrInvalid", f, err)
		}
	}
}

func ids(hs []Handoff) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func TestNotes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	h := open(t, s, NewHandoff{})
	for _, body := range []string{"Customer called twice.", "Refund approved by finance — 42 €."} {
		if _, err := s.AddNote(ctx, h.ID, "gus", body); err != nil {
			t.Fatal(err)
		}
	}
	notes, err := s.Notes(ctx, h.ID)
	if err != nil || len(notes) != 2 || notes[0].Body != "Customer called twice." || notes[1].Author != "gus" {
		t.Fatalf("Notes = %+v, %v", notes, err)
	}
	for _, bad := range []struct{ author, body string }{{"gus", "  "}, {"", "x"}, {"gus", string(make([]byte, MaxNoteBytes+1))}} {
		if _, err := s.AddNote(ctx, h.ID, bad.author, bad.body); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddNote(%q, %d bytes): %v, want ErrInvalid", bad.author, len(bad.body), err)
		}
	}
}

func TestErasingTheConversationRemovesItsHandoffs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	h := open(t, s, NewHandoff{})
	if _, err := s.AddNote(ctx, h.ID, "hana", "Customer's address is ..."); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM conversations WHERE id = $1`, h.ConversationID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, h.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after erasure: %v, want ErrNotFound", err)
	}
	var notes int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM handoff_notes WHERE handoff_id = $1`, h.ID).Scan(&notes); err != nil || notes != 0 {
		t.Fatalf("%d notes left after erasure (%v)", notes, err)
	}
}

// Not parallel: on a multi-session database (ATTACHE_TEST_DATABASE_URL) another test's
// running statement would hold the head back and Since would rightly repeat older changes.
func TestSinceReturnsChangesAfterTheCursor(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	before := open(t, s, NewHandoff{})
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := open(t, s, NewHandoff{})
	b := open(t, s, NewHandoff{})
	changed, next, err := s.Since(ctx, head)
	if err != nil {
		t.Fatal(err)
	}
	got := latest(changed)
	if got[a.ID] != a.Version || got[b.ID] != b.Version {
		t.Fatalf("Since(head) = %v; want %s@%d and %s@%d", got, a.ID, a.Version, b.ID, b.Version)
	}
	if _, ok := got[before.ID]; ok {
		t.Fatalf("Since(head) returned a handoff last changed before the head")
	}
	claimed, err := s.Claim(ctx, a.ID, "ines")
	if err != nil {
		t.Fatal(err)
	}
	changed, _, err = s.Since(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	got = latest(changed)
	if got[a.ID] != claimed.Version || claimed.Version <= a.Version {
		t.Fatalf("after Claim, Since = %v; want %s@%d", got, a.ID, claimed.Version)
	}
	all, _, err := s.Since(ctx, 0)
	if err != nil || latest(all)[before.ID] != before.Version {
		t.Fatalf("Since(0) lacks a handoff: %v", err)
	}
	if _, _, err := s.Since(ctx, -1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Since(-1): %v, want ErrInvalid", err)
	}
}

// latest keeps, per handoff, the highest version in hs.
func latest(hs []Handoff) map[string]int64 {
	m := make(map[string]int64)
	for _, h := range hs {
		m[h.ID] = max(m[h.ID], h.Version)
	}
	return m
}

func TestWatchDeliversEachStateOnce(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := newStore(t)
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu        sync.Mutex
		delivered = map[string][]int64{} // handoff → versions delivered, in order
		cursors   []int64
	)
	watchCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- s.Watch(watchCtx, head, 5*time.Millisecond, func(hs []Handoff, cursor int64) error {
			mu.Lock()
			defer mu.Unlock()
			for _, h := range hs {
				delivered[h.ID] = append(delivered[h.ID], h.Version)
			}
			cursors = append(cursors, cursor)
			return nil
		})
	}()

	h := open(t, s, NewHandoff{})
	time.Sleep(20 * time.Millisecond)
	c, err := s.Claim(ctx, h.ID, "jo")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	r, err := s.Resolve(ctx, h.ID, "jo")
	if err != nil {
		t.Fatal(err)
	}
	// Wait for the last state to arrive.
	for {
		mu.Lock()
		v := delivered[h.ID]
		mu.Unlock()
		if len(v) > 0 && v[len(v)-1] == r.Version {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("Watch delivered %v, never the resolved version %d", v, r.Version)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond) // a few more polls, which must not repeat anything
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Watch returned %v, want context.Canceled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	got := delivered[h.ID]
	// Polls may merge states (a poll sees only the latest), but never repeat or reorder them.
	if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) || got[len(got)-1] != r.Version {
		t.Fatalf("delivered versions %v; want increasing, ending at %d (claimed at %d)", got, r.Version, c.Version)
	}
	if !slices.IsSorted(cursors) {
		t.Fatalf("cursors went backwards: %v", cursors)
	}
	if err := s.Watch(ctx, head, 0, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Watch every 0s: %v, want ErrInvalid", err)
	}
}

func TestReasonsMatchTheSchema(t *testing.T) {
	t.Parallel()
	// Every Go reason is accepted by the database's CHECK constraint.
	s := newStore(t)
	for _, r := range Reasons() {
		if !r.Valid() {
			t.Errorf("%s not Valid", r)
		}
		h := open(t, s, NewHandoff{Reason: r})
		if h.Reason != r {
			t.Errorf("stored reason %q, want %q", h.Reason, r)
		}
	}
	if Reason("bored").Valid() {
		t.Error(`"bored" is Valid`)
	}
}

// TestSettleClosesOnlyAWaitingHandoff: a queued handoff is resolved by Settle; a claimed one
// stays with its agent.
func TestSettleClosesOnlyAWaitingHandoff(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.Pool(t)
	s := New(pool, pgtest.Logger())
	a, b := newConversation(t, pool), newConversation(t, pool)
	ha, _, err := s.Open(ctx, NewHandoff{ConversationID: a, Reason: ReasonApprovalNeeded, Team: "eu", Packet: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	hb, _, err := s.Open(ctx, NewHandoff{ConversationID: b, Reason: ReasonApprovalNeeded, Team: "eu", Packet: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, hb.ID, "agent-1"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Settle(ctx, ha.ID); err != nil || got.Status != StatusResolved || got.ResolvedAt.IsZero() {
		t.Errorf("settle a queued handoff: %+v %v", got, err)
	}
	if got, err := s.Settle(ctx, hb.ID); err != nil || got.Status != StatusClaimed || got.ClaimedBy != "agent-1" {
		t.Errorf("settle a claimed handoff: %+v %v, want it unchanged", got, err)
	}
}
