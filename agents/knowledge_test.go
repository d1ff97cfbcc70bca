package agents

import (
	"context"
	"strings"
	"testing"

	"github.com/attache-dev/attache/agents/model"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/knowledge"
)

func kbResponder(t *testing.T) OfflineResponder {
	t.Helper()
	e, err := testEngine()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return OfflineResponder{Engine: e, Catalog: cat}
}

var returnsES = knowledge.Passage{
	ExternalID: "returns", Title: "Devoluciones", Text: "Puede devolver cualquier artículo en un plazo de 30 días.",
	Locale: "es", Version: 3, URL: "https://help.example/es/devoluciones", VectorRank: 1, TextRank: 1, Score: 0.03, TextScore: 0.5,
}

func TestOfflineResponderAnswersFromTheKnowledgeBase(t *testing.T) {
	r := kbResponder(t)
	tests := []struct {
		name       string
		text       string
		passages   []knowledge.Passage
		wantKB     bool
		wantGap    string
		wantInText string
	}{
		{"a sure passage answers a question the engine does not know", "¿Puedo devolver un artículo usado después de un mes?",
			[]knowledge.Passage{returnsES}, true, "", "30 días"},
		{"a passage only one ranking found is not trusted", "¿Puedo devolver un artículo usado después de un mes?",
			[]knowledge.Passage{func() knowledge.Passage { p := returnsES; p.TextRank = 0; return p }()}, false, knowledge.GapHandoff, ""},
		{"a passage that shares a word or two with the question is not trusted", "¿Puedo devolver un artículo usado después de un mes?",
			[]knowledge.Passage{func() knowledge.Passage { p := returnsES; p.TextScore = 0.05; return p }()}, false, knowledge.GapHandoff, ""},
		{"nothing retrieved is a gap", "¿Puedo devolver un artículo usado después de un mes?", nil, false, knowledge.GapHandoff, ""},
		{"another language's passage is said to be so, and counted", "¿Puedo devolver un artículo usado después de un mes?",
			[]knowledge.Passage{func() knowledge.Passage {
				p := returnsES
				p.Locale, p.Title, p.Text, p.Fallback = "en", "Returns", "You can return any item within 30 days.", true
				return p
			}()}, true, knowledge.GapFallbackLocale, "aún no está disponible"},
		{"a greeting is never answered from the knowledge base", "Hola", []knowledge.Passage{returnsES}, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var streamed strings.Builder
			got, err := r.Respond(context.Background(), TurnContext{Text: tt.text, LocaleHint: "es", Passages: tt.passages},
				func(d string) { streamed.WriteString(d) })
			if err != nil {
				t.Fatal(err)
			}
			if (got.Intent == IntentKnowledgeAnswer) != tt.wantKB {
				t.Fatalf("intent %q (text %q), want a knowledge answer: %v", got.Intent, got.Text, tt.wantKB)
			}
			if got.Gap != tt.wantGap {
				t.Errorf("gap %q, want %q", got.Gap, tt.wantGap)
			}
			if tt.wantKB {
				if got.Handoff || len(got.Citations) != 1 || !strings.Contains(got.Text, tt.wantInText) ||
					!strings.Contains(got.Text, tt.passages[0].Title) {
					t.Errorf("knowledge answer: %+v", got)
				}
				if got.Lang != "es" {
					t.Errorf("answered in %q, want the customer's language", got.Lang)
				}
			}
			if streamed.String() != got.Text {
				t.Errorf("streamed %q, stored %q", streamed.String(), got.Text)
			}
		})
	}
}

func TestModelResponderDisclosesCitesAndStreams(t *testing.T) {
	r := kbResponder(t)
	var sent model.Request
	m := ModelResponder{Engine: r.Engine, Catalog: r.Catalog, Model: model.Func(func(ctx context.Context, req model.Request) (model.Response, error) {
		sent = req
		for _, d := range []string{"Tiene ", "30 días."} {
			if err := req.OnText(ctx, d); err != nil {
				return model.Response{}, err
			}
		}
		return model.Response{Text: "Tiene 30 días."}, nil
	})}
	var streamed strings.Builder
	got, err := m.Respond(context.Background(), TurnContext{Text: "¿Cuántos días tengo para devolver algo?", LocaleHint: "es",
		FirstAIMessage: true, Passages: []knowledge.Passage{returnsES}}, func(d string) { streamed.WriteString(d) })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Text, r.Catalog.Text("es", i18n.KeyDisclosure)) || !strings.HasSuffix(got.Text, "Tiene 30 días.") {
		t.Errorf("first model reply %q: want the Spanish disclosure, then the model's text", got.Text)
	}
	if streamed.String() != "Tiene 30 días." || len(got.Citations) != 1 || got.Engine != "model" {
		t.Errorf("streamed %q, reply %+v", streamed.String(), got)
	}
	if sys := sent.Messages[0].Text; sent.Messages[0].Role != model.RoleSystem || !strings.Contains(sys, returnsES.Text) || !strings.Contains(sys, "es") {
		t.Errorf("system prompt lacks the passage or the language: %q", sys)
	}
}
