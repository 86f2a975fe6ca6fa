// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
)

// The citizen's side of the desk: the public web form (no login, a
// privacy notice, a honeypot and a rate limit), the status page of a
// request, and the webhooks the platforms call.

// Credential names of the webhook secrets, stored sealed with the account.
const (
	CredWebhookSecret = "webhook_secret" // Telegram's secret_token
	CredAppSecret     = "app_secret"     // Meta app secret (X-Hub-Signature-256)
	CredVerifyToken   = "verify_token"   // Meta subscription challenge
)

// maxWebhookBody bounds what a platform may send in one call; Meta batches
// entries, Telegram sends one update.
const maxWebhookBody = 1 << 20

func (s *Server) deskPublicRoutes(mux *http.ServeMux) {
	s.public(mux, "GET", "/segnala", s.webForm, true)
	s.public(mux, "POST", "/segnala", s.webFormSubmit, true)
	s.public(mux, "GET", "/richieste/{token}", s.requestStatus, true)
	// Webhooks carry their own authentication (a secret header, an HMAC
	// signature) instead of a session and a CSRF token.
	mux.HandleFunc("POST /o/{slug}/hooks/telegram/{account}", s.telegramHook)
	mux.HandleFunc("GET /o/{slug}/hooks/meta", s.metaChallenge)
	mux.HandleFunc("POST /o/{slug}/hooks/meta", s.metaHook)
}

// formLimiter keeps a flood of web form submissions out: a few per
// address, then one every few minutes.
type formLimiter struct {
	mu    sync.Mutex
	byIP  map[string]*rate.Limiter
	reset time.Time
}

func (l *formLimiter) allow(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Since(l.reset) > time.Hour || len(l.byIP) > 100000 {
		l.byIP, l.reset = map[string]*rate.Limiter{}, time.Now()
	}
	lim, ok := l.byIP[ip]
	if !ok {
		lim = rate.NewLimiter(rate.Every(3*time.Minute), 5)
		l.byIP[ip] = lim
	}
	return lim.Allow()
}

type webFormData struct {
	Org      org.Organisation
	Settings desk.Settings
	Nonce    string
	Action   string
}

func (s *Server) webFormPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, o org.Organisation, status int, errs, form map[string]string) error {
	st, err := s.Desk.Settings(r.Context(), o.ID)
	if err != nil {
		return err
	}
	nonce := form["nonce"]
	if nonce == "" {
		nonce = store.NewID()
	}
	action := "/o/" + o.Slug + "/segnala"
	return s.render(w, r, rc, status, "desk_form", &page{Title: s.t(rc, "webform.title"), Errors: errs, Form: form,
		Data: webFormData{Org: o, Settings: st, Nonce: nonce, Action: action}})
}

func (s *Server) webForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, o org.Organisation) error {
	return s.webFormPage(w, r, rc, o, http.StatusOK, nil, nil)
}

func (s *Server) webFormSubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx, o org.Organisation) error {
	form := map[string]string{"name": r.PostFormValue("name"), "contact": r.PostFormValue("contact"),
		"text": r.PostFormValue("text"), "nonce": r.PostFormValue("nonce"), "lat": r.PostFormValue("lat"), "lon": r.PostFormValue("lon")}
	// A bot fills every field, the honeypot too: it is thanked and nothing
	// is stored.
	if r.PostFormValue("website") != "" {
		return s.render(w, r, rc, http.StatusOK, "desk_thanks", &page{Title: s.t(rc, "webform.title")})
	}
	if !s.formLimits.allow(rc.IP) {
		return s.webFormPage(w, r, rc, o, http.StatusTooManyRequests, map[string]string{"form": s.t(rc, "errors.too_many_requests")}, form)
	}
	errs := map[string]string{}
	text := strings.TrimSpace(form["text"])
	switch {
	case text == "":
		errs["text"] = s.t(rc, "webform.text_required")
	case utf8.RuneCountInString(text) > 5000 || !utf8.ValidString(text):
		errs["text"] = s.t(rc, "webform.text_long")
	}
	contact := strings.TrimSpace(form["contact"])
	if contact != "" && (len(contact) > 200 || !strings.Contains(contact, "@")) {
		errs["contact"] = s.t(rc, "webform.contact_invalid")
	}
	if r.PostFormValue("privacy") != "1" {
		errs["privacy"] = s.t(rc, "webform.privacy_required")
	}
	var atts []channel.Attachment
	if form["lat"] != "" || form["lon"] != "" {
		lat, err1 := strconv.ParseFloat(form["lat"], 64)
		lon, err2 := strconv.ParseFloat(form["lon"], 64)
		if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			errs["position"] = s.t(rc, "webform.position_invalid")
		} else {
			atts = append(atts, channel.Attachment{Kind: "location", Name: strconv.FormatFloat(lat, 'f', 6, 64) + "," + strconv.FormatFloat(lon, 'f', 6, 64)})
		}
	}
	var files []desk.File
	if f, hdr, err := r.FormFile("photo"); err == nil {
		data, rerr := io.ReadAll(io.LimitReader(f, desk.MaxFileBytes+1))
		_ = f.Close()
		switch {
		case rerr != nil:
			return rerr
		case len(data) > desk.MaxFileBytes:
			errs["photo"] = s.t(rc, "webform.photo_too_big", desk.MaxFileBytes>>20)
		case len(data) > 0:
			files = append(files, desk.File{Name: hdr.Filename, Data: data})
		}
	}
	nonce := form["nonce"]
	if nonce == "" || len(nonce) > 64 {
		nonce = store.NewID()
	}
	if len(errs) > 0 {
		return s.webFormPage(w, r, rc, o, http.StatusUnprocessableEntity, errs, form)
	}
	// The nonce is the message id: a double submission is stored once.
	author := contact
	if author == "" {
		author = "webform:" + nonce
	}
	res, err := s.Desk.Ingest(r.Context(), desk.Inbound{OrgID: o.ID, Source: desk.SourceWebForm, Contact: contact,
		Files: files,
		Msg: channel.Inbound{RemoteID: nonce, Thread: nonce, Visibility: channel.Private, AuthorID: author,
			AuthorName: strings.TrimSpace(form["name"]), Text: text, Attachments: atts, At: time.Now()}})
	if err != nil {
		if errors.Is(err, desk.ErrInvalid) {
			key, msg := "text", s.t(rc, "webform.text_required")
			if len(files) > 0 && strings.Contains(err.Error(), "photo") {
				key, msg = "photo", s.t(rc, "webform.photo_invalid")
			}
			return s.webFormPage(w, r, rc, o, http.StatusUnprocessableEntity, map[string]string{key: msg}, form)
		}
		return err
	}
	// A nonce seen before is a double submission, or someone replaying
	// another person's: either way the status link is not given again.
	if res.Duplicate {
		return s.render(w, r, rc, http.StatusOK, "desk_thanks", &page{Title: s.t(rc, "webform.title")})
	}
	return redirect(w, r, "/o/"+o.Slug+"/richieste/"+res.Token+"?ok=flash.webform_sent")
}

type requestStatusData struct {
	Org      org.Organisation
	Conv     desk.Conversation
	Messages []desk.Message
	Settings desk.Settings
}

func (s *Server) requestStatus(w http.ResponseWriter, r *http.Request, rc *reqCtx, o org.Organisation) error {
	c, msgs, err := s.Desk.ByToken(r.Context(), o.ID, r.PathValue("token"))
	if err != nil {
		return err
	}
	st, err := s.Desk.Settings(r.Context(), o.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer") // the link is the secret
	return s.render(w, r, rc, http.StatusOK, "desk_status", &page{Title: s.t(rc, "webform.status_title"),
		Data: requestStatusData{Org: o, Conv: c, Messages: msgs, Settings: st}})
}

// telegramIdentity is the organisation and the Telegram account of a bot
// webhook's path, kept for hookTTL unless fresh.
func (s *Server) telegramIdentity(r *http.Request, fresh bool) (*hookIdentity, bool, error) {
	slug, account := r.PathValue("slug"), r.PathValue("account")
	if !org.ValidSlug(slug) {
		return nil, false, store.ErrNotFound
	}
	return s.hooks.get(r.Context(), "telegram\x00"+slug+"\x00"+account, fresh, func(ctx context.Context) (*hookIdentity, error) {
		o, err := s.Orgs.OrganisationBySlug(ctx, slug)
		if err != nil {
			return nil, err
		}
		acct, ca, err := s.Publish.Connect(ctx, o.ID, account)
		if err != nil {
			return nil, err
		}
		if acct.Platform != channel.Telegram {
			return nil, store.ErrNotFound
		}
		return &hookIdentity{org: o, accts: []publish.Account{acct}, cas: []channel.Account{ca}}, nil
	})
}

// metaIdentity is the organisation of a Meta webhook's path with its
// Facebook and Instagram accounts, kept for hookTTL unless fresh.
func (s *Server) metaIdentity(r *http.Request, fresh bool) (*hookIdentity, bool, error) {
	slug := r.PathValue("slug")
	if !org.ValidSlug(slug) {
		return nil, false, store.ErrNotFound
	}
	return s.hooks.get(r.Context(), "meta\x00"+slug, fresh, func(ctx context.Context) (*hookIdentity, error) {
		o, err := s.Orgs.OrganisationBySlug(ctx, slug)
		if err != nil {
			return nil, err
		}
		accts, cas, err := s.metaAccounts(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		return &hookIdentity{org: o, accts: accts, cas: cas}, nil
	})
}

// hookUnknown answers a webhook whose organisation or account could not
// be found (404) or read (500, so that the platform delivers it again).
func (s *Server) hookUnknown(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	s.Logger.Error("webhook: look up account", "path", r.URL.Path, "err", err)
	http.Error(w, "try again", http.StatusInternalServerError)
}

// hookOrg finds the organisation of a webhook path.
func (s *Server) hookOrg(r *http.Request) (org.Organisation, bool) {
	slug := r.PathValue("slug")
	if !org.ValidSlug(slug) {
		return org.Organisation{}, false
	}
	o, err := s.Orgs.OrganisationBySlug(r.Context(), slug)
	return o, err == nil
}

// telegramHook receives the organisation's bot updates. The secret_token
// set with setWebhook comes back in X-Telegram-Bot-Api-Secret-Token; a
// request without it is refused before its body is read.
func (s *Server) telegramHook(w http.ResponseWriter, r *http.Request) {
	secret := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	id, cached, err := s.telegramIdentity(r, false)
	if err == nil && cached && !telegram.CheckSecret(secret, id.cas[0].Credentials[CredWebhookSecret]) {
		// The secret may have changed since it was kept.
		id, _, err = s.telegramIdentity(r, true)
	}
	if err != nil {
		s.hookUnknown(w, r, err)
		return
	}
	o, acct := id.org, id.accts[0]
	if !telegram.CheckSecret(secret, id.cas[0].Credentials[CredWebhookSecret]) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	upd, err := telegram.ParseUpdate(body)
	if err != nil {
		s.Logger.Warn("telegram webhook: malformed update", "org", o.Slug, "account", acct.ID, "err", err)
		http.Error(w, "malformed update", http.StatusBadRequest)
		return
	}
	// Commands and buttons belong to the alert subscriptions (DESIGN.md);
	// only other text reaches the desk.
	if s.BotUpdate(r.Context(), o, acct, upd) {
		w.WriteHeader(http.StatusOK)
		return
	}
	if upd.HasMsg && !upd.Msg.Bot {
		if _, err := s.Desk.Ingest(r.Context(), desk.Inbound{OrgID: o.ID, AccountID: acct.ID, Source: string(acct.Platform), Msg: upd.Msg}); err != nil {
			s.hookFailed(w, o, acct, err)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// IsBotUpdate reports whether upd is a command or a button press for the
// alerts bot, which BotUpdate answers; other updates are the desk's.
func IsBotUpdate(upd telegram.Update) bool {
	_, ok := botEvent(upd)
	return ok
}

// botEvent is a command or a button press of the bot's private chat.
func botEvent(upd telegram.Update) (alert.BotEvent, bool) {
	if c := upd.Callback; c != nil {
		return alert.BotEvent{ChatID: c.ChatID, CallbackID: c.ID, MessageID: c.MessageID, Data: c.Data, Lang: c.From.Lang}, c.ChatID != 0
	}
	if upd.HasMsg && upd.Msg.Bot {
		chat, err := strconv.ParseInt(upd.Msg.Thread, 10, 64)
		return alert.BotEvent{ChatID: chat, Text: upd.Msg.Text}, err == nil
	}
	return alert.BotEvent{}, false
}

// BotUpdate answers a citizen's command or button press on the
// organisation's bot and reports whether upd was one; other updates are
// the desk's. The webhook and, without one, the desk's poller both come
// here. A failure (the Bot API down) is logged, not returned: Telegram
// would deliver the update again and the citizen would get the answer
// twice.
func (s *Server) BotUpdate(ctx context.Context, o org.Organisation, acct publish.Account, upd telegram.Update) bool {
	ev, ok := botEvent(upd)
	if !ok {
		return false
	}
	if s.Alerts == nil || s.Alerts.Bots == nil {
		return true
	}
	bot, err := s.Alerts.Bots(ctx, o.ID, acct.ID)
	if err == nil && bot != nil {
		err = s.Alerts.HandleBot(ctx, o.ID, bot, ev)
	}
	if err != nil {
		s.Logger.Warn("telegram bot: command not answered", "org", o.Slug, "account", acct.ID, "err", err)
	}
	return true
}

// hookFailed answers a webhook whose message could not be stored: bad
// input is 400 (a retry would fail the same way), anything else 500 so the
// platform delivers it again and nothing is lost.
func (s *Server) hookFailed(w http.ResponseWriter, o org.Organisation, acct publish.Account, err error) {
	if errors.Is(err, desk.ErrInvalid) {
		s.Logger.Warn("webhook: message refused", "org", o.Slug, "account", acct.ID, "err", err)
		http.Error(w, "invalid message", http.StatusBadRequest)
		return
	}
	s.Logger.Error("webhook: store message", "org", o.Slug, "account", acct.ID, "err", err)
	http.Error(w, "try again", http.StatusInternalServerError)
}

// metaAccounts returns the organisation's Facebook and Instagram accounts
// with their credentials, for the webhook's secrets and the mapping of a
// page or Instagram id to an account.
func (s *Server) metaAccounts(ctx context.Context, orgID string) ([]publish.Account, []channel.Account, error) {
	all, err := s.Publish.Accounts(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	var accts []publish.Account
	var cas []channel.Account
	for _, a := range all {
		if a.Platform != channel.Facebook && a.Platform != channel.Instagram {
			continue
		}
		_, ca, err := s.Publish.Connect(ctx, orgID, a.ID)
		if err != nil {
			return nil, nil, err
		}
		accts, cas = append(accts, a), append(cas, ca)
	}
	return accts, cas, nil
}

// metaChallenge answers Meta's subscription check (hub.challenge).
func (s *Server) metaChallenge(w http.ResponseWriter, r *http.Request) {
	// Rare and done by hand in Meta's console, after a token was just
	// saved: always read fresh.
	id, _, err := s.metaIdentity(r, true)
	if err != nil {
		s.hookUnknown(w, r, err)
		return
	}
	for _, ca := range id.cas {
		if c, ok := facebook.VerifyChallenge(r.URL.Query(), ca.Credentials[CredVerifyToken]); ok {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, c) //nolint:gosec // G705: VerifyChallenge lets only [A-Za-z0-9._~-] through, as text/plain
			return
		}
	}
	http.Error(w, "forbidden", http.StatusForbidden)
}

// metaAccount is the account a Meta event is for, nil when none.
func (id *hookIdentity) metaAccount(ev facebook.Event) *publish.Account {
	for i := range id.accts {
		if id.accts[i].Platform == ev.Platform && (id.accts[i].Handle == ev.AccountID || id.cas[i].Settings["id"] == ev.AccountID) {
			return &id.accts[i]
		}
	}
	return nil
}

// metaSigned reports whether sig is body's signature with the app secret
// of one of the accounts.
func metaSigned(body []byte, sig string, cas []channel.Account) bool {
	for _, ca := range cas {
		if facebook.VerifySignature(body, sig, ca.Credentials[CredAppSecret]) {
			return true
		}
	}
	return false
}

// metaHook receives Facebook Page and Instagram webhooks, signed with the
// app secret in X-Hub-Signature-256. Nothing is stored unless the
// signature matches one of the organisation's Meta apps.
func (s *Server) metaHook(w http.ResponseWriter, r *http.Request) {
	id, cached, err := s.metaIdentity(r, false)
	if err != nil {
		s.hookUnknown(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	sig := r.Header.Get(facebook.SignatureHeader)
	signed := metaSigned(body, sig, id.cas)
	if !signed && cached {
		// The app secret may have changed since it was kept.
		if id, _, err = s.metaIdentity(r, true); err != nil {
			s.hookUnknown(w, r, err)
			return
		}
		signed = metaSigned(body, sig, id.cas)
	}
	if !signed {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	o := id.org
	events, err := facebook.ParseWebhook(body)
	if err != nil {
		s.Logger.Warn("meta webhook: malformed payload", "org", o.Slug, "err", err)
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	if cached {
		for _, ev := range events {
			if id.metaAccount(ev) == nil {
				// A page connected since the accounts were kept.
				if fresh, _, err := s.metaIdentity(r, true); err == nil {
					id = fresh
				}
				break
			}
		}
	}
	for _, ev := range events {
		acct := id.metaAccount(ev)
		if acct == nil {
			s.Logger.Warn("meta webhook: unknown account", "org", o.Slug, "platform", ev.Platform, "id", ev.AccountID)
			continue
		}
		if _, err := s.Desk.Ingest(r.Context(), desk.Inbound{OrgID: o.ID, AccountID: acct.ID, Source: string(acct.Platform), Msg: ev.Msg}); err != nil {
			if errors.Is(err, desk.ErrInvalid) {
				s.Logger.Warn("meta webhook: message refused", "org", o.Slug, "err", err)
				continue // one bad entry must not make Meta retry the good ones forever
			}
			s.hookFailed(w, o, *acct, err)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}
