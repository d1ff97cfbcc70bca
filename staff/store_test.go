package staff

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
)

// The tests share one database (PGlite, or ATTACHE_TEST_DATABASE_URL): each uses emails of
// its own, so they may run in parallel.
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	realpg.Stop()
	os.Exit(code)
}

const goodPassword = "correct horse battery staple"

// clock is a settable time source for a Store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// countingDB counts the statements run through Exec (the Store's writes without results).
type countingDB struct {
	DB
	execs atomic.Int64
}

func (c *countingDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	c.execs.Add(1)
	return c.DB.Exec(ctx, sql, args...)
}

func newStore(t testing.TB) *Store {
	t.Helper()
	return New(pgtest.Pool(t), pgtest.Logger())
}

// newClockedStore returns a Store whose time is c, starting at the real current time.
func newClockedStore(t testing.TB) (*Store, *clock) {
	t.Helper()
	s := newStore(t)
	c := &clock{t: time.Now().UTC().Truncate(time.Microsecond)}
	s.now = c.now
	return s, c
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// email returns an address no other test uses.
func email(t testing.TB, who string) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(who) + "." + nonAlnum.ReplaceAllString(strings.ToLower(t.Name()), "-") + "." + hex.EncodeToString(b[:]) + "@shop.example"
}

func mustCreate(t testing.TB, s *Store, na NewAccount) Account {
	t.Helper()
	if na.Role == "" {
		na.Role = RoleAgent
	}
	a, err := s.CreateAccount(context.Background(), na)
	if err != nil {
		t.Fatalf("create account %s: %v", na.Email, err)
	}
	return a
}

func mustLogin(t testing.TB, s *Store, email, password string) Session {
	t.Helper()
	sess, err := s.Login(context.Background(), email, password, time.Hour)
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return sess
}

func TestCreateAccountNormalizes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	addr := email(t, "Lena")
	a := mustCreate(t, s, NewAccount{
		Email: "  " + strings.ToUpper(addr) + " ", Name: " Lena Park ", Role: RoleKnowledgeManager,
		Password: goodPassword, Languages: []string{"pt-br", "EN", "en", "zh-hant-tw"},
	})
	if a.Email != addr || a.Name != "Lena Park" || a.Role != RoleKnowledgeManager || !a.HasPassword || a.Disabled() {
		t.Fatalf("account = %+v", a)
	}
	if want := []string{"pt-BR", "en", "zh-Hant-TW"}; !slices.Equal(a.Languages, want) {
		t.Fatalf("languages = %q, want %q", a.Languages, want)
	}
	got, err := s.AccountByEmail(ctx, strings.ToUpper(addr))
	if err != nil || got.ID != a.ID || !slices.Equal(got.Languages, a.Languages) || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("AccountByEmail = %+v, %v; want %+v", got, err, a)
	}
	if got, err := s.Account(ctx, a.ID); err != nil || got.Email != addr {
		t.Fatalf("Account = %+v, %v", got, err)
	}
	list, err := s.ListAccounts(ctx)
	if err != nil || !slices.ContainsFunc(list, func(x Account) bool { return x.ID == a.ID }) {
		t.Fatalf("ListAccounts = %d accounts, %v; want one with ID %s", len(list), err, a.ID)
	}
	keyOnly := mustCreate(t, s, NewAccount{Email: email(t, "bot"), Role: RoleEvaluator})
	if keyOnly.HasPassword || keyOnly.Languages == nil || len(keyOnly.Languages) != 0 {
		t.Fatalf("account without password = %+v", keyOnly)
	}
}

func TestCreateAccountRefusesBadInput(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ok := NewAccount{Email: email(t, "ok"), Name: "Ok", Role: RoleAgent, Password: goodPassword}
	tests := []struct {
		name     string
		edit     func(*NewAccount)
		wantRule string
	}{
		{"no email", func(n *NewAccount) { n.Email = "" }, "email is required"},
		{"no at sign", func(n *NewAccount) { n.Email = "lena.shop.example" }, "name@domain"},
		{"two at signs", func(n *NewAccount) { n.Email = "a@b@shop.example" }, "name@domain"},
		{"display name form", func(n *NewAccount) { n.Email = "Lena <lena@shop.example>" }, "email"},
		{"space inside", func(n *NewAccount) { n.Email = "le na@shop.example" }, "spaces"},
		{"too long", func(n *NewAccount) { n.Email = strings.Repeat("a", 250) + "@shop.example" }, "at most 254"},
		{"no role", func(n *NewAccount) { n.Role = "" }, `unknown role ""`},
		{"unknown role", func(n *NewAccount) { n.Role = "root" }, `unknown role "root"`},
		{"short password", func(n *NewAccount) { n.Password = "hunter2" }, "at least 12 characters"},
		{"long password", func(n *NewAccount) { n.Password = strings.Repeat("p", 300) }, "at most 256 characters"},
		{"bad language", func(n *NewAccount) { n.Languages = []string{"en", "english!"} }, `language "english!"`},
		{"und language", func(n *NewAccount) { n.Languages = []string{"und"} }, `language "und"`},
		{"control in name", func(n *NewAccount) { n.Name = "Lena\x00" }, "name must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			na := ok
			tt.edit(&na)
			_, err := s.CreateAccount(context.Background(), na)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantRule) {
				t.Fatalf("CreateAccount = %v, want ErrInvalid naming %q", err, tt.wantRule)
			}
		})
	}
	if _, err := s.AccountByEmail(context.Background(), ok.Email); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a refused account was stored: %v", err)
	}
}

func TestCreateAccountDuplicateEmail(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	addr := email(t, "dup")
	first := mustCreate(t, s, NewAccount{Email: addr, Role: RoleAgent})
	_, err := s.CreateAccount(context.Background(), NewAccount{Email: strings.ToUpper(addr), Role: RoleAdmin, Password: goodPassword})
	if !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("second CreateAccount = %v, want ErrEmailTaken", err)
	}
	got, err := s.AccountByEmail(context.Background(), addr)
	if err != nil || got.ID != first.ID || got.Role != RoleAgent {
		t.Fatalf("account after duplicate = %+v, %v; want the first, unchanged", got, err)
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	active := mustCreate(t, s, NewAccount{Email: email(t, "active"), Name: "Active", Password: goodPassword, Languages: []string{"de"}})
	disabled := mustCreate(t, s, NewAccount{Email: email(t, "disabled"), Password: goodPassword})
	yes := true
	if _, err := s.UpdateAccount(ctx, disabled.ID, AccountUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	keyOnly := mustCreate(t, s, NewAccount{Email: email(t, "keyonly")})
	tests := []struct {
		name, email, password string
		wantErr               error
	}{
		{"right password", active.Email, goodPassword, nil},
		{"email in other case", strings.ToUpper(active.Email), goodPassword, nil},
		{"wrong password", active.Email, goodPassword + "!", ErrInvalidCredentials},
		{"empty password", active.Email, "", ErrInvalidCredentials},
		{"unknown email", email(t, "nobody"), goodPassword, ErrInvalidCredentials},
		{"disabled account, right password", disabled.Email, goodPassword, ErrInvalidCredentials},
		{"account without password", keyOnly.Email, "", ErrInvalidCredentials},
		{"account without password, any password", keyOnly.Email, goodPassword, ErrInvalidCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess, err := s.Login(ctx, tt.email, tt.password, time.Hour)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Login = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if sess.Token != "" {
					t.Fatal("failed login returned a token")
				}
				return
			}
			if !strings.HasPrefix(sess.Token, SessionPrefix) || sess.Account.ID != active.ID {
				t.Fatalf("session = %+v", sess)
			}
			p, err := s.Authenticate(ctx, sess.Token)
			if err != nil {
				t.Fatal(err)
			}
			want := Principal{AccountID: active.ID, Email: active.Email, Name: "Active", Role: RoleAgent, Languages: []string{"de"}, Via: ViaSession}
			if p.AccountID != want.AccountID || p.Email != want.Email || p.Name != want.Name || p.Role != want.Role ||
				!slices.Equal(p.Languages, want.Languages) || p.Via != want.Via || p.KeyID != "" {
				t.Fatalf("principal = %+v, want %+v", p, want)
			}
		})
	}
	if _, err := s.Login(ctx, active.Email, goodPassword, 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Login with ttl 0 = %v, want ErrInvalid", err)
	}
}

// An unknown email must cost about as much as a wrong password: without the dummy
// verification it would return after one indexed lookup, some 30 times sooner.
func TestLoginUnknownEmailSpendsArgon2(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := mustCreate(t, s, NewAccount{Email: email(t, "timing"), Password: goodPassword})
	fastest := func(email string) time.Duration {
		best := time.Duration(1 << 62)
		for range 3 {
			began := time.Now()
			if _, err := s.Login(ctx, email, "wrong password!", time.Hour); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("Login = %v", err)
			}
			best = min(best, time.Since(began))
		}
		return best
	}
	fastest(email(t, "warmup")) // the dummy hash is made on first use
	known, unknown := fastest(a.Email), fastest(email(t, "unknown"))
	if unknown < known/3 {
		t.Fatalf("unknown email took %s, a wrong password %s: timing tells whether an email exists", unknown, known)
	}
	t.Logf("wrong password %s, unknown email %s", known, unknown)
}

func TestLoginUpgradesOldHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	a := mustCreate(t, s, NewAccount{Email: email(t, "old"), Password: goodPassword})
	old := hashWith(argonParams{memory: 8 * 1024, time: 1, threads: 1, keyLen: 32}, goodPassword)
	if _, err := pgtest.Pool(t).Exec(ctx, `UPDATE staff_accounts SET password_hash = $2 WHERE id = $1`, a.ID, old); err != nil {
		t.Fatal(err)
	}
	mustLogin(t, s, a.Email, goodPassword)
	var stored string
	if err := pgtest.Pool(t).QueryRow(ctx, `SELECT password_hash FROM staff_accounts WHERE id = $1`, a.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash after login = %q, want the current parameters", stored)
	}
	mustLogin(t, s, a.Email, goodPassword)
}

func TestSessionExpiryAndLastSeen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newClockedStore(t)
	a := mustCreate(t, s, NewAccount{Email: email(t, "expiry"), Password: goodPassword})
	sess, err := s.Login(ctx, a.Email, goodPassword, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if want := c.now().Add(time.Hour); !sess.ExpiresAt.Equal(want) {
		t.Fatalf("ExpiresAt = %s, want %s", sess.ExpiresAt, want)
	}
	lastSeen := func() time.Time {
		t.Helper()
		var at time.Time
		if err := pgtest.Pool(t).QueryRow(ctx, `SELECT last_seen_at FROM staff_sessions WHERE token_hash = $1`,
			hashToken(sess.Token)).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	loginAt := c.now()
	counting := &countingDB{DB: s.db}
	s.db = counting
	steps := []struct {
		advance      time.Duration
		wantErr      error
		wantLastSeen time.Duration // after the login
		wantWrite    bool          // whether Authenticate issued a write statement
	}{
		{0, nil, 0, false},
		{30 * time.Second, nil, 0, false},               // within a minute: no write
		{31 * time.Second, nil, 61 * time.Second, true}, // a minute passed: written
		{58*time.Minute + 58*time.Second, nil, 3599 * time.Second, true},
		{time.Second, ErrUnauthenticated, 3599 * time.Second, false}, // exactly at expiry
		{time.Hour, ErrUnauthenticated, 3599 * time.Second, false},
	}
	for i, st := range steps {
		c.advance(st.advance)
		execs := counting.execs.Load()
		_, err := s.Authenticate(ctx, sess.Token)
		if !errors.Is(err, st.wantErr) {
			t.Fatalf("step %d (%s after login): Authenticate = %v, want %v", i, c.now().Sub(loginAt), err, st.wantErr)
		}
		if wrote := counting.execs.Load() > execs; wrote != st.wantWrite {
			t.Fatalf("step %d: Authenticate wrote: %v, want %v", i, wrote, st.wantWrite)
		}
		if got, want := lastSeen(), loginAt.Add(st.wantLastSeen); !got.Equal(want) {
			t.Fatalf("step %d: last_seen_at = +%s, want +%s", i, got.Sub(loginAt), st.wantLastSeen)
		}
	}
	n, err := s.DeleteExpiredSessions(ctx)
	if err != nil || n < 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want at least this test's session", n, err)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	a := mustCreate(t, s, NewAccount{Email: email(t, "logout"), Password: goodPassword})
	one, two := mustLogin(t, s, a.Email, goodPassword), mustLogin(t, s, a.Email, goodPassword)
	if one.Token == two.Token {
		t.Fatal("two logins gave one token")
	}
	if err := s.Logout(ctx, one.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, one.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("Authenticate after logout = %v", err)
	}
	if _, err := s.Authenticate(ctx, two.Token); err != nil {
		t.Fatalf("the other session ended too: %v", err)
	}
	for _, tok := range []string{one.Token, "", "garbage"} {
		if err := s.Logout(ctx, tok); err != nil {
			t.Fatalf("Logout(%q) = %v, want nil (idempotent)", tok, err)
		}
	}
}

func TestAuthenticateRefusesUnknownTokens(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	unknownSession, _ := newToken(SessionPrefix)
	unknownKey, _ := newToken(APIKeyPrefix)
	for _, tok := range []string{"", "ats_", "atk_x", "Bearer xyz", unknownSession, unknownKey, strings.ToUpper(unknownSession)} {
		if p, err := s.Authenticate(context.Background(), tok); !errors.Is(err, ErrUnauthenticated) || p.AccountID != "" {
			t.Errorf("Authenticate(%q) = %+v, %v; want ErrUnauthenticated", tok, p, err)
		}
	}
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newClockedStore(t)
	a := mustCreate(t, s, NewAccount{Email: email(t, "keys"), Name: "CI", Role: RoleEvaluator})
	token, k, err := s.CreateAPIKey(ctx, a.ID, " nightly evals ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, APIKeyPrefix) || k.Name != "nightly evals" || k.AccountID != a.ID || k.Revoked() || !k.LastUsedAt.IsZero() {
		t.Fatalf("CreateAPIKey = %q, %+v", token, k)
	}
	p, err := s.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if p.Via != ViaAPIKey || p.KeyID != k.ID || p.AccountID != a.ID || p.Role != RoleEvaluator || p.Name != "CI" {
		t.Fatalf("principal = %+v", p)
	}
	keys, err := s.ListAPIKeys(ctx, a.ID)
	if err != nil || len(keys) != 1 || !keys[0].LastUsedAt.Equal(c.now()) {
		t.Fatalf("ListAPIKeys = %+v, %v; want one key used now", keys, err)
	}

	// A disabled account's keys stop working, and work again once it is enabled.
	yes, no := true, false
	if _, err := s.UpdateAccount(ctx, a.ID, AccountUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, token); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("key of a disabled account: %v", err)
	}
	if _, err := s.UpdateAccount(ctx, a.ID, AccountUpdate{Disabled: &no}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, token); err != nil {
		t.Fatalf("key after enabling: %v", err)
	}

	other, _, err := s.CreateAPIKey(ctx, a.ID, "second")
	if err != nil {
		t.Fatal(err)
	}
	c.advance(time.Minute)
	revoked, err := s.RevokeAPIKey(ctx, k.ID)
	if err != nil || !revoked.RevokedAt.Equal(c.now()) {
		t.Fatalf("RevokeAPIKey = %+v, %v", revoked, err)
	}
	if _, err := s.Authenticate(ctx, token); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("revoked key: %v", err)
	}
	if _, err := s.Authenticate(ctx, other); err != nil {
		t.Fatalf("the other key stopped working: %v", err)
	}
	c.advance(time.Minute)
	if again, err := s.RevokeAPIKey(ctx, k.ID); err != nil || !again.RevokedAt.Equal(revoked.RevokedAt) {
		t.Fatalf("revoking twice = %+v, %v; want the first revocation time kept", again, err)
	}
	keys, err = s.ListAPIKeys(ctx, a.ID)
	if err != nil || len(keys) != 2 || !keys[0].Revoked() || keys[1].Revoked() {
		t.Fatalf("ListAPIKeys = %+v, %v; want the revoked key then the valid one", keys, err)
	}

	missing := "00000000-0000-7000-8000-000000000000"
	if _, err := s.RevokeAPIKey(ctx, missing); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RevokeAPIKey(unknown) = %v", err)
	}
	if _, _, err := s.CreateAPIKey(ctx, missing, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("CreateAPIKey(unknown account) = %v", err)
	}
	if _, _, err := s.CreateAPIKey(ctx, a.ID, "  "); !errors.Is(err, ErrInvalid) {
		t.Fatalf("CreateAPIKey(blank name) = %v", err)
	}
}

func TestSetPasswordEndsSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	a := mustCreate(t, s, NewAccount{Email: email(t, "setpw"), Password: goodPassword})
	other := mustCreate(t, s, NewAccount{Email: email(t, "bystander"), Password: goodPassword})
	s1, s2 := mustLogin(t, s, a.Email, goodPassword), mustLogin(t, s, a.Email, goodPassword)
	bystander := mustLogin(t, s, other.Email, goodPassword)
	key, _, err := s.CreateAPIKey(ctx, a.ID, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, a.ID, "short"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("SetPassword(short) = %v", err)
	}
	if _, err := s.Authenticate(ctx, s1.Token); err != nil {
		t.Fatalf("a refused SetPassword ended sessions: %v", err)
	}
	const newPassword = "a much better passphrase"
	if err := s.SetPassword(ctx, a.ID, newPassword); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{s1.Token, s2.Token} {
		if _, err := s.Authenticate(ctx, tok); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("session after SetPassword: %v", err)
		}
	}
	if _, err := s.Authenticate(ctx, bystander.Token); err != nil {
		t.Fatalf("another account's session ended: %v", err)
	}
	if _, err := s.Authenticate(ctx, key); err != nil {
		t.Fatalf("API key after SetPassword: %v", err)
	}
	if _, err := s.Login(ctx, a.Email, goodPassword, time.Hour); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("old password: %v", err)
	}
	mustLogin(t, s, a.Email, newPassword)
	if err := s.SetPassword(ctx, "00000000-0000-7000-8000-000000000000", newPassword); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetPassword(unknown) = %v", err)
	}
}

func TestUpdateAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	a := mustCreate(t, s, NewAccount{Email: email(t, "upd"), Name: "Old", Password: goodPassword, Languages: []string{"fr"}})
	sess := mustLogin(t, s, a.Email, goodPassword)

	name, role, langs := "New Name", RoleKnowledgeManager, []string{"ja", "EN-gb"}
	got, err := s.UpdateAccount(ctx, a.ID, AccountUpdate{Name: &name, Role: &role, Languages: &langs})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != name || got.Role != role || !slices.Equal(got.Languages, []string{"ja", "en-GB"}) || got.Disabled() {
		t.Fatalf("after update = %+v", got)
	}
	if p, err := s.Authenticate(ctx, sess.Token); err != nil || p.Role != role || p.Name != name {
		t.Fatalf("principal after update = %+v, %v; want the new role and name at once", p, err)
	}
	// Nil fields are left alone; an empty language list clears.
	empty := []string{}
	got, err = s.UpdateAccount(ctx, a.ID, AccountUpdate{Languages: &empty})
	if err != nil || got.Name != name || got.Role != role || len(got.Languages) != 0 {
		t.Fatalf("after clearing languages = %+v, %v", got, err)
	}

	yes, no := true, false
	got, err = s.UpdateAccount(ctx, a.ID, AccountUpdate{Disabled: &yes})
	if err != nil || !got.Disabled() {
		t.Fatalf("disable = %+v, %v", got, err)
	}
	if _, err := s.Authenticate(ctx, sess.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("session of a disabled account: %v", err)
	}
	got, err = s.UpdateAccount(ctx, a.ID, AccountUpdate{Disabled: &no})
	if err != nil || got.Disabled() {
		t.Fatalf("enable = %+v, %v", got, err)
	}
	if _, err := s.Authenticate(ctx, sess.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("a session survived disable and enable: %v", err)
	}
	mustLogin(t, s, a.Email, goodPassword)

	bad := Role("owner")
	if _, err := s.UpdateAccount(ctx, a.ID, AccountUpdate{Role: &bad}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("UpdateAccount(bad role) = %v", err)
	}
	if _, err := s.UpdateAccount(ctx, "00000000-0000-7000-8000-000000000000", AccountUpdate{Name: &name}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("UpdateAccount(unknown) = %v", err)
	}
	if _, err := s.Account(ctx, "not-a-uuid"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Account(malformed) = %v", err)
	}
}

func TestEnsureAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	addr := email(t, "admin")
	a, created, err := s.EnsureAdmin(ctx, addr, "Dev Admin")
	if err != nil || !created || a.Role != RoleAdmin || a.HasPassword || a.Name != "Dev Admin" {
		t.Fatalf("first EnsureAdmin = %+v, %v, %v", a, created, err)
	}
	again, created, err := s.EnsureAdmin(ctx, strings.ToUpper(addr), "Other Name")
	if err != nil || created || again.ID != a.ID || again.Name != "Dev Admin" {
		t.Fatalf("second EnsureAdmin = %+v, %v, %v; want the same account, not created", again, created, err)
	}
	if _, err := s.Login(ctx, addr, "", time.Hour); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("login to an admin without password: %v", err)
	}
	agent := mustCreate(t, s, NewAccount{Email: email(t, "agent"), Role: RoleAgent})
	if _, _, err := s.EnsureAdmin(ctx, agent.Email, "x"); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("EnsureAdmin over an agent = %v, want ErrEmailTaken", err)
	}
	if got, _ := s.Account(ctx, agent.ID); got.Role != RoleAgent {
		t.Fatalf("EnsureAdmin promoted an agent: %+v", got)
	}
}

// The tables hold only hashes: neither a token, nor its random part, nor the password
// appears in any column of any row.
func TestSecretsAreNotStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	a := mustCreate(t, s, NewAccount{Email: email(t, "secret"), Password: goodPassword})
	sess := mustLogin(t, s, a.Email, goodPassword)
	key, k, err := s.CreateAPIKey(ctx, a.ID, "secret-check")
	if err != nil {
		t.Fatal(err)
	}
	rowsText := func(q string, args ...any) string {
		t.Helper()
		var out []string
		rows, err := pgtest.Pool(t).Query(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(out) == 0 {
			t.Fatalf("no rows for %s", q)
		}
		return strings.Join(out, "\n")
	}
	dump := rowsText(`SELECT t::text FROM staff_sessions t WHERE account_id = $1`, a.ID) + "\n" +
		rowsText(`SELECT t::text FROM staff_api_keys t WHERE account_id = $1`, a.ID) + "\n" +
		rowsText(`SELECT t::text FROM staff_accounts t WHERE id = $1`, a.ID)
	for _, secret := range []string{sess.Token, sess.Token[4:], key, key[4:], goodPassword} {
		for _, form := range []string{secret, hex.EncodeToString([]byte(secret))} {
			if strings.Contains(strings.ToLower(dump), strings.ToLower(form)) {
				t.Fatalf("the tables contain a secret in the clear (%q...)", form[:8])
			}
		}
	}
	var n int
	err = pgtest.Pool(t).QueryRow(ctx, `SELECT
		(SELECT count(*) FROM staff_sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))) +
		(SELECT count(*) FROM staff_api_keys WHERE key_hash = sha256(convert_to($2, 'UTF8')) AND id = $3)`,
		sess.Token, key, k.ID).Scan(&n)
	if err != nil || n != 2 {
		t.Fatalf("rows found by SHA-256 of the tokens = %d, %v; want 2", n, err)
	}
}
