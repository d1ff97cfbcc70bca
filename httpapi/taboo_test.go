package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/policy/audit"
	"github.com/attache-dev/attache/policy/taboo"
	taboostore "github.com/attache-dev/attache/policy/taboo/pgstore"
	"github.com/attache-dev/attache/staff"
)

// fakeTabooPacks keeps stored packs in memory with the real validation and composition of
// package taboo; the PostgreSQL store is tested in policy/taboo/pgstore.
type fakeTabooPacks struct {
	mu      sync.Mutex
	stored  map[string]taboostore.Pack
	history map[string][]taboostore.Revision
}

func newFakeTabooPacks() *fakeTabooPacks {
	return &fakeTabooPacks{stored: map[string]taboostore.Pack{}, history: map[string][]taboostore.Revision{}}
}

func (f *fakeTabooPacks) overrides() []taboo.Override {
	var out []taboo.Override
	for id, p := range f.stored {
		out = append(out, taboo.Override{ID: id, Document: p.Document, Disabled: p.Disabled})
	}
	return out
}

func describeFake(id string, doc []byte) taboostore.Pack {
	p, _ := taboo.ParsePack(id, doc)
	return taboostore.Pack{ID: id, Name: p.Name, PackVersion: p.Version, Markets: p.Markets, Locales: p.Locales, Rules: len(p.Rules), Document: doc}
}

func (f *fakeTabooPacks) List(ctx context.Context) ([]taboostore.Pack, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []taboostore.Pack
	for _, d := range taboo.BuiltinDocuments() {
		if p, ok := f.stored[d.ID]; ok {
			out = append(out, p)
			continue
		}
		p := describeFake(d.ID, d.JSON)
		p.Source = taboostore.SourceBuiltin
		out = append(out, p)
	}
	return out, nil
}

func (f *fakeTabooPacks) Get(ctx context.Context, id string) (taboostore.Pack, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.get(id)
}

func (f *fakeTabooPacks) get(id string) (taboostore.Pack, error) {
	if p, ok := f.stored[id]; ok {
		return p, nil
	}
	for _, d := range taboo.BuiltinDocuments() {
		if d.ID == id {
			p := describeFake(d.ID, d.JSON)
			p.Source = taboostore.SourceBuiltin
			return p, nil
		}
	}
	return taboostore.Pack{}, taboostore.ErrNotFound
}

func (f *fakeTabooPacks) History(ctx context.Context, id string) ([]taboostore.Revision, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.get(id); err != nil {
		return nil, err
	}
	return f.history[id], nil
}

func (f *fakeTabooPacks) write(id string, doc []byte, disabled bool, by string, ifVersion int) (taboostore.Pack, error) {
	if cur := f.stored[id].Version; ifVersion != cur {
		return taboostore.Pack{}, fmt.Errorf("%w: version %d is current", taboostore.ErrConflict, cur)
	}
	next := describeFake(id, doc)
	next.Source, next.Version, next.Disabled, next.UpdatedBy, next.UpdatedAt = taboostore.SourceOverride, ifVersion+1, disabled, by, time.Now()
	old, had := f.stored[id]
	f.stored[id] = next
	if _, err := taboo.Compose(f.overrides()); err != nil {
		if had {
			f.stored[id] = old
		} else {
			delete(f.stored, id)
		}
		return taboostore.Pack{}, fmt.Errorf("%w: %w", taboostore.ErrInvalid, err)
	}
	f.history[id] = append([]taboostore.Revision{{Version: next.Version, Document: doc, Disabled: disabled, UpdatedBy: by, UpdatedAt: next.UpdatedAt}}, f.history[id]...)
	return next, nil
}

func (f *fakeTabooPacks) Put(ctx context.Context, id string, doc []byte, by string, ifVersion int) (taboostore.Pack, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := taboo.ParsePack(id, doc); err != nil {
		return taboostore.Pack{}, fmt.Errorf("%w: %w", taboostore.ErrInvalid, err)
	}
	return f.write(id, doc, f.stored[id].Disabled, by, ifVersion)
}

func (f *fakeTabooPacks) SetDisabled(ctx context.Context, id string, disabled bool, by string, ifVersion int) (taboostore.Pack, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, err := f.get(id)
	if err != nil {
		return cur, err
	}
	return f.write(id, cur.Document, disabled, by, ifVersion)
}

func (f *fakeTabooPacks) Check(ctx context.Context, text string, tctx taboo.Context, id string, doc []byte) (taboo.Verdict, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	overrides := f.overrides()
	if doc != nil {
		if _, err := taboo.ParsePack(id, doc); err != nil {
			return taboo.Verdict{}, err
		}
		overrides = append(overrides, taboo.Override{ID: id, Document: doc})
	}
	packs, err := taboo.Compose(overrides)
	if err != nil {
		return taboo.Verdict{}, err
	}
	s, err := taboo.New(packs)
	if err != nil {
		return taboo.Verdict{}, err
	}
	return s.Screen(text, tctx), nil
}

// fakeAuditLog records the entries appended.
type fakeAuditLog struct {
	auditReader
	mu      sync.Mutex
	entries []audit.Entry
}

func (a *fakeAuditLog) Append(_ context.Context, e audit.Entry) (audit.Record, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
	return audit.Record{}, nil
}

// newTabooTestAPI serves the taboo handlers as an admin, on the paths proposed for
// httpapi.go; authorisation by role is New's and is tested with the other routes.
func newTabooTestAPI(packs tabooPacks, log *fakeAuditLog) http.Handler {
	h := &handlers{cfg: Config{Logger: quietLogger(), Audit: log, MaxBodyBytes: 64 << 10, MaxMessageChars: 4000}}
	ta := tabooAPI{h: h, packs: packs}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Set(principalKey, staff.Principal{AccountID: "id-admin", Email: "lena@shop.example", Role: staff.RoleAdmin})
	})
	r.GET("/v1/policy/taboo/packs", ta.list)
	r.GET("/v1/policy/taboo/packs/:id", ta.get)
	r.PUT("/v1/policy/taboo/packs/:id", ta.put)
	r.PATCH("/v1/policy/taboo/packs/:id", ta.patch)
	r.GET("/v1/policy/taboo/packs/:id/history", ta.history)
	r.POST("/v1/policy/taboo/check", ta.check)
	return r
}

const schnapsPack = `{"id": "de-shop", "version": "1", "name": "Shop rules", "note": "test", "markets": ["DE"],
 "rules": [{"id": "de-shop.schnaps", "category": "alcohol", "severity": "medium", "action": "block",
  "note": "The shop does not advertise spirits.", "match": {"terms": {"de": ["schnaps"]}}}]}`

type tabooCall struct {
	name, method, path, ifMatch, body string
	status                            int
	// want are substrings of the response body.
	want []string
}

func runTabooCalls(t *testing.T, api http.Handler, calls []tabooCall) {
	t.Helper()
	for _, tc := range calls {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		if tc.ifMatch != "" {
			req.Header.Set("If-Match", tc.ifMatch)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != tc.status {
			t.Fatalf("%s: %s %s: status %d, want %d: %s", tc.name, tc.method, tc.path, rec.Code, tc.status, rec.Body)
		}
		for _, w := range tc.want {
			if !strings.Contains(rec.Body.String(), w) {
				t.Fatalf("%s: body %s lacks %s", tc.name, rec.Body, w)
			}
		}
	}
}

func TestTabooPackEditing(t *testing.T) {
	log := &fakeAuditLog{}
	api := newTabooTestAPI(newFakeTabooPacks(), log)
	const check = `{"text": "Schnaps zum halben Preis", "market": "DE", "locale": "de"}`
	runTabooCalls(t, api, []tabooCall{
		{"list the embedded packs", "GET", "/v1/policy/taboo/packs", "", "", 200,
			[]string{`"id":"gcc"`, `"source":"builtin"`, `"markets":["SA","AE"`}},
		{"read an embedded pack", "GET", "/v1/policy/taboo/packs/th", "", "", 200,
			[]string{`"version":0`, `"document":{`, `"th.monarchy"`}},
		{"no such pack", "GET", "/v1/policy/taboo/packs/nope", "", "", 404, []string{typeNotFound}},
		{"not yet a rule", "POST", "/v1/policy/taboo/check", "", check, 200, []string{`"action":"none"`, `"hits":[]`}},
		{"try the pack first", "POST", "/v1/policy/taboo/check", "",
			`{"text": "Schnaps zum halben Preis", "market": "DE", "locale": "de", "pack": ` + schnapsPack + `}`, 200,
			[]string{`"action":"block"`, `"rule_id":"de-shop.schnaps"`, `"start":0,"end":7,"match":"Schnaps"`}},
		{"try a broken pack", "POST", "/v1/policy/taboo/check", "",
			`{"text": "Schnaps", "pack": ` + strings.Replace(schnapsPack, `"block"`, `"explode"`, 1) + `}`, 422,
			[]string{`"field":"pack.rules[0].action"`, `explode`}},
		{"check needs text", "POST", "/v1/policy/taboo/check", "", `{"market": "DE"}`, 422, []string{`"field":"text"`}},
		{"a bad action is named", "PUT", "/v1/policy/taboo/packs/de-shop", "", strings.Replace(schnapsPack, `"block"`, `"explode"`, 1), 422,
			[]string{`"field":"rules[0].action"`, `rule de-shop.schnaps: \"explode\" is not one of replace, rewrite, block`}},
		{"a rule id of another pack", "PUT", "/v1/policy/taboo/packs/de-shop", "", strings.ReplaceAll(schnapsPack, "de-shop.schnaps", "gcc.alcohol.promo"), 422,
			[]string{`"field":"rules[0].id"`, `pack gcc has a rule with this id`}},
		{"the path names the pack", "PUT", "/v1/policy/taboo/packs/other", "", schnapsPack, 422, []string{`"field":"id"`}},
		{"an empty body", "PUT", "/v1/policy/taboo/packs/de-shop", "", " ", 400, []string{typeBadJSON}},
		{"save a new pack", "PUT", "/v1/policy/taboo/packs/de-shop", "", schnapsPack, 200,
			[]string{`"version":1`, `"source":"override"`, `"rules":1`, `"updated_by":"lena@shop.example"`}},
		{"it is in effect", "POST", "/v1/policy/taboo/check", "", check, 200, []string{`"action":"block"`}},
		{"an edit must name its version", "PUT", "/v1/policy/taboo/packs/de-shop", "", schnapsPack, 428, []string{typeConflict}},
		{"a version is a number", "PUT", "/v1/policy/taboo/packs/de-shop", "latest", schnapsPack, 422, []string{`"field":"If-Match"`}},
		{"edit version 1", "PUT", "/v1/policy/taboo/packs/de-shop", `"1"`, strings.Replace(schnapsPack, `"version": "1"`, `"version": "2"`, 1), 200,
			[]string{`"version":2`, `"pack_version":"2"`}},
		{"a stale edit", "PUT", "/v1/policy/taboo/packs/de-shop?version=1", "", schnapsPack, 409, []string{typeConflict}},
		{"switch it off", "PATCH", "/v1/policy/taboo/packs/de-shop", "2", `{"disabled": true}`, 200, []string{`"disabled":true`, `"version":3`}},
		{"no longer in effect", "POST", "/v1/policy/taboo/check", "", check, 200, []string{`"action":"none"`}},
		{"patch needs disabled", "PATCH", "/v1/policy/taboo/packs/de-shop", "3", `{}`, 422, []string{`"field":"disabled"`}},
		{"switch off an embedded pack", "PATCH", "/v1/policy/taboo/packs/gcc", "0", `{"disabled": true}`, 200, []string{`"disabled":true`, `"version":1`}},
		{"its hit is gone", "POST", "/v1/policy/taboo/check", "", `{"text": "Get 20% off our wine today!", "market": "AE", "locale": "en"}`, 200,
			[]string{`"action":"none"`}},
		{"history, newest first", "GET", "/v1/policy/taboo/packs/de-shop/history", "", "", 200,
			[]string{`"versions":[{"version":3,"disabled":true`, `{"version":1,"disabled":false,"updated_by":"lena@shop.example"`}},
		{"history of no pack", "GET", "/v1/policy/taboo/packs/nope/history", "", "", 404, []string{typeNotFound}},
	})
	var actions []string
	for _, e := range log.entries {
		actions = append(actions, fmt.Sprintf("%s %s %v", e.Action, e.Subject, e.Details["change"]))
	}
	want := []string{"taboo.pack_saved taboo_pack:de-shop document", "taboo.pack_saved taboo_pack:de-shop document",
		"taboo.pack_saved taboo_pack:de-shop disabled", "taboo.pack_saved taboo_pack:gcc disabled"}
	if strings.Join(actions, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit entries:\n%s\nwant:\n%s", strings.Join(actions, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range log.entries {
		if e.Actor != "staff:lena@shop.example" {
			t.Fatalf("audit actor %q", e.Actor)
		}
	}
}

func TestTabooPackGetSendsTheVersionAsETag(t *testing.T) {
	api := newTabooTestAPI(newFakeTabooPacks(), &fakeAuditLog{})
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/policy/taboo/packs/gcc", nil))
	var body struct {
		Version  int             `json:"version"`
		Document json.RawMessage `json:"document"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Header().Get("ETag") != `"0"` {
		t.Fatalf("ETag %q, body %s, %v", rec.Header().Get("ETag"), rec.Body, err)
	}
	if _, err := taboo.ParsePack("gcc", body.Document); err != nil {
		t.Fatalf("the document sent is not the pack: %v", err)
	}
}
