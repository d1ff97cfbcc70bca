package tools

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzDecode feeds Decode the arguments a model could send for a tool call. What it
// accepts must honour the schema (required fields present under their names and not null,
// enum values among the allowed ones) and survive a round trip; what it refuses is
// refused with a message that names the field or says it is about the arguments.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"order_id":"#W1"}`,
		`{"order_id":"#W1","reason":"ordered by mistake","item_ids":["1"],"count":2}`,
		`{}`, `{"order_id":null}`, `{"order_id":1}`, `{"order_id":"#W1","extra":1}`,
		`{"order_id":"#W1","reason":"changed my mind"}`, `[1]`, ``, `null`,
		`{"order_id":"#W1"} {"order_id":"#W2"}`, `{"order_id":"W1","count":1.5}`,
		` {"item_ids":null,"order_id":"\u00e9"}`,
	} {
		f.Add([]byte(s))
	}
	allowed := strings.Split(reflect.TypeFor[lookupArgs]().Field(1).Tag.Get("enum"), ",")
	f.Fuzz(func(t *testing.T, args []byte) {
		v, err := Decode[lookupArgs](json.RawMessage(args))
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "arguments: ") && !slices.ContainsFunc(
				[]string{"order_id: ", "reason: ", "item_ids: ", "count: "},
				func(p string) bool { return strings.HasPrefix(msg, p) }) {
				t.Fatalf("error %q names neither a field nor the arguments", msg)
			}
			return
		}
		var present map[string]json.RawMessage
		if len(bytes.TrimSpace(args)) > 0 {
			if err := json.Unmarshal(args, &present); err != nil {
				t.Fatalf("accepted %q, which is not one JSON object: %v", args, err)
			}
		}
		if raw, ok := present["order_id"]; !ok || string(raw) == "null" {
			t.Fatalf("accepted %q without the required order_id", args)
		}
		if v.Reason != "" && !slices.Contains(allowed, v.Reason) {
			t.Fatalf("accepted %q with reason %q, not one of %q", args, v.Reason, allowed)
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := Decode[lookupArgs](again)
		if err != nil || !reflect.DeepEqual(v, v2) {
			t.Fatalf("round trip of %s: %+v, %v; want %+v", again, v2, err, v)
		}
	})
}
