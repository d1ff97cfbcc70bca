package taboo

import "sync/atomic"

// Live is a Screener that can be replaced while it is in use: the admin API or a watcher
// installs a new one built from edited packs, and every later call sees it. Calls in flight
// finish on the Screener they started with. It is safe for concurrent use.
//
// A caller that screens one message more than once (screen, rewrite, screen again) takes
// one Screener with Current or WithObserver and uses it for all of them, so that the
// verdicts come from the same packs.
type Live struct {
	cur atomic.Pointer[Screener]
}

// NewLive returns a Live that starts with s; a nil s starts with Default().
func NewLive(s *Screener) *Live {
	if s == nil {
		s = Default()
	}
	l := &Live{}
	l.cur.Store(s)
	return l
}

// Current returns the Screener in use now.
func (l *Live) Current() *Screener { return l.cur.Load() }

// Set installs s for every later call; a nil s is ignored, so that a failed rebuild can
// never leave the Live without a Screener.
func (l *Live) Set(s *Screener) {
	if s != nil {
		l.cur.Store(s)
	}
}

// Screen screens text with the current Screener; see Screener.Screen.
func (l *Live) Screen(text string, ctx Context) Verdict { return l.cur.Load().Screen(text, ctx) }

// WithObserver returns the current Screener reporting every hit to o; later Sets do not
// change it.
func (l *Live) WithObserver(o Observer) *Screener { return l.cur.Load().WithObserver(o) }

// Packs returns the packs of the current Screener; see Screener.Packs.
func (l *Live) Packs() []Pack { return l.cur.Load().Packs() }
