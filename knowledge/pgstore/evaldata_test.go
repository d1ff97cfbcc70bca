package pgstore_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// evalData returns the directory of the shared third-party evaluation data, a sibling of the
// repository (../shared/evaldata from the module root), or skips the benchmark when it is
// absent: that data is read at run time and never copied into the repository.
func evalData(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("no go.mod above the working directory: cannot locate ../shared/evaldata")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "evaldata")
	if _, err := os.Stat(filepath.Join(data, "retrieval", "xquad")); err != nil {
		tb.Skipf("evaluation data absent (%s/retrieval/xquad): see the evaldata README for how to fetch it", data)
	}
	return data
}

// xquadParagraph is one paragraph of XQuAD, identified as the queries file names it.
type xquadParagraph struct {
	PID     string // a{article:02d}_p{paragraph:02d}
	Title   string
	Context string
}

// xquadQuery is one question of the queries file with the paragraph that answers it.
type xquadQuery struct {
	QID      string `json:"qid"`
	Lang     string `json:"lang"`
	Question string `json:"question"`
	GoldPID  string `json:"gold_pid"`
}

// loadXQuAD reads the paragraphs of one language (SQuAD v1.1 format).
func loadXQuAD(tb testing.TB, dir, lang string) []xquadParagraph {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "retrieval", "xquad", "xquad."+lang+".json"))
	if err != nil {
		tb.Fatalf("read XQuAD %s: %v", lang, err)
	}
	var doc struct {
		Data []struct {
			Title      string `json:"title"`
			Paragraphs []struct {
				Context string `json:"context"`
			} `json:"paragraphs"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatalf("parse XQuAD %s: %v", lang, err)
	}
	var out []xquadParagraph
	for a, art := range doc.Data {
		title := strings.ReplaceAll(art.Title, "_", " ")
		for p, par := range art.Paragraphs {
			pid := fmt.Sprintf("a%02d_p%02d", a, p)
			if title == "" {
				title = pid
			}
			out = append(out, xquadParagraph{PID: pid, Title: title, Context: par.Context})
		}
	}
	return out
}

// loadXQuADQueries reads the questions, grouped by language.
func loadXQuADQueries(tb testing.TB, dir string) map[string][]xquadQuery {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, "retrieval", "xquad_queries_dev.jsonl"))
	if err != nil {
		tb.Fatalf("open XQuAD queries: %v", err)
	}
	defer f.Close()
	out := make(map[string][]xquadQuery)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var q xquadQuery
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			tb.Fatalf("XQuAD queries line %d: %v", line, err)
		}
		out[q.Lang] = append(out[q.Lang], q)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read XQuAD queries: %v", err)
	}
	return out
}

// percentile returns the p-th percentile (0 < p ≤ 100, nearest rank) of ds in milliseconds.
func percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p/100+0.999999) - 1
	i = max(0, min(i, len(s)-1))
	return float64(s[i]) / float64(time.Millisecond)
}

func TestPercentileIsNearestRank(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		name string
		ds   []time.Duration
		p    float64
		want float64
	}{
		{"empty", nil, 50, 0},
		{"median of unsorted", ms(30, 10, 20), 50, 20},
		{"p95 of 20 is the 19th", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100), 95, 19},
		{"p100 is the maximum", ms(5, 1, 9), 100, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.ds, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tt.ds, tt.p, got, tt.want)
			}
		})
	}
}
