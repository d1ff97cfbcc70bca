package orders_test

// The τ² retail training tasks replayed through the agent's tools, as a model would call
// them, on the built-in shop loaded with the τ² database: identification first, then every
// ground-truth action by its tool name and arguments.

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
	"github.com/attache-dev/attache/tools/orders"
)

const tau2Dir = "../../../shared/evaldata/commerce/"

type tau2Action struct {
	ActionID  string          `json:"action_id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

type tau2Task struct {
	ID                 string `json:"id"`
	EvaluationCriteria struct {
		Actions []tau2Action `json:"actions"`
	} `json:"evaluation_criteria"`
}

func TestTau2TasksReplayThroughTheTools(t *testing.T) {
	db, err := os.Open(tau2Dir + "tau2_retail_db.json")
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("τ² retail data not found at %s (it lives beside the checkout, see the evaldata README); skipping", tau2Dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tasks []tau2Task
	b, err := os.ReadFile(tau2Dir + "tau2_retail_tasks_train.json")
	if err == nil {
		err = json.Unmarshal(b, &tasks)
	}
	if err != nil || len(tasks) != 74 {
		t.Fatalf("τ² tasks: %d, %v; want 74", len(tasks), err)
	}
	ctx := context.Background()
	pool := pgtest.Pool(t)
	if _, err := pgstore.New(pool, pgtest.Logger()).LoadTau2(ctx, db); err != nil {
		t.Fatal(err)
	}

	// Outcomes over all tasks, by kind of tool.
	count := map[string]int{}
	for _, task := range tasks {
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		shop := pgstore.New(tx, pgtest.Logger())
		reg, err := tools.NewRegistry(orders.Tools{Shop: shop}.All()...)
		if err != nil {
			t.Fatal(err)
		}
		var id tools.Identity
		// Some tasks list only their writes: the identification their customer's known facts
		// imply (name and zip, or email) is stood in for by the owner of the first order.
		actions := task.EvaluationCriteria.Actions
		if len(actions) == 0 {
			count["task without actions"]++
		} else if !slices.ContainsFunc(actions, func(a tau2Action) bool { return strings.HasPrefix(a.Name, "find_user") }) {
			for _, a := range actions {
				var args struct {
					OrderID string `json:"order_id"`
				}
				if json.Unmarshal(a.Arguments, &args) != nil || args.OrderID == "" {
					continue
				}
				o, err := shop.Order(ctx, args.OrderID)
				if err != nil {
					t.Fatalf("task %s: %v", task.ID, err)
				}
				id = tools.Identity{CustomerID: o.CustomerID, Method: "task"}
				count["identity given by the task"]++
				break
			}
		}
		for _, a := range task.EvaluationCriteria.Actions {
			tool, ok := reg.Tool(a.Name)
			if !ok {
				count["no such tool: "+a.Name]++
				continue
			}
			inv := tools.Invocation{Call: tools.Call{Name: a.Name, Args: a.Arguments}, Key: "tau2/" + a.ActionID,
				ConversationID: "tau2/" + task.ID, Market: "US", Identity: id}
			spec := tool.Spec()
			if spec.Confirm {
				p, err := tool.(tools.Previewer).Preview(ctx, inv)
				if err != nil || p.Outcome != tools.OK {
					t.Errorf("task %s %s %s: preview %+v, %v", task.ID, a.ActionID, a.Name, p, err)
				}
			}
			r, err := tool.Run(ctx, inv)
			if err != nil {
				t.Fatalf("task %s %s %s: %v", task.ID, a.ActionID, a.Name, err)
			}
			if r.Identity != nil {
				id = *r.Identity
			}
			switch {
			case spec.Effect == tools.Read && r.Outcome == tools.NotFound:
				count["read not found"]++ // the customer's typos, which τ² answers the same way
			case spec.Effect == tools.Read && r.Outcome == tools.OK:
				count["read ok"]++
			case spec.Effect != tools.Read && r.Outcome == tools.OK && r.Verified:
				count["write done and verified"]++
			case r.Outcome == tools.Invalid && r.Reason == "insufficient_balance":
				// τ² refuses it too: one task pays a difference with a gift card too small for it.
				count["refused: gift card balance"]++
			default:
				t.Errorf("task %s %s %s(%s): %+v", task.ID, a.ActionID, a.Name, a.Arguments, r)
			}
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("τ² train tasks through the tools: %v", count)
	if count["write done and verified"] != 119 || count["refused: gift card balance"] != 1 || count["read ok"] < 200 {
		t.Errorf("outcomes %v: want the tasks' 120 writes through the tools, 119 done and the one τ² refuses refused", count)
	}
}

// What the policy forbids is refused by the tools, with a reason the reply can give.
func TestTau2ForbiddenActionsAreRefused(t *testing.T) {
	db, err := os.Open(tau2Dir + "tau2_retail_db.json")
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("τ² retail data not found at %s; skipping", tau2Dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	shop := pgstore.New(pool, pgtest.Logger())
	if _, err := shop.LoadTau2(ctx, db); err != nil {
		t.Fatal(err)
	}
	orderIn := func(status string) (id, owner, item string) {
		t.Helper()
		err := pool.QueryRow(ctx, `SELECT o.id, o.customer_id, i.item_id FROM commerce_orders o
			JOIN commerce_order_items i ON i.order_id = o.id WHERE o.status = $1 ORDER BY o.id LIMIT 1`, status).Scan(&id, &owner, &item)
		if err != nil {
			t.Fatalf("an order in status %s: %v", status, err)
		}
		return id, owner, item
	}
	delivered, deliveredOwner, deliveredItem := orderIn("delivered")
	pending, pendingOwner, pendingItem := orderIn("pending")
	reg, err := tools.NewRegistry(orders.Tools{Shop: shop}.All()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, tool, args, who string
		want                  tools.Outcome
		reason                string
	}{
		{"cancel a delivered order", "cancel_pending_order", `{"order_id":"` + delivered + `","reason":"no longer needed"}`, deliveredOwner, tools.Refused, "order_not_pending"},
		{"cancel for another reason", "cancel_pending_order", `{"order_id":"` + pending + `","reason":"found it cheaper"}`, pendingOwner, tools.Invalid, "bad_arguments"},
		{"return a pending order", "return_delivered_order_items", `{"order_id":"` + pending + `","item_ids":["` + pendingItem + `"],"payment_method_id":"x"}`, pendingOwner, tools.Refused, "order_not_delivered"},
		{"someone else's order", "get_order_details", `{"order_id":"` + delivered + `"}`, pendingOwner, tools.NotFound, "not_found"},
		{"without identity", "get_order_details", `{"order_id":"` + delivered + `"}`, "", tools.NotFound, "not_found"},
		{"exchange to another product", "exchange_delivered_order_items", `{"order_id":"` + delivered + `","item_ids":["` + deliveredItem + `"],"new_item_ids":["` + pendingItem + `"],"payment_method_id":"x"}`, deliveredOwner, tools.Refused, "different_product"},
		{"refund more than paid", "refund_order", `{"order_id":"` + delivered + `","amount":1000000,"reason":"goodwill"}`, deliveredOwner, tools.Invalid, "above_refundable"},
		{"another customer's address", "modify_user_address", `{"user_id":"` + pendingOwner + `","address1":"1 Main St","city":"Austin","country":"US","zip":"73301"}`, deliveredOwner, tools.NotFound, "not_found"},
	} {
		tool, _ := reg.Tool(c.tool)
		inv := tools.Invocation{Call: tools.Call{Name: c.tool, Args: json.RawMessage(c.args)}, Key: "forbidden/" + c.name,
			Market: "US", Identity: tools.Identity{CustomerID: c.who}}
		run := tool.Run
		if p, ok := tool.(tools.Previewer); ok {
			run = p.Preview // refused before the customer is even asked
		}
		r, err := run(ctx, inv)
		if err != nil || r.Outcome != c.want || r.Reason != c.reason {
			t.Errorf("%s: %+v, %v; want %s (%s)", c.name, r, err, c.want, c.reason)
		}
	}
	// Nothing of it reached the shop.
	for _, id := range []string{delivered, pending} {
		o, err := shop.Order(ctx, id)
		if err != nil || o.Refunded().Amount != 0 || (id == delivered && o.Status != "delivered") || (id == pending && o.Status != "pending") {
			t.Errorf("order %s after the refusals: %+v, %v", id, o, err)
		}
	}
}
