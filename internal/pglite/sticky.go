package pglite

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// stickyQueue keeps each connection's extended-protocol exchange together on PGlite's one
// session (see sticky-queue.mjs).
//
//go:embed sticky-queue.mjs
var stickyQueue []byte

// writeStickyQueue puts the module next to the installed packages, where it resolves
// pglite-socket, and returns the file URL node imports it by ("" when pglite-socket is not
// installed there: the server script will say what is wrong).
func writeStickyQueue(packageDir string) (string, error) {
	if _, err := os.Stat(filepath.Join(packageDir, modulesDir, "@electric-sql", "pglite-socket", "package.json")); err != nil {
		return "", nil
	}
	path := filepath.Join(packageDir, modulesDir, ".attache-sticky-queue.mjs")
	if old, err := os.ReadFile(path); err != nil || !bytes.Equal(old, stickyQueue) {
		if err := os.WriteFile(path, stickyQueue, 0o644); err != nil {
			return "", fmt.Errorf("start pglite: write %s: %w", path, err)
		}
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String(), nil
}
