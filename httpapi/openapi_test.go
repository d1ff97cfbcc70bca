package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/agents/offline"
	"github.com/attache-dev/attache/evals/analytics"
	"github.com/attache-dev/attache/evals/rollout"
	kbstore "github.com/attache-dev/attache/knowledge/pgstore"
	"github.com/attache-dev/attache/policy/audit"
	"github.com/attache-dev/attache/policy/privacy"
	taboostore "github.com/attache-dev/attache/policy/taboo/pgstore"
)

// TestOpenAPIDocumentsEveryRoute keeps the OpenAPI document and the router in agreement:
// every API route is documented with its method, and every documented operation exists.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	engine := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Knowledge: (*kbstore.Store)(nil), NLU: noAnalyzer{}, Audit: (*audit.Log)(nil), Privacy: (*privacy.Store)(nil), TabooPacks: (*taboostore.Store)(nil), Handoffs: &Handoffs{}, Evals: &EvalsAPI{}, Rollout: (*rollout.Policy)(nil), Analytics: &Analytics{Summaries: (*analytics.Store)(nil)}, CSAT: (*analytics.CSATStore)(nil)}).(*gin.Engine)
	param := regexp.MustCompile(`:([a-z_]+)`)
	routed := map[string]bool{}
	for _, r := range engine.Routes() {
		if !strings.HasPrefix(r.Path, "/v1/") && r.Path != "/healthz" && r.Path != "/readyz" {
			continue // the web UI
		}
		key := r.Method + " " + param.ReplaceAllString(r.Path, "{$1}")
		routed[key] = true
		if !documented[key] {
			t.Errorf("route %s is not in openapi.json", key)
		}
	}
	for key := range documented {
		if !routed[key] {
			t.Errorf("openapi.json documents %s, which has no route", key)
		}
	}
}

// noAnalyzer stands for the offline engine where only the routes matter.
type noAnalyzer struct{}

func (noAnalyzer) Analyze(string, string) (offline.Analysis, error) { return offline.Analysis{}, nil }
