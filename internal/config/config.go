// Package config reads Attaché's settings from the environment once, into a typed struct with
// defaults, and validates them with messages that name the offending setting.
//
// It is the only place that reads the process environment; everything else receives a Config.
// It is not a general configuration framework: no files, no flags, no reloading.
package config

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Setting documents one environment variable. The README's settings table is generated from
// Settings, and a test checks that the two agree.
type Setting struct {
	Name    string
	Default string
	Doc     string
}

// Settings lists every environment variable Attaché reads, in the order the README shows them.
var Settings = []Setting{
	{"ATTACHE_HTTP_ADDR", "127.0.0.1:8080", "Address the API and web UI listen on (`serve`, `dev`). Use `:8080` to listen on every interface."},
	{"ATTACHE_DATA_DIR", ".attache", "Directory of the embedded default (`dev`): PGlite's data, Temporal's SQLite file."},
	{"DATABASE_URL", "", "PostgreSQL ≥ 15 with pgvector ≥ 0.7 (`serve`, `worker`, `migrate`; required there). Ignored by `dev`, which runs PGlite."},
	{"TEMPORAL_ADDRESS", "127.0.0.1:7233", "Temporal frontend host:port (`serve`, `worker`). Ignored by `dev`, which embeds the server."},
	{"TEMPORAL_NAMESPACE", "default", "Temporal namespace."},
	{"ATTACHE_TASK_QUEUE", "attache-conversations", "Temporal task queue of the conversation workflows and activities."},
	{"ATTACHE_EVENTS", "postgres", "How the worker's live events (messages, streamed tokens) reach the API's SSE streams: `postgres` (LISTEN/NOTIFY, for separate `serve` and `worker` processes) or `memory` (one process). `dev` always uses `memory`."},
	{"ATTACHE_LLM_PROVIDER", "offline", "`offline` (the built-in engine: no model, no network), `openai` (any OpenAI-compatible endpoint) or `anthropic` (Anthropic's Messages API)."},
	{"ATTACHE_LLM_BASE_URL", "https://api.openai.com/v1", "Base URL of the model endpoint including `/v1` (vLLM, Ollama `/v1`, DeepSeek, Azure...); with `anthropic` the default is `https://api.anthropic.com/v1`."},
	{"ATTACHE_LLM_API_KEY", "", "API key for the model endpoint; required for OpenAI's and Anthropic's own endpoints."},
	{"ATTACHE_LLM_MODEL", "", "Model name; required when the provider is `openai` or `anthropic`."},
	{"ATTACHE_LLM_TIMEOUT", "60s", "Timeout of one model call."},
	{"ATTACHE_TRANSLATE_PROVIDER", "", "The model that translates between customers and human agents: `offline` (none: texts pass through marked untranslated, and routing prefers agents who speak the customer's language), `openai` or `anthropic`. Default: `ATTACHE_LLM_PROVIDER`."},
	{"ATTACHE_TRANSLATE_BASE_URL", "", "Base URL of the translating model's endpoint; default: `ATTACHE_LLM_BASE_URL` (Anthropic's own with `anthropic`)."},
	{"ATTACHE_TRANSLATE_API_KEY", "", "API key of the translating model's endpoint; default: `ATTACHE_LLM_API_KEY`."},
	{"ATTACHE_TRANSLATE_MODEL", "", "The translating model, e.g. a smaller one than the agent's; default: `ATTACHE_LLM_MODEL`."},
	{"ATTACHE_EMBEDDINGS_PROVIDER", "hash", "Knowledge-base embeddings: `hash` (the built-in hashing embedder: no model, no network) or `openai` (any OpenAI-compatible `/v1/embeddings`). Switching re-embeds into a new space; nothing is mixed."},
	{"ATTACHE_EMBEDDINGS_BASE_URL", "", "Base URL of the embeddings endpoint; default: `ATTACHE_LLM_BASE_URL`."},
	{"ATTACHE_EMBEDDINGS_API_KEY", "", "API key of the embeddings endpoint; default: `ATTACHE_LLM_API_KEY`."},
	{"ATTACHE_EMBEDDINGS_MODEL", "", "Embedding model, e.g. `text-embedding-3-small` or `bge-m3`; required when the provider is `openai`."},
	{"ATTACHE_EMBEDDINGS_DIMS", "0", "Vector dimensions to ask for (models that can shorten them); `0` = the model's own, learnt at start."},
	{"ATTACHE_SHOP", "builtin", "The shop the agent's tools act on: `builtin` (orders, parcels and payments in Attaché's own database; `dev` seeds demo customers) or `shopify` (the Admin GraphQL API)."},
	{"ATTACHE_SHOPIFY_SHOP", "", "Shopify shop domain, e.g. `example.myshopify.com`; required when `ATTACHE_SHOP=shopify`."},
	{"ATTACHE_SHOPIFY_TOKEN", "", "Shopify Admin API access token; required when `ATTACHE_SHOP=shopify`. Never logged."},
	{"ATTACHE_IDENTITY_SECRET", "", "Shared secret (at least 32 bytes) of the identity tokens a shop's site or channel signs (JWT, HS256) to say who the customer is; empty refuses identity tokens. Never logged."},
	{"ATTACHE_REGIONS", "", "Data residency: databases for the conversations of some markets, `name=postgres://...` separated by `;`. `eu` means the EU and EEA markets, `gcc` the Gulf states; any other name lists its markets, e.g. `jp:JP=postgres://...` or `latam:BR+MX=postgres://...`. Conversations (messages, disclosures, consents) of those markets are created and kept there; everything else stays in `DATABASE_URL`. `serve`, `worker` and `migrate`."},
	{"ATTACHE_MASTER_KEY", "", "Base64 of 32 random bytes (`openssl rand -base64 32`), the same in every `serve` and `worker` process (required there). Keys wrapping each conversation's Temporal-history key, and the keyed hashes that let privacy requests be found without storing whom they were about. `dev` generates one in `$ATTACHE_DATA_DIR/master-key`. Never logged; losing it makes encrypted history unreadable."},
	{"ATTACHE_TEAMS_FILE", "", "The human teams handoffs are routed to: a JSON file in the format of `handoff/routing/teams.json` (languages, markets, topics, shifts in the team's time zone, holidays, special hours, first-response SLAs). Empty: the demo teams."},
	{"ATTACHE_ROLLOUT_DEFAULT_STAGE", "autonomous", "The rollout stage of a market × intent no rule names: `assist` (the AI drafts, people send), `standard` (the AI resolves allow-listed intents) or `autonomous`. Rules are set with `attache rollout set`, the API or `/console/rollout`."},
	{"ATTACHE_EVAL_SETS", "evals/sets", "The directory of regression sets the eval console and API offer to run (`.yaml` files; see `evals/sets/README.md`). A missing directory offers none; `attache eval run` takes its sets as arguments."},
	{"ATTACHE_RATE_LIMIT_IP", "1200", "Requests per minute one client IP may make to `/v1` (bursts of a twelfth of it); `0` turns the limit off. Answers beyond it are 429 with `Retry-After`."},
	{"ATTACHE_RATE_LIMIT_CONVERSATION", "60", "Customer messages per minute one conversation may receive (bursts of 10); `0` turns the limit off."},
	{"ATTACHE_TRUSTED_PROXIES", "", "Comma-separated IPs or CIDRs of reverse proxies whose `X-Forwarded-For` names the client (for rate limits). Empty: the connection's peer is the client."},
	{"ATTACHE_TURN_WAIT", "25s", "How long `POST .../messages` waits for the reply before answering 202 with the turn ID (retry the same turn ID to get the reply)."},
	{"ATTACHE_MAX_MESSAGE_CHARS", "4000", "Longest customer message accepted, in characters."},
	{"ATTACHE_LOG_LEVEL", "info", "`debug`, `info`, `warn` or `error`."},
	{"ATTACHE_LOG_FORMAT", "text", "`text` or `json`."},
	{"ATTACHE_SEED", "true", "`dev` only: seed demo data on start (idempotent)."},
}

// Config is the parsed, validated configuration.
type Config struct {
	HTTPAddr          string
	DataDir           string
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string
	Events            string // "postgres" or "memory"
	LLM               LLM
	Translate         LLM // the model translating for human agents; Provider "offline" for none
	Embeddings        Embeddings
	Shop              Shop
	IdentitySecret    string // "" refuses identity tokens
	MasterKey         []byte // 32 bytes; nil in dev when unset (dev keeps its own)
	Regions           []Region
	TeamsFile         string // "" = the demo teams
	EvalSets          string // the directory of regression sets the eval API offers
	// RolloutDefaultStage is the stage of keys no rollout rule names.
	RolloutDefaultStage string
	// Requests per minute per client IP and customer messages per minute per conversation;
	// 0 turns a limit off.
	RateLimitIP, RateLimitConversation int
	TrustedProxies                     []string
	TurnWait                           time.Duration
	MaxMessageChars                    int
	LogLevel                           slog.Level
	LogFormat                          string
	Seed                               bool
}

// LLM selects the model behind the agents.
type LLM struct {
	Provider string // "offline", "openai" or "anthropic"
	BaseURL  string
	APIKey   string
	Model    string
	Timeout  time.Duration
}

// Embeddings selects the knowledge base's embedder.
type Embeddings struct {
	Provider string // "hash" or "openai"
	BaseURL  string
	APIKey   string
	Model    string
	Dims     int
}

// Shop selects the commerce connector behind the tools.
type Shop struct {
	Connector     string // "builtin" or "shopify"
	ShopifyDomain string
	ShopifyToken  string
}

// Region is a database that keeps the conversations of some markets.
type Region struct {
	Name        string
	Markets     []string
	DatabaseURL string
}

// regionMarkets are the markets of the regions known by name.
var regionMarkets = map[string][]string{
	// The EU's 27 and the EEA's three.
	"eu": {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
		"NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"},
	"gcc": {"AE", "SA", "QA", "KW", "BH", "OM"},
}

// parseRegions reads ATTACHE_REGIONS: "name=url; name:M1+M2=url".
func parseRegions(v string, bad func(name, format string, args ...any)) []Region {
	var out []Region
	seen := map[string]bool{}
	for _, part := range strings.Split(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		head, u, ok := strings.Cut(part, "=")
		if !ok {
			bad("ATTACHE_REGIONS", "want name=postgres://..., got %q", part)
			continue
		}
		name, list, explicit := strings.Cut(strings.TrimSpace(head), ":")
		name = strings.ToLower(strings.TrimSpace(name))
		r := Region{Name: name, DatabaseURL: strings.TrimSpace(u)}
		if explicit {
			for _, m := range strings.Split(list, "+") {
				m = strings.ToUpper(strings.TrimSpace(m))
				if len(m) != 2 || m[0] < 'A' || m[0] > 'Z' || m[1] < 'A' || m[1] > 'Z' {
					bad("ATTACHE_REGIONS", "region %s: %q is not a two-letter market code", name, m)
					continue
				}
				r.Markets = append(r.Markets, m)
			}
		} else {
			r.Markets = regionMarkets[name]
		}
		switch {
		case name == "" || name == "default":
			bad("ATTACHE_REGIONS", "a region needs a name other than default, got %q", part)
		case seen[name]:
			bad("ATTACHE_REGIONS", "region %s is given twice", name)
		case len(r.Markets) == 0:
			bad("ATTACHE_REGIONS", "region %s: say its markets, e.g. %s:JP+KR=postgres://... (only eu and gcc are known by name)", name, name)
		}
		if pu, err := url.Parse(r.DatabaseURL); err != nil || (pu.Scheme != "postgres" && pu.Scheme != "postgresql") {
			bad("ATTACHE_REGIONS", "region %s: want a postgres:// URL", name)
		}
		seen[name] = true
		out = append(out, r)
	}
	return out
}

// Mode says which command is loading the configuration; it decides what is required.
type Mode int

const (
	ModeDev Mode = iota
	ModeServe
	ModeWorker
	ModeMigrate
	ModeTool // commands that need no services
)

// AnthropicBaseURL is the model endpoint of ATTACHE_LLM_PROVIDER=anthropic when
// ATTACHE_LLM_BASE_URL is not set.
const AnthropicBaseURL = "https://api.anthropic.com/v1"

// Load parses the environment given as a lookup function (os.LookupEnv in main).
// Every problem is reported, each naming its setting.
func Load(lookup func(string) (string, bool), mode Mode) (Config, error) {
	get := func(name string) string {
		if v, ok := lookup(name); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		for _, s := range Settings {
			if s.Name == name {
				return s.Default
			}
		}
		panic("config: unknown setting " + name) // a programming error, caught by tests
	}
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}

	c := Config{
		HTTPAddr:          get("ATTACHE_HTTP_ADDR"),
		DataDir:           get("ATTACHE_DATA_DIR"),
		DatabaseURL:       get("DATABASE_URL"),
		TemporalAddress:   get("TEMPORAL_ADDRESS"),
		TemporalNamespace: get("TEMPORAL_NAMESPACE"),
		TaskQueue:         get("ATTACHE_TASK_QUEUE"),
		Events:            get("ATTACHE_EVENTS"),
		LogFormat:         get("ATTACHE_LOG_FORMAT"),
		LLM: LLM{
			Provider: get("ATTACHE_LLM_PROVIDER"),
			BaseURL:  get("ATTACHE_LLM_BASE_URL"),
			APIKey:   get("ATTACHE_LLM_API_KEY"),
			Model:    get("ATTACHE_LLM_MODEL"),
		},
	}

	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		bad("ATTACHE_HTTP_ADDR", "want host:port such as 127.0.0.1:8080, got %q", c.HTTPAddr)
	}
	if mode == ModeServe || mode == ModeWorker || mode == ModeMigrate {
		if c.DatabaseURL == "" {
			bad("DATABASE_URL", "required, e.g. postgres://user:pass@host:5432/attache")
		} else if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("DATABASE_URL", "want a postgres:// URL")
		}
	}
	if mode == ModeServe || mode == ModeWorker {
		if _, _, err := net.SplitHostPort(c.TemporalAddress); err != nil {
			bad("TEMPORAL_ADDRESS", "want host:port such as 127.0.0.1:7233, got %q", c.TemporalAddress)
		}
	}
	if c.TaskQueue == "" || strings.ContainsAny(c.TaskQueue, " \t\n") {
		bad("ATTACHE_TASK_QUEUE", "want a name without spaces, got %q", c.TaskQueue)
	}
	switch c.Events {
	case "postgres", "memory":
	default:
		bad("ATTACHE_EVENTS", "want postgres or memory, got %q", c.Events)
	}
	if mode == ModeDev {
		c.Events = "memory"
	}

	// The embeddings endpoint defaults to the model's, unless the model is Anthropic's, which
	// serves no embeddings.
	embeddingsBase := c.LLM.BaseURL
	switch c.LLM.Provider {
	case "offline":
	case "openai", "anthropic":
		if v, ok := lookup("ATTACHE_LLM_BASE_URL"); c.LLM.Provider == "anthropic" && (!ok || strings.TrimSpace(v) == "") {
			c.LLM.BaseURL = AnthropicBaseURL
		}
		if c.LLM.Model == "" {
			bad("ATTACHE_LLM_MODEL", "required when ATTACHE_LLM_PROVIDER=%s", c.LLM.Provider)
		}
		u, err := url.Parse(c.LLM.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("ATTACHE_LLM_BASE_URL", "want an http(s) URL, got %q", c.LLM.BaseURL)
		} else if (u.Host == "api.openai.com" || u.Host == "api.anthropic.com") && c.LLM.APIKey == "" {
			bad("ATTACHE_LLM_API_KEY", "required for %s", u.Host)
		}
		if c.LLM.Provider == "openai" {
			embeddingsBase = c.LLM.BaseURL
		}
	default:
		bad("ATTACHE_LLM_PROVIDER", "want offline, openai or anthropic, got %q", c.LLM.Provider)
	}

	c.LLM.Timeout = duration(get, bad, "ATTACHE_LLM_TIMEOUT")
	c.Translate = LLM{Provider: get("ATTACHE_TRANSLATE_PROVIDER"), BaseURL: get("ATTACHE_TRANSLATE_BASE_URL"),
		APIKey: get("ATTACHE_TRANSLATE_API_KEY"), Model: get("ATTACHE_TRANSLATE_MODEL"), Timeout: c.LLM.Timeout}
	if c.Translate.Provider == "" {
		c.Translate.Provider = c.LLM.Provider
	}
	sameAsLLM := c.Translate.Provider == c.LLM.Provider
	if c.Translate.BaseURL == "" {
		switch {
		case sameAsLLM:
			c.Translate.BaseURL = c.LLM.BaseURL
		case c.Translate.Provider == "anthropic":
			c.Translate.BaseURL = AnthropicBaseURL
		default:
			c.Translate.BaseURL = "https://api.openai.com/v1"
		}
	}
	if c.Translate.APIKey == "" {
		c.Translate.APIKey = c.LLM.APIKey
	}
	if c.Translate.Model == "" && sameAsLLM {
		c.Translate.Model = c.LLM.Model
	}
	switch c.Translate.Provider {
	case "offline":
	case "openai", "anthropic":
		if c.Translate.Model == "" {
			bad("ATTACHE_TRANSLATE_MODEL", "required when ATTACHE_TRANSLATE_PROVIDER=%s differs from ATTACHE_LLM_PROVIDER", c.Translate.Provider)
		}
		if u, err := url.Parse(c.Translate.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("ATTACHE_TRANSLATE_BASE_URL", "want an http(s) URL, got %q", c.Translate.BaseURL)
		}
	default:
		bad("ATTACHE_TRANSLATE_PROVIDER", "want offline, openai or anthropic, got %q", c.Translate.Provider)
	}

	c.Embeddings = Embeddings{Provider: get("ATTACHE_EMBEDDINGS_PROVIDER"), BaseURL: get("ATTACHE_EMBEDDINGS_BASE_URL"),
		APIKey: get("ATTACHE_EMBEDDINGS_API_KEY"), Model: get("ATTACHE_EMBEDDINGS_MODEL")}
	if c.Embeddings.BaseURL == "" {
		c.Embeddings.BaseURL = embeddingsBase
	}
	if c.Embeddings.APIKey == "" {
		c.Embeddings.APIKey = c.LLM.APIKey
	}
	switch c.Embeddings.Provider {
	case "hash":
	case "openai":
		if c.Embeddings.Model == "" {
			bad("ATTACHE_EMBEDDINGS_MODEL", "required when ATTACHE_EMBEDDINGS_PROVIDER=openai")
		}
		if u, err := url.Parse(c.Embeddings.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("ATTACHE_EMBEDDINGS_BASE_URL", "want an http(s) URL, got %q", c.Embeddings.BaseURL)
		}
	default:
		bad("ATTACHE_EMBEDDINGS_PROVIDER", "want hash or openai, got %q", c.Embeddings.Provider)
	}
	if d, err := strconv.Atoi(get("ATTACHE_EMBEDDINGS_DIMS")); err != nil || d < 0 || d > 16000 {
		bad("ATTACHE_EMBEDDINGS_DIMS", "want a whole number between 0 and 16000, got %q", get("ATTACHE_EMBEDDINGS_DIMS"))
	} else {
		c.Embeddings.Dims = d
	}
	c.Shop = Shop{Connector: get("ATTACHE_SHOP"), ShopifyDomain: get("ATTACHE_SHOPIFY_SHOP"), ShopifyToken: get("ATTACHE_SHOPIFY_TOKEN")}
	switch c.Shop.Connector {
	case "builtin":
	case "shopify":
		if c.Shop.ShopifyDomain == "" {
			bad("ATTACHE_SHOPIFY_SHOP", "required when ATTACHE_SHOP=shopify")
		}
		if c.Shop.ShopifyToken == "" {
			bad("ATTACHE_SHOPIFY_TOKEN", "required when ATTACHE_SHOP=shopify")
		}
	default:
		bad("ATTACHE_SHOP", "want builtin or shopify, got %q", c.Shop.Connector)
	}
	c.IdentitySecret = get("ATTACHE_IDENTITY_SECRET")
	if n := len(c.IdentitySecret); n > 0 && n < 32 {
		bad("ATTACHE_IDENTITY_SECRET", "%d bytes; want at least 32 (for example: openssl rand -hex 32)", n)
	}
	c.Regions = parseRegions(get("ATTACHE_REGIONS"), bad)
	c.TeamsFile = get("ATTACHE_TEAMS_FILE")
	c.EvalSets = get("ATTACHE_EVAL_SETS")
	switch c.RolloutDefaultStage = get("ATTACHE_ROLLOUT_DEFAULT_STAGE"); c.RolloutDefaultStage {
	case "assist", "standard", "autonomous":
	default:
		bad("ATTACHE_ROLLOUT_DEFAULT_STAGE", "want assist, standard or autonomous, got %q", c.RolloutDefaultStage)
	}
	if v := get("ATTACHE_MASTER_KEY"); v != "" {
		k, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(k) != 32 {
			bad("ATTACHE_MASTER_KEY", "want the base64 of 32 random bytes (openssl rand -base64 32)")
		}
		c.MasterKey = k
	} else if mode == ModeServe || mode == ModeWorker {
		bad("ATTACHE_MASTER_KEY", "required: the base64 of 32 random bytes, the same in every serve and worker process (openssl rand -base64 32)")
	}
	c.TurnWait = duration(get, bad, "ATTACHE_TURN_WAIT")
	c.RateLimitIP = wholeNumber(get, bad, "ATTACHE_RATE_LIMIT_IP", 0, 1_000_000)
	c.RateLimitConversation = wholeNumber(get, bad, "ATTACHE_RATE_LIMIT_CONVERSATION", 0, 100_000)
	if v := get("ATTACHE_TRUSTED_PROXIES"); v != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
				bad("ATTACHE_TRUSTED_PROXIES", "want IPs or CIDRs separated by commas, got %q", p)
				continue
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}

	n, err := strconv.Atoi(get("ATTACHE_MAX_MESSAGE_CHARS"))
	if err != nil || n < 1 || n > 100_000 {
		bad("ATTACHE_MAX_MESSAGE_CHARS", "want a whole number between 1 and 100000, got %q", get("ATTACHE_MAX_MESSAGE_CHARS"))
	}
	c.MaxMessageChars = n

	if err := c.LogLevel.UnmarshalText([]byte(get("ATTACHE_LOG_LEVEL"))); err != nil {
		bad("ATTACHE_LOG_LEVEL", "want debug, info, warn or error, got %q", get("ATTACHE_LOG_LEVEL"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("ATTACHE_LOG_FORMAT", "want text or json, got %q", c.LogFormat)
	}
	seed, err := strconv.ParseBool(get("ATTACHE_SEED"))
	if err != nil {
		bad("ATTACHE_SEED", "want true or false, got %q", get("ATTACHE_SEED"))
	}
	c.Seed = seed

	if len(errs) > 0 {
		return Config{}, fmt.Errorf("invalid configuration:\n  %w", joinLines(errs))
	}
	return c, nil
}

func duration(get func(string) string, bad func(string, string, ...any), name string) time.Duration {
	d, err := time.ParseDuration(get(name))
	if err != nil || d <= 0 {
		bad(name, "want a positive duration such as 30s, got %q", get(name))
	}
	return d
}

type lines []error

func (l lines) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n  ")
}

func (l lines) Unwrap() []error { return l }

func joinLines(errs []error) error { return lines(errs) }

// wholeNumber reads a whole-number setting between lo and hi.
func wholeNumber(get func(string) string, bad func(name, format string, args ...any), name string, lo, hi int) int {
	n, err := strconv.Atoi(get(name))
	if err != nil || n < lo || n > hi {
		bad(name, "want a whole number between %d and %d, got %q", lo, hi, get(name))
	}
	return n
}
