// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package publish delivers the editorial plan: channel accounts and their
// credentials, publications (one per post variant and account) and the
// engine that publishes them at their time, exactly once.
//
// The publications table is the schedule and the truth. A dispatcher loop
// on every instance moves due rows to "queued" and enqueues one River job
// each, available at once: River's own scheduler runs only every 5 s, so a
// job inserted for the future would be up to 5 s late. The worker claims the
// row (queued → publishing, with a lease) in one statement, so two jobs for
// one row never both publish; it calls the connector outside any
// transaction, then settles the row from the connector's typed error.
//
// An attempt that dies mid-flight (a crash, a SIGKILL) leaves a row in
// "publishing" whose lease runs out. Recovery then settles it without
// guessing: a connector whose retries are idempotent (Mastodon's
// Idempotency-Key, Bluesky's record key) is retried; one that can look
// among the account's latest posts (Finder) looks; any other is marked
// "unknown" for a person to decide, and never re-sent blindly.
package publish

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/store"
)

// Sealer encrypts credentials at rest (auth.Sealer).
type Sealer interface {
	Seal(plaintext, associatedData []byte) (string, error)
	Open(sealed string, associatedData []byte) ([]byte, error)
}

// Deps are what the service needs.
type Deps struct {
	DB        *store.DB
	Registry  *channel.Registry
	Sealer    Sealer
	Editorial *editorial.Service
	Jobs      *jobs.Runner
	Notify    *notify.Service
	Log       *slog.Logger
	// PublicURL is where the outside world reaches Piazza; media URLs for
	// platforms that fetch files themselves (Instagram) start with it.
	PublicURL string
	// MediaURL returns the public URL of a media file, signed so that
	// only files of posts being published can be fetched.
	MediaURL func(orgID, mediaID string) string
	// FeedURL returns the URL of an organisation's Atom feed of posts.
	FeedURL func(orgID string) string
}

// Service is the publishing engine and the channel accounts.
type Service struct {
	db        *store.DB
	reg       *channel.Registry
	sealer    Sealer
	editorial *editorial.Service
	jobs      *jobs.Runner
	notify    *notify.Service
	log       *slog.Logger
	mediaURL  func(orgID, mediaID string) string

	// Tuning, overridden by tests and the benchmark.
	PollInterval    time.Duration // how often due rows are looked for
	RecoverInterval time.Duration
	AttemptTimeout  time.Duration // one connector call
	Lease           time.Duration // past it an attempt is presumed dead
	MaxAttempts     int           // retryable failures before giving up

	limiters sync.Map // account id → *accountLimiter
	wake     chan struct{}
}

// NewService returns the service; Register adds its job worker to the
// runner before it starts.
func NewService(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.MediaURL == nil {
		d.MediaURL = func(string, string) string { return "" }
	}
	return &Service{
		db: d.DB, reg: d.Registry, sealer: d.Sealer, editorial: d.Editorial, jobs: d.Jobs, notify: d.Notify, log: d.Log,
		mediaURL:        d.MediaURL,
		PollInterval:    250 * time.Millisecond,
		RecoverInterval: 5 * time.Second,
		AttemptTimeout:  60 * time.Second,
		Lease:           90 * time.Second,
		MaxAttempts:     8,
		wake:            make(chan struct{}, 1),
	}
}

// Registry returns the connectors.
func (s *Service) Registry() *channel.Registry { return s.reg }

// Register adds the publication worker to r. Call before r starts.
func (s *Service) Register(r *jobs.Runner) {
	jobs.Register(r, &publishWorker{s: s})
}

// publishArgs asks a worker to attempt one publication. The row says what
// to do; the job only says "look at it now".
type publishArgs struct {
	PublicationID string `json:"publication_id"`
}

func (publishArgs) Kind() string { return "publish.publication" }

func (publishArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue: string(jobs.LanePublish),
		// No unique jobs: River marks a job completed a moment after it
		// returns, so a row re-queued at once (a token reconnected, a short
		// rate limit) would find its old job still "running" and be skipped.
		// A second job for a row is harmless: only one claims it.
		// Our own retries go through the row; River's are for a database
		// error inside the worker.
		MaxAttempts: 5,
	}
}

type publishWorker struct {
	river.WorkerDefaults[publishArgs]
	s *Service
}

func (w *publishWorker) Work(ctx context.Context, job *river.Job[publishArgs]) error {
	return w.s.attempt(ctx, job.Args.PublicationID)
}

// Timeout leaves room for the connector call and the settling writes.
func (w *publishWorker) Timeout(*river.Job[publishArgs]) time.Duration {
	return w.s.AttemptTimeout + 30*time.Second
}
