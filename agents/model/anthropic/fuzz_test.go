package anthropic

import (
	"net/http"
	"testing"
)

// FuzzRetryAfter feeds the Retry-After header of a rate-limited answer, which the
// provider or any proxy in between writes: the wait is never negative.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"2", "0.5", "30", "Wed, 21 Oct 2015 07:28:00 GMT", "-1", "NaN", "",
		"Fri, 31 Dec 9999 23:59:59 GMT", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("Retry-After", v)
		if d := retryAfter(h); d < 0 {
			t.Fatalf("Retry-After %q: wait %v, negative", v, d)
		}
	})
}
