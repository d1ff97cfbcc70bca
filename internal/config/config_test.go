package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsForDev(t *testing.T) {
	c, err := Load(env(), ModeDev)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.DataDir != ".attache" || c.LLM.Provider != "offline" ||
		c.Events != "memory" || c.TurnWait != 25*time.Second || c.MaxMessageChars != 4000 || !c.Seed {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		name string
		env  func(string) (string, bool)
		mode Mode
		want []string
	}{
		{"serve needs a database", env(), ModeServe, []string{"DATABASE_URL: required"}},
		{"bad database scheme", env("DATABASE_URL", "mysql://x"), ModeMigrate, []string{"DATABASE_URL: want a postgres:// URL"}},
		{"bad address", env("ATTACHE_HTTP_ADDR", "8080"), ModeDev, []string{"ATTACHE_HTTP_ADDR"}},
		{"bad temporal address", env("DATABASE_URL", "postgres://h/db", "TEMPORAL_ADDRESS", "nohost"), ModeWorker, []string{"TEMPORAL_ADDRESS"}},
		{"unknown provider", env("ATTACHE_LLM_PROVIDER", "gpt"), ModeDev, []string{"ATTACHE_LLM_PROVIDER: want offline, openai or anthropic"}},
		{"identity secret too short", env("ATTACHE_IDENTITY_SECRET", "short"), ModeDev, []string{"ATTACHE_IDENTITY_SECRET: 5 bytes; want at least 32"}},
		{"anthropic needs a model", env("ATTACHE_LLM_PROVIDER", "anthropic", "ATTACHE_LLM_API_KEY", "k"), ModeDev, []string{"ATTACHE_LLM_MODEL: required"}},
		{"anthropic.com needs a key", env("ATTACHE_LLM_PROVIDER", "anthropic", "ATTACHE_LLM_MODEL", "claude-sonnet-4-5"), ModeDev, []string{"ATTACHE_LLM_API_KEY: required for api.anthropic.com"}},
		{"openai needs a model", env("ATTACHE_LLM_PROVIDER", "openai", "ATTACHE_LLM_API_KEY", "k"), ModeDev, []string{"ATTACHE_LLM_MODEL: required"}},
		{"openai.com needs a key", env("ATTACHE_LLM_PROVIDER", "openai", "ATTACHE_LLM_MODEL", "gpt-4o-mini"), ModeDev, []string{"ATTACHE_LLM_API_KEY"}},
		{"several at once", env("ATTACHE_TURN_WAIT", "soon", "ATTACHE_MAX_MESSAGE_CHARS", "-1", "ATTACHE_LOG_LEVEL", "loud"), ModeDev,
			[]string{"ATTACHE_TURN_WAIT", "ATTACHE_MAX_MESSAGE_CHARS", "ATTACHE_LOG_LEVEL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.env, tt.mode)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLocalOpenAICompatibleNeedsNoKey(t *testing.T) {
	c, err := Load(env("ATTACHE_LLM_PROVIDER", "openai", "ATTACHE_LLM_MODEL", "qwen2.5", "ATTACHE_LLM_BASE_URL", "http://127.0.0.1:11434/v1"), ModeDev)
	if err != nil {
		t.Fatal(err)
	}
	if c.LLM.BaseURL != "http://127.0.0.1:11434/v1" {
		t.Fatalf("base URL %q", c.LLM.BaseURL)
	}
}

func TestAnthropicDefaultsToItsOwnEndpoint(t *testing.T) {
	c, err := Load(env("ATTACHE_LLM_PROVIDER", "anthropic", "ATTACHE_LLM_MODEL", "claude-sonnet-4-5", "ATTACHE_LLM_API_KEY", "k",
		"ATTACHE_EMBEDDINGS_PROVIDER", "openai", "ATTACHE_EMBEDDINGS_MODEL", "text-embedding-3-small"), ModeDev)
	if err != nil {
		t.Fatal(err)
	}
	if c.LLM.BaseURL != AnthropicBaseURL {
		t.Errorf("model base URL %q, want Anthropic's", c.LLM.BaseURL)
	}
	if c.Embeddings.BaseURL != "https://api.openai.com/v1" {
		t.Errorf("embeddings base URL %q, want OpenAI's: Anthropic serves no embeddings", c.Embeddings.BaseURL)
	}
}

// TestREADMEListsEverySetting keeps the README's table honest.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skip("README.md not found")
	}
	for _, s := range Settings {
		if !strings.Contains(string(b), "`"+s.Name+"`") {
			t.Errorf("README.md does not document %s", s.Name)
		}
	}
}
