package main

import (
	"fmt"
	"os"
	"strings"
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
	if code != 0 {
		// Show what the shared stack logged at warn level and above, to explain a failure.
		for _, line := range strings.Split(stackLogs.String(), "\n") {
			if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"level":"WARN"`) {
				fmt.Fprintln(os.Stderr, "stack log:", line)
			}
		}
	}
	if sharedStack != nil {
		sharedStack.stop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}
