// Package translate translates text between a customer's language and a human agent's
// language during and after a handoff.
//
// [Translator] is the one interface callers need. [Model] translates with a chat model
// reached through langchaingo (any [llms.Model] fits [LLM]); its prompt asks for a
// faithful translation, keeps order numbers, e-mail addresses and redaction placeholders
// such as [email_1] unchanged, and applies the product [Glossary] (embedded as
// glossary.json, read by a strict loader). Its output is checked — not empty, every
// placeholder and every digit sequence of three or more digits of the source still there
// — and a failed call or a rejected output falls back to [Passthrough], returned together
// with an error, so that the caller always has something to show. [Passthrough] is what
// Attaché does without a model: the text unchanged, marked untranslated, with its
// detected language. Both short-circuit when source and target are the same base
// language: no model call is made.
//
// It is for short customer-service texts: messages, summaries, replies. It is not an
// offline machine-translation engine (there is none in Attaché), not a language
// detector (that is package i18n), not a retry layer (Temporal owns retries: Model makes
// one model call per Translate) and not a model client — build the langchaingo client
// with every option explicit, since langchaingo's providers read OPENAI_* and similar
// environment variables for the options left out.
package translate
