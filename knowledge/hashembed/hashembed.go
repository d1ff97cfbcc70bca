// Package hashembed turns text into fixed-size vectors by feature hashing, with no model
// weights and no network.
//
// It is the embedder of the embedded default and of the offline engine: it matches customer
// messages against multilingual intent exemplars, and it can embed knowledge-base passages
// for retrieval when no embedding endpoint is configured. Vectors are deterministic: the
// same text gives the same vector on every machine and in every release that keeps the
// feature scheme below.
//
// Features, each hashed with 64-bit FNV-1a to a signed bucket:
//   - character 1- to 4-grams of every word with boundary markers ("<order>" gives "<o",
//     "der>", ...), which makes vectors tolerant of typos, inflection and scripts written
//     without spaces (Japanese kana, Thai);
//   - word unigrams;
//   - for runs of Han characters (Chinese, Japanese kanji), which hold several words
//     without spaces, every character and every pair of adjacent characters as words,
//     instead of the two above: most Chinese words are one or two characters long, and
//     longer grams would mostly straddle words. On the Chinese questions of XQuAD this
//     took recall@5 of the vectors alone from 0.67 to 0.91 (version 2 of the scheme).
//
// Text is normalised first: NFKC, Unicode case folding, and removal of diacritics on Latin
// letters ("dónde" and "donde" share features, so do "đơn" and "don"), because customers
// often type without accents. Digits are kept.
//
// It is not a semantic model: it knows nothing of synonyms or of other languages. Cosine
// similarity between its vectors measures shared surface forms, which is what intent
// matching against exemplars in the same language and lexical retrieval need; for
// cross-lingual retrieval use a real embedding model.
package hashembed

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// DefaultDims is the vector size used by the offline engine and the embedded default.
const DefaultDims = 512

// maxGram is the longest character n-gram.
const maxGram = 4

// Weights per feature kind. Single characters say little in alphabetic scripts and are
// kept light; words and longer grams carry most of the signal.
var gramWeight = [maxGram + 1]float32{0, 0.25, 0.6, 1, 1}

const wordWeight = 1.2

// Seeds separate the feature kinds so that the word "a" and the gram "a" hash apart.
const (
	seedGram = uint64(0x9e3779b97f4a7c15)
	seedWord = uint64(0xc2b2ae3d27d4eb4f)
)

const (
	fnvOffset = uint64(14695981039346656037)
	fnvPrime  = uint64(1099511628211)
)

// Embedder hashes text into vectors of a fixed dimension. It holds no mutable state and is
// safe for concurrent use.
type Embedder struct {
	dims int
}

// New returns an Embedder producing vectors of the given dimension. A dimension below 1
// selects DefaultDims.
func New(dims int) *Embedder {
	if dims < 1 {
		dims = DefaultDims
	}
	return &Embedder{dims: dims}
}

// Dims returns the length of the vectors Embed returns.
func (e *Embedder) Dims() int { return e.dims }

// Model names the embedding space. It changes whenever the features or the hashing change,
// so that stored vectors of an older version are re-embedded rather than mixed.
func (e *Embedder) Model() string { return fmt.Sprintf("attache-hash-v2-%d", e.dims) }

// Embed returns the L2-normalised vector of text. Text without any letter or digit gives
// the zero vector.
func (e *Embedder) Embed(text string) []float32 {
	v := make([]float32, e.dims)
	e.embedInto(v, text)
	return v
}

// EmbedBatch embeds texts in order. It stops early with the context's error when ctx is
// done; otherwise it never fails. The signature matches the embedding interfaces of the
// model adapters, so a hashing embedder can stand in for a remote one.
func (e *Embedder) EmbedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	// One backing array for the whole batch: fewer allocations, same results.
	buf := make([]float32, len(texts)*e.dims)
	for i, t := range texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("hashembed: batch stopped at %d of %d: %w", i, len(texts), err)
			}
		}
		v := buf[i*e.dims : (i+1)*e.dims : (i+1)*e.dims]
		e.embedInto(v, t)
		out[i] = v
	}
	return out, nil
}

// Normalize returns text as the embedder sees it before hashing: NFKC, case-folded, with
// diacritics removed from Latin letters. Callers that match rules against the same text
// the vectors were built from use it too.
func Normalize(text string) string {
	// A Caser is stateful; a fresh one per call keeps Normalize safe for concurrent use
	// and costs one small allocation.
	s := cases.Fold().String(norm.NFKC.String(text))
	if isASCII(s) {
		return s
	}
	return stripLatinMarks(s)
}

func (e *Embedder) embedInto(v []float32, text string) {
	s := Normalize(text)
	// Words are maximal runs of letters, digits and combining marks, cut where a run of Han
	// characters starts or ends; each is framed by the boundary markers '<' and '>' for the
	// character n-grams.
	var runes []rune
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		word := s[start:end]
		start = -1
		runes = append(runes[:0], '<')
		for _, r := range word {
			runes = append(runes, r)
		}
		runes = append(runes, '>')
		e.addWord(v, word)
		e.addGrams(v, runes)
	}
	han := false // the current word is a run of Han characters
	end := func(i int) {
		switch {
		case start < 0:
		case han:
			e.addHan(v, s[start:i])
			start = -1
		default:
			flush(i)
		}
	}
	for i, r := range s {
		if !isWordRune(r) {
			end(i)
			continue
		}
		if unicode.IsMark(r) {
			// A mark belongs to the character before it.
			if start < 0 {
				start, han = i, false
			}
			continue
		}
		// "iPhone手机" is two words: an alphabetic one and a Han one.
		h := isHan(r)
		if start >= 0 && h != han {
			end(i)
		}
		if start < 0 {
			start, han = i, h
		}
	}
	end(len(s))
	normalizeL2(v)
}

func isHan(r rune) bool { return r >= 0x2E80 && unicode.Is(unicode.Han, r) }

// addHan adds the features of a run of Han characters, which is written without spaces and
// usually holds several words: each character and each pair of adjacent characters, as
// words. Most Chinese words are one or two characters, so these are the run's words and
// its candidate words; the longer n-grams of alphabetic words would mostly straddle two
// words here and only add noise.
func (e *Embedder) addHan(v []float32, run string) {
	prev2, prev := -1, -1 // byte offsets of the two characters before i
	for i := range run {
		if prev >= 0 {
			e.addWord(v, run[prev:i])
		}
		if prev2 >= 0 {
			e.addWord(v, run[prev2:i])
		}
		prev2, prev = prev, i
	}
	e.addWord(v, run[prev:])
	if prev2 >= 0 {
		e.addWord(v, run[prev2:])
	}
}

func (e *Embedder) addWord(v []float32, word string) {
	h := seedWord ^ fnvOffset
	for i := 0; i < len(word); i++ {
		h ^= uint64(word[i])
		h *= fnvPrime
	}
	e.add(v, h, wordWeight)
}

// addGrams adds every character n-gram (1 ≤ n ≤ maxGram) of the framed word. The markers
// alone are not features.
func (e *Embedder) addGrams(v []float32, runes []rune) {
	var b [utf8.UTFMax]byte
	for i := range runes {
		h := seedGram ^ fnvOffset
		for n := 1; n <= maxGram && i+n <= len(runes); n++ {
			// Extend the hash of runes[i:i+n-1] by one rune: n-grams that share a start
			// share the prefix of their hash computation.
			k := utf8.EncodeRune(b[:], runes[i+n-1])
			for j := 0; j < k; j++ {
				h ^= uint64(b[j])
				h *= fnvPrime
			}
			if n == 1 && (runes[i] == '<' || runes[i] == '>') {
				continue
			}
			// Mix in the length so that "ab" as a 2-gram differs from a prefix state.
			e.add(v, h^uint64(n)*0xff51afd7ed558ccd, gramWeight[n])
		}
	}
}

// add puts weight w into the bucket chosen by h, with a sign from an independent bit of
// h so that collisions cancel out on average instead of piling up.
func (e *Embedder) add(v []float32, h uint64, w float32) {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	// Multiply-shift maps the low 32 bits onto [0, len(v)) without a division.
	idx := int((h & 0xffffffff) * uint64(len(v)) >> 32)
	if h>>63 == 1 {
		w = -w
	}
	v[idx] += w
}

func normalizeL2(v []float32) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
}

// Cosine returns the cosine similarity of two vectors of equal length. For vectors from
// Embed, which are unit length or zero, it is their dot product.
func Cosine(a, b []float32) float32 {
	if len(a) != len(b) {
		return 0
	}
	var dot float32
	for i := range a {
		dot += a[i] * b[i]
	}
	return dot
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// stripLatinMarks removes combining marks that follow a Latin letter, and maps the few
// Latin letters with a built-in stroke that customers type without it (đ, ø, ł).
// Marks on other scripts (Thai vowels, Devanagari matras, Japanese voicing marks) carry
// meaning and stay.
func stripLatinMarks(s string) string {
	d := norm.NFD.String(s)
	var sb strings.Builder
	sb.Grow(len(d))
	prevLatin := false
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			if prevLatin {
				continue
			}
			sb.WriteRune(r)
			continue
		}
		switch r {
		case 'đ':
			r = 'd'
		case 'ø':
			r = 'o'
		case 'ł':
			r = 'l'
		}
		prevLatin = unicode.Is(unicode.Latin, r)
		sb.WriteRune(r)
	}
	return norm.NFC.String(sb.String())
}
