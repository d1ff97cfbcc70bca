package hashembed

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-dev/attache/knowledge"
)

func TestEmbedIsUnitLengthAndDeterministic(t *testing.T) {
	t.Parallel()
	e := New(DefaultDims)
	for _, text := range []string{"Where is my order #W2378156?", "我的订单在哪里", "ที่อยู่จัดส่ง", "a"} {
		v := e.Embed(text)
		if len(v) != DefaultDims {
			t.Fatalf("Embed(%q): len %d, want %d", text, len(v), DefaultDims)
		}
		var sum float64
		for _, x := range v {
			sum += float64(x) * float64(x)
		}
		if math.Abs(sum-1) > 1e-4 {
			t.Errorf("Embed(%q): squared norm %f, want 1", text, sum)
		}
		w := New(DefaultDims).Embed(text)
		for i := range v {
			if v[i] != w[i] {
				t.Fatalf("Embed(%q) differs between two embedders at %d", text, i)
			}
		}
	}
}

func TestEmbedWithoutWordsIsZero(t *testing.T) {
	t.Parallel()
	e := New(64)
	for _, text := range []string{"", "   ", "?!…", "— :-)"} {
		for i, x := range e.Embed(text) {
			if x != 0 {
				t.Fatalf("Embed(%q)[%d] = %v, want the zero vector", text, i, x)
			}
		}
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	if got := New(0).Dims(); got != DefaultDims {
		t.Errorf("New(0).Dims() = %d, want %d", got, DefaultDims)
	}
	if got := New(128).Dims(); got != 128 {
		t.Errorf("New(128).Dims() = %d, want 128", got)
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"¿Dónde está mi PEDIDO?", "¿donde esta mi pedido?"},
		{"Straße", "strasse"},
		{"Đơn hàng của tôi", "don hang cua toi"},
		{"ＡＢＣ１２３", "abc123"},   // full-width forms typed on CJK keyboards
		{"ที่อยู่", "ที่อยู่"}, // Thai tone and vowel marks carry meaning
		{"ガイド", "ガイド"},         // so does the Japanese voicing mark
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSimilarity checks what retrieval and intent matching rely on: paraphrases sharing
// words, typos and unaccented spellings stay closer to each other than to other requests.
func TestSimilarity(t *testing.T) {
	t.Parallel()
	e := New(DefaultDims)
	tests := []struct {
		name             string
		query, near, far string
		minNear          float32
	}{
		{"accents do not matter", "¿Dónde está mi pedido?", "donde esta mi pedido", "quiero un reembolso", 0.999},
		{"typos", "I want to cancel my order", "i wanna cancle my ordr", "how long does shipping take", 0.3},
		{"paraphrase", "where is my order", "where is my parcel right now", "I want my money back", 0.3},
		{"german compounds", "Wo ist meine Bestellung?", "Bestellnummer und Lieferstatus meiner Bestellung", "Ich möchte mit einem Menschen sprechen", 0.2},
		{"chinese without spaces", "我的订单在哪里", "我的订单到哪了", "我要退款", 0.3},
		{"chinese question and the passage that answers it", "退货运费由谁承担？", "如果商品有质量问题，退货运费由我们承担。", "订单发货后一般三到五天送达。", 0.2},
		{"latin brand inside chinese text", "iPhone手机可以退货吗", "iphone 手机 退货", "我要改地址", 0.5},
		{"japanese", "注文した商品がまだ届きません", "商品がまだ届かない", "返金してください", 0.3},
		{"thai", "พัสดุของฉันอยู่ที่ไหน", "พัสดุอยู่ไหนคะ", "ขอคืนเงิน", 0.3},
		{"arabic", "أين طلبي؟", "وين طلبي", "أريد استرداد المبلغ", 0.2},
	}
	for _, tt := range tests {
		q := e.Embed(tt.query)
		near, far := Cosine(q, e.Embed(tt.near)), Cosine(q, e.Embed(tt.far))
		t.Logf("%s: near %.3f far %.3f", tt.name, near, far)
		if near < tt.minNear || near <= far {
			t.Errorf("%s: cos(%q, %q) = %.3f, cos(..., %q) = %.3f; want near ≥ %.2f and above far",
				tt.name, tt.query, tt.near, near, tt.far, far, tt.minNear)
		}
	}
}

func TestEmbedBatch(t *testing.T) {
	t.Parallel()
	e := New(96)
	texts := []string{"hello", "", "注文番号 123456", "pedido 4567"}
	got, err := e.EmbedBatch(context.Background(), texts)
	if err != nil {
		t.Fatalf("EmbedBatch: %v", err)
	}
	if len(got) != len(texts) {
		t.Fatalf("EmbedBatch returned %d vectors, want %d", len(got), len(texts))
	}
	for i, text := range texts {
		want := e.Embed(text)
		for j := range want {
			if got[i][j] != want[j] {
				t.Fatalf("EmbedBatch[%d] differs from Embed(%q) at %d", i, text, j)
			}
		}
	}
	// Appending to one vector must not spill into the next.
	_ = append(got[0], 1)
	if got[1][0] != e.Embed(texts[1])[0] {
		t.Fatal("vectors of a batch share capacity")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.EmbedBatch(ctx, texts); !errors.Is(err, context.Canceled) {
		t.Fatalf("EmbedBatch with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestEmbedConcurrent(t *testing.T) {
	t.Parallel()
	e := New(DefaultDims)
	want := e.Embed("Wo ist meine Bestellung?")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				got := e.Embed("Wo ist meine Bestellung?")
				for i := range want {
					if got[i] != want[i] {
						t.Error("concurrent Embed gave a different vector")
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

var benchTexts = []string{
	"Hi, where is my order #W2378156? It was supposed to arrive last week.",
	"¿Dónde está mi pedido? Lo compré hace diez días y todavía no llega",
	"Ich möchte meine Bestellung stornieren, bitte. Bestellnummer 4711",
	"注文した商品がまだ届きません。注文番号は123456です。",
	"พัสดุของฉันยังไม่มาเลยค่ะ สั่งไปตั้งแต่วันจันทร์",
}

var sink int

// BenchmarkEmbed reports ns/op for one short customer message and, as "x-baseline", how
// many times slower that is than lower-casing and splitting the same texts into words —
// the least any text pipeline does — timed in the same run for the same number of
// iterations.
func BenchmarkEmbed(b *testing.B) {
	e := New(DefaultDims)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sink += len(e.Embed(benchTexts[i%len(benchTexts)]))
		i++
	}
	embedNs := float64(b.Elapsed().Nanoseconds())

	start := time.Now()
	for i := range b.N {
		sink += len(strings.Fields(strings.ToLower(benchTexts[i%len(benchTexts)])))
	}
	if baseNs := float64(time.Since(start).Nanoseconds()); baseNs > 0 {
		b.ReportMetric(embedNs/baseNs, "x-baseline")
	}
}

var _ knowledge.Embedder = (*Embedder)(nil)
