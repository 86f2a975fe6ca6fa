// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/piazza-pa/piazza/internal/store"
)

// taskKind is the one River job kind of every periodic task: the args name
// the task, so adding a task needs no new kind.
const taskKind = "periodic_task"

type taskArgs struct {
	Name string `json:"name"`
}

func (taskArgs) Kind() string { return taskKind }

type task struct {
	name  string
	every time.Duration
	lane  Lane
	run   func(ctx context.Context) error
}

// Task describes a periodic task for the admin page. The last run is read
// from River's job rows, so it is the same on every instance, but only as
// long as River keeps them: 24 hours for a completed run, 7 days for a
// failed one. A zero LastRun means no run on record.
type Task struct {
	Name  string
	Lane  Lane
	Every time.Duration
	// LastRun is when the latest run started.
	LastRun time.Time
	// LastState is River's state of that run: "running", "completed",
	// "discarded" (failed) or "cancelled"; empty without a run on record.
	LastState string
	// LastError is why that run failed; empty when it did not.
	LastError string
}

// Periodic registers the task name, run every `every` on lane, first soon
// after Start. Like Register it must precede any use of the Runner, and it
// panics on a wiring mistake: an empty or duplicate name, an interval under
// a second, an unknown lane.
//
// Only the River client elected leader enqueues periodic jobs (River starts
// its periodic job enqueuer among the leader's maintenance services), so
// several instances on PostgreSQL do not each enqueue a run; the unique key
// (task name within the period) also keeps a new leader, or a restart,
// from repeating a run already made in the same period.
//
// A failed run is not retried: the next period is the retry, and an admin
// can run it now. Runs of the same task may overlap (a manual run next to
// a scheduled one), so run must tolerate that.
func (r *Runner) Periodic(name string, every time.Duration, lane Lane, run func(ctx context.Context) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mustBeUnbuilt("Periodic")
	switch {
	case name == "":
		panic("jobs: periodic task without a name")
	case r.tasks[name] != nil:
		panic("jobs: periodic task " + name + " registered twice")
	case every < time.Second:
		// River's unique periods cannot be shorter than a second.
		panic(fmt.Sprintf("jobs: periodic task %s: interval %s is under a second", name, every))
	case !lane.valid():
		panic(fmt.Sprintf("jobs: periodic task %s: unknown lane %q", name, lane))
	case run == nil:
		panic("jobs: periodic task " + name + " without a function")
	}
	r.tasks[name] = &task{name: name, every: every, lane: lane, run: run}
}

// periodicJobs turns the registered tasks into River periodic jobs. r.mu
// must be held.
func (r *Runner) periodicJobs() []*river.PeriodicJob {
	var out []*river.PeriodicJob
	for _, t := range r.sortedTasksLocked() {
		opts := &river.InsertOpts{
			Queue:       string(t.lane),
			MaxAttempts: 1,
			UniqueOpts:  river.UniqueOpts{ByArgs: true, ByPeriod: t.every},
		}
		out = append(out, river.NewPeriodicJob(
			river.PeriodicInterval(t.every),
			func() (river.JobArgs, *river.InsertOpts) { return taskArgs{Name: t.name}, opts },
			&river.PeriodicJobOpts{RunOnStart: true},
		))
	}
	return out
}

func (r *Runner) sortedTasksLocked() []*task {
	list := make([]*task, 0, len(r.tasks))
	for _, t := range r.tasks {
		list = append(list, t)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	return list
}

// RunNow enqueues a run of the named task at once. While a manual run of
// the task is still waiting or running, another RunNow adds nothing. An
// unknown name is store.ErrNotFound.
func (r *Runner) RunNow(ctx context.Context, name string) error {
	r.mu.Lock()
	t := r.tasks[name]
	r.mu.Unlock()
	if t == nil {
		return fmt.Errorf("jobs: run now %q: %w", name, store.ErrNotFound)
	}
	c, err := r.riverClient()
	if err != nil {
		return err
	}
	_, err = c.Insert(ctx, taskArgs{Name: name}, &river.InsertOpts{
		Queue:       string(t.lane),
		MaxAttempts: 1,
		UniqueOpts: river.UniqueOpts{
			ByArgs: true,
			// The states River requires; leaving out completed lets the
			// next click run the task again once this run is over.
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending,
				rivertype.JobStateRunning, rivertype.JobStateScheduled,
			},
		},
	})
	if err != nil {
		return fmt.Errorf("jobs: run now %q: %w", name, err)
	}
	return nil
}

// Tasks lists the registered periodic tasks by name, each with its latest
// run on record.
func (r *Runner) Tasks(ctx context.Context) ([]Task, error) {
	r.mu.Lock()
	list := r.sortedTasksLocked()
	c, err := r.clientLocked()
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out := make([]Task, 0, len(list))
	for _, t := range list {
		info := Task{Name: t.name, Lane: t.lane, Every: t.every}
		// "->>" reads a JSON field on both engines (SQLite 3.38+).
		params := river.NewJobListParams().
			Kinds(taskKind).
			States(rivertype.JobStateRunning, rivertype.JobStateCompleted, rivertype.JobStateRetryable,
				rivertype.JobStateDiscarded, rivertype.JobStateCancelled).
			Where("args ->> 'name' = @task_name", river.NamedArgs{"task_name": t.name}).
			OrderBy(river.JobListOrderByID, river.SortOrderDesc).
			First(1)
		res, err := c.JobList(ctx, params)
		if err != nil {
			return nil, fmt.Errorf("jobs: last run of %s: %w", t.name, err)
		}
		if len(res.Jobs) > 0 {
			j := res.Jobs[0]
			if j.AttemptedAt != nil {
				info.LastRun = *j.AttemptedAt
			}
			info.LastState = string(j.State)
			if j.State != rivertype.JobStateCompleted && j.State != rivertype.JobStateRunning && len(j.Errors) > 0 {
				info.LastError = j.Errors[len(j.Errors)-1].Error
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// taskWorker runs every periodic task, dispatching on the name in the args.
type taskWorker struct {
	river.WorkerDefaults[taskArgs]
	r *Runner
}

func (w *taskWorker) Work(ctx context.Context, job *river.Job[taskArgs]) error {
	w.r.mu.Lock()
	t := w.r.tasks[job.Args.Name]
	w.r.mu.Unlock()
	if t == nil {
		// A task removed in a newer version may leave queued runs behind.
		return river.JobCancel(fmt.Errorf("jobs: no periodic task named %q", job.Args.Name))
	}
	if err := t.run(ctx); err != nil {
		return fmt.Errorf("jobs: periodic task %s: %w", t.name, err)
	}
	return nil
}
