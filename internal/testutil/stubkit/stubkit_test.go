package stubkit_test

import (
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/attache-dev/attache/internal/testutil/stubkit"
)

func TestScript(t *testing.T) {
	t.Parallel()
	var s stubkit.Script[string]
	if _, seq, ok := s.Next(); ok || seq != 1 {
		t.Fatalf("empty script: seq %d ok %v, want 1 false", seq, ok)
	}
	s.Enqueue("a", "b")
	if n := s.Pending(); n != 2 {
		t.Errorf("Pending = %d, want 2", n)
	}
	s.Always("z")
	var got []string
	for range 4 {
		r, _, ok := s.Next()
		if !ok {
			t.Fatal("Next failed with a fallback set")
		}
		got = append(got, r)
	}
	if want := []string{"a", "b", "z", "z"}; !slices.Equal(got, want) || s.Pending() != 0 {
		t.Errorf("replies %q, pending %d; want %q, 0", got, s.Pending(), want)
	}
}

func TestLog(t *testing.T) {
	t.Parallel()
	var l stubkit.Log[[2]int]
	i := l.Add([2]int{1, 0})
	l.Add([2]int{2, 0})
	l.Update(i, func(q *[2]int) { q[1] = 200 })
	all := l.All()
	all[1][1] = -1 // a copy: the log is not changed
	if got := l.All(); got[0] != [2]int{1, 200} || got[1] != [2]int{2, 0} {
		t.Errorf("log = %v", got)
	}
}

// streamServer streams five events "e0".."e4" and "[END]" after a
// complete stream, cut as the X-Cut header says ("stall 2", ...).
func streamServer(t *testing.T) *stubkit.Server {
	var kit *stubkit.Server
	modes := map[string]stubkit.CutMode{"stall": stubkit.CutStall, "abort": stubkit.CutAbort, "end": stubkit.CutEnd, "error": stubkit.CutError}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var cut *stubkit.Cut
		if f := strings.Fields(r.Header.Get("X-Cut")); len(f) == 2 {
			cut = &stubkit.Cut{Mode: modes[f[0]], After: int(f[1][0] - '0')}
		}
		sse := stubkit.StartSSE(w)
		send := func(i int) { sse.Send("", "e"+string(rune('0'+i))) }
		if kit.Stream(r.Context(), 5, cut, send, func() { sse.Send("error", "boom") }) {
			sse.Raw("[END]")
		}
	})
	kit = stubkit.Start(t, "streamtest", h, nil)
	return kit
}

func TestStreamCuts(t *testing.T) {
	t.Parallel()
	kit := streamServer(t)
	tests := []struct {
		cut, want string
	}{
		{"", `data: "e0"|data: "e1"|data: "e2"|data: "e3"|data: "e4"|data: [END]`},
		{"end 2", `data: "e0"|data: "e1"`},
		{"error 1", `data: "e0"|event: error|data: "boom"`},
		{"end 9", `data: "e0"|data: "e1"|data: "e2"|data: "e3"|data: "e4"|data: [END]`},
	}
	for _, tt := range tests {
		resp, b := stubkit.Post(t, kit.URL(), "{}", "X-Cut", tt.cut)
		got := strings.Join(strings.FieldsFunc(string(b), func(r rune) bool { return r == '\n' }), "|")
		if resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" || got != tt.want {
			t.Errorf("cut %q: %s %q, want %q", tt.cut, resp.Header.Get("Content-Type"), got, tt.want)
		}
	}
}

func TestStreamAbortAndStall(t *testing.T) {
	t.Parallel()
	kit := streamServer(t)
	req, _ := http.NewRequest(http.MethodPost, kit.URL(), nil)
	req.Header.Set("X-Cut", "abort 1")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("aborted stream ended cleanly after %q", b)
		}
	}

	// A stalled stream is released when the server closes.
	req, _ = http.NewRequest(http.MethodPost, kit.URL(), nil)
	req.Header.Set("X-Cut", "stall 1")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	time.Sleep(50 * time.Millisecond)
	kit.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release a stalled stream")
	}
}

func TestPieces(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{"Hello there, friend", []string{"Hello", " there,", " friend"}},
		{"ご注文の商品は本日発送されました", []string{"ご注文の商品は本", "日発送されました"}},
		{"Internationalisation", []string{"Internat", "ionalisa", "tion"}},
		{"Votre commande est expédiée", []string{"Votre", " command", "e", " est", " expédié", "e"}},
	} {
		if got := stubkit.Deltas(tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Deltas(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
	args := `{"order":"東京-55"}`
	f := stubkit.Fragments(args)
	if strings.Join(f, "") != args || len(f) < 3 {
		t.Errorf("Fragments = %q", f)
	}
	for _, p := range f {
		if !utf8.ValidString(p) {
			t.Errorf("fragment %q cuts a rune", p)
		}
	}
	if f := stubkit.Fragments(""); f != nil {
		t.Errorf("Fragments(\"\") = %q, want none", f)
	}
}

func TestUndeclared(t *testing.T) {
	t.Parallel()
	if name, bad := stubkit.Undeclared([]string{"a", "c"}, []string{"a", "b"}); !bad || name != "c" {
		t.Errorf("Undeclared = %q %v, want c true", name, bad)
	}
	if _, bad := stubkit.Undeclared([]string{"b"}, []string{"a", "b"}); bad {
		t.Error("an offered tool reported")
	}
}

// recorder keeps the failures a stub reports instead of failing the test.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestTake(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	var script stubkit.Script[[]string] // a reply is the tools it calls
	script.Enqueue([]string{"order_status"}, []string{"refund"})
	var kit *stubkit.Server
	kit = stubkit.Start(rec, "takestub", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply, seq, ok := stubkit.Take(kit, &script, w, []string{"order_status"}, func(r []string) []string { return r },
			func(w http.ResponseWriter, msg string) { stubkit.WriteJSON(w, http.StatusInternalServerError, msg) })
		if ok {
			stubkit.WriteJSON(w, http.StatusOK, fmt.Sprint(seq, reply))
		}
	}), script.Pending)

	var got []string
	for range 3 {
		resp, b := stubkit.Post(t, kit.URL(), "{}")
		got = append(got, fmt.Sprint(resp.StatusCode, " ", strings.TrimSpace(string(b))))
	}
	want := []string{`200 "1 [order_status]"`, `500 "takestub: tool not offered"`, `500 "takestub: no scripted reply"`}
	if !slices.Equal(got, want) {
		t.Errorf("answers %q, want %q", got, want)
	}
	wantErrs := []string{`takestub: script calls tool "refund", which the request did not offer`, "takestub: request 3 arrived but the script is empty"}
	if !slices.Equal(rec.errs, wantErrs) {
		t.Errorf("reported %q, want %q", rec.errs, wantErrs)
	}
}
