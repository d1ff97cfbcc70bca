package packet

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	lcopenai "github.com/tmc/langchaingo/llms/openai"

	"github.com/attache-dev/attache/handoff/translate"
	"github.com/attache-dev/attache/internal/testutil/openaistub"
)

func stubTranslator(t *testing.T) (*translate.Model, *openaistub.Server) {
	t.Helper()
	stub := openaistub.New(t)
	llm, err := lcopenai.New(
		lcopenai.WithToken("test-key"),
		lcopenai.WithModel("stub-translator"),
		lcopenai.WithBaseURL(stub.URL()),
		lcopenai.WithOrganization(""),
		lcopenai.WithAPIType(lcopenai.APITypeOpenAI),
		lcopenai.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}),
	)
	if err != nil {
		t.Fatal(err)
	}
	g, err := translate.DefaultGlossary()
	if err != nil {
		t.Fatal(err)
	}
	m, err := translate.NewModel(llm, translate.ModelConfig{Glossary: g})
	if err != nil {
		t.Fatal(err)
	}
	return m, stub
}

// englishReplies are what the stub model answers, in the order Localize asks: the
// summary, then each Arabic message (the English "ok thanks" needs no call).
var englishReplies = []string{
	"Customer wants: (refund_request) Hello, I received order number 784512 and the screen is broken. I want a full refund; (confirm) Yes, I confirm\n" +
		"Done: looked up order 784512 (delivered), 1450.00 SAR; lookup_order: succeeded\n" +
		"Pending: staff approval of create_refund for 1450.00 SAR, order 784512\n" +
		"Next step: Approve or reject the pending create_refund of 1450.00 SAR, then tell the customer.",
	"Hello, I am the shop's automated assistant. How can I help you?",
	"Hello, I received order number 784512 and the screen is broken. I want a full refund",
	"We are sorry about that. I found order 784512 worth 1450.00 riyals. Do you confirm the request for a full refund?",
	"Yes, I confirm",
	"The amount is above the limit I can approve; a staff member will review it and reply to you.",
	"This is very bad, I have been waiting for two weeks 😡",
}

func TestLocalizeWithModel(t *testing.T) {
	t.Parallel()
	tr, stub := stubTranslator(t)
	for _, r := range englishReplies {
		stub.Enqueue(openaistub.Reply{Text: r})
	}
	p := Build(arabicRefund())
	got, err := Localize(context.Background(), p, "en-GB", tr)
	if err != nil {
		t.Fatalf("Localize: %v", err)
	}
	if got.AgentLanguage != "en" || got.SummaryTranslated == nil {
		t.Fatalf("agent language %q, summary %+v", got.AgentLanguage, got.SummaryTranslated)
	}
	st := got.SummaryTranslated
	if st.Untranslated || st.From != "ar" || st.Engine != translate.EngineModel {
		t.Errorf("summary translation = %+v", st)
	}
	for _, want := range []string{"784512", "1450.00 SAR", "Pending: staff approval of create_refund"} {
		if !strings.Contains(st.Text, want) {
			t.Errorf("translated summary lacks %q", want)
		}
	}
	if got.Summary.Text != p.Summary.Text {
		t.Error("the original summary was changed")
	}
	if len(got.TranscriptTranslated) != len(p.Transcript) {
		t.Fatalf("%d translated lines for %d messages", len(got.TranscriptTranslated), len(p.Transcript))
	}
	line := got.TranscriptTranslated[1]
	if line.Original != p.Transcript[1].Text || line.Text != englishReplies[2] || line.Untranslated || line.Author != AuthorCustomer {
		t.Errorf("line 1 = %+v", line)
	}
	if last := got.TranscriptTranslated[6]; last.Engine != translate.EngineSameLanguage || last.Text != "ok thanks" || last.Untranslated {
		t.Errorf("English message = %+v, want copied without a call", last)
	}
	if n := len(stub.Requests()); n != len(englishReplies) {
		t.Errorf("%d model calls, want %d", n, len(englishReplies))
	}
	// The packet's Arabic summary mentions cash-on-delivery nowhere, so no glossary line
	// is sent; the refund line is (استرداد المبلغ → refund).
	if sys := stub.Requests()[2].Messages[0].Text(); !strings.Contains(sys, `"استرداد المبلغ" → "refund"`) {
		t.Errorf("glossary not applied to the refund request:\n%s", sys)
	}
}

func TestLocalizeWithPassthrough(t *testing.T) {
	t.Parallel()
	p := Build(arabicRefund())
	got, err := Localize(context.Background(), p, "en", translate.Passthrough{})
	if err != nil {
		t.Fatalf("Localize: %v", err)
	}
	st := got.SummaryTranslated
	if !st.Untranslated || st.From != "ar" || st.Text != p.Summary.Text || st.Engine != translate.EnginePassthrough {
		t.Errorf("summary = %+v, want the Arabic original marked untranslated", st)
	}
	for i, l := range got.TranscriptTranslated {
		wantUntranslated := i != 6 // message 6 is already English
		if l.Untranslated != wantUntranslated || l.Text != p.Transcript[i].Text {
			t.Errorf("line %d = %+v", i, l)
		}
		if wantUntranslated && l.From != "ar" {
			t.Errorf("line %d detected as %q, want ar", i, l.From)
		}
	}
}

func TestLocalizeKeepsGoingWhenOneTextFails(t *testing.T) {
	t.Parallel()
	tr, stub := stubTranslator(t)
	stub.Enqueue(openaistub.Reply{Text: englishReplies[0]}, openaistub.ServerError())
	for _, r := range englishReplies[2:] {
		stub.Enqueue(openaistub.Reply{Text: r})
	}
	got, err := Localize(context.Background(), Build(arabicRefund()), "en", tr)
	if !errors.Is(err, translate.ErrModel) {
		t.Fatalf("error = %v, want one ErrModel noted", err)
	}
	if !got.TranscriptTranslated[0].Untranslated || got.TranscriptTranslated[1].Untranslated || got.SummaryTranslated.Untranslated {
		t.Errorf("only message 0 should be untranslated: %+v", got.TranscriptTranslated[:2])
	}
}

func TestLocalizeStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := Build(arabicRefund())
	got, err := Localize(ctx, p, "en", translate.Passthrough{})
	if !errors.Is(err, context.Canceled) || got.SummaryTranslated != nil {
		t.Errorf("Localize on a cancelled context = %v, summary %+v", err, got.SummaryTranslated)
	}
}
