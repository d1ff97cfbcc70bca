package privacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/nyaruka/phonenumbers"
)

// ErrInvalid is returned for a subject, consent or configuration that cannot be used.
var ErrInvalid = errors.New("invalid privacy request")

// Subject is the customer a request is about. At least one field is set; every set field
// widens the search (a conversation matching any of them is the customer's).
type Subject struct {
	Email           string   // matched case-insensitively against the identity's e-mail
	Phone           string   // international format (+ or 00 and the country code)
	IdentitySubject string   // the shop's customer ID a verified identity token carried
	ConversationIDs []string // conversations staff attributed to the customer
}

// subject is a validated, normalised Subject.
type subject struct {
	email       string   // lower case
	phone       string   // E.164
	phoneDigits string   // national significant number, for matching free text
	customerID  string   // trimmed
	convIDs     []string // canonical UUIDs, sorted, unique
}

// Normalize validates s and returns it normalised: the e-mail trimmed and in lower case,
// the phone in E.164, conversation IDs in canonical form, sorted and without duplicates.
func (s Subject) Normalize() (Subject, error) {
	n, err := s.normalize()
	if err != nil {
		return Subject{}, err
	}
	return Subject{Email: n.email, Phone: n.phone, IdentitySubject: n.customerID, ConversationIDs: n.convIDs}, nil
}

func (s Subject) normalize() (subject, error) {
	var n subject
	if e := strings.TrimSpace(s.Email); e != "" {
		a, err := mail.ParseAddress(e)
		if err != nil || a.Name != "" || a.Address != e {
			return subject{}, fmt.Errorf("%w: email is not a plain e-mail address", ErrInvalid)
		}
		n.email = strings.ToLower(e)
	}
	if p := strings.TrimSpace(s.Phone); p != "" {
		e164, digits, err := normalizePhone(p)
		if err != nil {
			return subject{}, err
		}
		n.phone, n.phoneDigits = e164, digits
	}
	n.customerID = strings.TrimSpace(s.IdentitySubject)
	for _, id := range s.ConversationIDs {
		u, err := uuid.Parse(strings.TrimSpace(id))
		if err != nil {
			return subject{}, fmt.Errorf("%w: conversation ID %q is not a UUID", ErrInvalid, id)
		}
		n.convIDs = append(n.convIDs, u.String())
	}
	slices.Sort(n.convIDs)
	n.convIDs = slices.Compact(n.convIDs)
	if n.email == "" && n.phone == "" && n.customerID == "" && len(n.convIDs) == 0 {
		return subject{}, fmt.Errorf("%w: a subject needs an e-mail, a phone, a customer ID or a conversation ID", ErrInvalid)
	}
	return n, nil
}

// normalizePhone returns the E.164 form of an international number and its national
// significant number.
func normalizePhone(p string) (e164, national string, err error) {
	compact := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')', '/', '\u00a0':
			return -1
		}
		return r
	}, p)
	if rest, ok := strings.CutPrefix(compact, "00"); ok {
		compact = "+" + rest
	}
	if !strings.HasPrefix(compact, "+") {
		return "", "", fmt.Errorf("%w: phone must be in international format, starting with + and the country code", ErrInvalid)
	}
	num, err := phonenumbers.Parse(compact, "")
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return "", "", fmt.Errorf("%w: phone is not a possible international number", ErrInvalid)
	}
	return phonenumbers.Format(num, phonenumbers.E164), phonenumbers.GetNationalSignificantNumber(num), nil
}

// identifiers returns the subject's identifiers in a fixed order, each prefixed with its kind.
func (n subject) identifiers() []string {
	var ids []string
	if n.email != "" {
		ids = append(ids, "email:"+n.email)
	}
	if n.phone != "" {
		ids = append(ids, "phone:"+n.phone)
	}
	if n.customerID != "" {
		ids = append(ids, "customer:"+n.customerID)
	}
	for _, c := range n.convIDs {
		ids = append(ids, "conversation:"+c)
	}
	return ids
}

// hashDomain separates these digests from any other use of the key.
const hashDomain = "attache.privacy.subject.v1"

// hashes returns the HMAC-SHA256 of the whole subject and of each identifier, in hex.
func (n subject) hashes(key []byte) (whole string, each []string) {
	ids := n.identifiers()
	for _, id := range ids {
		each = append(each, mac(key, id))
	}
	return mac(key, strings.Join(ids, "\n")), each
}

func mac(key []byte, s string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(hashDomain))
	h.Write([]byte{0})
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}
