package main

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// keys are the secrets derived from ATTACHE_MASTER_KEY, one per use, so that no key serves
// two purposes.
type keys struct {
	historyKEK []byte // wraps each conversation's Temporal-history key
	privacy    []byte // keys the hashes privacy requests are recorded under
}

func deriveKeys(master []byte) (keys, error) {
	h, err := hkdf.Key(sha256.New, master, nil, "attache history kek v1", 32)
	if err != nil {
		return keys{}, fmt.Errorf("derive the history key: %w", err)
	}
	p, err := hkdf.Key(sha256.New, master, nil, "attache privacy subject hmac v1", 32)
	if err != nil {
		return keys{}, fmt.Errorf("derive the privacy key: %w", err)
	}
	return keys{historyKEK: h, privacy: p}, nil
}

// devMasterKey reads the dev stack's master key from the data directory, creating it (0600)
// the first time: dev needs no setting, and its encrypted history stays readable across
// restarts.
func devMasterKey(dataDir string) ([]byte, error) {
	path := filepath.Join(dataDir, "master-key")
	if b, err := os.ReadFile(path); err == nil {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("%s is not the base64 of 32 bytes; restore it (encrypted history needs it)", path)
		}
		return k, nil
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k) // never fails (crypto/rand)
	if err := writeSecret(path, base64.StdEncoding.EncodeToString(k)); err != nil {
		return nil, err
	}
	return k, nil
}
