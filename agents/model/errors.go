package model

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors returned (wrapped) by adapters. Test them with errors.Is;
// use [Retryable] to decide whether another attempt can succeed.
var (
	// ErrRateLimited: the provider asked us to slow down (HTTP 429). Retryable,
	// ideally after [RetryAfter].
	ErrRateLimited = errors.New("model rate limited")
	// ErrUnavailable: the provider failed or could not be reached (5xx,
	// network error, timeout, a stream that ended early). Retryable.
	ErrUnavailable = errors.New("model unavailable")
	// ErrMalformedResponse: the provider answered 200 but the answer cannot be
	// used (no choices, tool-call arguments that are not JSON). Retryable: a
	// new sample usually differs.
	ErrMalformedResponse = errors.New("model response malformed")

	// ErrInvalidRequest: the request was rejected as malformed, locally or by
	// the provider (400, 404, 422). Permanent: retrying sends the same bytes.
	ErrInvalidRequest = errors.New("model request invalid")
	// ErrContextLength: the conversation does not fit the model's context
	// window. Permanent for this request; the caller may shorten it.
	ErrContextLength = errors.New("model context length exceeded")
	// ErrAuth: the credentials were refused (401, 403). Permanent.
	ErrAuth = errors.New("model credentials refused")
	// ErrQuotaExceeded: the account is out of quota or credit (429
	// insufficient_quota). Permanent until an operator acts.
	ErrQuotaExceeded = errors.New("model quota exhausted")
)

// Retryable reports whether err is a failure that another attempt of the
// same request can overcome. Context cancellation is not retryable.
func Retryable(err error) bool {
	return errors.Is(err, ErrRateLimited) ||
		errors.Is(err, ErrUnavailable) ||
		errors.Is(err, ErrMalformedResponse)
}

// RetryAfter returns the delay the provider asked for before retrying, or 0
// when it did not say.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// Error describes a failed model call. Kind is one of the sentinels above.
// It keeps only machine-readable facts (status, the provider's error code),
// never the provider's message or body, so it is safe to log and to record
// in workflow history; it is still not a message for customers.
type Error struct {
	Kind       error
	Provider   string        // adapter name, e.g. "openai"
	Status     int           // HTTP status; 0 when there was no HTTP answer
	Code       string        // provider error code or type, e.g. "rate_limit_exceeded"
	RetryAfter time.Duration // from the provider's headers; 0 when absent
	Detail     string        // what went wrong, in our words (no provider text)
	Err        error         // underlying local cause (network, decoding), if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Provider)
	b.WriteString(": ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d: ", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, "%s: ", e.Code)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, "%s: ", e.Detail)
	}
	b.WriteString(e.Kind.Error())
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap exposes Kind and the local cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}
