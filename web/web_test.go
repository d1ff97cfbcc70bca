package web_test

import (
	"bytes"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/attache-dev/attache/web"
)

// element is the part of a parsed HTML element that the tests look at.
type element struct {
	tag    string
	attrs  map[string]string
	within []string // ids of the enclosing elements
}

func parseIndex(t *testing.T) []element {
	t.Helper()
	src, err := fs.ReadFile(web.Assets(), "index.html")
	if err != nil {
		t.Fatalf("index.html is not embedded: %v", err)
	}
	doc, err := html.Parse(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("parse index.html: %v", err)
	}
	var out []element
	var walk func(n *html.Node, within []string)
	walk = func(n *html.Node, within []string) {
		if n.Type == html.ElementNode {
			e := element{tag: n.Data, attrs: map[string]string{}, within: within}
			for _, a := range n.Attr {
				e.attrs[a.Key] = a.Val
			}
			out = append(out, e)
			if id := e.attrs["id"]; id != "" {
				within = append(within[:len(within):len(within)], id)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, within)
		}
	}
	walk(doc, nil)
	return out
}

func TestAssetsAreEmbedded(t *testing.T) {
	for _, name := range []string{"index.html", "app.js", "style.css", "favicon.svg"} {
		b, err := fs.ReadFile(web.Assets(), name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(bytes.TrimSpace(b)) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
}

// Every asset the page loads is served from /static/ and is embedded; none
// comes from another origin, because deployments may have no internet.
func TestIndexReferencesEmbeddedAssetsOnly(t *testing.T) {
	want := map[string]bool{"/static/app.js": false, "/static/style.css": false, "/static/favicon.svg": false}
	for _, e := range parseIndex(t) {
		for _, attr := range []string{"src", "href"} {
			ref, ok := e.attrs[attr]
			if !ok {
				continue
			}
			if !strings.HasPrefix(ref, "/static/") {
				t.Errorf("<%s %s=%q> does not load from /static/", e.tag, attr, ref)
				continue
			}
			if _, err := fs.Stat(web.Assets(), strings.TrimPrefix(ref, "/static/")); err != nil {
				t.Errorf("<%s %s=%q> is not embedded: %v", e.tag, attr, ref, err)
			}
			want[ref] = true
		}
	}
	for ref, seen := range want {
		if !seen {
			t.Errorf("index.html does not reference %s", ref)
		}
	}
	for _, name := range []string{"style.css", "index.html"} {
		b, _ := fs.ReadFile(web.Assets(), name)
		for _, bad := range []string{"://", "@import", "url(//"} {
			if bytes.Contains(b, []byte(bad)) {
				t.Errorf("%s contains %q: the page must not load anything from another origin", name, bad)
			}
		}
	}
}

// The hooks that tests and the accessibility contract rely on are present.
func TestIndexHooks(t *testing.T) {
	elems := parseIndex(t)
	tests := []struct {
		name    string
		tag, id string
		attrs   map[string]string
		within  string // id of an enclosing element
	}{
		{name: "transcript is a polite live log", tag: "div", id: "transcript", attrs: map[string]string{"role": "log", "aria-live": "polite"}},
		{name: "textarea in the composer", tag: "textarea", id: "message", within: "composer"},
		{name: "textarea has a label", tag: "label", attrs: map[string]string{"for": "message"}, within: "composer"},
		{name: "send button submits the composer", tag: "button", id: "send", attrs: map[string]string{"type": "submit"}, within: "composer"},
		{name: "error line is polite", tag: "p", id: "error", attrs: map[string]string{"aria-live": "polite"}},
		{name: "viewport fits phones", tag: "meta", attrs: map[string]string{"name": "viewport"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, e := range elems {
				if e.tag == tt.tag && (tt.id == "" || e.attrs["id"] == tt.id) &&
					hasAttrs(e, tt.attrs) && (tt.within == "" || slices.Contains(e.within, tt.within)) {
					return
				}
			}
			t.Errorf("index.html has no <%s id=%q> with %v inside #%s", tt.tag, tt.id, tt.attrs, tt.within)
		})
	}
}

func hasAttrs(e element, want map[string]string) bool {
	for k, v := range want {
		if e.attrs[k] != v {
			return false
		}
	}
	return true
}
