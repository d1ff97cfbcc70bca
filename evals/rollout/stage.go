package rollout

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Stage is how much the AI may do for a key.
type Stage string

// The stages, from the least to the most autonomous.
const (
	Assist     Stage = "assist"     // the AI drafts, a person sends
	Standard   Stage = "standard"   // the AI resolves allow-listed intents
	Autonomous Stage = "autonomous" // the AI resolves everything it can
)

// Stages lists the stages in order.
var Stages = []Stage{Assist, Standard, Autonomous}

// ParseStage reads a stage name.
func ParseStage(s string) (Stage, error) {
	st := Stage(strings.ToLower(strings.TrimSpace(s)))
	if st.Rank() < 0 {
		return "", fmt.Errorf("%w: stage %q is not one of assist, standard, autonomous", ErrInvalid, s)
	}
	return st, nil
}

// Rank is the stage's place in [Stages] (0 for assist), or -1 for an unknown stage.
func (s Stage) Rank() int {
	switch s {
	case Assist:
		return 0
	case Standard:
		return 1
	case Autonomous:
		return 2
	}
	return -1
}

// Next is the stage above s; ok is false at the top.
func (s Stage) Next() (next Stage, ok bool) {
	r := s.Rank()
	if r < 0 || r+1 >= len(Stages) {
		return s, false
	}
	return Stages[r+1], true
}

// Prev is the stage below s; ok is false at the bottom.
func (s Stage) Prev() (prev Stage, ok bool) {
	r := s.Rank()
	if r <= 0 {
		return s, false
	}
	return Stages[r-1], true
}

// Key names the conversations a rule is for. An empty field matches anything ("*" is read
// as empty). Market is an ISO 3166-1 alpha-2 code ("DE"), Intent an intent name as the
// engines emit it ("track_order"), Locale a BCP 47 tag ("de", "pt-BR"), Channel the
// conversation's channel ("web", "whatsapp").
type Key struct {
	Market, Intent, Locale, Channel string
}

var (
	marketRE  = regexp.MustCompile(`^[A-Z]{2}$`)
	intentRE  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	channelRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
)

// Normalize returns k with "*" read as empty, the market upper-case, the intent and the
// channel lower-case and the locale in its canonical form, or a [*ValidationError] naming
// each bad field ("key.market"...).
func (k Key) Normalize() (Key, error) {
	wild := func(s string) string {
		s = strings.TrimSpace(s)
		if s == "*" {
			return ""
		}
		return s
	}
	out := Key{
		Market:  strings.ToUpper(wild(k.Market)),
		Intent:  strings.ToLower(wild(k.Intent)),
		Locale:  wild(k.Locale),
		Channel: strings.ToLower(wild(k.Channel)),
	}
	var v ValidationError
	if out.Market != "" && !marketRE.MatchString(out.Market) {
		v.add("key.market", "an ISO 3166-1 alpha-2 code such as DE, or * for any")
	}
	if out.Intent != "" && !intentRE.MatchString(out.Intent) {
		v.add("key.intent", "an intent name such as track_order, or * for any")
	}
	if out.Locale != "" {
		tag, err := language.Parse(strings.ReplaceAll(out.Locale, "_", "-"))
		if err != nil {
			v.add("key.locale", "a BCP 47 tag such as de or pt-BR, or * for any")
		} else {
			out.Locale = tag.String()
		}
	}
	if out.Channel != "" && !channelRE.MatchString(out.Channel) {
		v.add("key.channel", "a channel name such as web or whatsapp, or * for any")
	}
	if len(v.Problems) > 0 {
		return k, &v
	}
	return out, nil
}

// String is the key as "market/intent/locale/channel" with "*" for any: "DE/track_order/*/*".
func (k Key) String() string {
	f := func(s string) string {
		if s == "" {
			return "*"
		}
		return s
	}
	return f(k.Market) + "/" + f(k.Intent) + "/" + f(k.Locale) + "/" + f(k.Channel)
}

// ParseKey reads a key written as [Key.String] writes it.
func ParseKey(s string) (Key, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 4 {
		return Key{}, fmt.Errorf("%w: key %q is not market/intent/locale/channel (use * for any)", ErrInvalid, s)
	}
	return Key{Market: parts[0], Intent: parts[1], Locale: parts[2], Channel: parts[3]}.Normalize()
}

// specificity orders matching rules: the number of fields set, then which ones (market >
// intent > locale > channel), then the length of the locale.
func (k Key) specificity() int {
	n, mask := 0, 0
	for i, f := range []string{k.Market, k.Intent, k.Locale, k.Channel} {
		if f != "" {
			n++
			mask |= 8 >> i
		}
	}
	return n<<12 | mask<<8 | min(len(k.Locale), 255)
}

// matches reports whether the rule key k covers the conversation key c. It allocates
// nothing: it is on the hot path.
func (k Key) matches(c Key) bool {
	return field(k.Market, c.Market) && field(k.Intent, c.Intent) && field(k.Channel, c.Channel) && localeCovers(k.Locale, c.Locale)
}

func field(rule, conv string) bool {
	return rule == "" || strings.EqualFold(rule, conv)
}

// localeCovers reports whether the rule locale covers the conversation locale: the same
// tag, or a tag under it ("de" covers "de-AT" and "de_AT").
func localeCovers(rule, conv string) bool {
	if rule == "" || strings.EqualFold(rule, conv) {
		return true
	}
	return len(conv) > len(rule) && (conv[len(rule)] == '-' || conv[len(rule)] == '_') && strings.EqualFold(conv[:len(rule)], rule)
}

// Rule is the stage set for a key.
type Rule struct {
	Key   Key
	Stage Stage
	// CanaryPercent (0 to 100) is the share of conversations that get the next stage up;
	// always 0 at autonomous.
	CanaryPercent int
	// RegressionSet is the eval set whose latest run gates promotions of this key; empty
	// means the key cannot be promoted.
	RegressionSet string
	// Version counts the rule's changes (1 for a new rule).
	Version   int
	UpdatedBy string // the actor: "staff:lena@shop.example", "cli:ops", "system:rollout-monitor"
	Reason    string
	Evidence  Evidence
	UpdatedAt time.Time
}

// Evidence is what a change was based on. It is stored as JSON in the history and in the
// rule, so its field names are the stored format.
type Evidence struct {
	// Run is the gate's evidence for a promotion: the figures of the run that passed.
	Run *RunFigures `json:"run,omitempty"`
	// Live and Broken are a demotion's: the live figures and the thresholds they broke.
	Live   *LiveEvidence `json:"live,omitempty"`
	Broken []string      `json:"broken,omitempty"`
}

// IsZero reports whether e holds nothing.
func (e Evidence) IsZero() bool { return e.Run == nil && e.Live == nil && len(e.Broken) == 0 }

// Marshal returns e as stored: JSON, "{}" when empty.
func (e Evidence) Marshal() []byte {
	b, err := json.Marshal(e)
	if err != nil { // cannot happen: plain numbers and strings
		return []byte("{}")
	}
	return b
}

// Change actions.
const (
	ActionSet     = "set"     // a person (or script) set the rule
	ActionDemoted = "demoted" // the live monitor demoted it
)

// Change is one change of a rule, as kept in the history.
type Change struct {
	ID         int64
	Key        Key
	Action     string // ActionSet or ActionDemoted
	FromStage  Stage  // the key's stage before: its rule's, or the one it inherited
	ToStage    Stage
	FromCanary int
	ToCanary   int
	// RegressionSet is the rule's set after the change.
	RegressionSet string
	Version       int // the rule's version after the change
	By            string
	Reason        string
	Evidence      Evidence
	At            time.Time
}

// Promotion reports whether the change moves the key up: a higher stage, or more canary
// at the same stage.
func (c Change) Promotion() bool {
	return c.ToStage.Rank() > c.FromStage.Rank() || (c.ToStage == c.FromStage && c.ToCanary > c.FromCanary)
}

var (
	// ErrInvalid: the request cannot be a rule (bad stage, canary, key, missing reason); the
	// error is also a *ValidationError when fields are at fault.
	ErrInvalid = errors.New("invalid rollout change")
	// ErrGateFailed: a promotion whose regression set does not pass the gate; the error is
	// also a *GateError.
	ErrGateFailed = errors.New("rollout gate failed")
	// ErrStale: the change named a version (If-Match) that is not the rule's current one.
	ErrStale = errors.New("rollout rule version is stale")
	// ErrConflict: someone changed the rule while this change was being decided.
	ErrConflict = errors.New("rollout rule changed concurrently")
	// ErrNoMetrics: CheckLive was called on a Policy without a Metrics source.
	ErrNoMetrics = errors.New("no live metrics source")
)

// FieldProblem is one bad field of a change.
type FieldProblem struct {
	Field  string // "stage", "canary_percent", "key.market"...
	Reason string
}

// ValidationError lists the bad fields of a change. It matches ErrInvalid.
type ValidationError struct {
	Problems []FieldProblem
}

func (v *ValidationError) add(field, reason string) {
	v.Problems = append(v.Problems, FieldProblem{field, reason})
}

func (v *ValidationError) Error() string {
	parts := make([]string, len(v.Problems))
	for i, p := range v.Problems {
		parts[i] = p.Field + ": " + p.Reason
	}
	return "invalid rollout change: " + strings.Join(parts, "; ")
}

// Is makes a ValidationError match ErrInvalid.
func (v *ValidationError) Is(target error) bool { return target == ErrInvalid }
