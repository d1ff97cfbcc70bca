package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// Problem is an RFC 9457 problem detail. Detail is written for the API's user; it never
// carries the text of an internal error.
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
}

// FieldError names one bad field of a request.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Problem types. Each is a URN so that clients can switch on it without fetching anything.
const (
	typeBlank       = "about:blank"
	typeValidation  = "urn:attache:problem:validation"
	typeBadJSON     = "urn:attache:problem:malformed-request"
	typeTooLarge    = "urn:attache:problem:too-large"
	typeNotFound    = "urn:attache:problem:not-found"
	typeClosed      = "urn:attache:problem:conversation-closed"
	typeUnavailable = "urn:attache:problem:unavailable"
	typeInternal    = "urn:attache:problem:internal"
	typeConflict    = "urn:attache:problem:conflict"
)

func writeProblem(c *gin.Context, p Problem) {
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.Type == "" {
		p.Type = typeBlank
	}
	if p.Instance == "" {
		p.Instance = c.Request.URL.Path
	}
	b, _ := json.Marshal(p)
	c.Header("Cache-Control", "no-store")
	c.Data(p.Status, "application/problem+json", b)
	c.Abort()
}

func notFound(c *gin.Context, what string) {
	writeProblem(c, Problem{Type: typeNotFound, Title: "Not found", Status: http.StatusNotFound, Detail: what + " does not exist."})
}

func invalid(c *gin.Context, detail string, errs ...FieldError) {
	writeProblem(c, Problem{Type: typeValidation, Title: "Invalid request", Status: http.StatusUnprocessableEntity, Detail: detail, Errors: errs})
}

func unavailable(c *gin.Context) {
	unavailableBecause(c, "The service could not complete the request. Retry it with the same turn_id; nothing is done twice.")
}

// unavailableBecause answers 503 with a detail saying what to do.
func unavailableBecause(c *gin.Context, detail string) {
	c.Header("Retry-After", "2")
	writeProblem(c, Problem{Type: typeUnavailable, Title: "Temporarily unavailable", Status: http.StatusServiceUnavailable, Detail: detail})
}

// limitParam reads the "limit" query parameter (1 to 1000): def when absent; when bad it
// adds a field error to errs and returns def.
func limitParam(c *gin.Context, def int, errs *[]FieldError) int {
	v := c.Query("limit")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		*errs = append(*errs, FieldError{"limit", "between 1 and 1000"})
		return def
	}
	return n
}
