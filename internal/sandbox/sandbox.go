// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package sandbox runs the platform fakes of internal/channel/*/*test
// in-process, on loopback ports, for `piazza serve --demo`: the demo's
// sandbox accounts publish to them through the real connectors, and the
// page /sandbox shows what each one received, so a newcomer sees a post as
// Telegram or Mastodon got it without any credentials.
//
// The fakes accept the fixed, public credentials of Accounts (and, being
// open, any other account of the right shape); they keep everything in
// memory, so they start empty on every run.
package sandbox

import (
	"errors"
	"fmt"
	"maps"
	"net/http"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky/blueskytest"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
	"github.com/piazza-pa/piazza/internal/channel/instagram/instagramtest"
	"github.com/piazza-pa/piazza/internal/channel/mastodon/mastodontest"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
	"github.com/piazza-pa/piazza/internal/channel/x/xtest"
	"github.com/piazza-pa/piazza/internal/web"
)

// The demo's credentials. They are public on purpose: they open nothing
// but the fakes of this process.
const (
	TelegramToken   = "7000000001:piazza-sandbox-demo"
	TelegramChannel = "@comune_vallebella"
)

// Account is what a sandbox channel account needs to reach its fake.
type Account struct {
	Platform    channel.Platform
	Handle      string
	BaseURL     string
	Credentials channel.Credentials
}

// fake is one running platform.
type fake interface {
	http.Handler
	channeltest.Recorder
}

type running struct {
	rec     channeltest.Recorder
	ln      *channeltest.Listener
	account Account
}

// Sandbox is the set of running fakes, one per platform that has one (the
// Atom feed needs none: its entries are Piazza's own). It implements
// web.Sandbox.
type Sandbox struct {
	platforms []running

	// The fakes citizens write on (citizen.go).
	tg *telegramtest.Server
	fb *facebooktest.Server
	ig *instagramtest.Server
	md *mastodontest.Server
	bs *blueskytest.Server
}

// Start starts every fake on a free loopback port.
func Start() (*Sandbox, error) {
	s := &Sandbox{}
	add := func(f fake, handle string, creds channel.Credentials) error {
		ln, err := channeltest.Serve(f)
		if err != nil {
			return fmt.Errorf("sandbox: %s: %w", f.Platform(), err)
		}
		s.platforms = append(s.platforms, running{rec: f, ln: ln,
			account: Account{Platform: f.Platform(), Handle: handle, BaseURL: ln.URL, Credentials: creds}})
		return nil
	}
	// Display order, as channel.Platforms lists them. Each fake is open:
	// a sandbox account edited to another channel, Page or handle still
	// works.
	s.tg = telegramtest.New(telegramtest.Options{Titles: map[string]string{TelegramChannel: "Comune di Vallebella"}})
	s.fb = facebooktest.New(facebooktest.Options{Open: true, IGUserID: instagramtest.DefaultIGUserID, Username: instagramtest.DefaultUsername})
	// Without a client the Instagram fake checks the image URL but does
	// not download it: the demo's public URL may not be reachable from
	// inside the process (a proxy in front, a port not yet served).
	s.ig = instagramtest.New(instagramtest.Options{Open: true, PageID: facebooktest.DefaultPageID, PageName: facebooktest.DefaultPageName})
	s.md = mastodontest.New(mastodontest.Options{AnyToken: true})
	s.bs = blueskytest.New(blueskytest.Options{AnyAccount: true})
	err := errors.Join(
		add(s.tg, TelegramChannel, channel.Credentials{channel.CredToken: TelegramToken}),
		add(s.fb, facebooktest.DefaultPageID, channel.Credentials{channel.CredToken: facebooktest.DefaultToken}),
		add(s.ig, instagramtest.DefaultIGUserID, channel.Credentials{channel.CredToken: instagramtest.DefaultToken}),
		add(xtest.New(xtest.Options{Open: true}),
			"@"+xtest.DefaultUsername, channel.Credentials{channel.CredToken: xtest.DefaultToken}),
		add(s.md, "@"+mastodontest.DefaultUsername+"@"+mastodontest.DefaultDomain, channel.Credentials{channel.CredToken: mastodontest.DefaultToken}),
		add(s.bs, blueskytest.DefaultHandle, channel.Credentials{channel.CredAppPassword: blueskytest.DefaultAppPassword}),
	)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Accounts lists, for every fake, the account the demo connects to it.
func (s *Sandbox) Accounts() []Account {
	out := make([]Account, 0, len(s.platforms))
	for _, p := range s.platforms {
		a := p.account
		a.Credentials = maps.Clone(a.Credentials)
		out = append(out, a)
	}
	return out
}

// URL returns the address of the fake of platform p, "" when it has none.
func (s *Sandbox) URL(p channel.Platform) string {
	for _, r := range s.platforms {
		if r.account.Platform == p {
			return r.ln.URL
		}
	}
	return ""
}

// Platforms lists every fake with what it received, oldest first.
func (s *Sandbox) Platforms() []web.SandboxPlatform {
	out := make([]web.SandboxPlatform, 0, len(s.platforms))
	for _, p := range s.platforms {
		out = append(out, web.SandboxPlatform{Platform: p.account.Platform, URL: p.ln.URL, Received: p.rec.Received()})
	}
	return out
}

// Close stops every fake.
func (s *Sandbox) Close() error {
	var errs []error
	for _, p := range s.platforms {
		errs = append(errs, p.ln.Close())
	}
	s.platforms = nil
	return errors.Join(errs...)
}
