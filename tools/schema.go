package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Schema derives the JSON Schema of a tool's arguments from the Go struct that decodes them,
// so that what a model is told and what Decode accepts cannot drift apart. Fields are named
// by their json tag; a field without omitempty is required; the `desc` tag is the field's
// description and `enum` a comma-separated list of allowed strings. Supported field types:
// string, bool, integers, floats, slices of those, and nested structs.
func Schema[T any]() json.RawMessage {
	var zero T
	b, err := json.Marshal(schemaOf(reflect.TypeOf(zero), ""))
	if err != nil {
		panic(err) // the map built above always marshals
	}
	return b
}

func schemaOf(t reflect.Type, desc string) map[string]any {
	s := map[string]any{}
	if desc != "" {
		s["description"] = desc
	}
	switch t.Kind() {
	case reflect.String:
		s["type"] = "string"
	case reflect.Bool:
		s["type"] = "boolean"
	case reflect.Int, reflect.Int32, reflect.Int64:
		s["type"] = "integer"
	case reflect.Float32, reflect.Float64:
		s["type"] = "number"
	case reflect.Slice:
		s["type"] = "array"
		s["items"] = schemaOf(t.Elem(), "")
	case reflect.Struct:
		s["type"] = "object"
		props := map[string]any{}
		required := []string{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			p := schemaOf(f.Type, f.Tag.Get("desc"))
			if e := f.Tag.Get("enum"); e != "" {
				p["enum"] = strings.Split(e, ",")
			}
			props[name] = p
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
		s["properties"] = props
		s["required"] = required
		s["additionalProperties"] = false
	default:
		panic(fmt.Sprintf("tools.Schema: unsupported kind %s", t.Kind()))
	}
	return s
}

// Decode reads a call's arguments into T strictly: unknown fields, wrong types, missing
// required fields and values outside an enum are errors that name the field.
func Decode[T any](args json.RawMessage) (T, error) {
	var v T
	if len(bytes.TrimSpace(args)) == 0 {
		args = json.RawMessage("{}")
	}
	d := json.NewDecoder(bytes.NewReader(args))
	d.DisallowUnknownFields()
	if err := d.Decode(&v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return v, fmt.Errorf("%s: must be %s", te.Field, te.Type)
		}
		return v, fmt.Errorf("arguments: %w", err)
	}
	var present map[string]json.RawMessage
	_ = json.Unmarshal(args, &present) // it decoded into T above
	t := reflect.TypeOf(v)
	rv := reflect.ValueOf(v)
	// encoding/json matches keys regardless of case; the checks below look them up exactly,
	// so a key in another case ("Reason") would slip past them. Refuse it by name.
	for key := range present {
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if key != name && strings.EqualFold(key, name) {
				return v, fmt.Errorf("%s: spelled %q; write it %q", name, key, name)
			}
		}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		raw, ok := present[name]
		if !strings.Contains(opts, "omitempty") && (!ok || string(raw) == "null") {
			return v, fmt.Errorf("%s: required", name)
		}
		if e := f.Tag.Get("enum"); e != "" && ok && f.Type.Kind() == reflect.String {
			val := rv.Field(i).String()
			allowed := strings.Split(e, ",")
			found := false
			for _, a := range allowed {
				found = found || a == val
			}
			if !found {
				return v, fmt.Errorf("%s: must be one of %s", name, strings.Join(allowed, ", "))
			}
		}
	}
	return v, nil
}
