// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package jobs runs Piazza's background work on River, on either engine,
// behind one non-generic Runner: River's client is generic over the
// transaction type (*sql.Tx for SQLite, pgx.Tx for PostgreSQL) and nothing
// outside this package needs to know which one is in use.
//
// Work is split into lanes (River queues), each with its own workers, so a
// backlog of analytics pulls never delays an alert. Periodic tasks (SLA
// checks, metric pulls, retention) are named functions run by one job kind,
// listed for the admin page and runnable on demand.
//
// The database row of the domain is the truth of every delivery; a job only
// says "look at this row now". Workers must therefore be safe to run twice.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/piazza-pa/piazza/internal/store"
)

// Lane is a River queue with workers of its own.
type Lane string

// The lanes, in order of urgency. A job names its lane in InsertOpts.Queue
// (or in its args' InsertOpts method).
const (
	LaneAlert       Lane = "alert"
	LanePublish     Lane = "publish"
	LaneIngest      Lane = "ingest"
	LaneBulletin    Lane = "bulletin"
	LaneAnalytics   Lane = "analytics"
	LaneMaintenance Lane = "maintenance"
)

// Lanes lists every lane, most urgent first.
func Lanes() []Lane {
	return []Lane{LaneAlert, LanePublish, LaneIngest, LaneBulletin, LaneAnalytics, LaneMaintenance}
}

func (l Lane) valid() bool { return slices.Contains(Lanes(), l) }

const (
	defaultWorkers    = 4
	defaultJobTimeout = 5 * time.Minute

	// SQLite has no LISTEN/NOTIFY, so River polls. A job inserted by this
	// process wakes its lane at once anyway; polling matters for periodic
	// runs, jobs made available by River's scheduler (every 5 s) and jobs
	// inserted by another process such as a CLI command. Each poll is a
	// short write transaction per lane on the single write connection, so
	// it is not made shorter than this.
	sqlitePollInterval = 500 * time.Millisecond

	// cancelGrace bounds the wait for cancelled jobs to return in Stop.
	cancelGrace = 10 * time.Second
)

// Config tunes a Runner. The zero value is usable.
type Config struct {
	// Workers is the most jobs a lane runs at once (default 4). The alert
	// lane gets max(2*Workers, 4), so alerts go out even when it is busy.
	Workers int
	// Logger receives River's warnings and errors; its chatter below warn is
	// dropped. Defaults to slog.Default().
	Logger *slog.Logger
	// JobTimeout cancels a job's context after this long (default 5 min); a
	// worker may set its own with river.Worker's Timeout method.
	JobTimeout time.Duration
}

// riverClient is the part of river.Client[TTx] the Runner uses; none of
// these methods mention TTx, so both engines' clients satisfy it.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
}

// Runner enqueues and works jobs. Register workers and periodic tasks
// first, then Start; Insert, RunNow and Tasks may be used before Start (the
// jobs wait for a started Runner).
type Runner struct {
	db      *store.DB
	cfg     Config
	log     *slog.Logger
	workers *river.Workers

	mu      sync.Mutex
	tasks   map[string]*task
	client  riverClient // built on first use; Register and Periodic panic after that
	started bool
}

// New returns a Runner over db; nothing touches the database until Start,
// Insert, RunNow or Tasks.
func New(db *store.DB, cfg Config) *Runner {
	if cfg.Workers <= 0 {
		cfg.Workers = defaultWorkers
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = defaultJobTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := &Runner{
		db:      db,
		cfg:     cfg,
		log:     cfg.Logger,
		workers: river.NewWorkers(),
		tasks:   map[string]*task{},
	}
	// Always present, which also satisfies River's rule that a started
	// client has at least one worker.
	river.AddWorker(r.workers, &taskWorker{r: r})
	return r
}

// Register adds the worker of one job kind. It must be called before the
// Runner is used (Start, Insert, RunNow, Tasks) and panics otherwise, or
// when the kind is already registered: both are wiring mistakes.
func Register[T river.JobArgs](r *Runner, w river.Worker[T]) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mustBeUnbuilt("Register")
	if err := river.AddWorkerSafely(r.workers, w); err != nil {
		panic(fmt.Sprintf("jobs: register: %v", err))
	}
}

func (r *Runner) mustBeUnbuilt(what string) {
	if r.client != nil {
		panic("jobs: " + what + " called after the runner was started or used")
	}
}

// clientLocked builds the River client on first use. r.mu must be held.
func (r *Runner) clientLocked() (riverClient, error) {
	if r.client != nil {
		return r.client, nil
	}
	cfg := &river.Config{
		Queues:       map[string]river.QueueConfig{},
		Workers:      r.workers,
		PeriodicJobs: r.periodicJobs(),
		JobTimeout:   r.cfg.JobTimeout,
		Logger:       slog.New(minLevel{min: slog.LevelWarn, h: r.log.Handler()}).With("component", "river"),
	}
	for _, l := range Lanes() {
		n := r.cfg.Workers
		if l == LaneAlert {
			n = max(2*r.cfg.Workers, 4)
		}
		cfg.Queues[string(l)] = river.QueueConfig{MaxWorkers: n}
	}
	var (
		c   riverClient
		err error
	)
	switch r.db.Engine {
	case store.SQLite:
		// River shares the one write connection of db.Write: SQLite allows
		// a single writer, and River's own docs advise a one-connection pool
		// to avoid SQLITE_BUSY. Everything River does (fetch, complete,
		// elect, schedule) therefore queues on that connection alongside
		// the application's writes.
		cfg.FetchPollInterval = sqlitePollInterval
		c, err = river.NewClient[*sql.Tx](riversqlite.New(r.db.Write), cfg)
	case store.Postgres:
		// LISTEN/NOTIFY wakes the lanes on insert; River's default poll
		// (1 s) is only the fallback.
		c, err = river.NewClient[pgx.Tx](riverpgxv5.New(r.db.Pool), cfg)
	default:
		err = fmt.Errorf("unknown engine %q", r.db.Engine)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: new River client: %w", err)
	}
	r.client = c
	return c, nil
}

func (r *Runner) riverClient() (riverClient, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.clientLocked()
}

// Insert enqueues a job on the lane named by opts.Queue or, failing that,
// by the args' InsertOpts method; a job without a lane is refused rather
// than left forever in a queue nobody works.
//
// Never call Insert inside an open store transaction (db.Tx): on SQLite
// River writes through the same single connection the transaction holds,
// so Insert would wait for it forever. Commit the domain row first, then
// insert the job; the worker reads the row.
func (r *Runner) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if err := checkLane(args, opts); err != nil {
		return err
	}
	c, err := r.riverClient()
	if err != nil {
		return err
	}
	if _, err := c.Insert(ctx, args, opts); err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// InsertMany enqueues jobs that belong together (every delivery of an
// alert) in one transaction, with Insert's rule on lanes and transactions.
// A worker's next fetch then finds them all. Inserted one by one they
// would not be found together on PostgreSQL: River sends at most one
// insert notification per lane per FetchCooldown, so the jobs after the
// first waited for the next poll, up to a second (measured: 0.44 s at the
// median for an alert's deliveries).
func (r *Runner) InsertMany(ctx context.Context, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	for _, p := range params {
		if err := checkLane(p.Args, p.InsertOpts); err != nil {
			return err
		}
	}
	c, err := r.riverClient()
	if err != nil {
		return err
	}
	if _, err := c.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("jobs: insert %d %s jobs: %w", len(params), params[0].Args.Kind(), err)
	}
	return nil
}

// checkLane refuses a job without a lane rather than leave it forever in a
// queue nobody works.
func checkLane(args river.JobArgs, opts *river.InsertOpts) error {
	lane := ""
	if opts != nil {
		lane = opts.Queue
	}
	if lane == "" {
		if a, ok := args.(river.JobArgsWithInsertOpts); ok {
			lane = a.InsertOpts().Queue
		}
	}
	if !Lane(lane).valid() {
		return fmt.Errorf("jobs: insert %s: lane %q is not one of %v", args.Kind(), lane, Lanes())
	}
	return nil
}

// Start starts working jobs and, on the instance elected leader, enqueuing
// periodic tasks. ctx only carries values: cancelling it does not stop the
// Runner, Stop does, so that a shutdown signal lets running jobs finish.
func (r *Runner) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.clientLocked()
	if err != nil {
		return err
	}
	if err := c.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	r.started = true
	return nil
}

// Stop stops fetching new jobs and waits for running ones until ctx is
// done; then it cancels their contexts and waits a little longer for them
// to return. It returns an error only when some job ignored cancellation.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	c, started := r.client, r.started
	r.started = false
	r.mu.Unlock()
	if !started {
		return nil
	}
	err := c.Stop(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() == nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	r.log.Warn("jobs: running jobs did not finish before shutdown; cancelling them")
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelGrace)
	defer cancel()
	if err := c.StopAndCancel(cctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("jobs: stop: jobs still running %s after cancellation", cancelGrace)
		}
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// minLevel drops records below min before they reach h, keeping River's
// info and debug chatter out of Piazza's log.
type minLevel struct {
	min slog.Level
	h   slog.Handler
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}

func (m minLevel) Handle(ctx context.Context, rec slog.Record) error { return m.h.Handle(ctx, rec) }

func (m minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{min: m.min, h: m.h.WithAttrs(attrs)}
}

func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{min: m.min, h: m.h.WithGroup(name)}
}
