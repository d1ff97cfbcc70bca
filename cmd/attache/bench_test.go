package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/conversation/pgstore"
)

// latencies runs fn n times and returns the sorted durations.
func latencies(b *testing.B, n int, fn func(i int)) []time.Duration {
	b.Helper()
	out := make([]time.Duration, n)
	for i := range n {
		start := time.Now()
		fn(i)
		out[i] = time.Since(start)
	}
	slices.Sort(out)
	return out
}

func pct(d []time.Duration, p float64) time.Duration { return d[int(float64(len(d)-1)*p)] }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

var benchTexts = []string{"Hello", "¿Dónde está mi pedido?", "Wo ist meine Bestellung?", "Merci beaucoup", "注文はいつ届きますか？", "ขอบคุณครับ"}

// BenchmarkFullTurn measures one customer turn through HTTP → Temporal (Update-With-Start,
// two activities) → PostgreSQL → the offline engine, and, in the same run, a bare gin handler
// answering a JSON POST over loopback HTTP: the ratio is what the whole durable path costs
// on top of plain HTTP.
func BenchmarkFullTurn(b *testing.B) {
	s := stack(b)
	c := &http.Client{}
	post := func(url, body string) {
		resp, err := c.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 && resp.StatusCode != 201 {
			b.Fatalf("POST %s: %d", url, resp.StatusCode)
		}
	}

	gin.SetMode(gin.ReleaseMode)
	bare := gin.New()
	bare.POST("/echo", func(ctx *gin.Context) {
		var v struct{ Text string }
		_ = ctx.BindJSON(&v)
		ctx.JSON(200, gin.H{"text": v.Text})
	})
	bareSrv := httptest.NewServer(bare)
	defer bareSrv.Close()

	n := max(b.N, 20)
	convs := make([]string, n/10+1)
	for i := range convs {
		convs[i] = apiClient{t: b, base: s.http.URL()}.newConversation("")
	}
	b.ResetTimer()
	baseline := latencies(b, n, func(i int) { post(bareSrv.URL+"/echo", `{"text":"Hello"}`) })
	turns := latencies(b, n, func(i int) {
		body := fmt.Sprintf(`{"text":%q,"turn_id":"bench-%d"}`, benchTexts[i%len(benchTexts)], i)
		post(s.http.URL()+"/v1/conversations/"+convs[i/10]+"/messages", body)
	})
	b.StopTimer()
	b.ReportMetric(ms(pct(turns, 0.5)), "turn-p50-ms")
	b.ReportMetric(ms(pct(turns, 0.95)), "turn-p95-ms")
	b.ReportMetric(ms(pct(baseline, 0.5)), "bare-gin-p50-ms")
	b.ReportMetric(ms(pct(baseline, 0.95)), "bare-gin-p95-ms")
	b.ReportMetric(float64(pct(turns, 0.5))/float64(pct(baseline, 0.5)), "ratio-p50")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkWorkflowTurn measures a turn sent to the workflow with the Temporal client (no
// HTTP) against the same two activities called directly as functions on the same database:
// the ratio is what Temporal's durability costs per turn.
func BenchmarkWorkflowTurn(b *testing.B) {
	s := stack(b)
	ctx := context.Background()
	store := pgstore.New(s.pool)
	// The worker's own activities, called as functions (their live events go to the stack's
	// hub, which nobody here subscribes to).
	acts := s.acts
	n := max(b.N, 20)
	newConv := func() string {
		conv, err := store.Create(ctx, conversation.NewConversation{})
		if err != nil {
			b.Fatal(err)
		}
		return conv.ID
	}
	directConvs, wfConvs := make([]string, n/10+1), make([]string, n/10+1)
	for i := range directConvs {
		directConvs[i], wfConvs[i] = newConv(), newConv()
	}
	b.ResetTimer()
	direct := latencies(b, n, func(i int) {
		conv, turn, text := directConvs[i/10], fmt.Sprint("d-", i), benchTexts[i%len(benchTexts)]
		if _, err := acts.SaveInbound(ctx, agents.SaveInboundInput{ConversationID: conv, TurnID: turn, Text: text}); err != nil {
			b.Fatal(err)
		}
		if _, err := acts.Respond(ctx, agents.RespondInput{ConversationID: conv, TurnID: turn, Text: text}); err != nil {
			b.Fatal(err)
		}
	})
	wf := latencies(b, n, func(i int) {
		req := agents.TurnRequest{TurnID: fmt.Sprint("w-", i), Text: benchTexts[i%len(benchTexts)]}
		if _, err := s.turns.SendTurn(ctx, wfConvs[i/10], req, 30*time.Second); err != nil {
			b.Fatal(err)
		}
	})
	b.StopTimer()
	b.ReportMetric(ms(pct(wf, 0.5)), "workflow-p50-ms")
	b.ReportMetric(ms(pct(wf, 0.95)), "workflow-p95-ms")
	b.ReportMetric(ms(pct(direct, 0.5)), "direct-p50-ms")
	b.ReportMetric(ms(pct(direct, 0.95)), "direct-p95-ms")
	b.ReportMetric(float64(pct(wf, 0.5))/float64(pct(direct, 0.5)), "ratio-p50")
	b.ReportMetric(0, "ns/op")
}
