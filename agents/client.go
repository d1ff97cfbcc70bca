package agents

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/attache-dev/attache/policy/pii"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// ErrTurnPending means the turn was accepted but its reply was not ready within the wait;
// sending the same turn ID again returns the reply once it is.
var ErrTurnPending = errors.New("turn accepted; reply not ready yet")

// InvalidTurnError is a turn the workflow refused; Reason says why (e.g. "text: empty").
type InvalidTurnError struct{ Reason string }

func (e *InvalidTurnError) Error() string { return "invalid turn: " + e.Reason }

// Client sends customer turns to conversation workflows.
type Client struct {
	Temporal        client.Client
	TaskQueue       string
	MaxMessageChars int
	// MaxTurnsPerRun and IdleTimeout are passed to workflows this client starts (0 = defaults).
	MaxTurnsPerRun int
	IdleTimeout    time.Duration
}

// SendTurn delivers a turn with Update-With-Start — starting the conversation's workflow if
// it is not running — and waits up to wait for the result. A retry with the same TurnID is
// answered with the first attempt's result, never run twice.
func (c *Client) SendTurn(ctx context.Context, conversationID string, req TurnRequest, wait time.Duration) (TurnResult, error) {
	if err := ValidateTurn(req, c.MaxMessageChars); err != nil {
		return TurnResult{}, &InvalidTurnError{Reason: err.Error()}
	}
	req.Text = RedactCards(req.Text)
	waitCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	backoff := 50 * time.Millisecond
	for {
		res, err := c.attempt(waitCtx, conversationID, req)
		if err == nil {
			return res, nil
		}
		var invalid *InvalidTurnError
		switch {
		case errors.As(err, &invalid), errors.Is(err, errPermanent):
			return TurnResult{}, err
		case ctx.Err() != nil:
			return TurnResult{}, ctx.Err()
		case errors.Is(err, errAccepted) && waitCtx.Err() != nil:
			return TurnResult{}, ErrTurnPending
		case waitCtx.Err() != nil:
			return TurnResult{}, fmt.Errorf("send turn %s: %w", req.TurnID, err)
		}
		// A transient failure (server busy, connection reset): the Update ID makes the retry
		// safe — an update that was already accepted is attached to, not run again.
		select {
		case <-waitCtx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Second)
	}
}

var (
	// errAccepted wraps a failure that happened after the workflow accepted the turn.
	errAccepted = errors.New("accepted")
	// errPermanent wraps a failure that retrying will not change (the turn itself failed).
	errPermanent = errors.New("turn failed")
)

// attempt makes one Update-With-Start call (a start operation can be used only once).
func (c *Client) attempt(ctx context.Context, conversationID string, req TurnRequest) (TurnResult, error) {
	// The workflow is started by name: a client has no registry, so a function reference
	// would start a workflow typed by the Go function's name, not WorkflowName.
	start := c.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       WorkflowID(conversationID),
		TaskQueue:                c.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, WorkflowName, WorkflowInput{
		ConversationID: conversationID, MaxMessageChars: c.MaxMessageChars,
		MaxTurnsPerRun: c.MaxTurnsPerRun, IdleTimeout: c.IdleTimeout,
	})
	handle, err := c.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			// Named although the start operation names it too: the SDK gives the update's
			// arguments the serialization context of this ID, and the history codec seals
			// them with the conversation's key only when it knows the conversation.
			WorkflowID:   WorkflowID(conversationID),
			UpdateID:     req.TurnID,
			UpdateName:   UpdateSendMessage,
			Args:         []any{req},
			WaitForStage: client.WorkflowUpdateStageAccepted,
		},
	})
	if err != nil {
		return TurnResult{}, classify(err)
	}
	var res TurnResult
	if err := handle.Get(ctx, &res); err != nil {
		if ctx.Err() != nil {
			return TurnResult{}, fmt.Errorf("%w: %w", errAccepted, err)
		}
		return TurnResult{}, classify(err)
	}
	return res, nil
}

// classify sorts an error from Temporal: a validator's rejection becomes InvalidTurnError,
// a failure of the turn itself (an activity that gave up) is permanent, anything else (a
// busy or unreachable server) is transient.
func classify(err error) error {
	var appErr *temporal.ApplicationError
	var actErr *temporal.ActivityError
	switch {
	case errors.As(err, &actErr):
		return fmt.Errorf("%w: %w", errPermanent, err)
	case errors.As(err, &appErr):
		return &InvalidTurnError{Reason: appErr.Message()}
	}
	return err
}

// RedactCards replaces payment card numbers (Luhn-valid, in a known issuer range) with
// "[card]" before a customer's message goes anywhere: no card number is stored, logged,
// shown to a model or written to workflow history. Attaché never needs one; the shop's
// payment provider does, on its own page. Deterministic, so a retried turn stays the same.
func RedactCards(text string) string {
	out, _ := pii.Redact(text, pii.Options{Kinds: []pii.Kind{pii.KindCard}})
	return out
}
