package translate

import (
	"context"
	"errors"

	"github.com/attache-dev/attache/i18n"
)

// Engines reported in Translation.Engine.
const (
	// EngineModel: a chat model translated the text.
	EngineModel = "model"
	// EnginePassthrough: the text was not translated (no model, or the model failed).
	EnginePassthrough = "passthrough"
	// EngineSameLanguage: source and target are the same base language; nothing to do.
	EngineSameLanguage = "same-language"
)

// Errors noted when Model falls back to Passthrough. Test them with errors.Is.
var (
	// ErrModel: the model call failed (network, provider error, no answer).
	ErrModel = errors.New("translation model call failed")
	// ErrRejected: the model answered, but its output failed the checks (empty, or a
	// placeholder or number of the source missing, or far longer than the source).
	ErrRejected = errors.New("translation rejected")
)

// Translation is the result of one Translate call.
type Translation struct {
	// Text is the translation, or the source text unchanged when Translated is false.
	Text string
	// From is the source base language: the caller's when given, else the detected one.
	// Passthrough always reports the detected language.
	From string
	// To is the target base language asked for.
	To string
	// Translated is true when Text was produced by a translation engine.
	Translated bool
	// Engine is one of EngineModel, EnginePassthrough, EngineSameLanguage.
	Engine string
}

// Untranslated reports whether the reader gets text in a language other than the one
// they asked for: the passthrough was used. Same-language text is not untranslated.
func (t Translation) Untranslated() bool {
	return !t.Translated && t.Engine != EngineSameLanguage
}

// Translator translates text from one language to another. from and to are BCP 47 tags
// ("ar", "pt-BR"); only their base language counts. An empty from means "detect it".
//
// Implementations return a usable Translation even with a non-nil error: the
// passthrough of the text, so that a caller can always show something.
type Translator interface {
	Translate(ctx context.Context, text, from, to string) (Translation, error)
}

// Passthrough is the Translator used without a model: it returns the text unchanged,
// marked untranslated, with its language detected by i18n.Detect (the caller's from is
// only a hint). Same-language requests are reported as such. It is safe for concurrent
// use and never returns an error.
type Passthrough struct{}

var _ Translator = Passthrough{}

// Translate returns text unchanged.
func (Passthrough) Translate(_ context.Context, text, from, to string) (Translation, error) {
	return passthrough(text, from, to), nil
}

func passthrough(text, from, to string) Translation {
	detected := from
	if text != "" || from == "" {
		var hints []string
		if from != "" {
			hints = append(hints, from)
		}
		detected = i18n.Detect(text, hints...).Lang
	}
	t := Translation{Text: text, From: i18n.BaseOf(detected), To: i18n.BaseOf(to), Engine: EnginePassthrough}
	if t.From != "" && t.From == t.To {
		t.Engine = EngineSameLanguage
	}
	return t
}

// sameLanguage returns the short-circuit result when from and to share a base
// language, detecting from when it is empty. It reports the resolved source language.
func sameLanguage(text, from, to string) (Translation, string, bool) {
	src := i18n.BaseOf(from)
	if src == "" {
		src = i18n.Detect(text).Lang
	}
	dst := i18n.BaseOf(to)
	if src != "" && src == dst {
		return Translation{Text: text, From: src, To: dst, Engine: EngineSameLanguage}, src, true
	}
	return Translation{}, src, false
}
