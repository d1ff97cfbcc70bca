package privacy

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
)

func TestSweepDeletesPerMarket(t *testing.T) {
	ctx := context.Background()
	shred := &fakeShredder{}
	// One conversation per transaction, so that the sweep needs several batches.
	s, pool := newStore(t, Config{Shredder: shred, BatchSize: 1,
		Retention: Retention{DefaultDays: 730, Markets: map[string]int{"DE": 365, "BR": 1825}}})
	now := time.Now()
	days := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	g := newCustomer(t, "greta")
	cases := []struct {
		name   string
		market string
		age    int
		kept   bool
	}{
		{"old DE conversation", "DE", 400, false},
		{"old DE conversation, market in lower case", "de", 366, false},
		{"young DE conversation", "DE", 10, true},
		{"old conversation in BR, which keeps longer", "BR", 400, true},
		{"very old BR conversation", "BR", 1900, false},
		{"old conversation without market", "", 800, false},
		{"conversation without market, under the default", "", 700, true},
		{"old conversation in an unlisted market", "KE", 731, false},
	}
	ids := make([]conv, len(cases))
	for i, c := range cases {
		ids[i] = seedConversation(t, pool, g, nil, c.market, days(c.age))
	}
	oldGap, youngGap := "orphan gap "+g.Name, "recent gap "+g.Name
	seedGap(t, pool, oldGap, days(1900))
	seedGap(t, pool, youngGap, days(1000))

	sum, err := s.Sweep(ctx, now)
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	var wantShred []string
	for i, c := range cases {
		if got := exists(t, pool, ids[i].ID); got != c.kept {
			t.Errorf("%s: kept = %v, want %v", c.name, got, c.kept)
		}
		if !c.kept {
			wantShred = append(wantShred, "conversation/"+ids[i].ID)
		}
	}
	slices.Sort(wantShred)
	if got := shred.shredded(); !slices.Equal(got, wantShred) {
		t.Errorf("shredded %v, want %v", got, wantShred)
	}
	if sum.Deleted["conversations"] != 5 || sum.Deleted["messages"] != 20 || sum.Shredded != 5 {
		t.Errorf("summary %+v, want 5 conversations, 20 messages, 5 shredded", sum)
	}
	// The gaps of deleted conversations go with them; an orphan goes after the longest period.
	var gaps []string
	rows, err := pool.Query(ctx, `SELECT question FROM kb_gaps WHERE question LIKE '%' || $1 || '%' ORDER BY question`, g.Name)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			t.Fatal(err)
		}
		gaps = append(gaps, q)
	}
	if len(gaps) != 4 || !slices.Contains(gaps, youngGap) || slices.Contains(gaps, oldGap) {
		t.Errorf("gaps left: %q; want the three of kept conversations and the recent orphan", gaps)
	}
	if sum.Deleted["kb_gaps"] != 6 {
		t.Errorf("deleted %d gaps, want 6", sum.Deleted["kb_gaps"])
	}

	// Nothing is left to do.
	again, err := s.Sweep(ctx, now)
	if err != nil || again.Deleted["conversations"] != 0 {
		t.Errorf("second sweep: %+v, %v", again, err)
	}
}

func TestRetentionWorkflowRunsTheSweep(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	s, pool := newStore(t, Config{})
	old := seedConversation(t, pool, newCustomer(t, "hana"), nil, "", time.Now().AddDate(-10, 0, 0))
	Register(env, NewActivities(s))

	env.ExecuteWorkflow(RetentionWorkflowName)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	var sum Summary
	if err := env.GetWorkflowResult(&sum); err != nil {
		t.Fatal(err)
	}
	if sum.Deleted["conversations"] < 1 || exists(t, pool, old.ID) {
		t.Errorf("the workflow's sweep left a ten-year-old conversation (summary %+v)", sum)
	}
}
