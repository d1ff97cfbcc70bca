package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/attache-dev/attache/staff"
)

// devAdminEmail is the admin account `dev` creates.
const devAdminEmail = "admin@attache.local"

// devAdmin is what `dev` gives a developer to call staff routes and sign in to the consoles.
type devAdmin struct {
	Email        string
	Token        string // an API key of the admin account
	TokenFile    string // $ATTACHE_DATA_DIR/admin-token
	PasswordFile string // $ATTACHE_DATA_DIR/admin-password
}

// ensureDevAdmin creates the dev admin account once, and keeps an API key of it in
// admin-token and a password in admin-password (both 0600) in the data directory. A key or
// password that still works is kept, so scripts that read the files keep working across
// restarts; one that does not (a fresh database under an old data dir) is replaced.
func ensureDevAdmin(ctx context.Context, st *staff.Store, dataDir string, logger *slog.Logger) (devAdmin, error) {
	d := devAdmin{Email: devAdminEmail, TokenFile: filepath.Join(dataDir, "admin-token"), PasswordFile: filepath.Join(dataDir, "admin-password")}
	acct, created, err := st.EnsureAdmin(ctx, devAdminEmail, "Dev admin")
	if err != nil {
		return d, fmt.Errorf("create the dev admin account: %w", err)
	}
	if b, err := os.ReadFile(d.TokenFile); err == nil {
		tok := strings.TrimSpace(string(b))
		if p, err := st.Authenticate(ctx, tok); err == nil && p.AccountID == acct.ID && p.Role == staff.RoleAdmin {
			d.Token = tok
		}
	}
	if d.Token == "" {
		tok, _, err := st.CreateAPIKey(ctx, acct.ID, "dev admin-token")
		if err != nil {
			return d, fmt.Errorf("create the dev admin's API key: %w", err)
		}
		if err := writeSecret(d.TokenFile, tok); err != nil {
			return d, err
		}
		d.Token = tok
	}
	pw, err := os.ReadFile(d.PasswordFile)
	password := strings.TrimSpace(string(pw))
	if err == nil && password != "" {
		if sess, err := st.Login(ctx, devAdminEmail, password, time.Minute); err == nil {
			_ = st.Logout(ctx, sess.Token) // it only proved the password
			return d, nil
		} else if !errors.Is(err, staff.ErrInvalidCredentials) {
			return d, fmt.Errorf("check the dev admin's password: %w", err)
		}
	}
	password = randomSecret(18)
	if err := st.SetPassword(ctx, acct.ID, password); err != nil {
		return d, fmt.Errorf("set the dev admin's password: %w", err)
	}
	if err := writeSecret(d.PasswordFile, password); err != nil {
		return d, err
	}
	logger.Info("dev admin ready", "email", devAdminEmail, "created", created, "token_file", d.TokenFile)
	return d, nil
}

func randomSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeSecret(path, secret string) error {
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Chmod(path, 0o600) // an existing file keeps its mode through WriteFile
}
