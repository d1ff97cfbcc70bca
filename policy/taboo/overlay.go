package taboo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/attache-dev/attache/internal/rulefile"
)

// Document is one pack as JSON, in the schema of one entry of a pack file's "packs" list.
type Document struct {
	ID   string
	JSON []byte
}

// BuiltinDocuments returns the packs embedded in the binary (packs.json) as documents, in
// file order, exactly as written there. They are the defaults that stored packs override.
func BuiltinDocuments() []Document {
	docs := builtinDocuments()
	out := make([]Document, len(docs))
	for i, d := range docs {
		out[i] = Document{ID: d.ID, JSON: bytes.Clone(d.JSON)}
	}
	return out
}

var builtinDocuments = sync.OnceValue(func() []Document {
	var f struct {
		Packs []json.RawMessage `json:"packs"`
	}
	if err := json.Unmarshal(embedded, &f); err != nil {
		panic(fmt.Sprintf("taboo: embedded packs.json: %v", err))
	}
	packs := Default().Packs()
	if len(packs) != len(f.Packs) {
		panic("taboo: embedded packs.json: pack count differs between decoders")
	}
	docs := make([]Document, len(f.Packs))
	for i, raw := range f.Packs {
		docs[i] = Document{ID: packs[i].ID, JSON: raw}
	}
	return docs
})

// PackError is a pack document that cannot be used. Problems name each field at fault.
type PackError struct {
	ID       string // the pack's ID as addressed (not necessarily the document's)
	Problems []PackProblem
}

// PackProblem is one thing wrong with a pack document.
type PackProblem struct {
	// Field is a path into the document: "rules[0].action", "markets[1]", "id"; empty when
	// the document is not a JSON object of the right shape.
	Field string
	// Reason says what is wrong, naming the rule where there is one.
	Reason string
}

func (e *PackError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		if p.Field == "" {
			parts[i] = p.Reason
		} else {
			parts[i] = p.Field + ": " + p.Reason
		}
	}
	return fmt.Sprintf("taboo: pack %q: %s", e.ID, strings.Join(parts, "; "))
}

// ParsePack reads one pack document (one entry of a pack file's "packs" list, see Parse)
// addressed as id: the document's own id must be id. Rule IDs must be unique within the
// pack; Compose checks them across packs. Errors are *PackError.
func ParsePack(id string, doc []byte) (Pack, error) {
	var pj packJSON
	if err := rulefile.Decode(bytes.NewReader(doc), "taboo pack", &pj); err != nil {
		return Pack{}, &PackError{ID: id, Problems: []PackProblem{{Reason: strings.TrimPrefix(err.Error(), "parse taboo pack: ")}}}
	}
	var extra json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(doc))
	_ = dec.Decode(&extra)
	if dec.More() {
		return Pack{}, &PackError{ID: id, Problems: []PackProblem{{Reason: "more than one JSON value"}}}
	}
	p, errs := pj.pack()
	pe := &PackError{ID: id}
	for _, err := range errs {
		pe.Problems = append(pe.Problems, problemOf(err.Error(), pj.Rules))
	}
	if strings.TrimSpace(pj.ID) != id {
		pe.Problems = append(pe.Problems, PackProblem{Field: "id", Reason: fmt.Sprintf("%q does not match the pack addressed, %q", pj.ID, id)})
	}
	seen := map[string]bool{}
	for j, r := range p.Rules {
		if seen[r.ID] {
			pe.Problems = append(pe.Problems, PackProblem{Field: fmt.Sprintf("rules[%d].id", j), Reason: fmt.Sprintf("rule %s: used by another rule of the pack", r.ID)})
		}
		seen[r.ID] = true
	}
	if len(pe.Problems) > 0 {
		return Pack{}, pe
	}
	return p, nil
}

// pathPart is one step of the location that pack() puts before a problem:
// "rules[2] (th.monarchy)", "match.terms.de[1]", "[0]".
var pathPart = regexp.MustCompile(`^(?:[a-z_][a-z_.]*(?:\[\d+\])?|\[\d+\])(?: \([^)]*\))?$`)

var ruleIndex = regexp.MustCompile(`^rules\[(\d+)\]`)

// problemOf splits one of pack()'s messages into the field path it starts with and the
// reason after it, naming the rule in the reason.
func problemOf(msg string, rules []ruleJSON) PackProblem {
	var field strings.Builder
	rest := msg
	for {
		head, tail, ok := strings.Cut(rest, ": ")
		if !ok || !pathPart.MatchString(head) {
			break
		}
		if i := strings.Index(head, " ("); i >= 0 {
			head = head[:i]
		}
		if field.Len() > 0 && !strings.HasPrefix(head, "[") {
			field.WriteByte('.')
		}
		field.WriteString(head)
		rest = tail
	}
	f := field.String()
	if m := ruleIndex.FindStringSubmatch(f); m != nil {
		if k, err := strconv.Atoi(m[1]); err == nil && k < len(rules) && strings.TrimSpace(rules[k].ID) != "" {
			rest = "rule " + strings.TrimSpace(rules[k].ID) + ": " + rest
		}
	}
	return PackProblem{Field: f, Reason: rest}
}

// Override is a stored pack that takes the place of the embedded pack with its ID, or adds
// a pack when no embedded pack has the ID. A disabled override switches the pack off; its
// document is not read.
type Override struct {
	ID       string
	Document []byte
	Disabled bool
}

// Compose returns the packs in effect with the overrides applied to the embedded ones: the
// embedded packs in file order, each replaced by its override or dropped when the override
// is disabled, then the packs only overrides have, by ID. It fails with *PackError
// (joined, one per pack at fault) when an enabled override does not parse or uses a rule ID
// that another pack in effect uses.
func Compose(overrides []Override) ([]Pack, error) {
	byID := make(map[string]Override, len(overrides))
	for _, o := range overrides {
		byID[o.ID] = o
	}
	var (
		out  []Pack
		errs []error
	)
	use := func(o Override) {
		if o.Disabled {
			return
		}
		p, err := ParsePack(o.ID, o.Document)
		if err != nil {
			errs = append(errs, err)
			return
		}
		out = append(out, p)
	}
	builtin := map[string]bool{}
	for _, p := range Default().Packs() {
		builtin[p.ID] = true
		if o, ok := byID[p.ID]; ok {
			use(o)
			continue
		}
		out = append(out, p)
	}
	var added []string
	for id := range byID {
		if !builtin[id] {
			added = append(added, id)
		}
	}
	sort.Strings(added)
	for _, id := range added {
		use(byID[id])
	}
	owner := map[string]string{}
	for _, p := range out {
		for j, r := range p.Rules {
			if other, ok := owner[r.ID]; ok {
				errs = append(errs, &PackError{ID: p.ID, Problems: []PackProblem{{
					Field: fmt.Sprintf("rules[%d].id", j), Reason: fmt.Sprintf("rule %s: pack %s has a rule with this id", r.ID, other)}}})
				continue
			}
			owner[r.ID] = p.ID
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
