package evals

import (
	"encoding/json"
	"time"
)

// Case statuses in a run.
const (
	StatusPassed      = "passed"       // every attempt passed
	StatusFailed      = "failed"       // at least one attempt failed a check
	StatusError       = "error"        // the case could not be run to its end (the stack failed)
	StatusNotRunnable = "not_runnable" // the set needs something this run lacks (a model)
)

// Run is one evaluation run: the sets it ran, every case's attempts and the summary. It is
// what `attache eval run` writes as JSON and what `attache eval compare` reads back.
type Run struct {
	ID         string            `json:"id"`
	StartedAt  time.Time         `json:"started_at"`
	FinishedAt time.Time         `json:"finished_at"`
	Engine     string            `json:"engine"` // "offline" or "<provider>:<model>"
	Repeat     int               `json:"repeat"` // attempts per case (k of pass^k)
	Sets       []SetRun          `json:"sets"`
	Cases      []CaseResult      `json:"cases"`
	Summary    Summary           `json:"summary"`
	Labels     map[string]string `json:"labels,omitempty"` // free annotations (git revision, CI job)
}

// SetRun is one set as the run saw it.
type SetRun struct {
	Name     string `json:"name"`
	Path     string `json:"path"`
	Kind     string `json:"kind"`
	Cases    int    `json:"cases"`
	Runnable bool   `json:"runnable"`
	Reason   string `json:"reason,omitempty"` // why it is not runnable
}

// CaseResult is a case's outcome over all its attempts.
type CaseResult struct {
	Set         string    `json:"set"`
	ID          string    `json:"id"`
	Description string    `json:"description,omitempty"`
	Market      string    `json:"market"`
	Locale      string    `json:"locale"`
	Language    string    `json:"language"` // the locale's base language ("ar" for ar-SA)
	Channel     string    `json:"channel"`
	Intent      string    `json:"intent,omitempty"` // the expected intent, or the case's tag for it
	Tags        []string  `json:"tags,omitempty"`
	Status      string    `json:"status"`
	Reason      string    `json:"reason,omitempty"` // for not_runnable and error
	Attempts    []Attempt `json:"attempts,omitempty"`
	// Passed is how many attempts passed; pass^k holds when Passed == len(Attempts).
	Passed int `json:"passed"`
	// GuardrailViolations counts failed guardrail checks over all attempts.
	GuardrailViolations int `json:"guardrail_violations"`
}

// Key identifies a case across runs.
func (c CaseResult) Key() string { return c.Set + "/" + c.ID }

// Attempt is one run of a case on a fresh conversation.
type Attempt struct {
	N              int           `json:"n"` // 1-based
	Passed         bool          `json:"passed"`
	Error          string        `json:"error,omitempty"`
	Duration       time.Duration `json:"duration_ns"`
	ConversationID string        `json:"conversation_id,omitempty"`
	Checks         []Check       `json:"checks"`
	Transcript     []Line        `json:"transcript"`
	ToolCalls      []ToolCall    `json:"tool_calls,omitempty"`
}

// Check is one expectation and what was found.
type Check struct {
	Name      string `json:"name"` // "intent", "tool refund_order", "reply contains", "disclosure"...
	Passed    bool   `json:"passed"`
	Want      string `json:"want"`
	Got       string `json:"got"`
	Guardrail bool   `json:"guardrail,omitempty"` // a guardrail check: disclosure, taboo
	Turn      int    `json:"turn,omitempty"`      // 1-based turn a per-turn check belongs to
}

// Line is one message of an attempt's transcript.
type Line struct {
	Turn      int           `json:"turn"`   // 1-based customer turn it belongs to
	Author    string        `json:"author"` // customer, ai, human_agent, system
	Text      string        `json:"text"`
	Lang      string        `json:"lang,omitempty"`
	Intent    string        `json:"intent,omitempty"`
	Handoff   bool          `json:"handoff,omitempty"`
	Latency   time.Duration `json:"latency_ns,omitempty"` // customer lines: until the reply was stored
	TabooHits []string      `json:"taboo_hits,omitempty"` // rules that rewrote this AI message
}

// ToolCall is a tool the workflow ran (or proposed) during an attempt.
type ToolCall struct {
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
	// Outcome is the tool's ("ok", "refused", "not_found", "invalid", "failed") or
	// "proposed": previewed, waiting for the customer's yes or a person's approval.
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
	// Effect is the tool's side-effect class in the registry the driver read: "read",
	// "write" or "move_money"; "unknown" for a tool it does not know, which counts as a
	// write.
	Effect string `json:"effect"`
}

// Summary is a run's figures.
type Summary struct {
	Cases       int `json:"cases"`
	Passed      int `json:"passed"`
	Failed      int `json:"failed"`
	Errors      int `json:"errors"`
	NotRunnable int `json:"not_runnable"`
	// PassRate is the share of attempts that passed, over runnable cases.
	PassRate float64 `json:"pass_rate"`
	// PassK is the share of runnable cases whose every attempt passed (pass^k).
	PassK               float64          `json:"pass_k"`
	GuardrailViolations int              `json:"guardrail_violations"`
	ByLanguage          map[string]Group `json:"by_language"`
	ByMarket            map[string]Group `json:"by_market"`
	ByIntent            map[string]Group `json:"by_intent"`
	BySet               map[string]Group `json:"by_set"`
}

// Group is the figures of one slice of a run (a language, a market, an intent).
type Group struct {
	Cases    int     `json:"cases"`
	Passed   int     `json:"passed"` // cases with every attempt passed
	Attempts int     `json:"attempts"`
	PassRate float64 `json:"pass_rate"` // passed attempts / attempts
}
