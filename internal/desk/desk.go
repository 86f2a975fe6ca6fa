// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package desk is the citizen desk: one inbox for the comments, mentions
// and private messages of every channel, the public web form and email.
// Each message is triaged offline (category, office, urgency, moderation),
// routed to the competent office, timed against the organisation's SLA in
// business hours and answered through the channel the citizen used.
//
// A conversation is one citizen thread on one channel (a chat, the comments
// under one top comment, an email thread, one web form request). Messages
// are deduplicated by channel and remote id, so a webhook delivered twice
// is stored once.
package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/mail"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/triage"
)

// Status is where a conversation stands in the queue.
type Status string

// The statuses, in the order a conversation usually goes through them.
const (
	StatusNew      Status = "new"      // nobody has taken it yet
	StatusAssigned Status = "assigned" // an office or a person has it
	StatusWaiting  Status = "waiting"  // waiting for an office consulted
	StatusAnswered Status = "answered" // the citizen has an answer
	StatusClosed   Status = "closed"   // done
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusNew, StatusAssigned, StatusWaiting, StatusAnswered, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Open reports whether the conversation still needs work.
func (s Status) Open() bool { return s == StatusNew || s == StatusAssigned || s == StatusWaiting }

// Sources that are not channel accounts.
const (
	SourceWebForm = "webform"
	SourceEmail   = "email"
)

// Direction says who wrote a message.
type Direction string

// The directions.
const (
	In   Direction = "in"   // the citizen
	Out  Direction = "out"  // a reply from the desk
	Note Direction = "note" // an internal note, never sent
	Auto Direction = "auto" // an automatic reply
)

// Reply states.
const (
	StateReceived = "received"
	StateQueued   = "queued"
	StateSent     = "sent"
	StateFailed   = "failed"
)

// Conversation is one citizen thread.
type Conversation struct {
	ID              string
	OrgID           string
	AccountID       string
	Source          string // a platform, "webform" or "email"
	ChannelKey      string
	Thread          string
	Visibility      channel.Visibility
	AuthorID        string
	AuthorHandle    string
	AuthorName      string
	AuthorContact   string
	PostID          string
	Subject         string
	Status          Status
	OfficeID        string
	OfficeCode      string
	OfficeName      string
	AssigneeID      string
	AssigneeName    string
	Labels          triage.Labels
	Confidence      triage.Confidence
	TriageConfirmed bool
	GroupID         string
	GroupSize       int
	Token           string
	MessageCount    int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	LastInAt        time.Time
	FirstResponseAt time.Time
	ResolvedAt      time.Time
	DueAt           time.Time
}

// Overdue reports whether the first-response target has passed without
// an answer.
func (c Conversation) Overdue(now time.Time) bool {
	return c.Status.Open() && c.FirstResponseAt.IsZero() && !c.DueAt.IsZero() && now.After(c.DueAt)
}

// Urgent reports whether triage found people in danger.
func (c Conversation) Urgent() bool { return c.Labels.Urgency == "alta" }

// Message is one message of a conversation.
type Message struct {
	ID             string
	ConversationID string
	RemoteID       string
	Direction      Direction
	PersonID       string
	AuthorName     string
	Text           string
	Attachments    []channel.Attachment
	State          string
	Private        bool
	Error          string
	RemoteURL      string
	Attempts       int
	Hidden         bool
	CreatedAt      time.Time
}

// Errors the edge turns into clear answers.
var (
	ErrInvalid   = errors.New("desk: invalid input")
	ErrForbidden = errors.New("desk: not allowed")
	ErrNoReply   = errors.New("desk: this channel cannot send replies")
)

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Deps are what the desk needs.
type Deps struct {
	DB      *store.DB
	Triage  *triage.Service
	Publish *publish.Service // accounts and their credentials
	Notify  *notify.Service
	Mail    mail.Sender
	Jobs    *jobs.Runner
	Log     *slog.Logger
	// Surges lists an organisation's emergencies in progress (the alert
	// service); nil means none ever.
	Surges func(ctx context.Context, orgID string) ([]Surge, error)
	// Pollers, when set, may give a polled account another reader than its
	// connector's Poll (nil: the connector's). The app gives a Telegram bot
	// without a webhook one that also answers the alerts bot's commands
	// and buttons, which the connector's Poll leaves out: the desk is then
	// the bot's only reader, and Telegram forgets what a poll confirms.
	Pollers func(ctx context.Context, orgID string, a publish.Account, conn channel.Connector) channel.Poller
	// PublicURL prefixes the citizen's status link.
	PublicURL string
	// Now is the clock; nil means store.Now.
	Now func() time.Time
}

// Service is the desk.
type Service struct {
	Deps
	grouper *grouping
	configs sync.Map // org id -> *orgConfig
	polling sync.Map // account id -> true while a poll of it runs
	batch   *batcher
	prep    chan struct{} // bounds the messages being prepared at once
}

// NewService returns the desk.
func NewService(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = store.Now
	}
	s := &Service{Deps: d, grouper: newGrouping(), prep: make(chan struct{}, 4*runtime.NumCPU())}
	s.batch = newBatcher(s)
	return s
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// StatusURL is the citizen's link to follow a request.
func (s *Service) StatusURL(slug, token string) string {
	return s.PublicURL + "/o/" + slug + "/richieste/" + token
}

// Register adds the desk's jobs and periodic tasks to the runner.
func (s *Service) Register(r *jobs.Runner) {
	jobs.Register(r, &replyWorker{s: s})
	r.Periodic("desk.sla", time.Minute, jobs.LaneMaintenance, s.CheckOverdue)
	r.Periodic("desk.retention", 6*time.Hour, jobs.LaneMaintenance, func(ctx context.Context) error {
		_, err := s.ApplyRetention(ctx)
		return err
	})
}
