package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
	"github.com/attache-dev/attache/policy/taboo"
)

// The tests share one database: each adds packs under IDs of its own, and the tests that
// edit embedded packs or write around the API run one at a time and put things back.
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	realpg.Stop()
	os.Exit(code)
}

var at = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (*Store, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.Pool(t)
	return New(pool, nil, pgtest.Logger()), pool
}

// uniqueID returns a pack ID no other test (or earlier run on the same database) uses.
func uniqueID(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
}

// packDoc is a valid pack for Germany that blocks the given German term.
func packDoc(id, term string) []byte {
	return fmt.Appendf(nil, `{"id": %q, "version": "1", "name": "Shop rules", "note": "test",
 "markets": ["DE"],
 "rules": [{"id": "%s.r", "category": "alcohol", "severity": "medium", "action": "block",
  "note": "The shop does not advertise this.", "match": {"terms": {"de": [%q]}}}]}`, id, id, term)
}

func screen(t *testing.T, s *Store, text, market, locale string) taboo.Verdict {
	t.Helper()
	sc, err := s.Screener(context.Background())
	if err != nil {
		t.Fatalf("screener: %v", err)
	}
	return sc.Screen(text, taboo.Context{Market: market, Locale: locale, At: at})
}

func TestPutRefusesInvalidPacks(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	id := uniqueID("invalid")
	cases := []struct {
		name  string
		doc   []byte
		field string
	}{
		{"bad action", bytes.Replace(packDoc(id, "korn"), []byte(`"block"`), []byte(`"explode"`), 1), "rules[0].action"},
		{"bad market", bytes.Replace(packDoc(id, "korn"), []byte(`["DE"]`), []byte(`["EU"]`), 1), "markets[0]"},
		{"other id", packDoc("someone-else", "korn"), "id"},
		{"unknown field", bytes.Replace(packDoc(id, "korn"), []byte(`"note": "test"`), []byte(`"notes": "test"`), 1), ""},
		{"rule id of an embedded pack", bytes.Replace(packDoc(id, "korn"), []byte(id+".r"), []byte("gcc.alcohol.promo"), 1), "rules[0].id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Put(ctx, id, tc.doc, "lena@shop.example", 0)
			var pe *taboo.PackError
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &pe) {
				t.Fatalf("error %v, want ErrInvalid with a *taboo.PackError", err)
			}
			found := false
			for _, p := range pe.Problems {
				found = found || p.Field == tc.field
			}
			if !found {
				t.Fatalf("problems %+v do not name %q", pe.Problems, tc.field)
			}
		})
	}
	if _, err := s.Get(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a refused pack was stored: %v", err)
	}
}

func TestPutChecksTheVersion(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	id := uniqueID("occ")
	if _, err := s.Put(ctx, id, packDoc(id, "korn"), "lena@shop.example", 1); !errors.Is(err, ErrConflict) {
		t.Fatalf("new pack based on version 1: %v, want ErrConflict", err)
	}
	p, err := s.Put(ctx, id, packDoc(id, "korn"), "lena@shop.example", 0)
	if err != nil || p.Version != 1 || p.Source != SourceOverride || p.UpdatedBy != "lena@shop.example" {
		t.Fatalf("first put: %+v, %v", p, err)
	}
	if _, err := s.Put(ctx, id, packDoc(id, "obstler"), "tom@shop.example", 0); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale put: %v, want ErrConflict", err)
	}
	// Two editors based on version 1 at once: one wins, the other is told.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, term := range []string{"obstler", "kirschwasser"} {
		wg.Go(func() { _, errs[i] = s.Put(ctx, id, packDoc(id, term), fmt.Sprintf("editor%d@shop.example", i), 1) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || !errors.Is(errors.Join(errs...), ErrConflict) {
		t.Fatalf("concurrent puts: %v / %v, want exactly one ErrConflict", errs[0], errs[1])
	}
	got, err := s.Get(ctx, id)
	if err != nil || got.Version != 2 || got.Rules != 1 || got.Markets[0] != "DE" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	hist, err := s.History(ctx, id)
	if err != nil || len(hist) != 2 || hist[0].Version != 2 || hist[1].Version != 1 || hist[1].UpdatedBy != "lena@shop.example" ||
		!bytes.Contains(hist[1].Document, []byte("korn")) || !bytes.Equal(hist[0].Document, got.Document) {
		t.Fatalf("history: %+v, %v", hist, err)
	}
	if _, err := s.History(ctx, uniqueID("nothing")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("history of no pack: %v", err)
	}
	if _, err := s.History(ctx, "th"); err != nil {
		t.Fatalf("history of an embedded pack: %v", err)
	}
}

func TestOverridesReplaceEmbeddedPacks(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	before, err := s.Get(ctx, "global")
	if err != nil {
		t.Fatal(err)
	}
	if before.Rules == 0 || len(before.Document) == 0 || before.Source == SourceBuiltin && before.Version != 0 {
		t.Fatalf("embedded global pack: %+v", before)
	}
	// The global pack with one more rule: the thumbs-down emoji is dropped everywhere.
	var doc map[string]any
	if err := json.Unmarshal(before.Document, &doc); err != nil {
		t.Fatal(err)
	}
	doc["rules"] = append(doc["rules"].([]any), map[string]any{"id": "global.gesture.thumbs_down", "category": "gestures",
		"severity": "low", "action": "replace", "note": "Not in a shop's reply.", "match": map[string]any{"emoji": []string{"👎"}},
		"replacement": map[string]string{"*": ""}})
	edited, _ := json.Marshal(doc)
	const clean = "Noted 👎 see you"
	if v := screen(t, s, clean, "FR", "fr"); v.Action != taboo.ActionNone {
		t.Fatalf("before the edit: %v", v.Action)
	}
	saved, err := s.Put(ctx, "global", edited, "lena@shop.example", before.Version)
	if err != nil {
		t.Fatal(err)
	}
	if v := screen(t, s, clean, "FR", "fr"); v.Action != taboo.ActionReplace || v.Text != "Noted see you" {
		t.Fatalf("after the edit: %v %q, want the emoji dropped", v.Action, v.Text)
	}

	const promo = "Get 20% off our wine today!"
	gcc, err := s.Get(ctx, "gcc")
	if err != nil {
		t.Fatal(err)
	}
	if v := screen(t, s, promo, "AE", "en"); v.Action != taboo.ActionBlock {
		t.Fatalf("gcc in effect: %v", v.Action)
	}
	off, err := s.SetDisabled(ctx, "gcc", true, "lena@shop.example", gcc.Version)
	if err != nil || !off.Disabled || off.Version != gcc.Version+1 {
		t.Fatalf("disable gcc: %+v, %v", off, err)
	}
	if v := screen(t, s, promo, "AE", "en"); v.Action != taboo.ActionNone {
		t.Fatalf("gcc disabled: %v (%+v), want no hit", v.Action, v.Hits)
	}
	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]Pack{}
	for _, p := range list {
		seen[p.ID] = p
	}
	if g := seen["global"]; g.Source != SourceOverride || g.Version != saved.Version || g.Rules != before.Rules+1 || g.Document != nil {
		t.Errorf("listed global: %+v", g)
	}
	if g := seen["gcc"]; !g.Disabled || g.Source != SourceOverride {
		t.Errorf("listed gcc: %+v", g)
	}
	if th := seen["th"]; th.Source != SourceBuiltin || th.Markets[0] != "TH" || th.Rules == 0 || th.Name == "" {
		t.Errorf("listed th: %+v", th)
	}
	if list[0].ID != "global" {
		t.Errorf("list starts with %s, want the embedded order", list[0].ID)
	}

	// Put things back for the other tests: gcc on, global as embedded.
	if _, err := s.SetDisabled(ctx, "gcc", false, "lena@shop.example", off.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "global", taboo.BuiltinDocuments()[0].JSON, "lena@shop.example", saved.Version); err != nil {
		t.Fatal(err)
	}
	if v := screen(t, s, promo, "AE", "en"); v.Action != taboo.ActionBlock {
		t.Fatalf("gcc enabled again: %v", v.Action)
	}
	if _, err := s.SetDisabled(ctx, uniqueID("nothing"), true, "lena@shop.example", 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("disable no pack: %v", err)
	}
}

func TestCheckTriesAPackBeforeSaving(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	id := uniqueID("check")
	tctx := taboo.Context{Market: "DE", Locale: "de", At: at}
	const text = "Heute Zwetschgenwasser zum halben Preis"
	v, err := s.Check(ctx, text, tctx, id, packDoc(id, "zwetschgenwasser"))
	if err != nil || v.Action != taboo.ActionBlock || len(v.Hits) != 1 || v.Hits[0].RuleID != id+".r" || v.Hits[0].Match != "Zwetschgenwasser" {
		t.Fatalf("check with the candidate: %+v, %v", v, err)
	}
	if v, err := s.Check(ctx, text, tctx, "", nil); err != nil || v.Action != taboo.ActionNone {
		t.Fatalf("check without it: %+v, %v", v, err)
	}
	if _, err := s.Get(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("check stored the candidate: %v", err)
	}
	if _, err := s.Check(ctx, text, tctx, id, []byte(`{"id": "`+id+`"}`)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("check with a broken candidate: %v", err)
	}
}

// recorder keeps the messages logged, to see that a broken pack is reported.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }
func (r *recorder) count(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if strings.HasPrefix(m, prefix) {
			n++
		}
	}
	return n
}

// eventually polls cond every 10 ms until it holds or d passes.
func eventually(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func TestWatchPicksUpEditsAndKeepsAWorkingScreener(t *testing.T) {
	_, pool := newStore(t)
	logs := &recorder{}
	worker := New(pool, nil, slog.New(logs)) // the worker's store
	admin := New(pool, nil, pgtest.Logger()) // the API's store, another instance
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live := taboo.NewLive(nil)
	const interval = 100 * time.Millisecond
	// PGlite serves one session at a time and -race slows it: allow for a slow poll.
	const within = 30 * interval
	done := make(chan error, 1)
	go func() { done <- worker.Watch(ctx, interval, live) }()

	id := uniqueID("watch")
	const text = "Heute Mirabellengeist zum halben Preis"
	tctx := taboo.Context{Market: "DE", Locale: "de", At: at}
	if !eventually(time.Second, func() bool { return logs.count("taboo packs loaded") > 0 }) {
		t.Fatal("the watcher did not load the packs at start")
	}
	p, err := admin.Put(ctx, id, packDoc(id, "mirabellengeist"), "lena@shop.example", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Within a few intervals (the database's clock and the poll need not line up).
	if !eventually(within, func() bool { return live.Screen(text, tctx).Action == taboo.ActionBlock }) {
		t.Fatalf("the worker did not pick up the new pack within %v", within)
	}

	// A document broken around the API: the worker keeps the screener it has.
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), `DELETE FROM taboo_packs WHERE id = $1`, id)
		_, _ = pool.Exec(context.Background(), `DELETE FROM taboo_pack_versions WHERE id = $1`, id)
	})
	working := live.Current()
	broken := bytes.Replace(packDoc(id, "mirabellengeist"), []byte(`"block"`), []byte(`"explode"`), 1)
	if _, err := pool.Exec(ctx, `UPDATE taboo_packs SET document = $2, version = version + 1, updated_at = now() WHERE id = $1`,
		id, string(broken)); err != nil {
		t.Fatal(err)
	}
	if !eventually(within, func() bool { return logs.count("stored taboo packs cannot be used") > 0 }) {
		t.Fatal("the broken pack was not reported")
	}
	time.Sleep(3 * interval)
	if live.Current() != working || live.Screen(text, tctx).Action != taboo.ActionBlock {
		t.Fatal("a broken pack replaced the working screener")
	}
	if n := logs.count("stored taboo packs cannot be used"); n != 1 {
		t.Errorf("the broken pack was reported %d times, want once per change", n)
	}
	got, err := admin.Get(ctx, id)
	if err != nil || got.Problem == "" || !strings.Contains(got.Problem, "rules[0].action") {
		t.Errorf("get of the broken pack: problem %q, %v", got.Problem, err)
	}
	other := uniqueID("other")
	if _, err := admin.Put(ctx, other, packDoc(other, "x"), "lena@shop.example", 0); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), id) {
		t.Errorf("a put while another stored pack is broken: %v, want ErrInvalid", err)
	}

	// Fixing it through the API is picked up again.
	if _, err := admin.Put(ctx, id, packDoc(id, "williamsbirne"), "lena@shop.example", p.Version+1); err != nil {
		t.Fatal(err)
	}
	if !eventually(within, func() bool {
		return live.Screen(text, tctx).Action == taboo.ActionNone &&
			live.Screen("Williamsbirne im Angebot", tctx).Action == taboo.ActionBlock
	}) {
		t.Fatal("the fixed pack was not picked up")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("watch: %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("watch did not end with its context")
	}
}

func TestEditsReloadTheAPIProcessAtOnce(t *testing.T) {
	_, pool := newStore(t)
	live := taboo.NewLive(nil)
	s := New(pool, live, pgtest.Logger())
	id := uniqueID("live")
	tctx := taboo.Context{Market: "DE", Locale: "de", At: at}
	const text = "Himbeergeist im Angebot"
	if v := live.Screen(text, tctx); v.Action != taboo.ActionNone {
		t.Fatalf("before: %v", v.Action)
	}
	p, err := s.Put(context.Background(), id, packDoc(id, "himbeergeist"), "lena@shop.example", 0)
	if err != nil {
		t.Fatal(err)
	}
	if v := live.Screen(text, tctx); v.Action != taboo.ActionBlock {
		t.Fatalf("right after the put: %v, want block", v.Action)
	}
	if _, err := s.SetDisabled(context.Background(), id, true, "lena@shop.example", p.Version); err != nil {
		t.Fatal(err)
	}
	if v := live.Screen(text, tctx); v.Action != taboo.ActionNone {
		t.Fatalf("right after switching it off: %v, want none", v.Action)
	}
}
