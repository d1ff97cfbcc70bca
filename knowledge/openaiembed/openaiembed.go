// Package openaiembed embeds knowledge-base text through any OpenAI-compatible
// /v1/embeddings endpoint (OpenAI's text-embedding-3 models, bge-m3 behind vLLM or Ollama...),
// via langchaingo. It satisfies knowledge.Embedder.
//
// It does not retry: callers own retries (the knowledge store re-embeds what failed).
package openaiembed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	lcopenai "github.com/tmc/langchaingo/llms/openai"
)

// Config selects the endpoint and the model.
type Config struct {
	BaseURL    string // e.g. https://api.openai.com/v1
	APIKey     string // "" sends no Authorization header (local servers)
	Model      string // e.g. text-embedding-3-small
	Dims       int    // 0: ask the model once at start
	HTTPClient *http.Client
	Timeout    time.Duration // per request; default 60s
}

// batchSize is how many texts one request carries.
const batchSize = 64

// Embedder is an OpenAI-compatible embedder.
type Embedder struct {
	llm     *lcopenai.LLM
	model   string
	dims    int
	timeout time.Duration
}

// New returns an embedder; with Dims 0 it embeds a probe text to learn the dimensions.
func New(ctx context.Context, cfg Config) (*Embedder, error) {
	if cfg.Model == "" {
		return nil, errors.New("embeddings: model name is required")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("embeddings: base URL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	token := cfg.APIKey
	if token == "" {
		token = "no-key" // langchaingo refuses an empty token; keyless strips the header again
	}
	opts := []lcopenai.Option{
		lcopenai.WithToken(token), lcopenai.WithModel(cfg.Model), lcopenai.WithEmbeddingModel(cfg.Model),
		lcopenai.WithBaseURL(cfg.BaseURL), lcopenai.WithOrganization(""), lcopenai.WithAPIType(lcopenai.APITypeOpenAI),
		lcopenai.WithHTTPClient(keyless{client: hc, strip: cfg.APIKey == ""}),
	}
	if cfg.Dims > 0 {
		opts = append(opts, lcopenai.WithEmbeddingDimensions(cfg.Dims))
	}
	llm, err := lcopenai.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("embeddings: %w", err)
	}
	e := &Embedder{llm: llm, model: cfg.Model, dims: cfg.Dims, timeout: cfg.Timeout}
	if e.timeout == 0 {
		e.timeout = 60 * time.Second
	}
	if e.dims == 0 {
		v, err := e.EmbedBatch(ctx, []string{"dimension probe"})
		if err != nil {
			return nil, fmt.Errorf("embeddings: probe %s: %w", cfg.Model, err)
		}
		e.dims = len(v[0])
	}
	return e, nil
}

// Model names the embedding space: the model and its dimensions.
func (e *Embedder) Model() string { return fmt.Sprintf("openai:%s/%d", e.model, e.dims) }

// Dims is the length of the vectors.
func (e *Embedder) Dims() int { return e.dims }

// EmbedBatch embeds texts, batchSize per request, in order.
func (e *Embedder) EmbedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += batchSize {
		batch := texts[start:min(start+batchSize, len(texts))]
		rctx, cancel := context.WithTimeout(ctx, e.timeout)
		vecs, err := e.llm.CreateEmbedding(rctx, batch)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("embed %d texts: %w", len(batch), err)
		}
		if len(vecs) != len(batch) {
			return nil, fmt.Errorf("embed %d texts: got %d vectors", len(batch), len(vecs))
		}
		for _, v := range vecs {
			if e.dims != 0 && len(v) != e.dims {
				return nil, fmt.Errorf("embed: got %d dimensions, want %d", len(v), e.dims)
			}
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// keyless sends requests with the client, without an Authorization header when no key is set.
type keyless struct {
	client *http.Client
	strip  bool
}

func (k keyless) Do(req *http.Request) (*http.Response, error) {
	if k.strip {
		req.Header.Del("Authorization")
	}
	return k.client.Do(req)
}
