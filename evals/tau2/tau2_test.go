package tau2

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/evals"
	"github.com/attache-dev/attache/tools/commerce"
)

const setPath = "../sets/tau2-retail.yaml"

func loadSet(t *testing.T) *evals.Set {
	t.Helper()
	s, err := evals.LoadSet(setPath)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// noDriver fails any attempt: a not-runnable set must never reach it.
type noDriver struct{ t *testing.T }

func (d noDriver) Attempt(context.Context, evals.AttemptSpec) (evals.Observation, error) {
	d.t.Error("an attempt ran for a set that is not runnable")
	return evals.Observation{}, nil
}

func TestNotRunnableWithoutModel(t *testing.T) {
	s := loadSet(t)
	for _, tt := range []struct {
		name   string
		player evals.ScriptedPlayer
	}{
		{"no player", nil},
		{"player without a model", Player{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &evals.Runner{Driver: noDriver{t}, Tau2: tt.player}
			run, err := r.Run(context.Background(), []*evals.Set{s})
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Sets) != 1 || run.Sets[0].Runnable || !strings.Contains(run.Sets[0].Reason, "ATTACHE_LLM_PROVIDER") {
				t.Errorf("set %+v, want not runnable, naming ATTACHE_LLM_PROVIDER", run.Sets)
			}
			if run.Summary.Cases != 10 || run.Summary.NotRunnable != 10 || run.Summary.Passed != 0 || run.Summary.PassRate != 0 {
				t.Errorf("summary %+v, want 10 cases, all not runnable, none passed", run.Summary)
			}
			for _, c := range run.Cases {
				if c.Status != evals.StatusNotRunnable || len(c.Attempts) != 0 {
					t.Errorf("%s: status %s with %d attempts, want not_runnable and none", c.ID, c.Status, len(c.Attempts))
				}
			}
		})
	}
	if ok, why := (Player{Simulator: model.Func(nil)}).Runnable(s); !ok {
		t.Errorf("with a model: not runnable: %s", why)
	}
}

func TestCases(t *testing.T) {
	cs, err := Player{}.Cases(loadSet(t))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"task-0":  {"tau2-retail", "exchange_delivered_order_items"},
		"task-10": {"tau2-retail", "transfer_to_human_agents"},
		"task-24": {"tau2-retail", "read-only"},
		"task-66": {"tau2-retail", "cancel_pending_order"},
		"task-43": {"tau2-retail", "modify_user_address"},
	}
	if len(cs) != 10 {
		t.Fatalf("%d cases, want 10", len(cs))
	}
	for _, c := range cs {
		if c.Market != "US" || c.Locale != "en-US" || c.Channel != "web" || c.Description == "" {
			t.Errorf("%s: %s %s %s %q", c.ID, c.Market, c.Locale, c.Channel, c.Description)
		}
		if w, ok := want[c.ID]; ok && !slices.Equal(c.Tags, w) {
			t.Errorf("%s: tags %v, want %v", c.ID, c.Tags, w)
		}
	}
}

// TestTaskUsers: every task of the set is about one user of the sliced database.
func TestTaskUsers(t *testing.T) {
	s := loadSet(t)
	d, err := loadDB(s)
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := evals.LoadTau2Tasks(s)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"0": "yusuf_rossi_9620", "24": "sofia_hernandez_5364", "43": "lucas_santos_6600",
		"66": "aarav_lee_1982", "88": "daiki_silva_2903", "10": "mia_garcia_4516"}
	for _, task := range tasks {
		got := d.taskUsers(task)
		if len(got) != 1 || (want[task.ID] != "" && got[0] != want[task.ID]) {
			t.Errorf("task %s: users %v, want one (%s)", task.ID, got, want[task.ID])
		}
	}
}

// TestNames: a copy renames everything that reaches the user, in the database, the
// instructions and the ground truth alike, and nothing else.
func TestNames(t *testing.T) {
	s := loadSet(t)
	d, err := loadDB(s)
	if err != nil {
		t.Fatal(err)
	}
	n, err := newNames(d, []string{"daiki_silva_2903"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := newNames(d, []string{"daiki_silva_2903"})
	if err != nil {
		t.Fatal(err)
	}
	raw := string(n.json(d.Users["daiki_silva_2903"]))
	var u user
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		t.Fatal(err)
	}
	tag := n.tag
	if u.UserID != "daiki_silva_2903-"+tag || u.Email != "daiki.silva6295+"+tag+"@example.com" || u.Address.Zip != "94102-"+tag {
		t.Errorf("user copy %s %s %s", u.UserID, u.Email, u.Address.Zip)
	}
	orderRE := regexp.MustCompile(`^#W[1-9]\d{6}$`)
	for i, oid := range u.Orders {
		if !orderRE.MatchString(oid) || oid == m.orders[i] || n.original(oid) == "" || strings.Contains(raw, n.original(oid)) {
			t.Errorf("order %s (of %s): want a fresh #W number of its own", oid, n.original(oid))
		}
	}
	for pm := range u.PaymentMethods {
		if !strings.HasSuffix(pm, "-"+tag) {
			t.Errorf("payment method %s keeps its name", pm)
		}
	}
	// The ground truth and the instructions get the same names.
	text := n.text("You name is Daiki Silva and your email is daiki.silva6295@example.com, order #W8835847 (W8835847), zip 94102, item 1234494102.")
	wantText := "You name is Daiki Silva and your email is daiki.silva6295+" + tag + "@example.com, order " + n.pairs["#W8835847"] +
		" (" + strings.TrimPrefix(n.pairs["#W8835847"], "#") + "), zip 94102-" + tag + ", item 1234494102."
	if text != wantText {
		t.Errorf("text\n got %s\nwant %s", text, wantText)
	}
	args := n.value(map[string]any{"order_id": "#W8835847", "item_ids": []any{"1234428244"}, "reason": "ordered by mistake"}).(map[string]any)
	if args["order_id"] != n.pairs["#W8835847"] || args["item_ids"].([]any)[0] != "1234428244" {
		t.Errorf("args %v", args)
	}
	// Order documents: the order and tracking numbers are renamed, the items are not.
	y, err := newNames(d, []string{"yusuf_taylor_7149"})
	if err != nil {
		t.Fatal(err)
	}
	tracked := 0
	for _, oid := range []string{"#W2702727", "#W5690487", "#W8268610"} {
		o := string(y.json(d.Orders[oid]))
		var copied order
		if err := json.Unmarshal([]byte(o), &copied); err != nil || copied.OrderID != y.pairs[oid] || copied.UserID != "yusuf_taylor_7149-"+y.tag || strings.Contains(o, oid) {
			t.Errorf("order copy %s", o)
		}
		orig, _ := d.order(oid)
		for _, f := range orig.Fulfillments {
			for _, tr := range f.TrackingID {
				tracked++
				if c := y.pairs[tr]; len(c) != len(tr) || c == tr || strings.Contains(o, tr) || !strings.Contains(o, c) {
					t.Errorf("tracking number %s → %q in %s", tr, c, o)
				}
			}
		}
		var items []string
		for _, it := range orig.Items {
			items = append(items, it.ProductID)
		}
		for _, p := range items {
			if !strings.Contains(o, p) {
				t.Errorf("product %s lost in the copy of %s", p, oid)
			}
		}
	}
	if tracked == 0 {
		t.Error("no tracking number checked")
	}
}

// TestDocument: the loader needs products, then users, then orders.
func TestDocument(t *testing.T) {
	b, err := document(map[string]json.RawMessage{"p": json.RawMessage(`{"x":1}`)}, map[string]json.RawMessage{"u": json.RawMessage(`{}`)},
		map[string]json.RawMessage{"#W2": json.RawMessage(`2`), "#W1": json.RawMessage(`1`)})
	if err != nil || string(b) != `{"products":{"p":{"x":1}},"users":{"u":{}},"orders":{"#W1":1,"#W2":2}}` {
		t.Errorf("%s %v", b, err)
	}
	b, err = document(map[string]json.RawMessage{"p": json.RawMessage(`{}`)}, nil, nil)
	if err != nil || string(b) != `{"products":{"p":{}}}` {
		t.Errorf("products only: %s %v", b, err)
	}
}

func TestScoreActions(t *testing.T) {
	call := func(name, args, outcome string) evals.ToolCall {
		return evals.ToolCall{Name: name, Args: json.RawMessage(args), Outcome: outcome}
	}
	cancel := action{Name: "cancel_pending_order", Args: map[string]any{"order_id": "#W1234567", "reason": "no longer needed"}}
	ret := action{Name: "return_delivered_order_items", Args: map[string]any{"order_id": "#W7654321", "item_ids": []any{"1", "2"}, "payment_method_id": "gift_card_1-0042"}}
	addr := action{Name: "modify_pending_order_address", Args: map[string]any{"order_id": "#W1234567", "address1": "1234 Elm St", "address2": "",
		"city": "Springfield", "state": "IL", "country": "USA", "zip": "62701"}}
	exch := action{Name: "exchange_delivered_order_items", Args: map[string]any{"order_id": "#W1", "item_ids": []any{"a", "b"}, "new_item_ids": []any{"x", "y"}, "payment_method_id": "p"}}
	transfer := action{Name: "transfer_to_human_agents", Args: map[string]any{"summary": "wants a person"}}
	tests := []struct {
		name string
		want []action
		obs  evals.Observation
		pass []bool
	}{
		{"order number as typed", []action{cancel}, evals.Observation{ToolCalls: []evals.ToolCall{
			call("cancel_pending_order", `{"order_id":"w1234567","reason":"no longer needed"}`, "ok")}}, []bool{true}},
		{"other reason", []action{cancel}, evals.Observation{ToolCalls: []evals.ToolCall{
			call("cancel_pending_order", `{"order_id":"#W1234567","reason":"ordered by mistake"}`, "ok")}}, []bool{false}},
		{"only proposed", []action{cancel}, evals.Observation{ToolCalls: []evals.ToolCall{
			call("cancel_pending_order", `{"order_id":"#W1234567","reason":"no longer needed"}`, "proposed")}}, []bool{false}},
		{"refused", []action{cancel}, evals.Observation{ToolCalls: []evals.ToolCall{
			call("cancel_pending_order", `{"order_id":"#W1234567","reason":"no longer needed"}`, "refused")}}, []bool{false}},
		{"return items in any order", []action{ret}, evals.Observation{ToolCalls: []evals.ToolCall{
			call("return_delivered_order_items", `{"order_id":"#W7654321","item_ids":["2","1"],"payment_method_id":"gift_card_1-0042"}`, "ok")}}, []bool{true}},
		{"return of fewer items", []action{ret}, evals.Observation{ToolCalls: []evals.ToolCall{
			call("return_delivered_order_items", `{"order_id":"#W7654321","item_ids":["1"],"payment_method_id":"gift_card_1-0042"}`, "ok")}}, []bool{false}},
		{"address with US for USA", []action{addr}, evals.Observation{ToolCalls: []evals.ToolCall{
			call("modify_pending_order_address", `{"order_id":"#W1234567","address1":"1234 Elm St","city":"Springfield","state":"IL","country":"US","zip":"62701"}`, "ok")}}, []bool{true}},
		{"address without its state", []action{addr}, evals.Observation{ToolCalls: []evals.ToolCall{
			call("modify_pending_order_address", `{"order_id":"#W1234567","address1":"1234 Elm St","city":"Springfield IL","country":"US","zip":"62701"}`, "ok")}}, []bool{false}},
		{"exchange pairs", []action{exch}, evals.Observation{ToolCalls: []evals.ToolCall{
			call("exchange_delivered_order_items", `{"order_id":"#W1","item_ids":["b","a"],"new_item_ids":["y","x"],"payment_method_id":"p"}`, "ok")}}, []bool{true}},
		{"exchange pairs crossed", []action{exch}, evals.Observation{ToolCalls: []evals.ToolCall{
			call("exchange_delivered_order_items", `{"order_id":"#W1","item_ids":["a","b"],"new_item_ids":["y","x"],"payment_method_id":"p"}`, "ok")}}, []bool{false}},
		{"one call for two expected", []action{cancel, cancel}, evals.Observation{ToolCalls: []evals.ToolCall{
			call("cancel_pending_order", `{"order_id":"#W1234567","reason":"no longer needed"}`, "ok")}}, []bool{true, false}},
		{"transfer by handoff", []action{transfer}, evals.Observation{Handoff: true, HandoffReason: "customer_request"}, []bool{true}},
		{"no transfer", []action{transfer}, evals.Observation{}, []bool{false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := scoreActions(tt.want, tt.obs)
			var got []bool
			for _, c := range checks {
				got = append(got, c.Passed)
				if !strings.HasPrefix(c.Name, "action ") || c.Want == "" || c.Got == "" {
					t.Errorf("check %+v: want a name, a want and a got", c)
				}
			}
			if !slices.Equal(got, tt.pass) {
				t.Errorf("passed %v, want %v: %+v", got, tt.pass, checks)
			}
		})
	}
}

func TestStateDiff(t *testing.T) {
	base := func() state {
		return state{
			Users:  map[string]userState{"u": {Address: commerce.Address{Line1: "1 Main St", City: "Austin", Zip: "78701", Country: "US"}, Balances: map[string]int64{"gift_card_1": 5000}}},
			Orders: map[string]orderState{"#W1": {Status: commerce.StatusPending, Items: []string{"1 @ 100"}, Payments: []string{"payment 100 gift_card_1"}}},
		}
	}
	if d := base().diff(base()); len(d) != 0 {
		t.Errorf("equal states differ: %v", d)
	}
	got := base()
	o := got.Orders["#W1"]
	o.Status, o.CancelReason, o.Payments = commerce.StatusCancelled, "no longer needed", append(o.Payments, "refund 100 gift_card_1")
	got.Orders["#W1"] = o
	got.Users["u"] = userState{Address: base().Users["u"].Address, Balances: map[string]int64{"gift_card_1": 5100}}
	d := base().diff(got)
	joined := strings.Join(d, "\n")
	for _, want := range []string{"order #W1 status: want pending, got cancelled", "order #W1 payments", "order #W1 cancel reason", "user u balances"} {
		if !strings.Contains(joined, want) {
			t.Errorf("diff lacks %q:\n%s", want, joined)
		}
	}
}

// TestCustomer: the simulated customer hears the agent as the user, speaks as the
// assistant, and ends at a marker.
func TestCustomer(t *testing.T) {
	var reqs []model.Request
	replies := []string{"Hi, I want to cancel order #W1234567.", "Thanks! ###STOP###"}
	m := model.Func(func(_ context.Context, r model.Request) (model.Response, error) {
		reqs = append(reqs, r)
		return model.Response{Text: replies[len(reqs)-1]}, nil
	})
	c := newCustomer(m, scenario{Reason: "You want to cancel order #W1234567.", Known: "You are Ada, zip 12345-0001.", Unknown: "You do not remember your email.", Instructions: "."})
	text, done, err := c.next(context.Background())
	if err != nil || done || text != replies[0] {
		t.Fatalf("first message %q %v %v", text, done, err)
	}
	c.hear([]string{"Sure, what is your email?"})
	text, done, err = c.next(context.Background())
	if err != nil || !done || text != MarkerStop {
		t.Fatalf("second message %q %v %v, want the stop marker", text, done, err)
	}
	sys := reqs[0].Messages[0]
	if sys.Role != model.RoleSystem || !strings.Contains(sys.Text, "cancel order #W1234567") || !strings.Contains(sys.Text, "12345-0001") ||
		strings.Contains(sys.Text, "How you behave") || !strings.Contains(sys.Text, MarkerStop) {
		t.Errorf("system prompt:\n%s", sys.Text)
	}
	last := reqs[1].Messages
	roles := []model.Role{}
	for _, m := range last {
		roles = append(roles, m.Role)
	}
	if !slices.Equal(roles, []model.Role{model.RoleSystem, model.RoleUser, model.RoleAssistant, model.RoleUser}) ||
		last[1].Text != Greeting || last[3].Text != "Sure, what is your email?" {
		t.Errorf("second request: %+v", last)
	}
}
