package openaistub

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/attache-dev/attache/internal/testutil/stubkit"
)

var embeddingParams = []string{"dimensions", "encoding_format", "input", "model", "user"}

func (s *Server) handleEmbeddings(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	_, fields, ok := readJSONObject(w, r)
	if !ok {
		return
	}
	req, e, bad := decodeEmbeddingRequest(fields)
	req.Header = r.Header.Clone()
	s.mu.Lock()
	if req.Dimensions == 0 {
		req.Dimensions = s.embeddingDims
	}
	req.Status = http.StatusOK
	if bad {
		req.Status = http.StatusBadRequest
	}
	s.embeddings = append(s.embeddings, req)
	s.mu.Unlock()
	if bad {
		writeError(w, http.StatusBadRequest, e)
		return
	}

	data := make([]map[string]any, len(req.Input))
	tokens := 0
	for i, in := range req.Input {
		v := Embed(in, req.Dimensions)
		var enc any = v
		if req.EncodingFormat == "base64" {
			enc = encodeBase64(v)
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": enc}
		tokens += 1 + len(in)/4
	}
	stubkit.WriteJSON(w, http.StatusOK, map[string]any{
		"object": "list",
		"data":   data,
		"model":  req.Model,
		"usage":  map[string]int{"prompt_tokens": tokens, "total_tokens": tokens},
	})
}

func decodeEmbeddingRequest(fields map[string]json.RawMessage) (EmbeddingRequest, APIError, bool) {
	var req EmbeddingRequest
	if unknown := stubkit.UnknownFields(fields, embeddingParams); len(unknown) > 0 {
		e, _ := invalid("", "", "Unrecognized request argument supplied: %s", unknown[0])
		return req, e, true
	}
	if raw, ok := fields["model"]; ok {
		_ = json.Unmarshal(raw, &req.Model)
	}
	if req.Model == "" {
		e, _ := invalid("", "", "you must provide a model parameter")
		return req, e, true
	}
	raw, ok := fields["input"]
	if !ok || stubkit.IsNull(raw) {
		e, _ := invalid("input", "missing_required_parameter", "Missing required parameter: 'input'.")
		return req, e, true
	}
	inputs, ok := decodeInput(raw)
	if !ok || len(inputs) == 0 || slices.Contains(inputs, "") {
		e, _ := invalid("input", "", "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.")
		return req, e, true
	}
	req.Input = inputs
	if raw, ok := fields["dimensions"]; ok && !stubkit.IsNull(raw) {
		if json.Unmarshal(raw, &req.Dimensions) != nil || req.Dimensions < 1 {
			e, _ := invalid("dimensions", "integer_below_min_value", "Invalid 'dimensions': integer below minimum value. Expected a value >= 1.")
			return req, e, true
		}
	}
	if raw, ok := fields["encoding_format"]; ok && !stubkit.IsNull(raw) {
		_ = json.Unmarshal(raw, &req.EncodingFormat)
		if req.EncodingFormat != "float" && req.EncodingFormat != "base64" {
			e, _ := invalid("encoding_format", "invalid_value", "Invalid value: '%s'. Supported values are: 'float' and 'base64'.", req.EncodingFormat)
			return req, e, true
		}
	}
	return req, APIError{}, false
}

// decodeInput accepts the four shapes of "input": a string, an array of
// strings, an array of tokens, an array of token arrays.
func decodeInput(raw json.RawMessage) ([]string, bool) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many, true
	}
	var tokens []int
	if json.Unmarshal(raw, &tokens) == nil && len(tokens) > 0 {
		return []string{joinTokens(tokens)}, true
	}
	var batches [][]int
	if json.Unmarshal(raw, &batches) == nil {
		out := make([]string, len(batches))
		for i, b := range batches {
			out[i] = joinTokens(b)
		}
		return out, true
	}
	return nil, false
}

func joinTokens(tokens []int) string {
	parts := make([]string, len(tokens))
	for i, t := range tokens {
		parts[i] = strconv.Itoa(t)
	}
	return strings.Join(parts, " ")
}

// Embed returns the stub's vector for text: character trigrams of the
// lower-cased text hashed into dims signed buckets, scaled to unit length.
// It is deterministic, and texts that share wording point in similar
// directions, so similarity search over stub vectors behaves plausibly.
func Embed(text string, dims int) []float32 {
	v := make([]float64, dims)
	runes := []rune(" " + strings.ToLower(text) + " ")
	for i := 0; i+3 <= len(runes); i++ {
		h := fnv.New64a()
		h.Write([]byte(string(runes[i : i+3])))
		sum := h.Sum64()
		sign := 1.0
		if sum>>63 == 1 {
			sign = -1
		}
		v[sum%uint64(dims)] += sign
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	norm = math.Sqrt(norm)
	out := make([]float32, dims)
	for i, x := range v {
		if norm > 0 {
			out[i] = float32(x / norm)
		}
	}
	return out
}

func encodeBase64(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}
