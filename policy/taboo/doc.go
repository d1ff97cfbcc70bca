// Package taboo screens outgoing AI messages against cultural-taboo rules for the market
// and locale they are sent to: alcohol and pork promotions in Muslim-majority markets (and
// stricter during Ramadan), references to the Thai monarchy, unlucky numbers and funeral
// colours in gift phrasing, politically sensitive place names, offensive gesture emoji,
// and the register customers expect (formal "Sie" in German, polite Japanese).
//
// Rules come in versioned packs (JSON, see packs.json for the embedded default and Parse
// for the format). A pack applies to a set of markets (ISO 3166-1 countries) and/or
// locales, optionally only within date windows (Ramadan is written out per year as
// explicit dates, never computed). Each rule asks for one action:
//
//   - replace: the matched text is replaced here with the rule's approved phrase (possibly
//     empty, as for a gesture emoji); Verdict.Text holds the result;
//   - rewrite: the message must be rewritten by the model layer, which another package
//     does; this package only reports why. Without a configured model, callers treat a
//     rewrite as a block;
//   - block: the message must not be sent; the conversation is handed to a human.
//
// The verdict's action is the strongest among the hits, in the order none < replace <
// rewrite < block: replacements are already applied in Verdict.Text, so a message that
// also needs a rewrite still goes to the model, and a block outranks both.
//
// Matching is done on normalised text: Unicode NFKC (full-width letters and digits become
// ASCII), full case folding (golang.org/x/text/cases), whitespace runs collapsed, and emoji
// variation selectors and skin-tone modifiers dropped, so that "👍🏽" matches a rule for
// "👍". Offsets in hits always point into the original text. Word boundaries follow the
// knowledge/segment package's view of scripts: words of scripts written with spaces (Latin,
// Cyrillic, Arabic, Devanagari, ...) must match whole — "Taiwan" does not match inside
// "Taiwanese" — unless the rule asks for prefix matching; runs of Chinese, Japanese, Korean,
// Thai, Lao, Khmer and Myanmar characters have no word boundaries to respect (segment uses
// no dictionary either), so terms in those scripts match as character sequences, never
// splitting a character from its combining marks.
//
// A rule can require context (at least one of its context terms in the same sentence, or
// anywhere in the message) so that "pork" is flagged in "20% off pork ribs" but not in a
// product description, and can list exceptions ("pork-free", "tanpa babi") that cancel a
// hit lying inside them.
//
// Every hit is reported to an optional Observer as an Event (rule, pack, version,
// category, action, market, locale; never the message text), which evals and analytics
// count; the package logs nothing itself.
//
// The embedded packs are defaults. Packs that admins store (package taboo/pgstore) take
// the place of the embedded pack with the same ID, add packs or switch packs off; Compose
// builds the packs in effect from them and ParsePack validates one pack document, naming
// each field at fault. A Live holds the Screener in use and lets a running process swap it
// for one built from edited packs.
//
// It is not moderation of customer input (that is the input screen), not a translation
// or grammar check, and not a legal review: the packs hold a shop's sober defaults, which
// admins edit and version.
package taboo
