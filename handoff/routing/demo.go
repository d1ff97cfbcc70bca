package routing

import (
	_ "embed"
)

// demoTeams is the teams file of the dev stack and the tests.
//
//go:embed teams.json
var demoTeams []byte

// Demo returns a Router over the embedded demo teams file: Gulf Arabic, EU English and
// German, LATAM Spanish and Portuguese, Japan, an EU complaints desk and an English
// fallback desk, with their 2026 holidays and special hours.
func Demo() (*Router, error) { return Parse(demoTeams) }

// DemoFile returns a copy of the embedded demo teams file, as a starting point for a
// deployment's own.
func DemoFile() []byte { return append([]byte(nil), demoTeams...) }
