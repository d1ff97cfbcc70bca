package taboo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/internal/rulefile"
)

// Action is what a rule asks for when it matches. The values are ordered by strength.
type Action uint8

const (
	ActionNone    Action = iota // nothing matched
	ActionReplace               // replace the match with the rule's approved phrase
	ActionRewrite               // have the model rewrite the message
	ActionBlock                 // do not send; hand the conversation to a human
)

var actionNames = [...]string{"none", "replace", "rewrite", "block"}

// String returns the action as written in pack files: "none", "replace", "rewrite", "block".
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", a)
}

// MarshalText writes the action's name, for JSON listings and events.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

func parseAction(s string) (Action, error) {
	switch s {
	case "replace":
		return ActionReplace, nil
	case "rewrite":
		return ActionRewrite, nil
	case "block":
		return ActionBlock, nil
	}
	return ActionNone, fmt.Errorf("%q is not one of replace, rewrite, block", s)
}

// Categories a rule may belong to; evals and analytics count hits by them.
var Categories = []string{
	"religion", "alcohol", "pork", "food", "monarchy", "numbers", "colours", "gifts",
	"place_names", "gestures", "register", "language", "history",
}

// Severities a rule may have, least severe first.
var Severities = []string{"low", "medium", "high"}

// Pack is a versioned set of rules for some markets and/or locales.
type Pack struct {
	ID      string
	Version string
	Name    string
	Note    string
	// Markets are ISO 3166-1 alpha-2 codes; empty means every market.
	Markets []string
	// Locales are BCP 47 tags matched on their base language ("de" covers de-AT) or
	// exactly; empty means every locale.
	Locales []string
	// Windows, when present, limit the pack to these date ranges.
	Windows []Window
	Rules   []Rule
}

// Window is an inclusive range of calendar days, in the time zone of Context.At.
type Window struct {
	From, To time.Time // midnight UTC of the first and last day
	Note     string
}

// Rule is one taboo: what to look for, in which context, and what to do.
type Rule struct {
	ID       string
	Category string
	Severity string
	Action   Action
	Note     string
	// Markets, when present, narrows the pack's markets for this rule.
	Markets []string
	// Terms per language (BCP 47 base language) and Emoji are matched as normalised
	// text on word boundaries; Prefix lets a term end inside a word ("cocktail" matches
	// "cocktails").
	Terms  map[string][]string
	Emoji  []string
	Prefix bool
	// Regex patterns run on the normalised text (lower-case, NFKC); a group named "hit"
	// narrows the reported match.
	Regex []string
	// Context terms (prefix matches) of which one must occur in the scope, "sentence"
	// (default) or "message", for a hit to count.
	Context      map[string][]string
	ContextScope string
	// Except phrases cancel a hit that lies inside one of them ("pork-free").
	Except map[string][]string
	// Replacement per language, "*" for any; required for replace. May be empty text.
	Replacement map[string]string
}

type fileJSON struct {
	Version string     `json:"version"`
	Note    string     `json:"note"`
	Packs   []packJSON `json:"packs"`
}

type packJSON struct {
	ID      string       `json:"id"`
	Version string       `json:"version"`
	Name    string       `json:"name"`
	Note    string       `json:"note"`
	Markets []string     `json:"markets"`
	Locales []string     `json:"locales"`
	Windows []windowJSON `json:"windows"`
	Rules   []ruleJSON   `json:"rules"`
}

type windowJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
	Note string `json:"note"`
}

type ruleJSON struct {
	ID           string              `json:"id"`
	Category     string              `json:"category"`
	Severity     string              `json:"severity"`
	Action       string              `json:"action"`
	Note         string              `json:"note"`
	Markets      []string            `json:"markets"`
	Match        matchJSON           `json:"match"`
	Context      map[string][]string `json:"context"`
	ContextScope string              `json:"context_scope"`
	Except       map[string][]string `json:"except"`
	Replacement  map[string]string   `json:"replacement"`
}

type matchJSON struct {
	Terms  map[string][]string `json:"terms"`
	Emoji  []string            `json:"emoji"`
	Regex  []string            `json:"regex"`
	Prefix bool                `json:"prefix"`
}

// Validate checks a pack file without keeping it; the error names the pack, rule and
// field at fault, for the admin API.
func Validate(data []byte) error {
	_, err := Parse(data)
	return err
}

// Parse reads a pack file: {"version", "note", "packs": [...]}, each pack with id, version,
// name, note, markets, locales, windows ({from, to} as YYYY-MM-DD, inclusive) and rules,
// each rule with id, category, severity, action, note, optional markets, match {terms
// per language, emoji, regex, prefix}, context, context_scope, except and replacement.
// Unknown fields are errors. Every problem found is reported, each prefixed with where
// it is: `packs[2] (th): rules[0] (th.monarchy): action: ...`.
func Parse(data []byte) ([]Pack, error) {
	var f fileJSON
	if err := rulefile.Decode(bytes.NewReader(data), "taboo pack file", &f); err != nil {
		return nil, fmt.Errorf("taboo: %w", err)
	}
	var problems []error
	if strings.TrimSpace(f.Version) == "" {
		problems = append(problems, errors.New("version: missing"))
	}
	if len(f.Packs) == 0 {
		problems = append(problems, errors.New("packs: none"))
	}
	packs := make([]Pack, 0, len(f.Packs))
	seenPack := map[string]bool{}
	seenRule := map[string]bool{}
	for i, pj := range f.Packs {
		where := fmt.Sprintf("packs[%d] (%s)", i, pj.ID)
		p, errs := pj.pack()
		for _, e := range errs {
			problems = append(problems, fmt.Errorf("%s: %w", where, e))
		}
		if seenPack[p.ID] {
			problems = append(problems, fmt.Errorf("%s: id: listed twice", where))
		}
		seenPack[p.ID] = true
		for j, r := range p.Rules {
			if seenRule[r.ID] {
				problems = append(problems, fmt.Errorf("%s: rules[%d] (%s): id: used by another rule", where, j, r.ID))
			}
			seenRule[r.ID] = true
		}
		packs = append(packs, p)
	}
	if err := errors.Join(problems...); err != nil {
		return nil, fmt.Errorf("taboo: pack file %q: %w", f.Version, err)
	}
	return packs, nil
}

// Load reads a pack file from rd; see Parse.
func Load(rd io.Reader) ([]Pack, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("taboo: read pack file: %w", err)
	}
	return Parse(data)
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

func (pj packJSON) pack() (Pack, []error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	p := Pack{
		ID:      strings.TrimSpace(pj.ID),
		Version: strings.TrimSpace(pj.Version),
		Name:    strings.TrimSpace(pj.Name),
		Note:    strings.TrimSpace(pj.Note),
	}
	if !idPattern.MatchString(p.ID) {
		bad("id: %q must be lower-case letters, digits, '.', '_' or '-'", pj.ID)
	}
	if p.Version == "" {
		bad("version: missing")
	}
	if p.Name == "" {
		bad("name: missing")
	}
	var err error
	if p.Markets, err = markets(pj.Markets); err != nil {
		bad("markets: %w", err)
	}
	for k, l := range pj.Locales {
		t, err := language.Parse(strings.ReplaceAll(strings.TrimSpace(l), "_", "-"))
		if err != nil || t == language.Und {
			bad("locales[%d]: %q is not a BCP 47 tag", k, l)
			continue
		}
		p.Locales = append(p.Locales, t.String())
	}
	for k, wj := range pj.Windows {
		w, err := wj.window()
		if err != nil {
			bad("windows[%d]: %w", k, err)
			continue
		}
		p.Windows = append(p.Windows, w)
	}
	if len(pj.Rules) == 0 {
		bad("rules: none")
	}
	for k, rj := range pj.Rules {
		r, rerrs := rj.rule(p.Markets)
		for _, e := range rerrs {
			bad("rules[%d] (%s): %w", k, rj.ID, e)
		}
		p.Rules = append(p.Rules, r)
	}
	return p, errs
}

func markets(codes []string) ([]string, error) {
	var out []string
	for k, c := range codes {
		m, err := i18n.ParseMarket(c)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", k, err)
		}
		if m == "" {
			return nil, fmt.Errorf("[%d]: empty", k)
		}
		out = append(out, m)
	}
	return out, nil
}

func (wj windowJSON) window() (Window, error) {
	from, err := time.Parse(time.DateOnly, strings.TrimSpace(wj.From))
	if err != nil {
		return Window{}, fmt.Errorf("from: %q is not a YYYY-MM-DD date", wj.From)
	}
	to, err := time.Parse(time.DateOnly, strings.TrimSpace(wj.To))
	if err != nil {
		return Window{}, fmt.Errorf("to: %q is not a YYYY-MM-DD date", wj.To)
	}
	if to.Before(from) {
		return Window{}, fmt.Errorf("to: %s is before from %s", wj.To, wj.From)
	}
	return Window{From: from, To: to, Note: strings.TrimSpace(wj.Note)}, nil
}

func (rj ruleJSON) rule(packMarkets []string) (Rule, []error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	r := Rule{
		ID:           strings.TrimSpace(rj.ID),
		Category:     strings.TrimSpace(rj.Category),
		Severity:     strings.TrimSpace(rj.Severity),
		Note:         strings.TrimSpace(rj.Note),
		Terms:        rj.Match.Terms,
		Emoji:        rj.Match.Emoji,
		Prefix:       rj.Match.Prefix,
		Regex:        rj.Match.Regex,
		Context:      rj.Context,
		ContextScope: strings.TrimSpace(rj.ContextScope),
		Except:       rj.Except,
		Replacement:  rj.Replacement,
	}
	if !idPattern.MatchString(r.ID) {
		bad("id: %q must be lower-case letters, digits, '.', '_' or '-'", rj.ID)
	}
	if !slices.Contains(Categories, r.Category) {
		bad("category: %q is not one of %s", rj.Category, strings.Join(Categories, ", "))
	}
	if !slices.Contains(Severities, r.Severity) {
		bad("severity: %q is not one of %s", rj.Severity, strings.Join(Severities, ", "))
	}
	var err error
	if r.Action, err = parseAction(strings.TrimSpace(rj.Action)); err != nil {
		bad("action: %w", err)
	}
	if r.Note == "" {
		bad("note: missing (say why the rule exists, for the admins who edit it)")
	}
	if r.Markets, err = markets(rj.Markets); err != nil {
		bad("markets: %w", err)
	}
	for _, m := range r.Markets {
		if len(packMarkets) > 0 && !slices.Contains(packMarkets, m) {
			bad("markets: %s is not among the pack's markets", m)
		}
	}
	if len(r.Terms) == 0 && len(r.Emoji) == 0 && len(r.Regex) == 0 {
		bad("match: no terms, emoji or regex")
	}
	errs = append(errs, checkTerms("match.terms", r.Terms)...)
	errs = append(errs, checkTerms("context", r.Context)...)
	errs = append(errs, checkTerms("except", r.Except)...)
	for k, e := range r.Emoji {
		if normalizeTerm(e) == "" {
			bad("match.emoji[%d]: empty", k)
		}
	}
	for k, re := range r.Regex {
		if _, err := regexp.Compile(re); err != nil {
			bad("match.regex[%d]: %w", k, err)
		}
	}
	switch r.ContextScope {
	case "":
		r.ContextScope = "sentence"
	case "sentence", "message":
	default:
		bad("context_scope: %q is not sentence or message", rj.ContextScope)
	}
	if r.ContextScope != "sentence" && len(r.Context) == 0 {
		bad("context_scope: set without context")
	}
	if r.Action == ActionReplace {
		if len(r.Replacement) == 0 {
			bad("replacement: missing for a replace rule")
		} else if _, star := r.Replacement["*"]; !star {
			for _, lang := range sortedKeys(r.Terms) {
				if _, ok := r.Replacement[lang]; !ok {
					bad("replacement: no %q entry (nor \"*\") for the %q terms", lang, lang)
				}
			}
			if _, ok := r.Replacement["en"]; !ok {
				bad(`replacement: no "en" or "*" entry for other languages`)
			}
		}
	} else if len(r.Replacement) > 0 {
		bad("replacement: only for replace rules")
	}
	for lang := range r.Replacement {
		if lang != "*" && !validLang(lang) {
			bad("replacement: %q is not a language", lang)
		}
	}
	return r, errs
}

func checkTerms(field string, m map[string][]string) []error {
	var errs []error
	for _, lang := range sortedKeys(m) {
		if !validLang(lang) {
			errs = append(errs, fmt.Errorf("%s: %q is not a language (use a BCP 47 base language such as \"ar\")", field, lang))
		}
		if len(m[lang]) == 0 {
			errs = append(errs, fmt.Errorf("%s.%s: empty list", field, lang))
		}
		for k, t := range m[lang] {
			if normalizeTerm(t) == "" {
				errs = append(errs, fmt.Errorf("%s.%s[%d]: empty", field, lang, k))
			}
		}
	}
	return errs
}

func validLang(s string) bool {
	b, err := language.ParseBase(s)
	return err == nil && b.String() == s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
