package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Keys of the system sentences every locale must have. Texts may hold more keys; these
// are the ones the offline engine and the web UI rely on.
const (
	KeyGreeting            = "greeting"              // hello + AI disclosure + how to reach a person
	KeyGreetingAgain       = "greeting_again"        // hello when the disclosure was already given
	KeyDisclosure          = "disclosure"            // AI disclosure sentence, prefixed to a first reply
	KeyWithDisclosure      = "with_disclosure"       // joins {0} disclosure and {1} reply
	KeyAskOrderNumber      = "ask_order_number"      // asks for the order number
	KeyOrderHandoff        = "order_handoff"         // {0} order number; a colleague will check it
	KeyHandoff             = "handoff"               // connecting to a human colleague
	KeyHandoffOffHours     = "handoff_offhours"      // nobody on shift: when a colleague will answer ({0})
	KeyFallbackHandoff     = "fallback_handoff"      // not sure I understood; passing to a colleague
	KeyThanksReply         = "thanks_reply"          // you're welcome
	KeyGoodbye             = "goodbye"               // thanks for contacting us
	KeyRefundInfoHandoff   = "refund_info_handoff"   // refunds are handled by a colleague
	KeyCancelHandoff       = "cancel_handoff"        // cancellations are handled by a colleague
	KeyShippingTimeInfo    = "shipping_time_info"    // where delivery estimates are found
	KeyPaymentIssueHandoff = "payment_issue_handoff" // payment trouble goes to a colleague
	KeyComplaintHandoff    = "complaint_handoff"     // apology + handoff
	KeyAILabel             = "ai_label"              // short "AI-generated" label for the UI
	KeyKBAnswer            = "kb_answer"             // {0} passage from the help center, {1} its citation
	KeyKBAnswerFallback    = "kb_answer_fallback"    // the same, when the passage is in another language
)

//go:embed locales/*.json
var localeFiles embed.FS

// Catalog holds the system sentences of every supported locale. It is read-only after
// NewCatalog and safe for concurrent use.
type Catalog struct {
	printers map[language.Tag]*message.Printer
	texts    map[language.Tag]map[string]string // as written in the locale files
}

// NewCatalog loads the embedded locale files (locales/<BCP 47 tag>.json, an object of
// key → text) and checks them: one file per supported locale, every key of en.json in
// every file, no unknown keys, the same placeholders in every translation.
//
// Placeholders are written {0}, {1}, ... and may appear in any order in a translation.
// A literal '%' needs no escaping.
func NewCatalog() (*Catalog, error) {
	sub, err := fs.Sub(localeFiles, "locales")
	if err != nil {
		return nil, fmt.Errorf("i18n: locale files: %w", err)
	}
	return loadCatalog(sub)
}

func loadCatalog(fsys fs.FS) (*Catalog, error) {
	texts, err := readLocales(fsys)
	if err != nil {
		return nil, err
	}
	if err := validate(texts); err != nil {
		return nil, err
	}
	b := catalog.NewBuilder(catalog.Fallback(fallback))
	for tag, m := range texts {
		for key, text := range m {
			if err := b.SetString(tag, key, toPrintf(text)); err != nil {
				return nil, fmt.Errorf("i18n: %s %q: %w", tag, key, err)
			}
		}
	}
	c := &Catalog{printers: make(map[language.Tag]*message.Printer), texts: texts}
	for _, tag := range supported {
		c.printers[tag] = message.NewPrinter(tag, message.Catalog(b))
	}
	return c, nil
}

func readLocales(fsys fs.FS) (map[language.Tag]map[string]string, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list locale files: %w", err)
	}
	texts := make(map[language.Tag]map[string]string)
	for _, name := range names {
		tag, err := language.Parse(strings.TrimSuffix(path.Base(name), ".json"))
		if err != nil {
			return nil, fmt.Errorf("i18n: locale file %s: %w", name, err)
		}
		if !slices.Contains(supported, tag) {
			return nil, fmt.Errorf("i18n: locale file %s: %s is not a supported locale", name, tag)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", name, err)
		}
		m := make(map[string]string)
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("i18n: parse %s: %w", name, err)
		}
		texts[tag] = m
	}
	return texts, nil
}

// validate checks that every supported locale has exactly the keys of the English file,
// no empty text, and the same set of placeholders as English for every key.
func validate(texts map[language.Tag]map[string]string) error {
	en, ok := texts[fallback]
	if !ok {
		return fmt.Errorf("i18n: no catalog for the fallback locale %s", fallback)
	}
	var problems []string
	for _, tag := range supported {
		m, ok := texts[tag]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no locale file", tag))
			continue
		}
		for _, key := range slices.Sorted(maps.Keys(en)) {
			text, ok := m[key]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: missing key %q", tag, key))
			case strings.TrimSpace(text) == "":
				problems = append(problems, fmt.Sprintf("%s: empty text for %q", tag, key))
			case !slices.Equal(placeholders(text), placeholders(en[key])):
				problems = append(problems, fmt.Sprintf("%s: %q has placeholders %v, English has %v",
					tag, key, placeholders(text), placeholders(en[key])))
			}
		}
		for key := range m {
			if _, ok := en[key]; !ok {
				problems = append(problems, fmt.Sprintf("%s: key %q is not in the English file", tag, key))
			}
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("i18n: invalid catalogs: %s", strings.Join(problems, "; "))
	}
	return nil
}

var placeholderRE = regexp.MustCompile(`\{(\d+)\}`)

// placeholders returns the sorted, de-duplicated placeholder indexes of text.
func placeholders(text string) []int {
	var out []int
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// toPrintf converts a catalog text into the format string of a message.Printer:
// {n} becomes %[n+1]v and a literal % becomes %%.
func toPrintf(text string) string {
	text = strings.ReplaceAll(text, "%", "%%")
	return placeholderRE.ReplaceAllStringFunc(text, func(m string) string {
		n, _ := strconv.Atoi(m[1 : len(m)-1])
		return "%[" + strconv.Itoa(n+1) + "]v"
	})
}

// Text returns the sentence key in the supported locale that best matches lang (a BCP 47
// tag, a base language such as "pt", or an Accept-Language value), with {n} replaced by
// args[n]. Unsupported languages get English. A key missing from the catalog is returned
// as is, which a test catches before a customer does.
//
// Pass identifiers such as order numbers as strings: numeric arguments are formatted for
// the locale (digit grouping, and for some locales native digits).
// WithDisclosure puts the AI disclosure in lang before text, as the first AI message of a
// conversation must begin.
func (c *Catalog) WithDisclosure(lang, text string) string {
	return c.Text(lang, KeyWithDisclosure, c.Text(lang, KeyDisclosure), text)
}

func (c *Catalog) Text(lang, key string, args ...any) string {
	tag := Match(lang)
	if _, ok := c.texts[tag][key]; !ok {
		tag = fallback
		if _, ok := c.texts[tag][key]; !ok {
			return key
		}
	}
	return c.printers[tag].Sprintf(key, args...)
}

// Keys returns every key of the catalog, sorted.
func (c *Catalog) Keys() []string {
	return slices.Sorted(maps.Keys(c.texts[fallback]))
}
