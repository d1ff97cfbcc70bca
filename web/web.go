// Package web holds the pages that the attache binary serves: the customer chat
// (index.html, with its post-chat survey) and the staff consoles — plain HTML, CSS and
// JavaScript embedded in the binary, with no build step and no request to any other
// origin (no CDN, no web fonts).
//
// The pages speak only the HTTP API; they own no business logic. This package does not
// serve anything itself and does not import the HTTP layer: httpapi mounts [Assets] at
// "/" (index.html), "/login" (login.html), "/console/knowledge" (console.html),
// "/console/agent" (agent.html), "/console/evals" (evals.html), "/console/rollout"
// (rollout.html), "/console/analytics" (dashboard.html) and "/static/".
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// Assets returns the page's files rooted at the static directory:
// "index.html", "app.js", "style.css" and "favicon.svg". index.html refers
// to the others under "/static/", so the HTTP layer serves this file system
// both at "/" (for index.html) and under "/static/".
func Assets() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// fs.Sub fails only on an invalid path, and "static" is valid.
		panic("web: " + err.Error())
	}
	return sub
}
