package tau2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/evals/live"
	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
)

// DefaultMaxTurns bounds the simulated customer's messages when the set does not.
const DefaultMaxTurns = 12

// Player runs τ²-retail sets: it is the evals.ScriptedPlayer of `attache eval run`.
type Player struct {
	// Simulator plays the customer; nil makes the sets not runnable.
	Simulator model.Model
	// Shop is the built-in shop the task's database goes into; nil: the live driver's.
	Shop   *pgstore.Store
	Logger *slog.Logger
}

// SessionDriver opens conversations driven turn by turn (evals/live's Driver is one).
type SessionDriver interface {
	Open(ctx context.Context, a evals.AttemptSpec) (*live.Session, error)
}

var _ evals.ScriptedPlayer = Player{}

// Runnable says whether the player can run s: only with a model to play the customer.
func (p Player) Runnable(s *evals.Set) (bool, string) {
	if p.Simulator == nil {
		return false, "τ²-retail sets need a model to play the customer: configure ATTACHE_LLM_PROVIDER (the offline engine cannot play one)"
	}
	if s.Tau2 == nil {
		return false, "the set names no τ² tasks"
	}
	return true, ""
}

// Cases is a case per task of s: ID "task-<id>", a US customer writing in English on the
// web widget, tagged tau2-retail and with the task's first ground-truth write.
func (p Player) Cases(s *evals.Set) ([]evals.Case, error) {
	tasks, err := evals.LoadTau2Tasks(s)
	if err != nil {
		return nil, err
	}
	out := make([]evals.Case, len(tasks))
	for i, t := range tasks {
		out[i] = evals.Case{ID: "task-" + t.ID, Description: strings.TrimSpace(t.UserScenario.Instructions.ReasonForCall),
			Market: "US", Locale: "en-US", Channel: "web", Tags: []string{evals.KindTau2Retail, firstWrite(t)}}
	}
	return out, nil
}

// loading serialises the choice of an attempt's names and the loading of its copies, so
// that attempts running at once never pick the same names.
var loading sync.Mutex

// Play runs one attempt of a task. The task's users, with their orders and payment methods,
// are copied into the shop twice under fresh names (see names): one copy for the
// conversation, one the ground-truth writes are applied to. The simulated customer talks to
// the agent through d until it ends the conversation, is handed to a person, or runs out of
// turns; then the ground-truth writes must have run with their arguments, and the
// conversation's copy must equal the ground truth's — τ²'s database check.
func (p Player) Play(ctx context.Context, d evals.Driver, s *evals.Set, c evals.Case, n int, runID string) (evals.Attempt, error) {
	var a evals.Attempt
	if p.Simulator == nil {
		return a, errors.New("no model plays the customer")
	}
	sd, ok := d.(SessionDriver)
	if !ok {
		return a, fmt.Errorf("the driver %T cannot run a conversation turn by turn", d)
	}
	shop := p.Shop
	if ld, ok := d.(*live.Driver); shop == nil && ok {
		shop = ld.Shop
	}
	if shop == nil {
		return a, errors.New("τ²-retail sets need the built-in shop")
	}
	task, database, err := p.task(s, c.ID)
	if err != nil {
		return a, err
	}
	users := database.taskUsers(task)
	mine, err := p.copyUsers(ctx, shop, database, users)
	if err != nil {
		return a, err
	}
	truth, err := p.copyUsers(ctx, shop, database, users)
	if err != nil {
		return a, err
	}
	if err := replay(ctx, shop, writeActions(task, truth), "tau2-truth/"+runID+"/"+truth.tag+"/"+c.ID); err != nil {
		return a, err
	}
	want, err := readState(ctx, shop, truth)
	if err != nil {
		return a, fmt.Errorf("ground truth: %w", err)
	}

	log := p.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log.DebugContext(ctx, "τ² attempt copies loaded", "set", s.Name, "case", c.ID, "attempt", n, "tag", mine.tag, "truth_tag", truth.tag)

	in := task.UserScenario.Instructions
	cust := newCustomer(p.Simulator, scenario{Reason: mine.text(in.ReasonForCall), Known: mine.text(in.KnownInfo),
		Unknown: mine.text(in.UnknownInfo), Instructions: mine.text(in.TaskInstructions)})
	spec := evals.AttemptSpec{RunID: runID, Set: s.Name, Case: c, N: n,
		Shop: evals.Shop{Rewrite: &evals.Rewriter{}, OrderIDs: mine.orders}}
	sess, err := sd.Open(ctx, spec)
	if err != nil {
		if sess != nil {
			a.ConversationID = sess.ConversationID()
		}
		return a, err
	}
	a.ConversationID = sess.ConversationID()
	ended, err := p.converse(ctx, sess, cust, max(s.Tau2.MaxTurns, 0))
	obs, ferr := sess.Finish(ctx)
	a.ConversationID, a.Transcript, a.ToolCalls = obs.ConversationID, obs.Transcript, obs.ToolCalls
	if err = errors.Join(err, ferr); err != nil {
		return a, err
	}
	log.DebugContext(ctx, "τ² attempt ended", "set", s.Name, "case", c.ID, "attempt", n, "conversation", a.ConversationID, "end", ended)
	got, err := readState(ctx, shop, mine)
	if err != nil {
		return a, err
	}

	a.Checks = append(a.Checks, evals.Check{Name: "conversation end", Passed: ended != "max turns", Want: "the customer ends it or is handed to a person", Got: ended})
	a.Checks = append(a.Checks, scoreActions(writeActions(task, mine), obs)...)
	final := evals.Check{Name: "final state", Want: "the user's orders and account as after the ground-truth actions", Got: "the same"}
	if diffs := want.diff(got); len(diffs) > 0 {
		final.Got = strings.Join(diffs, "\n")
	} else {
		final.Passed = true
	}
	a.Checks = append(a.Checks, final)
	for _, ch := range evals.Score(evals.Case{}, obs) {
		if ch.Guardrail {
			a.Checks = append(a.Checks, ch)
		}
	}
	a.Passed = true
	for _, ch := range a.Checks {
		a.Passed = a.Passed && ch.Passed
	}
	return a, nil
}

// converse lets the customer and the agent talk; it returns how the conversation ended.
func (p Player) converse(ctx context.Context, sess *live.Session, cust *customer, maxTurns int) (string, error) {
	if maxTurns == 0 {
		maxTurns = DefaultMaxTurns
	}
	for sent := 0; ; sent++ {
		text, done, err := cust.next(ctx)
		if err != nil {
			return "", err
		}
		if done {
			return text, nil
		}
		if sent == maxTurns {
			return "max turns", nil
		}
		lines, err := sess.Send(ctx, text, "")
		if err != nil {
			return "", err
		}
		var replies []string
		handoff := false
		for _, l := range lines {
			replies = append(replies, l.Text)
			handoff = handoff || l.Handoff
		}
		if handoff {
			return "handed to a person", nil
		}
		cust.hear(replies)
	}
}

// source is a set's tasks and database, read once per set and run (every attempt of
// every task needs them).
type source struct {
	once  sync.Once
	tasks []evals.Tau2Task
	db    *db
	err   error
}

// sources holds the sources by set: a run's sets live as long as the run.
var sources sync.Map // *evals.Set → *source

// task finds a case's task and the set's database.
func (p Player) task(s *evals.Set, caseID string) (evals.Tau2Task, *db, error) {
	v, _ := sources.LoadOrStore(s, &source{})
	src := v.(*source)
	src.once.Do(func() {
		if src.tasks, src.err = evals.LoadTau2Tasks(s); src.err == nil {
			src.db, src.err = loadDB(s)
		}
	})
	if src.err != nil {
		return evals.Tau2Task{}, nil, src.err
	}
	for _, t := range src.tasks {
		if "task-"+t.ID == caseID {
			return t, src.db, nil
		}
	}
	return evals.Tau2Task{}, nil, fmt.Errorf("%s: no τ² task for case %s", s.Path, caseID)
}

// copyUsers loads a copy of users, their payment methods and orders into the shop under
// names no other copy uses, with the database's products (shared by all copies: the loader
// leaves those already there as they are).
func (p Player) copyUsers(ctx context.Context, shop *pgstore.Store, d *db, users []string) (*names, error) {
	loading.Lock()
	defer loading.Unlock()
	var n *names
	for try := 0; ; try++ {
		var err error
		if n, err = newNames(d, users); err != nil {
			return nil, err
		}
		free, err := p.free(ctx, shop, d, n)
		if err != nil {
			return nil, err
		}
		if free {
			break
		}
		if try == 20 {
			return nil, errors.New("no free names for the task's copy after 20 tries")
		}
	}
	us, orders := map[string]json.RawMessage{}, map[string]json.RawMessage{}
	for _, id := range users {
		u, _ := d.user(id)
		us[n.pairs[id]] = n.json(d.Users[id])
		for _, oid := range u.Orders {
			if raw, ok := d.Orders[oid]; ok {
				orders[n.pairs[oid]] = n.json(raw)
			}
		}
	}
	// Every product, for the agent may look any up; the loader adds only those missing, in
	// one statement per table.
	doc, err := document(d.Products, us, orders)
	if err != nil {
		return nil, err
	}
	if _, err := shop.LoadTau2(ctx, strings.NewReader(string(doc))); err != nil {
		return nil, fmt.Errorf("load the task's copy: %w", err)
	}
	return n, nil
}

// free reports whether none of n's names is in the shop yet.
func (p Player) free(ctx context.Context, shop *pgstore.Store, d *db, n *names) (bool, error) {
	taken := func(err error) (bool, error) {
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, commerce.ErrNotFound):
			return false, nil
		case errors.Is(err, commerce.ErrInvalid): // several match: taken
			return true, nil
		}
		return false, err
	}
	check := []func() error{}
	for _, id := range n.users {
		check = append(check, func() error { _, err := shop.Customer(ctx, id); return err })
		u, _ := d.user(n.original(id))
		if z := n.zips[u.Address.Zip]; z != "" {
			check = append(check, func() error {
				_, err := shop.FindCustomer(ctx, commerce.CustomerQuery{FirstName: u.Name.FirstName, LastName: u.Name.LastName, Zip: z})
				return err
			})
		}
		if e := n.pairs[u.Email]; e != "" {
			check = append(check, func() error { _, err := shop.FindCustomer(ctx, commerce.CustomerQuery{Email: e}); return err })
		}
	}
	for _, id := range n.orders {
		check = append(check, func() error { _, err := shop.Order(ctx, id); return err })
	}
	for orig, c := range n.pairs {
		if len(orig) == 12 && strings.Trim(orig, "0123456789") == "" {
			check = append(check, func() error { _, err := shop.Parcel(ctx, c); return err })
		}
	}
	for _, f := range check {
		t, err := taken(f())
		if err != nil {
			return false, fmt.Errorf("check the copy's names: %w", err)
		}
		if t {
			return false, nil
		}
	}
	return true, nil
}
