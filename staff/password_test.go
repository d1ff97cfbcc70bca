package staff

import (
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		password string
		wantRule string // "" for a password that passes
	}{
		{"empty", "", "at least 12 characters"},
		{"eleven", strings.Repeat("a", 11), "at least 12 characters"},
		{"twelve", strings.Repeat("a", 12), ""},
		{"passphrase", "correct horse battery staple", ""},
		// Characters, not bytes: 12 two-byte letters pass, 11 four-byte emoji do not.
		{"twelve accented letters", strings.Repeat("é", 12), ""},
		{"eleven emoji", strings.Repeat("🔑", 11), "at least 12 characters"},
		{"256", strings.Repeat("x", 256), ""},
		{"257", strings.Repeat("x", 257), "at most 256 characters"},
		{"invalid utf-8", strings.Repeat("a", 12) + "\xff", "valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword(tt.password)
			if tt.wantRule == "" {
				if err != nil {
					t.Fatalf("CheckPassword = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantRule) {
				t.Fatalf("CheckPassword = %v, want ErrInvalid naming %q", err, tt.wantRule)
			}
			if _, err := HashPassword(tt.password); !errors.Is(err, ErrInvalid) {
				t.Fatalf("HashPassword = %v, want the policy error", err)
			}
		})
	}
}

func TestHashPasswordFormat(t *testing.T) {
	t.Parallel()
	const pw = "correct horse battery staple"
	h1, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`)
	m := re.FindStringSubmatch(h1)
	if m == nil {
		t.Fatalf("hash %q is not a PHC string with OWASP parameters", h1)
	}
	salt, _ := base64.RawStdEncoding.DecodeString(m[1])
	key, _ := base64.RawStdEncoding.DecodeString(m[2])
	if len(salt) != 16 || len(key) != 32 {
		t.Fatalf("salt %d bytes, key %d bytes; want 16 and 32", len(salt), len(key))
	}
	if strings.Contains(h1, pw) {
		t.Fatal("hash contains the password")
	}
	h2, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
}

func TestVerifyPassword(t *testing.T) {
	t.Parallel()
	const pw = "correct horse battery staple"
	current, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	// A hash made with other parameters (as after the defaults are raised, or from an older
	// release) still verifies with the parameters stored in it, and asks to be redone.
	older := hashWith(argonParams{memory: 8 * 1024, time: 1, threads: 2, keyLen: 16}, pw)
	if !strings.HasPrefix(older, "$argon2id$v=19$m=8192,t=1,p=2$") {
		t.Fatalf("older hash %q", older)
	}
	tests := []struct {
		name        string
		stored      string
		password    string
		wantMatch   bool
		wantRehash  bool
		wantErrWord string
	}{
		{"right password", current, pw, true, false, ""},
		{"wrong password", current, pw + "!", false, false, ""},
		{"other case", current, strings.ToUpper(pw), false, false, ""},
		{"older parameters, right password", older, pw, true, true, ""},
		{"older parameters, wrong password", older, "not the password", false, true, ""},
		{"empty stored hash", "", pw, false, false, "not an argon2id"},
		{"bcrypt hash", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", pw, false, false, "not an argon2id"},
		{"argon2i", strings.Replace(current, "argon2id", "argon2i", 1), pw, false, false, "not an argon2id"},
		{"other version", strings.Replace(current, "v=19", "v=16", 1), pw, false, false, "version"},
		{"huge memory", strings.Replace(current, "m=19456", "m=4194304", 1), pw, false, false, "out of range"},
		{"extra field", current + "$", pw, false, false, "not an argon2id"},
		{"padded key", current + "=", pw, false, false, "key"},
		{"params with garbage", strings.Replace(current, "p=1", "p=1x", 1), pw, false, false, "canonical"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			match, rehash, err := VerifyPassword(tt.stored, tt.password)
			if tt.wantErrWord != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrWord) {
					t.Fatalf("VerifyPassword error = %v, want one mentioning %q", err, tt.wantErrWord)
				}
				if match {
					t.Fatal("malformed hash matched")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if match != tt.wantMatch || rehash != tt.wantRehash {
				t.Fatalf("VerifyPassword = match %v, rehash %v; want %v, %v", match, rehash, tt.wantMatch, tt.wantRehash)
			}
		})
	}
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	for _, r := range Roles() {
		got, err := ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	for _, bad := range []string{"", "Admin", "superuser", "agent "} {
		_, err := ParseRole(bad)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"`+bad+`"`) {
			t.Errorf("ParseRole(%q) = %v, want ErrInvalid naming the value", bad, err)
		}
	}
	if len(Roles()) != 4 {
		t.Errorf("Roles() = %v", Roles())
	}
}

func TestPrincipalCanDoesNotImplyAdmin(t *testing.T) {
	t.Parallel()
	admin := Principal{Role: RoleAdmin}
	agent := Principal{Role: RoleAgent}
	tests := []struct {
		p     Principal
		roles []Role
		want  bool
	}{
		{admin, []Role{RoleAdmin}, true},
		{admin, []Role{RoleAgent}, false},
		{admin, []Role{RoleAgent, RoleAdmin}, true},
		{agent, []Role{RoleAgent, RoleKnowledgeManager}, true},
		{agent, []Role{RoleEvaluator}, false},
		{agent, nil, false},
		{Principal{}, []Role{""}, false},
	}
	for _, tt := range tests {
		if got := tt.p.Can(tt.roles...); got != tt.want {
			t.Errorf("%q.Can(%v) = %v, want %v", tt.p.Role, tt.roles, got, tt.want)
		}
	}
}

func TestTokenKind(t *testing.T) {
	t.Parallel()
	session, _ := newToken(SessionPrefix)
	key, _ := newToken(APIKeyPrefix)
	tests := []struct {
		token, want string
	}{
		{session, SessionPrefix},
		{key, APIKeyPrefix},
		{"", ""},
		{"ats_", ""},
		{session[:len(session)-1], ""},
		{session + "A", ""},
		{"Bearer " + session, ""},
		{"xyz_" + session[4:], ""},
		{"ats_" + strings.Repeat("!", 43), ""},
	}
	for _, tt := range tests {
		if got := tokenKind(tt.token); got != tt.want {
			t.Errorf("tokenKind(%q) = %q, want %q", tt.token, got, tt.want)
		}
	}
	if len(session) != 4+43 {
		t.Errorf("session token %q has %d characters, want 47", session, len(session))
	}
}
