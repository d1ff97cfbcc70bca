package packet

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// summary.json holds the summary's sentences per language. Placeholders are {name}.
//
//go:embed summary.json
var summaryJSON []byte

// summaryKeys are the keys every language of summary.json must have, with their
// placeholders.
var summaryKeys = map[string][]string{
	"label_wants": nil, "label_done": nil, "label_pending": nil, "label_next": nil,
	"nothing":    nil,
	"order":      {"order", "status"},
	"tool":       {"tool", "outcome"},
	"outcome_ok": nil, "outcome_failed": nil, "outcome_declined": nil, "outcome_pending": nil,
	"approval":          {"tool", "amount", "order"},
	"approval_no_order": {"tool", "amount"},
	"next_approval":     {"tool", "amount"},
	"next_tool_failure": {"tool"},
	"next_upset":        nil, "next_person": nil, "next_default": nil,
}

// templates is read-only after package initialisation.
var templates = mustTemplates(summaryJSON)

func mustTemplates(data []byte) map[string]map[string]string {
	t, err := parseTemplates(data)
	if err != nil {
		panic(fmt.Sprintf("packet: embedded summary.json: %v", err))
	}
	return t
}

var placeholderRE = regexp.MustCompile(`\{([a-z]+)\}`)

// parseTemplates reads summary.json strictly: every language has exactly the keys of
// summaryKeys, each with exactly its placeholders, and English is present.
func parseTemplates(data []byte) (map[string]map[string]string, error) {
	var t map[string]map[string]string
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&t); err != nil {
		return nil, err
	}
	if _, ok := t["en"]; !ok {
		return nil, fmt.Errorf("no English templates")
	}
	for lang, keys := range t {
		for k := range keys {
			if _, ok := summaryKeys[k]; !ok {
				return nil, fmt.Errorf("%s: unknown key %q", lang, k)
			}
		}
		for k, want := range summaryKeys {
			text, ok := keys[k]
			if !ok || strings.TrimSpace(text) == "" {
				return nil, fmt.Errorf("%s: missing %q", lang, k)
			}
			got := placeholderRE.FindAllStringSubmatch(text, -1)
			if len(got) != len(want) {
				return nil, fmt.Errorf("%s %s: %d placeholders, want %v", lang, k, len(got), want)
			}
			for _, w := range want {
				if !strings.Contains(text, "{"+w+"}") {
					return nil, fmt.Errorf("%s %s: no {%s}", lang, k, w)
				}
			}
		}
	}
	return t, nil
}

// SummaryLanguages returns the languages the summary templates cover.
func SummaryLanguages() []string {
	out := make([]string, 0, len(templates))
	for l := range templates {
		out = append(out, l)
	}
	return sortedStrings(out)
}

type sentences struct {
	t map[string]string
}

// get returns the sentence key with its placeholders replaced: args are pairs of
// placeholder ("{tool}") and value. The template is scanned once, so a value that
// itself looks like a placeholder is inserted as is.
func (s sentences) get(key string, args ...string) string {
	text := s.t[key]
	if len(args) == 0 {
		return text
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			break
		}
		n := strings.IndexByte(text[i:], '}')
		if n < 0 {
			break
		}
		name := text[i : i+n+1]
		b.WriteString(text[:i])
		b.WriteString(arg(args, name))
		text = text[i+n+1:]
	}
	b.WriteString(text)
	return b.String()
}

func arg(args []string, name string) string {
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] == name {
			return args[i+1]
		}
	}
	return name
}

// quoteLimit bounds a quote of the customer in the summary, in characters.
const quoteLimit = 160

func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= quoteLimit {
		return s
	}
	r := []rune(s)
	return string(r[:quoteLimit-1]) + "…"
}

func summarize(in Input, f Facts, sent SentimentSummary, lang string) Summary {
	tl, ok := templates[lang]
	sumLang := lang
	if !ok {
		tl, sumLang = templates["en"], "en"
	}
	s := sentences{tl}
	sum := Summary{Lang: sumLang, Wants: []string{}, Done: []string{}, Pending: []string{}}

	// What the customer wants: their own words, one quote per intent.
	intents, first := intentsInOrder(in.Messages)
	for _, intent := range intents {
		sum.Wants = append(sum.Wants, "("+intent+") "+quote(in.Messages[first[intent]].Text))
	}
	if len(intents) == 0 {
		for i := len(in.Messages) - 1; i >= 0; i-- {
			if m := in.Messages[i]; m.Author == AuthorCustomer && strings.TrimSpace(m.Text) != "" {
				sum.Wants = append(sum.Wants, quote(m.Text))
				break
			}
		}
	}

	// What was done, and what is pending.
	for _, o := range f.Orders {
		status := o.Status
		if status == "" {
			status = "?"
		}
		item := s.get("order", "{order}", o.ID, "{status}", status)
		if o.Total != "" {
			item += ", " + o.Total
		}
		sum.Done = append(sum.Done, item)
	}
	approvalKeys := map[string]bool{}
	for _, a := range f.PendingApprovals {
		approvalKeys[a.Key] = true
		if a.OrderID != "" {
			sum.Pending = append(sum.Pending, s.get("approval", "{tool}", a.Tool, "{amount}", a.Amount, "{order}", a.OrderID))
		} else {
			sum.Pending = append(sum.Pending, s.get("approval_no_order", "{tool}", a.Tool, "{amount}", a.Amount))
		}
	}
	lastFailed := ""
	for _, t := range f.ToolCalls {
		outcome := t.Outcome
		switch outcome {
		case OutcomeOK, OutcomeFailed, OutcomeDeclined:
		case OutcomePending:
			if !approvalKeys[t.Key] {
				sum.Pending = append(sum.Pending, s.get("tool", "{tool}", t.Name, "{outcome}", s.get("outcome_pending")))
			}
			continue
		default:
			outcome = OutcomeFailed
		}
		if outcome == OutcomeFailed {
			lastFailed = t.Name
		}
		sum.Done = append(sum.Done, s.get("tool", "{tool}", t.Name, "{outcome}", s.get("outcome_"+outcome)))
	}

	// What to do next.
	switch {
	case len(f.PendingApprovals) > 0:
		a := f.PendingApprovals[0]
		sum.Next = s.get("next_approval", "{tool}", a.Tool, "{amount}", a.Amount)
	case lastFailed != "":
		sum.Next = s.get("next_tool_failure", "{tool}", lastFailed)
	case in.Reason == ReasonNegativeSentiment || in.Reason == ReasonComplaint || sent.Repeated:
		sum.Next = s.get("next_upset")
	case in.Reason == ReasonCustomerRequest:
		sum.Next = s.get("next_person")
	default:
		sum.Next = s.get("next_default")
	}

	line := func(label string, items []string) string {
		if len(items) == 0 {
			return s.get(label) + ": " + s.get("nothing")
		}
		return s.get(label) + ": " + strings.Join(items, "; ")
	}
	sum.Text = strings.Join([]string{
		line("label_wants", sum.Wants),
		line("label_done", sum.Done),
		line("label_pending", sum.Pending),
		s.get("label_next") + ": " + sum.Next,
	}, "\n")
	return sum
}

// intentsInOrder returns the distinct intents of customer messages in first-seen order
// with the index of the message that first carried each.
func intentsInOrder(msgs []Message) (intents []string, first map[string]int) {
	first = map[string]int{}
	for i, m := range msgs {
		if m.Author != AuthorCustomer || m.Intent == "" {
			continue
		}
		if _, ok := first[m.Intent]; !ok {
			first[m.Intent] = i
			intents = append(intents, m.Intent)
		}
	}
	return intents, first
}
