package staff

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/text/language"

	"github.com/attache-dev/attache/internal/postgres"
)

// DB is what the Store needs of a database: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// touchEvery is how stale last_seen_at / last_used_at may get before Authenticate writes
// it: at most one write per token per interval, not one per request.
const touchEvery = time.Minute

// Limits on account and key fields.
const (
	maxNameLen     = 200
	maxEmailLen    = 254
	maxLanguages   = 32
	maxKeyNameLen  = 100
	maxSessionTTL  = 90 * 24 * time.Hour
	accountColumns = `id, email, display_name, role, password_hash IS NOT NULL, languages, disabled_at, created_at`
	apiKeyColumns  = `id, account_id, name, created_at, last_used_at, revoked_at`
)

// Store keeps staff accounts, sessions and API keys in PostgreSQL.
type Store struct {
	db     DB
	logger *slog.Logger
	now    func() time.Time

	dummyOnce sync.Once
	dummyHash string // verified for unknown emails, so timing does not tell them apart
}

// New returns a Store on a migrated database. A nil logger discards.
func New(db DB, logger *slog.Logger) *Store {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Store{db: db, logger: logger, now: time.Now}
}

// CreateAccount validates na and stores a new account. It returns ErrEmailTaken if the
// email (compared case-insensitively) is in use, and an error wrapping ErrInvalid for input
// that breaks a rule.
func (s *Store) CreateAccount(ctx context.Context, na NewAccount) (Account, error) {
	email, err := normalizeEmail(na.Email)
	if err != nil {
		return Account{}, err
	}
	name, err := checkName(na.Name)
	if err != nil {
		return Account{}, err
	}
	role, err := ParseRole(string(na.Role))
	if err != nil {
		return Account{}, err
	}
	langs, err := normalizeLanguages(na.Languages)
	if err != nil {
		return Account{}, err
	}
	var hash *string
	if na.Password != "" {
		h, err := HashPassword(na.Password)
		if err != nil {
			return Account{}, err
		}
		hash = &h
	}
	a, err := scanAccount(s.db.QueryRow(ctx, `
		INSERT INTO staff_accounts (id, email, display_name, role, password_hash, languages, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING `+accountColumns,
		uuid.Must(uuid.NewV7()), email, name, role, hash, langs, s.now()))
	if postgres.IsUniqueViolation(err) {
		return Account{}, ErrEmailTaken
	}
	if err != nil {
		return Account{}, fmt.Errorf("create staff account: %w", err)
	}
	return a, nil
}

// EnsureAdmin returns the admin account with email, creating it without a password if
// there is none; created tells which. It is idempotent and safe to run concurrently. An
// existing account with that email that is not an enabled admin is an error wrapping
// ErrEmailTaken: EnsureAdmin never promotes or re-enables anyone.
func (s *Store) EnsureAdmin(ctx context.Context, email, name string) (Account, bool, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return Account{}, false, err
	}
	if name, err = checkName(name); err != nil {
		return Account{}, false, err
	}
	a, err := scanAccount(s.db.QueryRow(ctx, `
		INSERT INTO staff_accounts (id, email, display_name, role, created_at)
		VALUES ($1, $2, $3, 'admin', $4)
		ON CONFLICT (email) DO NOTHING
		RETURNING `+accountColumns,
		uuid.Must(uuid.NewV7()), email, name, s.now()))
	if err == nil {
		return a, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Account{}, false, fmt.Errorf("ensure admin account: %w", err)
	}
	a, err = s.AccountByEmail(ctx, email)
	if err != nil {
		return Account{}, false, fmt.Errorf("ensure admin account: %w", err)
	}
	if a.Role != RoleAdmin || a.Disabled() {
		return Account{}, false, fmt.Errorf("%w: the account %s exists and is not an enabled admin", ErrEmailTaken, email)
	}
	return a, false, nil
}

// Account returns the account with id, or ErrNotFound.
func (s *Store) Account(ctx context.Context, id string) (Account, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Account{}, ErrNotFound
	}
	a, err := scanAccount(s.db.QueryRow(ctx, `SELECT `+accountColumns+` FROM staff_accounts WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Account{}, ErrNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("get staff account %s: %w", id, err)
	}
	return a, nil
}

// AccountByEmail returns the account with email (case-insensitive), or ErrNotFound.
func (s *Store) AccountByEmail(ctx context.Context, email string) (Account, error) {
	a, err := scanAccount(s.db.QueryRow(ctx, `SELECT `+accountColumns+` FROM staff_accounts WHERE email = $1`,
		strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, pgx.ErrNoRows) {
		return Account{}, ErrNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("get staff account by email: %w", err)
	}
	return a, nil
}

// ListAccounts returns every account, ordered by email.
func (s *Store) ListAccounts(ctx context.Context) ([]Account, error) {
	rows, err := s.db.Query(ctx, `SELECT `+accountColumns+` FROM staff_accounts ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("list staff accounts: %w", err)
	}
	as, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Account, error) { return scanAccount(r) })
	if err != nil {
		return nil, fmt.Errorf("list staff accounts: %w", err)
	}
	return as, nil
}

// UpdateAccount applies the non-nil fields of u and returns the account as stored.
// Disabling an account ends its sessions in the same statement.
func (s *Store) UpdateAccount(ctx context.Context, id string, u AccountUpdate) (Account, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Account{}, ErrNotFound
	}
	var (
		name    *string
		role    *Role
		langs   []string
		setLang bool
	)
	if u.Name != nil {
		n, err := checkName(*u.Name)
		if err != nil {
			return Account{}, err
		}
		name = &n
	}
	if u.Role != nil {
		r, err := ParseRole(string(*u.Role))
		if err != nil {
			return Account{}, err
		}
		role = &r
	}
	if u.Languages != nil {
		l, err := normalizeLanguages(*u.Languages)
		if err != nil {
			return Account{}, err
		}
		langs, setLang = l, true
	}
	a, err := scanAccount(s.db.QueryRow(ctx, `
		WITH a AS (
			UPDATE staff_accounts SET
				display_name = coalesce($2, display_name),
				role = coalesce($3, role),
				languages = CASE WHEN $4 THEN $5::text[] ELSE languages END,
				disabled_at = CASE
					WHEN $6::boolean IS NULL THEN disabled_at
					WHEN $6 THEN coalesce(disabled_at, $7)
					ELSE NULL END
			WHERE id = $1
			RETURNING `+accountColumns+`
		), ended AS (
			DELETE FROM staff_sessions WHERE $6 IS TRUE AND account_id = $1
		)
		SELECT * FROM a`,
		id, name, role, setLang, langs, u.Disabled, s.now()))
	if errors.Is(err, pgx.ErrNoRows) {
		return Account{}, ErrNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("update staff account %s: %w", id, err)
	}
	return a, nil
}

// SetPassword replaces the account's password (checked against the policy) and ends all
// of its sessions, in one transaction. API keys are not affected.
func (s *Store) SetPassword(ctx context.Context, id, password string) error {
	if _, err := uuid.Parse(id); err != nil {
		return ErrNotFound
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE staff_accounts SET password_hash = $2 WHERE id = $1`, id, hash)
		if err != nil {
			return fmt.Errorf("set password of %s: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, `DELETE FROM staff_sessions WHERE account_id = $1`, id); err != nil {
			return fmt.Errorf("end sessions of %s: %w", id, err)
		}
		return nil
	})
}

// Login checks email and password and starts a session that lasts ttl (at most 90 days).
// An unknown email, a wrong password, an account without a password and a disabled
// account all give ErrInvalidCredentials, after the same argon2 work. A hash made with
// older parameters is upgraded on success.
func (s *Store) Login(ctx context.Context, email, password string, ttl time.Duration) (Session, error) {
	if ttl <= 0 || ttl > maxSessionTTL {
		return Session{}, fmt.Errorf("%w: session lifetime must be between 0 and %s", ErrInvalid, maxSessionTTL)
	}
	var hash *string
	row := s.db.QueryRow(ctx, `SELECT `+accountColumns+`, password_hash FROM staff_accounts WHERE email = $1`,
		strings.ToLower(strings.TrimSpace(email)))
	a, err := scanAccount(row, &hash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	found := err == nil && hash != nil
	stored := s.dummy()
	if found {
		stored = *hash
	}
	match, rehash, verr := VerifyPassword(stored, password)
	if verr != nil {
		// A stored hash this package cannot read: refuse, and tell the operator (no email).
		s.logger.Error("staff password hash unreadable", "account", a.ID, "err", verr)
		return Session{}, ErrInvalidCredentials
	}
	if !found || !match || a.Disabled() {
		return Session{}, ErrInvalidCredentials
	}
	if rehash && CheckPassword(password) == nil {
		s.upgradeHash(ctx, a.ID, stored, password)
	}
	token, tokenHash := newToken(SessionPrefix)
	now := s.now()
	expires := now.Add(ttl)
	_, err = s.db.Exec(ctx, `
		WITH purge AS (DELETE FROM staff_sessions WHERE account_id = $2 AND expires_at <= $3)
		INSERT INTO staff_sessions (token_hash, account_id, created_at, expires_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $3)`, tokenHash, a.ID, now, expires)
	if err != nil {
		return Session{}, fmt.Errorf("start session: %w", err)
	}
	return Session{Token: token, ExpiresAt: expires.UTC().Truncate(time.Microsecond), Account: a}, nil
}

// upgradeHash re-hashes password with the current parameters. Failure is logged, not
// returned: the login itself succeeded.
func (s *Store) upgradeHash(ctx context.Context, id, old, password string) {
	_, err := s.db.Exec(ctx, `UPDATE staff_accounts SET password_hash = $3 WHERE id = $1 AND password_hash = $2`,
		id, old, hashWith(defaultParams, password))
	if err != nil {
		s.logger.Warn("upgrade staff password hash", "account", id, "err", err)
	}
}

// dummy returns a hash with the current parameters, for an unknown email to verify against.
func (s *Store) dummy() string {
	s.dummyOnce.Do(func() {
		_, b := newToken("") // any random secret; nobody knows it
		s.dummyHash = hashWith(defaultParams, string(b))
	})
	return s.dummyHash
}

// Logout ends the session of token. It is idempotent: an unknown, expired or malformed
// token is not an error. API keys are ended with RevokeAPIKey, not here.
func (s *Store) Logout(ctx context.Context, token string) error {
	if tokenKind(token) != SessionPrefix {
		return nil
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM staff_sessions WHERE token_hash = $1`, hashToken(token)); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that have expired and returns how many. Expired
// sessions never authenticate; this only keeps the table small.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM staff_sessions WHERE expires_at <= $1`, s.now())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Authenticate returns the principal for a session token or an API key, telling them apart
// by prefix. Anything that does not authenticate (malformed, unknown, expired, revoked, or
// of a disabled account) is ErrUnauthenticated. It writes last_seen_at / last_used_at at most
// once a minute per token.
func (s *Store) Authenticate(ctx context.Context, token string) (Principal, error) {
	kind := tokenKind(token)
	if kind == "" {
		return Principal{}, ErrUnauthenticated
	}
	hash := hashToken(token)
	now := s.now()
	var (
		p    Principal
		seen *time.Time
		err  error
	)
	switch kind {
	case SessionPrefix:
		p.Via = ViaSession
		err = s.db.QueryRow(ctx, `
			SELECT a.id, a.email, a.display_name, a.role, a.languages, s.last_seen_at
			FROM staff_sessions s JOIN staff_accounts a ON a.id = s.account_id
			WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL`, hash, now).
			Scan(&p.AccountID, &p.Email, &p.Name, &p.Role, &p.Languages, &seen)
	case APIKeyPrefix:
		p.Via = ViaAPIKey
		err = s.db.QueryRow(ctx, `
			SELECT a.id, a.email, a.display_name, a.role, a.languages, k.id, k.last_used_at
			FROM staff_api_keys k JOIN staff_accounts a ON a.id = k.account_id
			WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND a.disabled_at IS NULL`, hash).
			Scan(&p.AccountID, &p.Email, &p.Name, &p.Role, &p.Languages, &p.KeyID, &seen)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	if seen == nil || now.Sub(*seen) >= touchEvery {
		s.touch(ctx, kind, hash, now)
	}
	return p, nil
}

// touch records that a token was used. The condition in the statement keeps concurrent
// requests from writing twice; a failure is logged, as the request is authenticated anyway.
func (s *Store) touch(ctx context.Context, kind string, hash []byte, now time.Time) {
	q := `UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at <= $3`
	if kind == APIKeyPrefix {
		q = `UPDATE staff_api_keys SET last_used_at = $2
			WHERE key_hash = $1 AND (last_used_at IS NULL OR last_used_at <= $3)`
	}
	if _, err := s.db.Exec(ctx, q, hash, now, now.Add(-touchEvery)); err != nil {
		s.logger.Warn("record staff token use", "via", kind, "err", err)
	}
}

// CreateAPIKey makes a new API key for the account and returns it in the clear, once, with
// its description. The account may be disabled; its keys then work once it is enabled.
func (s *Store) CreateAPIKey(ctx context.Context, accountID, name string) (string, APIKey, error) {
	if _, err := uuid.Parse(accountID); err != nil {
		return "", APIKey{}, ErrNotFound
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxKeyNameLen || !printable(name) {
		return "", APIKey{}, fmt.Errorf("%w: key name must be 1 to %d printable characters", ErrInvalid, maxKeyNameLen)
	}
	token, hash := newToken(APIKeyPrefix)
	k, err := scanAPIKey(s.db.QueryRow(ctx, `
		INSERT INTO staff_api_keys (id, account_id, name, key_hash, created_at)
		SELECT $1, id, $3, $4, $5 FROM staff_accounts WHERE id = $2
		RETURNING `+apiKeyColumns,
		uuid.Must(uuid.NewV7()), accountID, name, hash, s.now()))
	if errors.Is(err, pgx.ErrNoRows) {
		return "", APIKey{}, ErrNotFound
	}
	if err != nil {
		return "", APIKey{}, fmt.Errorf("create API key for %s: %w", accountID, err)
	}
	return token, k, nil
}

// ListAPIKeys returns the account's keys, revoked ones included, oldest first.
func (s *Store) ListAPIKeys(ctx context.Context, accountID string) ([]APIKey, error) {
	if _, err := uuid.Parse(accountID); err != nil {
		return nil, ErrNotFound
	}
	rows, err := s.db.Query(ctx, `SELECT `+apiKeyColumns+` FROM staff_api_keys
		WHERE account_id = $1 ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list API keys of %s: %w", accountID, err)
	}
	ks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (APIKey, error) { return scanAPIKey(r) })
	if err != nil {
		return nil, fmt.Errorf("list API keys of %s: %w", accountID, err)
	}
	return ks, nil
}

// RevokeAPIKey revokes a key; it stops authenticating at once. Revoking a revoked key keeps
// its first revocation time. An unknown ID is ErrNotFound.
func (s *Store) RevokeAPIKey(ctx context.Context, keyID string) (APIKey, error) {
	if _, err := uuid.Parse(keyID); err != nil {
		return APIKey{}, ErrNotFound
	}
	k, err := scanAPIKey(s.db.QueryRow(ctx, `
		UPDATE staff_api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1
		RETURNING `+apiKeyColumns, keyID, s.now()))
	if errors.Is(err, pgx.ErrNoRows) {
		return APIKey{}, ErrNotFound
	}
	if err != nil {
		return APIKey{}, fmt.Errorf("revoke API key %s: %w", keyID, err)
	}
	return k, nil
}

// scanAccount reads accountColumns, then any extra destinations.
func scanAccount(row pgx.Row, extra ...any) (Account, error) {
	var (
		a        Account
		disabled *time.Time
	)
	dest := append([]any{&a.ID, &a.Email, &a.Name, &a.Role, &a.HasPassword, &a.Languages, &disabled, &a.CreatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Account{}, err
	}
	if disabled != nil {
		a.DisabledAt = *disabled
	}
	return a, nil
}

func scanAPIKey(row pgx.Row) (APIKey, error) {
	var (
		k             APIKey
		used, revoked *time.Time
	)
	if err := row.Scan(&k.ID, &k.AccountID, &k.Name, &k.CreatedAt, &used, &revoked); err != nil {
		return APIKey{}, err
	}
	if used != nil {
		k.LastUsedAt = *used
	}
	if revoked != nil {
		k.RevokedAt = *revoked
	}
	return k, nil
}

// normalizeEmail trims and lower-cases email and checks that it is a bare address
// (local@domain, no display name or angle brackets).
func normalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	bad := func(rule string) (string, error) {
		return "", fmt.Errorf("%w: email %s", ErrInvalid, rule)
	}
	if e == "" {
		return bad("is required")
	}
	if len(e) > maxEmailLen {
		return bad(fmt.Sprintf("must be at most %d bytes", maxEmailLen))
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return bad("must have the form name@domain")
	}
	if strings.IndexFunc(e, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
		return bad("must not contain spaces or control characters")
	}
	if addr, err := mail.ParseAddress(e); err != nil || addr.Address != e || addr.Name != "" {
		return bad("must be a plain address such as name@example.com")
	}
	return e, nil
}

// checkName trims a display name and checks its length and characters.
func checkName(name string) (string, error) {
	n := strings.TrimSpace(name)
	if utf8.RuneCountInString(n) > maxNameLen || !printable(n) {
		return "", fmt.Errorf("%w: name must be at most %d printable characters", ErrInvalid, maxNameLen)
	}
	return n, nil
}

func printable(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
}

// normalizeLanguages parses BCP 47 tags and returns them in canonical form, without
// duplicates, in the given order. "und" (no language) is refused.
func normalizeLanguages(tags []string) ([]string, error) {
	if len(tags) > maxLanguages {
		return nil, fmt.Errorf("%w: at most %d languages", ErrInvalid, maxLanguages)
	}
	out := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		tag, err := language.Parse(strings.TrimSpace(t))
		if err != nil || tag == language.Und {
			return nil, fmt.Errorf("%w: language %q is not a BCP 47 tag such as en or pt-BR", ErrInvalid, t)
		}
		c := tag.String()
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}
