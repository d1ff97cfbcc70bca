package agents

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	start := c.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       WorkflowID(conversationID),
		TaskQueue:                c.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, ConversationWorkflow, WorkflowInput{
		ConversationID: conversationID, MaxMessageChars: c.MaxMessageChars,
		MaxTurnsPerRun: c.MaxTurnsPerRun, IdleTimeout: c.IdleTimeout,
	})
	handle, err := c.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID:     req.TurnID,
			UpdateName:   UpdateSendMessage,
			Args:         []any{req},
			WaitForStage: client.WorkflowUpdateStageAccepted,
		},
	})
	if err != nil {
		return TurnResult{}, classify(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	var res TurnResult
	if err := handle.Get(waitCtx, &res); err != nil {
		if waitCtx.Err() != nil && ctx.Err() == nil {
			return TurnResult{}, ErrTurnPending
		}
		return TurnResult{}, classify(err)
	}
	return res, nil
}

// classify turns a validator rejection into InvalidTurnError and leaves other errors wrapped.
func classify(err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() != ErrTypeInvalid && isRejection(err) {
		return &InvalidTurnError{Reason: appErr.Message()}
	}
	return fmt.Errorf("send turn: %w", err)
}

// isRejection reports whether err came from the Update validator rather than the handler:
// a validator's error is a plain error converted by the SDK, with no wrapped activity failure.
func isRejection(err error) bool {
	var actErr *temporal.ActivityError
	return !errors.As(err, &actErr)
}
