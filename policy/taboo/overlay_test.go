package taboo

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// onePack is a valid pack document: a German pack that blocks "Schnaps" offers.
const onePack = `{"id": "de-shop", "version": "1", "name": "Shop rules", "note": "test",
 "markets": ["DE"], "locales": [],
 "rules": [{"id": "de-shop.schnaps", "category": "alcohol", "severity": "medium", "action": "block",
  "note": "The shop does not advertise spirits.", "match": {"terms": {"de": ["schnaps"], "en": ["schnapps"]}}}]}`

func TestParsePackNamesTheField(t *testing.T) {
	if _, err := ParsePack("de-shop", []byte(onePack)); err != nil {
		t.Fatalf("valid pack: %v", err)
	}
	cases := []struct {
		name, id, from, to string
		field, reason      string
	}{
		{"action", "de-shop", `"action": "block"`, `"action": "explode"`, "rules[0].action", `rule de-shop.schnaps: "explode" is not one of replace, rewrite, block`},
		{"market", "de-shop", `["DE"]`, `["DE", "EU"]`, "markets[1]", `market "EU" is not a country`},
		{"rule note", "de-shop", `"note": "The shop does not advertise spirits."`, `"note": ""`, "rules[0].note", "rule de-shop.schnaps: missing (say why"},
		{"term language", "de-shop", `"de": ["schnaps"]`, `"german": ["schnaps"]`, "rules[0].match.terms", `rule de-shop.schnaps: "german" is not a language`},
		{"regex", "de-shop", `"match": {"terms": {"de": ["schnaps"], "en": ["schnapps"]}}`, `"match": {"regex": ["(schnaps"]}`, "rules[0].match.regex[0]", "rule de-shop.schnaps: error parsing regexp"},
		{"address", "other", "", "", "id", `"de-shop" does not match the pack addressed, "other"`},
		{"unknown field", "de-shop", `"note": "test",`, `"note": "test", "notes": "",`, "", `unknown field "notes"`},
		{"not json", "de-shop", `{"id"`, `{"id`, "", "invalid character"},
		{"two values", "de-shop", `"test",`, `"test",`, "", ""},
		{"rule twice", "de-shop", `"match": {"terms"`, `"match": {"emoji": ["🍺"]}}, {"id": "de-shop.schnaps", "category": "alcohol", "severity": "low", "action": "block", "note": "n", "match": {"terms"`, "rules[1].id", "used by another rule"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(onePack, tc.from, tc.to, 1)
			if tc.name == "two values" {
				doc += ` {}`
				tc.reason = "more than one JSON value"
			}
			_, err := ParsePack(tc.id, []byte(doc))
			var pe *PackError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *PackError", err)
			}
			for _, p := range pe.Problems {
				if p.Field == tc.field && strings.Contains(p.Reason, tc.reason) {
					return
				}
			}
			t.Fatalf("problems %+v, want field %q with %q", pe.Problems, tc.field, tc.reason)
		})
	}
}

func TestBuiltinDocumentsParse(t *testing.T) {
	docs := BuiltinDocuments()
	if len(docs) != len(Default().Packs()) {
		t.Fatalf("%d documents for %d packs", len(docs), len(Default().Packs()))
	}
	for i, d := range docs {
		p, err := ParsePack(d.ID, d.JSON)
		if err != nil {
			t.Fatalf("embedded pack %s: %v", d.ID, err)
		}
		if want := Default().Packs()[i]; p.ID != want.ID || p.Version != want.Version || len(p.Rules) != len(want.Rules) {
			t.Errorf("document %d is pack %s v%s, want %s v%s", i, p.ID, p.Version, want.ID, want.Version)
		}
	}
}

func TestComposeOverrides(t *testing.T) {
	global := BuiltinDocuments()[0]
	if global.ID != "global" {
		t.Fatalf("first embedded pack is %s", global.ID)
	}
	// The global pack with one more rule: the thumbs-down emoji is dropped everywhere.
	var doc map[string]any
	if err := json.Unmarshal(global.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	doc["rules"] = append(doc["rules"].([]any), map[string]any{"id": "global.gesture.thumbs_down", "category": "gestures",
		"severity": "low", "action": "replace", "note": "Not in a shop's reply.", "match": map[string]any{"emoji": []string{"👎"}},
		"replacement": map[string]string{"*": ""}})
	edited, _ := json.Marshal(doc)
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		overrides []Override
		text      string
		ctx       Context
		want      Action
		wantErr   string
	}{
		{"embedded only", nil, "Noted 👎", Context{Market: "FR", Locale: "fr"}, ActionNone, ""},
		{"override adds a rule", []Override{{ID: "global", Document: edited}}, "Noted 👎", Context{Market: "FR", Locale: "fr"}, ActionReplace, ""},
		{"override keeps the old rules", []Override{{ID: "global", Document: edited}}, "Well 🖕", Context{Market: "FR", Locale: "fr"}, ActionReplace, ""},
		{"embedded pack hits", nil, "Get 20% off our wine today!", Context{Market: "AE", Locale: "en"}, ActionBlock, ""},
		{"disabled pack no longer hits", []Override{{ID: "gcc", Disabled: true}}, "Get 20% off our wine today!", Context{Market: "AE", Locale: "en"}, ActionNone, ""},
		{"new pack", []Override{{ID: "de-shop", Document: []byte(onePack)}}, "Schnaps zum halben Preis", Context{Market: "DE", Locale: "de"}, ActionBlock, ""},
		{"new pack disabled", []Override{{ID: "de-shop", Document: []byte(onePack), Disabled: true}}, "Schnaps zum halben Preis", Context{Market: "DE", Locale: "de"}, ActionNone, ""},
		{"broken disabled pack is not read", []Override{{ID: "de-shop", Document: []byte("{"), Disabled: true}}, "Hello", Context{Market: "DE"}, ActionNone, ""},
		{"broken pack", []Override{{ID: "de-shop", Document: []byte(strings.Replace(onePack, "block", "explode", 1))}}, "", Context{}, 0, `rules[0].action`},
		{"rule of another pack", []Override{{ID: "de-shop", Document: []byte(strings.ReplaceAll(onePack, "de-shop.schnaps", "gcc.alcohol.promo"))}}, "", Context{}, 0, "pack gcc has a rule with this id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			packs, err := Compose(tc.overrides)
			if tc.wantErr != "" {
				var pe *PackError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want a *PackError with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s, err := New(packs)
			if err != nil {
				t.Fatal(err)
			}
			tc.ctx.At = at
			if v := s.Screen(tc.text, tc.ctx); v.Action != tc.want {
				t.Fatalf("%q in %s: %v (%+v), want %v", tc.text, tc.ctx.Market, v.Action, v.Hits, tc.want)
			}
		})
	}
}

func TestLiveSwapsWhileScreening(t *testing.T) {
	withRule, err := Compose([]Override{{ID: "de-shop", Document: []byte(onePack)}})
	if err != nil {
		t.Fatal(err)
	}
	strict, err := New(withRule)
	if err != nil {
		t.Fatal(err)
	}
	l := NewLive(nil)
	ctx := Context{Market: "DE", Locale: "de", At: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}
	const text = "Schnaps zum halben Preis"
	if v := l.Screen(text, ctx); v.Action != ActionNone {
		t.Fatalf("default packs: %v", v.Action)
	}
	pinned := l.WithObserver(nil)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 200 {
				if a := l.Screen(text, ctx).Action; a != ActionNone && a != ActionBlock {
					panic(fmt.Sprintf("goroutine %d: action %v", i, a))
				}
			}
		})
	}
	l.Set(strict)
	l.Set(nil) // ignored
	wg.Wait()
	if v := l.Screen(text, ctx); v.Action != ActionBlock {
		t.Fatalf("after Set: %v, want block", v.Action)
	}
	if v := pinned.Screen(text, ctx); v.Action != ActionNone {
		t.Fatalf("a screener taken before Set changed: %v", v.Action)
	}
	if l.Current() != strict || len(l.Packs()) != len(withRule) {
		t.Fatal("Current does not return the screener set")
	}
}
