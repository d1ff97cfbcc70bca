package demo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"github.com/attache-dev/attache/knowledge"
)

// locales are the directories the demo help center must have, as canonical BCP 47 tags.
var locales = []string{"en", "es", "de", "fr", "pt-BR", "ar", "th", "vi", "id", "ja", "zh-Hans"}

// articles are the external IDs every locale must have.
var articles = []string{
	"shipping-times", "shipping-costs", "returns", "refunds", "payment-methods",
	"eu-vat", "cod", "customs", "warranty", "contact-human",
}

// overrides are the market overrides the English source must have (slug.MARKET).
var overrides = []string{"returns.DE", "returns.SA", "returns.JP", "cod.AE", "cod.TH"}

// frontMatter is the key set the importer accepts, nothing more.
type frontMatter struct {
	ExternalID   string   `yaml:"external_id"`
	Locale       string   `yaml:"locale"`
	Title        string   `yaml:"title"`
	Tags         []string `yaml:"tags"`
	Market       string   `yaml:"market"`
	SourceLocale string   `yaml:"source_locale"`
	Status       string   `yaml:"status"`
}

var allowedKeys = []string{"external_id", "locale", "title", "tags", "market", "source_locale", "status"}

// doc is one parsed file.
type doc struct {
	path   string // "de/returns.DE.md"
	locale string // directory
	slug   string // "returns"
	market string // "DE", or "" for the market-wide variant
	keys   []string
	meta   frontMatter
	body   string
}

// key identifies the English counterpart of a file: slug plus market.
func (d doc) key() string {
	if d.market == "" {
		return d.slug
	}
	return d.slug + "." + d.market
}

// parse splits a file into front matter and body and decodes the front matter strictly.
func parse(p string, data []byte) (doc, error) {
	d := doc{path: p, locale: path.Dir(p)}
	name := strings.TrimSuffix(path.Base(p), ".md")
	d.slug = name
	if i := strings.IndexByte(name, '.'); i >= 0 {
		d.slug, d.market = name[:i], name[i+1:]
	}
	if bytes.ContainsRune(data, '\r') {
		return d, errors.New("carriage return in file: use LF line endings")
	}
	text := string(data)
	rest, ok := strings.CutPrefix(text, "---\n")
	if !ok {
		return d, errors.New("front matter must open with a --- line")
	}
	fm, body, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		return d, errors.New("front matter must close with a --- line")
	}
	d.body = body

	var node yaml.Node
	if err := yaml.Unmarshal([]byte(fm), &node); err != nil {
		return d, fmt.Errorf("front matter: %w", err)
	}
	if len(node.Content) != 1 || node.Content[0].Kind != yaml.MappingNode {
		return d, errors.New("front matter is not a mapping")
	}
	for i := 0; i < len(node.Content[0].Content); i += 2 {
		d.keys = append(d.keys, node.Content[0].Content[i].Value)
	}
	dec := yaml.NewDecoder(strings.NewReader(fm))
	dec.KnownFields(true)
	if err := dec.Decode(&d.meta); err != nil {
		return d, fmt.Errorf("front matter: %w", err)
	}
	return d, nil
}

// load parses every file of Files() and fails the test on the first unreadable one.
func load(t *testing.T) []doc {
	t.Helper()
	var docs []doc
	err := fs.WalkDir(Files(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(Files(), p)
		if err != nil {
			return err
		}
		d, err := parse(p, data)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no demo files embedded")
	}
	return docs
}

// english indexes the English files by key.
func english(docs []doc) map[string]doc {
	m := make(map[string]doc)
	for _, d := range docs {
		if d.locale == "en" {
			m[d.key()] = d
		}
	}
	return m
}

func TestEveryLocaleHasEveryArticle(t *testing.T) {
	docs := load(t)
	have := make(map[string][]string) // locale → base slugs
	for _, d := range docs {
		if d.market == "" {
			have[d.locale] = append(have[d.locale], d.slug)
		}
	}
	var dirs []string
	for l := range have {
		dirs = append(dirs, l)
	}
	sort.Strings(dirs)
	wantDirs := slices.Clone(locales)
	sort.Strings(wantDirs)
	if !slices.Equal(dirs, wantDirs) {
		t.Errorf("locale directories = %v, want %v", dirs, wantDirs)
	}
	want := slices.Clone(articles)
	sort.Strings(want)
	for _, l := range locales {
		got := have[l]
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s has articles %v, want %v", l, got, want)
		}
	}
	en := english(docs)
	for _, o := range overrides {
		if _, ok := en[o]; !ok {
			t.Errorf("English override %s.md is missing", o)
		}
	}
}

func TestFrontMatter(t *testing.T) {
	docs := load(t)
	en := english(docs)
	for _, d := range docs {
		t.Run(d.path, func(t *testing.T) {
			m := d.meta
			for _, k := range d.keys {
				if !slices.Contains(allowedKeys, k) {
					t.Errorf("unknown key %q", k)
				}
			}
			required := []string{"external_id", "locale", "title", "tags", "status"}
			if d.market != "" {
				required = append(required, "market")
			}
			if d.locale != "en" {
				required = append(required, "source_locale")
			}
			for _, k := range required {
				if !slices.Contains(d.keys, k) {
					t.Errorf("missing key %q", k)
				}
			}
			if d.market == "" && slices.Contains(d.keys, "market") {
				t.Errorf("market %q in a file without a .MARKET suffix", m.Market)
			}
			if d.locale == "en" && slices.Contains(d.keys, "source_locale") {
				t.Errorf("English is the source and must not name a source_locale")
			}
			if d.locale != "en" && m.SourceLocale != "en" {
				t.Errorf("source_locale = %q, want en", m.SourceLocale)
			}
			if m.Locale != d.locale {
				t.Errorf("locale = %q, directory says %q", m.Locale, d.locale)
			}
			if tag, err := language.Parse(d.locale); err != nil || tag.String() != d.locale {
				t.Errorf("directory %q is not a canonical BCP 47 tag (%v, %v)", d.locale, tag, err)
			}
			if m.ExternalID != d.slug {
				t.Errorf("external_id = %q, file slug is %q", m.ExternalID, d.slug)
			}
			if m.Market != d.market {
				t.Errorf("market = %q, file name says %q", m.Market, d.market)
			}
			if d.market != "" {
				if r, err := language.ParseRegion(d.market); err != nil || r.String() != d.market || !r.IsCountry() {
					t.Errorf("market %q is not an ISO 3166-1 alpha-2 country code", d.market)
				}
			}
			if m.Status != "published" {
				t.Errorf("status = %q, want published", m.Status)
			}
			if strings.TrimSpace(m.Title) == "" {
				t.Errorf("empty title")
			}
			if len(m.Tags) == 0 {
				t.Errorf("no tags")
			}
			for _, tag := range m.Tags {
				if tag != strings.ToLower(tag) || strings.TrimSpace(tag) != tag || tag == "" {
					t.Errorf("tag %q is not a lower-case word", tag)
				}
			}
			if src, ok := en[d.key()]; !ok {
				t.Errorf("no English source %s/%s.md", "en", d.key())
			} else if !slices.Equal(m.Tags, src.meta.Tags) {
				t.Errorf("tags %v differ from the English source's %v", m.Tags, src.meta.Tags)
			}
		})
	}
}

// number matches a digit sequence with optional thousands groups ("15,000", "15.000",
// "15 000" with a normal, no-break or narrow no-break space).
var number = regexp.MustCompile(`[0-9]+(?:[.,\x{00A0}\x{202F} ][0-9]{3})*`)

// numbers returns the set of numbers in s, separators removed and leading zeros dropped, so
// "09:00" gives 9 and 0, and "5.000.000" and "5,000,000" both give 5000000.
func numbers(s string) []string {
	set := make(map[string]bool)
	for _, m := range number.FindAllString(s, -1) {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, m)
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			set[digits] = true
			continue
		}
		set[strconv.FormatInt(n, 10)] = true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"15,000 VND", []string{"15000"}},
		{"15.000 VND", []string{"15000"}},
		{"5\u202f000\u202f000 VND", []string{"5000000"}},
		{"Rp10.000 bis 3–5 Werktage", []string{"10000", "3", "5"}},
		{"9:00–18:00 (UTC+4)", []string{"0", "18", "4", "9"}},
		{"4,90 €", []string{"4", "90"}},
		{"no digits", []string{}},
	}
	for _, tt := range tests {
		got := numbers(tt.in)
		want := slices.Clone(tt.want)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("numbers(%q) = %v, want %v", tt.in, got, want)
		}
	}
}

// spelledOut are the numbers a locale may write as words instead of digits. Arabic says one
// and two with the noun itself, in the singular and the dual (يوم عمل واحد, سنتين, طردين);
// a digit there reads as a machine translation.
var spelledOut = map[string][]string{"ar": {"1", "2"}}

// TestTranslationsKeepTheNumbers: every fee, window and limit of the English source appears
// in each translation, and a translation adds none.
func TestTranslationsKeepTheNumbers(t *testing.T) {
	docs := load(t)
	en := english(docs)
	for _, d := range docs {
		src, ok := en[d.key()]
		if d.locale == "en" || !ok {
			continue
		}
		got, want := numbers(d.meta.Title+"\n"+d.body), numbers(src.meta.Title+"\n"+src.body)
		want = slices.DeleteFunc(want, func(n string) bool {
			return slices.Contains(spelledOut[d.locale], n) && !slices.Contains(got, n)
		})
		if !slices.Equal(got, want) {
			t.Errorf("%s numbers %v\n\tdiffer from %s: %v (missing %v, extra %v)",
				d.path, got, src.path, want, diff(want, got), diff(got, want))
		}
	}
}

func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestWesternDigits: numbers are written with 0–9 in every language, so that the number
// check above and the offline engine's slot extraction see the same digits.
func TestWesternDigits(t *testing.T) {
	for _, d := range load(t) {
		for _, r := range d.meta.Title + d.body {
			if unicode.IsDigit(r) && (r < '0' || r > '9') {
				t.Errorf("%s: digit %q (%U); write numbers with 0–9", d.path, r, r)
				break
			}
		}
	}
}

// TestTextIsNFC: the importer stores text in Unicode NFC; files already in NFC re-import
// byte for byte, so a re-seed never makes new versions of unchanged articles.
func TestTextIsNFC(t *testing.T) {
	for _, d := range load(t) {
		if !norm.NFC.IsNormalString(d.meta.Title) || !norm.NFC.IsNormalString(d.body) {
			t.Errorf("%s is not in Unicode NFC", d.path)
		}
	}
}

// headings returns the level-2 headings of a Markdown body.
func headings(body string) []string {
	var hs []string
	for _, line := range strings.Split(body, "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			hs = append(hs, strings.TrimSpace(h))
		}
	}
	return hs
}

// TestStructureMatchesEnglish: a translation has as many sections, list items and table rows
// as its source, so nothing was dropped or added in translation.
func TestStructureMatchesEnglish(t *testing.T) {
	docs := load(t)
	en := english(docs)
	shape := func(body string) (sections, items, rows int) {
		for _, line := range strings.Split(body, "\n") {
			l := strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(l, "## "):
				sections++
			case strings.HasPrefix(l, "- "), orderedItem.MatchString(l):
				items++
			case strings.HasPrefix(l, "|"):
				rows++
			}
		}
		return
	}
	for _, d := range docs {
		if strings.HasPrefix(strings.TrimSpace(d.body), "# ") {
			t.Errorf("%s: the body starts with a level-1 heading; the title is in the front matter", d.path)
		}
		if d.market == "" && len(headings(d.body)) < 3 {
			t.Errorf("%s: %d sections, want at least 3 (## headings)", d.path, len(headings(d.body)))
		}
		src, ok := en[d.key()]
		if d.locale == "en" || !ok {
			continue
		}
		s1, i1, r1 := shape(d.body)
		s2, i2, r2 := shape(src.body)
		if s1 != s2 || i1 != i2 || r1 != r2 {
			t.Errorf("%s has %d sections, %d list items, %d table rows; %s has %d, %d, %d",
				d.path, s1, i1, r1, src.path, s2, i2, r2)
		}
	}
}

// TestOverridesReplaceSections: an override states only what differs. Each of its sections
// replaces the section with the same heading in the same locale's article, and a
// translation of an override replaces the same sections as the English one.
func TestOverridesReplaceSections(t *testing.T) {
	docs := load(t)
	base := make(map[string]doc) // locale/slug → market-wide variant
	for _, d := range docs {
		if d.market == "" {
			base[d.locale+"/"+d.slug] = d
		}
	}
	// replaced returns, for each override heading, the index of the base section it
	// replaces, or -1 when it is a new section.
	replaced := func(o, b doc) []int {
		bh := headings(b.body)
		var idx []int
		for _, h := range headings(o.body) {
			i := slices.IndexFunc(bh, func(x string) bool {
				return strings.EqualFold(strings.Join(strings.Fields(x), " "), strings.Join(strings.Fields(h), " "))
			})
			idx = append(idx, i)
		}
		return idx
	}
	en := english(docs)
	for _, d := range docs {
		if d.market == "" {
			continue
		}
		b, ok := base[d.locale+"/"+d.slug]
		if !ok {
			t.Errorf("%s: no %s/%s.md to override", d.path, d.locale, d.slug)
			continue
		}
		got := replaced(d, b)
		if !slices.ContainsFunc(got, func(i int) bool { return i >= 0 }) {
			t.Errorf("%s replaces none of the sections of %s (headings %v vs %v)",
				d.path, b.path, headings(d.body), headings(b.body))
		}
		if src, ok := en[d.key()]; ok && d.locale != "en" {
			want := replaced(src, base["en/"+d.slug])
			if !slices.Equal(got, want) {
				t.Errorf("%s replaces base sections %v, the English override replaces %v", d.path, got, want)
			}
		}
		merged := knowledge.MergeOverride(b.body, d.body)
		if n := len(headings(merged)); n < len(headings(b.body)) {
			t.Errorf("%s merged into %s has %d sections, fewer than the base's %d", d.path, b.path, n, len(headings(b.body)))
		}
	}
}

// size measures a body in words for scripts that separate words with spaces, and in letters
// for Chinese, Japanese and Thai, which do not. Markdown syntax is not counted.
func size(locale, body string) int {
	switch locale {
	case "ja", "zh-Hans", "th":
		n := 0
		for _, r := range body {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
				n++
			}
		}
		return n
	}
	n := 0
	for _, f := range strings.Fields(body) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

// bounds per locale for an article: 150–400 words. Languages written with spaces between
// words count words; Vietnamese spaces separate syllables, about 1.35 per English word here;
// Chinese, Japanese and Thai count letters, about 1.75, 2.6 and 5.3 per English word in this
// content. A market override holds only what differs and gets a third of the lower bound and
// two thirds of the upper one; merged into its article, it must fit the article bounds.
var bounds = map[string][2]int{
	"en": {150, 400}, "es": {150, 400}, "de": {150, 400}, "fr": {150, 400}, "pt-BR": {150, 400},
	"ar": {150, 400}, "id": {150, 400},
	"vi":      {200, 540},
	"zh-Hans": {260, 700},
	"ja":      {380, 1050},
	"th":      {800, 2150},
}

func TestLength(t *testing.T) {
	docs := load(t)
	for _, d := range docs {
		b, ok := bounds[d.locale]
		if !ok {
			t.Errorf("%s: no length bounds for locale %q", d.path, d.locale)
			continue
		}
		lo, hi := b[0], b[1]
		if d.market != "" {
			lo, hi = lo/3, hi*2/3
		}
		if n := size(d.locale, d.body); n < lo || n > hi {
			t.Errorf("%s: size %d, want %d–%d", d.path, n, lo, hi)
		}
	}
	// What a customer in the market reads, the article with its override applied, stays
	// within the article bounds.
	base := make(map[string]doc)
	for _, d := range docs {
		if d.market == "" {
			base[d.locale+"/"+d.slug] = d
		}
	}
	for _, d := range docs {
		b, ok := base[d.locale+"/"+d.slug]
		if d.market == "" || !ok {
			continue
		}
		lo, hi := bounds[d.locale][0], bounds[d.locale][1]
		if n := size(d.locale, knowledge.MergeOverride(b.body, d.body)); n < lo || n > hi {
			t.Errorf("%s merged into %s: size %d, want %d–%d", d.path, b.path, n, lo, hi)
		}
	}
}

// TestContactNamesTheHandoffWord: the article on reaching a person tells the customer the word
// to type, "agent", in every language (next to the local word).
func TestContactNamesTheHandoffWord(t *testing.T) {
	for _, d := range load(t) {
		if d.slug == "contact-human" && !strings.Contains(d.body, "agent") {
			t.Errorf("%s does not mention the word \"agent\"", d.path)
		}
	}
}

func TestFilesHoldsOnlyArticles(t *testing.T) {
	err := fs.WalkDir(Files(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && (path.Ext(p) != ".md" || strings.Count(p, "/") != 1) {
			t.Errorf("unexpected file %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(Files(), "en/returns.md"); err != nil {
		t.Errorf("en/returns.md: %v", err)
	}
}

var orderedItem = regexp.MustCompile(`^[0-9]+\. `)
