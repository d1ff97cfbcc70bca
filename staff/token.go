package staff

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Token prefixes. They let Authenticate tell the kinds apart without a lookup, and let
// secret scanners recognise a leaked token.
const (
	SessionPrefix = "ats_"
	APIKeyPrefix  = "atk_"
)

// tokenBytes is the entropy of every token.
const tokenBytes = 32

// tokenLen is the length of a token after its prefix: 32 bytes in unpadded base64url.
var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// newToken returns a fresh token with prefix and the hash under which it is stored.
func newToken(prefix string) (token string, hash []byte) {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

// hashToken is what the database stores for a token: SHA-256 of the whole token, prefix
// included. Tokens carry 256 random bits, so a fast hash is enough; no salt is needed.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// tokenKind returns the prefix of a well-formed token, or "" for anything else, so that
// garbage is refused before it costs a query.
func tokenKind(token string) string {
	for _, prefix := range []string{SessionPrefix, APIKeyPrefix} {
		rest, ok := strings.CutPrefix(token, prefix)
		if !ok || len(rest) != tokenLen {
			continue
		}
		if b, err := base64.RawURLEncoding.Strict().DecodeString(rest); err == nil && len(b) == tokenBytes {
			return prefix
		}
	}
	return ""
}
