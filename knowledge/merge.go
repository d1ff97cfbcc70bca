package knowledge

import "strings"

// MergeOverride applies a market override to a market-wide article body: each section of the
// override (a `## ` heading and the text up to the next one) replaces the base section with
// the same heading, and sections the base does not have are appended. Text of the override
// before its first heading replaces the base's introduction. So an override states only what
// differs — a return window in Germany — and the rest of the article stays shared.
func MergeOverride(base, override string) string {
	bIntro, bSecs := sections(base)
	oIntro, oSecs := sections(override)
	intro := bIntro
	if strings.TrimSpace(oIntro) != "" {
		intro = oIntro
	}
	replaced := make(map[string]bool)
	var b strings.Builder
	b.WriteString(strings.TrimRight(intro, "\n"))
	for _, s := range bSecs {
		text := s.text
		for _, o := range oSecs {
			if sameHeading(o.heading, s.heading) {
				text = o.text
				replaced[o.heading] = true
				break
			}
		}
		appendSection(&b, text)
	}
	for _, o := range oSecs {
		if !replaced[o.heading] {
			appendSection(&b, o.text)
		}
	}
	return strings.TrimLeft(b.String(), "\n") + "\n"
}

type section struct{ heading, text string }

// sections splits Markdown at level-2 headings (deeper headings stay inside their section).
func sections(md string) (intro string, secs []section) {
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	var cur *section
	var introB strings.Builder
	inFence := false
	for _, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
		}
		if !inFence && strings.HasPrefix(line, "## ") {
			secs = append(secs, section{heading: strings.TrimSpace(line[3:])})
			cur = &secs[len(secs)-1]
		}
		if cur == nil {
			introB.WriteString(line + "\n")
		} else {
			cur.text += line + "\n"
		}
	}
	return introB.String(), secs
}

func sameHeading(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

func appendSection(b *strings.Builder, text string) {
	if b.Len() > 0 {
		b.WriteString("\n\n")
	}
	b.WriteString(strings.TrimRight(text, "\n"))
}
