package identity

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func verifierAt(t *testing.T, now time.Time) *Verifier {
	t.Helper()
	v, err := NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	v.now = func() time.Time { return now }
	return v
}

func TestVerify(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	v := verifierAt(t, now)
	sign := func(c Claims) string {
		tok, err := v.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := sign(Claims{Subject: "cust_42", Email: "lena@example.com", Expiry: now.Add(time.Hour)})
	other, _ := NewVerifier([]byte("another secret of at least 32 bytes!"))
	other.now = v.now
	forged, _ := other.Sign(Claims{Subject: "cust_42", Expiry: now.Add(time.Hour)})
	parts := strings.Split(good, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
	hs512 := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS512"}`)) + "." + parts[1] + "." + parts[2]
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"cust_1","exp":`+
		"9999999999}")) + "." + parts[2]

	for _, tc := range []struct {
		name  string
		token string
		want  error
		sub   string
	}{
		{"valid", good, nil, "cust_42"},
		{"signed with another secret", forged, ErrSignature, ""},
		{"claims changed after signing", tampered, ErrSignature, ""},
		{"alg none", none, ErrAlgorithm, ""},
		{"another algorithm", hs512, ErrAlgorithm, ""},
		{"expired", sign(Claims{Subject: "c", Expiry: now.Add(-2 * time.Minute)}), ErrExpired, ""},
		{"within the clock leeway", sign(Claims{Subject: "c", Expiry: now.Add(-30 * time.Second)}), nil, "c"},
		{"valid for too long", sign(Claims{Subject: "c", Expiry: now.Add(48 * time.Hour)}), ErrNoExpiry, ""},
		{"nobody named", sign(Claims{Expiry: now.Add(time.Hour)}), ErrNoIdentity, ""},
		{"garbage", "not-a-token", ErrMalformed, ""},
		{"bad base64", "a.b.c", ErrMalformed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(tc.token)
			if !errors.Is(err, tc.want) || c.Subject != tc.sub {
				t.Fatalf("Verify: %+v, %v; want subject %q, error %v", c, err, tc.sub, tc.want)
			}
		})
	}
}

func TestAPhoneCountsOnlyWhenVerified(t *testing.T) {
	now := time.Now()
	v := verifierAt(t, now)
	tok, _ := v.Sign(Claims{Phone: "+4915123456789", Expiry: now.Add(time.Hour)})
	c, err := v.Verify(tok)
	if err != nil || c.Phone != "+4915123456789" {
		t.Fatalf("verified phone: %+v, %v", c, err)
	}
	// The same phone without phone_number_verified names nobody.
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`))
	body := base64.RawURLEncoding.EncodeToString([]byte(`{"phone_number":"+4915123456789","exp":` + itoa(now.Add(time.Hour).Unix()) + `}`))
	unverified := h + "." + body + "." + base64.RawURLEncoding.EncodeToString(v.sign(h+"."+body))
	if _, err := v.Verify(unverified); !errors.Is(err, ErrNoIdentity) {
		t.Fatalf("unverified phone: %v, want ErrNoIdentity", err)
	}
}

func TestShortSecretsAreRefused(t *testing.T) {
	if _, err := NewVerifier([]byte("short")); err == nil {
		t.Fatal("a 5-byte secret was accepted")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
