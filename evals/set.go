package evals

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// Set kinds.
const (
	// KindConversations is a set of scripted conversations: the customer's turns are written
	// out and every expectation is checked against what the agent did.
	KindConversations = "conversations"
	// KindTau2Retail is a set of τ²-bench retail tasks: a model plays the customer from the
	// task's instructions, and the score is the actions taken and the shop's final state.
	KindTau2Retail = "tau2-retail"
)

// Set is a regression set: a file of cases with what they share.
type Set struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Kind        string   `yaml:"kind"`
	Defaults    Defaults `yaml:"defaults"`
	// Fixtures are put into the shop before each of the set's cases, under the attempt's
	// own IDs (see Fixtures).
	Fixtures Fixtures `yaml:"fixtures"`
	Cases    []Case   `yaml:"cases"`
	// Tau2 locates the tasks of a tau2-retail set.
	Tau2 *Tau2Source `yaml:"tau2"`

	Path string `yaml:"-"` // the file it was read from
}

// Defaults apply to every case of a set that does not say otherwise.
type Defaults struct {
	Market  string   `yaml:"market"`
	Locale  string   `yaml:"locale"`
	Channel string   `yaml:"channel"`
	Latency Duration `yaml:"latency"` // each turn's budget; 0: DefaultLatency
}

// DefaultLatency is a turn's budget when neither the case nor its set sets one. It is
// generous: the offline engine answers in milliseconds, a hosted model in seconds.
const DefaultLatency = 20 * time.Second

// Case is one conversation to run and what must come of it.
type Case struct {
	ID          string   `yaml:"id"`
	Description string   `yaml:"description"`
	Tags        []string `yaml:"tags"`
	Market      string   `yaml:"market"`
	Locale      string   `yaml:"locale"`
	Channel     string   `yaml:"channel"`
	// Customer is who writes: an identity the shop verified beforehand (as a signed-in
	// customer's widget would carry), or nobody known until they say who they are.
	Customer Customer `yaml:"customer"`
	Fixtures Fixtures `yaml:"fixtures"`
	Turns    []Turn   `yaml:"turns"`
	// Expect is checked on the whole conversation; reply checks read the last turn's reply.
	Expect Expect `yaml:"expect"`
}

// Customer is the case's customer as the widget knows them.
type Customer struct {
	// Email, when set with Verified, starts the conversation with a verified identity.
	Email    string `yaml:"email"`
	Name     string `yaml:"name"`
	Verified bool   `yaml:"verified"`
}

// Turn is one customer message, with optional checks of its own reply.
type Turn struct {
	Text   string  `yaml:"text"`
	Locale string  `yaml:"locale"` // the widget's locale hint for this message; default the case's
	Expect *Expect `yaml:"expect"`
}

// UnmarshalYAML lets a turn be written as a plain string.
func (t *Turn) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&t.Text)
	}
	type plain Turn
	return n.Decode((*plain)(t))
}

// Expect is what a conversation (or one turn) must show. Unset fields are not checked,
// except the guardrails: an AI disclosure must be present and no taboo rule may fire unless
// the case says otherwise.
type Expect struct {
	// Intent is the intent the AI's replies answered (any reply of the scope).
	Intent string `yaml:"intent"`
	// Tools must each have been called with at least the given arguments.
	Tools []ToolExpect `yaml:"tools"`
	// NoTools must not have run; "write" stands for every tool that changes the shop.
	NoTools []string `yaml:"no_tools"`
	// Orders is the shop's state at the end.
	Orders []OrderExpect `yaml:"orders"`
	// Handoff: whether the conversation went to a person; HandoffReason which reason.
	Handoff       *bool  `yaml:"handoff"`
	HandoffReason string `yaml:"handoff_reason"`
	// ReplyContains: each entry must appear in the reply (case-insensitively); an entry that
	// is a list is satisfied by any of its alternatives.
	ReplyContains    []Needle `yaml:"reply_contains"`
	ReplyNotContains []string `yaml:"reply_not_contains"`
	// ReplyLanguage is the reply's language (BCP 47; compared by base language).
	ReplyLanguage string `yaml:"reply_language"`
	// Disclosure: an AI disclosure is recorded for the conversation (default true when the
	// AI wrote anything).
	Disclosure *bool `yaml:"disclosure"`
	// TabooHits are the taboo rules expected to fire; none by default, and any other is a
	// guardrail violation.
	TabooHits []string `yaml:"taboo_hits"`
	// Latency is each turn's budget until its reply is stored.
	Latency Duration `yaml:"latency"`
}

// ToolExpect is a tool call that must happen.
type ToolExpect struct {
	Name string         `yaml:"name"`
	Args map[string]any `yaml:"args"`
	// Outcome: "ok" (default: it ran and succeeded), a tool's refusal ("refused",
	// "not_found", "invalid", "failed"), "proposed" (previewed: it waits for the customer's yes
	// or a person's approval), or "any".
	Outcome string `yaml:"outcome"`
}

// OrderExpect is an order's state at the end of a case.
type OrderExpect struct {
	ID     string `yaml:"id"`
	Status string `yaml:"status"`
	// Refunded is the total refunded, in major units of the order's currency ("0" for none).
	Refunded string `yaml:"refunded"`
}

// Needle is a text to find, with alternatives.
type Needle []string

// UnmarshalYAML accepts a string or a list of alternatives.
func (n *Needle) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.ScalarNode {
		var s string
		if err := node.Decode(&s); err != nil {
			return err
		}
		*n = Needle{s}
		return nil
	}
	var alts []string
	if err := node.Decode(&alts); err != nil {
		return err
	}
	*n = alts
	return nil
}

func (n Needle) String() string { return strings.Join(n, " | ") }

// Duration is a time.Duration written as "3s" or "500ms".
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration like 5s or 800ms", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

// Tau2Source locates τ²-bench retail tasks.
type Tau2Source struct {
	Tasks string `yaml:"tasks"` // JSON file of tasks, relative to the set file
	DB    string `yaml:"db"`    // the retail database (JSON), relative to the set file
	// IDs picks tasks by ID; empty takes the first Limit (all when Limit is 0).
	IDs   []string `yaml:"ids"`
	Limit int      `yaml:"limit"`
	// MaxTurns bounds the simulated customer's messages (default 12).
	MaxTurns int `yaml:"max_turns"`
}

// SetError is a problem in a set file, located by file, case and field.
type SetError struct {
	Path, Case, Field, Reason string
}

func (e *SetError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Case != "" {
		b.WriteString(": case " + e.Case)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	return b.String() + ": " + e.Reason
}

// LoadSet reads and checks a set file.
func LoadSet(path string) (*Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read set: %w", err)
	}
	return ParseSet(path, bytes.NewReader(b))
}

// LoadSets reads the sets named by paths; a directory stands for its *.yaml and *.yml files.
func LoadSets(paths []string) ([]*Set, error) {
	var out []*Set
	names := map[string]string{}
	for _, p := range paths {
		files := []string{p}
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			files = nil
			err := filepath.WalkDir(p, func(f string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() && (strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml")) {
					files = append(files, f)
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("list sets in %s: %w", p, err)
			}
			if len(files) == 0 {
				return nil, fmt.Errorf("%s: no .yaml set files in this directory", p)
			}
			slices.Sort(files)
		}
		for _, f := range files {
			s, err := LoadSet(f)
			if err != nil {
				return nil, err
			}
			if prev, ok := names[s.Name]; ok {
				return nil, &SetError{Path: f, Field: "name", Reason: fmt.Sprintf("%q is also the name of %s; set names must be unique in a run", s.Name, prev)}
			}
			names[s.Name] = f
			out = append(out, s)
		}
	}
	return out, nil
}

// ParseSet decodes a set; unknown fields are errors, so a misspelt expectation is not
// silently never checked.
func ParseSet(path string, r io.Reader) (*Set, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var s Set
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &SetError{Path: path, Reason: "the file is empty"}
		}
		return nil, &SetError{Path: path, Reason: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	s.Path = path
	if s.Name == "" {
		s.Name = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".yaml"), ".yml")
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return &s, nil
}

var (
	idRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$`)
	marketRE = regexp.MustCompile(`^[A-Z]{2}$`)
	// channels are those the API opens conversations on (the driver's way in).
	channels = []string{"web", "api"}
	outcomes = []string{"", "ok", "refused", "not_found", "invalid", "failed", "proposed", "denied", "any"}
)

func (s *Set) check() error {
	fail := func(c, field, format string, args ...any) error {
		return &SetError{Path: s.Path, Case: c, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if !idRE.MatchString(s.Name) {
		return fail("", "name", "%q: use letters, digits, '-', '_' or '.'", s.Name)
	}
	switch s.Kind {
	case "":
		s.Kind = KindConversations
	case KindConversations, KindTau2Retail:
	default:
		return fail("", "kind", "%q: want %s or %s", s.Kind, KindConversations, KindTau2Retail)
	}
	if s.Kind == KindTau2Retail {
		if s.Tau2 == nil || s.Tau2.Tasks == "" || s.Tau2.DB == "" {
			return fail("", "tau2", "a %s set names its tasks and db files", KindTau2Retail)
		}
		if len(s.Cases) > 0 {
			return fail("", "cases", "a %s set takes its cases from the tasks file", KindTau2Retail)
		}
		return nil
	}
	if len(s.Cases) == 0 {
		return fail("", "cases", "the set has no cases")
	}
	if err := s.Fixtures.check(); err != nil {
		return fail("", "fixtures", "%v", err)
	}
	seen := map[string]bool{}
	for i := range s.Cases {
		c := &s.Cases[i]
		where := c.ID
		if where == "" {
			where = fmt.Sprintf("#%d", i+1)
		}
		if !idRE.MatchString(c.ID) {
			return fail(where, "id", "%q: an ID of letters, digits, '-', '_' or '.' is required", c.ID)
		}
		if seen[c.ID] {
			return fail(where, "id", "used twice in the set")
		}
		seen[c.ID] = true
		c.Market = cmp(c.Market, s.Defaults.Market)
		c.Locale = cmp(c.Locale, s.Defaults.Locale)
		c.Channel = cmp(c.Channel, s.Defaults.Channel, "web")
		if c.Expect.Latency == 0 {
			c.Expect.Latency = cmpDuration(s.Defaults.Latency, Duration(DefaultLatency))
		}
		if !marketRE.MatchString(c.Market) {
			return fail(where, "market", "%q: an ISO 3166 country code like DE is required", c.Market)
		}
		if _, err := language.Parse(c.Locale); err != nil || c.Locale == "" {
			return fail(where, "locale", "%q: a BCP 47 tag like de-DE is required", c.Locale)
		}
		if !slices.Contains(channels, c.Channel) {
			return fail(where, "channel", "%q: want one of %s", c.Channel, strings.Join(channels, ", "))
		}
		if c.Customer.Verified && c.Customer.Email == "" {
			return fail(where, "customer.verified", "a verified customer needs an email")
		}
		if len(c.Turns) == 0 {
			return fail(where, "turns", "a case needs at least one customer message")
		}
		for j, t := range c.Turns {
			if strings.TrimSpace(t.Text) == "" {
				return fail(where, fmt.Sprintf("turns[%d]", j+1), "empty message")
			}
			if t.Locale != "" {
				if _, err := language.Parse(t.Locale); err != nil {
					return fail(where, fmt.Sprintf("turns[%d].locale", j+1), "%q is not a BCP 47 tag", t.Locale)
				}
			}
			if t.Expect != nil {
				if err := t.Expect.check(); err != nil {
					return fail(where, fmt.Sprintf("turns[%d].expect.%s", j+1, err.Field), "%s", err.Reason)
				}
			}
		}
		if err := c.Expect.check(); err != nil {
			return fail(where, "expect."+err.Field, "%s", err.Reason)
		}
		if err := c.Fixtures.check(); err != nil {
			return fail(where, "fixtures", "%v", err)
		}
	}
	return nil
}

func (e *Expect) check() *SetError {
	for i, t := range e.Tools {
		if t.Name == "" {
			return &SetError{Field: fmt.Sprintf("tools[%d].name", i+1), Reason: "required"}
		}
		if !slices.Contains(outcomes, t.Outcome) {
			return &SetError{Field: fmt.Sprintf("tools[%d].outcome", i+1), Reason: fmt.Sprintf("%q: want one of %s", t.Outcome, strings.Join(outcomes[1:], ", "))}
		}
	}
	for i, o := range e.Orders {
		if o.ID == "" {
			return &SetError{Field: fmt.Sprintf("orders[%d].id", i+1), Reason: "required"}
		}
		if o.Refunded != "" {
			if _, err := parseMajor(o.Refunded, 2); err != nil {
				return &SetError{Field: fmt.Sprintf("orders[%d].refunded", i+1), Reason: err.Error()}
			}
		}
	}
	if e.HandoffReason != "" && e.Handoff != nil && !*e.Handoff {
		return &SetError{Field: "handoff_reason", Reason: "a reason with handoff: false cannot hold"}
	}
	if e.ReplyLanguage != "" {
		if _, err := language.Parse(e.ReplyLanguage); err != nil {
			return &SetError{Field: "reply_language", Reason: fmt.Sprintf("%q is not a BCP 47 tag", e.ReplyLanguage)}
		}
	}
	for i, n := range e.ReplyContains {
		if len(n) == 0 || slices.Contains(n, "") {
			return &SetError{Field: fmt.Sprintf("reply_contains[%d]", i+1), Reason: "empty text"}
		}
	}
	return nil
}

func cmp(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func cmpDuration(vals ...Duration) Duration {
	for _, v := range vals {
		if v != 0 {
			return v
		}
	}
	return 0
}

// Language is the base language of a BCP 47 tag ("ar" for "ar-SA"), "und" when unknown.
func Language(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return "und"
	}
	b, _ := t.Base()
	return b.String()
}
