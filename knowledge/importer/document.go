package importer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// document is what a Markdown or HTML file says about its record before validation.
type document struct {
	in fields
	// localeFrom names where in the file in.locale was written, for reasons.
	localeFrom string
	// problem rejects the file; line is where, or 0.
	problem string
	line    int
}

// readDocument reads one Markdown or HTML file as one record.
func (src *source) readDocument(ctx context.Context, r io.Reader, format Format, rel string) error {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return err
	}
	if len(data) > MaxFileSize {
		src.rejectf(0, "", "file is larger than %s", byteSize(MaxFileSize))
		return nil
	}
	text, line, reason := decodeText(data)
	if reason != "" {
		src.rejectf(line, "", "%s", reason)
		return nil
	}
	var doc document
	if format == HTML {
		doc = parseHTML(text)
	} else {
		doc = parseMarkdown(text)
	}
	if doc.problem != "" {
		src.rejectf(doc.line, printableID(doc.in.externalID), "%s", doc.problem)
		return nil
	}
	in := doc.in
	p := parsePath(rel)
	if strings.TrimSpace(in.externalID) == "" {
		in.externalID = p.id
	}
	locale, reason := resolveLocale(in.locale, doc.localeFrom, p)
	if reason != "" {
		src.rejectf(0, printableID(in.externalID), "%s", reason)
		return nil
	}
	in.locale = locale
	market, reason := resolveMarket(in.market, p)
	if reason != "" {
		src.rejectf(0, printableID(in.externalID), "%s", reason)
		return nil
	}
	in.market = market
	return src.accept(ctx, 0, in)
}

// decodeText checks that a file is UTF-8 without NUL bytes and returns it without a byte
// order mark and with LF line ends; or why it is not acceptable, and on which line.
func decodeText(data []byte) (string, int, string) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF) {
		return "", 1, utf16Reason
	}
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return "", lineAt(data, i), "file is not valid UTF-8; save it as UTF-8"
		}
		i += n
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", lineAt(data, i), "file contains a NUL byte"
	}
	return normaliseNewlines(string(data)), 0, ""
}

// lineBounds returns where the line that starts at offset start of s ends (the offset of
// its LF, or len(s)) and where the next line starts.
func lineBounds(s string, start int) (end, next int) {
	if i := strings.IndexByte(s[start:], '\n'); i >= 0 {
		return start + i, start + i + 1
	}
	return len(s), len(s)
}

// lineAt returns the 1-based line of byte offset i.
func lineAt(data []byte, i int) int {
	return bytes.Count(data[:i], []byte{'\n'}) + 1
}

// frontMatterKeys are the keys Markdown front matter may have, in documentation order.
var frontMatterKeys = []string{"external_id", "locale", "market", "tags", "title", "source_locale", "url", "status", "channels", "audience"}

// parseMarkdown splits a Markdown file into its front matter, title and body.
func parseMarkdown(text string) document {
	d := document{localeFrom: "the front matter"}
	if strings.HasPrefix(text, "+++") {
		d.problem, d.line = "TOML front matter (+++) is not supported; write YAML between --- lines", 1
		return d
	}
	body := text
	if fm, rest, found, closed := splitFrontMatter(text); found {
		if !closed {
			d.problem, d.line = "front matter has no closing --- line", 1
			return d
		}
		if line, reason := parseFrontMatter(fm, &d.in); reason != "" {
			d.problem, d.line = reason, line
			return d
		}
		body = rest
	}
	// The first "# " heading is the title, or repeats it: either way it leaves the body.
	if title, rest, ok := takeHeading(body); ok {
		if strings.TrimSpace(d.in.title) == "" {
			d.in.title, body = title, rest
		} else if oneLine(title) == oneLine(d.in.title) {
			body = rest
		}
	}
	d.in.body = body
	return d
}

// splitFrontMatter returns the text between a first line "---" and the next line "---",
// and the text after it. found reports a first line "---"; closed a closing line.
func splitFrontMatter(text string) (fm, rest string, found, closed bool) {
	first, after, _ := strings.Cut(text, "\n")
	if strings.TrimRight(first, " \t") != "---" {
		return "", text, false, false
	}
	for off := 0; off < len(after); {
		end, next := lineBounds(after, off)
		if strings.TrimRight(after[off:end], " \t") == "---" {
			return after[:off], after[next:], true, true
		}
		off = next
	}
	return "", "", true, false
}

// yamlLine matches the position yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseFrontMatter reads YAML front matter into in. On a problem it returns the reason and
// its line in the file (the front matter starts on line 2).
func parseFrontMatter(fm string, in *fields) (int, string) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(fm), &root); err != nil {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n + 1, "front matter is not valid YAML: " + m[2]
		}
		return 1, "front matter is not valid YAML: " + strings.TrimPrefix(msg, "yaml: ")
	}
	node := &root
	if node.Kind == yaml.DocumentNode {
		if len(node.Content) == 0 {
			return 0, ""
		}
		node = node.Content[0]
	}
	switch {
	case node.Kind == 0, node.Kind == yaml.ScalarNode && node.ShortTag() == "!!null":
		return 0, ""
	case node.Kind != yaml.MappingNode:
		return node.Line + 1, "front matter is not a set of key: value lines"
	}

	var unknown []string
	unknownLine := 0
	seen := make(map[string]bool)
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		line := k.Line + 1
		if k.Kind != yaml.ScalarNode {
			return line, "front matter has a key that is not text"
		}
		key := k.Value
		if seen[key] {
			return line, fmt.Sprintf("front matter key %q appears twice", clip(key))
		}
		seen[key] = true
		if v.Kind == yaml.AliasNode {
			return line, fmt.Sprintf("front matter key %q is a YAML alias; aliases are not supported", clip(key))
		}
		if dest := in.list(key); dest != nil {
			list, ok := yamlTags(v)
			if !ok {
				return line, fmt.Sprintf("front matter key %q must be a list of words or one string", key)
			}
			*dest = list
			continue
		}
		dest := in.field(key)
		if dest == nil {
			if unknownLine == 0 {
				unknownLine = line
			}
			unknown = append(unknown, key)
			continue
		}
		s, ok := yamlScalar(v)
		if !ok {
			return line, fmt.Sprintf("front matter key %q must be text, not a list or a mapping", clip(key))
		}
		*dest = s
	}
	if len(unknown) > 0 {
		return unknownLine, unknownNames("front matter key", unknown, frontMatterKeys)
	}
	return 0, ""
}

// field returns the string field a front matter key, meta name or JSON field sets; nil for
// tags, body and unknown names.
func (in *fields) field(name string) *string {
	switch name {
	case "external_id":
		return &in.externalID
	case "locale":
		return &in.locale
	case "title":
		return &in.title
	case "market":
		return &in.market
	case "url":
		return &in.url
	case "status":
		return &in.status
	case "source_locale":
		return &in.sourceLocale
	case "audience":
		return &in.audience
	}
	return nil
}

// list returns the list field a key sets (tags, channels); nil for any other name.
func (in *fields) list(name string) *[]string {
	switch name {
	case "tags":
		return &in.tags
	case "channels":
		return &in.channels
	}
	return nil
}

func yamlScalar(v *yaml.Node) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		return "", false
	}
	if v.ShortTag() == "!!null" {
		return "", true
	}
	return v.Value, true
}

func yamlTags(v *yaml.Node) ([]string, bool) {
	switch v.Kind {
	case yaml.ScalarNode:
		s, _ := yamlScalar(v)
		return splitTags(s), true
	case yaml.SequenceNode:
		tags := make([]string, 0, len(v.Content))
		for _, item := range v.Content {
			s, ok := yamlScalar(item)
			if !ok {
				return nil, false
			}
			tags = append(tags, s)
		}
		return tags, true
	}
	return nil, false
}

// takeHeading finds the first level-1 ATX heading ("# Title") outside fenced code and
// returns its text and the body without that line.
func takeHeading(body string) (title, rest string, ok bool) {
	var fence string // the opening fence while inside fenced code
	prevBlank := true
	for start := 0; start < len(body); {
		end, next := lineBounds(body, start)
		line := body[start:end]
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		switch {
		case indent > 3:
		case fence != "":
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]+" \t") == "" {
				fence = ""
			}
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			n := len(trimmed) - len(strings.TrimLeft(trimmed, trimmed[:1]))
			fence = trimmed[:n]
		case trimmed == "#" || strings.HasPrefix(trimmed, "# ") || strings.HasPrefix(trimmed, "#\t"):
			text := strings.TrimSpace(trimmed[1:])
			// An optional closing sequence of #s, preceded by a space.
			if t := strings.TrimRight(text, "#"); t == "" || strings.HasSuffix(t, " ") || strings.HasSuffix(t, "\t") {
				text = strings.TrimSpace(t)
			}
			if text != "" {
				rest := body[next:]
				if prevBlank {
					// Do not leave two blank lines where the heading was.
					if _, after, ok := strings.Cut(rest, "\n"); ok && strings.TrimSpace(rest[:len(rest)-len(after)]) == "" {
						rest = after
					}
				}
				return text, body[:start] + rest, true
			}
		}
		prevBlank = strings.TrimSpace(line) == ""
		start = next
	}
	return "", body, false
}
