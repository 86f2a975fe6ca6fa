// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"go.uber.org/goleak"

	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

const wait = 15 * time.Second

// TestMain fails the package when a runner leaves goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Every test job is inserted with one attempt, so a job left behind by a
// failed test is final instead of being retried by a later test's runner
// (on PostgreSQL the package's tests share one database).
func opts(lane jobs.Lane) *river.InsertOpts {
	return &river.InsertOpts{Queue: string(lane), MaxAttempts: 1}
}

// echoArgs is a job that reports its ID when worked.
type echoArgs struct {
	ID string `json:"id"`
}

func (echoArgs) Kind() string { return "jobs_test_echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	got chan string
}

func (w *echoWorker) Work(ctx context.Context, job *river.Job[echoArgs]) error {
	select {
	case w.got <- job.Args.ID:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// holdArgs is a job that holds its worker until released, its context is
// cancelled, or Hold elapses (when set).
type holdArgs struct {
	ID   string        `json:"id"`
	Hold time.Duration `json:"hold"`
}

func (holdArgs) Kind() string { return "jobs_test_hold" }

type holdResult struct {
	id       string
	ctxErr   error
	finished time.Time
}

type holdWorker struct {
	river.WorkerDefaults[holdArgs]
	started chan string
	release chan struct{}
	done    chan holdResult
}

func newHoldWorker() *holdWorker {
	return &holdWorker{
		started: make(chan string, 16),
		release: make(chan struct{}),
		done:    make(chan holdResult, 16),
	}
}

func (w *holdWorker) Work(ctx context.Context, job *river.Job[holdArgs]) error {
	w.started <- job.Args.ID
	var timeout <-chan time.Time
	if job.Args.Hold > 0 {
		timeout = time.After(job.Args.Hold)
	}
	var err error
	select {
	case <-w.release:
	case <-timeout:
	case <-ctx.Done():
		err = ctx.Err()
	}
	w.done <- holdResult{id: job.Args.ID, ctxErr: err, finished: time.Now()}
	return err
}

func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// newRunner returns a runner that is stopped when the test ends, before
// the database closes.
func newRunner(t *testing.T, db *store.DB, cfg jobs.Config) *jobs.Runner {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger()
	}
	r := jobs.New(db, cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return r
}

func start(t *testing.T, r *jobs.Runner) {
	t.Helper()
	if err := r.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestInsertRunsJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := newRunner(t, db, jobs.Config{})
		got := make(chan string, 4)
		jobs.Register(r, &echoWorker{got: got})
		start(t, r)

		id := storetest.Unique("job")
		if err := r.Insert(ctx, echoArgs{ID: id}, opts(jobs.LanePublish)); err != nil {
			t.Fatal(err)
		}
		if v := receive(t, got, "the job"); v != id {
			t.Fatalf("worked job %q, want %q", v, id)
		}

		// A job without a lane would wait forever in River's default queue.
		err := r.Insert(ctx, echoArgs{ID: "x"}, nil)
		if err == nil || !strings.Contains(err.Error(), "lane") {
			t.Fatalf("insert without lane: err = %v, want a lane error", err)
		}
		err = r.Insert(ctx, echoArgs{ID: "x"}, opts("nowhere"))
		if err == nil {
			t.Fatal("insert on an unknown lane: no error")
		}
	})
}

// Jobs inserted together all run; one without a lane refuses the lot
// before anything is inserted.
func TestInsertManyRunsJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := newRunner(t, db, jobs.Config{})
		got := make(chan string, 8)
		jobs.Register(r, &echoWorker{got: got})
		start(t, r)

		want := map[string]bool{}
		var params []river.InsertManyParams
		for range 5 {
			id := storetest.Unique("many")
			want[id] = true
			params = append(params, river.InsertManyParams{Args: echoArgs{ID: id}, InsertOpts: opts(jobs.LaneAlert)})
		}
		if err := r.InsertMany(ctx, params); err != nil {
			t.Fatal(err)
		}
		for range params {
			if v := receive(t, got, "a job inserted together"); !want[v] {
				t.Fatalf("worked %q, not one of %v", v, want)
			}
		}
		bad := []river.InsertManyParams{{Args: echoArgs{ID: storetest.Unique("ok")}, InsertOpts: opts(jobs.LaneAlert)},
			{Args: echoArgs{ID: "x"}}}
		if err := r.InsertMany(ctx, bad); err == nil || !strings.Contains(err.Error(), "lane") {
			t.Fatalf("insert without lane: err = %v, want a lane error", err)
		}
		select {
		case v := <-got:
			t.Fatalf("a job of a refused batch ran: %q", v)
		case <-time.After(300 * time.Millisecond):
		}
		if err := r.InsertMany(ctx, nil); err != nil {
			t.Errorf("nothing to insert: %v", err)
		}
	})
}

func TestPeriodicRunsOnStartAndNow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		// River logs the failing task's error; it is expected here.
		r := newRunner(t, db, jobs.Config{Logger: slog.New(slog.DiscardHandler)})
		okName := storetest.Unique("test.ok")
		failName := storetest.Unique("test.fail")
		runs := make(chan struct{}, 8)
		r.Periodic(okName, time.Hour, jobs.LaneMaintenance, func(ctx context.Context) error {
			runs <- struct{}{}
			return nil
		})
		r.Periodic(failName, time.Hour, jobs.LaneMaintenance, func(ctx context.Context) error {
			return errors.New("boom")
		})
		start(t, r)

		receive(t, runs, "the run on start")
		if err := r.RunNow(ctx, okName); err != nil {
			t.Fatal(err)
		}
		receive(t, runs, "the run now")

		if err := r.RunNow(ctx, "no.such.task"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("run now of an unknown task: err = %v, want ErrNotFound", err)
		}

		// Completion is recorded asynchronously: poll until both runs show.
		deadline := time.Now().Add(wait)
		for {
			tasks, err := r.Tasks(ctx)
			if err != nil {
				t.Fatal(err)
			}
			byName := map[string]jobs.Task{}
			for _, tk := range tasks {
				byName[tk.Name] = tk
			}
			ok, fail := byName[okName], byName[failName]
			if ok.LastState == "completed" && fail.LastState == "discarded" {
				if ok.LastRun.IsZero() || ok.LastError != "" {
					t.Errorf("ok task = %+v, want a last run without error", ok)
				}
				if fail.LastRun.IsZero() || !strings.Contains(fail.LastError, "boom") {
					t.Errorf("failing task = %+v, want a last run with error boom", fail)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("tasks never showed their runs: ok = %+v, fail = %+v", ok, fail)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// A restart (or a new leader) within the period does not run a task again.
func TestPeriodicRunsOncePerPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		// A long period, so the test never straddles two of them.
		const every = 1000 * time.Hour
		name, other := storetest.Unique("test.once"), storetest.Unique("test.other")
		runs, otherRuns := make(chan struct{}, 8), make(chan struct{}, 8)
		task := func(ch chan struct{}) func(context.Context) error {
			return func(context.Context) error { ch <- struct{}{}; return nil }
		}

		first := newRunner(t, db, jobs.Config{})
		first.Periodic(name, every, jobs.LaneMaintenance, task(runs))
		start(t, first)
		receive(t, runs, "the first run")
		stopCtx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		if err := first.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}

		second := newRunner(t, db, jobs.Config{})
		second.Periodic(name, every, jobs.LaneMaintenance, task(runs))
		second.Periodic(other, every, jobs.LaneMaintenance, task(otherRuns))
		start(t, second)
		// Both tasks' start runs are inserted in one transaction, so once
		// the other task has run, a second run of name would be visible.
		receive(t, otherRuns, "the other task's run")
		var n int
		err := db.Read.QueryRowContext(ctx,
			`SELECT count(*) FROM river_job WHERE kind = 'periodic_task' AND args ->> 'name' = $1`, name).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 || len(runs) != 0 {
			t.Fatalf("task has %d jobs and ran %d more times, want 1 job and no new run", n, len(runs))
		}
	})
}

func TestTasksListsRegistered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRunner(t, db, jobs.Config{})
		name := storetest.Unique("test.list")
		r.Periodic(name, 15*time.Minute, jobs.LaneAnalytics, func(context.Context) error { return nil })

		tasks, err := r.Tasks(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		want := jobs.Task{Name: name, Lane: jobs.LaneAnalytics, Every: 15 * time.Minute}
		if len(tasks) != 1 || tasks[0] != want {
			t.Fatalf("tasks = %+v, want [%+v]", tasks, want)
		}

		defer func() {
			if recover() == nil {
				t.Error("Periodic after the runner was used did not panic")
			}
		}()
		r.Periodic(storetest.Unique("test.late"), time.Hour, jobs.LaneAnalytics, func(context.Context) error { return nil })
	})
}

func TestLanesDoNotStarve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := newRunner(t, db, jobs.Config{Workers: 1})
		hold := newHoldWorker()
		got := make(chan string, 4)
		jobs.Register(r, hold)
		jobs.Register(r, &echoWorker{got: got})
		start(t, r)

		// Saturate the ingest lane (one worker) with three jobs that hold.
		for range 3 {
			if err := r.Insert(ctx, holdArgs{ID: storetest.Unique("slow")}, opts(jobs.LaneIngest)); err != nil {
				t.Fatal(err)
			}
		}
		receive(t, hold.started, "the first slow job")

		for _, lane := range []jobs.Lane{jobs.LanePublish, jobs.LaneAlert} {
			id := storetest.Unique("fast")
			if err := r.Insert(ctx, echoArgs{ID: id}, opts(lane)); err != nil {
				t.Fatal(err)
			}
			if v := receive(t, got, "a job on lane "+string(lane)); v != id {
				t.Fatalf("worked %q, want %q", v, id)
			}
		}
		if n := len(hold.started); n != 0 {
			t.Fatalf("%d more slow jobs started on a lane of one worker", n)
		}

		// Drain the ingest lane so no job outlives the test.
		close(hold.release)
		for range 3 {
			if res := receive(t, hold.done, "a slow job to finish"); res.ctxErr != nil {
				t.Fatalf("slow job %s: %v", res.id, res.ctxErr)
			}
		}
	})
}

func TestStopWaitsForRunningJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := newRunner(t, db, jobs.Config{})
		hold := newHoldWorker()
		jobs.Register(r, hold)
		start(t, r)

		if err := r.Insert(ctx, holdArgs{ID: "graceful", Hold: 500 * time.Millisecond}, opts(jobs.LaneBulletin)); err != nil {
			t.Fatal(err)
		}
		receive(t, hold.started, "the job to start")
		stopCtx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		if err := r.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		stopped := time.Now()
		select {
		case res := <-hold.done:
			if res.ctxErr != nil {
				t.Fatalf("running job was cancelled: %v", res.ctxErr)
			}
			if res.finished.After(stopped) {
				t.Fatal("Stop returned before the running job finished")
			}
		default:
			t.Fatal("Stop returned before the running job finished")
		}
	})
}

func TestStopCancelsJobsAfterDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := newRunner(t, db, jobs.Config{Logger: slog.New(slog.DiscardHandler)})
		hold := newHoldWorker()
		jobs.Register(r, hold)
		start(t, r)

		if err := r.Insert(ctx, holdArgs{ID: "stuck"}, opts(jobs.LaneAnalytics)); err != nil {
			t.Fatal(err)
		}
		receive(t, hold.started, "the job to start")
		stopCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		begin := time.Now()
		if err := r.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(begin); d > 10*time.Second {
			t.Fatalf("Stop took %s", d)
		}
		res := receive(t, hold.done, "the job to return")
		if !errors.Is(res.ctxErr, context.Canceled) {
			t.Fatalf("job context error = %v, want cancelled", res.ctxErr)
		}
	})
}
