// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
)

// credentialFields are the secrets each platform needs when an account is
// connected by hand (a bot token, an app password, a page token). They
// are written once and never shown again.
var credentialFields = map[channel.Platform][]string{
	channel.Telegram:  {channel.CredToken},
	channel.Mastodon:  {channel.CredToken, channel.CredClientID, channel.CredClientSecret},
	channel.Bluesky:   {channel.CredAppPassword},
	channel.Facebook:  {channel.CredToken, channel.CredClientID, channel.CredClientSecret},
	channel.Instagram: {channel.CredToken},
	channel.X:         {channel.CredToken, channel.CredRefreshToken, channel.CredClientID, channel.CredClientSecret},
	channel.Feed:      nil,
}

// accountView is an account with what its connector says about it.
type accountView struct {
	publish.Account
	Capabilities channel.Capabilities
	Limits       channel.Limits
	OfficeName   string
}

type channelsData struct {
	Accounts   []accountView
	Platforms  []channel.Platform
	Offices    []org.Office
	Suspension publish.Suspension
	Fields     map[channel.Platform][]string
	CanManage  bool
	CanCadence bool
}

func (s *Server) accountView(a publish.Account, offices []org.Office) accountView {
	v := accountView{Account: a}
	if c, ok := s.Publish.Registry().For(channel.Account{Platform: a.Platform, Sandbox: a.Sandbox}); ok {
		ca := channel.Account{Platform: a.Platform, Settings: a.Settings, BaseURL: a.BaseURL, Handle: a.Handle}
		v.Capabilities, v.Limits = c.Capabilities(), c.Limits(ca)
	}
	for _, o := range offices {
		if o.ID == a.OfficeID {
			v.OfficeName = o.Name
		}
	}
	return v
}

func (s *Server) channels(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.channelsPage(w, r, rc, http.StatusOK, nil, nil)
}

func (s *Server) channelsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs, form map[string]string) error {
	ctx := r.Context()
	accts, err := s.Publish.Accounts(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	offices, err := s.Orgs.Offices(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	sp, err := s.Publish.Suspension(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	d := channelsData{Platforms: s.Publish.Registry().Platforms(), Offices: offices, Suspension: sp, Fields: credentialFields,
		CanManage: rc.Grants.Can(org.PermChannelManage), CanCadence: rc.Grants.Can(org.PermCadenceManage)}
	for _, a := range accts {
		d.Accounts = append(d.Accounts, s.accountView(a, offices))
	}
	if form == nil {
		form = map[string]string{"platform": string(channel.Telegram)}
	}
	return s.render(w, r, rc, status, "channels", &page{Area: "channels", Title: s.t(rc, "channels.title"), Data: d, Errors: errs, Form: form})
}

func credentialsFrom(r *http.Request, p channel.Platform) channel.Credentials {
	creds := channel.Credentials{}
	for _, f := range credentialFields[p] {
		if v := strings.TrimSpace(r.PostFormValue("cred_" + f)); v != "" {
			creds[f] = v
		}
	}
	return creds
}

func cadenceFrom(r *http.Request) publish.Cadence {
	maxDay, _ := strconv.Atoi(r.PostFormValue("max_per_day"))
	spacing, _ := strconv.Atoi(r.PostFormValue("min_spacing"))
	return publish.Cadence{MaxPerDay: maxDay, MinSpacing: time.Duration(spacing) * time.Minute,
		QuietStart: strings.TrimSpace(r.PostFormValue("quiet_start")), QuietEnd: strings.TrimSpace(r.PostFormValue("quiet_end"))}
}

func (s *Server) channelCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p := channel.Platform(r.PostFormValue("platform"))
	rate, _ := strconv.Atoi(r.PostFormValue("rate"))
	in := publish.AccountInput{Platform: p, Name: r.PostFormValue("name"), Handle: r.PostFormValue("handle"),
		BaseURL: r.PostFormValue("base_url"), OfficeID: r.PostFormValue("office"), Credentials: credentialsFrom(r, p),
		Cadence: cadenceFrom(r), RatePerMinute: rate}
	if p == channel.Feed {
		in.BaseURL = s.PublicURL + "/o/" + rc.Org.Slug + "/feeds/posts.atom"
	}
	a, err := s.Publish.CreateAccount(r.Context(), rc.Org.ID, in)
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.channelsPage(w, r, rc, http.StatusUnprocessableEntity, errs, map[string]string{
				"platform": string(p), "name": in.Name, "handle": in.Handle, "base_url": in.BaseURL})
		}
		return err
	}
	return redirect(w, r, "/channels/"+a.ID+"?ok=flash.channel_created")
}

type channelData struct {
	Account    accountView
	Offices    []org.Office
	Fields     []string
	Identity   *channel.Identity
	CheckError string
	CanManage  bool
	// OAuth is true when the platform connects with "Collega account".
	OAuth bool
}

func (s *Server) channelShow(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.channelPage(w, r, rc, http.StatusOK, nil, nil, "")
}

func (s *Server) channelPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string, ident *channel.Identity, checkErr string) error {
	ctx := r.Context()
	a, err := s.Publish.Account(ctx, rc.Org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	offices, err := s.Orgs.Offices(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	d := channelData{Account: s.accountView(a, offices), Offices: offices, Fields: credentialFields[a.Platform],
		Identity: ident, CheckError: checkErr, CanManage: rc.Grants.Can(org.PermChannelManage)}
	if c, ok := s.Publish.Registry().For(channel.Account{Platform: a.Platform, Sandbox: a.Sandbox}); ok {
		_, d.OAuth = c.(channel.OAuth)
	}
	form := map[string]string{"name": a.Name, "handle": a.Handle, "base_url": a.BaseURL, "office": a.OfficeID,
		"max_per_day": strconv.Itoa(a.Cadence.MaxPerDay), "min_spacing": strconv.Itoa(int(a.Cadence.MinSpacing / time.Minute)),
		"quiet_start": a.Cadence.QuietStart, "quiet_end": a.Cadence.QuietEnd, "rate": strconv.Itoa(a.RatePerMinute)}
	return s.render(w, r, rc, status, "channel", &page{Area: "channels", Title: a.Name, Data: d, Errors: errs, Form: form})
}

func (s *Server) channelUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	a, err := s.Publish.Account(ctx, rc.Org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	rate, _ := strconv.Atoi(r.PostFormValue("rate"))
	in := publish.AccountInput{Name: r.PostFormValue("name"), Handle: r.PostFormValue("handle"),
		BaseURL: r.PostFormValue("base_url"), OfficeID: r.PostFormValue("office"), Cadence: cadenceFrom(r), RatePerMinute: rate}
	if a.Platform == channel.Feed {
		in.BaseURL = a.BaseURL
	}
	if creds := credentialsFrom(r, a.Platform); len(creds) > 0 {
		in.Credentials = creds
	}
	if _, err := s.Publish.UpdateAccount(ctx, rc.Org.ID, a.ID, in); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.channelPage(w, r, rc, http.StatusUnprocessableEntity, errs, nil, "")
		}
		return err
	}
	return redirect(w, r, "/channels/"+a.ID+"?ok=flash.channel_saved")
}

// channelCheck is the "Verifica" button: the platform's own credential check.
func (s *Server) channelCheck(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ident, err := s.Publish.CheckAccount(r.Context(), rc.Org.ID, r.PathValue("id"))
	if err != nil {
		var ce *channel.Error
		if errors.As(err, &ce) {
			msg := ce.Message
			if msg == "" {
				msg = ce.Error()
			}
			return s.channelPage(w, r, rc, http.StatusOK, nil, nil, msg)
		}
		return err
	}
	return s.channelPage(w, r, rc, http.StatusOK, nil, &ident, "")
}

// oauthCallback is where platforms send the browser back after "Collega
// account"; it is the redirect URI to register in the platform's app.
const oauthCallback = "/channels/oauth/callback"

// channelConnect is "Collega account": off to the platform's consent page.
func (s *Server) channelConnect(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	to, err := s.Publish.StartConnect(r.Context(), rc.Org.ID, id, rc.Person.ID, s.PublicURL+oauthCallback)
	if errors.Is(err, publish.ErrNoOAuth) {
		return s.channelPage(w, r, rc, http.StatusUnprocessableEntity, nil, nil, s.t(rc, "channels.connect_unsupported"))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusSeeOther) //nolint:gosec // G710: the platform's authorize URL, built by its connector
	return nil
}

// channelConnected receives the platform's answer: a code to trade for
// tokens, or the person's refusal.
func (s *Server) channelConnected(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	if q.Get("code") == "" {
		// The person said no on the platform, or the platform failed.
		s.failStatus(w, r, rc, http.StatusBadRequest, "channels.connect_denied")
		return nil
	}
	a, err := s.Publish.FinishConnect(r.Context(), rc.Person.ID, q.Get("state"), q.Get("code"), s.PublicURL+oauthCallback)
	switch {
	case errors.Is(err, publish.ErrConnectExpired):
		s.failStatus(w, r, rc, http.StatusBadRequest, "channels.connect_expired")
		return nil
	case err != nil && a.ID != "" && a.OrgID == rc.Org.ID:
		r.SetPathValue("id", a.ID)
		return s.channelPage(w, r, rc, http.StatusOK, nil, nil, reasonText(err))
	case err != nil:
		return err
	}
	if a.OrgID != rc.Org.ID {
		return store.ErrNotFound
	}
	return redirect(w, r, "/channels/"+a.ID+"?ok=flash.channel_connected")
}

// reasonText is the platform's own words for a failed call.
func reasonText(err error) string {
	var ce *channel.Error
	if errors.As(err, &ce) && ce.Message != "" {
		return ce.Message
	}
	return err.Error()
}

func (s *Server) channelStatus(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	st := publish.AccountStatus(r.PostFormValue("status"))
	if err := s.Publish.SetAccountStatus(r.Context(), rc.Org.ID, r.PathValue("id"), st); err != nil {
		return err
	}
	return redirect(w, r, "/channels/"+r.PathValue("id")+"?ok=flash.channel_saved")
}

// suspend is the crisis kill switch: "sospendi tutte le pubblicazioni".
func (s *Server) suspend(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.Publish.Suspend(r.Context(), rc.Org.ID, rc.Person.ID, r.PostFormValue("reason")); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.channelsPage(w, r, rc, http.StatusUnprocessableEntity, errs, nil)
		}
		return err
	}
	return redirect(w, r, "/channels?ok=flash.publishing_suspended")
}

func (s *Server) resume(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.Publish.Resume(r.Context(), rc.Org.ID); err != nil {
		return err
	}
	return redirect(w, r, "/channels?ok=flash.publishing_resumed")
}

// sandbox shows what each of the demo's fake platforms received, so a
// newcomer sees the post as Telegram or Mastodon got it.
func (s *Server) sandbox(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.Sandbox == nil {
		return store.ErrNotFound
	}
	return s.render(w, r, rc, http.StatusOK, "sandbox", &page{Area: "channels", Title: s.t(rc, "sandbox.title"), Data: s.Sandbox.Platforms()})
}
