package pgstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/tools/commerce"
	"github.com/attache-dev/attache/tools/commerce/pgstore"
)

// The τ² retail data (sierra-research/tau2-bench, MIT) lives beside the checkout, in the
// project's shared development data; the tests that need it skip without it.
const tau2Dir = "../../../../shared/evaldata/commerce/"

var (
	tau2Once   sync.Once
	tau2Counts pgstore.Counts
	tau2Err    error
	tau2Took   time.Duration
)

// loadTau2 loads the τ² database into the shared test database, once per test binary.
func loadTau2(t testing.TB) {
	t.Helper()
	f, err := os.Open(tau2Dir + "tau2_retail_db.json")
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("τ² retail database not found at %s: skipping", tau2Dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tau2Once.Do(func() {
		s := newStore(t)
		start := time.Now()
		tau2Counts, tau2Err = s.LoadTau2(context.Background(), f)
		tau2Took = time.Since(start)
	})
	if tau2Err != nil {
		t.Fatalf("load τ²: %v", tau2Err)
	}
}

// inTx runs fn on a store bound to a transaction that is rolled back afterwards, so every
// caller starts from the database as loaded.
func inTx(t *testing.T, fn func(s *pgstore.Store, tx pgx.Tx)) {
	t.Helper()
	ctx := context.Background()
	tx, err := pgtest.Pool(t).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	fn(pgstore.New(tx, pgtest.Logger()), tx)
}

func TestLoadTau2(t *testing.T) {
	loadTau2(t)
	t.Logf("loaded in %v: %+v", tau2Took, tau2Counts)
	want := pgstore.Counts{Products: 50, Variants: 591, Customers: 500, PaymentMethods: 695, Orders: 1000}
	if tau2Counts != want {
		t.Errorf("counts %+v, want %+v", tau2Counts, want)
	}
	ctx := context.Background()
	s := newStore(t)
	rows := func() [4]int {
		var n [4]int
		err := pgtest.Pool(t).QueryRow(ctx, `SELECT
			(SELECT count(*) FROM commerce_orders WHERE id LIKE '#W%'),
			(SELECT count(*) FROM commerce_order_items WHERE order_id LIKE '#W%'),
			(SELECT count(*) FROM commerce_transactions WHERE order_id LIKE '#W%'),
			(SELECT count(*) FROM commerce_parcels WHERE order_id LIKE '#W%')`).Scan(&n[0], &n[1], &n[2], &n[3])
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := rows()
	f, err := os.Open(tau2Dir + "tau2_retail_db.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	again, err := s.LoadTau2(ctx, f)
	if err != nil || again != want {
		t.Fatalf("second load: %+v, %v", again, err)
	}
	t.Logf("loaded again in %v", time.Since(start))
	if after := rows(); after != before || before[0] != 1000 || before[2] != 1102 || before[3] != 577 {
		t.Errorf("orders, items, transactions, parcels: %v after the first load, %v after the second; want 1000 orders, 1102 transactions, 577 parcels", before, after)
	}

	o, err := s.Order(ctx, "#W2611340")
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != commerce.StatusProcessed || len(o.Items) != 2 || o.Paid() != usd(53665) || o.Payments[0].PaymentMethodID != "gift_card_1725971" ||
		o.Items[1].Name != "Office Chair" || o.Items[1].Price != usd(48881) || o.Address.Country != "US" || o.Fulfillments[0].TrackingIDs[0] != "357962501027" {
		t.Errorf("#W2611340 = %+v", o)
	}
	c, err := s.FindCustomer(ctx, commerce.CustomerQuery{Email: "noah.brown7922@example.com"})
	if err != nil || c.ID != "noah_brown_6181" || len(c.PaymentMethods) != 2 || c.PaymentMethods[1].Last4 != "9212" || !slices.Equal(c.OrderIDs, []string{"#W7678072"}) {
		t.Errorf("noah_brown_6181 = %+v, %v", c, err)
	}
	if _, err := s.Parcel(ctx, "357962501027"); err != nil {
		t.Errorf("parcel of #W2611340: %v", err)
	}
}

type tau2Task struct {
	ID                 string `json:"id"`
	EvaluationCriteria struct {
		Actions []tau2Action `json:"actions"`
	} `json:"evaluation_criteria"`
}

type tau2Action struct {
	ActionID  string         `json:"action_id"`
	Name      string         `json:"name"`
	Arguments map[string]any `json:"arguments"`
}

func (a tau2Action) str(k string) string { s, _ := a.Arguments[k].(string); return s }

func (a tau2Action) strs(k string) []string {
	var out []string
	for _, v := range a.Arguments[k].([]any) {
		out = append(out, v.(string))
	}
	return out
}

func (a tau2Action) address() commerce.Address {
	country := a.str("country")
	if country == "USA" {
		country = "US"
	}
	return commerce.Address{Line1: a.str("address1"), Line2: a.str("address2"), City: a.str("city"), State: a.str("state"), Zip: a.str("zip"), Country: country}
}

func (a tau2Action) swaps() []commerce.ItemSwap {
	var sw []commerce.ItemSwap
	for i, from := range a.strs("item_ids") {
		sw = append(sw, commerce.ItemSwap{From: from, To: a.strs("new_item_ids")[i]})
	}
	return sw
}

// tau2Source is what the τ² file itself says, read independently of the loader, to check the
// store's answers and arithmetic against the source rather than against itself.
type tau2Source struct {
	prices           map[string]int64 // variant → cents
	products, orders map[string]bool
	users, emails    map[string]bool
	nameZips         map[[3]string]bool
}

func readTau2Source(t *testing.T) tau2Source {
	b, err := os.ReadFile(tau2Dir + "tau2_retail_db.json")
	if err != nil {
		t.Fatal(err)
	}
	var db struct {
		Products map[string]struct {
			Variants map[string]struct {
				Price float64 `json:"price"`
			} `json:"variants"`
		} `json:"products"`
		Users map[string]struct {
			Name struct {
				FirstName string `json:"first_name"`
				LastName  string `json:"last_name"`
			} `json:"name"`
			Address struct {
				Zip string `json:"zip"`
			} `json:"address"`
			Email string `json:"email"`
		} `json:"users"`
		Orders map[string]json.RawMessage `json:"orders"`
	}
	if err := json.Unmarshal(b, &db); err != nil {
		t.Fatal(err)
	}
	src := tau2Source{prices: map[string]int64{}, products: map[string]bool{}, orders: map[string]bool{},
		users: map[string]bool{}, emails: map[string]bool{}, nameZips: map[[3]string]bool{}}
	for id, p := range db.Products {
		src.products[id] = true
		for item, v := range p.Variants {
			src.prices[item] = int64(math.Round(v.Price * 100))
		}
	}
	for id, u := range db.Users {
		src.users[id] = true
		src.emails[strings.ToLower(u.Email)] = true
		src.nameZips[[3]string{strings.ToLower(u.Name.FirstName), strings.ToLower(u.Name.LastName), u.Address.Zip}] = true
	}
	for id := range db.Orders {
		src.orders[id] = true
	}
	return src
}

// TestTau2Replay applies the ground-truth actions of τ²'s 74 training tasks, each to the
// database as loaded, and checks that every action succeeds, that its effect is the one the
// τ² policy describes, and that repeating it with its key changes nothing.
func TestTau2Replay(t *testing.T) {
	loadTau2(t)
	b, err := os.ReadFile(tau2Dir + "tau2_retail_tasks_train.json")
	if err != nil {
		t.Fatal(err)
	}
	var tasks []tau2Task
	if err := json.Unmarshal(b, &tasks); err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 74 {
		t.Fatalf("%d tasks, want 74", len(tasks))
	}
	src := readTau2Source(t)
	ctx := context.Background()
	writes := 0
	start := time.Now()
	for _, task := range tasks {
		t.Run(task.ID, func(t *testing.T) {
			inTx(t, func(s *pgstore.Store, _ pgx.Tx) {
				for _, a := range task.EvaluationCriteria.Actions {
					if replayAction(ctx, t, s, a, src) {
						writes++
					}
				}
			})
		})
	}
	t.Logf("%d tasks, %d writes replayed in %v", len(tasks), writes, time.Since(start))
}

// replayAction runs one τ² action and checks its effect; it reports whether it wrote.
//
// Some ground-truth lookups are the customer's mistakes that τ² itself answers with "not
// found" (an order ID without its W, a mistyped email): a read must succeed exactly when the
// source has what it asks for.
func replayAction(ctx context.Context, t *testing.T, s *pgstore.Store, a tau2Action, src tau2Source) bool {
	t.Helper()
	key := "tau2/" + a.ActionID
	var (
		err    error
		exists = true
	)
	switch a.Name {
	case "find_user_id_by_email":
		exists = src.emails[strings.ToLower(a.str("email"))]
		_, err = s.FindCustomer(ctx, commerce.CustomerQuery{Email: a.str("email")})
	case "find_user_id_by_name_zip":
		exists = src.nameZips[[3]string{strings.ToLower(a.str("first_name")), strings.ToLower(a.str("last_name")), a.str("zip")}]
		_, err = s.FindCustomer(ctx, commerce.CustomerQuery{FirstName: a.str("first_name"), LastName: a.str("last_name"), Zip: a.str("zip")})
	case "get_user_details":
		exists = src.users[a.str("user_id")]
		_, err = s.Customer(ctx, a.str("user_id"))
	case "get_order_details":
		exists = src.orders[a.str("order_id")]
		_, err = s.Order(ctx, a.str("order_id"))
	case "get_product_details":
		exists = src.products[a.str("product_id")]
		_, err = s.Product(ctx, a.str("product_id"))
	case "get_item_details":
		_, exists = src.prices[a.str("item_id")]
		_, err = s.ProductOfItem(ctx, a.str("item_id"))
	case "calculate", "transfer_to_human_agents", "list_all_product_types":
	case "modify_user_address":
		want := a.address()
		c, err := s.ModifyCustomerAddress(ctx, key, a.str("user_id"), want)
		if err != nil {
			t.Fatalf("%s %s: %v", a.ActionID, a.Name, err)
		}
		if c.Address != want {
			t.Errorf("%s: address %+v, want %+v", a.ActionID, c.Address, want)
		}
		return true
	default:
		replayOrderWrite(ctx, t, s, a, key, src.prices)
		return true
	}
	if !exists {
		if !errors.Is(err, commerce.ErrNotFound) {
			t.Errorf("%s %s of what τ² does not have: %v, want not found", a.ActionID, a.Name, err)
		}
		return false
	}
	if err != nil {
		t.Fatalf("%s %s: %v", a.ActionID, a.Name, err)
	}
	return false
}

func replayOrderWrite(ctx context.Context, t *testing.T, s *pgstore.Store, a tau2Action, key string, prices map[string]int64) {
	t.Helper()
	orderID := a.str("order_id")
	before, err := s.Order(ctx, orderID)
	if err != nil {
		t.Fatal(err)
	}
	cBefore, err := s.Customer(ctx, before.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	pm := a.str("payment_method_id")
	do := func() (commerce.Order, error) {
		switch a.Name {
		case "cancel_pending_order":
			return s.CancelOrder(ctx, key, orderID, a.str("reason"))
		case "modify_pending_order_address":
			return s.ModifyOrderAddress(ctx, key, orderID, a.address())
		case "modify_pending_order_payment":
			return s.ModifyOrderPayment(ctx, key, orderID, pm)
		case "modify_pending_order_items":
			return s.ModifyOrderItems(ctx, key, orderID, a.swaps(), pm)
		case "return_delivered_order_items":
			return s.ReturnItems(ctx, key, orderID, a.strs("item_ids"), pm)
		case "exchange_delivered_order_items":
			return s.ExchangeItems(ctx, key, orderID, a.swaps(), pm)
		}
		t.Fatalf("%s: unknown action %s", a.ActionID, a.Name)
		return commerce.Order{}, nil
	}
	var diff int64 // τ²'s price difference: new items minus old
	if _, ok := a.Arguments["new_item_ids"]; ok {
		for _, sw := range a.swaps() {
			diff += prices[sw.To] - prices[sw.From]
		}
	}
	// τ² itself refuses a gift card that cannot cover the difference (one training task
	// asks for exactly that): the store must refuse it too, and change nothing.
	if b, ok := balances(cBefore)[pm]; ok && diff > b {
		if _, err := do(); !errors.Is(err, commerce.ErrInvalid) {
			t.Errorf("%s: %s paid by %s holding %d for a difference of %d: %v, want ErrInvalid", a.ActionID, a.Name, pm, b, diff, err)
		}
		if o, _ := s.Order(ctx, orderID); !reflect.DeepEqual(o, before) {
			t.Errorf("%s: the refused change changed the order", a.ActionID)
		}
		return
	}
	after, err := do()
	if err != nil {
		t.Fatalf("%s %s %s: %v", a.ActionID, a.Name, orderID, err)
	}
	paidDelta := after.Paid().Amount - before.Paid().Amount
	switch a.Name {
	case "cancel_pending_order":
		if after.Status != commerce.StatusCancelled || after.CancelReason != a.str("reason") || after.Paid().Amount != 0 || after.Refunded().Amount-before.Refunded().Amount != before.Paid().Amount {
			t.Errorf("%s: cancelled %s is %s, paid %v, refunded %v (had paid %v)", a.ActionID, orderID, after.Status, after.Paid(), after.Refunded(), before.Paid())
		}
	case "modify_pending_order_address":
		if after.Address != a.address() || after.Status != before.Status {
			t.Errorf("%s: address %+v status %s", a.ActionID, after.Address, after.Status)
		}
	case "modify_pending_order_items":
		var got []string
		for _, it := range after.Items {
			got = append(got, it.ItemID)
		}
		for _, want := range a.strs("new_item_ids") {
			if !slices.Contains(got, want) {
				t.Errorf("%s: %s not among the items %v", a.ActionID, want, got)
			}
		}
		if after.Status != commerce.StatusPendingModified || paidDelta != diff {
			t.Errorf("%s: status %s, paid changed by %d, want %s and %d", a.ActionID, after.Status, paidDelta, commerce.StatusPendingModified, diff)
		}
	case "return_delivered_order_items":
		var total int64
		for _, id := range a.strs("item_ids") {
			total += prices[id]
		}
		if after.Status != commerce.StatusReturnRequested || -paidDelta != total || lastTx(after).PaymentMethodID != pm ||
			!slices.Equal(slices.Sorted(slices.Values(after.ReturnItemIDs)), slices.Sorted(slices.Values(a.strs("item_ids")))) {
			t.Errorf("%s: status %s, refunded %d to %s, returns %v; want %d to %s", a.ActionID, after.Status, -paidDelta, lastTx(after).PaymentMethodID, after.ReturnItemIDs, total, pm)
		}
	case "exchange_delivered_order_items":
		if after.Status != commerce.StatusExchangeRequested || paidDelta != diff || len(after.ExchangeItemIDs) == 0 {
			t.Errorf("%s: status %s, paid changed by %d, exchanges %v; want %d", a.ActionID, after.Status, paidDelta, after.ExchangeItemIDs, diff)
		}
	}
	// Gift cards and store credit moved by exactly the new transactions on them.
	cAfter, err := s.Customer(ctx, before.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	want := balances(cBefore)
	for _, tx := range after.Payments[len(before.Payments):] {
		if _, ok := want[tx.PaymentMethodID]; ok {
			if tx.Kind == "payment" {
				want[tx.PaymentMethodID] -= tx.Amount.Amount
			} else {
				want[tx.PaymentMethodID] += tx.Amount.Amount
			}
		}
	}
	if got := balances(cAfter); !maps.Equal(got, want) {
		t.Errorf("%s: gift card balances %v, want %v", a.ActionID, got, want)
	}
	// The same call with the same key returns the order and changes nothing.
	again, err := do()
	if err != nil {
		t.Fatalf("%s repeated: %v", a.ActionID, err)
	}
	if !reflect.DeepEqual(again, after) {
		t.Errorf("%s repeated: order changed from %+v to %+v", a.ActionID, after, again)
	}
}

func balances(c commerce.Customer) map[string]int64 {
	m := map[string]int64{}
	for _, pm := range c.PaymentMethods {
		if pm.Balance != nil {
			m[pm.ID] = pm.Balance.Amount
		}
	}
	return m
}

// TestTau2Forbidden tries what the τ² policy forbids on orders picked from the loaded
// database, each in a transaction rolled back afterwards.
func TestTau2Forbidden(t *testing.T) {
	loadTau2(t)
	ctx := context.Background()
	pick := func(t *testing.T, tx pgx.Tx, sql string) []string {
		t.Helper()
		rows, err := tx.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) ([]string, error) {
			vals, err := r.Values()
			out := make([]string, len(vals))
			for i, v := range vals {
				out[i] = fmt.Sprint(v)
			}
			return out, err
		})
		if err != nil {
			t.Fatalf("pick from the τ² data: %v\n%s", err, sql)
		}
		return vals
	}
	// An item of an order's that another available variant of its product could replace.
	const swappable = `
		SELECT o.id, i.item_id, v.item_id, t.payment_method_id FROM commerce_orders o
		JOIN commerce_order_items i ON i.order_id = o.id
		JOIN commerce_variants v ON v.product_id = i.product_id AND v.item_id <> i.item_id AND v.available
		JOIN commerce_transactions t ON t.order_id = o.id AND t.line = 1
		WHERE o.id LIKE '#W%%' AND o.status = '%s' ORDER BY o.id, i.line, v.item_id LIMIT 1`
	tests := []struct {
		name    string
		do      func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error
		wantErr error
	}{
		{"cancel a delivered order", func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error {
			id := pick(t, tx, `SELECT id FROM commerce_orders WHERE status = 'delivered' AND id LIKE '#W%' ORDER BY id LIMIT 1`)[0]
			_, err := s.CancelOrder(ctx, "forbidden", id, "no longer needed")
			return err
		}, commerce.ErrConflict},
		{"cancel a processed order", func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error {
			id := pick(t, tx, `SELECT id FROM commerce_orders WHERE status = 'processed' AND id LIKE '#W%' ORDER BY id LIMIT 1`)[0]
			_, err := s.CancelOrder(ctx, "forbidden", id, "ordered by mistake")
			return err
		}, commerce.ErrConflict},
		{"cancel for a reason the policy does not accept", func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error {
			id := pick(t, tx, `SELECT id FROM commerce_orders WHERE status = 'pending' AND id LIKE '#W%' ORDER BY id LIMIT 1`)[0]
			_, err := s.CancelOrder(ctx, "forbidden", id, "too expensive")
			return err
		}, commerce.ErrInvalid},
		{"return a pending order", func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error {
			r := pick(t, tx, fmt.Sprintf(swappable, "pending"))
			_, err := s.ReturnItems(ctx, "forbidden", r[0], []string{r[1]}, r[3])
			return err
		}, commerce.ErrConflict},
		{"return to a card that did not pay", func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error {
			r := pick(t, tx, `SELECT o.id, i.item_id, m.id FROM commerce_orders o
				JOIN commerce_order_items i ON i.order_id = o.id AND i.line = 1
				JOIN commerce_transactions t ON t.order_id = o.id AND t.line = 1
				JOIN commerce_payment_methods m ON m.customer_id = o.customer_id AND m.id <> t.payment_method_id AND m.kind <> 'gift_card'
				WHERE o.status = 'delivered' AND o.id LIKE '#W%' ORDER BY o.id, m.id LIMIT 1`)
			_, err := s.ReturnItems(ctx, "forbidden", r[0], []string{r[1]}, r[2])
			return err
		}, commerce.ErrInvalid},
		{"modify items twice", func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error {
			r := pick(t, tx, fmt.Sprintf(swappable, "pending"))
			if _, err := s.ModifyOrderItems(ctx, "forbidden-1", r[0], []commerce.ItemSwap{{From: r[1], To: r[2]}}, r[3]); err != nil {
				t.Fatalf("first modification: %v", err)
			}
			_, err := s.ModifyOrderItems(ctx, "forbidden-2", r[0], []commerce.ItemSwap{{From: r[2], To: r[1]}}, r[3])
			return err
		}, commerce.ErrConflict},
		{"exchange to another product type", func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error {
			r := pick(t, tx, `SELECT o.id, i.item_id, v.item_id, t.payment_method_id FROM commerce_orders o
				JOIN commerce_order_items i ON i.order_id = o.id AND i.line = 1
				JOIN commerce_variants v ON v.product_id <> i.product_id AND v.available
				JOIN commerce_transactions t ON t.order_id = o.id AND t.line = 1
				WHERE o.status = 'delivered' AND o.id LIKE '#W%' ORDER BY o.id, v.item_id LIMIT 1`)
			_, err := s.ExchangeItems(ctx, "forbidden", r[0], []commerce.ItemSwap{{From: r[1], To: r[2]}}, r[3])
			return err
		}, commerce.ErrInvalid},
		{"exchange a processed order", func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error {
			r := pick(t, tx, fmt.Sprintf(swappable, "processed"))
			_, err := s.ExchangeItems(ctx, "forbidden", r[0], []commerce.ItemSwap{{From: r[1], To: r[2]}}, r[3])
			return err
		}, commerce.ErrConflict},
		{"refund more than was paid", func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error {
			r := pick(t, tx, `SELECT o.id, sum(t.amount)::bigint FROM commerce_orders o JOIN commerce_transactions t ON t.order_id = o.id
				WHERE o.status = 'delivered' AND o.id LIKE '#W%' GROUP BY o.id ORDER BY o.id LIMIT 1`)
			var paid int64
			if _, err := fmt.Sscan(r[1], &paid); err != nil || paid <= 0 {
				t.Fatalf("paid %q: %v", r[1], err)
			}
			_, err := s.RefundOrder(ctx, "forbidden", commerce.Refund{OrderID: r[0], Amount: usd(paid + 1)})
			return err
		}, commerce.ErrInvalid},
		{"pay with a gift card without balance", func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error {
			r := pick(t, tx, `SELECT o.id, m.id FROM commerce_orders o
				JOIN commerce_transactions t ON t.order_id = o.id AND t.line = 1 AND t.payment_method_id NOT LIKE 'gift_card%'
				JOIN commerce_payment_methods m ON m.customer_id = o.customer_id AND m.kind = 'gift_card' AND m.balance < t.amount
				WHERE o.status = 'pending' AND o.id LIKE '#W%' ORDER BY o.id, m.id LIMIT 1`)
			_, err := s.ModifyOrderPayment(ctx, "forbidden", r[0], r[1])
			return err
		}, commerce.ErrInvalid},
		{"modify the address of a delivered order", func(t *testing.T, s *pgstore.Store, tx pgx.Tx) error {
			id := pick(t, tx, `SELECT id FROM commerce_orders WHERE status = 'delivered' AND id LIKE '#W%' ORDER BY id LIMIT 1`)[0]
			_, err := s.ModifyOrderAddress(ctx, "forbidden", id, commerce.Address{Line1: "1 Elm St", City: "Austin", Zip: "78701", Country: "US"})
			return err
		}, commerce.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inTx(t, func(s *pgstore.Store, tx pgx.Tx) {
				err := tt.do(t, s, tx)
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				} else {
					t.Log(err)
				}
			})
		})
	}
}
