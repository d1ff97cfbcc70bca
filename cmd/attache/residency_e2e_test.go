package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-dev/attache/internal/pglite"
	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/staff"
)

// rowsIn counts a table's rows of one conversation in a database.
func rowsIn(t *testing.T, pool *pgxpool.Pool, table, conv string) int {
	t.Helper()
	col := "conversation_id"
	if table == "conversations" {
		col = "id"
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table+` WHERE `+col+` = $1`, conv).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAnEUCustomersConversationStaysInTheEUDatabase runs the production parts with two
// databases — the default one and an EU one (ATTACHE_REGIONS) — and follows a German and a
// Canadian customer: the German conversation, its messages and its consent are written to
// the EU database only, the Canadian one to the default database only; an export finds the
// German customer's messages in the EU database, and an erasure removes them there.
func TestAnEUCustomersConversationStaysInTheEUDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	eu, err := pglite.Start(ctx, pglite.Options{Logger: pgtest.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eu.Stop(context.Background()) })
	base := startParts(t, map[string]string{"ATTACHE_REGIONS": "eu=" + eu.URL()})

	euPool, err := pgxpool.New(ctx, eu.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer euPool.Close()
	defPool := pgtest.Pool(t)

	c := apiClient{t: t, base: base}
	de := c.newConversationIn("de-DE", "DE")
	ca := c.newConversationIn("en-CA", "CA")
	reply(t, c.send(de, "t1", "Hallo, wo ist meine Bestellung?", "de-DE"))
	reply(t, c.send(ca, "t1", "Hello, where is my order?", "en-CA"))
	if code, _, b := c.do("POST", "/v1/conversations/"+de+"/consents", map[string]any{"purpose": "ai_processing", "granted": true, "policy_version": "2026-11"}); code != 201 {
		t.Fatalf("consent: %d %s", code, b)
	}
	for _, table := range []string{"conversations", "messages", "participants", "ai_disclosures", "consents"} {
		if d, e := rowsIn(t, defPool, table, de), rowsIn(t, euPool, table, de); d != 0 || e == 0 {
			t.Errorf("the German customer's %s: %d rows in the default database, %d in the EU one", table, d, e)
		}
	}
	for _, table := range []string{"conversations", "messages"} {
		if d, e := rowsIn(t, defPool, table, ca), rowsIn(t, euPool, table, ca); d == 0 || e != 0 {
			t.Errorf("the Canadian customer's %s: %d rows in the default database, %d in the EU one", table, d, e)
		}
	}
	// Reading goes to the right database too.
	if code, _, b := c.do("GET", "/v1/conversations/"+de, nil); code != 200 || !strings.Contains(string(b), "Bestellung") {
		t.Errorf("the German conversation through the API: %d %.300s", code, b)
	}

	// An admin (made as production makes its first one) exports and erases the German data.
	st := staff.New(defPool, pgtest.Logger())
	a, err := st.CreateAccount(ctx, staff.NewAccount{Email: "dpo-" + de[:8] + "@shop.example", Role: staff.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := st.CreateAPIKey(ctx, a.ID, "residency test")
	if err != nil {
		t.Fatal(err)
	}
	admin := c.as(key)
	code, _, b := admin.do("POST", "/v1/privacy/exports", map[string]any{"conversation_ids": []string{de}})
	if code != 200 || !strings.Contains(string(b), "Bestellung") || !strings.Contains(string(b), `"purpose":"ai_processing"`) {
		t.Fatalf("export: %d %.500s", code, b)
	}
	code, _, b = admin.do("POST", "/v1/privacy/erasures", map[string]any{"conversation_ids": []string{de}})
	if code != 200 || !strings.Contains(string(b), `"conversations":1`) {
		t.Fatalf("erase: %d %s", code, b)
	}
	for _, table := range []string{"conversations", "messages", "consents"} {
		if e := rowsIn(t, euPool, table, de); e != 0 {
			t.Errorf("after the erasure the EU database still has %d %s rows", e, table)
		}
	}
	if rowsIn(t, defPool, "messages", ca) == 0 {
		t.Error("the Canadian customer's messages went with the erasure")
	}
}
