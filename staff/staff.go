// Package staff keeps the accounts of the people who work with Attaché (support agents,
// knowledge managers, evaluators, administrators) and establishes who is calling: password
// login with server-side sessions, and API keys for scripts and tools.
//
// Passwords are stored as argon2id PHC strings; session tokens ("ats_...") and API keys
// ("atk_...") are random, returned in the clear exactly once, and stored only as their
// SHA-256. [Store.Authenticate] turns either kind of token into a [Principal].
//
// It is not for:
//   - customer identity: customers are identified by tools/identity, never by staff accounts.
//   - authorization decisions per route: a Principal carries a [Role], and httpapi decides
//     from an explicit matrix what each role may do. In particular, admin is not implicitly
//     every other role here: [Principal.Can] answers only for the roles it is given.
//   - single sign-on, two-factor authentication or throttling of login attempts: none exist
//     yet, and throttling belongs in front of [Store.Login].
package staff

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Role is what a staff member is allowed to do, as decided by httpapi's matrix.
type Role string

// The roles, from the narrowest to the broadest.
const (
	RoleAgent            Role = "agent"             // answers handed-off conversations
	RoleKnowledgeManager Role = "knowledge_manager" // edits the knowledge base
	RoleEvaluator        Role = "evaluator"         // reads transcripts and runs evals
	RoleAdmin            Role = "admin"             // manages staff, settings and keys
)

// Roles returns every role, in a stable order.
func Roles() []Role {
	return []Role{RoleAgent, RoleKnowledgeManager, RoleEvaluator, RoleAdmin}
}

// ParseRole returns the role named s, or an error wrapping ErrInvalid that names s.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if slices.Contains(Roles(), r) {
		return r, nil
	}
	return "", fmt.Errorf("%w: unknown role %q (want one of agent, knowledge_manager, evaluator, admin)", ErrInvalid, s)
}

// Errors returned by the Store. Wrapped errors carry more context; test with errors.Is.
var (
	// ErrInvalid is returned for input that breaks a rule (email shape, role, password
	// policy, language tag, key name); the message names the rule and is safe to show.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound is returned for an unknown (or malformed) account or API key ID.
	ErrNotFound = errors.New("not found")
	// ErrEmailTaken is returned when an account with the same email already exists.
	ErrEmailTaken = errors.New("email already taken")
	// ErrInvalidCredentials is returned by Login for an unknown email, a wrong password, an
	// account without a password and a disabled account alike.
	ErrInvalidCredentials = errors.New("invalid email or password")
	// ErrUnauthenticated is returned by Authenticate for a token that is malformed, unknown,
	// expired or revoked, or that belongs to a disabled account.
	ErrUnauthenticated = errors.New("unauthenticated")
)

// Account is a staff member.
type Account struct {
	ID          string
	Email       string // lower-cased
	Name        string
	Role        Role
	Languages   []string // BCP 47 tags, canonical form
	HasPassword bool     // false for accounts that sign in only with API keys
	DisabledAt  time.Time
	CreatedAt   time.Time
}

// Disabled reports whether the account is disabled: it cannot log in, and its sessions and
// API keys do not authenticate.
func (a Account) Disabled() bool { return !a.DisabledAt.IsZero() }

// NewAccount is what CreateAccount needs. Password may be empty for an account that will
// use API keys only.
type NewAccount struct {
	Email     string
	Name      string
	Role      Role
	Password  string
	Languages []string
}

// AccountUpdate changes the fields that are not nil.
type AccountUpdate struct {
	Name      *string
	Role      *Role
	Languages *[]string
	// Disabled true disables the account and ends its sessions; false enables it again.
	// API keys survive a disable and work again once the account is enabled.
	Disabled *bool
}

// Session is the outcome of a successful Login. Token is shown to the client once and never
// stored.
type Session struct {
	Token     string
	ExpiresAt time.Time
	Account   Account
}

// APIKey describes an API key; the key itself is only returned by CreateAPIKey.
type APIKey struct {
	ID         string
	AccountID  string
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero if never used; updated at most once a minute
	RevokedAt  time.Time // zero while the key is valid
}

// Revoked reports whether the key was revoked.
func (k APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// Via is how a Principal authenticated.
type Via string

// The ways to authenticate.
const (
	ViaSession Via = "session"
	ViaAPIKey  Via = "api_key"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	AccountID string
	Email     string
	Name      string
	Role      Role
	Languages []string
	Via       Via
	KeyID     string // the API key's ID when Via is ViaAPIKey
}

// Can reports whether the principal has one of roles. Admin is not implied: Can(RoleAgent)
// is false for an admin; the caller lists every role it accepts.
func (p Principal) Can(roles ...Role) bool {
	return p.Role != "" && slices.Contains(roles, p.Role)
}
