package main

import (
	"os"
	"testing"
)

var packageTempDir string

func tempDirForPackage() string { return packageTempDir }

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "attache-e2e-")
	if err != nil {
		panic(err)
	}
	packageTempDir = dir
	code := m.Run()
	if sharedStack != nil {
		sharedStack.stop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}
