// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package app

import (
	"context"
	"fmt"
	"time"

	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/sandbox"
	"github.com/piazza-pa/piazza/internal/web"
)

// The demo's sandbox: in demo mode the platform fakes run in-process
// (started with the App, stopped by Close), the demo organisation's
// sandbox accounts publish to them, and /sandbox shows what they received.

// startSandbox starts the fakes in demo mode; outside it, nothing.
func (a *App) startSandbox() error {
	if !a.Config.Demo {
		return nil
	}
	sb, err := sandbox.Start()
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	a.sandbox = sb
	return nil
}

// webSandbox is the sandbox for the web pages: a nil interface outside
// demo mode (a nil *Sandbox inside the interface would not be nil).
func (a *App) webSandbox() web.Sandbox {
	if a.sandbox == nil {
		return nil
	}
	return a.sandbox
}

// seedSandbox points the demo's sandbox accounts at the fakes of this run
// and, the first time, writes the sample plan and publishes its past posts
// through them. It needs the publishing engine running. A failure is
// logged, not fatal: the demo still serves what it has.
func (a *App) seedSandbox(ctx context.Context) {
	if a.sandbox == nil {
		return
	}
	svc := demo.Services{DB: a.DB, Orgs: a.Orgs, Auth: a.Auth, Editorial: a.Editorial, Publish: a.Publish}
	if _, err := demo.Seed(ctx, a.DB, a.Orgs, a.Auth); err != nil {
		a.Log.Error("demo: cannot create the demo organisation", "err", err)
		return
	}
	created, err := demo.SeedSandbox(ctx, svc, a.sandbox.Accounts(), a.publicURL()+"/o/"+demo.Slug+"/feeds/posts.atom")
	if err != nil {
		a.Log.Error("demo: sandbox channels or sample plan incomplete", "err", err)
		return
	}
	o, err := a.Orgs.OrganisationBySlug(ctx, demo.Slug)
	if err != nil {
		a.Log.Error("demo: organisation", "err", err)
		return
	}
	deskSeeded, err := demo.SeedDesk(ctx, svc, a.Desk, o.ID, a.sandbox)
	if err != nil {
		a.Log.Error("demo: desk messages incomplete", "err", err)
	}
	alertsSeeded, err := demo.SeedAlerts(ctx, svc, a.Alerts, o.ID)
	if err != nil {
		a.Log.Error("demo: past incident incomplete", "err", err)
	}
	a.Log.Info("demo: sandbox platforms running; see /sandbox for what they receive", "plan_created", created, "desk_seeded", deskSeeded,
		"alerts_seeded", alertsSeeded)
	// A citizen writes now and then, so the desk is seen updating itself.
	go demo.Trickle(ctx, a.Desk, svc, o.ID, a.sandbox, 90*time.Second, func(err error) {
		a.Log.Warn("demo: desk message", "err", err)
	})
}

// closeSandbox stops the fakes.
func (a *App) closeSandbox() {
	if a.sandbox == nil {
		return
	}
	if err := a.sandbox.Close(); err != nil {
		a.Log.Warn("demo: stopping the sandbox", "err", err)
	}
	a.sandbox = nil
}
