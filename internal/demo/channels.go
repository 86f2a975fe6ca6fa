// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/sandbox"
	"github.com/piazza-pa/piazza/internal/store"
)

// Services are what the demo's channels and plan are made with: the same
// services people use, so that the workflow and the audit log are real.
type Services struct {
	DB        *store.DB
	Orgs      *org.Service
	Auth      *auth.Service
	Editorial *editorial.Service
	Publish   *publish.Service
}

// channelNames are the demo accounts' names, by platform.
var channelNames = map[channel.Platform]string{
	channel.Telegram:  "Canale Telegram del Comune",
	channel.Facebook:  "Pagina Facebook Comune di Vallebella",
	channel.Instagram: "Instagram @comune.vallebella",
	channel.X:         "X @VallebellaPA",
	channel.Mastodon:  "Mastodon @comune_vallebella",
	channel.Bluesky:   "Bluesky @comune-vallebella.bsky.social",
	channel.Feed:      "Feed Atom del sito",
}

// SeedSandbox gives the demo organisation (made by Seed) a sandbox account
// on every platform, pointed at the fakes running now, and the first time
// a week of editorial plan, some of it published through those fakes. It
// runs on every start: the fakes listen on new ports each time, so the
// accounts' addresses are brought up to date; nothing is created twice.
//
// The publishing engine must be running: the plan's past posts go out
// through it, and SeedSandbox waits for them. It reports whether it
// created the plan.
func SeedSandbox(ctx context.Context, s Services, fakes []sandbox.Account, feedURL string) (bool, error) {
	o, err := s.Orgs.OrganisationBySlug(ctx, Slug)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	ctx = audit.WithActor(ctx, audit.Actor{Label: "demo"})
	accounts, err := seedChannels(ctx, s, o.ID, append(slices.Clone(fakes), sandbox.Account{Platform: channel.Feed, Handle: "posts.atom", BaseURL: feedURL}))
	if err != nil {
		return false, err
	}
	return seedPlan(ctx, s, o, accounts)
}

// seedChannels creates the sandbox account of every platform, or moves an
// existing one to its fake's current address. It returns the accounts by
// platform.
func seedChannels(ctx context.Context, s Services, orgID string, fakes []sandbox.Account) (map[channel.Platform]publish.Account, error) {
	existing, err := s.Publish.Accounts(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	// The demo's own account of each platform is the one with its name;
	// other sandbox accounts (added by people trying things, or by tests
	// on a shared database) keep their own addresses.
	out := map[channel.Platform]publish.Account{}
	for _, a := range existing {
		if a.Sandbox && a.Name == channelNames[a.Platform] {
			if _, seen := out[a.Platform]; !seen {
				out[a.Platform] = a
			}
		}
	}
	for _, a := range existing {
		if _, seen := out[a.Platform]; a.Sandbox && !seen {
			out[a.Platform] = a
		}
	}
	var errs []error
	for _, f := range fakes {
		a, ok := out[f.Platform]
		switch {
		case !ok:
			a, err = s.Publish.CreateAccount(ctx, orgID, publish.AccountInput{Platform: f.Platform, Name: channelNames[f.Platform],
				Handle: f.Handle, BaseURL: f.BaseURL, Sandbox: true, Credentials: f.Credentials})
			if err == nil {
				// "Verifica" at once, as a person would: it learns the
				// instance's limits and shows the account as checked.
				_, err = s.Publish.CheckAccount(ctx, orgID, a.ID)
			}
		case a.BaseURL != f.BaseURL:
			a, err = s.Publish.UpdateAccount(ctx, orgID, a.ID, publish.AccountInput{Name: a.Name, Handle: a.Handle,
				BaseURL: f.BaseURL, OfficeID: a.OfficeID, Cadence: a.Cadence, RatePerMinute: a.RatePerMinute})
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("demo: sandbox %s: %w", f.Platform, err))
			continue
		}
		out[f.Platform] = a
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
