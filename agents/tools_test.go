package agents

// The standard scenarios with tools, through the workflow in Temporal's test environment
// with the real activities, the offline engine and the built-in shop on PostgreSQL.

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/tools"
	"github.com/attache-dev/attache/tools/commerce"
	shop "github.com/attache-dev/attache/tools/commerce/pgstore"
	"github.com/attache-dev/attache/tools/orders"
)

// shopFixture is a conversation in market DE with the shop tools on a small shop: Anna's
// pending order DE-10001 (€49) and delivered order DE-10002 (€300, above the DE approval limit).
//
// The database is shared by the package's tests: each fixture has its own customer and order
// numbers (n), which it returns.
func shopFixture(t *testing.T) (*fixture, *shop.Store, shopIDs) {
	t.Helper()
	n := shopFixtures.Add(1)
	ids := shopIDs{pending: fmt.Sprintf("DE-%d1", 1000+n), delivered: fmt.Sprintf("DE-%d2", 1000+n),
		email: fmt.Sprintf("anna%d@example.de", n), customer: fmt.Sprintf("anna-%d", n)}
	fx := newFixture(t, "en")
	ctx := context.Background()
	c, err := fx.store.Create(ctx, conversation.NewConversation{Locale: "en", Market: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	fx.conv = c.ID
	st := shop.New(pgtest.Pool(t), pgtest.Logger())
	eur := func(cents int64) commerce.Money { return commerce.Money{Amount: cents, Currency: "EUR"} }
	placed := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	card := commerce.PaymentMethod{ID: "card-" + ids.customer, Kind: "credit_card", Brand: "visa", Last4: "4242"}
	err = st.Put(ctx, shop.Data{
		Products: []commerce.Product{{ID: "p-lamp", Name: "Lamp", Variants: []commerce.Variant{{ItemID: "i-lamp", Available: true, Price: eur(4900)}}},
			{ID: "p-sofa", Name: "Sofa", Variants: []commerce.Variant{{ItemID: "i-sofa", Available: true, Price: eur(30000)}}}},
		Customers: []commerce.Customer{{ID: ids.customer, FirstName: "Anna", LastName: "Schmidt", Email: ids.email, Market: "DE",
			Address: commerce.Address{Line1: "Hauptstr. 1", City: "Berlin", Zip: "10115", Country: "DE"}, PaymentMethods: []commerce.PaymentMethod{card},
			OrderIDs: []string{ids.pending, ids.delivered}}},
		Orders: []commerce.Order{
			{ID: ids.pending, CustomerID: ids.customer, Market: "DE", Status: commerce.StatusPending, PlacedAt: placed,
				Items:    []commerce.Item{{ItemID: "i-lamp", ProductID: "p-lamp", Name: "Lamp", Price: eur(4900)}},
				Payments: []commerce.Transaction{{Kind: "payment", Amount: eur(4900), PaymentMethodID: "card-" + ids.customer, At: placed}}},
			{ID: ids.delivered, CustomerID: ids.customer, Market: "DE", Status: commerce.StatusDelivered, PlacedAt: placed,
				Items:    []commerce.Item{{ItemID: "i-sofa", ProductID: "p-sofa", Name: "Sofa", Price: eur(30000)}},
				Payments: []commerce.Transaction{{Kind: "payment", Amount: eur(30000), PaymentMethodID: "card-" + ids.customer, At: placed}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	fx.withTools(t, orders.Tools{Shop: st}.All()...)
	return fx, st, ids
}

// noWorkflowError fails the test when the workflow ended in an error, which otherwise only
// shows as turns without an outcome.
func noWorkflowError(t *testing.T, w *wfEnv) {
	t.Helper()
	if err := w.env.GetWorkflowError(); err != nil {
		t.Errorf("workflow ended with an error: %v", err)
	}
}

var shopFixtures atomic.Int64

type shopIDs struct{ pending, delivered, email, customer string }

func refunds(o commerce.Order) int {
	n := 0
	for _, p := range o.Payments {
		if p.Kind == "refund" {
			n++
		}
	}
	return n
}

func TestCancelAsksIdentityThenConfirmationThenCancelsOnce(t *testing.T) {
	fx, st, ids := shopFixture(t)
	w := newWFEnv(t, fx)
	w.env.SetTestTimeout(2 * time.Minute) // several tool activities per turn on the shared database
	defer noWorkflowError(t, w)
	turns := []string{
		"I want to cancel my order " + ids.pending,
		ids.email,
		"yes",
		"Please cancel order " + ids.pending,
	}
	outs := make([]*outcome, len(turns))
	for i, text := range turns {
		w.at(time.Duration(i)*time.Minute, func() {
			outs[i] = w.send(text, TurnRequest{TurnID: "t" + string(rune('0'+i)), Text: text, Locale: "en"})
		})
	}
	w.run(WorkflowInput{IdleTimeout: time.Hour})
	stored := byID(fx.transcript(t))
	reply := func(i int) conversation.Message {
		t.Helper()
		res := completed(t, turns[i], outs[i])
		return stored[res.MessageIDs[len(res.MessageIDs)-1]]
	}
	if r := reply(0); !strings.Contains(r.Text, "e-mail") || r.Handoff {
		t.Errorf("reply to the cancellation request: %q, want a question for the e-mail address", r.Text)
	}
	if r := reply(1); !strings.Contains(r.Text, "cancel order "+ids.pending) || !strings.Contains(r.Text, "49.00") {
		t.Errorf("reply after the e-mail: %q, want the confirmation question with the amount", r.Text)
	}
	if r := reply(2); !strings.Contains(r.Text, ids.pending+" is cancelled") {
		t.Errorf("reply to yes: %q, want the cancellation done", r.Text)
	}
	o, err := st.Order(context.Background(), ids.pending)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != commerce.StatusCancelled || refunds(o) != 1 || o.Paid().Amount != 0 {
		t.Errorf("order after the cancellation: status %s, %d refunds, paid %s; want cancelled with one refund", o.Status, refunds(o), o.Paid())
	}
	// Asking again is the same call (same key): its first result, and nothing more refunded.
	if r := reply(3); r.Handoff || !strings.Contains(r.Text, ids.pending+" is cancelled") {
		t.Errorf("reply to the repeated request: %q (handoff %v)", r.Text, r.Handoff)
	}
	if o, _ := st.Order(context.Background(), ids.pending); refunds(o) != 1 {
		t.Errorf("after the repeated request the order has %d refunds, want 1", refunds(o))
	}
}

func TestDeclinedConfirmationChangesNothing(t *testing.T) {
	fx, st, ids := shopFixture(t)
	w := newWFEnv(t, fx)
	w.env.SetTestTimeout(2 * time.Minute) // several tool activities per turn on the shared database
	defer noWorkflowError(t, w)
	turns := []string{"cancel order " + ids.pending + ", my email is " + ids.email, "no"}
	outs := make([]*outcome, len(turns))
	for i, text := range turns {
		w.at(time.Duration(i)*time.Minute, func() { outs[i] = w.send(text, TurnRequest{TurnID: text, Text: text, Locale: "en"}) })
	}
	var after State
	w.at(90*time.Second, func() { after, _ = queryState(w) })
	w.run(WorkflowInput{IdleTimeout: time.Hour})
	stored := byID(fx.transcript(t))
	res := completed(t, "no", outs[1])
	if r := stored[res.MessageIDs[1]]; !strings.Contains(r.Text, "haven't changed anything") {
		t.Errorf("reply to no: %q", r.Text)
	}
	if after.Pending != nil {
		t.Errorf("a declined action is still pending: %+v", after.Pending)
	}
	if o, _ := st.Order(context.Background(), ids.pending); o.Status != commerce.StatusPending || refunds(o) != 0 {
		t.Errorf("order after no: %s with %d refunds", o.Status, refunds(o))
	}
}

func TestReturnAboveTheLimitWaitsForApprovalThenRefundsOnce(t *testing.T) {
	fx, st, ids := shopFixture(t)
	w := newWFEnv(t, fx)
	w.env.SetTestTimeout(2 * time.Minute) // several tool activities per turn on the shared database
	defer noWorkflowError(t, w)
	turns := []string{"I want to return order " + ids.delivered + ", my e-mail is " + ids.email, "yes"}
	outs := make([]*outcome, len(turns))
	for i, text := range turns {
		w.at(time.Duration(i)*time.Minute, func() { outs[i] = w.send(text, TurnRequest{TurnID: text, Text: text, Locale: "en"}) })
	}
	var waiting State
	var decided, again DecisionResult
	var decideErr, againErr error
	decide := func(out *DecisionResult, errp *error, id string) {
		w.env.UpdateWorkflow(UpdateDecide, id, &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { *errp = err },
			OnComplete: func(v any, err error) {
				*errp = err
				if r, ok := v.(DecisionResult); ok {
					*out = r
				}
			},
		}, Decision{Key: waiting.Approvals[0].Key, Approve: true, By: "lead@shop.example"})
	}
	w.at(2*time.Minute, func() {
		waiting, _ = queryState(w)
		if len(waiting.Approvals) == 1 {
			decide(&decided, &decideErr, "d1")
		}
	})
	w.at(3*time.Minute, func() {
		if len(waiting.Approvals) == 1 {
			decide(&again, &againErr, "d2")
		}
	})
	w.run(WorkflowInput{IdleTimeout: time.Hour})

	stored := byID(fx.transcript(t))
	first := completed(t, turns[0], outs[0])
	if r := stored[first.MessageIDs[1]]; !strings.Contains(r.Text, "return of 1 item") || !strings.Contains(r.Text, "300.00") {
		t.Errorf("reply to the return request: %q, want the confirmation question", r.Text)
	}
	yes := completed(t, "yes", outs[1])
	if r := stored[yes.MessageIDs[1]]; !strings.Contains(r.Text, "approve") {
		t.Errorf("reply to yes: %q, want the approval wait", r.Text)
	}
	if len(waiting.Approvals) != 1 || waiting.Approvals[0].Preview.Amount == nil || waiting.Approvals[0].Preview.Amount.Amount != 30000 {
		t.Fatalf("state while waiting: %+v", waiting.Approvals)
	}
	if decideErr != nil || decided.Result.Outcome != tools.OK || !decided.Result.Verified || len(decided.MessageIDs) != 1 {
		t.Fatalf("decision: %+v, %v", decided, decideErr)
	}
	if r := stored[decided.MessageIDs[0]]; r.Author != conversation.AuthorAI || !strings.Contains(r.Text, "approved") {
		t.Errorf("message after approval: %+v", r)
	}
	if againErr == nil {
		t.Error("deciding the same approval twice was accepted")
	}
	o, err := st.Order(context.Background(), ids.delivered)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != commerce.StatusReturnRequested || refunds(o) != 1 || o.Refunded().Amount != 30000 {
		t.Errorf("order after approval: %s, %d refunds of %s", o.Status, refunds(o), o.Refunded())
	}
}
