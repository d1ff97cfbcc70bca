// Package tracking turns what carriers report about a parcel into one status taxonomy —
// info_received, in_transit, customs_hold, out_for_delivery, delivered, failed_attempt,
// exception, returned — and says it to the customer in their language.
//
// The mapping is data: carriers.json (embedded, with a version) holds the status codes and
// phrases of DHL, UPS, FedEx, Thailand Post, KEX (Kerry), Flash, J&T, Ninja Van, GHN,
// Aramex, SMSA, Yamato, Sagawa, Japan Post, Correios, Estafeta, Royal Mail, La Poste/
// Colissimo, PostNL, SF Express and others, and a multilingual keyword fallback for
// carriers and phrases it does not know (English, French, Spanish, Portuguese, German,
// Dutch, Thai, Vietnamese, Indonesian, Japanese, Chinese, Arabic). A shop adds its own
// with Load. Every Status carries the version of the mapping that produced it.
//
// It is not a carrier client: it fetches nothing (commerce.Reader.Parcel does) and
// predicts no delivery date (the ETA is the carrier's).
package tracking

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/attache-dev/attache/internal/rulefile"

	"golang.org/x/text/unicode/norm"

	"github.com/attache-dev/attache/tools/commerce"
)

//go:embed carriers.json
var embedded []byte

// Code is a status of the taxonomy.
type Code string

// The taxonomy, in the order a parcel usually goes through it.
const (
	InfoReceived   Code = "info_received"    // the carrier has the shipment data, not the parcel
	InTransit      Code = "in_transit"       // picked up, moving between facilities
	CustomsHold    Code = "customs_hold"     // in customs, or waiting for duties to be paid
	OutForDelivery Code = "out_for_delivery" // with the courier, or waiting at a pickup point
	Delivered      Code = "delivered"
	FailedAttempt  Code = "failed_attempt" // the courier came and could not deliver
	Exception      Code = "exception"      // delayed, damaged, lost, held: needs attention
	Returned       Code = "returned"       // on its way back to, or back at, the sender
	// Unknown is not part of the taxonomy: an event no rule recognises, or a parcel with
	// no events yet.
	Unknown Code = "unknown"
)

var taxonomy = []Code{InfoReceived, InTransit, CustomsHold, OutForDelivery, Delivered, FailedAttempt, Exception, Returned}

// Codes returns the statuses of the taxonomy, in order (a copy).
func Codes() []Code { return slices.Clone(taxonomy) }

// Valid reports whether c is a status of the taxonomy.
func (c Code) Valid() bool { return slices.Contains(taxonomy, c) }

// Key is the i18n catalog key of the sentence that tells a customer the status:
// "tracking_delivered".
func (c Code) Key() string { return "tracking_" + string(c) }

// How an event was recognised.
const (
	ByCode    = "code"    // the carrier's status code
	ByPhrase  = "phrase"  // a phrase of that carrier
	ByKeyword = "keyword" // the generic multilingual keywords
)

// Event is one carrier event, normalised.
type Event struct {
	At         time.Time
	Status     Code   // Unknown when no rule matched
	CarrierRaw string // the carrier's own code or text, as reported
	Location   string
	MatchedBy  string // ByCode, ByPhrase, ByKeyword; "" when not recognised
}

// Status is a parcel as the customer should hear about it.
type Status struct {
	TrackingID string
	Carrier    string // the carrier's ID in the mapping ("dhl"), "" when not known
	Current    Code   // the status of the latest recognised event; Unknown when none
	Last       Event  // the latest recognised event (zero when none)
	// ETA is the carrier's estimate, zero when unknown or when the parcel is delivered
	// or returned.
	ETA          time.Time
	History      []Event // every event, oldest first
	RulesVersion string
}

// Rules are one version of the carrier mapping. They are read-only after Load and safe
// for concurrent use.
type Rules struct {
	version  string
	carriers []carrier
	byName   map[string]int // folded name → index in carriers
	keywords []keywordRule
}

type carrier struct {
	id      string
	codes   map[string]Code // folded code → status
	phrases []phraseRule
}

type phraseRule struct {
	contains string // folded
	status   Code
}

type keywordRule struct {
	status Code
	words  []string // folded
}

// Version is the version string of the mapping, to record with every answer.
func (r *Rules) Version() string { return r.version }

// fold prepares text for matching: NFC (Vietnamese arrives composed or not), lower case,
// spaces collapsed.
func fold(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(norm.NFC.String(s)), unicode.IsSpace), " ")
}

// CarrierID returns the ID of the carrier named name ("DHL Express", "Kerry Express",
// "ヤマト運輸"), or "" when the mapping does not know it.
func (r *Rules) CarrierID(name string) string {
	if i, ok := r.byName[fold(name)]; ok {
		return r.carriers[i].id
	}
	return ""
}

// Classify maps one carrier status code or text to the taxonomy. carrierName may be empty
// or unknown: the generic keywords still apply.
func (r *Rules) Classify(carrierName, raw string) (Code, string) {
	text := fold(raw)
	if text == "" {
		return Unknown, ""
	}
	if i, ok := r.byName[fold(carrierName)]; ok {
		c := r.carriers[i]
		if s, ok := c.codes[text]; ok {
			return s, ByCode
		}
		for _, p := range c.phrases {
			if strings.Contains(text, p.contains) {
				return p.status, ByPhrase
			}
		}
	}
	for _, k := range r.keywords {
		for _, w := range k.words {
			if strings.Contains(text, w) {
				return k.status, ByKeyword
			}
		}
	}
	return Unknown, ""
}

// Normalize maps every event of p to the taxonomy and says where the parcel is. Events
// are ordered by time (carriers that list newest first are handled); an event's own
// Carrier, when set, overrides the parcel's (a hand-over to a local carrier).
func (r *Rules) Normalize(p commerce.Parcel) Status {
	s := Status{TrackingID: p.TrackingID, Carrier: r.CarrierID(p.Carrier), Current: Unknown, RulesVersion: r.version}
	events := slices.Clone(p.Events)
	slices.SortStableFunc(events, func(a, b commerce.CarrierEvent) int { return a.At.Compare(b.At) })
	for _, e := range events {
		name := e.Carrier
		if name == "" {
			name = p.Carrier
		}
		status, by := r.Classify(name, e.Code)
		ev := Event{At: e.At, Status: status, CarrierRaw: e.Code, Location: e.Location, MatchedBy: by}
		s.History = append(s.History, ev)
		if status != Unknown {
			s.Current, s.Last = status, ev
		}
	}
	if s.Current != Delivered && s.Current != Returned {
		s.ETA = p.ETA
	}
	return s
}

// Normalize is Default().Normalize(p).
func Normalize(p commerce.Parcel) Status { return Default().Normalize(p) }

// Default returns the mapping embedded in the binary. It panics if the embedded file is
// invalid, which the package's tests rule out.
func Default() *Rules { return defaultRules() }

var defaultRules = rulefile.Embedded(embedded, Load)

type fileJSON struct {
	Version  string        `json:"version"`
	Note     string        `json:"note"`
	Carriers []carrierJSON `json:"carriers"`
	Keywords []struct {
		Status string   `json:"status"`
		Words  []string `json:"words"`
	} `json:"keywords"`
}

type carrierJSON struct {
	ID      string            `json:"id"`
	Names   []string          `json:"names"`
	Codes   map[string]string `json:"codes"`
	Phrases []struct {
		Contains string `json:"contains"`
		Status   string `json:"status"`
	} `json:"phrases"`
}

// Load reads a carrier mapping (the format of the embedded carriers.json) and checks it.
// Errors name the entry and field at fault: `carriers[2] (fedex): codes["DL"]: "deliverd"
// is not a status`.
func Load(rd io.Reader) (*Rules, error) {
	var f fileJSON
	if err := rulefile.Decode(rd, "tracking carrier mapping", &f); err != nil {
		return nil, fmt.Errorf("tracking: %w", err)
	}
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	status := func(where, s string) Code {
		c := Code(s)
		if !c.Valid() {
			bad("%s: %q is not a status (want one of %v)", where, s, taxonomy)
		}
		return c
	}
	r := &Rules{version: strings.TrimSpace(f.Version), byName: make(map[string]int)}
	if r.version == "" {
		bad("version: missing")
	}
	ids := make(map[string]bool)
	for i, cj := range f.Carriers {
		where := fmt.Sprintf("carriers[%d] (%s)", i, cj.ID)
		c := carrier{id: strings.TrimSpace(cj.ID), codes: make(map[string]Code)}
		if c.id == "" || ids[c.id] {
			bad("%s: id missing or used twice", where)
		}
		ids[c.id] = true
		for _, n := range append([]string{c.id}, cj.Names...) {
			key := fold(n)
			if j, dup := r.byName[key]; dup && j != i {
				bad("%s: name %q is also carriers[%d]'s", where, n, j)
			}
			r.byName[key] = i
		}
		for _, code := range sortedKeys(cj.Codes) {
			key := fold(code)
			if _, dup := c.codes[key]; dup {
				bad("%s: codes[%q]: the same code twice (codes ignore case)", where, code)
			}
			c.codes[key] = status(fmt.Sprintf("%s: codes[%q]", where, code), cj.Codes[code])
		}
		for j, pj := range cj.Phrases {
			pw := fmt.Sprintf("%s: phrases[%d]", where, j)
			if fold(pj.Contains) == "" {
				bad("%s: contains: empty", pw)
			}
			c.phrases = append(c.phrases, phraseRule{contains: fold(pj.Contains), status: status(pw, pj.Status)})
		}
		r.carriers = append(r.carriers, c)
	}
	seen := make(map[Code]bool)
	for i, kj := range f.Keywords {
		where := fmt.Sprintf("keywords[%d] (%s)", i, kj.Status)
		k := keywordRule{status: status(where, kj.Status)}
		if len(kj.Words) == 0 {
			bad("%s: words: none", where)
		}
		for j, w := range kj.Words {
			if fold(w) == "" {
				bad("%s: words[%d]: empty", where, j)
			}
			k.words = append(k.words, fold(w))
		}
		seen[k.status] = true
		r.keywords = append(r.keywords, k)
	}
	for _, c := range taxonomy {
		if !seen[c] {
			bad("keywords: no entry for %s: a carrier the mapping does not know could never reach it", c)
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, fmt.Errorf("tracking: carrier mapping %q: %w", r.version, err)
	}
	return r, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
