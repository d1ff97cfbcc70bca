package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password policy, in characters (Unicode code points), after NIST SP 800-63B: length is
// what counts, no composition rules.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// argonParams are the argon2id cost parameters of one hash.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32 // iterations
	threads uint8
	keyLen  uint32 // bytes
}

// defaultParams are OWASP's minimum for argon2id (19 MiB, 2 iterations, 1 lane), with a
// 32-byte key. Raising them makes VerifyPassword report needsRehash for older hashes, and
// Login upgrades them on the next successful sign-in.
var defaultParams = argonParams{memory: 19 * 1024, time: 2, threads: 1, keyLen: 32}

const saltLen = 16

// Bounds on parameters read back from a stored hash, so a corrupt row cannot make a login
// allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	maxKeyLen    = 128
)

// errMalformedHash is returned for a stored hash that is not an argon2id PHC string.
var errMalformedHash = errors.New("malformed password hash")

// CheckPassword reports whether password meets the policy; the error wraps ErrInvalid and
// names the rule that was broken.
func CheckPassword(password string) error {
	if !utf8.ValidString(password) {
		return fmt.Errorf("%w: password must be valid UTF-8 text", ErrInvalid)
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen {
		return fmt.Errorf("%w: password must be at least %d characters", ErrInvalid, MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return fmt.Errorf("%w: password must be at most %d characters", ErrInvalid, MaxPasswordLen)
	}
	return nil
}

// HashPassword checks password against the policy and returns its argon2id hash as a PHC
// string: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, salt and key in unpadded base64.
func HashPassword(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	return hashWith(defaultParams, password), nil
}

// hashWith hashes password with p and a fresh random salt, without checking the policy.
func hashWith(p argonParams, password string) string {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, p.keyLen)
	return encodeHash(p, salt, key)
}

func encodeHash(p argonParams, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether password matches encoded, an argon2id PHC string, using
// the parameters stored in it; the comparison takes constant time. needsRehash is true
// when encoded was made with other parameters than the current ones. An error means
// encoded is not a hash this package can check.
func VerifyPassword(encoded, password string) (match, needsRehash bool, err error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, p.keyLen)
	match = subtle.ConstantTimeCompare(got, key) == 1
	return match, p != defaultParams || len(salt) != saltLen, nil
}

func decodeHash(encoded string) (argonParams, []byte, []byte, error) {
	// "", "argon2id", "v=19", "m=...,t=...,p=...", salt, key
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return argonParams{}, nil, nil, fmt.Errorf("%w: not an argon2id PHC string", errMalformedHash)
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return argonParams{}, nil, nil, fmt.Errorf("%w: unsupported version %q", errMalformedHash, parts[2])
	}
	var p argonParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return argonParams{}, nil, nil, fmt.Errorf("%w: parameters %q", errMalformedHash, parts[3])
	}
	if p.memory < 8*uint32(p.threads) || p.memory > maxMemoryKiB || p.time < 1 || p.time > maxTime || p.threads < 1 {
		return argonParams{}, nil, nil, fmt.Errorf("%w: parameters %q out of range", errMalformedHash, parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return argonParams{}, nil, nil, fmt.Errorf("%w: salt", errMalformedHash)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > maxKeyLen {
		return argonParams{}, nil, nil, fmt.Errorf("%w: key", errMalformedHash)
	}
	p.keyLen = uint32(len(key))
	if encodeHash(p, salt, key) != encoded { // trailing text, leading zeros, padding
		return argonParams{}, nil, nil, fmt.Errorf("%w: not in canonical form", errMalformedHash)
	}
	return p, salt, key, nil
}
