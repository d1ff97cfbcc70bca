package browser_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/testutil/browser"
	"github.com/chromedp/chromedp"
)

func TestFindChromium(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "chrome")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(dir, "chrome.txt")
	if err := os.WriteFile(notExec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     string
		want    string
		wantErr string
	}{
		{name: "env names an executable", env: fake, want: fake},
		{name: "env names a missing file", env: filepath.Join(dir, "nope"), wantErr: "CHROMIUM_BIN="},
		{name: "env names a file that is not executable", env: notExec, wantErr: "permission denied"},
		{name: "env names a directory", env: dir, wantErr: "permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(browser.EnvBinary, tt.env)
			got, err := browser.FindChromium()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("FindChromium() = %q, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("FindChromium() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// A page with a console error, an uncaught exception and a 404 fetch: the
// harness reports all three, and tells the script's apart from the browser's.
func TestBrowserCollectsErrorsAndTakesScreenshots(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><link rel="icon" href="data:,"></head>
<body style="background:#2457d6"><h1 id="h">ready</h1><script>
document.getElementById('h').dataset.lang = navigator.language;
console.error('boom from console');
fetch('/missing').then(() => { document.getElementById('h').dataset.fetched = '1'; });
setTimeout(() => { throw new Error('boom from timer'); }, 0);
</script></body></html>`)
	}))
	t.Cleanup(srv.Close)

	shots := t.TempDir()
	t.Setenv(browser.EnvScreenshots, shots)

	b := browser.New(t)
	b.SetLanguage("th-TH")
	b.Do(chromedp.Navigate(srv.URL))
	b.WaitFor(`document.getElementById('h').dataset.fetched === '1'`)

	if got := browser.Eval[string](b, `document.getElementById('h').dataset.lang`); got != "th-TH" {
		t.Errorf("navigator.language = %q, want th-TH after SetLanguage", got)
	}

	// The console's events reach the harness asynchronously.
	var texts []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		texts = texts[:0]
		for _, m := range b.ConsoleErrors() {
			texts = append(texts, m.String())
		}
		if len(texts) >= 3 || time.Now().After(deadline) {
			break
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"boom from console", "boom from timer", "404"} {
		if !strings.Contains(all, want) {
			t.Errorf("ConsoleErrors() lacks %q; got:\n%s", want, all)
		}
	}
	for _, m := range b.ScriptErrors() {
		if strings.Contains(m.Text, "404") {
			t.Errorf("ScriptErrors() includes the browser's network entry %q", m.Text)
		}
	}
	if n := len(b.ScriptErrors()); n != 2 {
		t.Errorf("ScriptErrors() has %d entries, want 2 (console.error and the exception)", n)
	}

	path := b.Screenshot("harness/blue page")
	if filepath.Dir(path) != shots {
		t.Errorf("screenshot written to %s, want it in %s", path, shots)
	}
	png, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("screenshot %s is not a PNG", path)
	}
}

// fakeT records how New ends a test when no browser is installed.
type fakeT struct {
	testing.TB
	fatal, skip string
}

type stopped struct{}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	panic(stopped{})
}
func (f *fakeT) Skipf(format string, args ...any) {
	f.skip = fmt.Sprintf(format, args...)
	panic(stopped{})
}

func TestNewWithoutBrowser(t *testing.T) {
	tests := []struct {
		name      string
		skipEnv   string
		wantFatal string
		wantSkip  string
	}{
		{name: "fails and says how to install", wantFatal: "apt-get install chromium"},
		{name: "skips when asked to", skipEnv: "1", wantSkip: "ATTACHE_SKIP_BROWSER=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(browser.EnvBinary, filepath.Join(t.TempDir(), "no-chromium"))
			t.Setenv(browser.EnvSkip, tt.skipEnv)
			f := &fakeT{TB: t}
			func() {
				defer func() {
					if r := recover(); r != nil {
						if _, ok := r.(stopped); !ok {
							panic(r)
						}
					}
				}()
				browser.New(f)
				t.Fatal("New returned without a browser")
			}()
			if tt.wantFatal != "" && !strings.Contains(f.fatal, tt.wantFatal) {
				t.Errorf("New failed the test with %q; want it to mention %q", f.fatal, tt.wantFatal)
			}
			if tt.wantSkip != "" && !strings.Contains(f.skip, tt.wantSkip) {
				t.Errorf("New skipped with %q, want it to mention %q (fatal: %q)", f.skip, tt.wantSkip, f.fatal)
			}
		})
	}
}
