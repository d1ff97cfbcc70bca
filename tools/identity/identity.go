// Package identity verifies the signed identity tokens with which a shop's own site (the
// chat widget on a logged-in page) or a channel integration (a WhatsApp bridge that knows
// the sender's phone number) tells Attaché who the customer is, so that the tools can show
// that customer their own orders without asking for an e-mail address and an order number.
//
// A token is a JSON Web Token signed with HMAC-SHA256 under a secret the shop shares with
// Attaché (ATTACHE_IDENTITY_SECRET), as any JWT library makes it: {"alg":"HS256"} and the
// claims "sub" (the shop's customer ID), "email", or "phone_number" with
// "phone_number_verified": true — at least one of them — and "exp", which is required and
// at most MaxLifetime after "iat" (or now). Any other algorithm, "none" included, is refused.
//
// It is not a login system, a session store or a general JWT library: it checks one kind of
// token and says what it claims; the tools decide whom the claims name, through the shop.
package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxLifetime is the longest a token may be valid: a widget signs a fresh one per page load.
const MaxLifetime = 24 * time.Hour

// MinSecretBytes is the shortest secret accepted (the HMAC key's strength).
const MinSecretBytes = 32

// Errors of Verify; each says what was wrong without echoing the token.
var (
	ErrMalformed  = errors.New("not a signed token (header.claims.signature)")
	ErrAlgorithm  = errors.New("unsupported algorithm: want HS256")
	ErrSignature  = errors.New("signature does not match")
	ErrExpired    = errors.New("expired")
	ErrNoExpiry   = errors.New("no exp claim, or one too far ahead")
	ErrNoIdentity = errors.New("claims name nobody: want sub, email or a verified phone_number")
)

// Claims is who a token says the customer is.
type Claims struct {
	Subject string // the shop's customer ID
	Email   string
	Phone   string // E.164, only when the token says the channel verified it
	Expiry  time.Time
}

// Verifier checks tokens signed with one secret.
type Verifier struct {
	secret []byte
	now    func() time.Time
	// Leeway tolerates clocks that disagree by this much on exp and iat.
	Leeway time.Duration
}

// NewVerifier returns a verifier for tokens signed with secret.
func NewVerifier(secret []byte) (*Verifier, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("identity secret: %d bytes, want at least %d", len(secret), MinSecretBytes)
	}
	return &Verifier{secret: secret, now: time.Now, Leeway: time.Minute}, nil
}

type header struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
}

type wireClaims struct {
	Sub           string `json:"sub,omitempty"`
	Email         string `json:"email,omitempty"`
	Phone         string `json:"phone_number,omitempty"`
	PhoneVerified bool   `json:"phone_number_verified,omitempty"`
	Exp           int64  `json:"exp"`
	Iat           int64  `json:"iat,omitempty"`
}

var b64 = base64.RawURLEncoding

// Verify checks a token's signature and lifetime and returns its claims.
func (v *Verifier) Verify(token string) (Claims, error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return Claims{}, ErrMalformed
	}
	var h header
	if err := decodePart(parts[0], &h); err != nil {
		return Claims{}, ErrMalformed
	}
	if h.Alg != "HS256" {
		return Claims{}, ErrAlgorithm
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return Claims{}, ErrMalformed
	}
	if !hmac.Equal(sig, v.sign(parts[0]+"."+parts[1])) {
		return Claims{}, ErrSignature
	}
	var w wireClaims
	if err := decodePart(parts[1], &w); err != nil {
		return Claims{}, ErrMalformed
	}
	now := v.now()
	issued := now
	if w.Iat != 0 {
		issued = time.Unix(w.Iat, 0)
	}
	exp := time.Unix(w.Exp, 0)
	switch {
	case w.Exp == 0 || exp.Sub(issued) > MaxLifetime+v.Leeway || issued.After(now.Add(v.Leeway)):
		return Claims{}, ErrNoExpiry
	case !now.Before(exp.Add(v.Leeway)):
		return Claims{}, ErrExpired
	}
	c := Claims{Subject: strings.TrimSpace(w.Sub), Email: strings.TrimSpace(w.Email), Expiry: exp}
	if w.PhoneVerified {
		c.Phone = strings.TrimSpace(w.Phone)
	}
	if c.Subject == "" && c.Email == "" && c.Phone == "" {
		return Claims{}, ErrNoIdentity
	}
	return c, nil
}

// Sign makes a token for c, valid until c.Expiry — what a shop's backend does; here for
// tests, demos and shops written in Go.
func (v *Verifier) Sign(c Claims) (string, error) {
	h, err := json.Marshal(header{Alg: "HS256", Typ: "JWT"})
	if err != nil {
		return "", err
	}
	w := wireClaims{Sub: c.Subject, Email: c.Email, Phone: c.Phone, PhoneVerified: c.Phone != "", Exp: c.Expiry.Unix(), Iat: v.now().Unix()}
	body, err := json.Marshal(w)
	if err != nil {
		return "", err
	}
	signing := b64.EncodeToString(h) + "." + b64.EncodeToString(body)
	return signing + "." + b64.EncodeToString(v.sign(signing)), nil
}

func (v *Verifier) sign(signing string) []byte {
	m := hmac.New(sha256.New, v.secret)
	m.Write([]byte(signing))
	return m.Sum(nil)
}

func decodePart(s string, dst any) error {
	b, err := b64.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}
