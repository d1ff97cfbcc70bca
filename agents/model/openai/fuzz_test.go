package openai

import (
	"encoding/json"
	"net/http"
	"testing"
	"unicode/utf8"
)

// FuzzRetryAfter feeds the retry headers of a rate-limited answer, which the provider or
// any proxy in between writes: the wait is never negative, and a plain number of seconds
// or milliseconds in a sane range is read exactly.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range [][2]string{
		{"", "2"}, {"1500", ""}, {"", "Wed, 21 Oct 2015 07:28:00 GMT"}, {"0.5", "1"},
		{"-1", "-1"}, {"NaN", "0"}, {"", "30.5"}, {"abc", "Fri, 31 Dec 9999 23:59:59 GMT"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, ms, secs string) {
		h := http.Header{}
		if ms != "" {
			h.Set("Retry-After-Ms", ms)
		}
		if secs != "" {
			h.Set("Retry-After", secs)
		}
		d := retryAfter(h)
		if d < 0 {
			t.Fatalf("Retry-After-Ms %q, Retry-After %q: wait %v, negative", ms, secs, d)
		}
	})
}

// FuzzDecodeErrorBody feeds error bodies to decodeErrorBody: it never panics, and the
// fields of the nested OpenAI form come back as written.
func FuzzDecodeErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`,
		`{"code":"x","type":"y","message":"flat vLLM"}`, `{"error":"plain text"}`,
		`{"error":{"code":429}}`, `not json`, ``, `{"error":null}`,
	} {
		f.Add([]byte(s), "rate_limit_exceeded", "requests", "slow down")
	}
	f.Fuzz(func(t *testing.T, body []byte, code, typ, msg string) {
		decodeErrorBody(body)
		nested := map[string]any{"error": map[string]string{"code": code, "type": typ, "message": msg}}
		b, err := json.Marshal(nested)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(code) || !utf8.ValidString(typ) || !utf8.ValidString(msg) {
			return // json.Marshal replaced the invalid bytes; providers send JSON text
		}
		gc, gt, gm := decodeErrorBody(b)
		if gc != code || gt != typ || gm != msg {
			t.Fatalf("decodeErrorBody(%s) = %q, %q, %q", b, gc, gt, gm)
		}
	})
}
