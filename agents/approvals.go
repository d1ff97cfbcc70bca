package agents

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// ErrNoApproval means the conversation has no approval pending under the key: it was never
// asked for, or someone already decided it and the decision's result is gone.
var ErrNoApproval = errors.New("no approval pending under this key")

// PendingApprovals returns the writes of a conversation that wait for a person's approval,
// oldest first. A conversation whose workflow never started has none.
func (c *Client) PendingApprovals(ctx context.Context, conversationID string) ([]PendingAction, error) {
	res, err := c.Temporal.QueryWorkflow(ctx, WorkflowID(conversationID), "", QueryState)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("query conversation state: %w", err)
	}
	var st State
	if err := res.Get(&st); err != nil {
		return nil, fmt.Errorf("decode conversation state: %w", err)
	}
	return st.Approvals, nil
}

// Decide delivers a person's decision on a pending approval and waits until the approved
// call ran (or the denial was recorded) and the customer was told. Deciding the same key
// again returns the first decision's result: the Update's ID is derived from the key, so a
// retried request or a second person's click never runs the call twice.
func (c *Client) Decide(ctx context.Context, conversationID string, d Decision) (DecisionResult, error) {
	if d.By == "" {
		return DecisionResult{}, &InvalidTurnError{Reason: "by: required"}
	}
	if d.Key == "" {
		return DecisionResult{}, &InvalidTurnError{Reason: "key: required"}
	}
	handle, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   WorkflowID(conversationID),
		UpdateID:     "decide/" + d.Key,
		UpdateName:   UpdateDecide,
		Args:         []any{d},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var res DecisionResult
	if err == nil {
		err = handle.Get(ctx, &res)
	}
	if err != nil {
		return DecisionResult{}, decisionError(err)
	}
	return res, nil
}

// decisionError sorts a failed decision: an unknown conversation or key, a refused input,
// or a failure worth retrying.
func decisionError(err error) error {
	var nf *serviceerror.NotFound
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &nf):
		return ErrNoApproval
	case errors.As(err, &appErr):
		msg := appErr.Message()
		if strings.HasPrefix(msg, "key:") || msg == "no approval pending" {
			return ErrNoApproval
		}
		return &InvalidTurnError{Reason: msg}
	}
	return fmt.Errorf("decide approval: %w", err)
}
