package privacy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Names under which the retention workflow and its activity are registered; they are part
// of the stored schedule and histories, so they do not change with Go identifiers.
const (
	RetentionWorkflowName = "privacy.Retention"
	SweepActivityName     = "privacy.RetentionSweep"
	// ScheduleID is the Temporal schedule that runs the retention workflow.
	ScheduleID = "attache-retention"
)

// RetentionWorkflow runs one retention sweep as an activity, at the workflow's time.
func RetentionWorkflow(ctx workflow.Context) (Summary, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Minute, BackoffCoefficient: 2, MaximumInterval: 30 * time.Minute, MaximumAttempts: 5,
		},
	})
	var sum Summary
	err := workflow.ExecuteActivity(ctx, SweepActivityName, workflow.Now(ctx)).Get(ctx, &sum)
	if err != nil {
		return Summary{}, fmt.Errorf("retention sweep: %w", err)
	}
	workflow.GetLogger(ctx).Info("retention sweep done", "conversations", sum.Deleted["conversations"], "kb_gaps", sum.Deleted["kb_gaps"])
	return sum, nil
}

// Activities are the retention workflow's activities; the store is their dependency.
type Activities struct {
	stores []*Store
}

// NewActivities returns the activities over the stores: one per database that keeps
// conversations (the default one and each region's).
func NewActivities(stores ...*Store) *Activities { return &Activities{stores: stores} }

// Sweep runs [Store.Sweep] at now on every store, heartbeating after every batch, and
// returns the sum.
func (a *Activities) Sweep(ctx context.Context, now time.Time) (Summary, error) {
	total := Summary{Deleted: map[string]int64{}}
	for _, st := range a.stores {
		sum, err := st.sweep(ctx, now, func(s Summary) {
			activity.RecordHeartbeat(ctx, total.Deleted["conversations"]+s.Deleted["conversations"])
		})
		if err != nil {
			return total, err
		}
		for t, n := range sum.Deleted {
			total.Deleted[t] += n
		}
		total.Shredded += sum.Shredded
		total.Terminated += sum.Terminated
	}
	return total, nil
}

// Registry is where the workflow and activity are registered: a worker.Worker, or a
// testsuite environment.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// Register registers RetentionWorkflow and the activities under their fixed names.
func Register(r Registry, acts *Activities) {
	r.RegisterWorkflowWithOptions(RetentionWorkflow, workflow.RegisterOptions{Name: RetentionWorkflowName})
	r.RegisterActivityWithOptions(acts.Sweep, activity.RegisterOptions{Name: SweepActivityName})
}

// EnsureSchedule creates the schedule ScheduleID that starts RetentionWorkflow on taskQueue
// every interval, unless a schedule with that ID exists (then it is left as it is, and this
// is success: change an existing schedule with the Temporal CLI or delete it first).
// Overlapping runs are skipped.
func EnsureSchedule(ctx context.Context, c client.Client, taskQueue string, every time.Duration) error {
	if taskQueue == "" {
		return fmt.Errorf("%w: retention schedule: task queue is required", ErrInvalid)
	}
	if every < time.Minute {
		return fmt.Errorf("%w: retention schedule: interval %s is shorter than a minute", ErrInvalid, every)
	}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:      ScheduleID,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: every}}},
		Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		Action: &client.ScheduleWorkflowAction{
			ID:                       ScheduleID,
			Workflow:                 RetentionWorkflowName,
			TaskQueue:                taskQueue,
			WorkflowExecutionTimeout: 6 * time.Hour,
		},
	})
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create retention schedule: %w", err)
	}
	return nil
}
