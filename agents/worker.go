package agents

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// NewWorker returns a worker that runs conversation workflows and their activities.
func NewWorker(c client.Client, taskQueue string, acts *Activities) worker.Worker {
	w := worker.New(c, taskQueue, worker.Options{
		// Workflows are known by their registered name only, never by the Go function name,
		// so that renaming the function cannot strand running conversations.
		DisableRegistrationAliasing: true,
	})
	Register(w, acts)
	return w
}

// Register registers the conversation workflow and activities on any registry (a worker, a
// replayer or a test environment).
func Register(r worker.Registry, acts *Activities) {
	r.RegisterWorkflowWithOptions(ConversationWorkflow, workflowOptions)
	r.RegisterActivity(acts)
}
