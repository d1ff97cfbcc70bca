package pglite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/attache-dev/attache/internal/filelock"
)

const (
	// PackageDirEnv names a directory holding the pinned package.json and package-lock.json,
	// overriding the search for deploy/pglite.
	PackageDirEnv = "ATTACHE_PGLITE_DIR"

	packageDirRel = "deploy/pglite"
	lockFile      = "package-lock.json"
	modulesDir    = "node_modules"
	// stampFile, inside node_modules, holds the SHA-256 of the package-lock.json that the
	// tree was installed from. npm ci deletes node_modules first, so a stale stamp cannot
	// survive a reinstall.
	stampFile = ".attache-installed"
	// hiddenLockFile is npm's own record of what it installed into node_modules.
	hiddenLockFile = ".package-lock.json"
	serverScript   = "node_modules/@electric-sql/pglite-socket/dist/scripts/server.js"
)

// nodeMissing is the advice given when node or npm is not on PATH.
const nodeMissing = "install Node.js 20 or newer (it includes npm) from https://nodejs.org or your system's package manager, and make sure node and npm are on PATH"

// FindPackageDir returns the directory holding PGlite's package.json and package-lock.json:
// $ATTACHE_PGLITE_DIR when set, else the first deploy/pglite found walking up from the
// working directory.
func FindPackageDir() (string, error) {
	if dir := os.Getenv(PackageDirEnv); dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", fmt.Errorf("%s: %w", PackageDirEnv, err)
		}
		if _, err := os.Stat(filepath.Join(abs, lockFile)); err != nil {
			return "", fmt.Errorf("%s=%s: no %s there: %w", PackageDirEnv, dir, lockFile, err)
		}
		return abs, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find %s: %w", packageDirRel, err)
	}
	for dir := wd; ; {
		candidate := filepath.Join(dir, filepath.FromSlash(packageDirRel))
		if _, err := os.Stat(filepath.Join(candidate, lockFile)); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no %s/%s in %s or any parent directory; run from the Attaché checkout or set %s", packageDirRel, lockFile, wd, PackageDirEnv)
		}
		dir = parent
	}
}

// EnsureInstalled makes packageDir/node_modules match packageDir/package-lock.json, running
// `npm ci --no-audit --no-fund` when it is missing or was installed from another lock file.
// packageDir "" means FindPackageDir. Concurrent calls from several processes on one
// directory install once. It fails with advice when npm is needed and not on PATH.
func EnsureInstalled(ctx context.Context, packageDir string, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}
	if packageDir == "" {
		dir, err := FindPackageDir()
		if err != nil {
			return err
		}
		packageDir = dir
	}
	lockPath := filepath.Join(packageDir, lockFile)
	lockData, err := os.ReadFile(lockPath)
	if err != nil {
		return fmt.Errorf("pglite packages: %w", err)
	}
	want := lockHash(lockData)
	if installed(packageDir, want, lockData) {
		return nil
	}

	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("pglite packages in %s need installing, but npm is not on PATH: %s", packageDir, nodeMissing)
	}
	unlock, err := filelock.Wait(ctx, lockPath)
	if err != nil {
		return err
	}
	defer unlock()
	// Another process may have installed while we waited.
	if installed(packageDir, want, lockData) {
		return nil
	}

	logger.Info("installing pglite npm packages", "dir", packageDir)
	began := time.Now()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = packageDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm ci in %s: %w\n%s", packageDir, err, tailLines(out, 20))
	}
	if err := os.WriteFile(filepath.Join(packageDir, modulesDir, stampFile), []byte(want+"\n"), 0o644); err != nil {
		return fmt.Errorf("record pglite install: %w", err)
	}
	logger.Info("installed pglite npm packages", "dir", packageDir, "duration", time.Since(began).Round(time.Millisecond))
	return nil
}

// lockHash is the stamp content for a lock file.
func lockHash(lockData []byte) string {
	sum := sha256.Sum256(lockData)
	return hex.EncodeToString(sum[:])
}

// installed reports whether node_modules holds what the lock file (hash want) pins: by our
// stamp, or, for a tree npm installed without us, by npm's hidden lock file listing exactly
// the same packages at the same versions and integrity hashes (then the stamp is written).
func installed(packageDir, want string, lockData []byte) bool {
	if _, err := os.Stat(filepath.Join(packageDir, filepath.FromSlash(serverScript))); err != nil {
		return false
	}
	stampPath := filepath.Join(packageDir, modulesDir, stampFile)
	if got, err := os.ReadFile(stampPath); err == nil {
		return string(bytes.TrimSpace(got)) == want
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	hidden, err := os.ReadFile(filepath.Join(packageDir, modulesDir, hiddenLockFile))
	if err != nil || !samePackages(lockData, hidden) {
		return false
	}
	_ = os.WriteFile(stampPath, []byte(want+"\n"), 0o644)
	return true
}

// samePackages compares the installed packages of two npm lock files (lockfileVersion 2 or 3).
func samePackages(a, b []byte) bool {
	pa, erra := lockedPackages(a)
	pb, errb := lockedPackages(b)
	if erra != nil || errb != nil || len(pa) == 0 || len(pa) != len(pb) {
		return false
	}
	for path, p := range pa {
		if pb[path] != p {
			return false
		}
	}
	return true
}

type lockedPackage struct {
	Version   string `json:"version"`
	Integrity string `json:"integrity"`
}

func lockedPackages(data []byte) (map[string]lockedPackage, error) {
	var lock struct {
		Packages map[string]lockedPackage `json:"packages"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, err
	}
	delete(lock.Packages, "") // the root project itself
	return lock.Packages, nil
}

// tailLines returns the last n lines of out.
func tailLines(out []byte, n int) string {
	out = bytes.TrimRight(out, "\n")
	lines := bytes.Split(out, []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
