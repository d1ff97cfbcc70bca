package main

import (
	"testing"

	"github.com/attache-dev/attache/agents"
	"github.com/attache-dev/attache/agents/model/anthropic"
	"github.com/attache-dev/attache/agents/model/openai"
	"github.com/attache-dev/attache/i18n"
	"github.com/attache-dev/attache/internal/config"
)

// TestTheConfiguredProviderAnswers: ATTACHE_LLM_PROVIDER picks the responder and its model
// adapter; offline needs no model.
func TestTheConfiguredProviderAnswers(t *testing.T) {
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "offline"},
		{map[string]string{"ATTACHE_LLM_PROVIDER": "openai", "ATTACHE_LLM_MODEL": "gpt-4o-mini", "ATTACHE_LLM_API_KEY": "k"}, "openai"},
		{map[string]string{"ATTACHE_LLM_PROVIDER": "anthropic", "ATTACHE_LLM_MODEL": "claude-sonnet-4-5", "ATTACHE_LLM_API_KEY": "k"}, "anthropic"},
	} {
		cfg, err := config.Load(envMap(tc.env), config.ModeDev)
		if err != nil {
			t.Fatal(err)
		}
		r, err := newResponder(cfg, cat, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := "offline"
		if m, ok := r.(agents.ModelResponder); ok {
			switch m.Model.(type) {
			case *openai.Model:
				got = "openai"
			case *anthropic.Model:
				got = "anthropic"
			default:
				got = "unknown model"
			}
		} else if _, ok := r.(agents.OfflineResponder); !ok {
			got = "unknown responder"
		}
		if got != tc.want {
			t.Errorf("%v: %s responder, want %s", tc.env, got, tc.want)
		}
	}
}
