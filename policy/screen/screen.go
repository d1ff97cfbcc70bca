// Package screen is Attaché's cheap, deterministic first screen of customer
// input for prompt injection and abuse.
//
// Screen runs before the model on every inbound customer message (and may be
// run on tool outputs and retrieved passages, which the agent treats as data
// and never as instructions). It needs no model and no network, is
// deterministic and takes microseconds. Its Verdict feeds the conversation
// workflow's decision to answer, refuse or hand off to a human, and its
// Reasons (with byte offsets into the original text) are what the agent
// console and POST /v1/guard/screen show.
//
// What it catches, in the product's 11 languages (en, es, de, fr, pt-BR, ar,
// th, vi, id, ja, zh): instruction-override phrases, attempts to redefine
// the assistant's role or to fake system, chat-template or tool-call
// messages, requests to reveal the system prompt or tools, attempts to make
// the agent call refund/cancel tools with given arguments or to widen its
// own tools, identity claims ("I am the admin"), delimiter smuggling,
// base64/hex/rot13/tag-character encoded instructions (decoded and
// rescanned), invisible and bidi control characters, homoglyph words,
// excessive repetition; and, separately, profanity, threats and harassment.
// Text is folded before matching: compatibility decomposition (the K of
// NFKC), diacritics and other combining marks dropped, lower case,
// zero-width characters removed, Cyrillic/Greek look-alikes mapped to Latin;
// for abuse also leetspeak, repeated letters and spaced-out letters.
//
// What it is not for: it is not the only defence and not a classifier of
// intent. Rules miss paraphrases and novel attacks, so tools enforce the
// customer's identity, explicit confirmation and staff approval regardless
// of what Screen says, and a model can never widen its own tools or
// identity whatever the text contains. It does not redact PII (see the PII
// redaction package) and it does not judge outgoing AI messages.
//
// How well it works is measured, not assumed: `go test -run 'TestMeasured|
// TestBitext' -v ./policy/screen/` prints precision, recall and
// false-positive rates per data set and per language. On attacks written
// after the rules were frozen, recall is about a third (about half in
// English) at no false positives: it catches the common phrasings, chat
// templates, encodings and obfuscations, and misses most paraphrases.
package screen

import (
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Threshold is the injection score at or above which Verdict.Injection is
// true. Each signal has a weight in [0,1]; the score combines them as
// 1 - Π(1 - wᵢ) over the strongest hit per code. Weak signals (an identity
// claim alone 0.45, a line starting "System:" 0.45, invisible characters
// 0.35, homoglyphs 0.3, repetition 0.3, a request to skip checks without a
// money action 0.25) stay below it alone and cross it together.
const Threshold = 0.5

// Verdict is the result of screening one text.
type Verdict struct {
	// Injection is true when Score >= Threshold.
	Injection bool
	// Abuse is true when the text holds profanity, a threat or harassment
	// from the curated lists; it is independent of Score.
	Abuse bool
	// Score is the injection risk in [0,1].
	Score float64
	// Reasons lists every signal found, ordered by Start.
	Reasons []Reason
}

// Reason is one signal, located in the original text.
type Reason struct {
	// Code is one of the Code* constants.
	Code string
	// Detail says briefly what matched (never the customer's whole text).
	Detail string
	// Start and End are byte offsets into the screened text, 0 <= Start <= End <= len(text).
	Start, End int
}

// maxScan bounds the work on very long inputs; the rest is not screened
// and a long input is reported as repetition when it repeats.
const maxScan = 64 << 10

type hit struct {
	Reason
	weight float64
}

// Screen screens one customer message.
func Screen(text string) Verdict {
	if len(text) > maxScan {
		cut := maxScan
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	var hits []hit
	hits = scanInvisible(text, hits)
	f := fold(text)
	hits = scanInjection(f, hits, 0)
	if strings.ContainsRune(text, '\u202e') { // right-to-left override displays text backwards
		hits = rescanFolded(reverse(f), "text written backwards", hits)
	}
	hits = scanHomoglyphs(text, hits)
	hits = scanEncoded(text, f, hits)
	hits = scanRepetition(f, hits)
	abuse := false
	sq := squash(f)
	asc := abuseSet.scan(sq.s)
	for i, code := range abuseCodes {
		for _, m := range asc.findAll(i, 8) {
			s, e := sq.span(m[0], m[1])
			hits = append(hits, hit{Reason{Code: code, Detail: "matched a curated " + code + " term", Start: s, End: e}, 0})
			abuse = true
		}
	}
	best := map[string]float64{}
	for _, h := range hits {
		if h.weight > best[h.Code] {
			best[h.Code] = h.weight
		}
	}
	keep := 1.0
	for _, w := range best {
		keep *= 1 - w
	}
	score := 1 - keep
	v := Verdict{Injection: score >= Threshold, Abuse: abuse, Score: score}
	for _, h := range hits {
		v.Reasons = append(v.Reasons, h.Reason)
	}
	slices.SortStableFunc(v.Reasons, func(a, b Reason) int { return a.Start - b.Start })
	return v
}

// extraRes are the expressions scanned with the rules, after them, in the
// order of the x* constants.
const (
	xAction = iota
	xMoreActions
	xIdentity
	xMoreIdentity
	xSystemLine
	xBypass
	xMoreBypass
	xDelimiter
	xEncodedHint
	xReverseHint
	xYourInstructions
	xDismiss
	xVoid
	xObey
	xDisclose
	xAbove
)

var (
	extraRes = []*regexp.Regexp{
		actionRe, moreActions, identityRe, moreIdentity, systemLineRe, bypassRe, moreBypass,
		delimiterRe, encodedHintRe, spacedHint, yourInstructions, dismissWords, voidWords, obeyWords, discloseWords,
		instructionsAbove,
	}
	// pairRules fire when both of their expressions match.
	pairRules = []struct {
		code   string
		weight float64
		a, b   int
	}{
		{CodeIgnoreInstructions, 0.8, xYourInstructions, xDismiss},
		{CodeIgnoreInstructions, 0.45, xYourInstructions, xVoid},
		{CodeRolePlaySystem, 0.45, xObey, xObey}, // "obey only the customer"
		{CodeRevealPrompt, 0.8, xYourInstructions, xDisclose},
		{CodeIgnoreInstructions, 0.8, xAbove, xVoid},
		{CodeIgnoreInstructions, 0.8, xAbove, xDismiss},
	}
	allRules     = append(append([]rule(nil), injectionRules...), generalRules...)
	injectionSet = func() *ruleSet {
		res := make([]*regexp.Regexp, 0, len(allRules)+len(extraRes))
		for _, r := range allRules {
			res = append(res, r.re)
		}
		return newRuleSet(append(res, extraRes...))
	}()
	// abuseCodes[i] is the code of abuseSet.gates[i].
	abuseCodes []string
	abuseSet   = func() *ruleSet {
		res := []*regexp.Regexp{profanityRe}
		abuseCodes = append(abuseCodes, CodeProfanity)
		for _, p := range threatPatterns {
			res = append(res, squashedRe([]string{p}))
			abuseCodes = append(abuseCodes, CodeThreat)
		}
		for _, p := range harassmentPatterns {
			res = append(res, squashedRe([]string{p}))
			abuseCodes = append(abuseCodes, CodeHarassment)
		}
		return newRuleSet(res)
	}()
)

// scanInjection runs the injection rules over folded text. depth > 0 marks
// a rescan of decoded or reassembled content, which is not rescanned again.
func scanInjection(f folded, hits []hit, depth int) []hit {
	sc := injectionSet.scan(f.s)
	for i, r := range allRules {
		for _, m := range sc.findAll(i, 4) {
			s, e := f.span(m[0], m[1])
			hits = append(hits, hit{Reason{Code: r.code, Detail: detail(r.code), Start: s, End: e}, r.weight})
		}
	}
	memo := map[int][]int{}
	x := func(k int) []int {
		if m, ok := memo[k]; ok {
			return m
		}
		m := sc.find(len(allRules) + k)
		memo[k] = m
		return m
	}
	either := func(a, b int) []int {
		if m := x(a); m != nil {
			return m
		}
		return x(b)
	}
	add := func(code string, w float64, d string, m []int) {
		s, e := f.span(m[0], m[1])
		hits = append(hits, hit{Reason{Code: code, Detail: d, Start: s, End: e}, w})
	}
	action := either(xAction, xMoreActions) != nil
	for _, p := range pairRules {
		if ma := x(p.a); ma != nil {
			if mb := x(p.b); mb != nil {
				add(p.code, p.weight, detail(p.code), []int{min(ma[0], mb[0]), max(ma[1], mb[1])})
			}
		}
	}
	// Weak signals, raised when the text also asks for money or data.
	boost := func(w float64) float64 {
		if action {
			return w + 0.3
		}
		return w
	}
	if m := either(xIdentity, xMoreIdentity); m != nil {
		add(CodeIdentityClaim, boost(0.45), "claims a staff or owner identity", m)
	}
	if m := x(xSystemLine); m != nil {
		add(CodeRolePlaySystem, boost(0.45), "a line opens like a system message", m)
	}
	if m := either(xBypass, xMoreBypass); m != nil {
		if action {
			add(CodeToolForcing, 0.7, "asks for a money or account action without the required checks", m)
		} else {
			add(CodeToolForcing, 0.25, "asks to skip a check", m)
		}
	}
	for _, m := range sc.findAll(len(allRules)+xDelimiter, 4) {
		add(CodeDelimiterSmuggling, 0.7, "imitates the end of the customer's turn or a system block", m)
	}
	if depth > 0 {
		return hits
	}
	if m := x(xEncodedHint); m != nil {
		add(CodeEncodedPayload, 0.6, "asks to decode and follow content", m)
	}
	// Text written backwards, or displayed backwards by a bidi override.
	if x(xReverseHint) != nil {
		hits = rescanFolded(reverse(f), "text written backwards", hits)
	}
	// Letters spaced out ("i g n o r e   a l l"): words are separated by
	// wider gaps, or not at all.
	if j, ok := joinSpaced(f); ok {
		hits = rescanFolded(j, "spaced-out letters", hits)
	}
	return hits
}

// rescanFolded screens reassembled text; its spans already point into the input.
func rescanFolded(f folded, how string, hits []hit) []hit {
	best, code, s, e := 0.0, "", 0, 0
	for _, h := range scanInjection(f, nil, 1) {
		if h.weight > best {
			best, code, s, e = h.weight, h.Code, h.Start, h.End
		}
	}
	if best >= 0.6 {
		hits = append(hits, hit{Reason{Code: CodeEncodedPayload, Detail: how + " hides " + code, Start: s, End: e}, 0.9})
	}
	return hits
}

// reverse reverses folded text rune by rune.
func reverse(f folded) folded {
	r := folded{from: make([]int, 0, len(f.s)), to: make([]int, 0, len(f.s))}
	b := make([]byte, 0, len(f.s))
	for i := len(f.s); i > 0; {
		_, n := utf8.DecodeLastRuneInString(f.s[:i])
		b = append(b, f.s[i-n:i]...)
		r.from = append(r.from, f.from[i-n:i]...)
		r.to = append(r.to, f.to[i-n:i]...)
		i -= n
	}
	r.s = string(b)
	return r
}

func detail(code string) string {
	switch code {
	case CodeIgnoreInstructions:
		return "asks to ignore or replace the assistant's instructions"
	case CodeRolePlaySystem:
		return "tries to redefine the assistant's role or imitate a system message"
	case CodeRevealPrompt:
		return "asks for the system prompt, hidden instructions or tools"
	case CodeToolForcing:
		return "tries to make the agent call a tool or widen its permissions"
	}
	return code
}

// scanInvisible reports invisible, bidi-control and tag characters in the
// original text. Tag characters (U+E0020–U+E007E) spell hidden ASCII and
// are decoded and rescanned. A zero-width joiner between two symbols
// (emoji sequences) is not reported.
func scanInvisible(text string, hits []hit) []hit {
	var zw, bidi, tag int
	first, last := -1, 0
	var tagText []byte
	var prev rune
	for i, r := range text {
		if !invisible(r) && !bidiControl(r) {
			prev = r
			continue
		}
		if r == 0x200D || (r >= 0xFE00 && r <= 0xFE0F) {
			next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
			if unicode.Is(unicode.So, prev) || unicode.Is(unicode.So, next) || unicode.Is(unicode.Sk, next) {
				continue
			}
		}
		switch {
		case r >= 0xE0000 && r <= 0xE007F:
			tag++
			if r >= 0xE0020 && r <= 0xE007E {
				tagText = append(tagText, byte(r-0xE0000))
			}
		case bidiControl(r):
			bidi++
		default:
			zw++
		}
		if first < 0 {
			first = i
		}
		last = i + utf8.RuneLen(r)
	}
	if first < 0 {
		return hits
	}
	w := 0.35
	d := "zero-width or format characters"
	if bidi > 0 {
		w, d = 0.45, "bidi control characters"
	}
	if tag > 0 {
		w, d = 0.8, "tag characters hiding text"
	}
	hits = append(hits, hit{Reason{Code: CodeInvisibleCharacters, Detail: d, Start: first, End: last}, w})
	if len(tagText) > 0 {
		hits = rescan(string(tagText), first, last, "tag characters", hits)
	}
	return hits
}

// rescan screens decoded text and reports hidden injection signals as one
// encoded_payload reason spanning the encoded region.
func rescan(decoded string, start, end int, how string, hits []hit) []hit {
	inner := scanInjection(fold(decoded), nil, 1)
	best := 0.0
	code := ""
	for _, h := range inner {
		if h.weight > best {
			best, code = h.weight, h.Code
		}
	}
	if best >= 0.45 {
		hits = append(hits, hit{Reason{Code: CodeEncodedPayload, Detail: how + " hides " + code, Start: start, End: end}, 0.9})
	}
	return hits
}

// scanEncoded decodes short base64 and hex blobs and rot13 and rescans them.
func scanEncoded(text string, f folded, hits []hit) []hit {
	n := 0
	for i := 0; i < len(text) && n < 8; {
		if !b64Byte(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && b64Byte(text[j]) {
			j++
		}
		if tok := text[i:j]; len(tok) >= 16 && len(tok) <= 4096 {
			n++
			if dec, ok := decodeBlob(tok); ok {
				before := len(hits)
				hits = rescan(dec, i, j, "encoded text", hits)
				if len(hits) == before && len(dec) >= 24 && strings.Count(dec, " ") >= 3 {
					hits = append(hits, hit{Reason{Code: CodeEncodedPayload, Detail: "encoded natural-language text", Start: i, End: j}, 0.3})
				}
			}
		}
		i = j
	}
	// rot13: only Latin letters move, so one rescan of the folded text
	// finds English instructions written in rot13.
	if hasLatin(f.s) && rot13Reads(f.s) {
		r := []byte(f.s)
		for k, c := range r {
			if c >= 'a' && c <= 'z' {
				r[k] = 'a' + (c-'a'+13)%26
			}
		}
		inner := scanInjection(folded{s: string(r), from: f.from, to: f.to}, nil, 1)
		for _, h := range inner {
			if h.weight >= 0.6 {
				hits = append(hits, hit{Reason{Code: CodeEncodedPayload, Detail: "rot13 text hides " + h.Code, Start: h.Start, End: h.End}, 0.9})
				break
			}
		}
	}
	return hits
}

// commonEnglish holds frequent English words; text whose rot13 has more
// of them than the text itself is probably rot13.
var commonEnglish = map[string]bool{
	"the": true, "and": true, "you": true, "your": true, "to": true, "of": true, "all": true,
	"is": true, "are": true, "a": true, "i": true, "my": true, "me": true, "it": true,
	"for": true, "in": true, "with": true, "this": true, "that": true, "now": true,
	"previous": true, "instructions": true, "ignore": true, "system": true, "prompt": true,
}

func rot13Reads(s string) bool {
	plain, rot := 0, 0
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r < 'a' || r > 'z' }) {
		if commonEnglish[w] {
			plain++
		}
		b := []byte(w)
		for k, c := range b {
			b[k] = 'a' + (c-'a'+13)%26
		}
		if commonEnglish[string(b)] {
			rot++
		}
	}
	return rot > plain
}

func hasLatin(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			n++
			if n >= 12 {
				return true
			}
		}
	}
	return false
}

func b64Byte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' || c == '-' || c == '_'
}

// decodeBlob decodes tok as hex or base64 (standard or URL, padded or
// not) and accepts the result only when it is mostly printable UTF-8 text.
func decodeBlob(tok string) (string, bool) {
	var cands [][]byte
	if len(tok)%2 == 0 {
		if b, err := hex.DecodeString(tok); err == nil {
			cands = append(cands, b)
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(tok); err == nil {
			cands = append(cands, b)
			break
		}
	}
	for _, b := range cands {
		if printable(b) {
			return string(b), true
		}
	}
	return "", false
}

func printable(b []byte) bool {
	if len(b) < 8 || !utf8.Valid(b) {
		return false
	}
	total, good := 0, 0
	for _, r := range string(b) {
		total++
		if unicode.IsLetter(r) || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r) || unicode.IsSymbol(r) {
			good++
		}
	}
	return good*10 >= total*9 && strings.IndexFunc(string(b), unicode.IsLetter) >= 0
}

// scanHomoglyphs reports words that mix Latin letters with Cyrillic or
// Greek look-alikes, a trick to slip past keyword filters.
func scanHomoglyphs(text string, hits []hit) []hit {
	start := -1
	latin, other := false, false
	flush := func(end int) {
		if start >= 0 && latin && other {
			hits = append(hits, hit{Reason{Code: CodeHomoglyphs, Detail: "word mixes Latin with look-alike letters", Start: start, End: end}, 0.3})
		}
		start, latin, other = -1, false, false
	}
	for i, r := range text {
		if !unicode.IsLetter(r) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
		}
		if r < 0x250 {
			latin = true
		} else if _, ok := homoglyphs[r]; ok {
			other = true
		}
	}
	flush(len(text))
	return hits
}

// scanRepetition reports text flooded with one token or one character,
// a way to push instructions out of the model's view.
func scanRepetition(f folded, hits []hit) []hit {
	fields := strings.Fields(f.s)
	if len(fields) >= 40 {
		counts := map[string]int{}
		top := 0
		for _, w := range fields {
			counts[w]++
			top = max(top, counts[w])
		}
		if top*100 >= len(fields)*35 && top >= 25 {
			hits = append(hits, hit{Reason{Code: CodeRepetition, Detail: "one word repeated " + strconv.Itoa(top) + " times", Start: 0, End: f.to[len(f.to)-1]}, 0.3})
			return hits
		}
	}
	run, best := 1, 1
	for i := 1; i < len(f.s); i++ {
		if f.s[i] == f.s[i-1] && f.s[i] != ' ' {
			run++
			best = max(best, run)
		} else {
			run = 1
		}
	}
	if best >= 80 {
		hits = append(hits, hit{Reason{Code: CodeRepetition, Detail: "one character repeated " + strconv.Itoa(best) + " times", Start: 0, End: f.to[len(f.to)-1]}, 0.3})
	}
	return hits
}
