package translate_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tmc/langchaingo/llms"
	lcopenai "github.com/tmc/langchaingo/llms/openai"

	"github.com/attache-dev/attache/handoff/translate"
	"github.com/attache-dev/attache/internal/testutil/openaistub"
)

// newStubModel returns a Model translating through langchaingo's OpenAI client pointed
// at a fresh stub. Every option is set explicitly: langchaingo reads OPENAI_* from the
// environment for the ones left out.
func newStubModel(t *testing.T) (*translate.Model, *openaistub.Server) {
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
		t.Fatalf("langchaingo openai client: %v", err)
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

func TestModelTranslatesWithGlossary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, from, to, reply string
		wantFrom                    string
		wantInPrompt                []string
	}{
		{
			name:     "arabic customer to english agent",
			text:     "هل يمكنني الدفع عند الاستلام للطلب 784512؟ بريدي [email_1]",
			from:     "ar-SA",
			to:       "en",
			reply:    "Can I pay cash on delivery for order 784512? My email is [email_1]",
			wantFrom: "ar",
			wantInPrompt: []string{
				`"الدفع عند الاستلام" → "cash on delivery"`,
				"from Arabic (ar) to English (en)",
				"[email_1]",
			},
		},
		{
			name:         "english agent to german customer, source detected",
			text:         "Yes, you can pay cash on delivery for order 784512.",
			to:           "de-AT",
			reply:        "Ja, Sie können die Bestellung 784512 per Nachnahme bezahlen.",
			wantFrom:     "en",
			wantInPrompt: []string{`"cash on delivery" → "Nachnahme"`, "to German (de)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, stub := newStubModel(t)
			stub.Enqueue(openaistub.Reply{Text: tt.reply + "\n"})
			got, err := m.Translate(context.Background(), tt.text, tt.from, tt.to)
			if err != nil {
				t.Fatalf("Translate: %v", err)
			}
			if got.Text != tt.reply || !got.Translated || got.Untranslated() || got.Engine != translate.EngineModel {
				t.Errorf("got %+v, want the model's translation %q", got, tt.reply)
			}
			if got.From != tt.wantFrom {
				t.Errorf("From = %q, want %q", got.From, tt.wantFrom)
			}
			reqs := stub.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			msgs := reqs[0].Messages
			if len(msgs) != 2 || msgs[0].Role != "system" || msgs[1].Role != "user" {
				t.Fatalf("messages %+v, want system + user", msgs)
			}
			system := msgs[0].Text()
			for _, want := range tt.wantInPrompt {
				if !strings.Contains(system, want) {
					t.Errorf("system prompt lacks %q:\n%s", want, system)
				}
			}
			if msgs[1].Text() != tt.text {
				t.Errorf("user message = %q, want the source text alone", msgs[1].Text())
			}
		})
	}
}

func TestModelFallsBackToPassthrough(t *testing.T) {
	t.Parallel()
	const text = "أريد استرداد 1450 ريال عن الطلب 784512"
	tests := []struct {
		name    string
		reply   openaistub.Reply
		wantErr error
	}{
		{"order number dropped", openaistub.Reply{Text: "I want a refund of 1450 riyals for the order"}, translate.ErrRejected},
		{"empty answer", openaistub.Reply{Text: ""}, translate.ErrRejected},
		{"provider error", openaistub.ServerError(), translate.ErrModel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, stub := newStubModel(t)
			stub.Enqueue(tt.reply)
			got, err := m.Translate(context.Background(), text, "ar", "en")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if got.Text != text || !got.Untranslated() || got.From != "ar" || got.Engine != translate.EnginePassthrough {
				t.Errorf("got %+v, want the Arabic original marked untranslated", got)
			}
			if strings.Contains(err.Error(), "784512") {
				t.Errorf("error %q leaks the text", err)
			}
		})
	}
}

func TestModelSkipsSameLanguageAndBlankText(t *testing.T) {
	t.Parallel()
	m, stub := newStubModel(t)
	for _, c := range []struct{ text, from, to string }{
		{"¿Dónde está mi pedido 784512?", "es-MX", "es"},
		{"¿Dónde está mi pedido 784512?", "", "es-ES"},
		{"   ", "de", "en"},
	} {
		got, err := m.Translate(context.Background(), c.text, c.from, c.to)
		if err != nil || got.Text != c.text || got.Untranslated() && strings.TrimSpace(c.text) != "" {
			t.Errorf("Translate(%q, %q→%q) = %+v, %v", c.text, c.from, c.to, got, err)
		}
	}
	if n := len(stub.Requests()); n != 0 {
		t.Errorf("%d model calls, want none", n)
	}
}

// Every langchaingo model fits.
var _ translate.LLM = llms.Model(nil)
