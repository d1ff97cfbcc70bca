package pglite

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const testLock = `{
  "name": "attache-pglite",
  "lockfileVersion": 3,
  "packages": {
    "": {"dependencies": {"@electric-sql/pglite": "0.5.14"}},
    "node_modules/@electric-sql/pglite": {"version": "0.5.14", "integrity": "sha512-aaa"}
  }
}`

// fakeNPM puts an npm on PATH that logs its arguments to calls and installs a package tree
// holding the server script and npm's hidden lock file (with hiddenLock as content).
func fakeNPM(t *testing.T, calls string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in npm is a shell script")
	}
	bin := t.TempDir()
	script := `#!/bin/sh
echo "$@" >> '` + calls + `'
rm -rf node_modules
mkdir -p node_modules/@electric-sql/pglite-socket/dist/scripts
echo 'console.log("stand-in")' > node_modules/@electric-sql/pglite-socket/dist/scripts/server.js
cp package-lock.json node_modules/.package-lock.json
echo "added 1 package"
`
	writeFile(t, filepath.Join(bin, "npm"), []byte(script))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestEnsureInstalled(t *testing.T) {
	tests := []struct {
		name string
		// prepare makes the package directory's state; it may put a stand-in npm on PATH.
		prepare func(t *testing.T, dir, calls string)
		// wantCalls is the npm command lines run, one per line.
		wantCalls string
		wantErr   []string // substrings of the error; nil = success
	}{
		{
			name:      "fresh checkout runs npm ci",
			prepare:   func(t *testing.T, dir, calls string) { fakeNPM(t, calls) },
			wantCalls: "ci --no-audit --no-fund\n",
		},
		{
			name: "stamp matching the lock file needs no npm",
			prepare: func(t *testing.T, dir, calls string) {
				installTree(t, dir)
				writeFile(t, filepath.Join(dir, modulesDir, stampFile), []byte(lockHash([]byte(testLock))+"\n"))
				t.Setenv("PATH", t.TempDir())
			},
		},
		{
			name: "tree installed by npm by hand is adopted",
			prepare: func(t *testing.T, dir, calls string) {
				installTree(t, dir)
				writeFile(t, filepath.Join(dir, modulesDir, hiddenLockFile), []byte(testLock))
				t.Setenv("PATH", t.TempDir())
			},
		},
		{
			name: "changed lock file reinstalls",
			prepare: func(t *testing.T, dir, calls string) {
				installTree(t, dir)
				writeFile(t, filepath.Join(dir, modulesDir, stampFile), []byte(lockHash([]byte("older lock"))+"\n"))
				fakeNPM(t, calls)
			},
			wantCalls: "ci --no-audit --no-fund\n",
		},
		{
			name: "hand-installed tree of other versions reinstalls",
			prepare: func(t *testing.T, dir, calls string) {
				installTree(t, dir)
				writeFile(t, filepath.Join(dir, modulesDir, hiddenLockFile), []byte(strings.ReplaceAll(testLock, "0.5.14", "0.5.13")))
				fakeNPM(t, calls)
			},
			wantCalls: "ci --no-audit --no-fund\n",
		},
		{
			name: "deleted server script reinstalls",
			prepare: func(t *testing.T, dir, calls string) {
				writeFile(t, filepath.Join(dir, modulesDir, stampFile), []byte(lockHash([]byte(testLock))+"\n"))
				fakeNPM(t, calls)
			},
			wantCalls: "ci --no-audit --no-fund\n",
		},
		{
			name:    "no npm on PATH says what to install",
			prepare: func(t *testing.T, dir, calls string) { t.Setenv("PATH", t.TempDir()) },
			wantErr: []string{"npm is not on PATH", "install Node.js"},
		},
		{
			name: "failing npm shows its output",
			prepare: func(t *testing.T, dir, calls string) {
				bin := t.TempDir()
				writeFile(t, filepath.Join(bin, "npm"), []byte("#!/bin/sh\necho 'npm error code E404' >&2\nexit 1\n"))
				t.Setenv("PATH", bin)
			},
			wantErr: []string{"npm ci", "exit status 1", "npm error code E404"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, lockFile), []byte(testLock))
			calls := filepath.Join(t.TempDir(), "calls")
			tc.prepare(t, dir, calls)

			err := EnsureInstalled(context.Background(), dir, testLogger())
			if tc.wantErr != nil {
				if err == nil {
					t.Fatal("EnsureInstalled succeeded, want an error")
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("EnsureInstalled: %v", err)
			}
			got, _ := os.ReadFile(calls)
			if string(got) != tc.wantCalls {
				t.Errorf("npm ran %q, want %q", got, tc.wantCalls)
			}
			// Installed now: a second call runs nothing more.
			if err := EnsureInstalled(context.Background(), dir, testLogger()); err != nil {
				t.Fatalf("second EnsureInstalled: %v", err)
			}
			if again, _ := os.ReadFile(calls); string(again) != tc.wantCalls {
				t.Errorf("second call ran npm again: %q", again)
			}
		})
	}
}

func installTree(t *testing.T, dir string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, filepath.FromSlash(serverScript)), []byte(`console.log("stand-in")`))
}

func TestFindPackageDir(t *testing.T) {
	// The tests run in internal/pglite; deploy/pglite is two levels up.
	t.Setenv(PackageDirEnv, "")
	got, err := FindPackageDir()
	if err != nil {
		t.Fatalf("FindPackageDir from the package directory: %v", err)
	}
	if !strings.HasSuffix(filepath.ToSlash(got), "/"+packageDirRel) {
		t.Errorf("FindPackageDir = %q, want a path ending in %s", got, packageDirRel)
	}

	elsewhere := t.TempDir()
	writeFile(t, filepath.Join(elsewhere, lockFile), []byte(testLock))
	t.Setenv(PackageDirEnv, elsewhere)
	if got, err := FindPackageDir(); err != nil || got != elsewhere {
		t.Errorf("with %s=%s: FindPackageDir = %q, %v", PackageDirEnv, elsewhere, got, err)
	}

	t.Setenv(PackageDirEnv, "")
	t.Chdir(t.TempDir())
	if _, err := FindPackageDir(); err == nil || !strings.Contains(err.Error(), PackageDirEnv) {
		t.Errorf("outside a checkout: error %v, want one naming %s", err, PackageDirEnv)
	}
}
