// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package alert is emergency communication: incidents with a public live
// page, and alerts broadcast in one action to every selected channel, to
// the citizens subscribed by Telegram bot and Web Push, and to the Atom
// and CAP feeds. Updates and the all-clear follow the same path and refer
// to the first alert.
//
// An alert is exempt from the cadence guard, the quiet hours and the
// suspension switch, and each exemption is audited. A delivery is a row
// per alert and target: its state is the truth, so a broadcast resumed
// after a crash never sends twice what was delivered, and an outcome that
// stays unknown is left for a person to settle (shared/DESIGN.md).
//
// An incident marked as exercise is a drill: it reaches sandbox channels
// only, never a real one, and its CAP messages say status Exercise.
package alert

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/webpush"
)

// Type is the kind of emergency.
type Type string

// The incident types.
const (
	TypeWind      Type = "vento" // wind, the Bora
	TypeHighTide  Type = "acqua_alta"
	TypeFlood     Type = "alluvione"
	TypeSnow      Type = "neve"
	TypeHeat      Type = "caldo"
	TypeHealth    Type = "sanitaria"
	TypeTraffic   Type = "viabilita"
	TypeOtherKind Type = "altro"
)

// Types lists the incident types in display order.
var Types = []Type{TypeWind, TypeHighTide, TypeFlood, TypeSnow, TypeHeat, TypeHealth, TypeTraffic, TypeOtherKind}

// Valid reports whether t is a known type.
func (t Type) Valid() bool { return slices.Contains(Types, t) }

// Colour is the Italian alert level (the civil protection's colours).
type Colour string

// The alert colours, mildest first.
const (
	Green  Colour = "verde"
	Yellow Colour = "gialla"
	Orange Colour = "arancione"
	Red    Colour = "rossa"
)

// Colours lists the levels, mildest first.
var Colours = []Colour{Green, Yellow, Orange, Red}

// Valid reports whether c is a known colour.
func (c Colour) Valid() bool { return slices.Contains(Colours, c) }

// Status is where an incident stands.
type Status string

// The incident statuses.
const (
	StatusDraft    Status = "draft"    // prepared, or imported from a CAP feed: a person confirms it
	StatusActive   Status = "active"   // alerts have gone out; the live page is open
	StatusResolved Status = "resolved" // the all-clear was sent
)

// Kind is what an alert says about its incident.
type Kind string

// The alert kinds, as CAP's msgType: Alert, Update, Cancel.
const (
	KindAlert  Kind = "alert"
	KindUpdate Kind = "update"
	KindCancel Kind = "cancel" // "cessato allarme"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindAlert || k == KindUpdate || k == KindCancel }

// Delivery states.
const (
	StateQueued   = "queued"
	StateSending  = "sending"
	StateSent     = "sent"
	StateRetrying = "retrying"
	StateFailed   = "failed"
	StateUnknown  = "unknown" // sent, no answer: a person decides
)

// Delivery targets besides channel accounts.
const (
	TargetAccount     = "account"
	TargetTelegramBot = "telegram_bot" // the bot's subscribers, one message each
	TargetWebPush     = "webpush"
)

// Errors the edge turns into clear answers. The service refuses input
// with valid errors (package valid): a field and a translation key under
// "alert.", which web shows in the person's language next to the field
// and api returns in error.fields.
var ErrNotFound = store.ErrNotFound

// Deps are what the alert service needs.
type Deps struct {
	DB      *store.DB
	Publish *publish.Service // channel accounts, their credentials and connectors
	Jobs    *jobs.Runner     // nil: deliveries run in the caller (tests)
	// Sealer encrypts the installation's VAPID private key at rest.
	Sealer *auth.Sealer
	// Push sends Web Push messages; nil until the app has loaded the
	// VAPID keys (VAPIDKeys), or when Web Push is off.
	Push *webpush.Sender
	// OnDrill is told when a drill's first alert is out, so that the app
	// can simulate a surge of citizens on the sandbox channels.
	OnDrill func(inc Incident)
	// Bots gives the organisation's Telegram bot (accountID "" for its
	// default one), nil when it has none.
	Bots func(ctx context.Context, orgID, accountID string) (Bot, error)
	// Notify tells the crisis team about a delivery that failed or may
	// not have gone out, and about an imported CAP alert; nil: nobody.
	Notify *notify.Service
	Log    *slog.Logger
	// PublicURL prefixes the live page, the card image and the feeds.
	PublicURL string
	// Now is the clock; nil means store.Now.
	Now func() time.Time
}

// Service is emergency communication.
type Service struct {
	Deps
	cards *cardCache
}

// NewService returns the alert service.
func NewService(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = store.Now
	}
	return &Service{Deps: d, cards: newCardCache(64)}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// LiveURL is the public live page of an incident.
func (s *Service) LiveURL(slug, incidentID string) string {
	return s.PublicURL + "/o/" + slug + "/live/" + incidentID
}

// CardURL is the public alert card image of an alert, as "png" or "jpg".
func (s *Service) CardURL(slug, alertID, format string) string {
	return s.PublicURL + "/o/" + slug + "/alerts/" + alertID + "." + format
}
