package privacy

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// fakeClient is a Temporal client whose schedule client records what it is asked to create.
type fakeClient struct {
	client.Client // nil: any other method panics
	schedules     *fakeSchedules
}

func (f fakeClient) ScheduleClient() client.ScheduleClient { return f.schedules }

type fakeSchedules struct {
	client.ScheduleClient
	created []client.ScheduleOptions
	err     error
}

func (f *fakeSchedules) Create(_ context.Context, o client.ScheduleOptions) (client.ScheduleHandle, error) {
	f.created = append(f.created, o)
	return nil, f.err
}

func TestEnsureSchedule(t *testing.T) {
	tests := []struct {
		name      string
		queue     string
		every     time.Duration
		createErr error
		wantErr   bool
		created   bool
	}{
		{name: "creates the schedule", queue: "attache", every: 24 * time.Hour, created: true},
		{name: "an existing schedule is success", queue: "attache", every: time.Hour, createErr: temporal.ErrScheduleAlreadyRunning, created: true},
		{name: "other failures are reported", queue: "attache", every: time.Hour, createErr: errors.New("unavailable"), wantErr: true, created: true},
		{name: "no task queue", every: time.Hour, wantErr: true},
		{name: "interval under a minute", queue: "attache", every: time.Second, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &fakeSchedules{err: tt.createErr}
			err := EnsureSchedule(context.Background(), fakeClient{schedules: sc}, tt.queue, tt.every)
			if (err != nil) != tt.wantErr {
				t.Fatalf("EnsureSchedule: %v, want error %v", err, tt.wantErr)
			}
			if got := len(sc.created) == 1; got != tt.created {
				t.Fatalf("created %d schedules", len(sc.created))
			}
			if !tt.created {
				return
			}
			o := sc.created[0]
			a, ok := o.Action.(*client.ScheduleWorkflowAction)
			if o.ID != ScheduleID || !ok || a.Workflow != RetentionWorkflowName || a.TaskQueue != tt.queue ||
				len(o.Spec.Intervals) != 1 || o.Spec.Intervals[0].Every != tt.every {
				t.Errorf("schedule %+v, action %+v", o, o.Action)
			}
		})
	}
}
