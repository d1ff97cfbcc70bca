// Package browser starts a headless Chromium for tests that drive attache's
// web pages in a real browser, through github.com/chromedp/chromedp.
//
// It is test plumbing, imported only from _test.go files, never by the
// product. It finds the browser (CHROMIUM_BIN, then /usr/bin/chromium, then
// chromium on PATH), launches it with the flags a closed network and a root
// user need, collects console errors and takes screenshots. A test fails
// when the browser is missing, because a skipped browser test hides a broken
// page; set ATTACHE_SKIP_BROWSER=1 to skip instead.
//
// It knows nothing about the pages themselves: tests bring their own server
// and selectors.
package browser

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/testutil/syncbuf"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Environment variables read by this package.
const (
	// EnvBinary names the Chromium or Chrome executable to use.
	EnvBinary = "CHROMIUM_BIN"
	// EnvSkip, set to 1, skips browser tests when no browser is installed.
	EnvSkip = "ATTACHE_SKIP_BROWSER"
	// EnvScreenshots names a directory that keeps screenshots after the
	// test; without it they go to the test's temporary directory.
	EnvScreenshots = "ATTACHE_SCREENSHOT_DIR"
)

// DefaultTimeout bounds each call of Do, Run and WaitFor.
const DefaultTimeout = 20 * time.Second

// Browser is one headless Chromium process with one tab, owned by a test.
// Its methods fail the test on error; they must be called from the test's
// goroutine, as t.Fatal requires.
type Browser struct {
	t       testing.TB
	ctx     context.Context
	timeout time.Duration
	console *consoleLog
}

// consoleLog holds the console errors of the tab, shared by the copies
// that For makes.
type consoleLog struct {
	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
}

// Option changes how New starts the browser.
type Option func(*config)

type config struct {
	width, height int
	timeout       time.Duration
	flags         map[string]any
}

// WindowSize sets the initial window size; the default is 1280×800.
func WindowSize(width, height int) Option {
	return func(c *config) { c.width, c.height = width, height }
}

// Timeout sets the limit of each Do, Run and WaitFor call.
func Timeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// Flag adds a Chromium command-line flag (without the leading dashes).
func Flag(name string, value any) Option {
	return func(c *config) { c.flags[name] = value }
}

// New starts a headless Chromium for the test and returns its first tab.
// The browser stops, and its profile directory is removed, when the test
// ends. The tab's language is en-US; see SetLanguage.
func New(t testing.TB, opts ...Option) *Browser {
	t.Helper()
	cfg := config{width: 1280, height: 800, timeout: DefaultTimeout, flags: map[string]any{}}
	for _, o := range opts {
		o(&cfg)
	}

	bin, err := FindChromium()
	if err != nil {
		if os.Getenv(EnvSkip) == "1" {
			t.Skipf("browser test skipped (%s=1): %v", EnvSkip, err)
		}
		t.Fatalf("browser test needs headless Chromium: %v\n"+
			"install it with `apt-get install chromium` (Debian/Ubuntu), or point %s at a Chrome/Chromium binary;\n"+
			"set %s=1 to skip browser tests instead", err, EnvBinary, EnvSkip)
	}

	// The profile directory is created before the cleanup that stops the
	// browser is registered, so that (cleanups run last-in first-out) the
	// browser has exited when the directory is removed.
	profile := t.TempDir()
	output := &syncbuf.Buffer{}
	allocOpts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(cfg.width, cfg.height),
		chromedp.CombinedOutput(output),
		// Needed here: tests run as root in containers without a GPU, on a
		// closed network where any background request only waits or fails.
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
	)
	for name, value := range cfg.flags {
		allocOpts = append(allocOpts, chromedp.Flag(name, value))
	}

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b := &Browser{t: t, ctx: ctx, timeout: cfg.timeout, console: &consoleLog{}}

	// The first action starts the browser; it must not run under a timeout,
	// which would stop the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start %s: %v\nbrowser output:\n%s", bin, err, tail(output.String(), 4000))
	}

	messages := chromedp.Console(ctx)
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				b.console.mu.Lock()
				b.console.messages = append(b.console.messages, m)
				b.console.mu.Unlock()
			}
		}
	}()

	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		<-collected
	})

	b.SetLanguage("en-US")
	return b
}

// FindChromium returns the browser executable: $CHROMIUM_BIN, else
// /usr/bin/chromium, else chromium or chromium-browser on PATH.
func FindChromium() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if err := executable(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBinary, p, err)
		}
		return p, nil
	}
	if executable("/usr/bin/chromium") == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium in " + EnvBinary + ", /usr/bin/chromium or PATH")
}

func executable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s: %w", path, fs.ErrPermission)
	}
	return nil
}

// For returns the same tab bound to another test, typically a subtest, so
// that a failure stops that test rather than its parent (t.Fatal must be
// called from the goroutine of the test it belongs to). The browser still
// stops when the test that called New ends.
func (b *Browser) For(t testing.TB) *Browser {
	c := *b
	c.t = t
	return &c
}

// Context returns the chromedp context of the tab, for chromedp.Run and
// chromedp.Do when a test needs its own error handling or timeout.
func (b *Browser) Context() context.Context { return b.ctx }

// Do runs the actions in order and fails the test on the first error.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// Run runs one action in the tab and returns its value; it fails the test
// on error. (A function, because Go methods cannot have type parameters.)
func Run[T any](b *Browser, action chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

// Eval evaluates a JavaScript expression in the page and decodes its value.
func Eval[T any](b *Browser, expression string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		b.t.Fatalf("browser: evaluate %s: %v", expression, err)
	}
	return v
}

// WaitFor waits until the JavaScript expression is truthy, and fails the
// test, quoting the expression, when it is not within the timeout.
func (b *Browser) WaitFor(expression string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expression,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(0)))
		// A page that navigates (a redirect to sign in, a form's submit) destroys the
		// context the poll ran in: poll again in the new page.
		if err != nil && ctx.Err() == nil && navigatedAway(err) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			b.t.Fatalf("browser: waiting for %s: %v", expression, err)
		}
		return
	}
}

// navigatedAway reports whether err says the page's execution context went away.
func navigatedAway(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context") || strings.Contains(msg, "Execution context was destroyed") ||
		strings.Contains(msg, "Inspected target navigated")
}

// SetLanguage makes the tab report the language tag (navigator.language,
// Accept-Language, Intl's default locale), as a customer's browser would.
// It applies to pages loaded afterwards.
func (b *Browser) SetLanguage(tag string) {
	b.t.Helper()
	ua := Eval[string](b, "navigator.userAgent")
	b.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride,
			emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: tag}); err != nil {
			return fmt.Errorf("set accept-language %s: %w", tag, err)
		}
		if _, err := cdp.Call(ctx, t, emulation.SetLocaleOverride,
			emulation.SetLocaleOverrideParams{Locale: tag}); err != nil {
			return fmt.Errorf("set locale %s: %w", tag, err)
		}
		return nil
	}))
}

// Press is an action that presses one key as a keyboard does: the key-down
// event carries the key's text, so a page that cancels keydown (a chat
// box that sends on Enter, say) also stops the character. chromedp's
// KeyEvent sends the character as a separate event that keydown cannot
// cancel. Keys are those of package kb, such as kb.Enter.
func Press(key string, modifiers ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range key {
			events := kb.Encode(r)
			var down, up *input.DispatchKeyEventParams
			text := ""
			for _, ev := range events {
				switch ev.Type {
				case kb.KeyDown:
					down = ev
				case kb.KeyUp:
					up = ev
				case kb.KeyChar:
					text = ev.Text
				}
			}
			if down == nil || up == nil {
				return fmt.Errorf("press %q: no key events", r)
			}
			for _, m := range modifiers {
				down.Modifiers |= int64(m)
				up.Modifiers |= int64(m)
			}
			down.Text, down.UnmodifiedText = text, text
			for _, ev := range []*input.DispatchKeyEventParams{down, up} {
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *ev); err != nil {
					return fmt.Errorf("press %q: %w", r, err)
				}
			}
		}
		return nil
	})
}

// SetViewport resizes the page's viewport, for example to 390×844 to see a
// phone layout. Options such as chromedp.EmulateMobile add touch and
// mobile behaviour.
func (b *Browser) SetViewport(width, height int, opts ...chromedp.EmulateViewportOption) {
	b.t.Helper()
	b.Do(chromedp.EmulateViewport(int64(width), int64(height), opts...))
}

// Screenshot captures the viewport as PNG into name+".png" and returns the
// file's path: in $ATTACHE_SCREENSHOT_DIR when set (kept after the test),
// else in the test's temporary directory. The path is logged.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	png := Run(b, chromedp.CaptureScreenshot())
	dir := os.Getenv(EnvScreenshots)
	if dir == "" {
		dir = b.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatalf("screenshot directory: %v", err)
	}
	path := filepath.Join(dir, sanitize(name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("write screenshot: %v", err)
	}
	b.t.Logf("screenshot %s", path)
	return path
}

// ConsoleErrors returns the console errors and uncaught exceptions that the
// page produced so far. Entries the browser itself logged (a failed
// resource load, for instance) have a non-empty Source, such as "network".
func (b *Browser) ConsoleErrors() []chromedp.ConsoleMessage {
	b.console.mu.Lock()
	defer b.console.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), b.console.messages...)
}

// ScriptErrors returns the console errors and exceptions that the page's
// scripts produced, leaving out the browser's own log entries, such as the
// network log of a 4xx response that the page expected.
func (b *Browser) ScriptErrors() []chromedp.ConsoleMessage {
	var out []chromedp.ConsoleMessage
	for _, m := range b.ConsoleErrors() {
		if m.Source == "" || m.Source == "javascript" {
			out = append(out, m)
		}
	}
	return out
}

func sanitize(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, name)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
