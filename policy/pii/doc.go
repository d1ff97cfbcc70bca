// Package pii detects and redacts personal data in customer text: payment card
// numbers (Luhn and issuer-range checked), IBANs (per-country length and
// mod-97), e-mail addresses (including internationalised ones), phone numbers
// (validated with github.com/nyaruka/phonenumbers against the conversation's
// market) and the national identity numbers of Attaché's key markets, each
// with its checksum where the scheme has one.
//
// It is for one job: text is passed through Redact before it reaches the
// model, the logs, analytics or Temporal history, so that those stores never
// hold the raw values. Detection works on a digit-normalised view of the text
// (full-width, Arabic-Indic, Thai and other decimal digits count as digits)
// while every Span keeps byte offsets into the original string.
//
// Placeholders are short and stable so prompts and tests can rely on them:
//
//	[card] [iban] [email] [phone] [id:SCHEME]
//
// where SCHEME is one of the Scheme constants such as BR-CPF or ES-DNI.
//
// It is not a data-loss-prevention system: it does not find names, postal
// addresses, free-text secrets or documents, it does not decide who may see
// the original text, and it favours precision for identifiers without a
// checksum (they are only looked for in the regions named in Options). Scanning
// is linear in the length of the text; no backtracking regular expressions are
// used.
package pii
