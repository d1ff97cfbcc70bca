package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzNow is the fixed moment the fuzz targets verify at.
var fuzzNow = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func fuzzVerifier(t testing.TB) *Verifier {
	t.Helper()
	v, err := NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	v.now = func() time.Time { return fuzzNow }
	return v
}

// fuzzTokens are realistic tokens: valid ones of each kind, and the classic attacks.
func fuzzTokens(t testing.TB) []string {
	v := fuzzVerifier(t)
	var toks []string
	for _, c := range []Claims{
		{Subject: "cust_42", Email: "lena@example.com", Expiry: fuzzNow.Add(time.Hour)},
		{Phone: "+4915123456789", Expiry: fuzzNow.Add(10 * time.Minute)},
		{Email: "  müller@beispiel.de ", Expiry: fuzzNow.Add(23 * time.Hour)},
		{Subject: "c", Expiry: fuzzNow.Add(-2 * time.Minute)},
	} {
		tok, err := v.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	enc := base64.RawURLEncoding.EncodeToString
	parts := strings.Split(toks[0], ".")
	return append(toks,
		enc([]byte(`{"alg":"none"}`))+"."+parts[1]+".",
		enc([]byte(`{"alg":"HS512"}`))+"."+parts[1]+"."+parts[2],
		enc([]byte(`{"alg":"hs256"}`))+"."+parts[1]+"."+parts[2],
		parts[0]+"."+enc([]byte(`{"sub":"cust_1","exp":9999999999}`))+"."+parts[2],
		" "+toks[0]+"\n",
		toks[0]+"=",
		"a.b.c", "..", "", "not-a-token", "e30.e30.",
	)
}

// verifyErrors are the only errors Verify may return.
var verifyErrors = []error{ErrMalformed, ErrAlgorithm, ErrSignature, ErrExpired, ErrNoExpiry, ErrNoIdentity}

// checkVerified asserts what must hold of any token Verify accepts: it carries an HS256
// signature under the secret over its first two parts, names someone, and is not expired.
func checkVerified(t *testing.T, v *Verifier, token string, c Claims) {
	t.Helper()
	tok := strings.TrimSpace(token)
	dot := strings.LastIndexByte(tok, '.')
	if dot < 0 {
		t.Fatalf("accepted %q without a signature part", token)
	}
	sig, err := base64.RawURLEncoding.DecodeString(tok[dot+1:])
	if err != nil {
		t.Fatalf("accepted %q with an undecodable signature: %v", token, err)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(tok[:dot]))
	if !hmac.Equal(sig, m.Sum(nil)) {
		t.Fatalf("accepted %q, which is not signed with the secret", token)
	}
	if c.Subject == "" && c.Email == "" && c.Phone == "" {
		t.Fatalf("accepted %q naming nobody: %+v", token, c)
	}
	for _, s := range []string{c.Subject, c.Email, c.Phone} {
		if s != strings.TrimSpace(s) {
			t.Fatalf("claim %q not trimmed", s)
		}
	}
	if !fuzzNow.Before(c.Expiry.Add(v.Leeway)) || c.Expiry.After(fuzzNow.Add(MaxLifetime+2*v.Leeway)) {
		t.Fatalf("accepted %q expiring at %v, now is %v", token, c.Expiry, fuzzNow)
	}
}

// FuzzVerify feeds Verify arbitrary strings: it must never panic, return only its own
// errors, and accept only tokens signed with the secret.
func FuzzVerify(f *testing.F) {
	for _, tok := range fuzzTokens(f) {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, token string) {
		v := fuzzVerifier(t)
		c, err := v.Verify(token)
		if err != nil {
			if c != (Claims{}) {
				t.Fatalf("error %v came with claims %+v", err, c)
			}
			for _, e := range verifyErrors {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("unexpected error %v", err)
		}
		checkVerified(t, v, token, c)
	})
}

// FuzzVerifyMutated changes one byte of a valid token (replace, insert or delete): the
// result must be refused or, where the change is immaterial (surrounding space, unused
// low bits of the last base64 character), verify to exactly the original claims.
func FuzzVerifyMutated(f *testing.F) {
	toks := fuzzTokens(f)[:3]
	for i := range toks {
		for _, m := range []struct {
			pos uint
			op  uint8
			b   byte
		}{{0, 0, 'X'}, {10, 1, '.'}, {40, 2, 0}, {200, 0, 'A'}, {1000, 0, 'B'}, {1000, 1, ' '}} {
			f.Add(uint8(i), m.pos, m.op, m.b)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, pos uint, op uint8, b byte) {
		v := fuzzVerifier(t)
		orig := toks[int(which)%len(toks)]
		want, err := v.Verify(orig)
		if err != nil {
			t.Fatalf("seed token refused: %v", err)
		}
		i := int(pos % uint(len(orig)+1))
		var mutated string
		switch op % 3 {
		case 0:
			if i == len(orig) {
				i--
			}
			mutated = orig[:i] + string([]byte{b}) + orig[i+1:]
		case 1:
			mutated = orig[:i] + string([]byte{b}) + orig[i:]
		default:
			if i == len(orig) {
				i--
			}
			mutated = orig[:i] + orig[i+1:]
		}
		got, err := v.Verify(mutated)
		if err == nil && got != want {
			t.Fatalf("mutated token %q verified to %+v, original claims %+v", mutated, got, want)
		}
	})
}

// FuzzSignVerify checks that Verify returns what Sign put in, trimmed, for any claims a
// shop's backend could send.
func FuzzSignVerify(f *testing.F) {
	f.Add("cust_42", "lena@example.com", "", int64(3600))
	f.Add("", "", "+4915123456789", int64(60))
	f.Add(" 顧客-7 ", "", "", int64(86400))
	f.Add("", "", "", int64(600))
	f.Add("x", "", "", int64(-600))
	f.Add("x", "", "", int64(200000))
	f.Fuzz(func(t *testing.T, sub, email, phone string, lifetime int64) {
		if !utf8.ValidString(sub) || !utf8.ValidString(email) || !utf8.ValidString(phone) {
			t.Skip("JSON replaces invalid UTF-8; shops send text")
		}
		v := fuzzVerifier(t)
		exp := fuzzNow.Add(time.Duration(lifetime%(1<<32)) * time.Second)
		tok, err := v.Sign(Claims{Subject: sub, Email: email, Phone: phone, Expiry: exp})
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		got, err := v.Verify(tok)
		want := Claims{Subject: strings.TrimSpace(sub), Email: strings.TrimSpace(email),
			Phone: strings.TrimSpace(phone), Expiry: time.Unix(exp.Unix(), 0)}
		switch {
		case exp.Sub(fuzzNow) > MaxLifetime+v.Leeway:
			if !errors.Is(err, ErrNoExpiry) {
				t.Fatalf("lifetime %ds: %v, want ErrNoExpiry", lifetime, err)
			}
		case !fuzzNow.Before(time.Unix(exp.Unix(), 0).Add(v.Leeway)):
			if !errors.Is(err, ErrExpired) && !errors.Is(err, ErrNoExpiry) {
				t.Fatalf("lifetime %ds: %v, want ErrExpired", lifetime, err)
			}
		case want.Subject == "" && want.Email == "" && want.Phone == "":
			if !errors.Is(err, ErrNoIdentity) {
				t.Fatalf("blank claims: %v, want ErrNoIdentity", err)
			}
		case err != nil:
			t.Fatalf("Verify(Sign(%+v)): %v", want, err)
		case got != want:
			t.Fatalf("Verify(Sign) = %+v, want %+v", got, want)
		}
	})
}
