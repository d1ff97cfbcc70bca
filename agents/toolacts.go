package agents

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/attache-dev/attache/tools"
)

// PreviewTool asks a confirming tool what its call would do, without doing it.
func (a *Activities) PreviewTool(ctx context.Context, inv tools.Invocation) (tools.Result, error) {
	defer heartbeat(ctx, ToolHeartbeatTimeout/4)()
	t, err := a.tool(inv.Call.Name)
	if err != nil {
		return tools.Result{}, err
	}
	p, ok := t.(tools.Previewer)
	if !ok {
		return tools.Result{}, temporal.NewNonRetryableApplicationError("tool has no preview", ErrTypeInvalid, nil)
	}
	r, err := p.Preview(ctx, inv)
	if err != nil {
		return tools.Result{}, fmt.Errorf("preview %s: %w", inv.Call.Name, err)
	}
	return r, nil
}

// RunTool runs one tool call. A tool returns refusals and not-found as results; an error is a
// failure worth retrying (the shop or the network), safe because writes carry inv.Key.
func (a *Activities) RunTool(ctx context.Context, inv tools.Invocation) (tools.Result, error) {
	defer heartbeat(ctx, ToolHeartbeatTimeout/4)()
	t, err := a.tool(inv.Call.Name)
	if err != nil {
		return tools.Result{}, err
	}
	r, err := t.Run(ctx, inv)
	if err != nil {
		return tools.Result{}, fmt.Errorf("run %s: %w", inv.Call.Name, err)
	}
	a.Logger.Info("tool call", "conversation", inv.ConversationID, "tool", inv.Call.Name, "key", inv.Key,
		"outcome", r.Outcome, "reason", r.Reason, "verified", r.Verified)
	return r, nil
}

func (a *Activities) tool(name string) (tools.Tool, error) {
	if a.Tools != nil {
		if t, ok := a.Tools.Tool(name); ok {
			return t, nil
		}
	}
	return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("no tool named %q", name), ErrTypeInvalid, nil)
}

// ConversationInfo is what tool calls outside a turn need to know of the conversation.
type ConversationInfo struct {
	Market, Locale string
}

// ConversationInfo reads the conversation's market and locale.
func (a *Activities) ConversationInfo(ctx context.Context, conversationID string) (ConversationInfo, error) {
	c, err := a.Store.Get(ctx, conversationID)
	if err != nil {
		return ConversationInfo{}, fmt.Errorf("read conversation: %w", err)
	}
	return ConversationInfo{Market: c.Market, Locale: c.Locale}, nil
}
