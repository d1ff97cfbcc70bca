package packet

import (
	"context"
	"errors"
	"fmt"

	"github.com/attache-dev/attache/handoff/translate"
	"github.com/attache-dev/attache/i18n"
)

// Localize returns a copy of p with the summary and every transcript message translated
// into agentLang (SummaryTranslated, TranscriptTranslated), each beside its original.
// Messages already in agentLang are copied without a call; the rest are translated one
// by one, in order (one call each: run it in an activity, not in a request handler).
//
// A text the translator could not translate is shown as its original with Untranslated
// set; Localize then still returns the localized packet, together with the joined
// translation errors for the caller to log. Only a done context stops it early, with
// the context's error and p unchanged. A nil tr means translate.Passthrough.
func Localize(ctx context.Context, p Packet, agentLang string, tr translate.Translator) (Packet, error) {
	if tr == nil {
		tr = translate.Passthrough{}
	}
	to := i18n.BaseOf(agentLang)
	if to == "" {
		return p, fmt.Errorf("localize packet: agent language %q is not a language tag", agentLang)
	}
	out := p
	out.AgentLanguage = to
	var errs []error
	translateOne := func(text, from string) (Translated, error) {
		if err := ctx.Err(); err != nil {
			return Translated{}, err
		}
		t, err := tr.Translate(ctx, text, from, to)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return Translated{}, ctxErr
			}
			errs = append(errs, err)
		}
		return Translated{Text: t.Text, From: t.From, To: to, Untranslated: t.Untranslated(), Engine: t.Engine}, nil
	}

	sum, err := translateOne(p.Summary.Text, p.Summary.Lang)
	if err != nil {
		return p, fmt.Errorf("localize packet: %w", err)
	}
	out.SummaryTranslated = &sum

	out.TranscriptTranslated = make([]TranslatedLine, 0, len(p.Transcript))
	for i, l := range p.Transcript {
		from := l.Lang
		if from == "" && l.Author == AuthorCustomer {
			from = p.Language
		}
		t, err := translateOne(l.Text, from)
		if err != nil {
			return p, fmt.Errorf("localize packet: %w", err)
		}
		out.TranscriptTranslated = append(out.TranscriptTranslated, TranslatedLine{Index: i, Author: l.Author, Original: l.Text, Translated: t})
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("localize packet: %d of %d texts untranslated: %w", len(errs), len(p.Transcript)+1, errors.Join(errs...))
	}
	return out, nil
}
