package runstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/evals/rollout"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
)

// The rollout gate reads the latest runs from this store.
var _ rollout.Runs = (*Store)(nil)

// The tests share one database: each uses run IDs and set names of its own.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func newStore(t *testing.T) *Store {
	t.Helper()
	return New(pgtest.Pool(t), pgtest.Logger())
}

// unique returns a name no other test (or earlier run on the same database) uses.
func unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()) }

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// sampleRun is a finished run of the set with one passing and one failing Arabic case.
func sampleRun(id, set string, started time.Time) *evals.Run {
	return &evals.Run{
		ID: id, StartedAt: started, FinishedAt: started.Add(90 * time.Second), Engine: "offline", Repeat: 2,
		Sets:   []evals.SetRun{{Name: set, Path: "evals/sets/" + set + ".yaml", Kind: "dialog", Cases: 2, Runnable: true}},
		Labels: map[string]string{"git": "abc123"},
		Cases: []evals.CaseResult{
			{Set: set, ID: "refund-ar", Market: "SA", Locale: "ar-SA", Language: "ar", Channel: "web", Intent: "refund",
				Status: evals.StatusFailed, Passed: 1, GuardrailViolations: 1, Attempts: []evals.Attempt{
					{N: 1, Passed: true, Duration: 1500 * time.Millisecond, ConversationID: uuid.NewString(),
						Checks: []evals.Check{{Name: "intent", Passed: true, Want: "refund", Got: "refund"}},
						Transcript: []evals.Line{
							{Turn: 1, Author: "customer", Text: "وصلني الخلاط مكسورًا", Lang: "ar", Latency: 40 * time.Millisecond},
							{Turn: 1, Author: "ai", Text: "آسف لذلك.", Lang: "ar", Intent: "refund"},
						},
						ToolCalls: []evals.ToolCall{{Name: "refund_order", Args: json.RawMessage(`{"order":"A-1042"}`), Outcome: "proposed"}}},
					{N: 2, Passed: false, Checks: []evals.Check{{Name: "disclosure", Passed: false, Want: "present", Got: "absent", Guardrail: true, Turn: 1}},
						Transcript: []evals.Line{{Turn: 1, Author: "customer", Text: "مرحبا"}}},
				}},
			{Set: set, ID: "track-en", Market: "GB", Locale: "en-GB", Language: "en", Channel: "web", Status: evals.StatusPassed, Passed: 2,
				Attempts: []evals.Attempt{{N: 1, Passed: true, Checks: []evals.Check{}, Transcript: []evals.Line{}},
					{N: 2, Passed: true, Checks: []evals.Check{}, Transcript: []evals.Line{}}}},
		},
		Summary: evals.Summary{Cases: 2, Passed: 1, Failed: 1, PassRate: 0.75, PassK: 0.5, GuardrailViolations: 1,
			ByLanguage: map[string]evals.Group{"ar": {Cases: 1, Attempts: 2, PassRate: 0.5}, "en": {Cases: 1, Passed: 1, Attempts: 2, PassRate: 1}}},
	}
}

func TestEvalRunBeginFinishGetKeepsTheWholeRun(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	id, set := unique("run"), unique("set")
	run := sampleRun(id, set, t0)

	if err := s.Begin(ctx, id, "offline", 2, "staff:lena@shop.example", run.Sets); err != nil {
		t.Fatal(err)
	}
	got, m, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != StatusRunning || !m.FinishedAt.IsZero() || m.StartedBy != "staff:lena@shop.example" || m.Repeat != 2 ||
		!slices.Equal(m.Sets, []string{set}) || len(got.Cases) != 0 || !reflect.DeepEqual(got.Sets, run.Sets) {
		t.Fatalf("running run: meta %+v, run %+v", m, got)
	}
	if err := s.Begin(ctx, id, "offline", 2, "cli", nil); !errors.Is(err, ErrExists) {
		t.Fatalf("second Begin: %v, want ErrExists", err)
	}

	if err := s.Finish(ctx, run); err != nil {
		t.Fatal(err)
	}
	got, m, err = s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, run) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(run)
		t.Fatalf("stored run differs:\n got %s\nwant %s", a, b)
	}
	if m.Status != StatusFinished || !m.StartedAt.Equal(t0) || !m.FinishedAt.Equal(t0.Add(90*time.Second)) ||
		m.Summary.PassK != 0.5 || m.Summary.GuardrailViolations != 1 || m.StartedBy != "staff:lena@shop.example" || m.Labels["git"] != "abc123" {
		t.Fatalf("finished meta %+v", m)
	}
	if _, _, err := s.Get(ctx, unique("nope")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of no run: %v", err)
	}
}

func TestEvalRunFailAndItsLimits(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	id, set := unique("run"), unique("set")
	if err := s.Begin(ctx, id, "openai:gpt-4.1", 1, "ci", []evals.SetRun{{Name: set, Runnable: true}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Fail(ctx, id, "the model endpoint refused every call"); err != nil {
		t.Fatal(err)
	}
	_, m, err := s.Get(ctx, id)
	if err != nil || m.Status != StatusFailed || m.Error != "the model endpoint refused every call" || m.FinishedAt.IsZero() {
		t.Fatalf("failed run: %+v, %v", m, err)
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"fail twice", s.Fail(ctx, id, "again"), ErrNotRunning},
		{"finish a failed run", s.Finish(ctx, sampleRun(id, set, t0)), ErrNotRunning},
		{"fail an unknown run", s.Fail(ctx, unique("nope"), "x"), ErrNotFound},
		{"begin without an ID", s.Begin(ctx, "", "offline", 1, "cli", nil), ErrInvalid},
		{"begin with repeat 0", s.Begin(ctx, unique("run"), "offline", 0, "cli", nil), ErrInvalid},
		{"begin with a set twice", s.Begin(ctx, unique("run"), "offline", 1, "cli", []evals.SetRun{{Name: set}, {Name: set}}), ErrInvalid},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if _, _, err := s.Get(ctx, id); err != nil {
		t.Fatal(err)
	}
}

func TestEvalLatestRunIgnoresRunningAndFailedRuns(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	set, other := unique("gate"), unique("other")
	if run, err := s.LatestRun(ctx, set); run != nil || err != nil {
		t.Fatalf("no run yet: %v, %v; want nil, nil (never run)", run, err)
	}
	// In start order: an old finished run, the newest finished run, then a newer failed
	// one, a newer running one, and a newer finished run of another set only.
	old, newest := unique("old"), unique("newest")
	for _, r := range []*evals.Run{sampleRun(old, set, t0), sampleRun(newest, set, t0.Add(time.Hour))} {
		if err := s.Begin(ctx, r.ID, r.Engine, r.Repeat, "ci", r.Sets); err != nil {
			t.Fatal(err)
		}
		if err := s.Finish(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	failed, running := unique("failed"), unique("running")
	for _, id := range []string{failed, running} {
		if err := s.Begin(ctx, id, "offline", 1, "ci", []evals.SetRun{{Name: set, Runnable: true}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Fail(ctx, failed, "stopped"); err != nil {
		t.Fatal(err)
	}
	// A run finished without Begin (imported from the CLI) counts too, for its own set.
	if err := s.Finish(ctx, sampleRun(unique("imported"), other, t0.Add(2*time.Hour))); err != nil {
		t.Fatal(err)
	}

	got, err := s.LatestRun(ctx, set)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.ID != newest || len(got.Cases) != 2 {
		t.Fatalf("latest run of %s is %+v, want %s with its 2 cases", set, got, newest)
	}
	// The gate may name a set by its file.
	byPath, err := s.LatestRun(ctx, "evals/sets/"+set+".yaml")
	if err != nil || byPath == nil || byPath.ID != newest {
		t.Fatalf("latest run by path: %+v, %v", byPath, err)
	}
}

func TestEvalRunListNewestFirstAndBySet(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a, b := unique("seta"), unique("setb")
	// Start times far in the future keep these runs at the head of the shared table.
	base := time.Now().Add(1000 * 24 * time.Hour).UTC().Truncate(time.Second)
	r1 := sampleRun(unique("r1"), a, base)
	r2 := sampleRun(unique("r2"), b, base.Add(time.Minute))
	r2.Sets = append(r2.Sets, evals.SetRun{Name: a, Runnable: false, Reason: "needs a model"})
	for _, r := range []*evals.Run{r1, r2} {
		if err := s.Finish(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	r3 := unique("r3")
	if err := s.Begin(ctx, r3, "offline", 3, "staff:lena@shop.example", []evals.SetRun{{Name: b, Runnable: true}}); err != nil {
		t.Fatal(err)
	}
	ids := func(ms []Meta) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	tests := []struct {
		name  string
		limit int
		set   string
		want  []string
	}{
		{"set a: both runs that include it", 10, a, []string{r2.ID, r1.ID}},
		{"set b: the running one too", 10, b, []string{r2.ID, r3}},
		{"limit", 1, a, []string{r2.ID}},
		{"no such set", 10, unique("none"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := s.List(ctx, tt.limit, tt.set)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(ms); !slices.Equal(got, tt.want) {
				t.Fatalf("List(%d, %q) = %v, want %v", tt.limit, tt.set, got, tt.want)
			}
		})
	}
	ms, err := s.List(ctx, 10, a)
	if err != nil {
		t.Fatal(err)
	}
	if m := ms[0]; !slices.Equal(m.Sets, []string{b, a}) || m.Summary.PassRate != 0.75 || m.Status != StatusFinished {
		t.Fatalf("listed meta %+v", m)
	}
}

func TestEvalRecordConversation(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	id := unique("run")
	if err := s.Begin(ctx, id, "offline", 1, "ci", nil); err != nil {
		t.Fatal(err)
	}
	cid := uuid.NewString()
	if ok, err := s.IsEvalConversation(ctx, cid); err != nil || ok {
		t.Fatalf("before recording: %v %v", ok, err)
	}
	for range 2 { // recording twice is a no-op
		if err := s.RecordConversation(ctx, cid, id); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := s.IsEvalConversation(ctx, cid); err != nil || !ok {
		t.Fatalf("after recording: %v %v", ok, err)
	}
	if err := s.RecordConversation(ctx, uuid.NewString(), unique("nope")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown run: %v", err)
	}
	if err := s.RecordConversation(ctx, "not-a-uuid", id); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad conversation ID: %v", err)
	}
}
